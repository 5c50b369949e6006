//! The regularized incomplete gamma functions `gammainc = P(a, x)` and `gammaincc = Q(a, x)`,
//! as JAX computes them (its `igamma_impl`, `igammac_impl`, ported from XLA): a power series
//! where `x < max(1, a)`, a continued fraction elsewhere, each run in a `while_loop` until
//! every element has converged. The derivative in `x` is the closed form, the one in `a`
//! JAX's `igamma_grad_a`: the same series and continued fraction differentiated along.

use std::sync::LazyLock;

use super::{CustomBinary, finfo};
use crate::control_flow::while_loop;
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::{Array, DType, IntoArray, custom_jvp};

/// Whether a loop computes the function's value, its derivative in `a`, or the derivative of
/// a `Gamma(a, 1)` sample in `a` (JAX's `IgammaMode`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Value,
    Derivative,
    SampleDerivative,
}

/// `gammainc` with JAX's rule (whose primal output is `gammainc` itself, so that it can be
/// differentiated again, as JAX's rules bind the primitive).
static GAMMAINC: LazyLock<CustomBinary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |(a, x): (Array, Array)| igamma(&a, &x),
        |(a, x): (Array, Array), (ta, tx): (Array, Array)| {
            let tangent = ta * igamma_grad_a(&a, &x) + tx * igamma_grad_x(&a, &x);
            Ok::<_, crate::Error>((GAMMAINC((a, x))?, tangent))
        },
    ))
});

/// `gammaincc` with JAX's rule: the negated derivatives of `gammainc`.
static GAMMAINCC: LazyLock<CustomBinary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |(a, x): (Array, Array)| igammac(&a, &x),
        |(a, x): (Array, Array), (ta, tx): (Array, Array)| {
            let tangent = -(ta * igamma_grad_a(&a, &x) + tx * igamma_grad_x(&a, &x));
            Ok::<_, crate::Error>((GAMMAINCC((a, x))?, tangent))
        },
    ))
});

/// The regularized lower incomplete gamma function `P(a, x) = γ(a, x) / Γ(a)`
/// (`jax.scipy.special.gammainc`): 0 at `x = 0`, 1 at `x = ∞`, NaN for `a < 0`, `x < 0` or
/// `a = x = 0`. Differentiable in both arguments, as in JAX.
#[track_caller]
pub fn gammainc(a: impl IntoArray, x: impl IntoArray) -> Array {
    let [a, x] = promote_args_inexact("gammainc", [a.into_array(), x.into_array()]);
    unwrap_at_caller(GAMMAINC((a, x)))
}

/// The regularized upper incomplete gamma function `Q(a, x) = 1 - P(a, x)`
/// (`jax.scipy.special.gammaincc`): 1 at `x = 0`, 0 at `x = ∞` or `a = 0`, NaN on the domain
/// errors of [`gammainc`].
#[track_caller]
pub fn gammaincc(a: impl IntoArray, x: impl IntoArray) -> Array {
    let [a, x] = promote_args_inexact("gammaincc", [a.into_array(), x.into_array()]);
    unwrap_at_caller(GAMMAINCC((a, x)))
}

/// `∂P/∂x = x^(a-1) e^-x / Γ(a)` (JAX's `igamma_gradx`).
fn igamma_grad_x(a: &Array, x: &Array) -> Array {
    (-x + (a - 1.0) * x.log() - lax::lgamma(a)).exp()
}

/// `log(x^a e^-x / Γ(a))`, the prefactor of both expansions, and whether it underflows.
fn prefactor(a: &Array, x: &Array) -> (Array, Array) {
    let log_ax = a * x.log() - x - lax::lgamma(a);
    let underflow = log_ax.lt(-finfo(a.dtype()).max.ln());
    (log_ax.exp(), underflow)
}

/// Whether any element of a bool array is set (JAX's `_any`).
fn any(x: &Array) -> Array {
    let axes: Vec<usize> = (0..x.ndim()).collect();
    lax::reduce_or(x, &axes)
}

/// `a` or `b` elementwise by a bool.
fn or(a: &Array, b: &Array) -> Array {
    lax::bitwise_or(a, b)
}

/// `a` and `b` elementwise by a bool.
fn and(a: &Array, b: &Array) -> Array {
    lax::bitwise_and(a, b)
}

/// `P(a, x)` (JAX's `igamma_impl`).
fn igamma(a: &Array, x: &Array) -> Array {
    let is_nan = or(&jnp::isnan(a), &jnp::isnan(x));
    let x_is_infinity = x.eq(f64::INFINITY);
    let a_is_zero = a.eq(0.0);
    let x_is_zero = x.eq(0.0);
    let domain_error = or(
        &or(&x.lt(0.0), &a.lt(0.0)),
        &or(&and(&a_is_zero, &x_is_zero), &is_nan),
    );
    let use_igammac = and(&x.ge(1.0), &x.gt(a));
    let (ax, underflow) = prefactor(a, x);
    let disabled = or(
        &or(&x_is_zero, &domain_error),
        &or(&underflow, &x_is_infinity),
    );
    let enabled = lax::not(&disabled);
    let fraction = continued_fraction(&ax, x, a, &and(&enabled, &use_igammac), Mode::Value);
    let series = series(
        &ax,
        x,
        a,
        &and(&enabled, &lax::not(&use_igammac)),
        Mode::Value,
    );
    let output = jnp::where_(&use_igammac, 1.0 - fraction, series);
    let output = jnp::where_(&x_is_zero, 0.0, output);
    let output = jnp::where_(&x_is_infinity, 1.0, output);
    jnp::where_(&domain_error, f64::NAN, output)
}

/// `Q(a, x)` (JAX's `igammac_impl`).
fn igammac(a: &Array, x: &Array) -> Array {
    let is_nan = or(&jnp::isnan(a), &jnp::isnan(x));
    let a_is_zero = a.eq(0.0);
    let x_is_zero = x.eq(0.0);
    let x_is_infinity = x.eq(f64::INFINITY);
    let domain_error = or(
        &or(&x.lt(0.0), &a.lt(0.0)),
        &or(&and(&a_is_zero, &x_is_zero), &is_nan),
    );
    let use_igamma = or(&x.lt(1.0), &x.lt(a));
    let (ax, underflow) = prefactor(a, x);
    let disabled = or(
        &or(&domain_error, &underflow),
        &or(&x_is_infinity, &a_is_zero),
    );
    let enabled = lax::not(&disabled);
    let series = series(&ax, x, a, &and(&enabled, &use_igamma), Mode::Value);
    let fraction = continued_fraction(
        &ax,
        x,
        a,
        &and(&enabled, &lax::not(&use_igamma)),
        Mode::Value,
    );
    let output = jnp::where_(&use_igamma, 1.0 - series, fraction);
    let output = jnp::where_(or(&x_is_infinity, &a_is_zero), 0.0, output);
    jnp::where_(&domain_error, f64::NAN, output)
}

/// `∂P/∂a` (JAX's `igamma_grad_a_impl`).
fn igamma_grad_a(a: &Array, x: &Array) -> Array {
    derivative_in_a(a, x, Mode::Derivative)
}

/// The derivative in `a` of a `Gamma(a, 1)` sample `x` at fixed CDF,
/// `-(∂P/∂a) / (∂P/∂x)` (JAX's `lax.random_gamma_grad`; half precision is computed in
/// float32, as JAX upcasts it). `a` and `x` have one shape and float dtype.
pub(crate) fn random_gamma_grad(a: &Array, x: &Array) -> Array {
    let dtype = a.dtype();
    if matches!(dtype, DType::F16 | DType::BF16) {
        let up = |v: &Array| lax::convert_element_type(v, DType::F32);
        let grad = derivative_in_a(&up(a), &up(x), Mode::SampleDerivative);
        return lax::convert_element_type(&grad, dtype);
    }
    derivative_in_a(a, x, Mode::SampleDerivative)
}

/// `∂P/∂a` or the sample derivative (JAX's `igamma_grad_a_impl` and
/// `random_gamma_grad_impl`, which differ only in the expansions' final step).
fn derivative_in_a(a: &Array, x: &Array, mode: Mode) -> Array {
    let is_nan = or(&jnp::isnan(a), &jnp::isnan(x));
    let x_is_zero = x.eq(0.0);
    let domain_error = or(&x.lt(0.0), &a.le(0.0));
    let use_igammac = and(&x.gt(1.0), &x.gt(a));
    let (ax, underflow) = prefactor(a, x);
    let disabled = or(&or(&x_is_zero, &domain_error), &or(&underflow, &is_nan));
    let enabled = lax::not(&disabled);
    let fraction = continued_fraction(&ax, x, a, &and(&enabled, &use_igammac), mode);
    let series = series(&ax, x, a, &and(&enabled, &lax::not(&use_igammac)), mode);
    let output = jnp::where_(&use_igammac, -fraction, series);
    let output = jnp::where_(&x_is_zero, 0.0, output);
    jnp::where_(or(&domain_error, &is_nan), f64::NAN, output)
}

/// The power series of `P(a, x)` (or of its derivative in `a`) where `enabled` (JAX's
/// `_igamma_series`).
fn series(ax: &Array, x: &Array, a: &Array, enabled: &Array, mode: Mode) -> Array {
    let eps = finfo(a.dtype()).eps;
    let ones = jnp::ones_like(a, None);
    let zeros = jnp::zeros_like(a, None);
    let init = [
        enabled.clone(),
        a.clone(),
        ones.clone(),
        ones,
        x.clone(),
        zeros.clone(),
        zeros,
    ];
    let done = unwrap_at_caller(while_loop(
        |vals: [Array; 7]| any(&vals[0]),
        move |vals: [Array; 7]| {
            let [enabled, r, c, ans, x, dc_da, dans_da] = &vals;
            let r_new = r + 1.0;
            let dc_da_new = dc_da * (x / &r_new) - (c * x) / (&r_new * &r_new);
            let dans_da_new = dans_da + &dc_da_new;
            let c_new = c * (x / &r_new);
            let ans_new = ans + &c_new;
            let converging = match mode {
                Mode::Value => (&c_new / &ans_new).gt(eps),
                Mode::Derivative | Mode::SampleDerivative => {
                    (&dc_da_new / &dans_da_new).abs().gt(eps)
                }
            };
            let keep = |new: &Array, old: &Array| jnp::where_(enabled, new, old);
            [
                and(enabled, &converging),
                keep(&r_new, r),
                keep(&c_new, c),
                keep(&ans_new, ans),
                x.clone(),
                keep(&dc_da_new, dc_da),
                keep(&dans_da_new, dans_da),
            ]
        },
        init,
    ));
    let (ans, dans_da) = (&done[3], &done[6]);
    match mode {
        Mode::Value => ans * ax / a,
        Mode::Derivative => {
            let dlogax_da = x.log() - lax::digamma(&(a + 1.0));
            ax * (ans * dlogax_da + dans_da) / a
        }
        Mode::SampleDerivative => {
            let dlogax_da = x.log() - lax::digamma(&(a + 1.0));
            -(dans_da + ans * dlogax_da) * x / a
        }
    }
}

/// The continued fraction of `Q(a, x)` (or of its derivative in `a`) where `enabled`, for at
/// most 2000 steps (JAX's `_igammac_continued_fraction`).
fn continued_fraction(ax: &Array, x: &Array, a: &Array, enabled: &Array, mode: Mode) -> Array {
    let eps = finfo(a.dtype()).eps;
    let y = 1.0 - a;
    let z = x + &y + 1.0;
    let c = jnp::zeros(&[], Some(x.dtype()));
    let pkm2 = jnp::ones_like(x, None);
    let qkm2 = x.clone();
    let pkm1 = x + 1.0;
    let qkm1 = &z * x;
    let ans = &pkm1 / &qkm1;
    let t = jnp::ones_like(x, None);
    let zeros = jnp::zeros_like(x, None);
    let dqkm1_da = -x;
    let dans_da = (&zeros - &ans * &dqkm1_da) / &qkm1;
    let init = [
        enabled.clone(),
        ans,
        t,
        y,
        z,
        c,
        pkm1,
        qkm1,
        pkm2,
        qkm2,
        zeros.clone(),
        zeros.clone(),
        zeros,
        dqkm1_da,
        dans_da,
    ];
    let done = unwrap_at_caller(while_loop(
        |vals: [Array; 15]| and(&vals[5].lt(2000.0), &any(&vals[0])),
        move |vals: [Array; 15]| fraction_step(vals, eps, mode),
        init,
    ));
    let ans = &done[1];
    match mode {
        Mode::Value => ans * ax,
        Mode::Derivative => {
            let dlogax_da = x.log() - lax::digamma(a);
            ax * (ans * dlogax_da + &done[14])
        }
        Mode::SampleDerivative => {
            let dlogax_da = x.log() - lax::digamma(a);
            -((&done[14] + ans * dlogax_da) * x)
        }
    }
}

/// One step of the continued fraction (JAX's `body_fn`), rescaling the convergents when they
/// grow past `1/eps`.
fn fraction_step(vals: [Array; 15], eps: f64, mode: Mode) -> [Array; 15] {
    let [
        enabled,
        ans,
        t,
        y,
        z,
        c,
        pkm1,
        qkm1,
        pkm2,
        qkm2,
        dpkm2_da,
        dqkm2_da,
        dpkm1_da,
        dqkm1_da,
        dans_da,
    ] = &vals;
    let c_new = c + 1.0;
    let y_new = y + 1.0;
    let z_new = z + 2.0;
    let yc = &y_new * &c_new;
    let pk = pkm1 * &z_new - pkm2 * &yc;
    let qk = qkm1 * &z_new - qkm2 * &yc;
    let qk_is_nonzero = qk.ne(0.0);
    let r = &pk / &qk;
    let t_new = jnp::where_(&qk_is_nonzero, ((ans - &r) / &r).abs(), 1.0);
    let ans_new = jnp::where_(&qk_is_nonzero, &r, ans);
    let dpk_da = dpkm1_da * &z_new - pkm1 - dpkm2_da * &yc + pkm2 * &c_new;
    let dqk_da = dqkm1_da * &z_new - qkm1 - dqkm2_da * &yc + qkm2 * &c_new;
    let dans_da_new = jnp::where_(
        &qk_is_nonzero,
        (&dpk_da - &ans_new * &dqk_da) / &qk,
        dans_da,
    );
    let grad_conditional = jnp::where_(&qk_is_nonzero, (&dans_da_new - dans_da).abs(), 1.0);
    let rescale = pk.abs().gt(1.0 / eps);
    let scaled = |v: &Array| jnp::where_(&rescale, v * eps, v);
    let (pkm2_new, pkm1_new) = (scaled(pkm1), scaled(&pk));
    let (qkm2_new, qkm1_new) = (scaled(qkm1), scaled(&qk));
    let (dpkm2_new, dqkm2_new) = (scaled(dpkm1_da), scaled(dqkm1_da));
    let (dpkm1_new, dqkm1_new) = (scaled(&dpk_da), scaled(&dqk_da));
    let converging = match mode {
        Mode::Value => t_new.gt(eps),
        Mode::Derivative | Mode::SampleDerivative => grad_conditional.gt(eps),
    };
    let keep = |new: &Array, old: &Array| jnp::where_(enabled, new, old);
    [
        and(enabled, &converging),
        keep(&ans_new, ans),
        keep(&t_new, t),
        keep(&y_new, y),
        keep(&z_new, z),
        c_new,
        keep(&pkm1_new, pkm1),
        keep(&qkm1_new, qkm1),
        keep(&pkm2_new, pkm2),
        keep(&qkm2_new, qkm2),
        keep(&dpkm2_new, dpkm2_da),
        keep(&dqkm2_new, dqkm2_da),
        keep(&dpkm1_new, dpkm1_da),
        keep(&dqkm1_new, dqkm1_da),
        keep(&dans_da_new, dans_da),
    ]
}
