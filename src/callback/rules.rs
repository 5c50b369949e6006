//! The callback primitive's rules besides abstract evaluation and lowering: eager evaluation
//! (the closure runs directly, with no program compiled), differentiation and batching, each
//! as JAX has them for `pure_callback`, `io_callback` and `debug_callback`.

use super::op::{CallbackKind, CallbackOp};
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::batching::{Batched, bdim_at_front};
use crate::interpreters::jvp::Tangent;
use crate::lax::VmapMethod;
use crate::lax::rules::{broadcast_in_dim, convert, reshape};
use crate::{Array, Result};

impl CallbackOp {
    /// Runs the closure on concrete `args` (JAX's `callback_impl`); an ordered call's token
    /// passes through.
    pub(crate) fn eval(&self, args: &[Array]) -> Result<Vec<Array>> {
        let count = args.len() - usize::from(self.ordered());
        let mut outputs =
            super::host::run(self.name(), &self.callback, &args[..count], &self.results)?;
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

    /// One call on the whole batch: batched operands with the batch axis in front, the others
    /// with a leading axis of size 1 (or broadcast to the batch, for `broadcast_all`).
    fn batch_expanded(
        &self,
        size: usize,
        values: &[Array],
        dims: &[Option<usize>],
        broadcast: bool,
    ) -> Result<Batched> {
        let args = values
            .iter()
            .zip(dims)
            .map(|(value, dim)| match dim {
                None if !broadcast => {
                    let mut shape = vec![1];
                    shape.extend_from_slice(value.shape());
                    reshape(value, &shape)
                }
                _ => bdim_at_front(value, *dim, size),
            })
            .collect::<Result<Vec<_>>>()?;
        let batched = CallbackOp {
            results: self
                .results
                .iter()
                .map(|aval| {
                    let mut shape = vec![size];
                    shape.extend_from_slice(&aval.shape);
                    aval.with_shape(shape)
                })
                .collect(),
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
        let fronted = values
            .iter()
            .zip(dims)
            .map(|(value, dim)| dim.map(|_| bdim_at_front(value, *dim, size)).transpose())
            .collect::<Result<Vec<_>>>()?;
        let mut stacks: Vec<Vec<Array>> = vec![Vec::with_capacity(size); self.results.len()];
        for index in 0..size {
            let args = fronted
                .iter()
                .zip(values)
                .map(|(front, value)| match front {
                    Some(batched) => example(batched, index),
                    None => Ok(value.clone()),
                })
                .collect::<Result<Vec<_>>>()?;
            let outputs = bind(Primitive::HostCallback(self.clone()), &args)?;
            for (stack, output) in stacks.iter_mut().zip(outputs) {
                let mut shape = vec![1];
                shape.extend_from_slice(output.shape());
                stack.push(reshape(&output, &shape)?);
            }
        }
        let outputs = stacks
            .into_iter()
            .zip(&self.results)
            .map(|(stack, aval)| {
                let mut shape = vec![size];
                shape.extend_from_slice(&aval.shape);
                if stack.is_empty() {
                    let zero = convert(&Array::scalar(0u8), aval.dtype)?;
                    broadcast_in_dim(&zero, &shape, &[])
                } else {
                    bind1(Primitive::Concatenate { dimension: 0 }, &stack)
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let out_dims = vec![Some(0); outputs.len()];
        Ok((outputs, out_dims))
    }
}

/// Example `index` of a batch whose batch axis is in front.
fn example(batched: &Array, index: usize) -> Result<Array> {
    let mut start = vec![0; batched.ndim()];
    let mut limit = batched.shape().to_vec();
    start[0] = index;
    limit[0] = index + 1;
    let one = bind1(
        Primitive::Slice {
            start_indices: start,
            limit_indices: limit,
            strides: vec![1; batched.ndim()],
        },
        std::slice::from_ref(batched),
    )?;
    reshape(&one, &batched.shape()[1..])
}
