//! [`pure_callback`]: JAX's `jax.pure_callback`.

use super::Callback;
use super::op::{CallbackKind, CallbackOp};
use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind};
use crate::lax::VmapMethod;
use crate::{Array, Error, Result};

/// Calls `callback` on the host with the values of `args`, as JAX's `jax.pure_callback`: its
/// results must have the types `result_shape_dtypes` (shapes and dtypes; checked when it
/// returns). Works eagerly (the closure runs at once), under `jit` (the compiled program calls
/// it on the CPU, through rjax's FFI handler) and under `vmap` by `vmap_method` (`None` makes
/// `vmap` an error, as in JAX):
///
/// - [`VmapMethod::Sequential`]: one call per example;
/// - [`VmapMethod::ExpandDims`]: one call, batched arguments with the batch axis in front and
///   the others with a leading axis of size 1; the results must have the batch axis in front;
/// - [`VmapMethod::BroadcastAll`]: as `ExpandDims`, with every argument broadcast to the batch.
///
/// Typed key arrays ([`random::key`](crate::random::key)) pass as their key data, as in
/// JAX: the closure receives the `uint32[..., words]` array [`random::key_data`] gives, eagerly
/// and in a compiled program alike. A result cannot be a key array (an error, as JAX's
/// `TypeError`): return the data and wrap it with [`random::wrap_key_data`] outside.
///
/// [`random::key_data`]: crate::random::key_data
/// [`random::wrap_key_data`]: crate::random::wrap_key_data
///
/// The callback must be pure: XLA may drop it when its results are unused, or run it more
/// than once. It cannot be differentiated: wrap it in [`custom_jvp`](crate::custom_jvp) or
/// [`custom_vjp`](crate::custom_vjp). Inside a compiled program it needs a CPU client
/// ([`crate::runtime::Client::ffi_support`]); elsewhere lowering fails with an error naming
/// the callback and the platform.
///
/// ```
/// use rjax::callback::{Callback, pure_callback};
/// use rjax::{Array, ShapedArray, DType, jit};
///
/// let host_sin = Callback::new(|args: &[Array]| {
///     let x = args[0].to_vec::<f32>()?;
///     let y: Vec<f32> = x.iter().map(|v| v.sin()).collect();
///     Ok(vec![Array::from_slice(&y, args[0].shape())?])
/// });
/// let f = jit(move |x: Array| {
///     let spec = [ShapedArray::new(x.shape().to_vec(), DType::F32)];
///     Ok::<_, rjax::Error>(pure_callback(&host_sin, &spec, &[&x], None)?.remove(0))
/// });
/// let y: Array = f.call(Array::from([0.0f32, 1.0]))?;
/// assert_eq!(y.to_vec::<f32>()?, vec![0.0, 1.0f32.sin()]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn pure_callback(
    callback: &Callback,
    result_shape_dtypes: &[ShapedArray],
    args: &[&Array],
    vmap_method: Option<VmapMethod>,
) -> Result<Vec<Array>> {
    let op = CallbackOp {
        callback: callback.clone(),
        kind: CallbackKind::Pure { vmap_method },
        results: declared_results(callback, "pure_callback", result_shape_dtypes)?,
    };
    let args: Vec<Array> = args.iter().map(|&arg| arg.clone()).collect();
    bind(Primitive::HostCallback(op), &args)
}

/// The declared result types of `callback` (of primitive `primitive`), strongly typed; an
/// error for a key dtype, which a host function cannot return (JAX raises a `TypeError`).
pub(crate) fn declared_results(
    callback: &Callback,
    primitive: &str,
    avals: &[ShapedArray],
) -> Result<Vec<ShapedArray>> {
    avals
        .iter()
        .map(|aval| {
            if aval.dtype.is_key() {
                return Err(Error::invalid(
                    primitive,
                    format!(
                        "callback `{}`: a result cannot be a key array (declared {aval}); return                          its uint32 key data and wrap it with random::wrap_key_data",
                        callback.name()
                    ),
                ));
            }
            Ok(ShapedArray::new(aval.shape.clone(), aval.dtype))
        })
        .collect()
}
