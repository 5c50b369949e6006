//! `rjax::numpy`: JAX's `jax.numpy`, with [`linalg`] for `jax.numpy.linalg`.
//!
//! NumPy's API with JAX's semantics: NumPy broadcasting, JAX's type promotion (Rust numbers
//! passed through [`IntoArray`] are weakly typed), negative axes and `keepdims`. Every
//! function is built on [`crate::lax`] primitives, so it traces under `jit`, `grad` and
//! `vmap`. Functions panic with a message on invalid arguments, as the [`Array`] operators do.
//!
//! ```
//! use rjax::numpy as jnp;
//! use rjax::{Array, grad};
//!
//! let x = jnp::reshape(&jnp::arange(0.0, 6.0, 1.0, None), &[2, -1]);
//! let rows = jnp::sum(&x, -1); // [3, 12]: jnp.sum(x, axis=-1)
//! assert_eq!(rows.to_vec::<f32>()?, vec![3.0, 12.0]);
//! let roots = jnp::sqrt(&jnp::arange(0, 4, 1, None));        // integers become floats
//! assert_eq!(roots.to_vec::<f32>()?, vec![0.0, 1.0, 2.0f32.sqrt(), 3.0f32.sqrt()]);
//! // d/dx median(x) picks out the middle element, through the sort.
//! let g = grad(|x: Array| jnp::median(&x, ..))(Array::from([3.0f32, 1.0, 2.0]))?;
//! assert_eq!(g.to_vec::<f32>()?, vec![0.0, 0.0, 1.0]);
//! # Ok::<(), rjax::Error>(())
//! ```

mod axes;
mod complex_parts;
mod creation;
mod einsum;
mod elementwise;
mod indexing;
mod joining;
pub mod linalg;
mod padding;
mod products;
mod reductions;
mod shape;
mod sorting;
mod statistics;
mod take;
mod tiling;

pub use axes::Axes;
pub use complex_parts::{angle, conj, conjugate, imag, iscomplex, iscomplexobj, isreal, real};
pub use creation::{
    ArangeValue, Indexing, arange, asarray, diag, diagonal, empty, empty_like, eye, full,
    full_like, identity, linspace, logspace, meshgrid, ones, ones_like, tri, tril, triu, zeros,
    zeros_like,
};
pub use einsum::{einsum, einsum_with};
pub use elementwise::{
    abs, absolute, add, arccos, arccos as acos, arccosh, arccosh as acosh, arcsin, arcsin as asin,
    arcsinh, arcsinh as asinh, arctan, arctan as atan, arctan2, arctan2 as atan2, arctanh,
    arctanh as atanh, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, cbrt, ceil, copysign, cos,
    cosh, deg2rad, degrees, divide, divmod, equal, exp, exp2, expm1, fabs, fix, float_power, floor,
    floor_divide, fmax, fmin, fmod, greater, greater_equal, heaviside, hypot, invert, isfinite,
    isinf, isnan, isneginf, isposinf, left_shift, less, less_equal, log, log1p, log2, log10,
    logaddexp, logaddexp2, logical_and, logical_not, logical_or, logical_xor, maximum, minimum,
    multiply, nan_to_num, negative, nextafter, not_equal, positive, power, power as pow, rad2deg,
    radians, reciprocal, remainder, right_shift, rint, round, round as around, sign, signbit, sin,
    sinc, sinh, sqrt, square, subtract, tan, tanh, true_divide, trunc,
};
pub(crate) use elementwise::{promote_args_inexact, promote_inexact};
pub use indexing::{Index, IndexUpdate, Slice};
pub use joining::{
    Split, array_split, atleast_1d, atleast_2d, atleast_3d, column_stack, concatenate, dstack,
    hstack, split, stack, vstack,
};
pub use padding::{PadMode, PadWidth, ReflectType, Sides, pad};
pub use products::{
    TensordotAxes, cross, dot, dot_with, inner, inner_with, kron, matmul, matmul_with, outer,
    tensordot, tensordot_with, trace, vdot, vdot_with,
};
pub use reductions::{
    all, amax, amin, any, argmax, argmin, count_nonzero, cumprod, cumsum, max, mean, min, prod,
    ptp, std, sum, var,
};
pub(crate) use reductions::{max_or_identity, min_or_identity};
pub use shape::{
    broadcast_to, clip, expand_dims, flip, fliplr, flipud, moveaxis, ravel, reshape, rot90,
    squeeze, swapaxes, transpose, where_,
};
pub use sorting::{
    Side, SortOptions, Unique, UniqueOptions, argsort, argsort_with, lexsort, searchsorted, sort,
    sort_with, unique,
};
pub use statistics::{
    QuantileMethod, average, average_returned, median, nanmax, nanmean, nanmin, nanprod, nansum,
    percentile, quantile,
};
pub use take::{TakeMode, take, take_along_axis};
pub use tiling::{repeat, roll, tile};

use crate::array::{broadcast_shapes, convert};
use crate::lax::{self, unwrap_at_caller};
use crate::promotion::result_type;
use crate::{Array, DType, Error, IntoArray, Result, config};

/// Normalizes one possibly negative axis against `ndim`.
fn axis(op: &str, axis: isize, ndim: usize) -> Result<usize> {
    let normalized = if axis < 0 { axis + ndim as isize } else { axis };
    usize::try_from(normalized)
        .ok()
        .filter(|&a| a < ndim)
        .ok_or_else(|| {
            Error::invalid(
                op,
                format!("axis {axis} is out of bounds for an array of rank {ndim}"),
            )
        })
}

/// Normalizes a list of axes (`None`: all of them), rejecting repeats; sorted.
fn axes(op: &str, axes: Option<&[isize]>, ndim: usize) -> Result<Vec<usize>> {
    let mut out = match axes {
        None => (0..ndim).collect::<Vec<_>>(),
        Some(list) => list
            .iter()
            .map(|&a| axis(op, a, ndim))
            .collect::<Result<_>>()?,
    };
    out.sort_unstable();
    if out.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::invalid(op, "repeated axis".to_string()));
    }
    Ok(out)
}

/// The dtypes of `args` promoted together, as JAX does.
fn promote(args: &[Array]) -> Result<Vec<Array>> {
    let types: Vec<(DType, bool)> = args.iter().map(|a| (a.dtype(), a.weak_type())).collect();
    let (dtype, weak) = result_type(&types, config::x64_enabled());
    args.iter().map(|a| convert(a, dtype, weak)).collect()
}

/// `args` promoted and broadcast to a common shape.
fn promote_and_broadcast(op: &str, args: &[Array]) -> Result<Vec<Array>> {
    let shapes: Vec<&[usize]> = args.iter().map(Array::shape).collect();
    let shape = broadcast_shapes(&shapes).ok_or_else(|| {
        let types: Vec<String> = args.iter().map(|a| a.aval().to_string()).collect();
        Error::invalid(
            op,
            format!("shapes do not broadcast together: {}", types.join(", ")),
        )
    })?;
    promote(args)?
        .iter()
        .map(|a| broadcast_array(a, &shape))
        .collect()
}

/// `x` broadcast to `shape` by NumPy's trailing-dimension rule.
fn broadcast_array(x: &Array, shape: &[usize]) -> Result<Array> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    let ok = x.ndim() <= shape.len()
        && x.shape()
            .iter()
            .rev()
            .zip(shape.iter().rev())
            .all(|(&a, &b)| a == b || a == 1);
    if !ok {
        return Err(Error::invalid(
            "broadcast_to",
            format!("cannot broadcast {} to shape {shape:?}", x.aval()),
        ));
    }
    let offset = shape.len() - x.ndim();
    // Drop size-1 dimensions that grow, then broadcast the rest in place.
    let keep: Vec<usize> = (0..x.ndim())
        .filter(|&i| x.shape()[i] == shape[offset + i])
        .collect();
    let squeezed = if keep.len() == x.ndim() {
        x.clone()
    } else {
        let sizes: Vec<usize> = keep.iter().map(|&i| x.shape()[i]).collect();
        lax::reshape(x, &sizes)
    };
    let dims: Vec<usize> = keep.iter().map(|&i| offset + i).collect();
    Ok(lax::broadcast_in_dim(&squeezed, shape, &dims))
}

/// `x` converted to `dtype` (strongly typed).
#[track_caller]
fn astype(x: &Array, dtype: DType) -> Array {
    unwrap_at_caller(convert(x, dtype, false))
}

/// The default floating dtype (float32, or float64 with x64).
fn default_float() -> DType {
    crate::promotion::default_float(config::x64_enabled())
}

/// The default integer dtype (int32, or int64 with x64).
fn default_int() -> DType {
    crate::promotion::default_int(config::x64_enabled())
}

/// A weak scalar converted to `like`'s dtype (keeping `like`'s weakness).
#[track_caller]
fn scalar_like(value: impl IntoArray, like: &Array) -> Array {
    unwrap_at_caller(convert(&value.into_array(), like.dtype(), like.weak_type()))
}

/// `x` as an inexact array, as JAX's `to_inexact_dtype`: booleans and integers of up to 32
/// bits become `float32`, 64-bit integers `float64`.
#[track_caller]
pub(crate) fn to_inexact(x: &Array) -> Array {
    if x.dtype().is_inexact() {
        x.clone()
    } else {
        let dtype = crate::promotion::to_inexact_dtype(x.dtype(), config::x64_enabled());
        unwrap_at_caller(convert(x, dtype, x.weak_type()))
    }
}

/// `|x|`, as the same dtype.
fn abs_(x: &Array) -> Array {
    x.abs()
}
