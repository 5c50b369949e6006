//! Logarithms with JAX's conventions where they meet zero: `xlogy`, `xlog1py` and `entr`
//! (0 at `x = 0`, with JAX's derivative rules), and the logistic pair `expit`, `logit`.

use std::sync::LazyLock;

use super::{CustomBinary, CustomUnary};
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::{self as jnp, promote_args_inexact};
use crate::{Array, IntoArray, custom_jvp};

/// The logistic sigmoid `1 / (1 + e^-x)` (`jax.scipy.special.expit`); integers become the
/// default float.
#[track_caller]
pub fn expit(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("expit", [x.into_array()]);
    lax::logistic(&x)
}

/// `logit` with JAX's rule `t / (x (1 - x))`.
static LOGIT: LazyLock<CustomUnary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |x: Array| logit_primal(&x),
        |x: Array, t: Array| {
            let tangent = &t / (&x * (1.0 - &x));
            Ok::<_, crate::Error>((LOGIT(x)?, tangent))
        },
    ))
});

fn logit_primal(x: &Array) -> Array {
    (x / (1.0 - x)).log()
}

/// The log-odds `log(p / (1 - p))`, the inverse of [`expit`] (`jax.scipy.special.logit`):
/// `-∞` at 0, `∞` at 1; its derivative is JAX's rule `1 / (p (1 - p))`.
#[track_caller]
pub fn logit(p: impl IntoArray) -> Array {
    let [p] = promote_args_inexact("logit", [p.into_array()]);
    unwrap_at_caller(LOGIT(p))
}

/// `x·f(y)`, 0 where `x = 0` unless `y` is NaN (JAX's `xlogy` and `xlog1py`).
fn x_times(x: &Array, y: &Array, f: fn(&Array) -> Array) -> Array {
    let keep = lax::bitwise_or(x.ne(0.0), jnp::isnan(y));
    jnp::where_(keep, x * f(y), jnp::zeros_like(x, None))
}

/// `xlogy` with JAX's rule: `ẋ log(y) + ẏ x / y`.
static XLOGY: LazyLock<CustomBinary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |(x, y): (Array, Array)| x_times(&x, &y, |y| lax::log(y)),
        |(x, y): (Array, Array), (tx, ty): (Array, Array)| {
            let tangent = tx * y.log() + ty * &x / &y;
            Ok::<_, crate::Error>((XLOGY((x, y))?, tangent))
        },
    ))
});

/// `xlog1py` with JAX's rule: `ẋ log(1 + y) + ẏ x / (1 + y)`.
static XLOG1PY: LazyLock<CustomBinary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |(x, y): (Array, Array)| x_times(&x, &y, |y| lax::log1p(y)),
        |(x, y): (Array, Array), (tx, ty): (Array, Array)| {
            let tangent = tx * lax::log1p(&y) + ty * &x / (1.0 + &y);
            Ok::<_, crate::Error>((XLOG1PY((x, y))?, tangent))
        },
    ))
});

/// `x log(y)`, 0 where `x = 0` (also at `y = 0`) unless `y` is NaN
/// (`jax.scipy.special.xlogy`); its derivative is JAX's rule `(log y, x / y)`.
#[track_caller]
pub fn xlogy(x: impl IntoArray, y: impl IntoArray) -> Array {
    let [x, y] = promote_args_inexact("xlogy", [x.into_array(), y.into_array()]);
    unwrap_at_caller(XLOGY((x, y)))
}

/// `x log(1 + y)`, 0 where `x = 0` (also at `y = -1`) unless `y` is NaN
/// (`jax.scipy.special.xlog1py`); its derivative is JAX's rule `(log(1 + y), x / (1 + y))`.
#[track_caller]
pub fn xlog1py(x: impl IntoArray, y: impl IntoArray) -> Array {
    let [x, y] = promote_args_inexact("xlog1py", [x.into_array(), y.into_array()]);
    unwrap_at_caller(XLOG1PY((x, y)))
}

/// `x log(x)` with JAX's rule `ẋ (log(x) + 1)` (its `_xlogx`).
static XLOGX: LazyLock<CustomUnary> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |x: Array| xlogy(&x, &x),
        |x: Array, t: Array| {
            let tangent = t * (x.log() + 1.0);
            Ok::<_, crate::Error>((XLOGX(x)?, tangent))
        },
    ))
});

/// The elementwise entropy `-x log(x)`: 0 at 0, `-∞` for negative `x`
/// (`jax.scipy.special.entr`); its derivative is `-(log(x) + 1)`.
#[track_caller]
pub fn entr(x: impl IntoArray) -> Array {
    let [x] = promote_args_inexact("entr", [x.into_array()]);
    assert!(
        !x.dtype().is_complex(),
        "entr does not support complex-valued inputs, got {}",
        x.aval()
    );
    let negative_log = -unwrap_at_caller(XLOGX(x.clone()));
    jnp::where_(x.lt(0.0), f64::NEG_INFINITY, negative_log)
}
