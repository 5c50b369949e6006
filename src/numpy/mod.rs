//! `rjax::numpy`: the first slice of JAX's `jax.numpy`.
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
//! let rows = jnp::sum(&x, Some(&[-1]), false);                // [3, 12]
//! assert_eq!(rows.to_vec::<f32>()?, vec![3.0, 12.0]);
//! let probabilities = jnp::softmax(&x, None);               // along the last axis
//! assert_eq!(probabilities.shape(), [2, 3]);
//! // d/dx logsumexp(x) = softmax(x), through the same functions.
//! let g = grad(|x: Array| jnp::logsumexp(&x, None, false))(Array::from([0.0f32, 0.0]))?;
//! assert_eq!(g.to_vec::<f32>()?, vec![0.5, 0.5]);
//! # Ok::<(), rjax::Error>(())
//! ```

mod creation;
pub mod linalg;
mod nn;
mod products;
mod reductions;
mod shape;

pub use creation::{
    ArangeValue, arange, eye, full, full_like, identity, linspace, ones, ones_like, zeros,
    zeros_like,
};
pub use nn::{logsumexp, softmax};
pub use products::{dot, inner, matmul, outer, trace, vdot};
pub use reductions::{all, any, argmax, argmin, max, mean, min, prod, std, sum, var};
pub use shape::{
    Split, broadcast_to, clip, concatenate, expand_dims, flip, moveaxis, ravel, reshape, split,
    squeeze, stack, swapaxes, transpose, where_,
};

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
    let shape = broadcast_shapes(&shapes)
        .ok_or_else(|| Error::invalid(op, "incompatible shapes for broadcasting".to_string()))?;
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
fn scalar_like(value: impl IntoArray, like: &Array) -> Array {
    unwrap_at_caller(convert(&value.into_array(), like.dtype(), like.weak_type()))
}

/// `x` as an inexact array: integers and booleans become the default float.
fn to_inexact(x: &Array) -> Array {
    if x.dtype().is_inexact() {
        x.clone()
    } else {
        unwrap_at_caller(convert(x, default_float(), x.weak_type()))
    }
}

/// `|x|`, as the same dtype.
fn abs_(x: &Array) -> Array {
    x.abs()
}
