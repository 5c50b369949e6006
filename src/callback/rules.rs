//! The callback primitive's rules besides abstract evaluation and lowering: eager evaluation
//! (the closure runs directly, with no program compiled), differentiation and batching, each
//! as JAX has them for `pure_callback`, `io_callback` and `debug_callback`.

use super::op::{CallbackKind, CallbackOp};
use crate::core::{Primitive, bind};
use crate::interpreters::batching::Batched;
use crate::interpreters::jvp::Tangent;
use crate::lax::VmapMethod;
use crate::lax::call_batching::{expanded_operands, sequential, with_leading_batch};
use crate::{Array, Result};

impl CallbackOp {
    /// Runs the closure on concrete `args` (JAX's `callback_impl`); an ordered call's token
    /// passes through. As in JAX, pure and io callbacks receive typed keys as their key data
    /// (what a compiled program hands them too), while an eager debug callback receives the
    /// key arrays themselves.
    pub(crate) fn eval(&self, args: &[Array]) -> Result<Vec<Array>> {
        let count = args.len() - usize::from(self.ordered());
        let host_args: Vec<Array> = match self.kind {
            CallbackKind::Debug => args[..count].to_vec(),
            _ => args[..count].iter().map(key_data_of_keys).collect(),
        };
        let mut outputs = super::host::run(self.name(), &self.callback, &host_args, &self.results)?;
        if self.ordered() {
            outputs.push(Array::scalar(0u8));
        }
        Ok(outputs)
    }

    /// The JVP: debug callbacks see the primals and pass the (absent) tangents through;
    /// pure and io callbacks cannot be differentiated (JAX's errors).
    pub(crate) fn jvp(&self, primals: &[Array]) -> Result<(Vec<Array>, Vec<Tangent>)> {
        match self.kind {
            CallbackKind::Debug => {
                bind(Primitive::HostCallback(self.clone()), primals)?;
                Ok((Vec::new(), Vec::new()))
            }
            CallbackKind::Pure { .. } => Err(self.error(
                "pure callbacks cannot be differentiated (they have no JVP rule): wrap the \
                 callback in custom_jvp or custom_vjp and give its derivative there",
            )),
            CallbackKind::Io { .. } => Err(self.error("io callbacks cannot be differentiated")),
        }
    }

    /// The batching rule: by the `vmap_method` for pure callbacks (none is an error, as in
    /// JAX), one call per example for unordered io and debug callbacks, and an error for
    /// ordered io callbacks.
    pub(crate) fn batch(
        &self,
        size: usize,
        values: &[Array],
        dims: &[Option<usize>],
    ) -> Result<Batched> {
        match self.kind {
            CallbackKind::Pure { vmap_method: None } => Err(self.error(
                "vmap of a pure_callback needs a vmap_method: pass Some(VmapMethod::Sequential), \
                 Some(VmapMethod::ExpandDims) or Some(VmapMethod::BroadcastAll)",
            )),
            CallbackKind::Io { ordered: true } => {
                Err(self.error("an ordered io_callback cannot be vmapped"))
            }
            CallbackKind::Pure {
                vmap_method: Some(VmapMethod::ExpandDims),
            } => self.batch_expanded(size, values, dims, false),
            CallbackKind::Pure {
                vmap_method: Some(VmapMethod::BroadcastAll),
            } => self.batch_expanded(size, values, dims, true),
            CallbackKind::Pure {
                vmap_method: Some(VmapMethod::Sequential),
            }
            | CallbackKind::Io { ordered: false }
            | CallbackKind::Debug => self.batch_sequential(size, values, dims),
        }
    }

    /// One call on the whole batch ([`crate::lax::call_batching`]).
    fn batch_expanded(
        &self,
        size: usize,
        values: &[Array],
        dims: &[Option<usize>],
        broadcast: bool,
    ) -> Result<Batched> {
        let args = expanded_operands(size, values, dims, broadcast)?;
        let batched = CallbackOp {
            results: with_leading_batch(&self.results, size),
            ..self.clone()
        };
        let outputs = bind(Primitive::HostCallback(batched), &args)?;
        let out_dims = vec![Some(0); outputs.len()];
        Ok((outputs, out_dims))
    }

    /// One call per example, in order, the results stacked along a new leading axis.
    fn batch_sequential(
        &self,
        size: usize,
        values: &[Array],
        dims: &[Option<usize>],
    ) -> Result<Batched> {
        sequential(size, values, dims, &self.results, |args| {
            bind(Primitive::HostCallback(self.clone()), args)
        })
    }
}

/// A typed key array's `uint32` key data, any other array itself.
fn key_data_of_keys(arg: &Array) -> Array {
    if arg.dtype().is_key() {
        crate::random::key_data(arg)
    } else {
        arg.clone()
    }
}
