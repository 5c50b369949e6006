//! The jaxpr pretty-printer, in JAX's syntax:
//! `{ lambda a:f32[3]; b:f32[]. let c:f32[3] = mul a b in (c,) }`.

use std::collections::HashMap;
use std::fmt;

use super::{Atom, Jaxpr, Literal, Var};
use crate::DType;

/// Names variables `a`, `b`, ..., `z`, `ba`, `bb`, ... in order of first appearance.
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

/// JAX's variable names: base-26 with digits `a`..`z`, where the leading digit starts at `a`
/// for one-letter names and at `b` for longer ones (`z`, then `ba`).
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
        DType::C64 | DType::C128 => "complex".to_string(),
    }
}

impl Jaxpr {
    fn write(&self, names: &mut Names, indent: usize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pad = " ".repeat(indent);
        let constvars: Vec<String> = self.constvars.iter().map(|v| names.binder(v)).collect();
        let invars: Vec<String> = self.invars.iter().map(|v| names.binder(v)).collect();
        write!(
            f,
            "{{ lambda {}; {}. let",
            constvars.join(" "),
            invars.join(" ")
        )?;
        for eqn in &self.eqns {
            let inputs: Vec<String> = eqn.inputs.iter().map(|a| names.atom(a)).collect();
            let outputs: Vec<String> = eqn.outputs.iter().map(|v| names.binder(v)).collect();
            write!(
                f,
                "\n{pad}    {} = {}",
                outputs.join(" "),
                eqn.primitive.name()
            )?;
            if let crate::core::Primitive::Call { jaxpr, name } = &eqn.primitive {
                write!(f, "[\n{pad}      name={name}\n{pad}      jaxpr=")?;
                jaxpr.0.write(names, indent + 6, f)?;
                write!(f, "\n{pad}    ]")?;
            } else {
                let params = eqn.primitive.params_text();
                if !params.is_empty() {
                    write!(f, "[{params}]")?;
                }
            }
            if !inputs.is_empty() {
                write!(f, " {}", inputs.join(" "))?;
            }
        }
        let outputs: Vec<String> = self.outvars.iter().map(|a| names.atom(a)).collect();
        let outputs = match outputs.as_slice() {
            [one] => format!("({one},)"),
            _ => format!("({})", outputs.join(", ")),
        };
        write!(f, "\n{pad}  in {outputs} }}")
    }
}

impl fmt::Display for Jaxpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(&mut Names::default(), 0, f)
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
