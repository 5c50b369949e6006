//! Reductions, as in `jax.numpy`: `sum`, `prod`, `mean`, `var`, `std`, `max`/`amax`,
//! `min`/`amin`, `ptp`, `argmax`, `argmin`, `all`, `any`, `count_nonzero`, each over
//! [`Axes`] (`..`: every axis; an axis; a list; `.keepdims()`), and the running `cumsum` and
//! `cumprod`.

use super::{Axes, astype, axes as normalize_axes, axis as one_axis, default_int, to_inexact};
use crate::lax::{self, CumulativeOptions, unwrap_at_caller};
use crate::{Array, DType, IntoArray, config};

/// `out` with the reduced `axes` of `shape` restored as size-1 dimensions when `keepdims`.
fn keep(out: Array, shape: &[usize], axes: &[usize], keepdims: bool) -> Array {
    if !keepdims {
        return out;
    }
    let sizes: Vec<usize> = (0..shape.len())
        .map(|i| if axes.contains(&i) { 1 } else { shape[i] })
        .collect();
    lax::reshape(&out, &sizes)
}

/// The accumulation dtype of `sum`, `prod`, `cumsum` and `cumprod` for `dtype`: booleans and
/// small integers widen to the default (unsigned) integer, as in JAX.
fn accumulation_dtype(dtype: DType) -> DType {
    if dtype == DType::Bool || (dtype.is_signed_int() && dtype.size_in_bytes() < 4) {
        default_int()
    } else if dtype.is_unsigned_int() && dtype.size_in_bytes() < 4 {
        crate::promotion::default_uint(config::x64_enabled())
    } else {
        dtype
    }
}

/// `x` in its accumulation dtype.
fn upcast(x: &Array) -> Array {
    let target = accumulation_dtype(x.dtype());
    if target == x.dtype() {
        x.clone()
    } else {
        astype(x, target)
    }
}

/// The sum over `axis` (`jnp.sum`).
#[track_caller]
pub fn sum(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let dims = unwrap_at_caller(normalize_axes("sum", axis, x.ndim()));
    keep(
        lax::reduce_sum(upcast(x), &dims),
        x.shape(),
        &dims,
        keepdims,
    )
}

/// The product over `axis` (`jnp.prod`).
#[track_caller]
pub fn prod(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let dims = unwrap_at_caller(normalize_axes("prod", axis, x.ndim()));
    keep(
        lax::reduce_prod(upcast(x), &dims),
        x.shape(),
        &dims,
        keepdims,
    )
}

/// The reduced axes of `x` for `op`, a reduction with no identity: panics, as JAX raises, when
/// they hold no elements.
#[track_caller]
fn nonempty_axes(op: &str, x: &Array, axis: Option<&[isize]>) -> Vec<usize> {
    let dims = unwrap_at_caller(normalize_axes(op, axis, x.ndim()));
    assert!(
        dims.iter().all(|&d| x.shape()[d] > 0),
        "{op}: zero-size array to reduction operation {op} which has no identity: axes {dims:?} \
         of {}",
        x.aval()
    );
    dims
}

/// The maximum over `axis` (`jnp.max`). Panics, as JAX raises, when the reduced axes are
/// empty.
#[track_caller]
pub fn max(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let dims = nonempty_axes("max", x, axis);
    keep(lax::reduce_max(x, &dims), x.shape(), &dims, keepdims)
}

/// The minimum over `axis` (`jnp.min`). Panics, as JAX raises, when the reduced axes are
/// empty.
#[track_caller]
pub fn min(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let dims = nonempty_axes("min", x, axis);
    keep(lax::reduce_min(x, &dims), x.shape(), &dims, keepdims)
}

/// The maximum over `axis`, the reduction's identity (`-inf`, or the dtype's least value)
/// where the reduced axes are empty: JAX's `max(x, axis, initial=-inf)`, for the functions
/// built on it that accept empty input (`softmax`, `logsumexp`, `linalg`'s scalings).
#[track_caller]
pub(crate) fn max_or_identity(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(normalize_axes("max", axis, x.ndim()));
    keep(lax::reduce_max(x, &dims), x.shape(), &dims, keepdims)
}

/// The minimum over `axis`, the reduction's identity where the reduced axes are empty (see
/// [`max_or_identity`]).
#[track_caller]
pub(crate) fn min_or_identity(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(normalize_axes("min", axis, x.ndim()));
    keep(lax::reduce_min(x, &dims), x.shape(), &dims, keepdims)
}

/// The maximum over `axis` (`jnp.amax`, the same as [`max`]).
#[track_caller]
pub fn amax(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    max(x, axes)
}

/// The minimum over `axis` (`jnp.amin`, the same as [`min`]).
#[track_caller]
pub fn amin(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    min(x, axes)
}

/// The range `max - min` over `axis` (`jnp.ptp`, "peak to peak").
#[track_caller]
pub fn ptp(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    nonempty_axes("ptp", x, axes.list());
    max(x, &axes) - min(x, axes)
}

/// The number of nonzero elements over `axis`, as the default int (`jnp.count_nonzero`).
#[track_caller]
pub fn count_nonzero(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let dims = unwrap_at_caller(normalize_axes("count_nonzero", axis, x.ndim()));
    let ones = astype(&x.ne(0), default_int());
    keep(lax::reduce_sum(&ones, &dims), x.shape(), &dims, keepdims)
}

/// A running reduction along `axis` (`None`: of the flattened array), accumulated in `dtype`
/// or, by default, in [`accumulation_dtype`] of `x`'s dtype.
#[track_caller]
fn cumulative(
    op: &str,
    x: &Array,
    axis: Option<isize>,
    dtype: Option<DType>,
    running: fn(&Array, usize, bool) -> Array,
) -> Array {
    let (x, axis) = match axis {
        // As in JAX (unlike NumPy), a 0-d array has no axis to accumulate along.
        Some(a) => (x.clone(), unwrap_at_caller(one_axis(op, a, x.ndim()))),
        None => (lax::reshape(x, &[x.size()]), 0),
    };
    let target = dtype.unwrap_or_else(|| accumulation_dtype(x.dtype()));
    // Booleans accumulate as integers and convert back, as in JAX.
    let accumulate = if target == DType::Bool {
        default_int()
    } else {
        target
    };
    astype(&running(&astype(&x, accumulate), axis, false), target)
}

/// The running sum along `axis` (`None`: of the flattened array) (`jnp.cumsum`); booleans and
/// small integers accumulate in the default int unless `dtype` says otherwise.
#[track_caller]
pub fn cumsum(
    x: impl IntoArray,
    axis: impl Into<Option<isize>>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let x = &x.into_array();
    let axis: Option<isize> = axis.into();
    let dtype: Option<DType> = dtype.into();
    cumulative("cumsum", x, axis, dtype, |x, axis, reverse| {
        lax::cumsum_with(x, CumulativeOptions { axis, reverse })
    })
}

/// The running product along `axis` (`None`: of the flattened array) (`jnp.cumprod`); booleans
/// and small integers accumulate in the default int unless `dtype` says otherwise.
#[track_caller]
pub fn cumprod(
    x: impl IntoArray,
    axis: impl Into<Option<isize>>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let x = &x.into_array();
    let axis: Option<isize> = axis.into();
    let dtype: Option<DType> = dtype.into();
    cumulative("cumprod", x, axis, dtype, |x, axis, reverse| {
        lax::cumprod_with(x, CumulativeOptions { axis, reverse })
    })
}

/// Whether every element over `axis` is nonzero (`jnp.all`).
#[track_caller]
pub fn all(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let dims = unwrap_at_caller(normalize_axes("all", axis, x.ndim()));
    let b = astype(x, DType::Bool);
    keep(lax::reduce_and(&b, &dims), x.shape(), &dims, keepdims)
}

/// Whether any element over `axis` is nonzero (`jnp.any`).
#[track_caller]
pub fn any(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let dims = unwrap_at_caller(normalize_axes("any", axis, x.ndim()));
    let b = astype(x, DType::Bool);
    keep(lax::reduce_or(&b, &dims), x.shape(), &dims, keepdims)
}

/// The number of elements `op` reduces over `axis`.
#[track_caller]
fn count(op: &str, x: &Array, axis: Option<&[isize]>) -> usize {
    let dims = unwrap_at_caller(normalize_axes(op, axis, x.ndim()));
    dims.iter().map(|&d| x.shape()[d]).product()
}

/// `x` as the strongly typed inexact array JAX's `mean` and `var` compute in.
#[track_caller]
fn strong_inexact(x: &Array) -> Array {
    let x = to_inexact(x);
    astype(&x, x.dtype())
}

/// The arithmetic mean over `axis` (`jnp.mean`); integers give float32 (64-bit ones float64),
/// strongly typed.
#[track_caller]
pub fn mean(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let x = strong_inexact(x);
    let n = count("mean", &x, axes.list());
    sum(&x, axes) / n as f64
}

/// The variance over `axis` with `ddof` delta degrees of freedom (`jnp.var`); NaN, as in
/// JAX, when `ddof` is at least the number of elements reduced.
#[track_caller]
pub fn var(x: impl IntoArray, axes: impl Into<Axes>, ddof: usize) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    let x = strong_inexact(x);
    let n = count("var", &x, axes.list());
    let centered = &x - mean(&x, axes.clone().keepdims(true));
    let squares = &centered * &centered;
    let total = sum(&squares, axes);
    if ddof >= n {
        total * f64::NAN
    } else {
        total / (n - ddof) as f64
    }
}

/// The standard deviation over `axis` with `ddof` (`jnp.std`).
#[track_caller]
pub fn std(x: impl IntoArray, axes: impl Into<Axes>, ddof: usize) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    var(x, axes, ddof).sqrt()
}

/// Argmax/argmin over one axis (every axis: the flattened array).
#[track_caller]
fn arg(x: &Array, axes: &Axes, is_max: bool) -> Array {
    let ndim = x.ndim();
    let op = if is_max { "argmax" } else { "argmin" };
    let keepdims = axes.keeps_dims();
    let axis = match axes.list() {
        None => None,
        Some(&[axis]) => Some(axis),
        Some(several) => panic!("{op}: takes one axis, got {several:?}"),
    };
    let (x, dim) = match axis {
        None => (lax::reshape(x, &[x.size()]), 0),
        Some(a) => (x.clone(), unwrap_at_caller(one_axis(op, a, x.ndim()))),
    };
    let out = if is_max {
        lax::argmax(&x, dim, default_int())
    } else {
        lax::argmin(&x, dim, default_int())
    };
    if !keepdims {
        out
    } else if axis.is_none() {
        lax::reshape(&out, &vec![1; ndim])
    } else {
        keep(out, x.shape(), &[dim], true)
    }
}

/// The index of the first maximum over `axis` (`None`: of the flattened array), as the
/// default int (`jnp.argmax`).
#[track_caller]
pub fn argmax(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    arg(x, &axes, true)
}

/// The index of the first minimum over `axis` (`None`: of the flattened array), as the
/// default int (`jnp.argmin`).
#[track_caller]
pub fn argmin(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    arg(x, &axes, false)
}
