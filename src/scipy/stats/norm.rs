//! The normal distribution `N(loc, scale²)` (`jax.scipy.stats.norm`): `logpdf`, `pdf`,
//! `cdf`, `logcdf`, `sf`, `logsf`, `ppf` and `isf`, by JAX's formulas on
//! [`ndtr`], [`log_ndtr`] and [`ndtri`].

use std::f64::consts::PI;

use crate::numpy::promote_args_inexact;
use crate::scipy::special::{log_ndtr, ndtr, ndtri};
use crate::{Array, IntoArray};

/// The log density `-(log(2π scale²) + ((x - loc)/scale)²)/2` (`norm.logpdf`).
#[track_caller]
pub fn logpdf(x: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    let [x, loc, scale] = promote_args_inexact(
        "norm.logpdf",
        [x.into_array(), loc.into_array(), scale.into_array()],
    );
    let scale_squared = &scale * &scale;
    let log_normalizer = (&scale_squared * (2.0 * PI)).log();
    let centered = &x - &loc;
    let quadratic = &centered * &centered / &scale_squared;
    (log_normalizer + quadratic) / -2.0
}

/// The density, `exp(logpdf)` (`norm.pdf`).
#[track_caller]
pub fn pdf(x: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The distribution function `Φ((x - loc)/scale)` (`norm.cdf`).
#[track_caller]
pub fn cdf(x: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    let [x, loc, scale] = promote_args_inexact(
        "norm.cdf",
        [x.into_array(), loc.into_array(), scale.into_array()],
    );
    ndtr((x - loc) / scale)
}

/// `log Φ((x - loc)/scale)`, accurate far into the tails (`norm.logcdf`).
#[track_caller]
pub fn logcdf(x: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    let [x, loc, scale] = promote_args_inexact(
        "norm.logcdf",
        [x.into_array(), loc.into_array(), scale.into_array()],
    );
    log_ndtr((x - loc) / scale)
}

/// The survival function `1 - cdf`, as `cdf(-x, -loc, scale)` (`norm.sf`).
#[track_caller]
pub fn sf(x: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    let [x, loc, scale] = promote_args_inexact(
        "norm.sf",
        [x.into_array(), loc.into_array(), scale.into_array()],
    );
    cdf(-x, -loc, scale)
}

/// `log(1 - cdf)`, as `logcdf(-x, -loc, scale)` (`norm.logsf`).
#[track_caller]
pub fn logsf(x: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    let [x, loc, scale] = promote_args_inexact(
        "norm.logsf",
        [x.into_array(), loc.into_array(), scale.into_array()],
    );
    logcdf(-x, -loc, scale)
}

/// The quantile function `ndtri(q)·scale + loc` (`norm.ppf`), in the default float dtype
/// (float64 with x64, whatever `q`'s float dtype), as JAX's `jnp.asarray(..., float)`.
///
/// # Panics
/// If `q` is not float32 or float64 (JAX's `ndtri` raises too).
#[track_caller]
pub fn ppf(q: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    let quantile = ndtri(q) * scale.into_array() + loc.into_array();
    quantile.astype(crate::promotion::default_float(crate::config::x64_enabled()))
}

/// The inverse survival function, `ppf(1 - q, loc, scale)` (`norm.isf`).
///
/// # Panics
/// If `q` is not float32 or float64.
#[track_caller]
pub fn isf(q: impl IntoArray, loc: impl IntoArray, scale: impl IntoArray) -> Array {
    let q = q.into_array();
    ppf(super::constant_like(&q, 1.0) - &q, loc, scale)
}
