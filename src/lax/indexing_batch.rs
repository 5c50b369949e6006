//! Batching rules of the indexing primitives (JAX's `_rev_batch_rule`, `_pad_batch_rule`,
//! `_dynamic_slice_batching_rule`, `_gather_batching_rule`, `_scatter_batching_rule`).
//!
//! Static indexing shifts its parameters past the batch axis. Dynamic indexing with batched
//! start indices becomes one gather (`dynamic_slice`) or one scatter
//! (`dynamic_update_slice`), and gathers and scatters with a batched operand and batched
//! indices pair the two batch axes through the dimension numbers' `operand_batching_dims` and
//! `start_indices_batching_dims`, so nothing is ever looped over.

use super::{
    GatherDimensionNumbers, GatherParams, GatherScatterMode, IndexingOp, ScatterDimensionNumbers,
    ScatterKind, ScatterParams,
};
use crate::core::{Primitive, bind1};
use crate::interpreters::batching::{Batched, bdim_at_front, full_dims, move_axis, one};
use crate::lax::rules::{broadcast_in_dim, select_n};
use crate::scalar::Scalar;
use crate::{Array, DType, Result};

/// The batched `op` applied to `values` batched along `dims`.
pub(crate) fn batch(
    op: &IndexingOp,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let indexing = |op: IndexingOp, args: &[Array]| bind1(Primitive::Indexing(op), args);
    match op {
        IndexingOp::Rev { dimensions } => {
            let d = dims[0].expect("the operand is batched");
            let op = IndexingOp::Rev {
                dimensions: full_dims(dimensions, d),
            };
            Ok(one(indexing(op, &values[..1])?, d))
        }
        IndexingOp::Pad { padding_config } => pad(padding_config, size, values, dims),
        IndexingOp::DynamicSlice { slice_sizes } => {
            if dims[1..].iter().all(Option::is_none) {
                let d = dims[0].expect("the operand is batched");
                let mut sizes = slice_sizes.clone();
                sizes.insert(d, size);
                let args = with_zero_index(values, 1, d)?;
                let op = IndexingOp::DynamicSlice { slice_sizes: sizes };
                return Ok(one(indexing(op, &args)?, d));
            }
            dynamic_slice_as_gather(slice_sizes, size, values, dims)
        }
        IndexingOp::DynamicUpdateSlice => {
            if dims[2..].iter().all(Option::is_none) {
                let target = dims[0].or(dims[1]).expect("operand or update is batched");
                let mut args = vec![
                    to_axis(&values[0], dims[0], target, size)?,
                    to_axis(&values[1], dims[1], target, size)?,
                ];
                args.extend_from_slice(&values[2..]);
                let args = with_zero_index(&args, 2, target)?;
                return Ok(one(
                    indexing(IndexingOp::DynamicUpdateSlice, &args)?,
                    target,
                ));
            }
            dynamic_update_slice_as_scatter(size, values, dims)
        }
        IndexingOp::Gather(params) => gather(params, size, values, dims),
        IndexingOp::Scatter(params) => scatter(params, size, values, dims),
    }
}

/// `x`, batched at `dim` or unmapped, with its batch axis at `target`.
fn to_axis(x: &Array, dim: Option<usize>, target: usize, size: usize) -> Result<Array> {
    crate::interpreters::batching::move_batch_axis(size, dim, Some(target), x)
}

/// `dims` shifted past a new leading dimension.
fn shifted(dims: &[usize]) -> Vec<usize> {
    dims.iter().map(|d| d + 1).collect()
}

/// `0` followed by `dims` shifted past it.
fn leading(dims: &[usize]) -> Vec<usize> {
    std::iter::once(0)
        .chain(dims.iter().map(|d| d + 1))
        .collect()
}

/// A scalar zero of `dtype`, on the host.
fn zero(dtype: DType) -> Result<Array> {
    crate::array::convert(&Array::weak(Scalar::Int(0)), dtype, false)
}

/// `args` with a zero start index for the batch axis `d` inserted among the scalar start
/// indices, which begin at position `first`.
fn with_zero_index(args: &[Array], first: usize, d: usize) -> Result<Vec<Array>> {
    let dtype = args.get(first).map_or(DType::I32, Array::dtype);
    let mut args = args.to_vec();
    args.insert(first + d, zero(dtype)?);
    Ok(args)
}

/// The scalar start indices (batched ones of shape `[N]`) stacked into index vectors `[N, r]`.
fn stack_indices(indices: &[Array], dims: &[Option<usize>], size: usize) -> Result<Array> {
    let columns = indices
        .iter()
        .zip(dims)
        .map(|(index, dim)| {
            let dims: &[usize] = if dim.is_some() { &[0] } else { &[] };
            broadcast_in_dim(index, &[size, 1], dims)
        })
        .collect::<Result<Vec<_>>>()?;
    if columns.len() == 1 {
        return Ok(columns[0].clone());
    }
    bind1(Primitive::Concatenate { dimension: 1 }, &columns)
}

fn pad(
    config: &[(i64, i64, usize)],
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let (x, value) = (&values[0], &values[1]);
    let op = |config: Vec<(i64, i64, usize)>| {
        Primitive::Indexing(IndexingOp::Pad {
            padding_config: config,
        })
    };
    if dims[1].is_none() {
        let d = dims[0].expect("the operand is batched");
        let mut config = config.to_vec();
        config.insert(d, (0, 0, 0));
        return Ok(one(bind1(op(config), values)?, d));
    }
    // A batched padding value: pad with zeros, pad a mask of the operand's elements with
    // `false`, and select the per-example padding value where the mask is off.
    let x = bdim_at_front(x, dims[0], size)?;
    let mut config = config.to_vec();
    config.insert(0, (0, 0, 0));
    let padded = bind1(op(config.clone()), &[x.clone(), zero(x.dtype())?])?;
    let inside = broadcast_in_dim(&Array::scalar(true), x.shape(), &[])?;
    let mask = bind1(op(config), &[inside, Array::scalar(false)])?;
    let fill = broadcast_in_dim(value, padded.shape(), &[0])?;
    Ok(one(select_n(&mask, &[fill, padded])?, 0))
}

/// `dynamic_slice` with batched start indices, as a gather of one slice per example (start
/// indices clamped, as `dynamic_slice` clamps them).
fn dynamic_slice_as_gather(
    slice_sizes: &[usize],
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let rank = slice_sizes.len();
    let indices = stack_indices(&values[1..], &dims[1..], size)?;
    let window: Vec<usize> = (1..=rank).collect();
    let (operand, dimension_numbers, slice_sizes) = match dims[0] {
        Some(d) => {
            let mut sizes = vec![1];
            sizes.extend_from_slice(slice_sizes);
            let numbers = GatherDimensionNumbers {
                offset_dims: window.clone(),
                collapsed_slice_dims: Vec::new(),
                start_index_map: window,
                operand_batching_dims: vec![0],
                start_indices_batching_dims: vec![0],
            };
            (move_axis(&values[0], d, 0)?, numbers, sizes)
        }
        None => {
            let numbers = GatherDimensionNumbers {
                offset_dims: window,
                collapsed_slice_dims: Vec::new(),
                start_index_map: (0..rank).collect(),
                operand_batching_dims: Vec::new(),
                start_indices_batching_dims: Vec::new(),
            };
            (values[0].clone(), numbers, slice_sizes.to_vec())
        }
    };
    let op = IndexingOp::Gather(GatherParams {
        dimension_numbers,
        slice_sizes,
        indices_are_sorted: false,
        unique_indices: false,
        mode: GatherScatterMode::Clip,
        fill_value: None,
    });
    Ok(one(bind1(Primitive::Indexing(op), &[operand, indices])?, 0))
}

/// `dynamic_update_slice` with batched start indices, as a scatter of one window per example
/// (start indices clamped, as `dynamic_update_slice` clamps them).
fn dynamic_update_slice_as_scatter(
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let operand = bdim_at_front(&values[0], dims[0], size)?;
    let update = bdim_at_front(&values[1], dims[1], size)?;
    let indices = stack_indices(&values[2..], &dims[2..], size)?;
    let window: Vec<usize> = (1..operand.ndim()).collect();
    let op = IndexingOp::Scatter(ScatterParams {
        kind: ScatterKind::Set,
        dimension_numbers: ScatterDimensionNumbers {
            update_window_dims: window.clone(),
            inserted_window_dims: Vec::new(),
            scatter_dims_to_operand_dims: window,
            operand_batching_dims: vec![0],
            scatter_indices_batching_dims: vec![0],
        },
        indices_are_sorted: true,
        unique_indices: true,
        mode: GatherScatterMode::Clip,
        dtype: operand.dtype(),
    });
    let out = bind1(Primitive::Indexing(op), &[operand, indices, update])?;
    Ok(one(out, 0))
}

fn gather(
    params: &GatherParams,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let dn = &params.dimension_numbers;
    let (operand, indices) = (&values[0], &values[1]);
    let (args, dimension_numbers, slice_sizes) = match (dims[0], dims[1]) {
        // The batch axis is one more (full-size) slice dimension, the output's first.
        (Some(d), None) => {
            let numbers = GatherDimensionNumbers {
                offset_dims: leading(&dn.offset_dims),
                collapsed_slice_dims: shifted(&dn.collapsed_slice_dims),
                start_index_map: shifted(&dn.start_index_map),
                operand_batching_dims: shifted(&dn.operand_batching_dims),
                start_indices_batching_dims: dn.start_indices_batching_dims.clone(),
            };
            let mut sizes = vec![size];
            sizes.extend_from_slice(&params.slice_sizes);
            ([move_axis(operand, d, 0)?, indices.clone()], numbers, sizes)
        }
        // The batch axis is one more batch dimension of the indices, the output's first.
        (None, Some(d)) => {
            let numbers = GatherDimensionNumbers {
                offset_dims: shifted(&dn.offset_dims),
                start_indices_batching_dims: shifted(&dn.start_indices_batching_dims),
                ..dn.clone()
            };
            (
                [operand.clone(), move_axis(indices, d, 0)?],
                numbers,
                params.slice_sizes.clone(),
            )
        }
        // Both: the operand's and the indices' batch axes pair up as batching dimensions.
        (od, id) => {
            let numbers = GatherDimensionNumbers {
                offset_dims: shifted(&dn.offset_dims),
                collapsed_slice_dims: shifted(&dn.collapsed_slice_dims),
                start_index_map: shifted(&dn.start_index_map),
                operand_batching_dims: leading(&dn.operand_batching_dims),
                start_indices_batching_dims: leading(&dn.start_indices_batching_dims),
            };
            let mut sizes = vec![1];
            sizes.extend_from_slice(&params.slice_sizes);
            (
                [
                    bdim_at_front(operand, od, size)?,
                    bdim_at_front(indices, id, size)?,
                ],
                numbers,
                sizes,
            )
        }
    };
    let op = IndexingOp::Gather(GatherParams {
        dimension_numbers,
        slice_sizes,
        ..params.clone()
    });
    Ok(one(bind1(Primitive::Indexing(op), &args)?, 0))
}

fn scatter(
    params: &ScatterParams,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let dn = &params.dimension_numbers;
    // The result is batched, so the operand is (broadcast if need be), and so are the updates.
    let operand = bdim_at_front(&values[0], dims[0], size)?;
    let updates = bdim_at_front(&values[2], dims[2], size)?;
    let (indices, dimension_numbers) = match dims[1] {
        // The batch axis is one more (full-size) window dimension.
        None => (
            values[1].clone(),
            ScatterDimensionNumbers {
                update_window_dims: leading(&dn.update_window_dims),
                inserted_window_dims: shifted(&dn.inserted_window_dims),
                scatter_dims_to_operand_dims: shifted(&dn.scatter_dims_to_operand_dims),
                operand_batching_dims: shifted(&dn.operand_batching_dims),
                scatter_indices_batching_dims: dn.scatter_indices_batching_dims.clone(),
            },
        ),
        // The operand's and the indices' batch axes pair up as batching dimensions.
        Some(d) => (
            move_axis(&values[1], d, 0)?,
            ScatterDimensionNumbers {
                update_window_dims: shifted(&dn.update_window_dims),
                inserted_window_dims: shifted(&dn.inserted_window_dims),
                scatter_dims_to_operand_dims: shifted(&dn.scatter_dims_to_operand_dims),
                operand_batching_dims: leading(&dn.operand_batching_dims),
                scatter_indices_batching_dims: leading(&dn.scatter_indices_batching_dims),
            },
        ),
    };
    let op = IndexingOp::Scatter(ScatterParams {
        dimension_numbers,
        ..params.clone()
    });
    let out = bind1(Primitive::Indexing(op), &[operand, indices, updates])?;
    Ok(one(out, 0))
}
