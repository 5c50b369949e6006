//! Differentiation rules of the indexing primitives (JAX's rules in `lax/slicing.py`): rev, pad,
//! dynamic_slice, dynamic_update_slice, gather and scatter-add/sub are linear in their array
//! operands (never in the indices), and each transposes into another indexing primitive:
//! gather into scatter-add and back, dynamic_slice into dynamic_update_slice of zeros, pad into
//! a strided slice of an un-padding.
//!
//! The other scatters follow JAX: `scatter` scatters the tangents as the values when indices
//! are unique, and otherwise finds which update won each element by scattering ids
//! (`_scatter_jvp`); `scatter-mul` multiplies the tangents by the other operand;
//! `scatter-min`/`scatter-max` average the tangents of tied candidates
//! (`_scatter_extremal_jvp`). `scatter` with unique indices and `scatter-mul` (in one operand)
//! have transposes; as in JAX, the updates' derivative of `scatter-mul` and the transpose of
//! `scatter` need `unique_indices`.

use super::rules::{
    add, broadcast_in_dim, compare, div, mul, reduce_sum, reshape, scalar_like, select_n, sub,
};
use super::{
    Comparison, FillValue, GatherDimensionNumbers, GatherParams, GatherScatterMode, IndexingOp,
    ScatterDimensionNumbers, ScatterKind, ScatterParams,
};
use crate::core::{Primitive, bind1};
use crate::interpreters::jvp::{Tangent, tangent_aval, zeros};
use crate::interpreters::transpose::LinearInput;
use crate::scalar::Scalar;
use crate::{Array, DType, Error, Result};

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
        IndexingOp::Scatter(params) => return scatter_jvp(params, primals, tangents),
    };
    if linear.iter().all(|&i| tangents[i].is_zero()) {
        return Ok((vec![ans], vec![Tangent::Zero(out)]));
    }
    let mut args = primals.to_vec();
    for &i in linear {
        args[i] = tangents[i].instantiate()?;
    }
    // Out-of-bounds slices are filled with the fill value, a constant: their tangent is 0.
    let tangent_op = match op {
        IndexingOp::Gather(params) if params.mode == GatherScatterMode::FillOrDrop => {
            IndexingOp::Gather(GatherParams {
                fill_value: Some(FillValue(Scalar::Int(0))),
                ..params.clone()
            })
        }
        _ => op.clone(),
    };
    Ok((
        vec![ans],
        vec![Tangent::Value(indexing(tangent_op, &args)?)],
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
        IndexingOp::Scatter(params) => {
            return scatter_transpose(params, ct, inputs);
        }
    }
    Ok(cts)
}

// --- the scatters other than scatter-add and scatter-sub -----------------------------------------

/// `scatter` with `params`, but combining by `kind` on an operand of `operand`'s dtype.
fn scatter_as(
    kind: ScatterKind,
    params: &ScatterParams,
    operand: &Array,
    indices: &Array,
    updates: &Array,
) -> Result<Array> {
    let params = ScatterParams {
        kind,
        dtype: operand.dtype(),
        ..params.clone()
    };
    indexing(
        IndexingOp::Scatter(params),
        &[operand.clone(), indices.clone(), updates.clone()],
    )
}

/// A scatter-add with `params`' dimension numbers and JAX's defaults for the rest (unsorted,
/// possibly repeated indices, out-of-bounds windows dropped).
fn plain_scatter_add(
    params: &ScatterParams,
    operand: &Array,
    indices: &Array,
    updates: &Array,
) -> Result<Array> {
    let params = ScatterParams {
        indices_are_sorted: false,
        unique_indices: false,
        mode: GatherScatterMode::FillOrDrop,
        ..params.clone()
    };
    scatter_as(ScatterKind::Add, &params, operand, indices, updates)
}

/// The gather that reads back, at each index vector, the window a scatter with `params`
/// writes from updates of shape `updates` (the inverse gather of JAX's scatter rules): `x` at
/// those windows, shaped like the updates. With `mode` `FillOrDrop`, out-of-bounds windows
/// read 0.
fn gather_windows(
    params: &ScatterParams,
    x: &Array,
    indices: &Array,
    updates: &[usize],
    mode: GatherScatterMode,
) -> Result<Array> {
    let numbers = &params.dimension_numbers;
    let mut window = numbers.update_window_dims.iter();
    let slice_sizes = (0..x.ndim())
        .map(|d| {
            if numbers.inserted_window_dims.contains(&d)
                || numbers.operand_batching_dims.contains(&d)
            {
                1
            } else {
                updates[*window
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
        indices_are_sorted: false,
        unique_indices: false,
        mode,
        fill_value: (mode == GatherScatterMode::FillOrDrop).then_some(FillValue(Scalar::Int(0))),
    };
    indexing(IndexingOp::Gather(gather), &[x.clone(), indices.clone()])
}

/// An array of `like`'s type filled with `value`.
fn full_like(like: &Array, value: f64) -> Result<Array> {
    broadcast_in_dim(&scalar_like(like, value)?, like.shape(), &[])
}

/// `x` where `keep`, zero elsewhere.
fn masked(keep: &Array, x: &Array) -> Result<Array> {
    select_n(keep, &[zeros(&tangent_aval(x.aval()))?, x.clone()])
}

/// The JVPs of `scatter`, `scatter-mul`, `scatter-min` and `scatter-max` (JAX's `_scatter_jvp`,
/// the JVP of `scatter_mul_p`, and `_scatter_extremal_jvp`); scatter-add and scatter-sub are
/// linear and handled by [`jvp`].
fn scatter_jvp(
    params: &ScatterParams,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let [operand, indices, updates] = primals else {
        unreachable!("a scatter has three operands")
    };
    let (g_operand, g_updates) = (&tangents[0], &tangents[2]);
    let primal = |kind| scatter_as(kind, params, operand, indices, updates);
    if g_operand.is_zero() && g_updates.is_zero() {
        let ans = primal(params.kind)?;
        let zero = Tangent::Zero(tangent_aval(ans.aval()));
        return Ok((vec![ans], vec![zero]));
    }
    let (ans, tangent) = match params.kind {
        ScatterKind::Add | ScatterKind::Sub => unreachable!("linear scatters are handled by jvp"),
        ScatterKind::Set if params.unique_indices => {
            // The windows do not overlap: the tangents scatter as the values do.
            let tangent = scatter_as(
                ScatterKind::Set,
                params,
                &g_operand.instantiate()?,
                indices,
                &g_updates.instantiate()?,
            )?;
            (primal(ScatterKind::Set)?, tangent)
        }
        ScatterKind::Set => return scatter_set_jvp(params, primals, tangents),
        ScatterKind::Mul => {
            let ans = primal(ScatterKind::Mul)?;
            let out = Tangent::Zero(tangent_aval(ans.aval()));
            let from_operand = g_operand.map_linear(tangent_aval(ans.aval()), |g| {
                scatter_as(ScatterKind::Mul, params, g, indices, updates)
            })?;
            let from_updates = match g_updates {
                Tangent::Zero(_) => out,
                Tangent::Value(g) => {
                    if !params.unique_indices {
                        return Err(Error::invalid(
                            params.kind.name(),
                            "scatter_mul gradients are only implemented if `unique_indices=True`",
                        ));
                    }
                    let zero = zeros(&tangent_aval(operand.aval()))?;
                    let spread = scatter_as(ScatterKind::Add, params, &zero, indices, g)?;
                    Tangent::Value(mul(operand, &spread)?)
                }
            };
            return Ok((vec![ans], vec![from_operand.add(from_updates)?]));
        }
        ScatterKind::Min | ScatterKind::Max => scatter_extremal_jvp(
            params,
            primals,
            &g_operand.instantiate()?,
            &g_updates.instantiate()?,
        )?,
    };
    Ok((vec![ans], vec![Tangent::Value(tangent)]))
}

/// JAX's `_scatter_jvp` for possibly repeated indices. Which of several updates of one element
/// wins is unspecified, so the rule finds out: it scatters a distinct positive id per update,
/// gathers the ids back, and keeps only the operand elements no update reached and the updates
/// whose id survived; a scatter-add of those kept values (and of their tangents) is the
/// output (and its tangent), linear in the tangents.
fn scatter_set_jvp(
    params: &ScatterParams,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let [operand, indices, updates] = primals else {
        unreachable!("a scatter has three operands")
    };
    let mut ids_shape = updates.shape().to_vec();
    for &d in &params.dimension_numbers.update_window_dims {
        ids_shape[d] = 1;
    }
    let num_ids: usize = ids_shape.iter().product();
    let id_dtype = if num_ids as u64 > u64::from(u32::MAX) {
        DType::U64
    } else {
        DType::U32
    };
    let ids = bind1(
        Primitive::Iota {
            dtype: id_dtype,
            shape: vec![num_ids],
            dimension: 0,
        },
        &[],
    )?;
    let one = crate::array::convert(&Array::weak(Scalar::Int(1)), id_dtype, false)?;
    let ids = add(&reshape(&ids, &ids_shape)?, &one)?;
    let all_dims: Vec<usize> = (0..updates.ndim()).collect();
    let update_ids = broadcast_in_dim(&ids, updates.shape(), &all_dims)?;
    let no_ids = zeros(&operand.aval().with_dtype(id_dtype))?;
    let scattered_ids = scatter_as(ScatterKind::Set, params, &no_ids, indices, &update_ids)?;
    let gathered_ids = gather_windows(
        params,
        &scattered_ids,
        indices,
        updates.shape(),
        GatherScatterMode::PromiseInBounds,
    )?;
    let operand_kept = compare(Comparison::Eq, &scattered_ids, &no_ids)?;
    let update_kept = compare(Comparison::Eq, &update_ids, &gathered_ids)?;
    let combine = |x: &Array, u: &Array| {
        let (x, u) = (masked(&operand_kept, x)?, masked(&update_kept, u)?);
        scatter_as(ScatterKind::Add, params, &x, indices, &u)
    };
    let ans = combine(operand, updates)?;
    let tangent = combine(&tangents[0].instantiate()?, &tangents[2].instantiate()?)?;
    Ok((vec![ans], vec![Tangent::Value(tangent)]))
}

/// JAX's `_scatter_extremal_jvp`: where updates tie with each other or with the operand for
/// the extremum of an element, its tangent is the average of the tied ones' tangents.
fn scatter_extremal_jvp(
    params: &ScatterParams,
    primals: &[Array],
    g_operand: &Array,
    g_updates: &Array,
) -> Result<(Array, Array)> {
    let [operand, indices, updates] = primals else {
        unreachable!("a scatter has three operands")
    };
    let ans = scatter_as(params.kind, params, operand, indices, updates)?;
    let windows = |x: &Array| {
        gather_windows(
            params,
            x,
            indices,
            updates.shape(),
            GatherScatterMode::PromiseInBounds,
        )
    };
    let initial_vals = windows(operand)?;
    let target_vals = windows(&ans)?;
    let successful_updates = compare(Comparison::Eq, updates, &target_vals)?;
    let retained_values = compare(Comparison::Eq, &initial_vals, &target_vals)?;
    let (no_operand, no_updates) = (full_like(operand, 0.0)?, full_like(updates, 0.0)?);
    let ones = full_like(updates, 1.0)?;
    let count = |u: &Array| windows(&plain_scatter_add(params, &no_operand, indices, u)?);
    let num_updates = count(&select_n(
        &successful_updates,
        &[no_updates.clone(), ones.clone()],
    )?)?;
    let num_refs = count(&ones)?;
    let one = scalar_like(&num_updates, 1.0)?;
    let shared = div(&one, &add(&num_updates, &one)?)?;
    let updates_normalizer = select_n(
        &retained_values,
        &[div(&one, &num_updates)?, shared.clone()],
    )?;
    let updates_coef = select_n(
        &successful_updates,
        &[no_updates.clone(), updates_normalizer],
    )?;
    let operand_normalizer = select_n(&retained_values, &[no_updates, shared])?;
    let operand_coef = div(
        &add(&scalar_like(&num_updates, -1.0)?, &operand_normalizer)?,
        &num_refs,
    )?;
    let target_tangents = windows(g_operand)?;
    let tangent_updates = add(
        &mul(&target_tangents, &operand_coef)?,
        &mul(g_updates, &updates_coef)?,
    )?;
    let tangent = scatter_as(
        ScatterKind::Add,
        params,
        g_operand,
        indices,
        &tangent_updates,
    )?;
    Ok((ans, tangent))
}

/// The transposes of the scatters (JAX's `_scatter_addsub_transpose_rule`,
/// `_scatter_transpose_rule` and `_scatter_mul_transpose_rule`): scatter-add and scatter-sub
/// in operand and updates; `scatter` with unique indices in both, jointly (the operand's
/// cotangent is zero where updates land, the updates' is the cotangent there); `scatter-mul` in
/// the operand (by the known updates) or, with unique indices, in the updates (by the known
/// operand).
fn scatter_transpose(
    params: &ScatterParams,
    ct: &Array,
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let not_linear = || {
        super::elementwise_ad::not_linear(&Primitive::Indexing(IndexingOp::Scatter(params.clone())))
    };
    let known = |i: usize| match &inputs[i] {
        LinearInput::Known(value) => Ok(value.clone()),
        LinearInput::Undefined(_) => Err(not_linear()),
    };
    let undefined = |i: usize| matches!(inputs[i], LinearInput::Undefined(_));
    let indices = known(1)?;
    let updates_shape = inputs[2].aval().shape.clone();
    let windows = |x: &Array| gather_windows(params, x, &indices, &updates_shape, params.mode);
    let mut cts: Vec<Option<Tangent>> = vec![None; 3];
    let value = |x: Array| Some(Tangent::Value(x));
    match params.kind {
        ScatterKind::Add | ScatterKind::Sub => {
            if undefined(0) {
                cts[0] = value(ct.clone());
            }
            if undefined(2) {
                let gathered = windows(ct)?;
                cts[2] = value(if params.kind == ScatterKind::Sub {
                    super::rules::neg(&gathered)?
                } else {
                    gathered
                });
            }
        }
        ScatterKind::Set => {
            if !params.unique_indices {
                return Err(Error::invalid(
                    params.kind.name(),
                    "scatter transpose is only implemented where unique_indices=True",
                ));
            }
            if undefined(0) {
                let no_updates = zeros(&tangent_aval(inputs[2].aval()).with_dtype(ct.dtype()))?;
                cts[0] = value(scatter_as(
                    ScatterKind::Set,
                    params,
                    ct,
                    &indices,
                    &no_updates,
                )?);
            }
            if undefined(2) {
                cts[2] = value(windows(ct)?);
            }
        }
        ScatterKind::Mul => {
            if undefined(0) && undefined(2) {
                return Err(not_linear());
            }
            if undefined(0) {
                cts[0] = value(scatter_as(
                    ScatterKind::Mul,
                    params,
                    ct,
                    &indices,
                    &known(2)?,
                )?);
            }
            if undefined(2) {
                if !params.unique_indices {
                    return Err(Error::invalid(
                        params.kind.name(),
                        "scatter_mul gradients are only implemented if `unique_indices=True`",
                    ));
                }
                cts[2] = value(windows(&mul(ct, &known(0)?)?)?);
            }
        }
        ScatterKind::Min | ScatterKind::Max => return Err(not_linear()),
    }
    Ok(cts)
}
