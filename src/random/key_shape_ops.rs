//! What every primitive does with key arrays (JAX's extended-dtype rules for `key<...>`).
//!
//! Only shape operations accept keys, as in JAX: `broadcast_in_dim`, `reshape`, `transpose`,
//! `squeeze`, `expand_dims`, `slice`, `concatenate`, `select_n`, `rev`, `dynamic_slice`,
//! `dynamic_update_slice`, `gather` and `scatter` (replacing elements: `x.at[i].set(key)`;
//! the combining scatters are arithmetic). [`bind_with_keys`] runs such an operation on the key
//! data instead (`random_unwrap`, the operation with the key words as one more trailing
//! dimension, `random_wrap`), so that no other rule ever sees a key operand. Calls and control
//! flow (`jit`, `cond`, `while`, `scan`, custom derivatives, `checkpoint`), `copy`,
//! `stop_gradient`, `name` and host callbacks take keys as they are: their rules only move
//! values, and lowering gives keys their physical type (so a compiled program hands a host
//! callback the key data, as JAX's does). Every other primitive (arithmetic, comparisons,
//! reductions, conversions to or from keys) is an error naming it and the key dtype.

use super::constant;
use super::key_primitives::{random_unwrap, random_wrap};
use crate::array::Array;
use crate::core::{Primitive, bind};
use crate::lax::{IndexingOp, ScatterKind};
use crate::scalar::Scalar;
use crate::{DType, Error, Result};

/// `primitive` applied to `args` when some operand (or a dtype parameter) is a key dtype:
/// `None` when no key is involved or the primitive takes keys as they are, otherwise the
/// result of the operation on the key data, or the error of a primitive keys do not support.
pub(crate) fn bind_with_keys(primitive: &Primitive, args: &[Array]) -> Option<Result<Vec<Array>>> {
    let key_dtype = args
        .iter()
        .map(Array::dtype)
        .chain(dtype_parameter(primitive))
        .find(|dtype| dtype.is_key())?;
    if takes_keys_as_they_are(primitive) {
        return None;
    }
    let DType::Key(prng) = key_dtype else {
        unreachable!("found a key dtype")
    };
    let Some(key_operands) = key_operand_positions(primitive, args.len()) else {
        return Some(Err(not_accepted(primitive, args)));
    };
    if let Some(error) = check_operands(primitive, args, &key_operands, key_dtype) {
        return Some(Err(error));
    }
    let data: Vec<Array> = args
        .iter()
        .enumerate()
        .map(|(i, arg)| match key_operands.contains(&i) {
            true => random_unwrap(arg),
            false => arg.clone(),
        })
        .collect();
    let (physical, data) = on_key_data(primitive, data, prng.key_words());
    Some(
        bind(physical, &data)
            .map(|outputs| outputs.iter().map(|out| random_wrap(out, prng)).collect()),
    )
}

/// A dtype named by the primitive's parameters (a conversion's target, an iota's dtype).
fn dtype_parameter(primitive: &Primitive) -> Option<DType> {
    match primitive {
        Primitive::ConvertElementType { new_dtype, .. }
        | Primitive::BitcastConvertType { new_dtype } => Some(*new_dtype),
        Primitive::Iota { dtype, .. } => Some(*dtype),
        _ => None,
    }
}

/// Whether the primitive's rules only move values, so key operands pass through unchanged.
fn takes_keys_as_they_are(primitive: &Primitive) -> bool {
    matches!(
        primitive,
        Primitive::Random(_)
            | Primitive::Call { .. }
            | Primitive::Cond { .. }
            | Primitive::While { .. }
            | Primitive::Scan { .. }
            | Primitive::CustomJvpCall { .. }
            | Primitive::CustomVjpCall { .. }
            | Primitive::CustomLin { .. }
            | Primitive::Checkpoint(_)
            | Primitive::Copy
            | Primitive::StopGradient
            | Primitive::CheckpointName { .. }
            | Primitive::HostCallback(_)
    )
}

/// Which operands of a shape operation are the arrays being reshaped (the others are
/// indices or a selector); `None` for primitives that do not accept keys.
fn key_operand_positions(primitive: &Primitive, num_args: usize) -> Option<Vec<usize>> {
    match primitive {
        Primitive::BroadcastInDim { .. }
        | Primitive::Reshape { .. }
        | Primitive::Transpose { .. }
        | Primitive::Squeeze { .. }
        | Primitive::ExpandDims { .. }
        | Primitive::Slice { .. }
        | Primitive::Indexing(
            IndexingOp::Rev { .. } | IndexingOp::DynamicSlice { .. } | IndexingOp::Gather(_),
        ) => Some(vec![0]),
        Primitive::Concatenate { .. } => Some((0..num_args).collect()),
        Primitive::SelectN => Some((1..num_args).collect()),
        Primitive::Indexing(IndexingOp::DynamicUpdateSlice) => Some(vec![0, 1]),
        Primitive::Indexing(IndexingOp::Scatter(params)) if params.kind == ScatterKind::Set => {
            Some(vec![0, 2])
        }
        _ => None,
    }
}

/// JAX's error for an operation on keys: the operation and the operands' dtypes.
fn not_accepted(primitive: &Primitive, args: &[Array]) -> Error {
    let mut dtypes: Vec<&str> = args.iter().map(|arg| arg.dtype().name()).collect();
    if let Some(dtype) = dtype_parameter(primitive) {
        dtypes.push(dtype.name());
    }
    Error::invalid(
        primitive.name(),
        format!(
            "{} does not accept dtypes {} (arrays of PRNG keys only support shape operations; \
             use rjax::random::key_data for their uint32 data)",
            primitive.name(),
            dtypes.join(", ")
        ),
    )
}

/// An error unless the reshaped operands all have the one key dtype and no index is a key.
fn check_operands(
    primitive: &Primitive,
    args: &[Array],
    key_operands: &[usize],
    key_dtype: DType,
) -> Option<Error> {
    let fits = args.iter().enumerate().all(|(i, arg)| {
        let is_key_operand = key_operands.contains(&i);
        (arg.dtype() == key_dtype) == is_key_operand && (is_key_operand || !arg.dtype().is_key())
    });
    if fits {
        return None;
    }
    let types: Vec<String> = args.iter().map(|arg| arg.aval().to_string()).collect();
    Some(Error::invalid(
        primitive.name(),
        format!(
            "the key operands must all be {key_dtype} (keys of different implementations do \
             not mix, nor keys with other arrays), got {}",
            types.join(", ")
        ),
    ))
}

/// The primitive to apply to the key data (the key words a trailing dimension of `words`),
/// and its operands: a broadcast selector or one more (zero) start index where needed.
fn on_key_data(
    primitive: &Primitive,
    mut data: Vec<Array>,
    words: usize,
) -> (Primitive, Vec<Array>) {
    let physical = match primitive.clone() {
        Primitive::BroadcastInDim {
            mut shape,
            mut broadcast_dimensions,
        } => {
            broadcast_dimensions.push(shape.len());
            shape.push(words);
            Primitive::BroadcastInDim {
                shape,
                broadcast_dimensions,
            }
        }
        Primitive::Reshape { mut new_sizes } => {
            new_sizes.push(words);
            Primitive::Reshape { new_sizes }
        }
        Primitive::Transpose { mut permutation } => {
            permutation.push(permutation.len());
            Primitive::Transpose { permutation }
        }
        Primitive::Slice {
            mut start_indices,
            mut limit_indices,
            mut strides,
        } => {
            start_indices.push(0);
            limit_indices.push(words);
            if !strides.is_empty() {
                strides.push(1);
            }
            Primitive::Slice {
                start_indices,
                limit_indices,
                strides,
            }
        }
        Primitive::SelectN => {
            let which = &data[0];
            if which.ndim() > 0 {
                let shape = data[1].shape().to_vec();
                let dims: Vec<usize> = (0..which.ndim()).collect();
                data[0] = crate::lax::broadcast_in_dim(which, &shape, &dims);
            }
            Primitive::SelectN
        }
        Primitive::Indexing(IndexingOp::DynamicSlice { mut slice_sizes }) => {
            data.push(zero_index(&data[1..]));
            slice_sizes.push(words);
            Primitive::Indexing(IndexingOp::DynamicSlice { slice_sizes })
        }
        Primitive::Indexing(IndexingOp::DynamicUpdateSlice) => {
            data.push(zero_index(&data[2..]));
            Primitive::Indexing(IndexingOp::DynamicUpdateSlice)
        }
        Primitive::Indexing(IndexingOp::Gather(mut params)) => {
            // The key words are one more offset dimension, the last of the output.
            params
                .dimension_numbers
                .offset_dims
                .push(gather_out_rank(&params, &data[1]));
            params.slice_sizes.push(words);
            Primitive::Indexing(IndexingOp::Gather(params))
        }
        Primitive::Indexing(IndexingOp::Scatter(mut params)) => {
            // The key words are one more window dimension, the last of the updates and of the
            // operand; the scatter replaces them whole.
            let updates_rank = data[2].ndim() - 1;
            params
                .dimension_numbers
                .update_window_dims
                .push(updates_rank);
            params.dtype = data[0].dtype();
            Primitive::Indexing(IndexingOp::Scatter(params))
        }
        // Squeeze, expand_dims, concatenate and rev name dimensions the key words never
        // take part in.
        other => other,
    };
    (physical, data)
}

/// The rank of a gather's (logical) output: the batch dimensions of the indices (all but the
/// last, the index vectors) and the offset dimensions.
fn gather_out_rank(params: &crate::lax::GatherParams, indices: &Array) -> usize {
    indices.ndim().saturating_sub(1) + params.dimension_numbers.offset_dims.len()
}

/// A zero start index of the dtype of the other start indices (int32 if there are none).
fn zero_index(starts: &[Array]) -> Array {
    let dtype = starts.first().map_or(DType::I32, Array::dtype);
    constant(Scalar::Int(0), dtype)
}

/// The check of the promoting operators (`+`, `jnp` functions): key arrays combine only with arrays of the
/// same key dtype, and then only in shape operations (the primitive's own check names it).
pub(crate) fn reject_mixed_keys(op: &str, args: &[&Array]) -> Result<()> {
    let Some(key) = args.iter().map(|a| a.dtype()).find(|d| d.is_key()) else {
        return Ok(());
    };
    if args.iter().all(|arg| arg.dtype() == key) {
        return Ok(());
    }
    let types: Vec<String> = args.iter().map(|arg| arg.aval().to_string()).collect();
    Err(Error::invalid(
        op,
        format!(
            "{op} does not accept dtypes {} together (arrays of PRNG keys only support shape \
             operations)",
            types.join(", ")
        ),
    ))
}
