//! `logsumexp` with SciPy's weights `b`, `keepdims` and `return_sign`, computed as JAX does
//! (shifted by the maximum, which is held constant to differentiation), and `softmax` and
//! `log_softmax` over SciPy's default of every axis.

use crate::numpy::Axes;
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::{Array, IntoArray, lax, nn, stop_gradient};

/// `log Σ b·e^a` over `axis` (`None`: every axis), computed stably
/// (`jax.scipy.special.logsumexp(a, axis, b, keepdims)`): with weights `b` (broadcast against
/// `a`; terms whose weight is 0 are dropped), a negative sum gives NaN, as in JAX. Integers
/// become the default float.
///
/// # Panics
/// If an axis is out of bounds or the shapes do not broadcast.
#[track_caller]
pub fn logsumexp(
    a: impl IntoArray,
    axis: Option<&[isize]>,
    b: Option<&Array>,
    keepdims: bool,
) -> Array {
    let a = &a.into_array();
    let (out, sign) = logsumexp_with_sign(a, axis, b, keepdims);
    if b.is_some() {
        jnp::where_(sign.lt(0.0), f64::NAN, out)
    } else {
        out
    }
}

/// `logsumexp` with `return_sign=True`: `(log |Σ b·e^a|, sign(Σ b·e^a))`, so that negative
/// weights give the logarithm of the magnitude and a sign of -1.
///
/// # Panics
/// If an axis is out of bounds or the shapes do not broadcast.
#[track_caller]
pub fn logsumexp_with_sign(
    a: impl IntoArray,
    axis: Option<&[isize]>,
    b: Option<&Array>,
    keepdims: bool,
) -> (Array, Array) {
    let a = &a.into_array();
    let (a, b) = match b {
        Some(b) => {
            let [a, b] = promote_args_inexact("logsumexp", [a.clone(), b.clone()]);
            (jnp::where_(b.ne(0.0), &a, f64::NEG_INFINITY), Some(b))
        }
        None => {
            let [a] = promote_args_inexact("logsumexp", [a.clone()]);
            (a, None)
        }
    };
    nn::check_axes("logsumexp", &a, axis);
    let all: Vec<isize> = (0..a.ndim() as isize).collect();
    let axis = axis.unwrap_or(&all);
    let amax = jnp::max_or_identity(&a, Some(axis), true);
    let amax = stop_gradient(&jnp::where_(jnp::isfinite(&amax), &amax, 0.0));
    let mut exp_a = (&a - &amax).exp();
    if let Some(b) = &b {
        exp_a = exp_a * b;
    }
    let sumexp = jnp::sum(&exp_a, Axes::from(axis).keepdims(keepdims));
    let amax = if keepdims {
        amax
    } else {
        jnp::squeeze(&amax, Some(axis))
    };
    let sign = lax::sign(&sumexp);
    let out = sumexp.abs().log() + amax;
    (out, sign)
}

/// The axes a SciPy-style `axis` names (`None`: every axis).
fn axes_or_all(x: &Array, axis: Option<&[isize]>) -> Vec<isize> {
    axis.map_or_else(|| (0..x.ndim() as isize).collect(), <[isize]>::to_vec)
}

/// `e^x / Σ e^x` over `axis` (`None`: every axis, SciPy's default, unlike `jax.nn.softmax`)
/// (`jax.scipy.special.softmax`).
#[track_caller]
pub fn softmax(x: impl IntoArray, axis: Option<&[isize]>) -> Array {
    let x = x.into_array();
    nn::softmax(&x, Some(&axes_or_all(&x, axis)))
}

/// `log(softmax(x))` over `axis` (`None`: every axis) (`jax.scipy.special.log_softmax`).
#[track_caller]
pub fn log_softmax(x: impl IntoArray, axis: Option<&[isize]>) -> Array {
    let x = x.into_array();
    nn::log_softmax(&x, Some(&axes_or_all(&x, axis)))
}
