//! Batching rules of the shape primitives (JAX's `_broadcast_in_dim_batch_rule`,
//! `_reshape_batch_rule`, `_transpose_batch_rule`, ...): the batch axis becomes one more
//! dimension in the parameters, kept where it is whenever the primitive allows, so that no
//! transpose is added; only `reshape` (row-major) needs it first.

use crate::core::{Primitive, bind1};
use crate::interpreters::batching::{
    Batched, broadcast_batch, dim_after_removing, full_dim, full_dims, move_axis, one,
};
use crate::{Array, Error, Result};

/// The one-operand shape primitives, batched along `dims[0]`.
pub(crate) fn one_operand(
    primitive: &Primitive,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let (x, d) = match (values, dims) {
        ([x], [Some(d)]) => (x, *d),
        _ => {
            return Err(Error::invalid(
                primitive.name(),
                "batching expects one batched operand",
            ));
        }
    };
    let size = x.shape()[d];
    let (batched, out_dim) = match primitive {
        Primitive::BroadcastInDim {
            shape,
            broadcast_dimensions,
        } => {
            // The batch axis goes right after the result dimension of the operand dimension
            // before it, which keeps `broadcast_dimensions` increasing.
            let p = if d == 0 {
                0
            } else {
                broadcast_dimensions[d - 1] + 1
            };
            let mut new_shape = shape.clone();
            new_shape.insert(p, size);
            let mut new_dims: Vec<usize> = broadcast_dimensions
                .iter()
                .map(|&b| b + usize::from(b >= p))
                .collect();
            new_dims.insert(d, p);
            let primitive = Primitive::BroadcastInDim {
                shape: new_shape,
                broadcast_dimensions: new_dims,
            };
            (bind1(primitive, std::slice::from_ref(x))?, p)
        }
        Primitive::Reshape { new_sizes } => {
            let front = move_axis(x, d, 0)?;
            let mut sizes = vec![size];
            sizes.extend_from_slice(new_sizes);
            let primitive = Primitive::Reshape { new_sizes: sizes };
            (bind1(primitive, &[front])?, 0)
        }
        Primitive::Transpose { permutation } => {
            let mut new_permutation = full_dims(permutation, d);
            new_permutation.insert(d, d);
            let primitive = Primitive::Transpose {
                permutation: new_permutation,
            };
            (bind1(primitive, std::slice::from_ref(x))?, d)
        }
        Primitive::Squeeze { dimensions } => {
            let removed = full_dims(dimensions, d);
            let out_dim = dim_after_removing(d, &removed);
            let primitive = Primitive::Squeeze {
                dimensions: removed,
            };
            (bind1(primitive, std::slice::from_ref(x))?, out_dim)
        }
        Primitive::ExpandDims { dimensions } => {
            let (new_dims, q) = expand_dims_params(dimensions, x.ndim() - 1, d);
            let primitive = Primitive::ExpandDims {
                dimensions: new_dims,
            };
            (bind1(primitive, std::slice::from_ref(x))?, q)
        }
        Primitive::Slice {
            start_indices,
            limit_indices,
            strides,
        } => {
            let (mut start, mut limit, mut step) = (
                start_indices.clone(),
                limit_indices.clone(),
                strides.clone(),
            );
            start.insert(d, 0);
            limit.insert(d, size);
            step.insert(d, 1);
            let primitive = Primitive::Slice {
                start_indices: start,
                limit_indices: limit,
                strides: step,
            };
            (bind1(primitive, std::slice::from_ref(x))?, d)
        }
        _ => {
            return Err(Error::invalid(
                primitive.name(),
                "is not a one-operand shape primitive",
            ));
        }
    };
    Ok(one(batched, out_dim))
}

/// `expand_dims` of a rank-`rank` example batched at `d`: the new dimensions in the batched
/// result, and where the batch axis lands (right after the result position of the operand
/// dimension before it).
fn expand_dims_params(dimensions: &[usize], rank: usize, d: usize) -> (Vec<usize>, usize) {
    let result_rank = rank + dimensions.len();
    let kept: Vec<usize> = (0..result_rank)
        .filter(|j| !dimensions.contains(j))
        .collect();
    let q = if d == 0 { 0 } else { kept[d - 1] + 1 };
    let new_dims = dimensions
        .iter()
        .map(|&j| j + usize::from(j >= q))
        .collect();
    (new_dims, q)
}

/// `concatenate`: every operand batched at the first batched operand's axis (unmapped ones
/// broadcast), joined along the shifted dimension.
pub(crate) fn concatenate(
    dimension: usize,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
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
    let primitive = Primitive::Concatenate {
        dimension: full_dim(dimension, target),
    };
    Ok(one(bind1(primitive, &args)?, target))
}
