//! The gamma distribution with shape `a` (`jax.scipy.stats.gamma`): `logpdf`, `pdf`, `cdf`,
//! `logcdf`, `sf` and `logsf`, by JAX's formulas on [`xlogy`], [`gammaln`], [`gammainc`] and
//! [`gammaincc`].

use super::clamp;
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::scipy::special::{gammainc, gammaincc, gammaln, xlogy};
use crate::{Array, IntoArray};

/// `(x, a, loc, scale)` promoted together for `op`.
#[track_caller]
fn promote(
    op: &str,
    x: impl IntoArray,
    a: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> [Array; 4] {
    promote_args_inexact(
        op,
        [
            x.into_array(),
            a.into_array(),
            loc.into_array(),
            scale.into_array(),
        ],
    )
}

/// The log density `xlogy(a - 1, y) - y - gammaln(a) - log(scale)` with
/// `y = (x - loc)/scale`, and `-∞` below `loc` (`gamma.logpdf`).
#[track_caller]
pub fn logpdf(
    x: impl IntoArray,
    a: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    let [x, a, loc, scale] = promote("gamma.logpdf", x, a, loc, scale);
    let ok = x.ge(&loc);
    let y = jnp::where_(&ok, (&x - &loc) / &scale, 1.0);
    let log_linear_term = xlogy(&a - 1.0, &y) - &y;
    let shape_terms = gammaln(&a) + scale.log();
    jnp::where_(ok, log_linear_term - shape_terms, f64::NEG_INFINITY)
}

/// The density, `exp(logpdf)` (`gamma.pdf`).
#[track_caller]
pub fn pdf(
    x: impl IntoArray,
    a: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    logpdf(x, a, loc, scale).exp()
}

/// The distribution function `gammainc(a, clamp((x - loc)/scale, 0, ∞))` (`gamma.cdf`).
#[track_caller]
pub fn cdf(
    x: impl IntoArray,
    a: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    let [x, a, loc, scale] = promote("gamma.cdf", x, a, loc, scale);
    gammainc(a, clamp(0.0, &((x - loc) / scale), f64::INFINITY))
}

/// `log(cdf)` (`gamma.logcdf`).
#[track_caller]
pub fn logcdf(
    x: impl IntoArray,
    a: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    cdf(x, a, loc, scale).log()
}

/// The survival function: 1 below `loc`, else `gammaincc(a, (x - loc)/scale)` (`gamma.sf`).
#[track_caller]
pub fn sf(
    x: impl IntoArray,
    a: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    let [x, a, loc, scale] = promote("gamma.sf", x, a, loc, scale);
    let y = (x - loc) / scale;
    jnp::where_(y.lt(0.0), 1.0, gammaincc(a, &y))
}

/// `log(sf)` (`gamma.logsf`).
#[track_caller]
pub fn logsf(
    x: impl IntoArray,
    a: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    sf(x, a, loc, scale).log()
}
