//! Taking elements by index, as in `jax.numpy`: `take` and `take_along_axis`, both one
//! `lax::gather`, so they differentiate (into a scatter-add) and batch.

use super::{axis as one_axis, ravel, where_};
use crate::IntoArray;
use crate::lax::{self, GatherDimensionNumbers, GatherScatterMode, unwrap_at_caller};
use crate::{Array, DType};

/// How [`take`] and [`take_along_axis`] treat an index outside `[-n, n)` for an axis of
/// length `n` (JAX's `mode`). Negative indices in range count from the end in `Fill` and
/// `Wrap` modes, as in NumPy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TakeMode {
    /// JAX's default (`mode=None` or `"fill"`): out-of-bounds indices give NaN for inexact
    /// dtypes, the lowest signed or highest unsigned integer, or `true`.
    #[default]
    Fill,
    /// Indices are clamped to `[0, n - 1]` (negative indices give element 0).
    Clip,
    /// Indices are taken modulo `n`.
    Wrap,
}

/// `indices` checked to be integers and widened so that `i + n` cannot overflow (signed
/// dtypes narrower than 32 bits become int32).
#[track_caller]
fn index_array(op: &str, x: &Array, indices: &Array) -> Array {
    let dtype = indices.dtype();
    assert!(
        dtype.is_int(),
        "{op}: indices must be integers, got {} (for the array {})",
        indices.aval(),
        x.aval()
    );
    if dtype.is_signed_int() && dtype.size_in_bytes() < 4 {
        lax::convert_element_type(indices, DType::I32)
    } else {
        indices.clone()
    }
}

/// `indices` into an axis of length `size` made ready for a gather in `mode`, with the
/// gather's own mode.
fn prepare(indices: &Array, size: usize, mode: TakeMode) -> (Array, GatherScatterMode) {
    let signed = indices.dtype().is_signed_int();
    match mode {
        TakeMode::Fill if signed => (
            where_(indices.lt(0), indices + size, indices),
            GatherScatterMode::FillOrDrop,
        ),
        TakeMode::Fill => (indices.clone(), GatherScatterMode::FillOrDrop),
        TakeMode::Clip => (indices.clone(), GatherScatterMode::Clip),
        TakeMode::Wrap => (indices % size, GatherScatterMode::PromiseInBounds),
    }
}

/// The gather of `take`: for every index, the slice of `x` at that index along `dim`, the
/// index dimensions replacing `dim`. `x`'s axis `dim` must not be empty.
pub(super) fn gather_along(
    x: &Array,
    indices: &Array,
    dim: usize,
    mode: GatherScatterMode,
) -> Array {
    let index_dims = indices.ndim();
    let mut slice_sizes = x.shape().to_vec();
    slice_sizes[dim] = 1;
    let offset_dims = (0..dim)
        .chain(dim + index_dims..x.ndim() + index_dims - 1)
        .collect();
    let dimension_numbers = GatherDimensionNumbers {
        offset_dims,
        collapsed_slice_dims: vec![dim],
        start_index_map: vec![dim],
        ..GatherDimensionNumbers::default()
    };
    let mut index_shape = indices.shape().to_vec();
    index_shape.push(1);
    let indices = lax::reshape(indices, &index_shape);
    lax::gather(x, &indices, dimension_numbers, &slice_sizes, mode)
}

/// The elements of `x` at `indices` along `axis` (`jnp.take`); `None` takes from `x`
/// flattened. The result's shape is `x`'s with `axis` replaced by `indices`' shape.
/// Out-of-bounds indices follow `mode` ([`TakeMode::Fill`] is JAX's default).
#[track_caller]
pub fn take(
    x: impl IntoArray,
    indices: impl IntoArray,
    axis: impl Into<Option<isize>>,
    mode: TakeMode,
) -> Array {
    let x = &x.into_array();
    let indices = &indices.into_array();
    let axis: Option<isize> = axis.into();
    let indices = index_array("take", x, indices);
    let (x, dim) = match axis {
        None => (ravel(x), 0),
        Some(a) => (x.clone(), unwrap_at_caller(one_axis("take", a, x.ndim()))),
    };
    let size = x.shape()[dim];
    let mut out_shape = x.shape()[..dim].to_vec();
    out_shape.extend_from_slice(indices.shape());
    out_shape.extend_from_slice(&x.shape()[dim + 1..]);
    if size == 0 || indices.size() == 0 {
        assert!(
            indices.size() == 0,
            "take: cannot take a non-empty selection {} from the empty axis {dim} of {}",
            indices.aval(),
            x.aval()
        );
        return lax::broadcast_in_dim(super::scalar_like(0, &x), &out_shape, &[]);
    }
    let (indices, gather_mode) = prepare(&indices, size, mode);
    gather_along(&x, &indices, dim, gather_mode)
}

/// The elements of `x` at `indices` along `axis`, matched element by element along the other
/// axes (`jnp.take_along_axis`): `out[i, j, k] = x[i, indices[i, j, k], k]` for `axis = 1`.
/// `indices` has `x`'s rank; on the other axes the two broadcast (a size-1 axis of either
/// stretches). `None` takes from `x` flattened, with 1-D `indices`.
#[track_caller]
pub fn take_along_axis(
    x: impl IntoArray,
    indices: impl IntoArray,
    axis: impl Into<Option<isize>>,
    mode: TakeMode,
) -> Array {
    let x = &x.into_array();
    let indices = &indices.into_array();
    let axis: Option<isize> = axis.into();
    let indices = index_array("take_along_axis", x, indices);
    let (x, axis) = match axis {
        None => {
            assert!(
                indices.ndim() == 1,
                "take_along_axis: indices must be 1-D when axis is None, got {}",
                indices.aval()
            );
            (ravel(x), 0)
        }
        Some(a) => (x.clone(), a),
    };
    assert!(
        x.ndim() == indices.ndim(),
        "take_along_axis: indices and the array must have the same number of dimensions, got \
         {} and {}",
        indices.aval(),
        x.aval()
    );
    let dim = unwrap_at_caller(one_axis("take_along_axis", axis, x.ndim()));
    let (x_shape, idx_shape) = (x.shape(), indices.shape());
    let out_shape: Vec<usize> = (0..x.ndim())
        .map(|i| match (i == dim, x_shape[i], idx_shape[i]) {
            (true, _, n) => n,
            (false, a, b) if a == b || b == 1 => a,
            (false, 1, b) => b,
            (false, a, b) => panic!(
                "take_along_axis: the array {} and indices {} do not broadcast along axis {i} \
                 ({a} vs {b})",
                x.aval(),
                indices.aval()
            ),
        })
        .collect();
    let size = x_shape[dim];
    if size == 0 || out_shape.contains(&0) {
        // As in JAX, an empty axis gives zeros.
        return lax::broadcast_in_dim(super::scalar_like(0, &x), &out_shape, &[]);
    }
    let (indices, gather_mode) = prepare(&indices, size, mode);
    // Index dimensions of size 1 (other than `dim`) take the whole axis as a slice; array
    // dimensions of size 1 facing a longer index dimension are squeezed; the rest pair up as
    // batching dimensions (JAX's construction).
    let mut dn = GatherDimensionNumbers::default();
    let (mut slice_sizes, mut squeezed, mut index_dims) = (Vec::new(), Vec::new(), Vec::new());
    let (mut operand_dim, mut index_dim) = (0, 0);
    for i in 0..x.ndim() {
        if i == dim {
            slice_sizes.push(1);
            dn.start_index_map.push(operand_dim);
            dn.collapsed_slice_dims.push(operand_dim);
        } else if idx_shape[i] == 1 {
            dn.offset_dims.push(i);
            slice_sizes.push(x_shape[i]);
            operand_dim += 1;
            continue;
        } else if x_shape[i] == 1 {
            squeezed.push(i);
            index_dims.push(i);
            index_dim += 1;
            continue;
        } else {
            slice_sizes.push(1);
            dn.operand_batching_dims.push(operand_dim);
            dn.start_indices_batching_dims.push(index_dim);
        }
        index_dims.push(i);
        operand_dim += 1;
        index_dim += 1;
    }
    let mut gather_index_shape: Vec<usize> = index_dims.iter().map(|&i| out_shape[i]).collect();
    gather_index_shape.push(1);
    let indices = lax::reshape(&indices, &gather_index_shape);
    let x = lax::squeeze(&x, &squeezed);
    lax::gather(&x, &indices, dn, &slice_sizes, gather_mode)
}
