//! Samplers built on the gamma sampler, each JAX 0.10.2's formula: `beta`
//! (`Γa / (Γa + Γb)` from two log-gamma samples), `dirichlet` (the softmax of log-gamma
//! samples), `t` (`n sqrt(df / 2 / Γ(df / 2))` for a normal `n`) and `chisquare`
//! (`2 Γ(df / 2)`, through `loggamma`). All are differentiable in their parameters through
//! the gamma sampler's implicit derivative.

use super::distributions::{broadcast_to, float_constant, float_dtype, normal_impl};
use super::gamma::{check_real, gamma_samples, sample_shape, split_keys};
use super::threefry::full;
use super::{Params, check_key, staged};
use crate::array::broadcast_shapes;
use crate::lax;
use crate::promotion::result_type;
use crate::{Array, DType, IntoArray, config, nn};

/// Panics naming `op` unless `arg` converts to `dtype` without loss (JAX's
/// `_check_all_safe_to_cast`: a weakly typed number always does, an array only if promoting
/// its dtype with `dtype` gives `dtype`).
#[track_caller]
fn check_safe_cast(op: &str, dtype: DType, arg: &Array) {
    let operands = [(arg.dtype(), arg.weak_type()), (dtype, false)];
    if result_type(&operands, config::x64_enabled()).0 != dtype {
        panic!(
            "rjax::random::{op}: cannot safely cast argument of type {} to {dtype}",
            arg.aval()
        );
    }
}

/// The static parameters of a sampler with real parameters `params` (checked, safely castable
/// to `dtype` where `safe_cast`), of `shape` or the parameters' broadcast shape.
#[track_caller]
fn family_params(
    op: &str,
    key: &Array,
    params: &[(&str, &Array)],
    shape: Option<&[usize]>,
    dtype: Option<DType>,
    safe_cast: bool,
) -> Params {
    check_key(op, key);
    let dtype = float_dtype(op, dtype);
    for (name, param) in params {
        check_real(op, name, param);
        if safe_cast {
            check_safe_cast(op, dtype, param);
        }
    }
    let arrays: Vec<&Array> = params.iter().map(|(_, p)| *p).collect();
    Params {
        shape: sample_shape(op, shape, &arrays),
        dtype: Some(dtype),
        ..Params::default()
    }
}

/// JAX's `_beta`.
fn beta_impl(key: &Array, a: &Array, b: &Array, shape: &[usize], dtype: DType) -> Array {
    let [key_a, key_b]: [Array; 2] = split_keys(key, 2).try_into().expect("2 keys");
    let log_gamma = |key: &Array, x: &Array| {
        let x = broadcast_to(&lax::convert_element_type(x, dtype), shape);
        gamma_samples(key, &x, shape, dtype, true)
    };
    let (log_a, log_b) = (log_gamma(&key_a, a), log_gamma(&key_b, b));
    // gamma_a / (gamma_a + gamma_b), scaled by the larger so that nothing underflows.
    let log_max = lax::max(&log_a, &log_b);
    let scaled_a = lax::exp(lax::sub(&log_a, &log_max));
    let scaled_b = lax::exp(lax::sub(&log_b, &log_max));
    lax::div(&scaled_a, lax::add(&scaled_a, &scaled_b))
}

/// Beta floats (density `∝ x^(a-1) (1-x)^(b-1)` on `[0, 1]`) of `dtype` for the parameters
/// `a, b > 0` (numbers or arrays), of `shape` or without one the broadcast of their shapes
/// (JAX's `jax.random.beta`). Differentiable in `a` and `b`. Panics unless the parameters
/// broadcast to `shape` and cast safely to `dtype`, a float dtype.
#[track_caller]
pub fn beta(
    key: impl IntoArray,
    a: impl IntoArray,
    b: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    let (a, b) = (a.into_array(), b.into_array());
    let params = family_params(
        "beta",
        key,
        &[("a", &a), ("b", &b)],
        shape,
        dtype.into(),
        true,
    );
    staged(
        "_beta",
        |args, p| {
            beta_impl(
                &args[0],
                &args[1],
                &args[2],
                &p.shape,
                p.dtype.expect("a dtype"),
            )
        },
        vec![key.clone(), a, b],
        params,
    )
}

/// JAX's `_dirichlet`: `shape` is the batch shape.
fn dirichlet_impl(key: &Array, alpha: &Array, shape: &[usize], dtype: DType) -> Array {
    let alpha = lax::convert_element_type(alpha, dtype);
    let full_shape = [shape, &alpha.shape()[alpha.ndim() - 1..]].concat();
    let alpha = broadcast_to(&alpha, &full_shape);
    let log_gamma = gamma_samples(key, &alpha, &full_shape, dtype, true);
    nn::softmax(&log_gamma, Some(&[-1]))
}

/// Dirichlet vectors (density `∝ Π x_i^(alpha_i - 1)` on the simplex) of `dtype` for the
/// concentrations `alpha` (`[..., n]`, positive), of shape `shape + [n]` or without `shape`
/// `alpha`'s shape (JAX's `jax.random.dirichlet`): the softmax of log-gamma samples.
/// Differentiable in `alpha`. Panics unless `alpha` has a dimension and its batch shape
/// `alpha.shape[..-1]` broadcasts to `shape`.
#[track_caller]
pub fn dirichlet(
    key: impl IntoArray,
    alpha: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    const OP: &str = "dirichlet";
    check_key(OP, key);
    let dtype = float_dtype(OP, dtype.into());
    let alpha = alpha.into_array();
    check_real(OP, "alpha", &alpha);
    if alpha.ndim() < 1 {
        panic!(
            "rjax::random::dirichlet: requires alpha.ndim >= 1, got {}",
            alpha.aval()
        );
    }
    let batch = &alpha.shape()[..alpha.ndim() - 1];
    let shape = shape.map_or_else(|| batch.to_vec(), <[usize]>::to_vec);
    if broadcast_shapes(&[&shape, batch]).as_deref() != Some(&shape[..]) {
        panic!(
            "rjax::random::dirichlet: the batch shape of alpha {batch:?} (its shape {:?} \
             without the last axis) must broadcast to the shape argument {shape:?}",
            alpha.shape()
        );
    }
    let params = Params {
        shape,
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_dirichlet",
        |args, p| dirichlet_impl(&args[0], &args[1], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone(), alpha],
        params,
    )
}

/// JAX's `_t`.
fn t_impl(key: &Array, df: &Array, shape: &[usize], dtype: DType) -> Array {
    let df = lax::convert_element_type(df, dtype);
    let [key_n, key_g]: [Array; 2] = split_keys(key, 2).try_into().expect("2 keys");
    let n = normal_impl(&key_n, shape, dtype);
    let half_df = lax::div(&df, full(&float_constant(2.0, dtype), df.shape()));
    let g = gamma_samples(&key_g, &half_df, shape, dtype, false);
    let half_df = broadcast_to(&half_df, shape);
    lax::mul(&n, lax::sqrt(lax::div(&half_df, &g)))
}

/// Student's t floats with `df > 0` degrees of freedom (a number or an array) of `dtype`, of
/// `shape` or without one `df`'s shape (JAX's `jax.random.t`). Differentiable in `df`. Panics
/// unless `df` broadcasts to `shape` and casts safely to `dtype`, a float dtype.
#[track_caller]
pub fn t(
    key: impl IntoArray,
    df: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    let df = df.into_array();
    let params = family_params("t", key, &[("df", &df)], shape, dtype.into(), true);
    staged(
        "_t",
        |args, p| t_impl(&args[0], &args[1], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone(), df],
        params,
    )
}

/// JAX's `_chisquare`.
fn chisquare_impl(key: &Array, df: &Array, shape: &[usize], dtype: DType) -> Array {
    let df = lax::convert_element_type(df, dtype);
    let two = full(&float_constant(2.0, dtype), df.shape());
    let half_df = lax::div(&df, &two);
    let log_g = gamma_samples(key, &half_df, shape, dtype, true);
    lax::mul(lax::exp(&log_g), full(&float_constant(2.0, dtype), shape))
}

/// Chi-squared floats with `df > 0` degrees of freedom (a number or an array) of `dtype`, of
/// `shape` or without one `df`'s shape (JAX's `jax.random.chisquare`): twice a gamma sample
/// of shape `df / 2`, drawn in log space. Differentiable in `df`. Panics unless `df`
/// broadcasts to `shape` and casts safely to `dtype`, a float dtype.
#[track_caller]
pub fn chisquare(
    key: impl IntoArray,
    df: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    let df = df.into_array();
    let params = family_params("chisquare", key, &[("df", &df)], shape, dtype.into(), true);
    staged(
        "_chisquare",
        |args, p| chisquare_impl(&args[0], &args[1], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone(), df],
        params,
    )
}
