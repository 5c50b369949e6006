//! The evaluation trace (JAX's `EvalTrace`): the bottom of every chain. It runs each primitive
//! on concrete arrays through [`dispatch`](crate::dispatch).

use super::primitive::Primitive;
use super::trace::{Trace, TraceTag};
use crate::{Array, Result, dispatch};

/// Evaluates primitives eagerly, each as a compiled one-primitive program.
pub(crate) struct EvalTrace;

impl Trace for EvalTrace {
    fn tag(&self) -> Option<TraceTag> {
        None
    }

    fn process_primitive(&self, primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>> {
        dispatch::apply_primitive(primitive, args)
    }

    fn process_primitive_consuming(
        &self,
        primitive: &Primitive,
        args: Vec<Array>,
    ) -> Result<Vec<Array>> {
        dispatch::apply_primitive_consuming(primitive, args)
    }
}
