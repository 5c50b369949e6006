//! `jax.scipy.special`: the error function family and the normal distribution function
//! (`erf`, `erfc`, `erfinv`, `ndtr`, `ndtri`, `log_ndtr`), the gamma family (`gammaln`,
//! `digamma`, `polygamma`, `betaln`, `zeta`), the regularized incomplete gamma and beta
//! functions (`gammainc`, `gammaincc`, `betainc`), logarithms with JAX's conventions at zero
//! (`xlogy`, `xlog1py`, `entr`), the logistic pair (`expit`, `logit`), `logsumexp`,
//! `softmax`, `log_softmax`, and the scaled Bessel functions `i0e` and `i1e`.
//!
//! Every function promotes its arguments as JAX's `promote_args_inexact` (integers and
//! booleans become the default float), broadcasts them, and traces under `jit`, `grad` and
//! `vmap`. Where JAX computes a function in Python (`igamma`, `betainc`, `i0e`, `ndtri`,
//! `log_ndtr`, the derivative of `zeta`) rjax composes the same algorithm from `lax`
//! operations, with JAX's derivative rules attached through [`crate::custom_jvp`].
//!
//! ```
//! use rjax::scipy::special;
//! use rjax::{Array, grad};
//!
//! rjax::config::enable_x64(true);
//! let p = special::gammainc(2.0, &Array::from([0.0, 1.0, f64::INFINITY]));
//! let want = [0.0, 1.0 - 2.0 / std::f64::consts::E, 1.0];
//! for (got, want) in p.to_vec::<f64>()?.iter().zip(want) {
//!     assert!((got - want).abs() < 1e-14);
//! }
//! // xlogy(0, y) = 0, with the derivative log(y) in x.
//! let g = grad(|x: Array| special::xlogy(&x, 2.0))(Array::from(0.0))?;
//! assert!((g.item::<f64>()? - 2f64.ln()).abs() < 1e-15);
//! # Ok::<(), rjax::Error>(())
//! ```

mod bessel;
mod betainc;
mod error_function;
mod gamma;
mod igamma;
mod logarithms;
mod logsumexp;

pub(crate) use bessel::bessel_i1e_derivative;
pub use bessel::{i0e, i1e};
pub use betainc::betainc;
pub use error_function::{erf, erfc, erfinv, log_ndtr, log_ndtr_series, ndtr, ndtri};
pub use gamma::{betaln, digamma, gammaln, polygamma, zeta};
pub(crate) use igamma::random_gamma_grad;
pub use igamma::{gammainc, gammaincc};
pub use logarithms::{entr, expit, logit, xlog1py, xlogy};
pub use logsumexp::{log_softmax, logsumexp, logsumexp_with_sign, softmax};

use crate::{Array, DType};

/// A unary function with a custom derivative, shared by every call.
type CustomUnary = Box<dyn Fn(Array) -> crate::Result<Array> + Send + Sync>;

/// A binary function with a custom derivative, shared by every call.
type CustomBinary = Box<dyn Fn((Array, Array)) -> crate::Result<Array> + Send + Sync>;

/// NumPy's `finfo` of a real float dtype: the machine epsilon, the largest finite value and
/// the smallest normal value, as f64.
struct Finfo {
    eps: f64,
    max: f64,
    tiny: f64,
}

/// [`Finfo`] of `dtype` (float32 or float64; half precision is computed in float32, as JAX
/// upcasts it).
fn finfo(dtype: DType) -> Finfo {
    if dtype == DType::F64 {
        Finfo {
            eps: f64::EPSILON,
            max: f64::MAX,
            tiny: f64::MIN_POSITIVE,
        }
    } else {
        Finfo {
            eps: f64::from(f32::EPSILON),
            max: f64::from(f32::MAX),
            tiny: f64::from(f32::MIN_POSITIVE),
        }
    }
}

/// `x`'s dtype, or a panic naming `op` unless it is float32 or float64 (the dtypes JAX's
/// `ndtr` family accepts).
#[track_caller]
fn require_float(op: &str, x: &Array) -> DType {
    let dtype = x.dtype();
    assert!(
        matches!(dtype, DType::F32 | DType::F64),
        "{op}: x.dtype={dtype} is not supported (expected float32 or float64), got {}",
        x.aval()
    );
    dtype
}

/// Horner's evaluation of the polynomial with `coefficients` (highest degree first) at `x`
/// (`jnp.polyval`).
fn polyval(coefficients: &[f64], x: &Array) -> Array {
    coefficients
        .iter()
        .fold(crate::numpy::zeros_like(x, None), |acc, &c| acc * x + c)
}
