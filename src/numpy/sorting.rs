//! Sorting and searching, as in `jax.numpy`: `sort`, `argsort`, `lexsort`, `searchsorted` and
//! `unique`. All but `unique` without a `size` trace under `jit` and `vmap`; `sort`
//! differentiates through `lax.sort`'s rule.

use super::take::gather_along;
use super::{axis as one_axis, default_int, promote, ravel, scalar_like};
use crate::lax::{self, GatherScatterMode, ScatterDimensionNumbers, unwrap_at_caller};
use crate::{Array, DType, Error, IntoArray};

/// `x` flattened for `axis = None`, with the dimension to work along.
#[track_caller]
fn flat_or_axis(op: &str, x: &Array, axis: Option<isize>) -> (Array, usize) {
    match axis {
        None => (ravel(x), 0),
        Some(a) => (x.clone(), unwrap_at_caller(one_axis(op, a, x.ndim()))),
    }
}

/// How [`sort_with`] and [`argsort_with`] order (JAX's keywords of `jnp.sort` and
/// `jnp.argsort`): along the last axis, stable and ascending by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOptions {
    /// The axis to sort along (negative: from the end), or `None` to sort `x` flattened.
    pub axis: Option<isize>,
    /// Whether equal elements keep their order (JAX's `stable`, default `true`).
    pub stable: bool,
    /// Largest first (JAX's `descending`, default `false`).
    pub descending: bool,
}

impl Default for SortOptions {
    fn default() -> SortOptions {
        SortOptions {
            axis: Some(-1),
            stable: true,
            descending: false,
        }
    }
}

impl SortOptions {
    /// Sorting along `axis`, otherwise the defaults.
    pub fn along(axis: isize) -> SortOptions {
        SortOptions {
            axis: Some(axis),
            ..SortOptions::default()
        }
    }

    /// Sorting the flattened array (JAX's `axis=None`), otherwise the defaults.
    pub fn flattened() -> SortOptions {
        SortOptions {
            axis: None,
            ..SortOptions::default()
        }
    }

    /// The same, largest first.
    pub fn descending(self) -> SortOptions {
        SortOptions {
            descending: true,
            ..self
        }
    }

    /// The same, allowed to reorder equal elements (JAX's `stable=False`).
    pub fn unstable(self) -> SortOptions {
        SortOptions {
            stable: false,
            ..self
        }
    }
}

/// `x` sorted along its last axis, ascending (`jnp.sort(x)`); NaNs sort last. See
/// [`sort_with`] for the other axes and orders.
#[track_caller]
pub fn sort(x: impl IntoArray) -> Array {
    sort_with(x, SortOptions::default())
}

/// `x` sorted as `options` say (`jnp.sort` with its keywords): NaNs sort last (first when
/// descending); `stable` keeps equal elements in order (which only shows for -0.0 and 0.0).
#[track_caller]
pub fn sort_with(x: impl IntoArray, options: SortOptions) -> Array {
    let (x, dim) = flat_or_axis("sort", &x.into_array(), options.axis);
    let sorted = lax::sort_with(
        [&x],
        lax::SortOptions::along(dim as isize).is_stable(options.stable),
    )
    .remove(0);
    if options.descending {
        lax::rev(&sorted, &[dim])
    } else {
        sorted
    }
}

/// The indices that sort `x` along its last axis (`jnp.argsort(x)`), stable, as the default
/// integer dtype. See [`argsort_with`] for the other axes and orders.
#[track_caller]
pub fn argsort(x: impl IntoArray) -> Array {
    argsort_with(x, SortOptions::default())
}

/// The indices that sort `x` as `options` say (`jnp.argsort` with its keywords), as the
/// default integer dtype. With `stable`, equal elements keep their order, also when
/// `descending`.
#[track_caller]
pub fn argsort_with(x: impl IntoArray, options: SortOptions) -> Array {
    let (x, dim) = flat_or_axis("argsort", &x.into_array(), options.axis);
    let (stable, descending) = (options.stable, options.descending);
    let mut keys = x;
    let mut iota = lax::broadcasted_iota(default_int(), keys.shape(), dim);
    // Reversing first keeps equal elements in order once the result is reversed back.
    if descending && stable {
        keys = lax::rev(&keys, &[dim]);
        iota = lax::rev(&iota, &[dim]);
    }
    let (_, indices) = lax::sort_key_val_with(
        &keys,
        &iota,
        lax::SortOptions::along(dim as isize).is_stable(stable),
    );
    if descending {
        lax::rev(&indices, &[dim])
    } else {
        indices
    }
}

/// The indices that sort by several keys along `axis` (`jnp.lexsort`): the **last** key is the
/// primary one, earlier keys break ties, and the sort is stable. The keys share one shape; the
/// indices are the default integer dtype.
#[track_caller]
pub fn lexsort(keys: &[&Array], axis: isize) -> Array {
    assert!(!keys.is_empty(), "lexsort: need at least one key");
    let shape = keys[0].shape();
    if let Some(other) = keys.iter().find(|k| k.shape() != shape) {
        panic!(
            "lexsort: all keys need the same shape, got {} and {}",
            keys[0].aval(),
            other.aval()
        );
    }
    if shape.is_empty() {
        return super::astype(&Array::scalar(0i32), default_int());
    }
    let dim = unwrap_at_caller(one_axis("lexsort", axis, shape.len()));
    let iota = lax::broadcasted_iota(default_int(), shape, dim);
    let mut operands: Vec<&Array> = keys.iter().rev().copied().collect();
    operands.push(&iota);
    lax::sort_with(
        &operands,
        lax::SortOptions::along(dim as isize).num_keys(keys.len()),
    )
    .pop()
    .expect("sort returns one array per operand")
}

/// Which of several equal elements [`searchsorted`] returns the position of (NumPy's `side`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Side {
    /// The first suitable position: `a[i - 1] < v <= a[i]`.
    #[default]
    Left,
    /// The last suitable position: `a[i - 1] <= v < a[i]`.
    Right,
}

/// `x < y` in sort order (JAX's `_sort_lt_comparator`): NaNs are largest and equal to each
/// other.
fn sort_lt(x: &Array, y: &Array) -> Array {
    let lt = lax::lt(x, y);
    if !x.dtype().is_float() {
        return lt;
    }
    let y_nan_x_not = lax::bitwise_and(lax::ne(y, y), lax::eq(x, x));
    lax::bitwise_or(&lt, &y_nan_x_not)
}

/// `x <= y` in sort order (JAX's `_sort_le_comparator`).
fn sort_le(x: &Array, y: &Array) -> Array {
    let le = lax::le(x, y);
    if !x.dtype().is_float() {
        return le;
    }
    lax::bitwise_or(&le, lax::ne(y, y))
}

/// Where `v` would be inserted into the sorted 1-D `a` to keep it sorted (`jnp.searchsorted`):
/// for every element of `v` (any shape), the index `i` with `a[i - 1] < v <= a[i]` (`Left`) or
/// `a[i - 1] <= v < a[i]` (`Right`), in the sort order of [`sort`] (NaNs last). `a` and `v` are
/// promoted together; the result is int32 (int64 past 2³¹ elements), shaped like `v`.
///
/// A binary search (JAX's default `method="scan"`): ⌈log₂(n + 1)⌉ steps of a `fori_loop`, each
/// one gather and compare for all of `v`, so it traces under `jit` and `vmap`.
#[track_caller]
pub fn searchsorted(a: impl IntoArray, v: impl IntoArray, side: Side) -> Array {
    let a = &a.into_array();
    let v = v.into_array();
    assert!(
        a.ndim() == 1,
        "searchsorted: the sorted array must be 1-D, got {}",
        a.aval()
    );
    let promoted = unwrap_at_caller(promote(&[a.clone(), v]));
    let (a, v) = (&promoted[0], &promoted[1]);
    assert!(
        !a.dtype().is_complex(),
        "searchsorted: complex arrays are not supported, got {} and {}",
        a.aval(),
        v.aval()
    );
    let n = a.shape()[0];
    let dtype = if n > i32::MAX as usize {
        DType::I64
    } else {
        DType::I32
    };
    let filled = |value: usize| {
        lax::broadcast_in_dim(super::astype(&value.into_array(), dtype), v.shape(), &[])
    };
    if n == 0 {
        return filled(0);
    }
    let levels = (usize::BITS - n.leading_zeros()) as i32;
    let (_, high) = unwrap_at_caller(lax::fori_loop(
        0,
        levels,
        |_, (low, high): (Array, Array)| {
            let half = lax::shift_right_logical(lax::sub(&high, &low), filled(1));
            let mid = lax::add(&low, &half);
            let at_mid = gather_along(a, &mid, 0, GatherScatterMode::Clip);
            let go_left = match side {
                Side::Left => sort_le(v, &at_mid),
                Side::Right => sort_lt(v, &at_mid),
            };
            (
                lax::select_n(&go_left, [&mid, &low]),
                lax::select_n(&go_left, [&high, &mid]),
            )
        },
        (filled(0), filled(n)),
    ));
    high
}

/// The options of [`unique`] (`jnp.unique`'s keyword arguments).
#[derive(Debug, Clone)]
pub struct UniqueOptions {
    /// Also return the index of the first occurrence of each unique value.
    pub return_index: bool,
    /// Also return, for every input element (or slice along `axis`), the index of its unique
    /// value.
    pub return_inverse: bool,
    /// Also return how often each unique value occurs.
    pub return_counts: bool,
    /// Unique slices along this axis; `None` (the default) flattens the input.
    pub axis: Option<isize>,
    /// Whether NaNs count as equal to each other (the default, as in NumPy 2).
    pub equal_nan: bool,
    /// A static number of unique values to return, which makes `unique` traceable under
    /// `jit`: extra values are dropped, missing ones are `fill_value` (their index 0 and count
    /// 0).
    pub size: Option<usize>,
    /// What pads the values up to `size`; `None` repeats the smallest value, as JAX does.
    pub fill_value: Option<Array>,
}

impl Default for UniqueOptions {
    fn default() -> Self {
        UniqueOptions {
            return_index: false,
            return_inverse: false,
            return_counts: false,
            axis: None,
            equal_nan: true,
            size: None,
            fill_value: None,
        }
    }
}

/// What [`unique`] returns: the sorted unique values, and the arrays its options asked for
/// (as the default integer dtype).
#[derive(Debug, Clone)]
pub struct Unique {
    /// The unique values (or slices along the axis), sorted.
    pub values: Array,
    /// The index of the first occurrence of each value (`return_index`).
    pub indices: Option<Array>,
    /// For every element (shaped like the input when flattening) or slice, the index of its
    /// value in `values` (`return_inverse`).
    pub inverse: Option<Array>,
    /// How often each value occurs (`return_counts`).
    pub counts: Option<Array>,
}

/// `operand` (1-D) with `updates` written at `indices` (1-D), or added with `add`;
/// out-of-bounds indices are dropped.
fn scatter_1d(operand: &Array, indices: &Array, updates: &Array, add: bool) -> Array {
    if operand.size() == 0 || indices.size() == 0 {
        return operand.clone();
    }
    let dn = ScatterDimensionNumbers {
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..ScatterDimensionNumbers::default()
    };
    let indices = lax::reshape(indices, &[indices.size(), 1]);
    let scatter = if add { lax::scatter_add } else { lax::scatter };
    scatter(
        operand,
        &indices,
        updates,
        dn,
        GatherScatterMode::FillOrDrop,
    )
}

/// A vector of `len` copies of `value`, as the default integer dtype.
fn int_vector(value: usize, len: usize) -> Array {
    let value = super::astype(&value.into_array(), default_int());
    lax::broadcast_in_dim(&value, &[len], &[])
}

/// The rows of the 2-D `rows` sorted lexicographically (first column first, stably), with the
/// sorting permutation and a mask of the rows that differ from the row before (JAX's
/// `_unique_sorted_mask`). NaNs equal each other with `equal_nan`.
fn sorted_with_mask(rows: &Array, equal_nan: bool) -> (Array, Array, Array) {
    let (n, width) = (rows.shape()[0], rows.shape()[1]);
    let iota = lax::broadcasted_iota(default_int(), &[n], 0);
    if n == 0 {
        let mask = lax::broadcast_in_dim(Array::scalar(true), &[0], &[]);
        return (iota, rows.clone(), mask);
    }
    let perm = if width == 0 {
        iota
    } else {
        let columns: Vec<Array> = (0..width)
            .map(|j| lax::reshape(lax::slice(rows, &[0, j], &[n, j + 1], None), &[n]))
            .collect();
        let mut operands: Vec<&Array> = columns.iter().collect();
        operands.push(&iota);
        let mut sorted = lax::sort_with(&operands, lax::SortOptions::along(0).num_keys(width));
        sorted.pop().expect("one per operand")
    };
    let sorted = gather_along(rows, &perm, 0, GatherScatterMode::PromiseInBounds);
    let later = lax::slice(&sorted, &[1, 0], &[n, width], None);
    let earlier = lax::slice(&sorted, &[0, 0], &[n - 1, width], None);
    let mut differ = lax::ne(&later, &earlier);
    if equal_nan && sorted.dtype().is_inexact() {
        let both_nan = lax::bitwise_and(lax::ne(&later, &later), lax::ne(&earlier, &earlier));
        differ = lax::bitwise_and(&differ, lax::not(&both_nan));
    }
    let first = lax::broadcast_in_dim(Array::scalar(true), &[1], &[]);
    let mask = lax::concatenate([&first, &lax::reduce_or(&differ, &[1])], 0);
    (perm, sorted, mask)
}

/// The sorted unique values of `x` (`jnp.unique`), or unique slices along `options.axis`, with
/// first indices, inverse indices and counts on request.
///
/// The number of unique values depends on the data, so without `options.size` this needs a
/// concrete `x` and panics with JAX's concretization error under `jit`, `vmap` or `grad`; with
/// a static `size` it traces.
#[track_caller]
pub fn unique(x: impl IntoArray, options: &UniqueOptions) -> Unique {
    let x = &x.into_array();
    if options.size.is_none() && x.is_tracer() {
        panic!(
            "{}",
            Error::Concretization {
                op: "unique without a static `size` (pass `size`, as jnp.unique(size=...), to \
                     trace it)"
                    .to_string(),
                aval: x.aval().to_string(),
            }
        );
    }
    let (flat, dim) = flat_or_axis("unique", x, options.axis);
    // Rows: the slices along `dim`, flattened.
    let n = flat.shape()[dim];
    let mut order: Vec<usize> = vec![dim];
    order.extend((0..flat.ndim()).filter(|&d| d != dim));
    let moved = lax::transpose(&flat, &order);
    let rest = moved.shape()[1..].to_vec();
    let width: usize = rest.iter().product();
    let (perm, sorted, mask) =
        sorted_with_mask(&lax::reshape(&moved, &[n, width]), options.equal_nan);
    let starts = lax::convert_element_type(&mask, default_int());
    let total = lax::reduce_sum(&starts, &[0]);
    let size = options.size.unwrap_or_else(|| {
        let total = lax::convert_element_type(&total, DType::I32);
        unwrap_at_caller(total.item::<i32>()) as usize
    });
    // positions[i]: the index in `values` of sorted row i's value. Scatters drop the rows
    // past `size`, and `value_starts` also points the rows that do not start a value there.
    let positions = lax::cumsum(&starts) - 1;
    let value_starts = lax::select_n(&mask, [&int_vector(size, n), &positions]);
    // first[k]: the sorted row where value k starts (0 past the last value, as nonzero's fill).
    let first = scatter_1d(
        &int_vector(0, size),
        &value_starts,
        &lax::broadcasted_iota(default_int(), &[n], 0),
        false,
    );
    let fill = options
        .fill_value
        .as_ref()
        .map(|f| lax::broadcast_in_dim(scalar_like(f, &flat), &[size, width], &[]));
    let values = match (n, fill) {
        (0, fill) => fill.unwrap_or_else(|| {
            assert!(
                size == 0,
                "unique: a zero-sized input {} with a nonzero size needs a fill_value",
                x.aval()
            );
            lax::reshape(&sorted, &[0, width])
        }),
        (_, None) => gather_along(&sorted, &first, 0, GatherScatterMode::PromiseInBounds),
        (_, Some(fill)) => {
            let all = [size, width];
            let valid = lax::lt(
                lax::broadcasted_iota(default_int(), &all, 0),
                lax::broadcast_in_dim(&total, &all, &[]),
            );
            let taken = gather_along(&sorted, &first, 0, GatherScatterMode::PromiseInBounds);
            lax::select_n(&valid, [&fill, &taken])
        }
    };
    let mut shape = vec![size];
    shape.extend_from_slice(&rest);
    let mut back: Vec<usize> = (1..flat.ndim()).collect();
    back.insert(dim, 0);
    let values = lax::transpose(lax::reshape(&values, &shape), &back);
    let indices = options.return_index.then(|| match n {
        0 => int_vector(0, size),
        _ => gather_along(&perm, &first, 0, GatherScatterMode::PromiseInBounds),
    });
    let inverse = options.return_inverse.then(|| {
        let inverse = scatter_1d(&int_vector(0, n), &perm, &positions, false);
        match options.axis {
            None => lax::reshape(&inverse, x.shape()),
            Some(_) => inverse,
        }
    });
    let counts = options
        .return_counts
        .then(|| scatter_1d(&int_vector(0, size), &positions, &int_vector(1, n), true));
    Unique {
        values,
        indices,
        inverse,
        counts,
    }
}
