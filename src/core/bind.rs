//! `bind`: applying a primitive to arguments under the current trace (JAX's `Primitive.bind`).

use super::primitive::Primitive;
use super::trace::{current_trace, is_live};
use crate::{Array, Error, Result};

/// Applies `primitive` to `args` with the current trace.
///
/// Shape operations on PRNG key arrays run on the keys' data instead (and other primitives
/// refuse keys): see `random::bind_with_keys`.
///
/// A tracer whose trace has finished gives JAX's "escaped tracer" error.
pub(crate) fn bind(primitive: Primitive, args: &[Array]) -> Result<Vec<Array>> {
    reject_escaped_tracers(&primitive, args)?;
    if let Some(outputs) = crate::random::bind_with_keys(&primitive, args) {
        return outputs;
    }
    current_trace().process_primitive(&primitive, args)
}

/// [`bind`] for a primitive with exactly one output.
pub(crate) fn bind1(primitive: Primitive, args: &[Array]) -> Result<Array> {
    only_output(bind(primitive, args)?)
}

/// [`bind1`] on arguments the caller gives up: evaluated eagerly, an argument whose device
/// buffer nothing else holds may become the output's (as Rust's by-value operators promise;
/// see `dispatch::apply_primitive_consuming`).
pub(crate) fn bind1_consuming(primitive: Primitive, args: Vec<Array>) -> Result<Array> {
    reject_escaped_tracers(&primitive, &args)?;
    if let Some(outputs) = crate::random::bind_with_keys(&primitive, &args) {
        return only_output(outputs?);
    }
    only_output(current_trace().process_primitive_consuming(&primitive, args)?)
}

/// JAX's "escaped tracer" error for a tracer among `args` whose trace has finished (it
/// escaped, for example through a closure or a global).
fn reject_escaped_tracers(primitive: &Primitive, args: &[Array]) -> Result<()> {
    for arg in args {
        if let Some(tracer) = arg.tracer()
            && !is_live(tracer.tag)
        {
            return Err(Error::EscapedTracer {
                primitive: primitive.name().to_string(),
                aval: tracer.aval.to_string(),
            });
        }
    }
    Ok(())
}

/// The output of a primitive with exactly one.
fn only_output(mut outputs: Vec<Array>) -> Result<Array> {
    debug_assert_eq!(outputs.len(), 1);
    Ok(outputs.swap_remove(0))
}
