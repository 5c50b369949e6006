//! Student's t distribution (`jax.scipy.stats.t`): `logpdf` and `pdf`, with `df` degrees of
//! freedom, by JAX's formula (JAX 0.10.2 has no `cdf` for it).

use std::f64::consts::PI;

use crate::lax;
use crate::numpy::promote_args_inexact;
use crate::{Array, IntoArray};

/// The log density `-(lgamma(df/2) + log(π df scale²)/2 - lgamma((df + 1)/2) + (df + 1)/2 ·
/// log1p(((x - loc)/scale)²/df))` (`t.logpdf`).
#[track_caller]
pub fn logpdf(
    x: impl IntoArray,
    df: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    let [x, df, loc, scale] = promote_args_inexact(
        "t.logpdf",
        [
            x.into_array(),
            df.into_array(),
            loc.into_array(),
            scale.into_array(),
        ],
    );
    let scaled_x = (&x - &loc) / &scale;
    let df_over_two = &df / 2.0;
    let df_plus_one_over_two = &df_over_two + 0.5;
    let normalize_term_const = &scale * &scale * PI;
    let normalize_term_tmp = (normalize_term_const * &df).log() / 2.0;
    let normalize_term =
        lax::lgamma(&df_over_two) + normalize_term_tmp - lax::lgamma(&df_plus_one_over_two);
    let quadratic = &scaled_x * &scaled_x / &df;
    -(normalize_term + df_plus_one_over_two * lax::log1p(&quadratic))
}

/// The density, `exp(logpdf)` (`t.pdf`).
#[track_caller]
pub fn pdf(
    x: impl IntoArray,
    df: impl IntoArray,
    loc: impl IntoArray,
    scale: impl IntoArray,
) -> Array {
    logpdf(x, df, loc, scale).exp()
}
