//! Lowering to StableHLO text (JAX's `interpreters/mlir.py`).
//!
//! Ops are printed in MLIR's *generic* form — quoted name, operands, attribute dictionary, and
//! an explicit function type — so no per-op syntax is needed and the printer never infers a
//! type: every type comes from abstract evaluation. Floats are printed as hex bit patterns, so
//! every value (NaN payloads, -0.0, subnormals) is exact.

mod builder;
mod identity_products;
mod lower_jaxpr;

pub(crate) use builder::{FunctionBuilder, ModuleBuilder, symbol_name};
pub(crate) use lower_jaxpr::{MainOptions, lower_function, lower_jaxpr_to_module};

use crate::DType;
use crate::abstract_value::ShapedArray;

/// The MLIR tensor type of `aval`, e.g. `tensor<2x3xf32>` or `tensor<i1>`; an array of PRNG
/// keys has its physical type (`key<fry>[3]` is `tensor<3x2xui32>`).
pub(crate) fn tensor_type(aval: &ShapedArray) -> String {
    let aval = &aval.physical();
    let mut text = String::from("tensor<");
    for dim in &aval.shape {
        text.push_str(&dim.to_string());
        text.push('x');
    }
    text.push_str(aval.dtype.mlir_name());
    text.push('>');
    text
}

/// An `array<i64: ...>` attribute.
pub(crate) fn i64_array(values: &[usize]) -> String {
    let items: Vec<String> = values.iter().map(usize::to_string).collect();
    if items.is_empty() {
        "array<i64>".to_string()
    } else {
        format!("array<i64: {}>", items.join(", "))
    }
}

/// A dense splat literal of one element given as little-endian bytes, e.g. `dense<0x3F800000>`
/// for 1.0f32 or `dense<-3>` for an integer.
pub(crate) fn dense_scalar(dtype: DType, bytes: &[u8]) -> String {
    let mut word = [0u8; 16];
    word[..bytes.len()].copy_from_slice(bytes);
    let low = u64::from_le_bytes(word[..8].try_into().expect("8 bytes"));
    let high = u64::from_le_bytes(word[8..].try_into().expect("8 bytes"));
    let value = match dtype {
        DType::Bool => (if low & 1 == 1 { "true" } else { "false" }).to_string(),
        DType::I8 => (low as u8 as i8).to_string(),
        DType::I16 => (low as u16 as i16).to_string(),
        DType::I32 => (low as u32 as i32).to_string(),
        DType::I64 => (low as i64).to_string(),
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => low.to_string(),
        DType::F16 | DType::BF16 => format!("0x{:04X}", low as u16),
        DType::F32 => format!("0x{:08X}", low as u32),
        DType::F64 => format!("0x{low:016X}"),
        DType::C64 => format!("(0x{:08X}, 0x{:08X})", low as u32, (low >> 32) as u32),
        DType::C128 => format!("(0x{low:016X}, 0x{high:016X})"),
        DType::Key(_) => unreachable!("key arrays are never literals"),
    };
    format!("dense<{value}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_literals_print_as_mlir_expects() {
        assert_eq!(
            tensor_type(&ShapedArray::new(vec![2, 3], DType::F32)),
            "tensor<2x3xf32>"
        );
        assert_eq!(
            tensor_type(&ShapedArray::new(vec![], DType::Bool)),
            "tensor<i1>"
        );
        assert_eq!(
            tensor_type(&ShapedArray::new(vec![0], DType::U8)),
            "tensor<0xui8>"
        );
        assert_eq!(i64_array(&[1, 0]), "array<i64: 1, 0>");
        assert_eq!(i64_array(&[]), "array<i64>");
        assert_eq!(
            dense_scalar(DType::F32, &1.0f32.to_le_bytes()),
            "dense<0x3F800000>"
        );
        assert_eq!(
            dense_scalar(DType::F64, &(-0.0f64).to_le_bytes()),
            "dense<0x8000000000000000>"
        );
        assert_eq!(
            dense_scalar(DType::I32, &(-3i32).to_le_bytes()),
            "dense<-3>"
        );
        assert_eq!(
            dense_scalar(DType::U64, &u64::MAX.to_le_bytes()),
            "dense<18446744073709551615>"
        );
        assert_eq!(dense_scalar(DType::Bool, &[1]), "dense<true>");
    }
}
