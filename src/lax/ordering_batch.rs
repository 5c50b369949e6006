//! Batching rules of the order-dependent primitives (JAX's `_argminmax_batch_rule`,
//! `_cumred_batch_rule`, `_sort_batch_rule`, `_top_k_batch_rule`): the axis they work along shifts past the batch
//! axis; `sort`'s operands, which must share one shape, are brought to one batch axis.

use super::OrderingOp;
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::batching::{
    Batched, broadcast_batch, dim_after_removing, full_dim, move_axis, one,
};
use crate::{Array, Result};

/// The batched `op` applied to `values` batched along `dims`.
pub(crate) fn batch(
    op: &OrderingOp,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    match op {
        OrderingOp::Argmax { axis, index_dtype } | OrderingOp::Argmin { axis, index_dtype } => {
            let d = dims[0].expect("the operand is batched");
            let axis = full_dim(*axis, d);
            let index_dtype = *index_dtype;
            let op = match op {
                OrderingOp::Argmax { .. } => OrderingOp::Argmax { axis, index_dtype },
                _ => OrderingOp::Argmin { axis, index_dtype },
            };
            let out = bind1(Primitive::Ordering(op), &values[..1])?;
            Ok(one(out, dim_after_removing(d, &[axis])))
        }
        OrderingOp::Cumulative { op, axis, reverse } => {
            let d = dims[0].expect("the operand is batched");
            let op = OrderingOp::Cumulative {
                op: *op,
                axis: full_dim(*axis, d),
                reverse: *reverse,
            };
            Ok(one(bind1(Primitive::Ordering(op), &values[..1])?, d))
        }
        OrderingOp::Sort {
            dimension,
            is_stable,
            num_keys,
        } => {
            let target = dims
                .iter()
                .find_map(|d| *d)
                .expect("one operand is batched");
            let args = values
                .iter()
                .zip(dims)
                .map(|(x, d)| match d {
                    Some(d) => move_axis(x, *d, target),
                    None => broadcast_batch(x, size, target),
                })
                .collect::<Result<Vec<_>>>()?;
            let op = OrderingOp::Sort {
                dimension: full_dim(*dimension, target),
                is_stable: *is_stable,
                num_keys: *num_keys,
            };
            let outputs = bind(Primitive::Ordering(op), &args)?;
            let out_dims = vec![Some(target); outputs.len()];
            Ok((outputs, out_dims))
        }
        OrderingOp::TopK { k, axis } => super::top_k::batch(*k, *axis, values, dims),
    }
}
