//! The beta distribution with shapes `a` and `b` on `[loc, loc + scale]`
//! (`jax.scipy.stats.beta`): `logpdf`, `pdf`, `cdf`, `logcdf`, `sf` and `logsf`, by JAX's
//! formulas on [`betaln`], [`xlogy`], [`xlog1py`] and [`betainc`].

use super::clamp;
use crate::lax;
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::scipy::special::{betainc, betaln, xlog1py, xlogy};
use crate::{Array, IntoArray};

/// `(x, a, b, loc, scale)` promoted together for `op`, with `y = (x - loc)/scale` clamped
/// to `[0, 1]`.
#[track_caller]
fn promote_clamped(
    op: &str,
    x: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> (Array, Array, Array) {
    let [x, a, b, loc, scale] = promote_args_inexact(
        op,
        [
            x.into_array(),
            a.into_array(),
            b.into_array(),
            loc.into_array(),
            scale.into_array(),
        ],
    );
    (a, b, clamp(0.0, &((x - loc) / scale), 1.0))
}

/// The log density `xlogy(a - 1, y) + xlog1py(b - 1, -y) - betaln(a, b) - log(scale)` with
/// `y = (x - loc)/scale`: `-∞` outside `[loc, loc + scale]`, NaN unless `a`, `b` and
/// `scale` are positive (`beta.logpdf`).
#[track_caller]
pub fn logpdf(
    x: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    let [x, a, b, loc, scale] = promote_args_inexact(
        "beta.logpdf",
        [
            x.into_array(),
            a.into_array(),
            b.into_array(),
            loc.into_array(),
            scale.into_array(),
        ],
    );
    let shape_term = -betaln(&a, &b);
    let y = (&x - &loc) / &scale;
    let log_linear_term = xlogy(&a - 1.0, &y) + xlog1py(&b - 1.0, -&y);
    let log_probs = shape_term + log_linear_term - scale.log();
    let outside = lax::bitwise_or(x.gt(&loc + &scale), x.lt(&loc));
    let result = jnp::where_(outside, f64::NEG_INFINITY, log_probs);
    let bad_parameters = lax::bitwise_or(lax::bitwise_or(a.le(0.0), b.le(0.0)), scale.le(0.0));
    jnp::where_(bad_parameters, f64::NAN, result)
}

/// The density, `exp(logpdf)` (`beta.pdf`).
#[track_caller]
pub fn pdf(
    x: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    logpdf(x, a, b, loc, scale).exp()
}

/// The distribution function `betainc(a, b, clamp((x - loc)/scale, 0, 1))` (`beta.cdf`).
#[track_caller]
pub fn cdf(
    x: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    let (a, b, y) = promote_clamped("beta.cdf", x, a, b, loc, scale);
    betainc(a, b, y)
}

/// `log(cdf)` (`beta.logcdf`).
#[track_caller]
pub fn logcdf(
    x: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    cdf(x, a, b, loc, scale).log()
}

/// The survival function `betainc(b, a, 1 - clamp((x - loc)/scale, 0, 1))` (`beta.sf`).
#[track_caller]
pub fn sf(
    x: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    let (a, b, y) = promote_clamped("beta.sf", x, a, b, loc, scale);
    betainc(b, a, 1.0 - y)
}

/// `log(sf)` (`beta.logsf`).
#[track_caller]
pub fn logsf(
    x: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    sf(x, a, b, loc, scale).log()
}
