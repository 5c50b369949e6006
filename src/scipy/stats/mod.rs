//! `jax.scipy.stats`: the densities, distribution functions and their inverses of the
//! [`norm`]al, Student's [`t`], [`gamma`], [`beta`] and [`multivariate_normal`]
//! distributions, and the mass functions of the [`poisson`] and [`bernoulli`] distributions,
//! with the functions JAX 0.10.2 has for each.
//!
//! Each module has free functions named as SciPy's methods (`norm::logpdf(x, loc, scale)`);
//! the parameters take anything [`IntoArray`](crate::IntoArray) (Rust numbers, weakly typed,
//! or arrays), are promoted together as JAX's `promote_args_inexact` (integers become the
//! default float) and broadcast. The formulas are JAX's, so the values at the edges of the
//! support (outside it, at 0, at ±∞) and the derivatives, which flow through
//! [`special`](super::special)'s rules, are JAX's too. Every function traces under `jit`,
//! `grad` and `vmap`.
//!
//! ```
//! use rjax::scipy::stats::{gamma, norm};
//! use rjax::{Array, grad};
//!
//! rjax::config::enable_x64(true);
//! let x = Array::from([-1.0, 0.0, 2.5]);
//! let p = norm::cdf(&x, 0.0, 1.0);
//! assert!((p.to_vec::<f64>()?[1] - 0.5).abs() < 1e-15);
//! // Outside the support the log density is -∞.
//! assert_eq!(gamma::logpdf(&x, 2.0, 0.0, 1.0).to_vec::<f64>()?[0], f64::NEG_INFINITY);
//! // d/dx log φ(x) = -x.
//! let slope = grad(|x: Array| norm::logpdf(&x, 0.0, 1.0))(Array::from(1.5))?;
//! assert!((slope.item::<f64>()? + 1.5).abs() < 1e-15);
//! # Ok::<(), rjax::Error>(())
//! ```

pub mod bernoulli;
pub mod beta;
pub mod gamma;
pub mod multivariate_normal;
pub mod norm;
pub mod poisson;
pub mod t;

use crate::Array;

/// A 0-d array of `value` with `x`'s dtype (JAX's `lax._const(x, value)`).
fn constant_like(x: &Array, value: f64) -> Array {
    Array::scalar(value).astype(x.dtype())
}

/// `v` clamped to `[low, high]` elementwise, NaN kept (`lax.clamp` with constant bounds).
fn clamp(low: f64, v: &Array, high: f64) -> Array {
    crate::lax::clamp(constant_like(v, low), v, constant_like(v, high))
}
