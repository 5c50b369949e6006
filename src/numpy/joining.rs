//! Joining and splitting, as in `jax.numpy`: `concatenate`, `stack`, `hstack`, `vstack`,
//! `dstack`, `column_stack`, `atleast_1d`/`2d`/`3d`, `split` and `array_split`.

use super::{axis as one_axis, promote};
use crate::Array;
use crate::IntoArray;
use crate::lax::{self, unwrap_at_caller};

/// The arrays joined along an existing `axis`, promoted to a common dtype
/// (`jnp.concatenate`).
#[track_caller]
pub fn concatenate(arrays: &[&Array], axis: isize) -> Array {
    assert!(!arrays.is_empty(), "concatenate: need at least one array");
    assert!(
        arrays[0].ndim() > 0,
        "concatenate: zero-dimensional arrays cannot be concatenated, got {}",
        arrays[0].aval()
    );
    let owned: Vec<Array> = arrays.iter().map(|&a| a.clone()).collect();
    let promoted = unwrap_at_caller(promote(&owned));
    let dim = unwrap_at_caller(one_axis("concatenate", axis, arrays[0].ndim()));
    let refs: Vec<&Array> = promoted.iter().collect();
    lax::concatenate(&refs, dim)
}

/// The arrays joined along a new `axis` (`jnp.stack`); they must share a shape.
#[track_caller]
pub fn stack(arrays: &[&Array], axis: isize) -> Array {
    assert!(!arrays.is_empty(), "stack: need at least one array");
    let shape = arrays[0].shape();
    if let Some(other) = arrays.iter().find(|a| a.shape() != shape) {
        panic!(
            "stack: all input arrays must have the same shape, got {} and {}",
            arrays[0].aval(),
            other.aval()
        );
    }
    let dim = unwrap_at_caller(one_axis("stack", axis, arrays[0].ndim() + 1));
    let expanded: Vec<Array> = arrays.iter().map(|a| lax::expand_dims(a, &[dim])).collect();
    let refs: Vec<&Array> = expanded.iter().collect();
    concatenate(&refs, dim as isize)
}

/// `x` with size-1 dimensions inserted at `positions` (of the result) until it has rank
/// `rank`; arrays of that rank or more are returned as they are.
fn at_least(x: &Array, rank: usize, positions: &[usize]) -> Array {
    if x.ndim() >= rank {
        return x.clone();
    }
    let mut shape = x.shape().to_vec();
    for &p in &positions[..rank - x.ndim()] {
        shape.insert(p.min(shape.len()), 1);
    }
    lax::reshape(x, &shape)
}

/// `x` as an array of at least one dimension (`jnp.atleast_1d`): a scalar becomes shape `[1]`.
#[track_caller]
pub fn atleast_1d(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    at_least(x, 1, &[0])
}

/// `x` as an array of at least two dimensions (`jnp.atleast_2d`): a scalar becomes `[1, 1]`,
/// a vector of length `n` the row `[1, n]`.
#[track_caller]
pub fn atleast_2d(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    let positions: &[usize] = if x.ndim() == 0 { &[0, 0] } else { &[0] };
    at_least(x, 2, positions)
}

/// `x` as an array of at least three dimensions (`jnp.atleast_3d`): a scalar becomes
/// `[1, 1, 1]`, a vector of length `n` `[1, n, 1]`, a matrix `[m, n]` `[m, n, 1]`.
#[track_caller]
pub fn atleast_3d(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    let positions: &[usize] = match x.ndim() {
        0 => &[0, 0, 0],
        1 => &[0, 2],
        _ => &[2],
    };
    at_least(x, 3, positions)
}

/// `arrays` passed through `lift`, then concatenated along `axis`.
#[track_caller]
fn lift_and_join(op: &str, arrays: &[&Array], lift: fn(&Array) -> Array, axis: isize) -> Array {
    assert!(!arrays.is_empty(), "{op}: need at least one array");
    let lifted: Vec<Array> = arrays.iter().map(|a| lift(a)).collect();
    let refs: Vec<&Array> = lifted.iter().collect();
    concatenate(&refs, axis)
}

/// The arrays joined horizontally (`jnp.hstack`): along axis 0 for vectors and scalars
/// (made vectors), along axis 1 otherwise.
#[track_caller]
pub fn hstack(arrays: &[&Array]) -> Array {
    let axis = if arrays.first().is_some_and(|a| a.ndim() <= 1) {
        0
    } else {
        1
    };
    lift_and_join("hstack", arrays, |a| atleast_1d(a), axis)
}

/// The arrays joined vertically (`jnp.vstack`): made at least 2-D, then joined along axis 0.
#[track_caller]
pub fn vstack(arrays: &[&Array]) -> Array {
    lift_and_join("vstack", arrays, |a| atleast_2d(a), 0)
}

/// The arrays joined depth-wise (`jnp.dstack`): made at least 3-D, then joined along axis 2.
#[track_caller]
pub fn dstack(arrays: &[&Array]) -> Array {
    lift_and_join("dstack", arrays, |a| atleast_3d(a), 2)
}

/// The arrays joined as columns (`jnp.column_stack`): vectors become columns `[n, 1]`
/// (scalars `[1, 1]`), then everything is joined along axis 1.
#[track_caller]
pub fn column_stack(arrays: &[&Array]) -> Array {
    fn column(x: &Array) -> Array {
        at_least(x, 2, &[1, 1])
    }
    lift_and_join("column_stack", arrays, column, 1)
}

/// How [`split`] and [`array_split`] divide an axis, as `indices_or_sections` does in NumPy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// This many parts: equal for [`split`] (the axis length must divide evenly); for
    /// [`array_split`] the first `length % n` parts have one element more.
    Sections(usize),
    /// The parts between these indices (each clamped to the axis length).
    Indices(Vec<usize>),
}

/// `x` divided along `dim` at `cuts` (ascending, clamped; a cut before the previous one gives
/// an empty part).
fn split_at(x: &Array, cuts: &[usize], dim: usize) -> Vec<Array> {
    let length = x.shape()[dim];
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().map(|&c| c.min(length)));
    bounds.push(length);
    bounds
        .windows(2)
        .map(|w| {
            let mut start = vec![0; x.ndim()];
            let mut limit = x.shape().to_vec();
            start[dim] = w[0];
            limit[dim] = w[1].max(w[0]);
            lax::slice(x, &start, &limit, None)
        })
        .collect()
}

/// `x` divided along `axis` into parts (`jnp.split`); `Sections` must divide the axis evenly.
#[track_caller]
pub fn split(x: impl IntoArray, how: Split, axis: isize) -> Vec<Array> {
    let x = &x.into_array();
    let dim = unwrap_at_caller(one_axis("split", axis, x.ndim()));
    let length = x.shape()[dim];
    let cuts: Vec<usize> = match how {
        Split::Sections(n) => {
            assert!(
                n > 0 && length.is_multiple_of(n),
                "split: array split does not result in an equal division: {} into {n} sections \
                 along axis {dim}",
                x.aval()
            );
            (1..n).map(|i| i * length / n).collect()
        }
        Split::Indices(indices) => indices,
    };
    split_at(x, &cuts, dim)
}

/// `x` divided along `axis` into parts (`jnp.array_split`); unlike [`split`], `Sections(n)`
/// need not divide the axis: the first `length % n` parts are one element longer.
#[track_caller]
pub fn array_split(x: impl IntoArray, how: Split, axis: isize) -> Vec<Array> {
    let x = &x.into_array();
    let dim = unwrap_at_caller(one_axis("array_split", axis, x.ndim()));
    let length = x.shape()[dim];
    let cuts: Vec<usize> = match how {
        Split::Sections(n) => {
            assert!(
                n > 0,
                "array_split: the number of sections must be larger than 0, got {n} for {}",
                x.aval()
            );
            let (each, extras) = (length / n, length % n);
            (1..n).map(|i| i * each + i.min(extras)).collect()
        }
        Split::Indices(indices) => indices,
    };
    split_at(x, &cuts, dim)
}
