//! Batching rules of the elementwise primitives (JAX's `defvectorized` and
//! `broadcast_batcher`): a one-operand operation keeps its operand's batch axis; operands of
//! an n-ary operation are moved to one batch axis only when they disagree, and an unmapped
//! rank-0 operand stays as it is, since the primitives broadcast scalars themselves.

use crate::core::{Primitive, bind};
use crate::interpreters::batching::{Batched, broadcast_batch, move_axis};
use crate::lax::rules::broadcast_in_dim;
use crate::{Array, DType, Result};

/// A one-operand elementwise primitive: applied as it is, the batch axis unmoved.
pub(crate) fn unary(
    primitive: &Primitive,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let outputs = bind(primitive.clone(), values)?;
    let out_dims = vec![dims[0]; outputs.len()];
    Ok((outputs, out_dims))
}

/// An n-ary elementwise primitive whose operands share one shape, except that operand `i` may
/// be rank 0 where `scalar_ok[i]`.
pub(crate) fn nary(
    primitive: &Primitive,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
    scalar_ok: &[bool],
) -> Result<Batched> {
    let ranks: Vec<usize> = values
        .iter()
        .zip(dims)
        .map(|(x, d)| x.ndim() - usize::from(d.is_some()))
        .collect();
    let rank = ranks.iter().copied().max().unwrap_or(0);
    // The batch axis of the first full-rank batched operand, else 0.
    let target = values
        .iter()
        .zip(dims)
        .zip(&ranks)
        .find_map(|((_, d), &r)| d.filter(|_| r == rank))
        .unwrap_or(0);
    let agree = dims
        .iter()
        .zip(&ranks)
        .zip(scalar_ok)
        .all(|((d, &r), &ok)| match d {
            Some(d) => *d == target && r == rank,
            None => r == 0 && ok,
        });
    if agree {
        let outputs = bind(primitive.clone(), values)?;
        let out_dims = vec![Some(target); outputs.len()];
        return Ok((outputs, out_dims));
    }
    // The per-example shape, from any full-rank operand.
    let mut shape: Vec<usize> = values
        .iter()
        .zip(dims)
        .zip(&ranks)
        .find_map(|((x, d), &r)| {
            (r == rank).then(|| {
                let mut shape = x.shape().to_vec();
                if let Some(d) = d {
                    shape.remove(*d);
                }
                shape
            })
        })
        .unwrap_or_default();
    shape.insert(target, size);
    let args = values
        .iter()
        .zip(dims)
        .zip(ranks.iter().zip(scalar_ok))
        .map(|((x, d), (&r, &ok))| match d {
            Some(d) if r == rank => move_axis(x, *d, target),
            Some(_) => broadcast_in_dim(x, &shape, &[target]),
            None if r == 0 && ok => Ok(x.clone()),
            None if r == rank => broadcast_batch(x, size, target),
            None => broadcast_in_dim(x, &shape, &[]),
        })
        .collect::<Result<Vec<_>>>()?;
    let outputs = bind(primitive.clone(), &args)?;
    let out_dims = vec![Some(target); outputs.len()];
    Ok((outputs, out_dims))
}

/// `bitcast_convert_type`: a narrower type appends a dimension and a wider one consumes the
/// last, so a batch axis that is last moves to the front first.
pub(crate) fn bitcast_convert_type(
    new_dtype: DType,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let (x, dim) = (&values[0], dims[0].expect("batched"));
    let (x, dim) = if dim + 1 == x.ndim() && new_dtype.size_in_bytes() > x.dtype().size_in_bytes() {
        (move_axis(x, dim, 0)?, 0)
    } else {
        (x.clone(), dim)
    };
    let outputs = bind(Primitive::BitcastConvertType { new_dtype }, &[x])?;
    Ok((outputs, vec![Some(dim)]))
}
