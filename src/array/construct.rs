//! Making arrays from Rust values: scalars, slices with a shape, and nested fixed-size arrays.
//! Without x64 mode, 64-bit inputs become 32-bit arrays, as `jnp.asarray` does.

use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::promotion::canonicalize;
use crate::runtime::bytes_of;
use crate::scalar::Scalar;
use crate::{Array, DType, Element, Error, Result, config};

/// The bytes of `count` elements of `from` converted to `to`.
fn convert_bytes(bytes: &[u8], from: DType, to: DType) -> Vec<u8> {
    if from == to {
        return bytes.to_vec();
    }
    bytes
        .chunks_exact(from.size_in_bytes())
        .flat_map(|element| Scalar::from_bytes(from, element).to_bytes(to))
        .collect()
}

impl Array {
    /// A host array of type `aval` whose contents are `bytes` (of dtype `from`), canonicalised.
    pub(crate) fn from_host_bytes(
        bytes: &[u8],
        from: DType,
        shape: Vec<usize>,
        weak_type: bool,
    ) -> Array {
        let dtype = canonicalize(from, config::x64_enabled());
        let aval = ShapedArray {
            shape,
            dtype,
            weak_type,
        };
        Array::from_concrete(Concrete::from_host(aval, convert_bytes(bytes, from, dtype)))
    }

    /// A strongly typed scalar.
    pub fn scalar<T: Element>(value: T) -> Array {
        Array::from_host_bytes(bytes_of(&[value]), T::DTYPE, Vec::new(), false)
    }

    /// A weakly typed scalar, as a Rust number literal is in JAX: a float is the default float
    /// type (f32, or f64 in x64 mode), an integer the default integer type.
    pub fn weak(value: Scalar) -> Array {
        let x64 = config::x64_enabled();
        let (dtype, weak_type) = match value {
            Scalar::Bool(_) => (DType::Bool, false),
            Scalar::Int(_) | Scalar::UInt(_) => (if x64 { DType::I64 } else { DType::I32 }, true),
            Scalar::Float(_) => (if x64 { DType::F64 } else { DType::F32 }, true),
        };
        let aval = ShapedArray {
            shape: Vec::new(),
            dtype,
            weak_type,
        };
        Array::from_concrete(Concrete::from_host(aval, value.to_bytes(dtype)))
    }

    /// An array of shape `shape` holding `data` in row-major order. Returns `Err` if the
    /// lengths differ, or if the shape is too large for XLA (a dimension, the element count or
    /// the byte size beyond `i64`).
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Array> {
        let count = crate::shape_check::check_shape("Array::from_slice", shape, T::DTYPE)?;
        if count != data.len() {
            return Err(Error::invalid(
                "Array::from_slice",
                format!(
                    "{} elements of {} given for shape {shape:?}, which holds {count}",
                    data.len(),
                    T::DTYPE
                ),
            ));
        }
        Ok(Array::from_host_bytes(
            bytes_of(data),
            T::DTYPE,
            shape.to_vec(),
            false,
        ))
    }

    /// A one-dimensional array of `data`.
    pub fn from_vec<T: Element>(data: Vec<T>) -> Array {
        Array::from_host_bytes(bytes_of(&data), T::DTYPE, vec![data.len()], false)
    }
}

macro_rules! from_scalars {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Array {
            /// A strongly typed scalar.
            fn from(value: $ty) -> Array {
                Array::scalar(value)
            }
        }
    )*};
}

from_scalars!(
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    half::f16,
    half::bf16,
    f32,
    f64
);

/// A nested fixed-size Rust array (`[[1.0, 2.0], [3.0, 4.0]]`) that becomes an `Array` of the
/// same shape.
pub trait NestedArray {
    /// The element type.
    type Element: Element;

    /// The shape.
    fn shape(&self) -> Vec<usize>;

    /// Appends the elements in row-major order.
    fn push_elements(&self, out: &mut Vec<Self::Element>);
}

impl<T: Element, const N: usize> NestedArray for [T; N] {
    type Element = T;

    fn shape(&self) -> Vec<usize> {
        vec![N]
    }

    fn push_elements(&self, out: &mut Vec<T>) {
        out.extend_from_slice(self);
    }
}

impl<T: Element, const N: usize, const M: usize> NestedArray for [[T; N]; M] {
    type Element = T;

    fn shape(&self) -> Vec<usize> {
        vec![M, N]
    }

    fn push_elements(&self, out: &mut Vec<T>) {
        self.iter().for_each(|row| out.extend_from_slice(row));
    }
}

impl<T: Element, const N: usize, const M: usize, const K: usize> NestedArray for [[[T; N]; M]; K] {
    type Element = T;

    fn shape(&self) -> Vec<usize> {
        vec![K, M, N]
    }

    fn push_elements(&self, out: &mut Vec<T>) {
        self.iter()
            .flatten()
            .for_each(|row| out.extend_from_slice(row));
    }
}

impl<A: NestedArray> From<A> for Array {
    fn from(nested: A) -> Array {
        let mut elements = Vec::new();
        nested.push_elements(&mut elements);
        Array::from_host_bytes(
            bytes_of(&elements),
            A::Element::DTYPE,
            nested.shape(),
            false,
        )
    }
}
