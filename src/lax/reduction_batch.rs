//! Batching rule of the monoid reductions (JAX's `defreducer` / `_reducer_batcher`): the
//! reduced axes shift past the batch axis, which survives the reduction.

use super::ReduceOp;
use crate::core::{Primitive, bind1};
use crate::interpreters::batching::{Batched, dim_after_removing, full_dims, one};
use crate::{Array, Result};

/// `reduce_*` over the per-example `axes` of `values[0]`, batched at `dims[0]`.
pub(crate) fn reduce(
    op: ReduceOp,
    axes: &[usize],
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let d = dims[0].expect("the operand is batched");
    let axes = full_dims(axes, d);
    let out_dim = dim_after_removing(d, &axes);
    let reduced = bind1(Primitive::Reduce { op, axes }, &values[..1])?;
    Ok(one(reduced, out_dim))
}
