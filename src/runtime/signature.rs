//! The parameter types of a StableHLO program's `main`, read from its text.
//!
//! PJRT's C API has no query for an executable's parameter shapes, and the CPU plugin runs a
//! program on an argument of another dtype with the same byte size (an `i32[3]` as an
//! `f32[3]`) without complaint. So the runtime reads `main`'s signature from the program text
//! when compiling and checks every argument against it before executing.

use crate::DType;

/// The type of one parameter: its dtype and dimensions.
pub(crate) type ParameterType = (DType, Vec<usize>);

/// The parameter types of the public `@main` function of `program`, or `None` if the text is
/// not in a form this reader understands (bytecode, dynamic shapes, unknown element types);
/// arguments are then left for the plugin to check.
pub(crate) fn main_parameters(program: &str) -> Option<Vec<ParameterType>> {
    let start = program.find("@main(")? + "@main(".len();
    let arguments = &program[start..start + closing_paren(&program[start..])?];
    split_top_level(arguments)
        .into_iter()
        .filter(|argument| !argument.trim().is_empty())
        .map(|argument| {
            let (_, rest) = argument.split_once(':')?;
            parse_tensor_type(rest.trim_start())
        })
        .collect()
}

/// The byte offset of the `)` that closes the list starting at `text` (just after its `(`).
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for (offset, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '(' | '<' | '{' | '[' => depth += 1,
            ')' if depth == 0 => return Some(offset),
            ')' | '>' | '}' | ']' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// `text` split at the commas that are not nested in brackets or strings.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut in_string, mut start) = (0i32, false, 0);
    for (offset, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            _ if in_string => {}
            '(' | '<' | '{' | '[' => depth += 1,
            ')' | '>' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..offset]);
                start = offset + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Parses `tensor<2x3xf32>` (and what follows it, ignored) into (F32, [2, 3]).
fn parse_tensor_type(text: &str) -> Option<ParameterType> {
    let body = text.strip_prefix("tensor<")?;
    let body = &body[..closing_paren_angle(body)?];
    // An encoding such as `tensor<4xf32, #enc>` does not change the dtype or shape.
    let body = split_top_level(body)[0].trim();
    // Dimensions are leading `<digits>x` groups; the rest (`f32`, `complex<f64>`) is the
    // element type. A dynamic `?` dimension is not a digit group and fails the parse.
    let mut dims = Vec::new();
    let mut rest = body;
    while let Some((dim, tail)) = rest.split_once('x') {
        match dim.parse::<usize>() {
            Ok(dim) => dims.push(dim),
            Err(_) if dim.chars().all(|c| c.is_ascii_alphanumeric()) && !dim.contains('?') => break,
            Err(_) => return None,
        }
        rest = tail;
    }
    Some((element_type(rest)?, dims))
}

fn closing_paren_angle(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => return Some(offset),
            '>' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn element_type(name: &str) -> Option<DType> {
    Some(match name {
        "i1" => DType::Bool,
        "i8" => DType::I8,
        "i16" => DType::I16,
        "i32" => DType::I32,
        "i64" => DType::I64,
        "ui8" => DType::U8,
        "ui16" => DType::U16,
        "ui32" => DType::U32,
        "ui64" => DType::U64,
        "f16" => DType::F16,
        "bf16" => DType::BF16,
        "f32" => DType::F32,
        "f64" => DType::F64,
        "complex<f32>" => DType::C64,
        "complex<f64>" => DType::C128,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_parameters_of_main() {
        let program = r#"module @m {
  func.func private @helper(%a: tensor<7xi8>) -> tensor<7xi8> { return %a : tensor<7xi8> }
  func.func public @main(%arg0: tensor<2x3xf32> {mhlo.sharding = "{replicated}"}, %arg1: tensor<i1>,
      %arg2: tensor<0x4xcomplex<f64>>, %arg3: tensor<5xui16> {jax.buffer_donor = true}) -> tensor<2x3xf32> {
    return %arg0 : tensor<2x3xf32>
  }
}"#;
        assert_eq!(
            main_parameters(program).unwrap(),
            vec![
                (DType::F32, vec![2, 3]),
                (DType::Bool, vec![]),
                (DType::C128, vec![0, 4]),
                (DType::U16, vec![5]),
            ]
        );
    }

    #[test]
    fn no_parameters_and_unreadable_signatures() {
        assert_eq!(
            main_parameters("func.func @main() -> tensor<f32> {}").unwrap(),
            vec![]
        );
        assert_eq!(
            main_parameters("func.func @main(%x: tensor<?xf32>) -> tensor<f32>"),
            None
        );
        assert_eq!(
            main_parameters("func.func @main(%x: tensor<3xf8E4M3FN>) -> ()"),
            None
        );
        assert_eq!(main_parameters("ML\u{ef}R bytecode"), None);
    }
}
