//! The error function family and the standard normal distribution function: `erf`, `erfc`,
//! `erfinv` (the `lax` primitives), `ndtr`, `ndtri` (Cephes' rational approximations, as JAX)
//! and `log_ndtr` (JAX's three segments, with an asymptotic series far in the lower tail, and
//! JAX's derivative rule).

use std::f64::consts::{PI, SQRT_2};
use std::sync::LazyLock;

use super::{CustomUnary, polyval, require_float};
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::{Array, DType, IntoArray, custom_jvp};

/// The error function `erf(x)` (`jax.scipy.special.erf`); integers become the default float.
#[track_caller]
pub fn erf(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("erf", [x.into_array()]);
    lax::erf(&x)
}

/// The complementary error function `1 - erf(x)` (`jax.scipy.special.erfc`).
#[track_caller]
pub fn erfc(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("erfc", [x.into_array()]);
    lax::erfc(&x)
}

/// The inverse error function (`jax.scipy.special.erfinv`): ±∞ at ±1, NaN outside `[-1, 1]`.
#[track_caller]
pub fn erfinv(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("erfinv", [x.into_array()]);
    lax::erf_inv(&x)
}

/// The standard normal distribution function `Φ(x) = erfc(-x/√2)/2`
/// (`jax.scipy.special.ndtr`), by JAX's choice between `erf` and `erfc`.
///
/// # Panics
/// If `x` is not float32 or float64 (JAX's `TypeError`).
#[track_caller]
pub fn ndtr(x: impl IntoArray) -> Array {
    let x = x.into_array();
    require_float("ndtr", &x);
    ndtr_of_float(&x)
}

/// JAX's `_ndtr` on a float array.
fn ndtr_of_float(x: &Array) -> Array {
    let half_sqrt_2 = 0.5 * SQRT_2;
    let w = x * half_sqrt_2;
    let z = w.abs();
    let tails = jnp::where_(w.gt(0.0), 2.0 - lax::erfc(&z), lax::erfc(&z));
    let y = jnp::where_(z.lt(half_sqrt_2), 1.0 + lax::erf(&w), tails);
    y * 0.5
}

/// Cephes' coefficients of `ndtri` (highest degree first): `P0/Q0` for `|p - 1/2| <= 3/8`...
const P0: [f64; 5] = [
    -5.996_335_010_141_079e1,
    9.800_107_541_859_997e1,
    -5.667_628_574_690_703e1,
    1.393_126_093_872_796_8e1,
    -1.239_165_838_673_812_6,
];
const Q0: [f64; 9] = [
    1.0,
    1.954_488_583_381_417_6,
    4.676_279_128_988_815,
    8.636_024_213_908_905e1,
    -2.254_626_878_541_193_7e2,
    2.002_602_123_800_606_6e2,
    -8.203_722_561_683_334e1,
    1.590_562_251_262_117e1,
    -1.183_316_211_213_300_2,
];
/// ...`P1/Q1` for `z = sqrt(-2 log p)` below 8...
const P1: [f64; 9] = [
    4.055_448_923_059_624,
    3.152_510_945_998_938_6e1,
    5.716_281_922_464_213e1,
    4.408_050_738_932_008e1,
    1.468_495_619_288_580_2e1,
    2.186_633_068_507_902_7,
    -1.402_560_791_713_545e-1,
    -3.504_246_268_278_482e-2,
    -8.574_567_851_546_854e-4,
];
const Q1: [f64; 9] = [
    1.0,
    1.577_998_832_564_667_5e1,
    4.539_076_351_288_792e1,
    4.131_720_382_546_72e1,
    1.504_253_856_929_075e1,
    2.504_649_462_083_094,
    -1.421_829_228_547_877_9e-1,
    -3.808_064_076_915_783e-2,
    -9.332_594_808_954_574e-4,
];
/// ...and `P2/Q2` for `z >= 8`.
const P2: [f64; 9] = [
    3.237_748_917_769_460_4,
    6.915_228_890_689_842,
    3.938_810_252_924_744_4,
    1.333_034_608_158_075_5,
    2.014_853_895_491_790_8e-1,
    1.237_166_348_178_200_2e-2,
    3.015_815_535_082_354e-4,
    2.658_069_746_867_375_6e-6,
    6.239_745_391_849_833e-9,
];
const Q2: [f64; 9] = [
    1.0,
    6.024_270_393_647_42,
    3.679_835_638_561_608_7,
    1.377_020_994_890_813_3,
    2.162_369_935_944_966_3e-1,
    1.342_040_060_885_431_9e-2,
    3.280_144_646_821_277_4e-4,
    2.892_478_647_453_806_8e-6,
    6.790_194_080_099_813e-9,
];

/// The inverse of [`ndtr`] (`jax.scipy.special.ndtri`): `x` with `Φ(x) = p`, by Cephes'
/// piecewise rational approximation as JAX computes it; `-∞` at 0, `∞` at 1, NaN outside
/// `[0, 1]`.
///
/// # Panics
/// If `p` is not float32 or float64.
#[track_caller]
pub fn ndtri(p: impl IntoArray) -> Array {
    let p = p.into_array();
    require_float("ndtri", &p);
    let big = -(-2.0f64).exp_m1();
    let complement = jnp::where_(p.gt(big), 1.0 - &p, &p);
    let sanitized = jnp::where_(complement.eq(0.0), 0.5, &complement);
    let w = &sanitized - 0.5;
    let ww = &w * &w;
    let x_for_big_p =
        (&w + &w * &ww * (polyval(&P0, &ww) / polyval(&Q0, &ww))) * -(2.0 * PI).sqrt();
    let z = (sanitized.log() * -2.0).sqrt();
    let first_term = &z - z.log() / &z;
    let inverse = 1.0 / &z;
    let small_p = polyval(&P2, &inverse) / polyval(&Q2, &inverse) / &z;
    let otherwise = polyval(&P1, &inverse) / polyval(&Q1, &inverse) / &z;
    let x_for_small_p = &first_term - small_p;
    let x_otherwise = &first_term - otherwise;
    let x = jnp::where_(
        sanitized.gt((-2.0f64).exp()),
        x_for_big_p,
        jnp::where_(z.ge(8.0), x_for_small_p, x_otherwise),
    );
    let x = jnp::where_(p.gt(1.0 - (-2.0f64).exp()), &x, -&x);
    jnp::where_(
        p.eq(0.0),
        f64::NEG_INFINITY,
        jnp::where_(p.eq(1.0), f64::INFINITY, x),
    )
}

/// `log_ndtr` with each series order JAX allows (0 to 30), each with JAX's derivative rule.
static LOG_NDTR: LazyLock<Vec<CustomUnary>> = LazyLock::new(|| {
    (0..=MAX_SERIES_ORDER)
        .map(|order| -> CustomUnary {
            Box::new(custom_jvp(
                move |x: Array| log_ndtr_primal(&x, order),
                move |x: Array, t: Array| {
                    let ans = LOG_NDTR[order](x.clone())?;
                    // d/dx log Φ(x) = φ(x) / Φ(x) = exp(log φ(x) - log Φ(x)).
                    let log_pdf = &x * &x * -0.5 - (2.0 * PI).sqrt().ln();
                    let tangent = t * (log_pdf - &ans).exp();
                    Ok::<_, crate::Error>((ans, tangent))
                },
            ))
        })
        .collect()
});

/// The largest series order of [`log_ndtr_series`].
const MAX_SERIES_ORDER: usize = 30;

/// `log Φ(x)` (`jax.scipy.special.log_ndtr` with its default `series_order=3`), accurate far
/// into both tails; its derivative is JAX's rule `exp(log φ(x) - log Φ(x))`.
///
/// # Panics
/// If `x` is not float32 or float64.
#[track_caller]
pub fn log_ndtr(x: impl IntoArray) -> Array {
    log_ndtr_series(x, 3)
}

/// [`log_ndtr`] with JAX's `series_order` (0 to 30): the number of terms of the asymptotic
/// series used below -20 (float64) or -10 (float32).
///
/// # Panics
/// If `x` is not float32 or float64, or `series_order` exceeds 30.
#[track_caller]
pub fn log_ndtr_series(x: impl IntoArray, series_order: usize) -> Array {
    assert!(
        series_order <= MAX_SERIES_ORDER,
        "log_ndtr: series_order must be <= {MAX_SERIES_ORDER}, got {series_order}"
    );
    let x = x.into_array();
    require_float("log_ndtr", &x);
    unwrap_at_caller(LOG_NDTR[series_order](x))
}

/// JAX's `log_ndtr`: `-Φ(-x)` above the upper segment, `log Φ(x)` between, and the
/// asymptotic series below the lower segment.
fn log_ndtr_primal(x: &Array, series_order: usize) -> Array {
    let (lower, upper) = if x.dtype() == DType::F64 {
        (-20.0, 8.0)
    } else {
        (-10.0, 5.0)
    };
    let above = x.gt(upper);
    let argument = jnp::where_(&above, -x, jnp::maximum(x, lower));
    let ndtr = ndtr_of_float(&argument);
    let asymptotic = log_ndtr_lower(&jnp::minimum(x, lower), series_order);
    jnp::where_(
        above,
        -&ndtr,
        jnp::where_(x.gt(lower), ndtr.log(), asymptotic),
    )
}

/// `log Φ(x)` for `x ≪ -1`: `-x²/2 - log(-x) - log(2π)/2 + log(series)`.
fn log_ndtr_lower(x: &Array, series_order: usize) -> Array {
    let x_2 = x * x;
    let log_scale = &x_2 * -0.5 - (-x).log() - 0.5 * (2.0 * PI).ln();
    log_scale + asymptotic_series(x, series_order).log()
}

/// `1 + Σₙ (-1)ⁿ (2n-1)!! / x²ⁿ` for `n` in `1..=series_order`, summed as JAX does (even and
/// odd terms apart).
fn asymptotic_series(x: &Array, series_order: usize) -> Array {
    if series_order == 0 {
        return jnp::ones_like(x, None);
    }
    let x_2 = x * x;
    let mut even = jnp::zeros_like(x, None);
    let mut odd = jnp::zeros_like(x, None);
    let mut x_2n = x_2.clone();
    for n in 1..=series_order {
        let y = double_factorial(2 * n - 1) / &x_2n;
        if n % 2 == 1 {
            odd = odd + y;
        } else {
            even = even + y;
        }
        x_2n = x_2n * &x_2;
    }
    1.0 + even - odd
}

/// `n!! = n (n - 2) (n - 4) ...`, as a float.
fn double_factorial(n: usize) -> f64 {
    (1..=n).rev().step_by(2).map(|k| k as f64).product()
}
