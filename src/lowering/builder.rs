//! Writers for a StableHLO module and the functions in it.

use std::collections::HashMap;
use std::fmt::Write;

use super::tensor_type;
use crate::Result;
use crate::abstract_value::ShapedArray;

/// The module being written: its private functions (lowered sub-jaxprs), each emitted once.
#[derive(Default)]
pub(crate) struct ModuleBuilder {
    private_functions: Vec<String>,
    /// Private function names by the identity of the jaxpr they lower.
    lowered: HashMap<usize, String>,
    /// The channel ids handed out so far.
    channels: usize,
    /// The private functions named so far.
    functions: usize,
}

impl ModuleBuilder {
    /// The name of the private function lowering the jaxpr identified by `key`, writing it with
    /// `write` the first time.
    pub(crate) fn private_function(
        &mut self,
        key: usize,
        base_name: &str,
        write: impl FnOnce(&mut ModuleBuilder, &str) -> Result<String>,
    ) -> Result<String> {
        if let Some(name) = self.lowered.get(&key) {
            return Ok(name.clone());
        }
        // The number is taken before `write` runs, since writing may name the functions it
        // calls first.
        self.functions += 1;
        let name = format!("{}_{}", symbol_name(base_name, "f"), self.functions - 1);
        let text = write(self, &name)?;
        self.private_functions.push(text);
        self.lowered.insert(key, name.clone());
        Ok(name)
    }

    /// A fresh channel id for a collective (unique within the module, as XLA requires).
    pub(crate) fn next_channel(&mut self) -> usize {
        self.channels += 1;
        self.channels
    }

    /// The whole module, with `main` first, for `num_partitions` SPMD partitions.
    pub(crate) fn finish(self, name: &str, main: String, num_partitions: usize) -> String {
        let mut text = format!(
            "module @{} attributes {{mhlo.num_partitions = {num_partitions} : i32, mhlo.num_replicas = 1 : i32}} {{\n",
            symbol_name(name, "f")
        );
        text.push_str(&main);
        for function in self.private_functions {
            text.push_str(&function);
        }
        text.push_str("}\n");
        text
    }
}

/// An MLIR symbol name made of `name`'s letters, digits and underscores (others become `_`),
/// or `fallback` when `name` is empty.
pub(crate) fn symbol_name(name: &str, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        fallback.to_string()
    } else {
        cleaned
    }
}

/// The body of one function being written: SSA values are `%0`, `%1`, ... and block
/// arguments `%argN`.
pub(crate) struct FunctionBuilder<'m> {
    pub(crate) module: &'m mut ModuleBuilder,
    body: String,
    next_value: usize,
    depth: usize,
}

impl<'m> FunctionBuilder<'m> {
    pub(crate) fn new(module: &'m mut ModuleBuilder) -> Self {
        FunctionBuilder {
            module,
            body: String::new(),
            next_value: 0,
            depth: 2,
        }
    }

    fn fresh(&mut self) -> String {
        let name = format!("%{}", self.next_value);
        self.next_value += 1;
        name
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.body.push_str("  ");
        }
        self.body.push_str(text);
        self.body.push('\n');
    }

    /// Emits a single-result op and returns its value.
    pub(crate) fn op(
        &mut self,
        name: &str,
        operands: &[String],
        operand_types: &[ShapedArray],
        result_types: &[ShapedArray],
        attributes: &str,
    ) -> String {
        self.op_with_regions(name, operands, operand_types, result_types, attributes, &[])
            .swap_remove(0)
    }

    /// Emits an op with any number of results and regions (region texts from
    /// [`Self::region`]), returning its result values.
    pub(crate) fn op_with_regions(
        &mut self,
        name: &str,
        operands: &[String],
        operand_types: &[ShapedArray],
        result_types: &[ShapedArray],
        attributes: &str,
        regions: &[String],
    ) -> Vec<String> {
        let result = self.fresh();
        let mut text = String::new();
        match result_types.len() {
            0 => {}
            1 => write!(text, "{result} = ").expect("writing to a String"),
            n => write!(text, "{result}:{n} = ").expect("writing to a String"),
        }
        write!(text, "\"{name}\"({})", operands.join(", ")).expect("writing to a String");
        if !regions.is_empty() {
            write!(text, " ({})", regions.join(", ")).expect("writing to a String");
        }
        if !attributes.is_empty() {
            write!(text, " {{{attributes}}}").expect("writing to a String");
        }
        write!(text, " : {}", function_type(operand_types, result_types))
            .expect("writing to a String");
        self.line(&text);
        match result_types.len() {
            1 => vec![result],
            n => (0..n).map(|i| format!("{result}#{i}")).collect(),
        }
    }

    /// A constant of type `aval` with the MLIR literal `literal` (e.g. `dense<0x3F800000>`).
    pub(crate) fn constant(&mut self, aval: &ShapedArray, literal: &str) -> String {
        let attributes = format!("value = {literal} : {}", tensor_type(aval));
        self.op(
            "stablehlo.constant",
            &[],
            &[],
            std::slice::from_ref(aval),
            &attributes,
        )
    }

    /// The text of a one-block region whose arguments have `arg_types`; `body` emits its ops and
    /// returns the values the region yields with `stablehlo.return`.
    pub(crate) fn region(
        &mut self,
        arg_types: &[ShapedArray],
        body: impl FnOnce(&mut Self, &[String]) -> Result<Vec<(String, ShapedArray)>>,
    ) -> Result<String> {
        let outer = std::mem::take(&mut self.body);
        let args: Vec<String> = arg_types.iter().map(|_| self.fresh()).collect();
        let header: Vec<String> = args
            .iter()
            .zip(arg_types)
            .map(|(arg, aval)| format!("{arg}: {}", tensor_type(aval)))
            .collect();
        self.depth += 1;
        self.line(&format!("^bb0({}):", header.join(", ")));
        self.depth += 1;
        let yielded = body(self, &args);
        if let Ok(yielded) = &yielded {
            let (values, types): (Vec<String>, Vec<ShapedArray>) = yielded.iter().cloned().unzip();
            let text = format!(
                "\"stablehlo.return\"({}) : {}",
                values.join(", "),
                function_type(&types, &[])
            );
            self.line(&text);
        }
        self.depth -= 2;
        let inner = std::mem::replace(&mut self.body, outer);
        yielded?;
        let mut indent = String::new();
        for _ in 0..self.depth {
            indent.push_str("  ");
        }
        Ok(format!("{{\n{inner}{indent}}}"))
    }

    /// The function's text: `func.func <visibility> @name(args) -> results { body; return }`;
    /// each parameter and result carries its attributes (`a = b, c = d`; empty: none).
    pub(crate) fn finish(
        mut self,
        visibility: &str,
        name: &str,
        params: &[(String, ShapedArray, String)],
        results: &[(String, ShapedArray, String)],
    ) -> String {
        let values: Vec<&str> = results.iter().map(|(value, _, _)| value.as_str()).collect();
        let returned: Vec<String> = results
            .iter()
            .map(|(_, aval, _)| tensor_type(aval))
            .collect();
        self.line(&format!(
            "\"func.return\"({}) : ({}) -> ()",
            values.join(", "),
            returned.join(", ")
        ));
        let with_attributes = |ty: String, attributes: &str| {
            if attributes.is_empty() {
                ty
            } else {
                format!("{ty} {{{attributes}}}")
            }
        };
        let header: Vec<String> = params
            .iter()
            .map(|(arg, aval, attributes)| {
                format!("{arg}: {}", with_attributes(tensor_type(aval), attributes))
            })
            .collect();
        let result_types: Vec<String> = results
            .iter()
            .map(|(_, aval, attributes)| with_attributes(tensor_type(aval), attributes))
            .collect();
        format!(
            "  func.func {visibility} @{name}({}) -> ({}) {{\n{}  }}\n",
            header.join(", "),
            result_types.join(", "),
            self.body
        )
    }
}

/// `(operand types) -> result type(s)`.
fn function_type(operands: &[ShapedArray], results: &[ShapedArray]) -> String {
    let operands: Vec<String> = operands.iter().map(tensor_type).collect();
    let results: Vec<String> = results.iter().map(tensor_type).collect();
    match results.as_slice() {
        [one] => format!("({}) -> {one}", operands.join(", ")),
        _ => format!("({}) -> ({})", operands.join(", "), results.join(", ")),
    }
}
