//! Transformations as interpreters of primitives: staging into jaxprs (and partial
//! evaluation), forward-mode differentiation, and transposition of linear jaxprs.

pub(crate) mod batching;
pub(crate) mod jvp;
pub(crate) mod staging;
pub(crate) mod transpose;
