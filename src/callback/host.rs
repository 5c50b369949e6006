//! Running a callback's closure on the host: handing it concrete arrays, and checking what it
//! returns against the declared result types. Eager evaluation and the FFI handler (a program
//! calling the callback, on an XLA thread) both come here.
//!
//! Nothing here holds a lock while the closure runs: the registry is consulted and released
//! first, and the arguments are host arrays that need no device. The closure may therefore
//! make arrays, read them and even run rjax computations (on another XLA thread) without
//! deadlocking on rjax's dispatch.

use super::Callback;
use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::{Array, DType, Error, Result};

/// Runs `callback` (of primitive `primitive`) on `args` and returns its results as host arrays
/// of exactly the `declared` types, or an error naming the callback: its own error, or a
/// result of the wrong count, shape or dtype.
pub(crate) fn run(
    primitive: &str,
    callback: &Callback,
    args: &[Array],
    declared: &[ShapedArray],
) -> Result<Vec<Array>> {
    let name = callback.name();
    let outputs = callback
        .invoke(args)
        .map_err(|error| Error::invalid(primitive, format!("callback `{name}` failed: {error}")))?;
    if outputs.len() != declared.len() {
        return Err(Error::invalid(
            primitive,
            format!(
                "callback `{name}` returned {} value(s), but {} were declared ({})",
                outputs.len(),
                declared.len(),
                types(declared)
            ),
        ));
    }
    outputs
        .iter()
        .zip(declared)
        .enumerate()
        .map(|(index, (output, aval))| {
            if output.shape() != aval.shape.as_slice() || output.dtype() != aval.dtype {
                return Err(Error::invalid(
                    primitive,
                    format!(
                        "callback `{name}` returned {} for result {index}, declared as {aval}",
                        output.aval()
                    ),
                ));
            }
            let bytes = output.require_concrete(primitive)?.host_bytes()?;
            Ok(host_array(aval.clone(), bytes))
        })
        .collect()
}

/// A host array of type `aval` holding a copy of `bytes`.
pub(crate) fn host_array(aval: ShapedArray, bytes: &[u8]) -> Array {
    Array::from_concrete(Concrete::from_host(aval, bytes.to_vec()))
}

/// The host contents of a buffer of `dtype` and `dims`, as an array.
pub(crate) fn array_from_buffer(dtype: DType, dims: &[usize], bytes: &[u8]) -> Array {
    host_array(ShapedArray::new(dims.to_vec(), dtype), bytes)
}

/// `(f32[3], i32[])`: a list of types for messages.
fn types(avals: &[ShapedArray]) -> String {
    avals
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the registered callback `id` for a program: `args` are its operands and `declared`
/// its result types, ordering token excluded.
pub(crate) fn run_registered(
    id: i64,
    args: &[Array],
    declared: &[ShapedArray],
) -> Result<Vec<Array>> {
    let callback = super::registry::lookup(id).ok_or_else(|| {
        Error::invalid(
            "host_callback",
            format!("no callback is registered with id {id}"),
        )
    })?;
    run("host_callback", &callback, args, declared)
}
