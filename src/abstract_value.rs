//! `ShapedArray`, JAX's abstract value: the set of all arrays of one shape and dtype. It is the
//! type of every jaxpr variable and the unit of every cache key.

use std::fmt;

use crate::DType;

/// The abstract value of an array: its shape, its dtype, and whether the dtype is *weak* (the
/// value came from a Rust number literal, so it adopts the dtype of the arrays it meets).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShapedArray {
    /// The dimensions, row-major; empty for a scalar.
    pub shape: Vec<usize>,
    /// The element type.
    pub dtype: DType,
    /// Whether the dtype is weak (JAX's `weak_type`).
    pub weak_type: bool,
}

impl ShapedArray {
    /// A strongly typed abstract value.
    pub fn new(shape: impl Into<Vec<usize>>, dtype: DType) -> Self {
        ShapedArray {
            shape: shape.into(),
            dtype,
            weak_type: false,
        }
    }

    /// A weakly typed scalar of `dtype`.
    pub fn weak_scalar(dtype: DType) -> Self {
        ShapedArray {
            shape: Vec::new(),
            dtype,
            weak_type: true,
        }
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// The same shape with another dtype, strongly typed.
    pub fn with_dtype(&self, dtype: DType) -> Self {
        ShapedArray::new(self.shape.clone(), dtype)
    }

    /// The same dtype with another shape, keeping weakness.
    pub fn with_shape(&self, shape: impl Into<Vec<usize>>) -> Self {
        ShapedArray {
            shape: shape.into(),
            dtype: self.dtype,
            weak_type: self.weak_type,
        }
    }

    /// The type of the data behind a value of this type (JAX's `core.physical_aval`): itself,
    /// except that an array of PRNG keys is `uint32` with the key words as a trailing
    /// dimension (`key<fry>[3]` is `u32[3,2]`).
    pub fn physical(&self) -> ShapedArray {
        match self.dtype {
            DType::Key(prng) => {
                ShapedArray::new([&self.shape[..], &[prng.key_words()]].concat(), DType::U32)
            }
            _ => self.clone(),
        }
    }

    /// The jaxpr spelling, e.g. `f32[3,4]`.
    pub fn str_short(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ShapedArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<String> = self.shape.iter().map(usize::to_string).collect();
        write!(f, "{}[{}]", self.dtype.short_name(), dims.join(","))
    }
}
