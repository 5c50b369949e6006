//! `rjax::debug`: JAX's `jax.debug.print` and `jax.debug.callback`.
//!
//! Both bind a `debug_callback`: side-effecting (never removed), without results, run once
//! per example under `vmap`, and transparent to differentiation: under `grad` or `jvp` they
//! see the primal values and pass tangents through (JAX's rule). Reverse mode through a debug
//! callback on *tangent* values (inside a custom JVP rule, say) is an error, as in JAX.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use super::Callback;
use super::op::{CallbackKind, CallbackOp};
use crate::core::{Primitive, bind};
use crate::{Array, Error, Result};

/// Where [`print()`] writes its lines.
pub type Printer = Arc<dyn Fn(&str) + Send + Sync>;

fn printer() -> &'static RwLock<Option<Printer>> {
    static PRINTER: RwLock<Option<Printer>> = RwLock::new(None);
    &PRINTER
}

/// Sends the lines [`print()`] formats to `printer` (`None`: standard output, the default), for
/// the whole process; returns the previous printer.
pub fn set_printer(printer: Option<Printer>) -> Option<Printer> {
    let mut current = self::printer()
        .write()
        .unwrap_or_else(|poison| poison.into_inner());
    std::mem::replace(&mut *current, printer)
}

/// Calls `f` on the host with the values of `args`, for its side effects (JAX's
/// `jax.debug.callback`): at once when called eagerly, whenever the compiled program runs
/// under `jit`, once per example under `vmap`, and with the primal values under
/// differentiation.
pub fn callback<F>(f: F, args: &[&Array]) -> Result<()>
where
    F: Fn(&[Array]) -> Result<()> + Send + Sync + 'static,
{
    let callback = Callback::new(move |args: &[Array]| f(args).map(|()| Vec::new()));
    bind_debug(callback, args)
}

/// Prints `fmt` with the runtime values of `args` (JAX's `jax.debug.print`): `{}` takes the
/// next argument, `{N}` argument `N`, `{{` and `}}` are braces; each value is shown as JAX's
/// `str` shows arrays (`[1. 2. 3.]`). Works as [`callback`] does: eagerly, under `jit`,
/// `vmap` (one line per example) and differentiation (the primal values).
///
/// ```
/// let x = rjax::Array::from([1.0f32, 2.0]);
/// rjax::debug::print("x = {}", &[&x])?;   // x = [1. 2.]
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn print(fmt: &str, args: &[&Array]) -> Result<()> {
    print_named(fmt, args, &[])
}

/// [`print()`] with named arguments too: `{name}` takes the array named `name` in `named`.
///
/// ```
/// let (x, y) = (rjax::Array::from(1.0f32), rjax::Array::from(2i32));
/// rjax::debug::print_named("{} and {y}", &[&x], &[("y", &y)])?;   // 1.0 and 2
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn print_named(fmt: &str, args: &[&Array], named: &[(&str, &Array)]) -> Result<()> {
    let names: Vec<&str> = named.iter().map(|(name, _)| *name).collect();
    let pieces = parse(fmt, args.len(), &names)?;
    // One callback per (format, names): re-tracing a print registers nothing new.
    static PRINTS: OnceLock<Mutex<PrintCallbacks>> = OnceLock::new();
    let key = (
        fmt.to_string(),
        names.iter().map(|name| name.to_string()).collect(),
    );
    let callback = PRINTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .entry(key)
        .or_insert_with(|| {
            Callback::named(
                format!("debug.print({fmt:?})"),
                move |values: &[Array]| {
                    emit(&render(&pieces, values));
                    Ok(Vec::new())
                },
            )
        })
        .clone();
    let all: Vec<&Array> = args
        .iter()
        .copied()
        .chain(named.iter().map(|(_, array)| *array))
        .collect();
    bind_debug(callback, &all)
}

/// The callbacks of [`print_named`], by format and names.
type PrintCallbacks = HashMap<(String, Vec<String>), Callback>;

fn bind_debug(callback: Callback, args: &[&Array]) -> Result<()> {
    let op = CallbackOp {
        callback,
        kind: CallbackKind::Debug,
        results: Vec::new(),
    };
    let args: Vec<Array> = args.iter().map(|&arg| arg.clone()).collect();
    bind(Primitive::HostCallback(op), &args).map(drop)
}

fn emit(line: &str) {
    let printer = printer()
        .read()
        .unwrap_or_else(|poison| poison.into_inner())
        .clone();
    match printer {
        Some(printer) => printer(line),
        None => println!("{line}"),
    }
}

/// A piece of a parsed format: text, or the index of an argument.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Arg(usize),
}

/// `fmt` as pieces; arguments are numbered positional first, then named.
fn parse(fmt: &str, positional: usize, names: &[&str]) -> Result<Vec<Piece>> {
    let error = |message: String| Error::invalid("debug.print", format!("{fmt:?}: {message}"));
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut next = 0;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '}' => return Err(error("a lone `}` (write `}}`)".to_string())),
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => field.push(c),
                        None => return Err(error("an unclosed `{`".to_string())),
                    }
                }
                let index = match field.parse::<usize>() {
                    _ if field.is_empty() => {
                        next += 1;
                        Some(next - 1)
                    }
                    Ok(index) => Some(index),
                    Err(_) => None,
                };
                let index = match index {
                    Some(index) if index < positional => index,
                    Some(index) => {
                        return Err(error(format!(
                            "argument {index} is missing ({positional} given)"
                        )));
                    }
                    None => {
                        let position = names.iter().position(|name| *name == field);
                        positional
                            + position.ok_or_else(|| error(format!("no argument `{field}`")))?
                    }
                };
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Arg(index));
            }
            c => text.push(c),
        }
    }
    pieces.push(Piece::Text(text));
    Ok(pieces)
}

fn render(pieces: &[Piece], values: &[Array]) -> String {
    let mut line = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => line.push_str(text),
            Piece::Arg(index) => {
                let _ = write!(line, "{}", values[*index]);
            }
        }
    }
    line
}
