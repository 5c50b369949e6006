//! `block_diag`: matrices placed along the diagonal of a larger one.

use crate::numpy as jnp;
use crate::{Array, DType};

/// `jax.scipy.linalg.block_diag(*arrs)`: a matrix with the given blocks on its diagonal and
/// zeros elsewhere. Scalars and vectors count as `1×1` and `1×n` blocks; the dtype is the
/// blocks' promoted dtype (JAX's `promote_dtypes`, so integers stay integers). No blocks
/// give a `1×0` matrix, as in SciPy.
///
/// # Panics
/// If a block has more than 2 dimensions.
#[track_caller]
pub fn block_diag(arrs: &[&Array]) -> Array {
    let blocks: Vec<Array> = arrs
        .iter()
        .map(|a| {
            assert!(
                a.ndim() <= 2,
                "block_diag: arguments must have 2 or fewer dimensions, got {}",
                a.aval()
            );
            jnp::atleast_2d(*a)
        })
        .collect();
    let dtype = common_dtype(&blocks);
    let width: usize = blocks.iter().map(|b| b.shape()[1]).sum();
    if blocks.is_empty() {
        return jnp::zeros(&[1, 0], Some(dtype));
    }
    let mut left = 0;
    let rows: Vec<Array> = blocks
        .iter()
        .map(|block| {
            let (r, c) = (block.shape()[0], block.shape()[1]);
            let row = jnp::concatenate(
                &[
                    &jnp::zeros(&[r, left], Some(dtype)),
                    &block.astype(dtype),
                    &jnp::zeros(&[r, width - left - c], Some(dtype)),
                ],
                1,
            );
            left += c;
            row
        })
        .collect();
    let rows: Vec<&Array> = rows.iter().collect();
    jnp::concatenate(&rows, 0)
}

/// The blocks' promoted dtype (the default float if there are none).
fn common_dtype(blocks: &[Array]) -> DType {
    let x64 = crate::config::x64_enabled();
    if blocks.is_empty() {
        return crate::promotion::default_float(x64);
    }
    let types: Vec<(DType, bool)> = blocks.iter().map(|b| (b.dtype(), b.weak_type())).collect();
    crate::promotion::result_type(&types, x64).0
}
