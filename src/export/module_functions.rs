//! The functions of an exported module's MLIR text, and their renaming into another module.
//!
//! [`ModuleFunctions::parse`] reads the top level of a module (`module @name attributes {...}
//! { func.func ... }`) into its functions, by their text; anything else at the top level
//! (globals, nested modules, quoted symbol names) makes it decline, and the caller runs the
//! module as its own executable instead. [`ModuleFunctions::renamed`] writes every function
//! as a private function of the enclosing module: `main` under the name the caller chose, the
//! others under that name, a `.` and their own name (`f_3.f_0`). rjax's lowering never puts a
//! `.` in a symbol, so the names cannot collide with the enclosing module's, nor with another
//! inlined module's (each gets its own unique name). References (`@f_0`) outside string
//! literals are renamed with them.

use std::collections::HashMap;
use std::fmt::Write;

/// One top-level function of a module.
struct Function {
    /// Its symbol name.
    name: String,
    /// Its text after the name: signature, attributes and body.
    rest: String,
}

/// The top-level functions of a module's text; `main` among them.
pub(crate) struct ModuleFunctions {
    functions: Vec<Function>,
    main: usize,
}

impl ModuleFunctions {
    /// The functions of `text`, or `None` when it is not a module of functions only (with a
    /// public `main`) that this reader understands.
    pub(crate) fn parse(text: &str) -> Option<ModuleFunctions> {
        let mut c = Cursor { text, pos: 0 };
        c.skip_ws();
        c.eat("module").then_some(())?;
        c.skip_ws();
        if c.peek() == Some(b'@') {
            c.symbol()?;
            c.skip_ws();
        }
        if c.eat("attributes") {
            c.skip_ws();
            c.balanced(b'{', b'}')?;
            c.skip_ws();
        }
        c.eat("{").then_some(())?;
        let mut functions = Vec::new();
        loop {
            c.skip_ws();
            if c.eat("}") {
                break;
            }
            c.eat("func.func").then_some(())?;
            c.skip_ws();
            if c.peek() != Some(b'@') {
                c.word()?; // the visibility
                c.skip_ws();
            }
            let name = c.symbol()?.to_string();
            let start = c.pos;
            c.function_rest()?;
            functions.push(Function {
                name,
                rest: text[start..c.pos].to_string(),
            });
        }
        c.skip_ws();
        if c.pos != text.len() {
            return None;
        }
        let main = functions.iter().position(|f| f.name == "main")?;
        Some(ModuleFunctions { functions, main })
    }

    /// Whether `main`'s first parameter is 64-bit (`tensor<i64>`): the type of a platform
    /// index argument.
    pub(crate) fn main_first_param_is_i64(&self) -> bool {
        let rest = self.functions[self.main].rest.trim_start();
        let params = rest.strip_prefix('(').unwrap_or(rest);
        let first = params.split([',', ')']).next().unwrap_or("");
        first.contains("tensor<i64>")
    }

    /// Every function as a private function text, `main` named `callee` and the others
    /// `callee.name`, with their references renamed.
    pub(crate) fn renamed(&self, callee: &str) -> String {
        let names: HashMap<&str, String> = self
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = if i == self.main {
                    callee.to_string()
                } else {
                    format!("{callee}.{}", f.name)
                };
                (f.name.as_str(), name)
            })
            .collect();
        let mut out = String::new();
        for f in &self.functions {
            writeln!(
                out,
                "  func.func private @{}{}",
                names[f.name.as_str()],
                rename_references(&f.rest, &names)
            )
            .expect("writing to a String");
        }
        out
    }
}

/// `text` with each `@symbol` outside string literals that `names` maps renamed.
fn rename_references(text: &str, names: &HashMap<&str, String>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'@' => {
                let start = i + 1;
                let end = start + bytes[start..].iter().take_while(|&&b| is_id(b)).count();
                if let Some(new) = names.get(&text[start..end]) {
                    out.push_str(&text[copied..start]);
                    out.push_str(new);
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The index just past the string literal starting at `start` (a `"`), escapes included.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Whether `b` may continue a bare MLIR identifier.
fn is_id(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.')
}

/// A reading position in a module's text.
struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t [u8] {
        &self.text.as_bytes()[self.pos..]
    }

    fn peek(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    fn skip_ws(&mut self) {
        self.pos += self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    }

    /// Consumes `word` if the text continues with it.
    fn eat(&mut self, word: &str) -> bool {
        let found = self.rest().starts_with(word.as_bytes());
        if found {
            self.pos += word.len();
        }
        found
    }

    /// A bare word (letters, digits, `_`, `$`, `.`).
    fn word(&mut self) -> Option<&'t str> {
        let n = self.rest().iter().take_while(|&&b| is_id(b)).count();
        (n > 0).then(|| {
            let word = &self.text[self.pos..self.pos + n];
            self.pos += n;
            word
        })
    }

    /// `@name`, bare (quoted names are declined).
    fn symbol(&mut self) -> Option<&'t str> {
        self.eat("@").then_some(())?;
        self.word()
    }

    /// Skips a group opened by `open` (the next byte) up to its matching `close`, with the
    /// string literals in it.
    fn balanced(&mut self, open: u8, close: u8) -> Option<()> {
        if self.peek() != Some(open) {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = self.pos;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    i = string_end(bytes, i);
                    continue;
                }
                b if b == open => depth += 1,
                b if b == close => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Skips a function after its name: `(params) [-> results] [attributes {...}] {body}`.
    fn function_rest(&mut self) -> Option<()> {
        self.balanced(b'(', b')')?;
        self.skip_ws();
        if self.eat("->") {
            self.skip_ws();
            if self.peek() == Some(b'(') {
                self.balanced(b'(', b')')?;
            } else {
                self.single_type()?;
            }
            self.skip_ws();
        }
        if self.eat("attributes") {
            self.skip_ws();
            self.balanced(b'{', b'}')?;
            self.skip_ws();
        }
        self.balanced(b'{', b'}')
    }

    /// Skips one type (`tensor<2x3xf32>`), up to white space or `{` outside `<...>`.
    fn single_type(&mut self) -> Option<()> {
        let mut depth = 0usize;
        let start = self.pos;
        while let Some(b) = self.peek() {
            match b {
                b'<' => depth += 1,
                b'>' if depth > 0 => depth -= 1,
                b'{' if depth == 0 => break,
                b if b.is_ascii_whitespace() && depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r#"module @f attributes {jax.uses_shape_polymorphism = false, mhlo.num_partitions = 1 : i32} {
  func.func public @main(%arg0: tensor<i32> {jax.global_constant = "_platform_index"}, %arg1: tensor<3xf32>) -> (tensor<3xf32> {jax.result_info = "result[@main]"}) {
    %0 = "func.call"(%arg1) {callee = @f_0} : (tensor<3xf32>) -> tensor<3xf32>
    "func.return"(%0) : (tensor<3xf32>) -> ()
  }
  func.func private @f_0(%arg0: tensor<3xf32>) -> tensor<3xf32> {
    %0 = "stablehlo.sine"(%arg0) : (tensor<3xf32>) -> tensor<3xf32>
    "func.return"(%0) : (tensor<3xf32>) -> ()
  }
}
"#;

    #[test]
    fn functions_are_renamed_privately_outside_strings() {
        let functions = ModuleFunctions::parse(MODULE).expect("a module of functions");
        assert!(!functions.main_first_param_is_i64());
        let text = functions.renamed("g_4");
        assert!(text.contains("func.func private @g_4(%arg0: tensor<i32>"));
        assert!(text.contains("{callee = @g_4.f_0}"));
        assert!(text.contains("func.func private @g_4.f_0(%arg0"));
        // Inside a string literal, `@main` is text, not a reference.
        assert!(text.contains("\"result[@main]\""));
        assert!(!text.contains("public"));
        assert_eq!(text.matches("func.func").count(), 2);
    }

    #[test]
    fn other_top_level_content_is_declined() {
        assert!(ModuleFunctions::parse("ML\u{ef}R bytecode").is_none());
        let global = MODULE.replacen(
            "{\n  func.func",
            "{\n  ml_program.global @x\n  func.func",
            1,
        );
        assert!(ModuleFunctions::parse(&global).is_none());
        let quoted = MODULE.replace("@f_0", "@\"f 0\"");
        assert!(ModuleFunctions::parse(&quoted).is_none());
        let no_main = MODULE.replace("@main", "@other");
        assert!(ModuleFunctions::parse(&no_main).is_none());
    }
}
