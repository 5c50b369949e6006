//! The human-readable form of an array's elements: JSON-friendly values, converted exactly
//! to and from the little-endian bytes of each dtype.

use std::fmt;

use half::{bf16, f16};
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DType;

/// One element in a human-readable format.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value {
    Bool(bool),
    Int(i64),
    UInt(u64),
    /// A real number; non-finite ones are written as strings.
    Float(f64),
    /// A complex number as `[re, im]`.
    Complex(f64, f64),
}

/// A float as a JSON number, or `"nan"`, `"inf"`, `"-inf"`.
fn serialize_float<S: Serializer>(x: f64, serializer: S) -> Result<S::Ok, S::Error> {
    match x {
        x if x.is_nan() => serializer.serialize_str("nan"),
        f64::INFINITY => serializer.serialize_str("inf"),
        f64::NEG_INFINITY => serializer.serialize_str("-inf"),
        x => serializer.serialize_f64(x),
    }
}

/// A float given as a non-finite's name.
fn float_named(name: &str) -> Option<f64> {
    match name.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

struct Float(f64);

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_float(self.0, serializer)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::Bool(b) => serializer.serialize_bool(b),
            Value::Int(i) => serializer.serialize_i64(i),
            Value::UInt(u) => serializer.serialize_u64(u),
            Value::Float(x) => serialize_float(x, serializer),
            Value::Complex(re, im) => {
                let mut pair = serializer.serialize_tuple(2)?;
                pair.serialize_element(&Float(re))?;
                pair.serialize_element(&Float(im))?;
                pair.end()
            }
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean, a number, \"nan\", \"inf\", \"-inf\" or a pair [re, im]")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::UInt(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        float_named(v)
            .map(Value::Float)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut part = || -> Result<f64, A::Error> {
            let value = seq
                .next_element::<Value>()?
                .ok_or_else(|| de::Error::custom("a complex number needs two parts"))?;
            real(value).ok_or_else(|| de::Error::custom(format!("{value:?} is not a real number")))
        };
        let (re, im) = (part()?, part()?);
        if seq.next_element::<Value>()?.is_some() {
            return Err(de::Error::custom(
                "a complex number has two parts, not more",
            ));
        }
        Ok(Value::Complex(re, im))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// The value as a real number (integers are converted exactly when they can be).
fn real(value: Value) -> Option<f64> {
    match value {
        Value::Float(x) => Some(x),
        Value::Int(i) => Some(i as f64),
        Value::UInt(u) => Some(u as f64),
        Value::Bool(_) | Value::Complex(..) => None,
    }
}

/// The element of `dtype` stored as `bytes` (little-endian), as a readable value.
pub(super) fn to_value(dtype: DType, bytes: &[u8]) -> Value {
    let word = |n: usize| {
        let mut buffer = [0u8; 8];
        buffer[..n].copy_from_slice(&bytes[..n]);
        u64::from_le_bytes(buffer)
    };
    let high = |n: usize| {
        let mut buffer = [0u8; 8];
        buffer[..n].copy_from_slice(&bytes[n..2 * n]);
        u64::from_le_bytes(buffer)
    };
    match dtype {
        DType::Bool => Value::Bool(bytes[0] != 0),
        DType::I8 => Value::Int((word(1) as u8 as i8).into()),
        DType::I16 => Value::Int((word(2) as u16 as i16).into()),
        DType::I32 => Value::Int((word(4) as u32 as i32).into()),
        DType::I64 => Value::Int(word(8) as i64),
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => {
            Value::UInt(word(dtype.size_in_bytes()))
        }
        DType::F16 => Value::Float(f16::from_bits(word(2) as u16).into()),
        DType::BF16 => Value::Float(bf16::from_bits(word(2) as u16).into()),
        DType::F32 => Value::Float(f32::from_bits(word(4) as u32).into()),
        DType::F64 => Value::Float(f64::from_bits(word(8))),
        DType::C64 => Value::Complex(
            f32::from_bits(word(4) as u32).into(),
            f32::from_bits(high(4) as u32).into(),
        ),
        DType::C128 => Value::Complex(f64::from_bits(word(8)), f64::from_bits(high(8))),
        DType::Key(_) => unreachable!("key arrays are refused before their elements are read"),
    }
}

/// Appends the little-endian bytes of `value` as an element of `dtype` (a real number is
/// rounded to the nearest value of a float dtype, as NumPy's `astype`), or says why it is not
/// one (a float for an integer dtype, an integer out of range, a real for a complex dtype).
pub(super) fn push_value(dtype: DType, value: Value, out: &mut Vec<u8>) -> Result<(), String> {
    let wrong = || format!("{value:?} is not a {dtype} value");
    let int = || match value {
        Value::Int(i) => Ok(i128::from(i)),
        Value::UInt(u) => Ok(i128::from(u)),
        _ => Err(wrong()),
    };
    let float = || real(value).ok_or_else(wrong);
    macro_rules! integer {
        ($ty:ty) => {{
            let v = <$ty>::try_from(int()?)
                .map_err(|_| format!("{value:?} is out of range of {dtype}"))?;
            out.extend_from_slice(&v.to_le_bytes());
        }};
    }
    match dtype {
        DType::Bool => match value {
            Value::Bool(b) => out.push(u8::from(b)),
            _ => return Err(wrong()),
        },
        DType::I8 => integer!(i8),
        DType::I16 => integer!(i16),
        DType::I32 => integer!(i32),
        DType::I64 => integer!(i64),
        DType::U8 => integer!(u8),
        DType::U16 => integer!(u16),
        DType::U32 => integer!(u32),
        DType::U64 => integer!(u64),
        DType::F16 => out.extend_from_slice(&f16::from_f64(float()?).to_le_bytes()),
        DType::BF16 => out.extend_from_slice(&bf16::from_f64(float()?).to_le_bytes()),
        DType::F32 => out.extend_from_slice(&(float()? as f32).to_le_bytes()),
        DType::F64 => out.extend_from_slice(&float()?.to_le_bytes()),
        DType::C64 | DType::C128 => {
            let Value::Complex(re, im) = value else {
                return Err(wrong());
            };
            if dtype == DType::C64 {
                out.extend_from_slice(&(re as f32).to_le_bytes());
                out.extend_from_slice(&(im as f32).to_le_bytes());
            } else {
                out.extend_from_slice(&re.to_le_bytes());
                out.extend_from_slice(&im.to_le_bytes());
            }
        }
        DType::Key(_) => return Err(format!("{dtype} is not a numeric dtype")),
    }
    Ok(())
}
