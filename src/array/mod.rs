//! `Array`: rjax's array type (JAX's `jax.Array`), a cheap-to-clone handle to a concrete value
//! on a device or to a tracer inside a transformation.

mod construct;
mod float_format;
pub(crate) mod format;
mod methods;
mod ops;
#[cfg(any(feature = "serde", feature = "safetensors", feature = "npy"))]
mod raw_bytes;
mod value;

pub use construct::NestedArray;
pub use ops::IntoArray;
pub(crate) use ops::{broadcast_shapes, convert};
pub use value::Array;
pub(crate) use value::{Concrete, Sharded};
