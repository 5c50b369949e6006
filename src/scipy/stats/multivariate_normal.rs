//! The multivariate normal distribution `N(mean, cov)` (`jax.scipy.stats.multivariate_normal`):
//! `logpdf` and `pdf`, by JAX's formulas: through the Cholesky factor of `cov` and a
//! triangular solve for a matrix `cov`, in closed form for a scalar `cov` or `mean`.
//! JAX supports no `allow_singular` (it raises unless it is `None`), so it is not a
//! parameter here.

use std::f64::consts::PI;

use crate::array::broadcast_shapes;
use crate::lax;
use crate::numpy as jnp;
use crate::{Array, IntoArray};

/// `args` converted to their common inexact dtype, shapes unchanged (JAX's
/// `promote_dtypes_inexact`).
fn promote_dtypes_inexact(args: [Array; 3]) -> [Array; 3] {
    let x64 = crate::config::x64_enabled();
    let types: Vec<_> = args.iter().map(|a| (a.dtype(), a.weak_type())).collect();
    let (common, _) = crate::promotion::result_type(&types, x64);
    let dtype = if common.is_inexact() {
        common
    } else {
        crate::promotion::default_float(x64)
    };
    args.map(|a| a.astype(dtype))
}

/// `Σᵢ yᵢ²` over the last axis (JAX's `einsum('...i,...i->...', y, y)`).
fn squared_norm(y: &Array) -> Array {
    jnp::einsum("...i,...i->...", &[y, y])
}

/// The log density of `x` (`[..., n]`) under `N(mean, cov)` (`multivariate_normal.logpdf`):
/// `mean` a scalar (then `x` and `cov` are elementwise variances) or `[..., n]`, `cov` a
/// scalar (`cov·I`) or `[..., n, n]`, positive definite (NaN otherwise, from its Cholesky
/// factor). Batch dimensions broadcast.
///
/// # Panics
/// If `cov` is a matrix whose trailing shape is not `[n, n]` for `mean`'s `n`, or the batch
/// shapes do not broadcast.
#[track_caller]
pub fn logpdf(x: impl IntoArray, mean: impl IntoArray, cov: impl IntoArray) -> Array {
    let [x, mean, cov] =
        promote_dtypes_inexact([x.into_array(), mean.into_array(), cov.into_array()]);
    let log_two_pi = jnp::log(2.0 * PI);
    if mean.ndim() == 0 {
        let centered = &x - &mean;
        return &centered * &centered * -0.5 / &cov - (log_two_pi + cov.log()) * 0.5;
    }
    let n = mean.shape()[mean.ndim() - 1];
    let half_n = n as f64 / 2.0;
    if cov.ndim() == 0 {
        let y = &x - &mean;
        return squared_norm(&y) * -0.5 / &cov - (log_two_pi + cov.log()) * half_n;
    }
    assert!(
        cov.ndim() >= 2 && cov.shape()[cov.ndim() - 2..] == [n, n],
        "multivariate_normal.logpdf got incompatible shapes: x {}, mean {}, cov {}",
        x.aval(),
        mean.aval(),
        cov.aval()
    );
    // `lax.linalg.cholesky` symmetrizes its input, so the gradient in `cov` is symmetric.
    let factor = lax::cholesky_with(
        &((&cov + jnp::swapaxes(&cov, -1, -2)) / 2.0),
        lax::CholeskyOptions::default().symmetrize_input(false),
    );
    let centered = &x - &mean;
    // JAX vectorizes the solve over the broadcast batch dimensions of both.
    let factor_batch = &factor.shape()[..factor.ndim() - 2];
    let centered_batch = &centered.shape()[..centered.ndim() - 1];
    let batch = broadcast_shapes(&[factor_batch, centered_batch]).unwrap_or_else(|| {
        panic!(
            "multivariate_normal.logpdf: the batch dimensions of x - mean {} and cov {} do \
             not broadcast",
            centered.aval(),
            cov.aval()
        )
    });
    let with = |tail: &[usize]| [batch.as_slice(), tail].concat();
    let factor = jnp::broadcast_to(&factor, &with(&[n, n]));
    let centered = jnp::broadcast_to(&centered, &with(&[n]));
    let y = lax::triangular_solve_with(
        &factor,
        &centered,
        lax::TriangularSolveOptions::default()
            .lower(true)
            .transpose_a(true),
    );
    let log_diagonal = jnp::diagonal(&factor, 0, -1, -2).log();
    squared_norm(&y) * -0.5 - log_two_pi * half_n - jnp::sum(&log_diagonal, -1)
}

/// The density, `exp(logpdf)` (`multivariate_normal.pdf`).
///
/// # Panics
/// As [`logpdf`].
#[track_caller]
pub fn pdf(x: impl IntoArray, mean: impl IntoArray, cov: impl IntoArray) -> Array {
    logpdf(x, mean, cov).exp()
}
