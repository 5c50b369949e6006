//! The heart of the tracing machinery (JAX's `core.py`): primitives and `bind`, the
//! thread-local current trace, tracers, and the evaluation trace at the bottom of every chain.

mod bind;
mod eval_trace;
pub(crate) mod primitive;
mod primitive_ad;
mod primitive_batch;
mod primitive_mesh;
pub(crate) mod trace;
pub(crate) mod tracer;

pub(crate) use bind::{bind, bind1, bind1_consuming};
pub use primitive::Primitive;
