//! Batching of opaque calls (`ffi_call` and the host callbacks), which cannot look inside the
//! called code: JAX's `vmap_method`s, shared by both primitives.
//! - `expand_dims` / `broadcast_all`: one call on the whole batch, batched operands with the
//!   batch axis in front and unbatched ones with a leading axis of size 1 (or broadcast to the
//!   batch); the results get a leading batch axis.
//! - `sequential`: one call per example, the results stacked along a new leading axis.

use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind1};
use crate::interpreters::batching::{Batched, bdim_at_front};
use crate::lax::rules::{broadcast_in_dim, convert, reshape};
use crate::{Array, Result};

/// The operands of a call on the whole batch: the batch axis in front; unbatched operands
/// broadcast to the batch if `broadcast`, else given a leading axis of size 1.
pub(crate) fn expanded_operands(
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
    broadcast: bool,
) -> Result<Vec<Array>> {
    values
        .iter()
        .zip(dims)
        .map(|(value, dim)| match dim {
            None if !broadcast => reshape(value, &leading(1, value.shape())),
            _ => bdim_at_front(value, *dim, size),
        })
        .collect()
}

/// `results` with a leading batch axis of `size`.
pub(crate) fn with_leading_batch(results: &[ShapedArray], size: usize) -> Vec<ShapedArray> {
    results
        .iter()
        .map(|aval| aval.with_shape(leading(size, &aval.shape)))
        .collect()
}

/// `[first, rest...]`.
fn leading(first: usize, rest: &[usize]) -> Vec<usize> {
    let mut shape = vec![first];
    shape.extend_from_slice(rest);
    shape
}

/// Runs `call` once per example (in order), with each batched operand's example and the
/// unbatched operands as they are, and stacks its results (of types `results`) along a new
/// leading axis.
pub(crate) fn sequential(
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
    results: &[ShapedArray],
    mut call: impl FnMut(&[Array]) -> Result<Vec<Array>>,
) -> Result<Batched> {
    let fronted = values
        .iter()
        .zip(dims)
        .map(|(value, dim)| dim.map(|_| bdim_at_front(value, *dim, size)).transpose())
        .collect::<Result<Vec<_>>>()?;
    let mut stacks: Vec<Vec<Array>> = vec![Vec::with_capacity(size); results.len()];
    for index in 0..size {
        let args = fronted
            .iter()
            .zip(values)
            .map(|(front, value)| match front {
                Some(batched) => example(batched, index),
                None => Ok(value.clone()),
            })
            .collect::<Result<Vec<_>>>()?;
        for (stack, output) in stacks.iter_mut().zip(call(&args)?) {
            stack.push(reshape(&output, &leading(1, output.shape()))?);
        }
    }
    let outputs = stacks
        .into_iter()
        .zip(results)
        .map(|(stack, aval)| {
            if stack.is_empty() {
                let zero = convert(&Array::scalar(0u8), aval.dtype)?;
                broadcast_in_dim(&zero, &leading(size, &aval.shape), &[])
            } else {
                bind1(Primitive::Concatenate { dimension: 0 }, &stack)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let out_dims = vec![Some(0); outputs.len()];
    Ok((outputs, out_dims))
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
