//! `gamma` and `loggamma`, JAX 0.10.2's `random_gamma_p` step for step: one key per element
//! (`split(key, n)`), and for each element Marsaglia and Tsang's rejection sampler in a
//! `while_loop` (an inner `while_loop` redraws the normal until `1 + c x > 0`), vectorised
//! with `vmap` as JAX lowers it; shapes `a < 1` are boosted to `a + 1` and scaled by
//! `u^(1/a)` (in log space for `loggamma`, `log u / a`).
//!
//! The samples are differentiable in `a` by implicit reparameterization, as JAX's JVP rule of
//! `random_gamma_p`: `∂x/∂a = -(∂P/∂a) / (∂P/∂x)` at the sample, with `P` the regularized
//! incomplete gamma function (`lax.random_gamma_grad`, a series or continued fraction), and
//! `∂ log x / ∂a` that divided by `x` for `loggamma`.

use std::sync::LazyLock;

use super::continuous::{exponential_impl, uniform_from};
use super::distributions::{
    broadcast_to, check_shape, float_constant, float_dtype, normal_impl, tiny,
};
use super::threefry::{self, full};
use super::{Params, check_key, staged};
use crate::control_flow::while_loop;
use crate::lax::{self, unwrap_at_caller};
use crate::scipy::special::random_gamma_grad;
use crate::{Array, DType, InAxes, IntoArray, custom_jvp, vmap};

/// The `n` keys of `split(key, n)`, one array each.
pub(super) fn split_keys(key: &Array, n: usize) -> Vec<Array> {
    super::prng::split_keys(key, n)
}

/// One gamma sample of the scalar shape `alpha` from the key `key` (JAX's `_gamma_one`).
fn gamma_one(key: &Array, alpha: &Array, log_space: bool) -> Array {
    let dtype = alpha.dtype();
    let of = |value: f64| float_constant(value, dtype);
    let (zero, one) = (of(0.0), of(1.0));
    let boost_mask = lax::ge(alpha, &one);
    let alpha_orig = alpha;
    let alpha = lax::select_n(&boost_mask, [&lax::add(alpha, &one), alpha]);
    let d = lax::sub(&alpha, of(1.0 / 3.0));
    let c = lax::div(of(1.0 / 3.0), lax::sqrt(&d));

    let (d_cond, c_body) = (d.clone(), c.clone());
    let rejected = move |(_, x, v, u): (Array, Array, Array, Array)| {
        let of = |value: f64| float_constant(value, dtype);
        let squeeze = lax::sub(of(1.0), lax::mul(of(0.0331), lax::mul(&x, &x)));
        let log_v = lax::add(lax::sub(of(1.0), &v), lax::log(&v));
        let bound = lax::add(lax::mul(&x, of(0.5)), lax::mul(&d_cond, &log_v));
        lax::bitwise_and(lax::ge(&u, &squeeze), lax::ge(lax::log(&u), &bound))
    };
    let propose = move |(key, _, _, _): (Array, Array, Array, Array)| {
        let of = |value: f64| float_constant(value, dtype);
        let [key, x_key, u_key]: [Array; 3] = split_keys(&key, 3).try_into().expect("3 keys");
        let c = c_body.clone();
        let next = move |(key, _, _): (Array, Array, Array)| {
            let [key, subkey]: [Array; 2] = split_keys(&key, 2).try_into().expect("2 keys");
            let x = normal_impl(&subkey, &[], dtype);
            let v = lax::add(float_constant(1.0, dtype), lax::mul(&x, &c));
            (key, x, v)
        };
        let nonpositive =
            move |(_, _, v): (Array, Array, Array)| lax::le(&v, float_constant(0.0, dtype));
        let (_, x, v) = unwrap_at_caller(while_loop(nonpositive, next, (x_key, of(0.0), of(-1.0))));
        let big_x = lax::mul(&x, &x);
        let big_v = lax::mul(lax::mul(&v, &v), &v);
        let u = uniform_from(&u_key, 0.0, &[], dtype);
        (key, big_x, big_v, u)
    };
    let [key, subkey]: [Array; 2] = split_keys(key, 2).try_into().expect("2 keys");
    // The initial state is rejected, so that the loop draws at least once.
    let init = (key, zero.clone(), one.clone(), of(2.0));
    let (_, _, v, _) = unwrap_at_caller(while_loop(rejected, propose, init));
    if log_space {
        let log_samples = lax::neg(exponential_impl(&subkey, &[], dtype));
        let no_boost = lax::bitwise_or(&boost_mask, lax::eq(&log_samples, &zero));
        let scaled = lax::mul(&log_samples, lax::div(&one, alpha_orig));
        let log_boost = lax::select_n(&no_boost, [&scaled, &zero]);
        lax::add(lax::add(lax::log(&d), lax::log(&v)), &log_boost)
    } else {
        let samples = lax::sub(&one, uniform_from(&subkey, 0.0, &[], dtype));
        let power = lax::pow(&samples, lax::div(&one, alpha_orig));
        let boost = lax::select_n(&boost_mask, [&power, &one]);
        lax::mul(lax::mul(&d, &v), &boost)
    }
}

/// JAX's `_gamma_impl` as lowered (`use_vmap=True`): `a` (already of the sample's shape and
/// dtype) flattened, one key of `split(key, n)` per element, `_gamma_one` vmapped.
fn gamma_impl(key: &Array, a: &Array, log_space: bool) -> Array {
    let n = a.size();
    if n == 0 {
        return a.clone();
    }
    let keys = threefry::split(key, &[n]);
    let alphas = lax::reshape(a, &[n]);
    let one_each = move |(k, alpha): (Array, Array)| gamma_one(&k, &alpha, log_space);
    let samples: Array = unwrap_at_caller(vmap(one_each, InAxes::leading())((keys, alphas)));
    lax::reshape(&samples, a.shape())
}

/// JAX's `_gamma_grad`: the derivative of each sample in its shape parameter.
fn gamma_grad(sample: &Array, a: &Array, log_space: bool) -> Array {
    if log_space {
        // d log x = dx / x, with x = exp(log x) kept off zero.
        let x = lax::exp(sample);
        let zero = full(&float_constant(0.0, x.dtype()), x.shape());
        let smallest = full(&float_constant(tiny(x.dtype()), x.dtype()), x.shape());
        let x = lax::select_n(lax::eq(&x, &zero), [&x, &smallest]);
        lax::div(random_gamma_grad(a, &x), &x)
    } else {
        random_gamma_grad(a, sample)
    }
}

/// A sampler of `(key, a)` with JAX's derivative rule of `random_gamma_p`.
type GammaFn = Box<dyn Fn((Array, Array)) -> crate::Result<Array> + Send + Sync>;

/// `gamma_impl` with the implicit derivative in `a` (the key's tangent is ignored).
fn with_gamma_rule(log_space: bool) -> GammaFn {
    Box::new(custom_jvp(
        move |(key, a): (Array, Array)| gamma_impl(&key, &a, log_space),
        move |(key, a): (Array, Array), (_, a_dot): (Array, Array)| {
            let sample = sampler(log_space)((key, a.clone()))?;
            let tangent = lax::mul(&a_dot, gamma_grad(&sample, &a, log_space));
            Ok::<_, crate::Error>((sample, tangent))
        },
    ))
}

/// The samplers with their rule, built once (the rule calls them again for its primal output,
/// so that it can be differentiated once more, as JAX's rule binds the primitive).
fn sampler(log_space: bool) -> &'static GammaFn {
    static GAMMA: LazyLock<GammaFn> = LazyLock::new(|| with_gamma_rule(false));
    static LOG_GAMMA: LazyLock<GammaFn> = LazyLock::new(|| with_gamma_rule(true));
    if log_space { &LOG_GAMMA } else { &GAMMA }
}

/// JAX's `_gamma` after its checks: `a` converted to `dtype` and broadcast to `shape`, then
/// `random_gamma_p` (with its derivative rule).
pub(super) fn gamma_samples(
    key: &Array,
    a: &Array,
    shape: &[usize],
    dtype: DType,
    log_space: bool,
) -> Array {
    let a = broadcast_to(&lax::convert_element_type(a, dtype), shape);
    unwrap_at_caller(sampler(log_space)((key.clone(), a)))
}

/// The shape of a sampler's output: `shape`, or without one the parameters' broadcast shape;
/// panics naming `op` unless the parameters broadcast to it (JAX's `_check_shape`).
#[track_caller]
pub(super) fn sample_shape(op: &str, shape: Option<&[usize]>, params: &[&Array]) -> Vec<usize> {
    let shape = match shape {
        Some(shape) => shape.to_vec(),
        None => {
            let shapes: Vec<&[usize]> = params.iter().map(|p| p.shape()).collect();
            crate::array::broadcast_shapes(&shapes).unwrap_or_else(|| {
                panic!("rjax::random::{op}: the parameters' shapes {shapes:?} do not broadcast")
            })
        }
    };
    check_shape(op, &shape, params);
    shape
}

/// Panics naming `op` unless the parameter `a` is real (a number or a real array).
#[track_caller]
pub(super) fn check_real(op: &str, name: &str, a: &Array) {
    if a.dtype().is_complex() || a.dtype() == DType::Bool {
        panic!(
            "rjax::random::{op}: the parameter {name} must be real, got {}",
            a.aval()
        );
    }
}

/// `gamma` and `loggamma` after their checks, staged as JAX's jitted `_gamma`.
#[track_caller]
fn gamma_checked(
    op: &'static str,
    key: &Array,
    a: Array,
    shape: Option<&[usize]>,
    dtype: Option<DType>,
    log_space: bool,
) -> Array {
    check_key(op, key);
    let dtype = float_dtype(op, dtype);
    check_real(op, "a", &a);
    let shape = sample_shape(op, shape, &[&a]);
    let params = Params {
        shape,
        dtype: Some(dtype),
        ints: vec![usize::from(log_space)],
    };
    staged(
        "_gamma",
        |args, p| {
            let dtype = p.dtype.expect("a dtype");
            gamma_samples(&args[0], &args[1], &p.shape, dtype, p.ints[0] == 1)
        },
        vec![key.clone(), a],
        params,
    )
}

/// Standard gamma floats (density `x^(a-1) e^-x / Γ(a)` on `x >= 0`, unit scale) of `dtype`
/// (`F32`, `F64`, `F16`, `BF16`) for the shape parameter `a > 0` (a number or an array), of
/// `shape` or without one `a`'s shape (JAX's `jax.random.gamma`): Marsaglia and Tsang's
/// method, one rejection loop per element. Differentiable in `a` (implicit
/// reparameterization, as JAX). Panics unless `a` broadcasts to `shape` and `dtype` is a float.
#[track_caller]
pub fn gamma(
    key: impl IntoArray,
    a: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    gamma_checked("gamma", key, a.into_array(), shape, dtype.into(), false)
}

/// The logarithms of standard gamma floats (JAX's `jax.random.loggamma`): `exp` of the result
/// is distributed as [`gamma`]'s, sampled in log space so that small `a` (whose samples
/// underflow) keeps its precision. Differentiable in `a`, as [`gamma`].
#[track_caller]
pub fn loggamma(
    key: impl IntoArray,
    a: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    gamma_checked("loggamma", key, a.into_array(), shape, dtype.into(), true)
}
