//! Host scalars: Rust numbers on their way into arrays and jaxpr literals, converted to any
//! dtype's bytes with NumPy's `astype` semantics.

use half::{bf16, f16};

use crate::DType;

/// A Rust number, before it has a dtype.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A real number.
    Float(f64),
}

impl Scalar {
    /// The value of one element of `dtype` stored as `bytes` (complex numbers keep their real
    /// part, as NumPy's cast to a real type does).
    pub(crate) fn from_bytes(dtype: DType, bytes: &[u8]) -> Scalar {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        let bits = u64::from_le_bytes(word);
        match dtype {
            DType::Bool => Scalar::Bool(bits & 0xff != 0),
            DType::I8 => Scalar::Int((bits as u8 as i8).into()),
            DType::I16 => Scalar::Int((bits as u16 as i16).into()),
            DType::I32 => Scalar::Int((bits as u32 as i32).into()),
            DType::I64 => Scalar::Int(bits as i64),
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => Scalar::UInt(bits),
            DType::F16 => Scalar::Float(f16::from_bits(bits as u16).into()),
            DType::BF16 => Scalar::Float(bf16::from_bits(bits as u16).into()),
            DType::F32 | DType::C64 => Scalar::Float(f32::from_bits(bits as u32).into()),
            DType::F64 | DType::C128 => Scalar::Float(f64::from_bits(bits)),
            DType::Key(_) => unreachable!("a PRNG key is not a number"),
        }
    }

    /// The little-endian bytes of this value converted to `dtype` (floats truncate toward zero
    /// into integers, integers wrap into narrower ones, nonzero is `true`).
    pub(crate) fn to_bytes(self, dtype: DType) -> Vec<u8> {
        let (as_f64, as_i64, as_u64, as_bool) = match self {
            Scalar::Bool(b) => (f64::from(u8::from(b)), i64::from(b), u64::from(b), b),
            Scalar::Int(i) => (i as f64, i, i as u64, i != 0),
            Scalar::UInt(u) => (u as f64, u as i64, u, u != 0),
            Scalar::Float(x) => (x, x as i64, x as u64, x != 0.0),
        };
        match dtype {
            DType::Bool => vec![u8::from(as_bool)],
            DType::I8 => (as_i64 as i8).to_le_bytes().to_vec(),
            DType::I16 => (as_i64 as i16).to_le_bytes().to_vec(),
            DType::I32 => (as_i64 as i32).to_le_bytes().to_vec(),
            DType::I64 => as_i64.to_le_bytes().to_vec(),
            DType::U8 => (as_u64 as u8).to_le_bytes().to_vec(),
            DType::U16 => (as_u64 as u16).to_le_bytes().to_vec(),
            DType::U32 => (as_u64 as u32).to_le_bytes().to_vec(),
            DType::U64 => as_u64.to_le_bytes().to_vec(),
            DType::F16 => f16::from_f64(as_f64).to_le_bytes().to_vec(),
            DType::BF16 => bf16::from_f64(as_f64).to_le_bytes().to_vec(),
            DType::F32 => (as_f64 as f32).to_le_bytes().to_vec(),
            DType::F64 => as_f64.to_le_bytes().to_vec(),
            DType::C64 => [(as_f64 as f32).to_le_bytes(), 0f32.to_le_bytes()].concat(),
            DType::C128 => [as_f64.to_le_bytes(), 0f64.to_le_bytes()].concat(),
            DType::Key(_) => unreachable!("a number is not a PRNG key"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_numpy_astype() {
        assert_eq!(
            Scalar::Float(-2.7).to_bytes(DType::I32),
            (-2i32).to_le_bytes()
        );
        assert_eq!(Scalar::Int(300).to_bytes(DType::U8), [44]);
        assert_eq!(Scalar::Float(0.5).to_bytes(DType::Bool), [1]);
        assert_eq!(Scalar::Int(3).to_bytes(DType::F32), 3.0f32.to_le_bytes());
        assert_eq!(
            Scalar::Bool(true).to_bytes(DType::F64),
            1.0f64.to_le_bytes()
        );
        assert_eq!(
            Scalar::Float(1.0).to_bytes(DType::BF16),
            bf16::ONE.to_le_bytes()
        );
    }
}
