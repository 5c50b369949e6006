//! Tracers: the values a trace hands to the user's function in place of arrays (JAX's `Tracer`
//! subclasses, as one closed enum so that every transformation's handling is exhaustive).

use super::trace::TraceTag;
use crate::Array;
use crate::abstract_value::ShapedArray;
use crate::interpreters::jvp::Tangent;
use crate::jaxpr::Var;

/// A value of one trace: its tag, its abstract value, and what the trace keeps for it.
#[derive(Debug)]
pub(crate) struct Tracer {
    pub(crate) tag: TraceTag,
    pub(crate) aval: ShapedArray,
    pub(crate) payload: TracerPayload,
}

/// What each kind of trace keeps in its tracers. Payloads hold only plain data and `Array`s,
/// never a pointer to the trace, so tracers (and `Array`) are `Send + Sync`.
#[derive(Debug)]
pub(crate) enum TracerPayload {
    /// A variable of the jaxpr being staged.
    Staged { var: Var },
    /// A primal value and its tangent.
    Jvp { primal: Array, tangent: Tangent },
    /// A value with a batch axis at `dim` (`None`: not mapped), for `vmap`.
    Batch { value: Array, dim: Option<usize> },
}
