//! Repetition and rotation of elements, as in `jax.numpy`: `tile`, `repeat` and `roll`, built
//! on broadcasting, reshapes, slices and gathers so that they differentiate and batch.

use super::take::gather_along;
use super::{axis as one_axis, ravel};
use crate::Array;
use crate::IntoArray;
use crate::lax::{self, GatherScatterMode, unwrap_at_caller};
use crate::shape_check::{assert_shape, mul_dim, sum_dims};

/// `x` repeated `reps[i]` times along each axis (`jnp.tile`). A shorter `reps` is padded with
/// leading ones; a lower-rank `x` gets leading size-1 axes.
#[track_caller]
pub fn tile(x: impl IntoArray, reps: &[usize]) -> Array {
    let x = &x.into_array();
    let rank = reps.len().max(x.ndim());
    let mut shape = vec![1; rank - x.ndim()];
    shape.extend_from_slice(x.shape());
    let mut counts = vec![1; rank - reps.len()];
    counts.extend_from_slice(reps);
    // [r0, d0, r1, d1, ...], with x's dimensions at the odd positions, then merged pairwise.
    let interleaved: Vec<usize> = counts
        .iter()
        .zip(&shape)
        .flat_map(|(&r, &d)| [r, d])
        .collect();
    let tiled = counts
        .iter()
        .zip(&shape)
        .map(|(&r, &d)| mul_dim("tile", "a tiled dimension", d, r))
        .collect::<crate::Result<Vec<usize>>>();
    let tiled = unwrap_at_caller(tiled);
    assert_shape("tile", &tiled, x.dtype());
    let dims: Vec<usize> = (0..rank).map(|i| 2 * i + 1).collect();
    let grown = lax::broadcast_in_dim(lax::reshape(x, &shape), &interleaved, &dims);
    lax::reshape(&grown, &tiled)
}

/// Each element of `x` repeated along `axis` (`jnp.repeat`): `repeats` is one count for every
/// element, or a single count for all of them (NumPy broadcasts a length-1 list). `None`
/// repeats the elements of `x` flattened.
#[track_caller]
pub fn repeat(x: impl IntoArray, repeats: &[usize], axis: impl Into<Option<isize>>) -> Array {
    let x = &x.into_array();
    let axis: Option<isize> = axis.into();
    let (x, dim) = match axis {
        None => (ravel(x), 0),
        Some(a) => (x.clone(), unwrap_at_caller(one_axis("repeat", a, x.ndim()))),
    };
    let length = x.shape()[dim];
    match *repeats {
        [count] => {
            let mut grown = x.shape().to_vec();
            grown.insert(dim + 1, count);
            let dims: Vec<usize> = (0..x.ndim())
                .map(|i| if i <= dim { i } else { i + 1 })
                .collect();
            let mut merged = x.shape().to_vec();
            merged[dim] = unwrap_at_caller(mul_dim("repeat", "the repeated axis", length, count));
            assert_shape("repeat", &merged, x.dtype());
            lax::reshape(lax::broadcast_in_dim(&x, &grown, &dims), &merged)
        }
        _ => {
            assert!(
                repeats.len() == length,
                "repeat: {} repeat counts do not match axis {dim} of length {length} of {}",
                repeats.len(),
                x.aval()
            );
            let total = unwrap_at_caller(sum_dims("repeat", "the total repeat count", repeats));
            let mut shape = x.shape().to_vec();
            shape[dim] = total;
            assert_shape("repeat", &shape, x.dtype());
            if total == 0 {
                return lax::broadcast_in_dim(super::scalar_like(0, &x), &shape, &[]);
            }
            let mut indices: Vec<i32> = Vec::new();
            if indices.try_reserve_exact(total).is_err() {
                panic!("repeat: cannot allocate the {total} host indices of {repeats:?} repeats");
            }
            indices.extend(
                repeats
                    .iter()
                    .enumerate()
                    .flat_map(|(i, &r)| std::iter::repeat_n(i as i32, r)),
            );
            let indices = Array::from_vec(indices);
            gather_along(&x, &indices, dim, GatherScatterMode::PromiseInBounds)
        }
    }
}

/// `x` with its elements shifted by `shift` along `axis`, those pushed off one end coming back
/// at the other (`jnp.roll`). `shift` and `axis` pair up (a length-1 list broadcasts against
/// the other; shifts of a repeated axis add up); `None` rolls `x` flattened.
#[track_caller]
pub fn roll(x: impl IntoArray, shift: &[isize], axis: Option<&[isize]>) -> Array {
    let x = &x.into_array();
    let Some(axes) = axis else {
        let flat = roll(ravel(x), shift, Some(&[0]));
        return lax::reshape(&flat, x.shape());
    };
    let pairs = shift.len().max(axes.len());
    assert!(
        (shift.len() == pairs || shift.len() == 1) && (axes.len() == pairs || axes.len() == 1),
        "roll: shift {shift:?} and axis {axes:?} must have the same length (or one of them \
         length 1), for {}",
        x.aval()
    );
    let mut totals = vec![0isize; x.ndim()];
    for i in 0..pairs {
        let a = axes[i.min(axes.len() - 1)];
        let dim = unwrap_at_caller(one_axis("roll", a, x.ndim()));
        totals[dim] += shift[i.min(shift.len() - 1)];
    }
    let mut out = x.clone();
    for (dim, total) in totals.into_iter().enumerate() {
        let n = x.shape()[dim];
        let s = if n == 0 {
            0
        } else {
            total.rem_euclid(n as isize) as usize
        };
        if s == 0 {
            continue;
        }
        let mut start = vec![0; x.ndim()];
        let mut limit = x.shape().to_vec();
        start[dim] = n - s;
        let tail = lax::slice(&out, &start, &limit, None);
        start[dim] = 0;
        limit[dim] = n - s;
        let head = lax::slice(&out, &start, &limit, None);
        out = lax::concatenate([&tail, &head], dim);
    }
    out
}
