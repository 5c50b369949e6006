//! Continuous samplers that transform uniform floats elementwise, each JAX 0.10.2's formula:
//! `exponential` (`-log1p(-u)`), `laplace` (`sign(u) log1p(-|u|)` for `u` on `(-1, 1)`),
//! `logistic` (`log(u) - log1p(-u)`), `cauchy` (`tan(pi (u - 1/2))`) and `gumbel`
//! (`-log(-log(u))`, in JAX's "low" and "high" precision modes).

use crate::IntoArray;
use std::f64::consts::PI;

use super::distributions::{eps, float_constant, float_dtype, float_layout, tiny, uniform_impl};
use super::threefry::full;
use super::{Params, check_key, staged};
use crate::lax;
use crate::{Array, DType};

/// A float of `dtype` filled into `shape`.
pub(super) fn filled(value: f64, dtype: DType, shape: &[usize]) -> Array {
    full(&float_constant(value, dtype), shape)
}

/// Uniform floats of `dtype` on `[minval, 1)`.
pub(super) fn uniform_from(key: &Array, minval: f64, shape: &[usize], dtype: DType) -> Array {
    let (low, high) = (float_constant(minval, dtype), float_constant(1.0, dtype));
    uniform_impl(key, &low, &high, shape, dtype)
}

/// The static parameters of a float sampler `op` of `shape` and `dtype`, after checking the key
/// and canonicalising the dtype (a panic names `op` if it is not a float dtype).
#[track_caller]
pub(super) fn float_params(op: &str, key: &Array, shape: &[usize], dtype: Option<DType>) -> Params {
    check_key(op, key);
    Params {
        shape: shape.to_vec(),
        dtype: Some(float_dtype(op, dtype)),
        ..Params::default()
    }
}

/// JAX's `_exponential`.
pub(super) fn exponential_impl(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let u = uniform_from(key, 0.0, shape, dtype);
    lax::neg(lax::log1p(lax::neg(&u)))
}

/// Standard exponential floats (density `e^-x` on `x >= 0`) of `dtype` (`F32`, `F64`, `F16`,
/// `BF16`) and `shape` (JAX's `jax.random.exponential`): `-log1p(-u)` for `u` uniform on
/// `[0, 1)`.
#[track_caller]
pub fn exponential(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let key = &key.into_array();
    let params = float_params("exponential", key, shape, dtype.into());
    staged(
        "_exponential",
        |args, p| exponential_impl(&args[0], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone()],
        params,
    )
}

/// JAX's `_laplace`.
fn laplace_impl(key: &Array, shape: &[usize], dtype: DType) -> Array {
    // -1 + finfo.epsneg: the open interval (-1, 1) keeps log1p finite.
    let epsneg = eps(dtype) / 2.0;
    let u = uniform_from(key, -1.0 + epsneg, shape, dtype);
    lax::mul(lax::sign(&u), lax::log1p(lax::neg(lax::abs(&u))))
}

/// Standard Laplace floats (density `e^-|x| / 2`) of `dtype` and `shape` (JAX's
/// `jax.random.laplace`).
#[track_caller]
pub fn laplace(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let key = &key.into_array();
    let params = float_params("laplace", key, shape, dtype.into());
    staged(
        "_laplace",
        |args, p| laplace_impl(&args[0], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone()],
        params,
    )
}

/// JAX's `_logistic`.
fn logistic_impl(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let x = uniform_from(key, tiny(dtype), shape, dtype);
    lax::sub(lax::log(&x), lax::log1p(lax::neg(&x)))
}

/// Standard logistic floats (density `e^-x / (1 + e^-x)^2`) of `dtype` and `shape` (JAX's
/// `jax.random.logistic`).
#[track_caller]
pub fn logistic(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let key = &key.into_array();
    let params = float_params("logistic", key, shape, dtype.into());
    staged(
        "_logistic",
        |args, p| logistic_impl(&args[0], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone()],
        params,
    )
}

/// JAX's `_cauchy`.
fn cauchy_impl(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let u = uniform_from(key, eps(dtype), shape, dtype);
    let centred = lax::sub(&u, filled(0.5, dtype, shape));
    lax::tan(lax::mul(filled(PI, dtype, shape), &centred))
}

/// Standard Cauchy floats (density proportional to `1 / (1 + x^2)`) of `dtype` and `shape`
/// (JAX's `jax.random.cauchy`).
#[track_caller]
pub fn cauchy(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let key = &key.into_array();
    let params = float_params("cauchy", key, shape, dtype.into());
    staged(
        "_cauchy",
        |args, p| cauchy_impl(&args[0], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone()],
        params,
    )
}

/// How many random bits `gumbel` spends per value (JAX's `mode` argument).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum GumbelMode {
    /// One uniform per value (JAX's default, `mode="low"`): in float32 the largest value is
    /// about 16.
    #[default]
    Low,
    /// Two uniforms per value, the second refining the first below 1/2 (`mode="high"`): in
    /// float32 the largest value is about 32, at twice the cost.
    High,
}

/// JAX's `_gumbel` in the modes "low" and "high".
pub(super) fn gumbel_impl(key: &Array, shape: &[usize], dtype: DType, mode: GumbelMode) -> Array {
    let neg_log = |x: &Array| lax::neg(lax::log(x));
    match mode {
        GumbelMode::Low => neg_log(&neg_log(&uniform_from(key, tiny(dtype), shape, dtype))),
        GumbelMode::High => {
            let both = uniform_from(key, 0.0, &[&[2], shape].concat(), dtype);
            let row = |i: usize| {
                let start = [&[i][..], &vec![0; shape.len()]].concat();
                let limit = [&[i + 1][..], shape].concat();
                lax::reshape(lax::slice(&both, &start, &limit, None), shape)
            };
            let (high, low) = (row(0), row(1));
            let (_, nmant, _) = float_layout(dtype);
            let refined = lax::add(
                lax::add(
                    &high,
                    lax::mul(filled(2f64.powi(-(nmant as i32)), dtype, shape), &low),
                ),
                filled(tiny(dtype), dtype, shape),
            );
            let at_least_half = lax::ge(&high, filled(0.5, dtype, shape));
            let x = lax::select_n(&at_least_half, [&refined, &high]);
            neg_log(&lax::neg(lax::log1p(lax::neg(&x))))
        }
    }
}

/// Standard Gumbel floats (density `e^-(x + e^-x)`) of `dtype` (`None`: the default float)
/// and `shape` (`jax.random.gumbel(key, shape, dtype)`), in JAX's default
/// [`GumbelMode::Low`]; see [`gumbel_with`] for the other mode.
#[track_caller]
pub fn gumbel(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    gumbel_with(key, shape, dtype, GumbelMode::Low)
}

/// Standard Gumbel floats in the given `mode` (`jax.random.gumbel(key, shape, dtype, mode)`).
#[track_caller]
pub fn gumbel_with(
    key: impl IntoArray,
    shape: &[usize],
    dtype: impl Into<Option<DType>>,
    mode: GumbelMode,
) -> Array {
    let key = &key.into_array();
    let mut params = float_params("gumbel", key, shape, dtype.into());
    params.ints = vec![usize::from(mode == GumbelMode::High)];
    staged(
        "_gumbel",
        |args, p| gumbel_impl(&args[0], &p.shape, p.dtype.expect("a dtype"), mode_of(p)),
        vec![key.clone()],
        params,
    )
}

/// The [`GumbelMode`] a sampler's static parameters hold in their first integer.
pub(super) fn mode_of(params: &Params) -> GumbelMode {
    if params.ints[0] == 1 {
        GumbelMode::High
    } else {
        GumbelMode::Low
    }
}
