//! The Bernoulli distribution with success probability `p` (`jax.scipy.stats.bernoulli`):
//! `logpmf`, `pmf` (shifted by `loc`), `cdf` and `ppf`, by JAX's formulas.

use crate::lax;
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::scipy::special::{xlog1py, xlogy};
use crate::{Array, IntoArray};

/// The log mass `xlogy(k - loc, p) + xlog1py(1 - (k - loc), -p)`, `-∞` outside
/// `[loc, loc + 1]` (`bernoulli.logpmf`; as in JAX, `k - loc` between 0 and 1 is not
/// rejected).
#[track_caller]
pub fn logpmf(k: impl IntoArray, p: impl IntoArray, loc: impl IntoArray) -> Array {
    let [k, p, loc] = promote_args_inexact(
        "bernoulli.logpmf",
        [k.into_array(), p.into_array(), loc.into_array()],
    );
    let x = k - loc;
    let log_probs = xlogy(&x, &p) + xlog1py(1.0 - &x, -&p);
    let outside = lax::bitwise_or(x.lt(0.0), x.gt(1.0));
    jnp::where_(outside, f64::NEG_INFINITY, log_probs)
}

/// The mass, `exp(logpmf)` (`bernoulli.pmf`).
#[track_caller]
pub fn pmf(k: impl IntoArray, p: impl IntoArray, loc: impl IntoArray) -> Array {
    logpmf(k, p, loc).exp()
}

/// Whether `x` is NaN or outside `[0, 1]`.
fn invalid_probability(x: &Array) -> Array {
    let nan_or_negative = lax::bitwise_or(jnp::isnan(x), x.lt(0.0));
    lax::bitwise_or(&nan_or_negative, x.gt(1.0))
}

/// The distribution function: 0 below 0, `1 - p` on `[0, 1)`, 1 from 1 on; NaN where `k`
/// is NaN or `p` is not a probability (`bernoulli.cdf`).
#[track_caller]
pub fn cdf(k: impl IntoArray, p: impl IntoArray) -> Array {
    let [k, p] = promote_args_inexact("bernoulli.cdf", [k.into_array(), p.into_array()]);
    let invalid = lax::bitwise_or(jnp::isnan(&k), invalid_probability(&p));
    let zero = jnp::zeros_like(&k, None);
    // `jnp.select`: the first condition that holds picks the value, 0 if none does.
    let values = jnp::where_(
        k.lt(0.0),
        &zero,
        jnp::where_(k.lt(1.0), 1.0 - &p, jnp::where_(k.ge(1.0), 1.0, &zero)),
    );
    jnp::where_(invalid, f64::NAN, values)
}

/// The quantile function: 0 where `q <= 1 - p`, else 1; NaN where `q` or `p` is NaN or
/// outside `[0, 1]` (`bernoulli.ppf`).
#[track_caller]
pub fn ppf(q: impl IntoArray, p: impl IntoArray) -> Array {
    let [q, p] = promote_args_inexact("bernoulli.ppf", [q.into_array(), p.into_array()]);
    let invalid = lax::bitwise_or(invalid_probability(&q), invalid_probability(&p));
    let quantile = jnp::where_(q.le(1.0 - &p), 0.0, 1.0).astype(q.dtype());
    jnp::where_(invalid, f64::NAN, quantile)
}
