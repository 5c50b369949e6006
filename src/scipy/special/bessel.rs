//! The exponentially scaled modified Bessel functions `i0e(x) = e^-|x| I₀(x)` (Cephes'
//! Chebyshev expansions, as JAX computes it, with JAX's derivative rule) and
//! `i1e(x) = e^-|x| I₁(x)` (the `lax.bessel_i1e` primitive, XLA's `chlo.bessel_i1e`).

use std::sync::LazyLock;

use super::{CustomUnary, finfo};
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::{Array, DType, IntoArray, custom_jvp};

/// Cephes' Chebyshev coefficients of `i0e` on `[0, 8]` (float64; float32 uses the last 18).
#[allow(clippy::excessive_precision)] // Cephes' digits, as published; they round to these f64s.
const I0E_A: [f64; 30] = [
    -4.41534164647933937950E-18,
    3.33079451882223809783E-17,
    -2.43127984654795469359E-16,
    1.71539128555513303061E-15,
    -1.16853328779934516808E-14,
    7.67618549860493561688E-14,
    -4.85644678311192946090E-13,
    2.95505266312963983461E-12,
    -1.72682629144155570723E-11,
    9.67580903537323691224E-11,
    -5.18979560163526290666E-10,
    2.65982372468238665035E-9,
    -1.30002500998624804212E-8,
    6.04699502254191894932E-8,
    -2.67079385394061173391E-7,
    1.11738753912010371815E-6,
    -4.41673835845875056359E-6,
    1.64484480707288970893E-5,
    -5.75419501008210370398E-5,
    1.88502885095841655729E-4,
    -5.76375574538582365885E-4,
    1.63947561694133579842E-3,
    -4.32430999505057594430E-3,
    1.05464603945949983183E-2,
    -2.37374148058994688156E-2,
    4.93052842396707084878E-2,
    -9.49010970480476444210E-2,
    1.71620901522208775349E-1,
    -3.04682672343198398683E-1,
    6.76795274409476084995E-1,
];

/// Cephes' Chebyshev coefficients of `√x i0e(x)` on `(8, ∞)` (float64; float32 uses the
/// last 7).
#[allow(clippy::excessive_precision)] // Cephes' digits, as published.
const I0E_B: [f64; 25] = [
    -7.23318048787475395456E-18,
    -4.83050448594418207126E-18,
    4.46562142029675999901E-17,
    3.46122286769746109310E-17,
    -2.82762398051658348494E-16,
    -3.42548561967721913462E-16,
    1.77256013305652638360E-15,
    3.81168066935262242075E-15,
    -9.55484669882830764870E-15,
    -4.15056934728722208663E-14,
    1.54008621752140982691E-14,
    3.85277838274214270114E-13,
    7.18012445138366623367E-13,
    -1.79417853150680611778E-12,
    -1.32158118404477131188E-11,
    -3.14991652796324136454E-11,
    1.18891471078464383424E-11,
    4.94060238822496958910E-10,
    3.39623202570838634515E-9,
    2.26666899049817806459E-8,
    2.04891858946906374183E-7,
    2.89137052083475648297E-6,
    6.88975834691682398426E-5,
    3.36911647825569408990E-3,
    8.04490411014108831608E-1,
];

/// Clenshaw's evaluation of a Chebyshev series (Cephes' `chbevl`).
fn chebyshev(x: &Array, coefficients: &[f64]) -> Array {
    let mut b0 = jnp::zeros_like(x, None);
    let mut b1 = jnp::zeros_like(x, None);
    let mut b2 = jnp::zeros_like(x, None);
    for &c in coefficients {
        b2 = b1;
        b1 = b0;
        b0 = x * &b1 - &b2 + c;
    }
    (b0 - b2) * 0.5
}

/// JAX's `bessel_i0e_impl` on a float array.
fn i0e_primal(x: &Array) -> Array {
    let (a, b): (&[f64], &[f64]) = if x.dtype() == DType::F64 {
        (&I0E_A, &I0E_B)
    } else {
        (&I0E_A[12..], &I0E_B[18..])
    };
    let x = x.abs();
    let near = chebyshev(&(&x * 0.5 - 2.0), a);
    let far = chebyshev(&(32.0 / &x - 2.0), b) / x.sqrt();
    jnp::where_(x.le(8.0), near, far)
}

/// `i0e` with JAX's rule: `i0e'(x) = i1e(x) - sign(x) i0e(x)`.
static I0E: LazyLock<CustomUnary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |x: Array| i0e_primal(&x),
        |x: Array, t: Array| {
            let y = I0E(x.clone())?;
            let derivative = lax::bessel_i1e(&x) - lax::sign(&x) * &y;
            Ok::<_, crate::Error>((y, t * derivative))
        },
    ))
});

/// `e^-|x| I₀(x)`, the exponentially scaled modified Bessel function of order 0
/// (`jax.scipy.special.i0e`); integers become the default float.
#[track_caller]
pub fn i0e(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("i0e", [x.into_array()]);
    unwrap_at_caller(I0E(x))
}

/// `e^-|x| I₁(x)`, the exponentially scaled modified Bessel function of order 1
/// (`jax.scipy.special.i1e`); integers become the default float.
#[track_caller]
pub fn i1e(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("i1e", [x.into_array()]);
    lax::bessel_i1e(&x)
}

/// The derivative of `i1e` at `x`, given `y = i1e(x)` (JAX's `_bessel_i1e_jvp`):
/// `i0e(x) - y (sign(x) + 1/x)`, and 1/2 where `|x| <= eps`.
pub(crate) fn bessel_i1e_derivative(x: &Array, y: &Array) -> Array {
    let eps = finfo(x.dtype()).eps;
    let not_tiny = x.abs().gt(eps);
    let safe_x = jnp::where_(&not_tiny, x, eps);
    let derivative = i0e(&safe_x) - y * (lax::sign(&safe_x) + 1.0 / &safe_x);
    jnp::where_(not_tiny, derivative, 0.5)
}
