//! Numerically stable `logsumexp` (`jax.nn.logsumexp`, also `jax.scipy.special.logsumexp`)
//! and `softmax` (`jax.nn.softmax`).

use super::{max, sum, to_inexact, where_};
use crate::lax;
use crate::{Array, stop_gradient};

/// The maximum over `axis` (kept), with non-finite maxima replaced by zero, outside autodiff.
fn shift(x: &Array, axis: Option<&[isize]>) -> Array {
    let m = stop_gradient(&max(x, axis, true));
    let finite = lax::is_finite(&m);
    let zero = super::zeros_like(&m, None);
    stop_gradient(&where_(finite, &m, zero))
}

/// `log(sum(exp(x)))` over `axis` (`None`: all axes), computed stably by shifting by the
/// maximum (`jax.nn.logsumexp`).
#[track_caller]
pub fn logsumexp(x: &Array, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let x = to_inexact(x);
    let m = shift(&x, axis);
    let total = sum(&(&x - &m).exp(), axis, true);
    let out = total.log() + &m;
    if keepdims {
        out
    } else {
        let dims = super::axes("logsumexp", axis, x.ndim()).expect("axes were checked");
        lax::squeeze(&out, &dims)
    }
}

/// `exp(x) / sum(exp(x))` over `axis` (`None`: the last axis, as in JAX), computed stably
/// (`jax.nn.softmax`).
#[track_caller]
pub fn softmax(x: &Array, axis: Option<&[isize]>) -> Array {
    let x = to_inexact(x);
    let axis = axis.unwrap_or(&[-1]);
    let unnormalized = (&x - stop_gradient(&max(&x, Some(axis), true))).exp();
    let total = sum(&unnormalized, Some(axis), true);
    unnormalized / total
}
