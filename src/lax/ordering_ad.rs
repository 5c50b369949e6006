//! Differentiation rules of the ordering primitives (JAX's rules in `lax/lax.py` and
//! `lax/control_flow/loops.py`):
//! - argmax and argmin have zero tangents (integer outputs);
//! - `cumsum` is linear and transposes to the cumulative sum in the other direction;
//! - `cumprod`, `cummax` and `cummin` differentiate their [`associative_scan`] formulation
//!   (JAX's `_cumulative_jvp_rule`), so their tangents are built from linear primitives only
//!   and reverse mode transposes them; ties of `cummax`/`cummin` split the tangent as `max`
//!   and `min` do, along JAX's scan tree, and zeros of `cumprod` are handled exactly;
//! - `sort` sorts an iota beside its operands to find the permutation, then gathers the
//!   tangents with it (JAX's `_sort_jvp`).
//!
//! [`associative_scan`]: crate::lax::associative_scan()

use super::associative_scan::associative_scan_flat;
use super::rules::{binary, reshape};
use super::{
    BinaryOp, CumulativeOp, GatherDimensionNumbers, GatherParams, GatherScatterMode, IndexingOp,
    OrderingOp,
};
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::jvp::{Tangent, jvp_flat, tangent_aval};
use crate::interpreters::transpose::LinearInput;
use crate::{Array, DType, Result};

pub(crate) fn jvp(
    op: &OrderingOp,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let primitive = Primitive::Ordering(op.clone());
    match op {
        OrderingOp::Argmax { .. } | OrderingOp::Argmin { .. } => {
            let answers = bind(primitive, primals)?;
            let zeros = answers
                .iter()
                .map(|a| Tangent::Zero(tangent_aval(a.aval())))
                .collect();
            Ok((answers, zeros))
        }
        OrderingOp::Cumulative {
            op: CumulativeOp::Sum,
            ..
        } => super::structural_ad::linear_jvp(&primitive, primals, tangents),
        OrderingOp::Cumulative { op, axis, reverse } => {
            cumulative_jvp(*op, *axis, *reverse, primals, tangents)
        }
        OrderingOp::Sort {
            dimension,
            is_stable,
            num_keys,
        } => sort_jvp(*dimension, *is_stable, *num_keys, primals, tangents),
        OrderingOp::TopK { k, axis } => super::top_k::jvp(*k, *axis, primals, tangents),
    }
}

/// JAX's `_cumulative_jvp_rule`: the JVP of the associative scan by the monoid's binary
/// operation. Its primal output is the scan's too, as in JAX.
fn cumulative_jvp(
    op: CumulativeOp,
    axis: usize,
    reverse: bool,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let combine_op = match op {
        CumulativeOp::Sum => BinaryOp::Add,
        CumulativeOp::Prod => BinaryOp::Mul,
        CumulativeOp::Max => BinaryOp::Max,
        CumulativeOp::Min => BinaryOp::Min,
    };
    let combine = |a: Vec<Array>, b: Vec<Array>| -> Result<Vec<Array>> {
        Ok(vec![binary(combine_op, &a[0], &b[0])?])
    };
    jvp_flat(
        |elems| associative_scan_flat(&combine, elems, reverse, axis),
        primals.to_vec(),
        tangents.to_vec(),
    )
}

/// The dtype of an iota over `shape` (JAX's `int_dtype_for_shape(shape, signed=False)`).
fn index_dtype(shape: &[usize]) -> DType {
    if shape.iter().any(|&d| d as u64 > u64::from(u32::MAX)) {
        DType::U64
    } else {
        DType::U32
    }
}

/// JAX's `_sort_jvp`: sort an iota along `dimension` with the operands (the keys unchanged),
/// then gather every tangent with the resulting permutation, the other dimensions batching.
fn sort_jvp(
    dimension: usize,
    is_stable: bool,
    num_keys: usize,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let shape = primals[0].shape().to_vec();
    let iota = bind1(
        Primitive::Iota {
            dtype: index_dtype(&shape),
            shape: shape.clone(),
            dimension,
        },
        &[],
    )?;
    let mut operands = primals.to_vec();
    operands.push(iota);
    let mut sorted = bind(
        Primitive::Ordering(OrderingOp::Sort {
            dimension,
            is_stable,
            num_keys,
        }),
        &operands,
    )?;
    let permutation = sorted.pop().expect("sort returns one array per operand");
    let out_tangents = primals
        .iter()
        .zip(tangents)
        .map(|(x, t)| {
            t.map_linear(tangent_aval(x.aval()), |t| {
                gather_along(t, &permutation, dimension)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((sorted, out_tangents))
}

/// `x` gathered along `axis` at `indices` (of `x`'s rank, `x`'s shape except along `axis`),
/// the other dimensions batching: `out[.., i, ..] = x[.., indices[.., i, ..], ..]`, as JAX's
/// `_sort_jvp` and `_top_k_jvp` gather tangents.
pub(crate) fn gather_along(x: &Array, indices: &Array, axis: usize) -> Result<Array> {
    let rank = indices.ndim();
    let mut index_shape = indices.shape().to_vec();
    index_shape.push(1);
    let indices = reshape(indices, &index_shape)?;
    let batch: Vec<usize> = (0..rank).filter(|&d| d != axis).collect();
    let gather = IndexingOp::Gather(GatherParams {
        dimension_numbers: GatherDimensionNumbers {
            offset_dims: Vec::new(),
            collapsed_slice_dims: vec![axis],
            start_index_map: vec![axis],
            operand_batching_dims: batch.clone(),
            start_indices_batching_dims: batch,
        },
        slice_sizes: vec![1; rank],
        indices_are_sorted: false,
        unique_indices: false,
        mode: GatherScatterMode::PromiseInBounds,
        fill_value: None,
    });
    bind1(Primitive::Indexing(gather), &[x.clone(), indices])
}

pub(crate) fn transpose(
    op: &OrderingOp,
    ct: &Array,
    _inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    match op {
        OrderingOp::Cumulative {
            op: CumulativeOp::Sum,
            axis,
            reverse,
        } => {
            let flipped = Primitive::Ordering(OrderingOp::Cumulative {
                op: CumulativeOp::Sum,
                axis: *axis,
                reverse: !reverse,
            });
            Ok(vec![Some(Tangent::Value(bind1(
                flipped,
                std::slice::from_ref(ct),
            )?))])
        }
        _ => Err(super::elementwise_ad::not_linear(&Primitive::Ordering(
            op.clone(),
        ))),
    }
}
