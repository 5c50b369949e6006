//! Transformations as interpreters of primitives. Today: staging into jaxprs.

pub(crate) mod staging;
