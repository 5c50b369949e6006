//! Batching rule of `dot_general` (JAX's `_dot_general_batch_rule` and
//! `_dot_general_batch_dim_nums`): two batched operands gain a shared batch dimension; one
//! batched operand keeps its batch axis as a free dimension, so the other operand is never
//! broadcast (a vmapped matrix-vector product is one matrix-matrix product).

use super::{DotDimensionNumbers, DotOptions};
use crate::core::bind1;
use crate::interpreters::batching::{Batched, full_dims, one};
use crate::{Array, Result};

/// `dot_general(lhs, rhs)` with `lhs` and `rhs` batched along `dims`; the options (dtype and
/// precision) are kept.
pub(crate) fn dot_general(
    numbers: &DotDimensionNumbers,
    options: DotOptions,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let (lhs, rhs) = (&values[0], &values[1]);
    let (new_numbers, out_dim) = batch_dim_numbers(
        numbers,
        (
            lhs.ndim() - usize::from(dims[0].is_some()),
            rhs.ndim() - usize::from(dims[1].is_some()),
        ),
        (dims[0], dims[1]),
    );
    Ok(one(bind1(options.primitive(new_numbers), values)?, out_dim))
}

/// The dimension numbers for operands of per-example ranks `ranks` batched along `bdims`,
/// and the batch axis of the result.
fn batch_dim_numbers(
    numbers: &DotDimensionNumbers,
    ranks: (usize, usize),
    bdims: (Option<usize>, Option<usize>),
) -> (DotDimensionNumbers, usize) {
    let free = |rank: usize, contracting: &[usize], batch: &[usize]| -> Vec<usize> {
        (0..rank)
            .filter(|d| !contracting.contains(d) && !batch.contains(d))
            .collect()
    };
    let n = numbers;
    match bdims {
        (Some(l), Some(r)) => {
            // A new leading batch dimension of the product.
            let mut lhs_batch = vec![l];
            lhs_batch.extend(full_dims(&n.lhs_batch, l));
            let mut rhs_batch = vec![r];
            rhs_batch.extend(full_dims(&n.rhs_batch, r));
            let numbers = DotDimensionNumbers {
                lhs_contracting: full_dims(&n.lhs_contracting, l),
                rhs_contracting: full_dims(&n.rhs_contracting, r),
                lhs_batch,
                rhs_batch,
            };
            (numbers, 0)
        }
        (Some(l), None) => {
            // A free dimension of the left operand: after the batch dimensions and the free
            // dimensions before it.
            let lhs_free = free(ranks.0, &n.lhs_contracting, &n.lhs_batch);
            let out_dim = n.lhs_batch.len() + lhs_free.iter().filter(|&&d| d < l).count();
            let numbers = DotDimensionNumbers {
                lhs_contracting: full_dims(&n.lhs_contracting, l),
                rhs_contracting: n.rhs_contracting.clone(),
                lhs_batch: full_dims(&n.lhs_batch, l),
                rhs_batch: n.rhs_batch.clone(),
            };
            (numbers, out_dim)
        }
        (None, Some(r)) => {
            // A free dimension of the right operand: after all of the left operand's result
            // dimensions and the right operand's free dimensions before it.
            let rhs_free = free(ranks.1, &n.rhs_contracting, &n.rhs_batch);
            let out_dim =
                ranks.0 - n.lhs_contracting.len() + rhs_free.iter().filter(|&&d| d < r).count();
            let numbers = DotDimensionNumbers {
                lhs_contracting: n.lhs_contracting.clone(),
                rhs_contracting: full_dims(&n.rhs_contracting, r),
                lhs_batch: n.lhs_batch.clone(),
                rhs_batch: full_dims(&n.rhs_batch, r),
            };
            (numbers, out_dim)
        }
        (None, None) => (n.clone(), 0),
    }
}
