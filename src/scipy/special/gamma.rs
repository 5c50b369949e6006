//! The gamma family: `gammaln`, `digamma`, `polygamma` (the `lax` primitives), `betaln`
//! (JAX's port of SciPy's `algdiv` for large arguments) and the Hurwitz `zeta` with JAX's
//! derivative, that of a Euler–Maclaurin series.

use std::sync::LazyLock;

use super::CustomBinary;
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::{Array, DType, IntoArray, custom_jvp, jvp};

/// `ln |Γ(x)|` (`jax.scipy.special.gammaln`); integers become the default float.
#[track_caller]
pub fn gammaln(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("gammaln", [x.into_array()]);
    lax::lgamma(&x)
}

/// The digamma function `ψ(x) = Γ'(x)/Γ(x)` (`jax.scipy.special.digamma`).
#[track_caller]
pub fn digamma(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("digamma", [x.into_array()]);
    lax::digamma(&x)
}

/// The polygamma function `ψ⁽ⁿ⁾(x)` (`jax.scipy.special.polygamma`); the order `n` must be
/// of an integer dtype and is not differentiable, as in JAX.
///
/// # Panics
/// If `n` is not an integer array, or the shapes do not broadcast.
#[track_caller]
pub fn polygamma(n: impl IntoArray, x: impl IntoArray) -> Array {
    let n = n.into_array();
    assert!(
        n.dtype().is_int(),
        "polygamma: argument `n` must be of integer type, got {}",
        n.aval()
    );
    let [n, x] = promote_args_inexact("polygamma", [n, x.into_array()]);
    lax::polygamma(&n, &x)
}

/// `ln |B(a, b)|` (`jax.scipy.special.betaln`): `lgamma(a) + lgamma(b) - lgamma(a + b)` when
/// the larger argument is below 8, otherwise JAX's port of SciPy's `algdiv`, accurate for
/// large arguments.
#[track_caller]
pub fn betaln(a: impl IntoArray, b: impl IntoArray) -> Array {
    let [a, b] = promote_args_inexact("betaln", [a.into_array(), b.into_array()]);
    let (a, b) = (jnp::minimum(&a, &b), jnp::maximum(&a, &b));
    let small_b = lax::lgamma(&a) + (lax::lgamma(&b) - lax::lgamma(&(&a + &b)));
    let large_b = lax::lgamma(&a) + algdiv(&a, &b);
    jnp::where_(b.lt(8.0), small_b, large_b)
}

/// `ln Γ(b) - ln Γ(a + b)` for `b >= 8` and `a <= b` (SciPy's `algdiv`, as JAX ports it).
fn algdiv(a: &Array, b: &Array) -> Array {
    const C: [f64; 6] = [
        0.833333333333333e-01,
        -0.277777777760991e-02,
        0.793650666825390e-03,
        -0.595202931351870e-03,
        0.837308034031215e-03,
        -0.165322962780713e-02,
    ];
    let h = a / b;
    let c = &h / (1.0 + &h);
    let x = &h / (1.0 + &h);
    let d = b + (a - 0.5);
    let x2 = &x * &x;
    let s3 = 1.0 + (&x + &x2);
    let s5 = 1.0 + (&x + &x2 * &s3);
    let s7 = 1.0 + (&x + &x2 * &s5);
    let s9 = 1.0 + (&x + &x2 * &s7);
    let s11 = 1.0 + (&x + &x2 * &s9);
    let t = lax::integer_pow(&(1.0 / b), 2);
    let w = ((((s11 * C[5] * &t + s9 * C[4]) * &t + s7 * C[3]) * &t + s5 * C[2]) * &t + s3 * C[1])
        * &t
        + C[0];
    let w = w * (c / b);
    let u = d * lax::log1p(&(a / b));
    let v = a * (b.log() - 1.0);
    jnp::where_(u.le(&v), (&w - &v) - &u, (&w - &u) - &v)
}

/// `zeta` with JAX's rule: the JVP of the Euler–Maclaurin series.
static ZETA: LazyLock<CustomBinary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |(x, q): (Array, Array)| lax::zeta(&x, &q),
        |primals: (Array, Array), tangents: (Array, Array)| {
            jvp(
                |(s, a): (Array, Array)| zeta_series(&s, &a),
                primals,
                tangents,
            )
        },
    ))
});

/// The Hurwitz zeta function `ζ(x, q) = Σₙ (n + q)^-x` (`jax.scipy.special.zeta` with `q`;
/// JAX has no Riemann zeta). Its derivatives, in `x` and `q`, are those of JAX's
/// Euler–Maclaurin series (Johansson 2015, formula 5).
#[track_caller]
pub fn zeta(x: impl IntoArray, q: impl IntoArray) -> Array {
    let [x, q] = promote_args_inexact("zeta", [x.into_array(), q.into_array()]);
    unwrap_at_caller(ZETA((x, q)))
}

/// `2k! / B₂ₖ` for `k = 1, 2, ...`: the denominators of the Euler–Maclaurin correction terms.
const BERNOULLI_DENOMINATORS: [f64; 16] = [
    12.0,
    -720.0,
    30240.0,
    -1209600.0,
    47900160.0,
    -1892437580.3183792,
    74724249600.0,
    -2950130727918.164,
    116467828143500.67,
    -4597978722407473.0,
    1.8152105401943546e17,
    -7.166165256175667e18,
    2.82908877253043e20,
    -1.1168794925000445e22,
    4.4092635141854666e23,
    -1.7407074646225822e25,
];

/// JAX's `_zeta_series_expansion`: `N` terms summed directly, the integral of the tail, and
/// `M` Euler–Maclaurin corrections (`N = M = 8` in float32, 16 in float64).
fn zeta_series(s: &Array, a: &Array) -> Array {
    let dtype = a.dtype();
    let terms = if dtype == DType::F64 { 16 } else { 8 };
    let n = terms as f64;
    let last = a.ndim();
    let (s_, a_) = (jnp::expand_dims(s, &[-1]), jnp::expand_dims(a, &[-1]));
    let k = jnp::arange(0.0, n, 1.0, Some(dtype));
    let direct = jnp::sum(jnp::power(&a_ + &k, -&s_), -1);
    let integral = jnp::power(a + n, 1.0 - s) / (s - 1.0);
    let first = jnp::power(a + n, -s);
    let m = jnp::arange(0.0, 2.0 * n, 1.0, Some(dtype));
    let ratios = (&s_ + &m) / (&a_ + n);
    let products = jnp::cumprod(&ratios, Some(-1), None);
    let start = vec![0; last + 1];
    let mut limit = products.shape().to_vec();
    let mut strides = vec![1; last + 1];
    limit[last] = 2 * terms;
    strides[last] = 2;
    let even = lax::slice(&products, &start, &limit, Some(&strides));
    let even = jnp::clip(&even, None::<f64>, Some(super::finfo(dtype).max));
    let denominators = Array::from_vec(BERNOULLI_DENOMINATORS[..terms].to_vec()).astype(dtype);
    let corrections = even / denominators;
    let tail = first * (jnp::sum(&corrections, -1) + 0.5);
    direct + integral + tail
}
