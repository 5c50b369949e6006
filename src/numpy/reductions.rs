//! Reductions, as in `jax.numpy`: `sum`, `prod`, `mean`, `var`, `std`, `max`, `min`,
//! `argmax`, `argmin`, `all`, `any`, each over `axis` (`None`: every axis) with `keepdims`.

use super::{astype, axes, axis as one_axis, default_int, to_inexact};
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, DType, config};

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

/// The accumulation dtype of `sum` and `prod`: booleans and small integers widen to the
/// default (unsigned) integer, as in JAX.
fn upcast(x: &Array) -> Array {
    let x64 = config::x64_enabled();
    let dtype = x.dtype();
    let target = if dtype == DType::Bool || (dtype.is_signed_int() && dtype.size_in_bytes() < 4) {
        default_int()
    } else if dtype.is_unsigned_int() && dtype.size_in_bytes() < 4 {
        crate::promotion::default_uint(x64)
    } else {
        return x.clone();
    };
    astype(x, target)
}

/// The sum over `axis` (`jnp.sum`).
#[track_caller]
pub fn sum(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(axes("sum", axis, x.ndim()));
    keep(
        lax::reduce_sum(&upcast(x), &dims),
        x.shape(),
        &dims,
        keepdims,
    )
}

/// The product over `axis` (`jnp.prod`).
#[track_caller]
pub fn prod(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(axes("prod", axis, x.ndim()));
    keep(
        lax::reduce_prod(&upcast(x), &dims),
        x.shape(),
        &dims,
        keepdims,
    )
}

/// The maximum over `axis` (`jnp.max`).
#[track_caller]
pub fn max(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(axes("max", axis, x.ndim()));
    keep(lax::reduce_max(x, &dims), x.shape(), &dims, keepdims)
}

/// The minimum over `axis` (`jnp.min`).
#[track_caller]
pub fn min(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(axes("min", axis, x.ndim()));
    keep(lax::reduce_min(x, &dims), x.shape(), &dims, keepdims)
}

/// Whether every element over `axis` is nonzero (`jnp.all`).
#[track_caller]
pub fn all(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(axes("all", axis, x.ndim()));
    let b = astype(x, DType::Bool);
    keep(lax::reduce_and(&b, &dims), x.shape(), &dims, keepdims)
}

/// Whether any element over `axis` is nonzero (`jnp.any`).
#[track_caller]
pub fn any(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let dims = unwrap_at_caller(axes("any", axis, x.ndim()));
    let b = astype(x, DType::Bool);
    keep(lax::reduce_or(&b, &dims), x.shape(), &dims, keepdims)
}

/// The number of elements reduced over `axis`.
fn count(x: &Array, axis: Option<&[isize]>) -> usize {
    let dims = unwrap_at_caller(axes("mean", axis, x.ndim()));
    dims.iter().map(|&d| x.shape()[d]).product()
}

/// The arithmetic mean over `axis` (`jnp.mean`); integers give the default float.
#[track_caller]
pub fn mean(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let x = to_inexact(x);
    let n = count(&x, axis);
    sum(&x, axis, keepdims) / n as f64
}

/// The variance over `axis` with `ddof` delta degrees of freedom (`jnp.var`).
#[track_caller]
pub fn var(x: &Array, axis: Option<&[isize]>, ddof: usize, keepdims: bool) -> Array {
    let x = to_inexact(x);
    let n = count(&x, axis);
    let centered = &x - mean(&x, axis, true);
    let squares = &centered * &centered;
    sum(&squares, axis, keepdims) / (n as f64 - ddof as f64)
}

/// The standard deviation over `axis` with `ddof` (`jnp.std`).
#[track_caller]
pub fn std(x: &Array, axis: Option<&[isize]>, ddof: usize, keepdims: bool) -> Array {
    var(x, axis, ddof, keepdims).sqrt()
}

/// Argmax/argmin over one axis (`None`: the flattened array).
fn arg(x: &Array, axis: Option<isize>, keepdims: bool, is_max: bool) -> Array {
    let ndim = x.ndim();
    let (x, dim) = match axis {
        None => (lax::reshape(x, &[x.size()]), 0),
        Some(a) => (x.clone(), unwrap_at_caller(one_axis("argmax", a, x.ndim()))),
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
pub fn argmax(x: &Array, axis: Option<isize>, keepdims: bool) -> Array {
    arg(x, axis, keepdims, true)
}

/// The index of the first minimum over `axis` (`None`: of the flattened array), as the
/// default int (`jnp.argmin`).
#[track_caller]
pub fn argmin(x: &Array, axis: Option<isize>, keepdims: bool) -> Array {
    arg(x, axis, keepdims, false)
}
