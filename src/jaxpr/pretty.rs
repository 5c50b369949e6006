//! The jaxpr pretty-printer, in JAX's syntax and layout:
//! `{ lambda a:f32[3]; b:f32[]. let c:f32[3] = mul a b in (c,) }` on one line when it fits in
//! 80 columns, otherwise one equation per line; long parameter lists and nested jaxprs break
//! the same way.

use std::collections::HashMap;
use std::fmt;

use super::{Atom, Eqn, Jaxpr, Literal, Var};
use crate::DType;
use crate::core::Primitive;

/// The width JAX's printer fits lines into.
const WIDTH: usize = 80;

/// Names variables `a`, `b`, ..., `z`, `ba`, `bb`, ... in order of first appearance; each
/// jaxpr, nested ones included, names its own variables from `a`.
#[derive(Default)]
struct Names(HashMap<usize, String>);

impl Names {
    fn name(&mut self, var: &Var) -> String {
        let next = self.0.len();
        self.0
            .entry(var.id)
            .or_insert_with(|| letters(next))
            .clone()
    }

    fn binder(&mut self, var: &Var) -> String {
        format!("{}:{}", self.name(var), var.aval)
    }

    fn atom(&mut self, atom: &Atom) -> String {
        match atom {
            Atom::Var(var) => self.name(var),
            Atom::Literal(literal) => format!("{}:{}", literal_value(literal), literal.aval),
        }
    }
}

/// JAX's variable names: `a`..`z`, then `ba`, `bb`, ... (base 26 where a leading `a` is
/// dropped).
fn letters(mut index: usize) -> String {
    let mut text = Vec::new();
    loop {
        text.push(b'a' + (index % 26) as u8);
        index /= 26;
        if index == 0 {
            break;
        }
    }
    text.reverse();
    String::from_utf8(text).expect("ASCII letters")
}

/// A literal's value as Python prints it (`2.0`, `3`, `True`).
fn literal_value(literal: &Literal) -> String {
    let mut word = [0u8; 8];
    let n = literal.bytes.len().min(8);
    word[..n].copy_from_slice(&literal.bytes[..n]);
    let bits = u64::from_le_bytes(word);
    let float = |value: f64| format!("{value:?}").replace("NaN", "nan");
    match literal.aval.dtype {
        DType::Bool => (if bits & 1 == 1 { "True" } else { "False" }).to_string(),
        DType::I8 => (bits as u8 as i8).to_string(),
        DType::I16 => (bits as u16 as i16).to_string(),
        DType::I32 => (bits as u32 as i32).to_string(),
        DType::I64 => (bits as i64).to_string(),
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => bits.to_string(),
        DType::F16 => float(f64::from(half::f16::from_bits(bits as u16))),
        DType::BF16 => float(f64::from(half::bf16::from_bits(bits as u16))),
        DType::F32 => float(f64::from(f32::from_bits(bits as u32))),
        DType::F64 => float(f64::from_bits(bits)),
        DType::C64 => format!(
            "({}+{}j)",
            float(f32::from_bits(bits as u32).into()),
            float(f32::from_bits((bits >> 32) as u32).into())
        ),
        DType::C128 => "complex".to_string(),
        DType::Key(_) => unreachable!("key arrays are never literals"),
    }
}

/// The text of `jaxpr`, its continuation lines indented by `indent`; it goes on one line when
/// that fits in `width` columns.
fn jaxpr_text(jaxpr: &Jaxpr, indent: usize, width: usize) -> String {
    let mut names = Names::default();
    let constvars: Vec<String> = jaxpr.constvars.iter().map(|v| names.binder(v)).collect();
    let invars: Vec<String> = jaxpr.invars.iter().map(|v| names.binder(v)).collect();
    let header = format!(
        "{{ lambda {}; {}. let",
        constvars.join(" "),
        invars.join(" ")
    );
    let eqns: Vec<String> = jaxpr
        .eqns
        .iter()
        .map(|eqn| eqn_text(eqn, &mut names, indent + 4))
        .collect();
    let outputs: Vec<String> = jaxpr.outvars.iter().map(|a| names.atom(a)).collect();
    let outputs = match outputs.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", outputs.join(", ")),
    };
    let one_line = format!("{header} {} in {outputs} }}", eqns.join("; "));
    if indent + one_line.len() <= width && !one_line.contains('\n') {
        return one_line;
    }
    let pad = " ".repeat(indent);
    let mut text = header;
    for eqn in eqns {
        text.push_str(&format!("\n{pad}    {eqn}"));
    }
    text.push_str(&format!("\n{pad}  in {outputs} }}"));
    text
}

/// The text of one equation starting at column `indent`.
fn eqn_text(eqn: &Eqn, names: &mut Names, indent: usize) -> String {
    let inputs: Vec<String> = eqn.inputs.iter().map(|a| names.atom(a)).collect();
    let outputs: Vec<String> = eqn.outputs.iter().map(|v| names.binder(v)).collect();
    let mut params = eqn.primitive.params_text();
    if let Primitive::Call { jaxpr, .. } = &eqn.primitive {
        // Indented relative to the parameter's column, which the layout below adds.
        let column = indent + 2;
        params.push(format!(
            "jaxpr={}",
            jaxpr_text(&jaxpr.0, "jaxpr=".len(), WIDTH.saturating_sub(column))
        ));
    }
    let lhs = format!("{} = {}", outputs.join(" "), eqn.primitive.name());
    let rhs = if inputs.is_empty() {
        String::new()
    } else {
        format!(" {}", inputs.join(" "))
    };
    if params.is_empty() {
        return format!("{lhs}{rhs}");
    }
    let one_line = format!("{lhs}[{}]{rhs}", params.join(" "));
    if indent + one_line.len() <= WIDTH && !one_line.contains('\n') {
        return one_line;
    }
    let pad = " ".repeat(indent);
    // A multi-line parameter (a nested jaxpr) continues at the parameter's column.
    let params: String = params
        .iter()
        .map(|p| format!("\n{pad}  {}", p.replace('\n', &format!("\n{pad}  "))))
        .collect();
    format!("{lhs}[{params}\n{pad}]{rhs}")
}

impl fmt::Display for Jaxpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&jaxpr_text(self, 0, WIDTH))
    }
}

#[cfg(test)]
mod tests {
    use super::letters;

    #[test]
    fn variable_names_follow_jax() {
        assert_eq!(letters(0), "a");
        assert_eq!(letters(25), "z");
        assert_eq!(letters(26), "ba");
        assert_eq!(letters(27), "bb");
    }
}
