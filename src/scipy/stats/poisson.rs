//! The Poisson distribution with mean `mu`, shifted by `loc` (`jax.scipy.stats.poisson`):
//! `logpmf`, `pmf`, `cdf` and `entropy`, by JAX's formulas on [`xlogy`], [`gammaln`],
//! [`gammaincc`] and [`entr`].

use std::f64::consts::{E, PI};

use crate::lax;
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::scipy::special::{entr, gammaincc, gammaln, xlogy};
use crate::{Array, IntoArray};

/// The log mass `xlogy(k - loc, mu) - gammaln(k - loc + 1) - mu`, `-∞` below `loc` and at
/// non-integer `k` (`poisson.logpmf`).
#[track_caller]
pub fn logpmf(k: impl IntoArray, mu: impl IntoArray, loc: impl IntoArray) -> Array {
    let [k, mu, loc] = promote_args_inexact(
        "poisson.logpmf",
        [k.into_array(), mu.into_array(), loc.into_array()],
    );
    let x = &k - &loc;
    let log_probs = xlogy(&x, &mu) - gammaln(&x + 1.0) - &mu;
    let outside = lax::bitwise_or(x.lt(0.0), jnp::round(&k, 0).ne(&k));
    jnp::where_(outside, f64::NEG_INFINITY, log_probs)
}

/// The mass, `exp(logpmf)` (`poisson.pmf`).
#[track_caller]
pub fn pmf(k: impl IntoArray, mu: impl IntoArray, loc: impl IntoArray) -> Array {
    logpmf(k, mu, loc).exp()
}

/// The distribution function `gammaincc(floor(1 + k - loc), mu)`, 0 below `loc`
/// (`poisson.cdf`).
#[track_caller]
pub fn cdf(k: impl IntoArray, mu: impl IntoArray, loc: impl IntoArray) -> Array {
    let [k, mu, loc] = promote_args_inexact(
        "poisson.cdf",
        [k.into_array(), mu.into_array(), loc.into_array()],
    );
    let x = k - loc;
    let p = gammaincc(jnp::floor(1.0 + &x), mu);
    jnp::where_(x.lt(0.0), super::constant_like(&x, 0.0), p)
}

/// The entropy `-Σₖ pmf(k) log pmf(k)` (`poisson.entropy`): 0 at `mu = 0`, the sum over
/// `k < mu + 20` below 10, over `k < mu + 10√mu + 20` below 100, and the asymptotic
/// `log(2πe mu)/2 - 1/(12 mu)` above, as JAX computes it. `loc` does not change the entropy
/// but broadcasts with `mu`.
///
/// # Panics
/// If `mu` and `loc` do not broadcast.
#[track_caller]
pub fn entropy(mu: impl IntoArray, loc: impl IntoArray) -> Array {
    let [mu, _loc] = promote_args_inexact("poisson.entropy", [mu.into_array(), loc.into_array()]);
    let shape = mu.shape().to_vec();
    let flat = mu.reshape(&[mu.size()]);
    let small = truncated_entropy(&flat, 35, |mu| mu + 20.0);
    let medium = truncated_entropy(&flat, 250, |mu| mu + mu.sqrt() * 10.0 + 20.0);
    let large = (&flat * (2.0 * PI * E)).log() * 0.5 - 1.0 / (&flat * 12.0);
    let result = jnp::where_(
        flat.eq(0.0),
        jnp::zeros_like(&flat, None),
        jnp::where_(
            flat.lt(10.0),
            small,
            jnp::where_(flat.lt(100.0), medium, large),
        ),
    );
    result.reshape(&shape)
}

/// `Σ entr(pmf(k, mu))` over `k` in `0..terms` below `ceil(bound(mu))` (JAX's
/// `_entropy_small_mu` and `_entropy_medium_mu`), for a vector `mu`.
fn truncated_entropy(mu: &Array, terms: usize, bound: fn(&Array) -> Array) -> Array {
    let k = jnp::arange(0.0, terms as f64, 1.0, Some(mu.dtype())).reshape(&[terms, 1]);
    let probs = pmf(&k, mu, 0.0);
    let upper = lax::ceil(bound(mu)).astype(k.dtype());
    let mask = k.lt(lax::expand_dims(&upper, &[0]));
    let masked = jnp::where_(mask, probs, 0.0);
    jnp::sum(entr(masked), 0)
}
