//! `Serialize` and `Deserialize` for [`Array`]: dtype, shape and data, the data as raw bytes
//! in binary formats and as readable values in human-readable ones (see the module docs).

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::readable::{self, Value};
use crate::{Array, DType};

/// The bytes of an array, serialized as one byte string.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// A byte string read back (formats without one give a sequence of `u8`).
struct ByteBuf(Vec<u8>);

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BytesVisitor;

        impl<'de> Visitor<'de> for BytesVisitor {
            type Value = ByteBuf;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the array's bytes")
            }

            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v.to_vec()))
            }

            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ByteBuf, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(byte) = seq.next_element::<u8>()? {
                    bytes.push(byte);
                }
                Ok(ByteBuf(bytes))
            }
        }

        deserializer.deserialize_bytes(BytesVisitor)
    }
}

#[derive(Serialize)]
#[serde(rename = "Array")]
struct ArrayOut<'a, Data> {
    dtype: &'static str,
    shape: &'a [usize],
    data: Data,
}

#[derive(Deserialize)]
#[serde(rename = "Array")]
struct ArrayIn<Data> {
    dtype: String,
    shape: Vec<usize>,
    data: Data,
}

impl Serialize for Array {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes = self
            .raw_bytes("serialize")
            .map_err(serde::ser::Error::custom)?;
        let dtype = self.dtype();
        let (name, shape) = (dtype.name(), self.shape());
        if serializer.is_human_readable() {
            let data: Vec<Value> = bytes
                .chunks_exact(dtype.size_in_bytes())
                .map(|element| readable::to_value(dtype, element))
                .collect();
            ArrayOut {
                dtype: name,
                shape,
                data,
            }
            .serialize(serializer)
        } else {
            let data = Bytes(bytes);
            ArrayOut {
                dtype: name,
                shape,
                data,
            }
            .serialize(serializer)
        }
    }
}

/// The dtype named `name`, or an error listing the names there are.
fn dtype_of<E: de::Error>(name: &str) -> Result<DType, E> {
    let named = DType::ALL.into_iter().find(|dtype| dtype.name() == name);
    named.ok_or_else(|| {
        let names: Vec<&str> = DType::ALL.iter().map(|dtype| dtype.name()).collect();
        E::custom(format!(
            "rjax::Array: unknown dtype `{name}` (expected one of {})",
            names.join(", ")
        ))
    })
}

/// The array of `dtype` and `shape` holding `bytes`, or an error saying what does not fit.
fn array_of<E: de::Error>(dtype: DType, shape: &[usize], bytes: &[u8]) -> Result<Array, E> {
    Array::from_raw_bytes("rjax::Array: deserialize", dtype, shape, bytes).map_err(E::custom)
}

impl<'de> Deserialize<'de> for Array {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let ArrayIn { dtype, shape, data } = ArrayIn::<Vec<Value>>::deserialize(deserializer)?;
            let dtype = dtype_of(&dtype)?;
            let count = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
            if count != Some(data.len()) {
                return Err(de::Error::custom(format!(
                    "rjax::Array: {} values given for the shape {shape:?}",
                    data.len()
                )));
            }
            let mut bytes = Vec::with_capacity(data.len() * dtype.size_in_bytes());
            for (index, value) in data.into_iter().enumerate() {
                readable::push_value(dtype, value, &mut bytes).map_err(|message| {
                    de::Error::custom(format!("rjax::Array: element {index}: {message}"))
                })?;
            }
            array_of(dtype, &shape, &bytes)
        } else {
            let ArrayIn { dtype, shape, data } = ArrayIn::<ByteBuf>::deserialize(deserializer)?;
            array_of(dtype_of(&dtype)?, &shape, &data.0)
        }
    }
}
