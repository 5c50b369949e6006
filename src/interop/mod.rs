//! Links to the rest of Rust's ecosystem, each behind the feature of its name:
//!
//! - `serde`: [`Serialize`](::serde::Serialize) and [`Deserialize`](::serde::Deserialize) for
//!   [`Array`](crate::Array), [`TreeDef`](crate::TreeDef) and
//!   [`OptState`](crate::optim::OptState), so a derived parameter struct and a whole training
//!   state round-trip through any serde format (see the `serde` module's docs for the forms).
//! - `ndarray`: conversions between [`Array`](crate::Array) and `ndarray::ArrayD<T>` (and the
//!   fixed-rank arrays and views), for every element type.

#[cfg(feature = "ndarray")]
pub mod ndarray;
#[cfg(feature = "serde")]
pub mod serde;
