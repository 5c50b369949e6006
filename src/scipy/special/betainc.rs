//! The regularized incomplete beta function `I_x(a, b)`, as JAX computes it (its
//! `regularized_incomplete_beta_impl`, ported from XLA): the continued fraction of DLMF
//! 8.17.22 by the modified Lentz method in a `while_loop`, on the side of `x` where it
//! converges quickly (DLMF 8.17.4 gives the other side).

use std::sync::LazyLock;

use super::finfo;
use crate::control_flow::while_loop;
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::{Array, DType, IntoArray, custom_jvp};

/// A function of three arrays with a custom derivative.
type CustomTernary = Box<dyn Fn((Array, Array, Array)) -> crate::Result<Array> + Send + Sync>;

/// `betainc` with JAX's rule: `∂I/∂x = x^(a-1) (1-x)^(b-1) / B(a, b)`. JAX raises for
/// derivatives in `a` or `b`; here their tangents turn the result into NaN in forward mode,
/// and reverse mode cannot transpose the test that detects them, so it fails.
static BETAINC: LazyLock<CustomTernary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |(a, b, x): (Array, Array, Array)| regularized_incomplete_beta(&a, &b, &x),
        |(a, b, x): (Array, Array, Array), (ta, tb, tx): (Array, Array, Array)| {
            let ans = BETAINC((a.clone(), b.clone(), x.clone()))?;
            let lbeta = lax::lgamma(&a) + lax::lgamma(&b) - lax::lgamma(&(&a + &b));
            let partial_x = ((&b - 1.0) * lax::log1p(&-&x) + (&a - 1.0) * x.log() - lbeta).exp();
            let unsupported = lax::bitwise_or(ta.ne(0.0), tb.ne(0.0));
            let tangent = jnp::where_(unsupported, f64::NAN, partial_x * tx);
            Ok::<_, crate::Error>((ans, tangent))
        },
    ))
});

/// The regularized incomplete beta function `I_x(a, b) = B(x; a, b) / B(a, b)`
/// (`jax.scipy.special.betainc`): NaN for negative arguments, `x` outside `[0, 1]` or
/// `a = b = 0`, and the limits at `a = 0`, `b = 0` and `x ∈ {0, 1}` as in JAX. Differentiable
/// in `x`; JAX does not differentiate it in `a` or `b`, and neither does rjax: forward mode
/// gives NaN there and reverse mode an error.
#[track_caller]
pub fn betainc(a: impl IntoArray, b: impl IntoArray, x: impl IntoArray) -> Array {
    let [a, b, x] =
        promote_args_inexact("betainc", [a.into_array(), b.into_array(), x.into_array()]);
    unwrap_at_caller(BETAINC((a, b, x)))
}

/// JAX's `regularized_incomplete_beta_impl`.
fn regularized_incomplete_beta(a: &Array, b: &Array, x: &Array) -> Array {
    let dtype = a.dtype();
    let or = |p: &Array, q: &Array| lax::bitwise_or(p, q);
    let and = |p: &Array, q: &Array| lax::bitwise_and(p, q);
    let a_is_zero = or(&a.eq(0.0), &b.eq(f64::INFINITY));
    let b_is_zero = or(&b.eq(0.0), &a.eq(f64::INFINITY));
    let x_is_zero = x.eq(0.0);
    let x_is_one = x.eq(1.0);
    let is_nan = or(&or(&jnp::isnan(a), &jnp::isnan(b)), &jnp::isnan(x));
    let result_is_zero = or(
        &and(&b_is_zero, &lax::not(&x_is_one)),
        &and(&a_is_zero, &x_is_zero),
    );
    let result_is_one = or(
        &and(&a_is_zero, &lax::not(&x_is_zero)),
        &and(&b_is_zero, &x_is_one),
    );
    let out_of_domain = or(&or(&a.lt(0.0), &b.lt(0.0)), &or(&x.lt(0.0), &x.gt(1.0)));
    let result_is_nan = or(&out_of_domain, &or(&and(&a_is_zero, &b_is_zero), &is_nan));

    let converges_rapidly = x.lt(&((a + 1.0) / (a + b + 2.0)));
    let (a, b, x) = (
        jnp::where_(&converges_rapidly, a, b),
        jnp::where_(&converges_rapidly, b, a),
        jnp::where_(&converges_rapidly, x, 1.0 - x),
    );
    let fraction = lentz_continued_fraction(&a, &b, &x);

    // a·Γ(a) = Γ(a + 1) → 1 as a → 0+ keeps tiny `a` from dividing by zero.
    let very_small = finfo(dtype).tiny * 2.0;
    let lbeta_small_a = lax::lgamma(&b) - lax::lgamma(&(&a + &b));
    let lbeta = lax::lgamma(&a) + &lbeta_small_a;
    let factor = jnp::where_(
        a.lt(very_small),
        (lax::log1p(&-&x) * &b - &lbeta_small_a).exp(),
        (x.log() * &a + lax::log1p(&-&x) * &b - lbeta).exp() / &a,
    );
    let result = fraction * factor;
    let result = jnp::where_(&converges_rapidly, &result, 1.0 - &result);
    let result = jnp::where_(result_is_zero, 0.0, result);
    let result = jnp::where_(result_is_one, 1.0, result);
    jnp::where_(result_is_nan, f64::NAN, result)
}

/// The continued fraction of DLMF 8.17.22 for `(a, b, x)` by the modified Lentz method (JAX's
/// `lentz_thompson_barnett_algorithm`): at most 200 steps in float32, 600 in float64, until
/// every element's last factor is within `eps/2` of 1.
fn lentz_continued_fraction(a: &Array, b: &Array, x: &Array) -> Array {
    let dtype = a.dtype();
    let small = finfo(dtype).eps / 2.0;
    let iterations = if dtype == DType::F64 { 600 } else { 200 };
    let h = jnp::full_like(x, small, None);
    let init = [
        Array::scalar(1i32),
        Array::scalar(true),
        h.clone(),
        jnp::zeros_like(&h, None),
        h,
    ];
    let (a, b, x) = (a.clone(), b.clone(), x.clone());
    let done = unwrap_at_caller(while_loop(
        move |vals: [Array; 5]| lax::bitwise_and(vals[0].lt(iterations), &vals[1]),
        move |vals: [Array; 5]| {
            let [iteration, _, c, d, h] = &vals;
            let numerator = partial_numerator(iteration, &a, &b, &x);
            let floor = |v: Array| jnp::where_(v.abs().lt(small), small, v);
            // The partial denominators are all 1 after the first.
            let c = floor(1.0 + &numerator / c);
            let d = 1.0 / floor(1.0 + &numerator * d);
            let delta = &c * &d;
            let h = h * &delta;
            let unconverged = (&delta - 1.0).abs().ge(small);
            let axes: Vec<usize> = (0..unconverged.ndim()).collect();
            [iteration + 1, lax::reduce_or(&unconverged, &axes), c, d, h]
        },
        init,
    ));
    done[4].clone()
}

/// The `iteration`-th partial numerator of the continued fraction (DLMF 8.17.23): 1 for the
/// first, then alternately `-(a+m)(a+b+m)x / ((a+2m)(a+2m+1))` (even) and
/// `m(b-m)x / ((a+2m-1)(a+2m))` (odd), `m = (iteration - 1) / 2`.
fn partial_numerator(iteration: &Array, a: &Array, b: &Array, x: &Array) -> Array {
    let is_even = (iteration % 2).eq(0);
    let is_one = iteration.eq(1);
    let m_int = lax::div(&(iteration - 1), Array::scalar(2i32));
    let m_is_zero = m_int.eq(0);
    let m = lax::convert_element_type(&m_int, a.dtype());
    let zero_numerator = -(a + b) * x / (a + 1.0);
    let even = -(a + &m) * (a + b + &m) * x / ((a + &m * 2.0) * (a + &m * 2.0 + 1.0));
    let even = jnp::where_(m_is_zero, zero_numerator, even);
    let odd = &m * (b - &m) * x / ((a + &m * 2.0 - 1.0) * (a + &m * 2.0));
    let numerator = jnp::where_(is_even, even, odd);
    jnp::where_(is_one, 1.0, numerator)
}
