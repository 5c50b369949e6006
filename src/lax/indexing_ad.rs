//! Differentiation rules of the indexing primitives (JAX's rules in `lax/slicing.py`): all of
//! rev, pad, dynamic_slice, dynamic_update_slice, gather and scatter-add are linear in their
//! array operands (never in the indices), and each transposes into another indexing primitive:
//! gather into scatter-add and back, dynamic_slice into dynamic_update_slice of zeros, pad into
//! a strided slice of an un-padding.

use super::rules::{reduce_sum, scalar_like, sub};
use super::{
    FillValue, GatherDimensionNumbers, GatherParams, IndexingOp, ScatterDimensionNumbers,
    ScatterKind, ScatterParams,
};
use crate::core::{Primitive, bind1};
use crate::interpreters::jvp::{Tangent, tangent_aval, zeros};
use crate::interpreters::transpose::LinearInput;
use crate::scalar::Scalar;
use crate::{Array, Error, Result};

fn indexing(op: IndexingOp, args: &[Array]) -> Result<Array> {
    bind1(Primitive::Indexing(op), args)
}

/// The JVP: the primitive applied to the tangents of the array operands, the other operands
/// (indices) as they are.
pub(crate) fn jvp(
    op: &IndexingOp,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let ans = indexing(op.clone(), primals)?;
    let out = tangent_aval(ans.aval());
    // Which operands carry array data the output is linear in.
    let linear: &[usize] = match op {
        IndexingOp::Rev { .. } | IndexingOp::DynamicSlice { .. } | IndexingOp::Gather(_) => &[0],
        IndexingOp::Pad { .. } | IndexingOp::DynamicUpdateSlice => &[0, 1],
        IndexingOp::Scatter(ScatterParams {
            kind: ScatterKind::Add | ScatterKind::Sub,
            ..
        }) => &[0, 2],
        IndexingOp::Scatter(_) => {
            return Err(Error::invalid(
                op.name(),
                "differentiating this scatter is not implemented yet; scatter-add and scatter-sub are",
            ));
        }
    };
    if linear.iter().all(|&i| tangents[i].is_zero()) {
        return Ok((vec![ans], vec![Tangent::Zero(out)]));
    }
    let mut args = primals.to_vec();
    for &i in linear {
        args[i] = tangents[i].instantiate()?;
    }
    Ok((
        vec![ans],
        vec![Tangent::Value(indexing(op.clone(), &args)?)],
    ))
}

pub(crate) fn transpose(
    op: &IndexingOp,
    ct: &Array,
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let known = |i: usize| match &inputs[i] {
        LinearInput::Known(value) => Ok(value.clone()),
        LinearInput::Undefined(_) => Err(super::elementwise_ad::not_linear(&Primitive::Indexing(
            op.clone(),
        ))),
    };
    let undefined = |i: usize| matches!(inputs[i], LinearInput::Undefined(_));
    let value = |x: Array| Some(Tangent::Value(x));
    let mut cts: Vec<Option<Tangent>> = vec![None; inputs.len()];
    match op {
        IndexingOp::Rev { .. } => cts[0] = value(indexing(op.clone(), std::slice::from_ref(ct))?),
        IndexingOp::Pad { padding_config } => {
            // Undo the edges by padding with their negation, then drop the interior padding by
            // a strided slice.
            let unpad = padding_config
                .iter()
                .map(|&(lo, hi, _)| (-lo, -hi, 0))
                .collect();
            let unpadded = indexing(
                IndexingOp::Pad {
                    padding_config: unpad,
                },
                &[ct.clone(), scalar_like(ct, 0.0)?],
            )?;
            let operand = bind1(
                Primitive::Slice {
                    start_indices: vec![0; ct.ndim()],
                    limit_indices: unpadded.shape().to_vec(),
                    strides: padding_config
                        .iter()
                        .map(|&(_, _, interior)| interior + 1)
                        .collect(),
                },
                &[unpadded],
            )?;
            if undefined(1) {
                let all: Vec<usize> = (0..ct.ndim()).collect();
                cts[1] = value(sub(&reduce_sum(ct, &all)?, &reduce_sum(&operand, &all)?)?);
            }
            if undefined(0) {
                cts[0] = value(operand);
            }
        }
        IndexingOp::DynamicSlice { .. } => {
            let zero = zeros(&tangent_aval(inputs[0].aval()))?;
            let mut args = vec![zero, ct.clone()];
            args.extend((1..inputs.len()).map(known).collect::<Result<Vec<_>>>()?);
            cts[0] = value(indexing(IndexingOp::DynamicUpdateSlice, &args)?);
        }
        IndexingOp::DynamicUpdateSlice => {
            let indices = (2..inputs.len()).map(known).collect::<Result<Vec<_>>>()?;
            let update = inputs[1].aval();
            if undefined(0) {
                let mut args = vec![ct.clone(), zeros(&tangent_aval(update))?];
                args.extend(indices.iter().cloned());
                cts[0] = value(indexing(IndexingOp::DynamicUpdateSlice, &args)?);
            }
            if undefined(1) {
                let mut args = vec![ct.clone()];
                args.extend(indices);
                cts[1] = value(indexing(
                    IndexingOp::DynamicSlice {
                        slice_sizes: update.shape.clone(),
                    },
                    &args,
                )?);
            }
        }
        IndexingOp::Gather(params) => {
            let numbers = &params.dimension_numbers;
            let scatter = ScatterParams {
                kind: ScatterKind::Add,
                dimension_numbers: ScatterDimensionNumbers {
                    update_window_dims: numbers.offset_dims.clone(),
                    inserted_window_dims: numbers.collapsed_slice_dims.clone(),
                    scatter_dims_to_operand_dims: numbers.start_index_map.clone(),
                    operand_batching_dims: numbers.operand_batching_dims.clone(),
                    scatter_indices_batching_dims: numbers.start_indices_batching_dims.clone(),
                },
                indices_are_sorted: params.indices_are_sorted,
                unique_indices: params.unique_indices,
                mode: params.mode,
                dtype: ct.dtype(),
            };
            let zero = zeros(&tangent_aval(inputs[0].aval()))?;
            cts[0] = value(indexing(
                IndexingOp::Scatter(scatter),
                &[zero, known(1)?, ct.clone()],
            )?);
        }
        IndexingOp::Scatter(
            params @ ScatterParams {
                kind: ScatterKind::Add | ScatterKind::Sub,
                ..
            },
        ) => {
            if undefined(0) {
                cts[0] = value(ct.clone());
            }
            if undefined(2) {
                let numbers = &params.dimension_numbers;
                let updates = inputs[2].aval();
                let mut window = numbers.update_window_dims.iter();
                let slice_sizes = (0..ct.ndim())
                    .map(|d| {
                        if numbers.inserted_window_dims.contains(&d)
                            || numbers.operand_batching_dims.contains(&d)
                        {
                            1
                        } else {
                            updates.shape[*window
                                .next()
                                .expect("one window dimension per kept operand dimension")]
                        }
                    })
                    .collect();
                let gather = GatherParams {
                    dimension_numbers: GatherDimensionNumbers {
                        offset_dims: numbers.update_window_dims.clone(),
                        collapsed_slice_dims: numbers.inserted_window_dims.clone(),
                        start_index_map: numbers.scatter_dims_to_operand_dims.clone(),
                        operand_batching_dims: numbers.operand_batching_dims.clone(),
                        start_indices_batching_dims: numbers.scatter_indices_batching_dims.clone(),
                    },
                    slice_sizes,
                    indices_are_sorted: params.indices_are_sorted,
                    unique_indices: params.unique_indices,
                    mode: params.mode,
                    fill_value: Some(FillValue(Scalar::Int(0))),
                };
                let gathered = indexing(IndexingOp::Gather(gather), &[ct.clone(), known(1)?])?;
                cts[2] = value(if params.kind == ScatterKind::Sub {
                    super::rules::neg(&gathered)?
                } else {
                    gathered
                });
            }
        }
        IndexingOp::Scatter(_) => {
            return Err(super::elementwise_ad::not_linear(&Primitive::Indexing(
                op.clone(),
            )));
        }
    }
    Ok(cts)
}
