//! Vectorization (JAX's `batching.BatchTrace`): each tracer carries a value with one extra
//! *batch* axis, or no batch axis at all (not mapped), and each primitive's batching rule maps
//! the batched operands to batched results with one batched operation, never a loop.
//!
//! The trace is stackless like the JVP trace: rules run under the parent trace, values of other
//! traces are unmapped constants, and an equation none of whose operands is batched runs on the
//! parent unchanged. An unmapped result is handed back as the plain value (JAX's `full_lower`),
//! so it stays unmapped for everything downstream.
//!
//! The helpers at the end (`move_axis`, `bdim_at_front`, `move_batch_axis`, ...) are what the
//! rules in `lax/*_batch.rs` are written with; they bind on the current trace, which is the
//! batch trace's parent while a rule runs.

use std::rc::Rc;

use crate::abstract_value::ShapedArray;
use crate::core::trace::{LiveTag, Trace, TraceTag, current_trace, with_trace};
use crate::core::tracer::{Tracer, TracerPayload};
use crate::core::{Primitive, bind};
use crate::lax::rules::{broadcast_in_dim, transpose};
use crate::{Array, Error, Result};

/// A batched result: values and where their batch axes are (`None`: not mapped).
pub(crate) type Batched = (Vec<Array>, Vec<Option<usize>>);

/// The batch trace: values are (value, batch axis) pairs of one axis size.
pub(crate) struct BatchTrace {
    live: LiveTag,
    parent: Rc<dyn Trace>,
    axis_size: usize,
}

impl BatchTrace {
    /// `value` with its batch axis at `dim` as a tracer of this trace; an unmapped value is
    /// returned as itself.
    fn tracer(&self, value: Array, dim: Option<usize>) -> Array {
        let Some(dim) = dim else {
            return value;
        };
        debug_assert_eq!(value.shape()[dim], self.axis_size);
        let aval = unbatched_aval(value.aval(), dim);
        Array::from_tracer(Tracer {
            tag: self.live.tag(),
            aval,
            payload: TracerPayload::Batch {
                value,
                dim: Some(dim),
            },
        })
    }

    /// `x` as a (value, batch axis) pair of this trace: another trace's value is not mapped.
    fn split(&self, x: &Array) -> (Array, Option<usize>) {
        match x.tracer() {
            Some(Tracer {
                tag,
                payload: TracerPayload::Batch { value, dim },
                ..
            }) if *tag == self.live.tag() => (value.clone(), *dim),
            _ => (x.clone(), None),
        }
    }
}

/// The type of one example of a value of type `aval` batched along `dim`.
fn unbatched_aval(aval: &ShapedArray, dim: usize) -> ShapedArray {
    let mut shape = aval.shape.clone();
    shape.remove(dim);
    aval.with_shape(shape)
}

impl Trace for BatchTrace {
    fn tag(&self) -> Option<TraceTag> {
        Some(self.live.tag())
    }

    fn process_primitive(&self, primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>> {
        let (values, dims): (Vec<Array>, Vec<Option<usize>>) =
            args.iter().map(|arg| self.split(arg)).unzip();
        if dims.iter().all(Option::is_none) {
            return with_trace(self.parent.clone(), || bind(primitive.clone(), &values));
        }
        let (outputs, out_dims) = with_trace(self.parent.clone(), || {
            primitive.batch(self.axis_size, &values, &dims)
        })?;
        Ok(outputs
            .into_iter()
            .zip(out_dims)
            .map(|(value, dim)| self.tracer(value, dim))
            .collect())
    }
}

/// Runs `f` on `args`, whose batch axes are `in_dims`, under a new batch trace of
/// `axis_size`; returns the outputs with their batch axes (`None` for outputs that do not
/// depend on a mapped input).
pub(crate) fn batch_flat(
    f: impl FnOnce(Vec<Array>) -> Result<Vec<Array>>,
    args: Vec<Array>,
    in_dims: &[Option<usize>],
    axis_size: usize,
) -> Result<Batched> {
    let trace = Rc::new(BatchTrace {
        live: LiveTag::new(),
        parent: current_trace(),
        axis_size,
    });
    let tracers: Vec<Array> = args
        .into_iter()
        .zip(in_dims)
        .map(|(value, &dim)| trace.tracer(value, dim))
        .collect();
    let outputs = with_trace(trace.clone(), || f(tracers))?;
    Ok(outputs.iter().map(|out| trace.split(out)).unzip())
}

/// [`batch_flat`] with every output's batch axis moved where `out_dims` says (JAX's
/// `vmap_flat`). `out_dims` receives the outputs' per-example ranks; an unmapped output is
/// broadcast along the batch axis, and a `None` requires the output to be unmapped.
pub(crate) fn vmap_flat(
    f: impl FnOnce(Vec<Array>) -> Result<Vec<Array>>,
    args: Vec<Array>,
    in_dims: &[Option<usize>],
    axis_size: usize,
    out_dims: impl FnOnce(&[usize]) -> Result<Vec<Option<usize>>>,
) -> Result<Vec<Array>> {
    let (outputs, dims) = batch_flat(f, args, in_dims, axis_size)?;
    let ranks: Vec<usize> = outputs
        .iter()
        .zip(&dims)
        .map(|(out, dim)| out.ndim() - usize::from(dim.is_some()))
        .collect();
    let targets = out_dims(&ranks)?;
    outputs
        .iter()
        .zip(dims)
        .zip(targets)
        .map(|((out, dim), target)| {
            if dim.is_some() && target.is_none() {
                return Err(Error::invalid(
                    "vmap",
                    "vmap has mapped output but out_axes is None",
                ));
            }
            move_batch_axis(axis_size, dim, target, out)
        })
        .collect()
}

// --- helpers for the batching rules ------------------------------------------------------------

/// `x` with its axis `from` moved to position `to` (the others keep their order).
pub(crate) fn move_axis(x: &Array, from: usize, to: usize) -> Result<Array> {
    if from == to {
        return Ok(x.clone());
    }
    let mut permutation: Vec<usize> = (0..x.ndim()).filter(|&d| d != from).collect();
    permutation.insert(to, from);
    transpose(x, &permutation)
}

/// `x` with a new axis of `size` at `dim`, by broadcasting.
pub(crate) fn broadcast_batch(x: &Array, size: usize, dim: usize) -> Result<Array> {
    let mut shape = x.shape().to_vec();
    shape.insert(dim, size);
    let dims: Vec<usize> = (0..x.ndim()).map(|d| d + usize::from(d >= dim)).collect();
    broadcast_in_dim(x, &shape, &dims)
}

/// JAX's `matchaxis`/`moveaxis` for batching: `x`, batched at `from` (or unmapped), with its
/// batch axis at `to` (broadcast if it had none); `to == None` requires `from == None`.
pub(crate) fn move_batch_axis(
    size: usize,
    from: Option<usize>,
    to: Option<usize>,
    x: &Array,
) -> Result<Array> {
    match (from, to) {
        (Some(from), Some(to)) => move_axis(x, from, to),
        (None, Some(to)) => broadcast_batch(x, size, to),
        (None, None) => Ok(x.clone()),
        (Some(_), None) => Err(Error::invalid(
            "vmap",
            "a batched value cannot be made unbatched",
        )),
    }
}

/// JAX's `bdim_at_front`: `x` with its batch axis first, broadcast there if unmapped.
pub(crate) fn bdim_at_front(x: &Array, dim: Option<usize>, size: usize) -> Result<Array> {
    move_batch_axis(size, dim, Some(0), x)
}

/// Where a per-example dimension `d` sits in a value batched at `bdim`.
pub(crate) fn full_dim(d: usize, bdim: usize) -> usize {
    d + usize::from(d >= bdim)
}

/// The per-example dimensions `dims` as dimensions of a value batched at `bdim`.
pub(crate) fn full_dims(dims: &[usize], bdim: usize) -> Vec<usize> {
    dims.iter().map(|&d| full_dim(d, bdim)).collect()
}

/// The batch axis of a value batched at `bdim` after the (full) dimensions `removed` are
/// removed from it (by a reduction or a squeeze).
pub(crate) fn dim_after_removing(bdim: usize, removed: &[usize]) -> usize {
    bdim - removed.iter().filter(|&&d| d < bdim).count()
}

/// One batched output at `dim`.
pub(crate) fn one(value: Array, dim: usize) -> Batched {
    (vec![value], vec![Some(dim)])
}
