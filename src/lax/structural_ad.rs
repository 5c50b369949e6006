//! Differentiation rules of the shape primitives and of `reduce_sum`: all are linear, so the
//! JVP applies the primitive to the tangents, and each has a transpose.

use super::rules::{broadcast_in_dim, reduce_sum, reshape, transpose};
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::interpreters::transpose::LinearInput;
use crate::lax::{IndexingOp, ReduceOp};
use crate::{Array, Result};

/// The JVP of a primitive linear in all its operands: the primitive applied to the tangents.
pub(crate) fn linear_jvp(
    primitive: &Primitive,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let answers = bind(primitive.clone(), primals)?;
    if tangents.iter().all(Tangent::is_zero) {
        let zero = answers
            .iter()
            .map(|a| Tangent::Zero(tangent_aval(a.aval())))
            .collect();
        return Ok((answers, zero));
    }
    let tangents = tangents
        .iter()
        .map(Tangent::instantiate)
        .collect::<Result<Vec<_>>>()?;
    let out = bind(primitive.clone(), &tangents)?
        .into_iter()
        .map(Tangent::Value)
        .collect();
    Ok((answers, out))
}

/// The cotangents of the operands of a linear shape primitive, given the output's `ct`.
pub(crate) fn transpose_rule(
    primitive: &Primitive,
    ct: &Array,
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let operand = inputs[0].aval().clone();
    let value = |x: Array| Ok(vec![Some(Tangent::Value(x))]);
    match primitive {
        Primitive::BroadcastInDim {
            shape,
            broadcast_dimensions,
        } => {
            // Sum over the new dimensions and over those a size-1 operand dimension was
            // stretched along.
            let stretched = broadcast_dimensions
                .iter()
                .zip(&operand.shape)
                .filter(|&(&d, &size)| size == 1 && shape[d] != 1)
                .map(|(&d, _)| d);
            let mut axes: Vec<usize> = (0..shape.len())
                .filter(|d| !broadcast_dimensions.contains(d))
                .collect();
            axes.extend(stretched);
            axes.sort_unstable();
            value(reshape(&reduce_sum(ct, &axes)?, &operand.shape)?)
        }
        Primitive::Reshape { .. } | Primitive::Squeeze { .. } | Primitive::ExpandDims { .. } => {
            value(reshape(ct, &operand.shape)?)
        }
        Primitive::Transpose { permutation } => {
            let mut inverse = vec![0; permutation.len()];
            for (i, &p) in permutation.iter().enumerate() {
                inverse[p] = i;
            }
            value(transpose(ct, &inverse)?)
        }
        Primitive::Reduce {
            op: ReduceOp::Sum,
            axes,
        } => {
            let kept: Vec<usize> = (0..operand.ndim()).filter(|d| !axes.contains(d)).collect();
            value(broadcast_in_dim(ct, &operand.shape, &kept)?)
        }
        Primitive::Slice {
            start_indices,
            strides,
            ..
        } => value(unslice(ct, &operand.shape, start_indices, strides)?),
        Primitive::Concatenate { dimension } => {
            let mut start = 0;
            let mut cotangents = Vec::with_capacity(inputs.len());
            for input in inputs {
                let aval = input.aval();
                let size = aval.shape[*dimension];
                cotangents.push(match input {
                    LinearInput::Undefined(_) => {
                        let mut starts = vec![0; aval.ndim()];
                        let mut limits = ct.shape().to_vec();
                        starts[*dimension] = start;
                        limits[*dimension] = start + size;
                        let strides = vec![1; aval.ndim()];
                        let piece = Primitive::Slice {
                            start_indices: starts,
                            limit_indices: limits,
                            strides,
                        };
                        Some(Tangent::Value(bind1(piece, std::slice::from_ref(ct))?))
                    }
                    LinearInput::Known(_) => None,
                });
                start += size;
            }
            Ok(cotangents)
        }
        _ => Err(super::elementwise_ad::not_linear(primitive)),
    }
}

/// The transpose of a strided slice: `ct` placed back into zeros of `shape` with `pad`
/// (low padding up to the start, interior padding between strided elements, high padding to
/// the end).
fn unslice(ct: &Array, shape: &[usize], start: &[usize], strides: &[usize]) -> Result<Array> {
    let config: Vec<(i64, i64, usize)> = (0..shape.len())
        .map(|d| {
            let count = ct.shape()[d];
            let covered = if count == 0 {
                0
            } else {
                (count - 1) * strides[d] + 1
            };
            let high = shape[d] - start[d] - covered;
            (start[d] as i64, high as i64, strides[d] - 1)
        })
        .collect();
    let zero = super::rules::scalar_like(ct, 0.0)?;
    bind1(
        Primitive::Indexing(IndexingOp::Pad {
            padding_config: config,
        }),
        &[ct.clone(), zero],
    )
}
