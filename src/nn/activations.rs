//! The activation functions and normalisations of `jax.nn`: `relu`, `gelu`, `silu`, ...,
//! `softmax`, `log_softmax`, `logsumexp`, `one_hot`, `standardize`.

use crate::IntoArray;
use crate::numpy::Axes;
use std::sync::LazyLock;

use crate::lax::{self, unwrap_at_caller};
use crate::numpy::{self as jnp, promote_inexact};
use crate::{Array, DType, Result, custom_jvp, stop_gradient};

/// A unary function with a custom derivative, shared by every call.
type CustomUnary = Box<dyn Fn(Array) -> Result<Array> + Send + Sync>;

/// `f` whose JVP passes the tangent where `active(x)` and is zero elsewhere (JAX's
/// `defjvps(lambda g, ans, x: lax.select(active(x), g, zeros))`).
fn masked_derivative(f: fn(&Array) -> Array, active: fn(&Array) -> Array) -> CustomUnary {
    Box::new(custom_jvp(
        move |x: Array| f(&x),
        move |x: Array, t: Array| (f(&x), jnp::where_(active(&x), &t, 0)),
    ))
}

/// `relu` with JAX's rule: the tangent passes where `x > 0`.
static RELU: LazyLock<CustomUnary> =
    LazyLock::new(|| masked_derivative(|x| jnp::maximum(x, 0), |x| x.gt(0)));

/// `relu6` with JAX's rule: the tangent passes where `0 < x < 6`.
static RELU6: LazyLock<CustomUnary> = LazyLock::new(|| {
    masked_derivative(
        |x| jnp::minimum(jnp::maximum(x, 0), 6.0),
        |x| lax::bitwise_and(x.gt(0), x.lt(6)),
    )
});

/// The rectified linear unit `max(x, 0)` (`jax.nn.relu`); its derivative is 0 at 0, as in JAX.
#[track_caller]
pub fn relu(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    unwrap_at_caller(RELU(x.clone()))
}

/// `min(max(x, 0), 6)` (`jax.nn.relu6`); its derivative is 0 at 0 and at 6, as in JAX.
#[track_caller]
pub fn relu6(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    unwrap_at_caller(RELU6(x.clone()))
}

/// The logistic sigmoid `1 / (1 + e^-x)` (`jax.nn.sigmoid`, `lax.logistic`); as in JAX, `x`
/// must be floating point.
#[track_caller]
pub fn sigmoid(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    lax::logistic(x)
}

/// `log(1 + e^x)`, computed as `logaddexp(x, 0)` (`jax.nn.softplus`).
#[track_caller]
pub fn softplus(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    jnp::logaddexp(x, 0)
}

/// `log(sigmoid(x))`, computed as `-softplus(-x)` (`jax.nn.log_sigmoid`).
#[track_caller]
pub fn log_sigmoid(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    -softplus(&-promote_inexact("log_sigmoid", x))
}

/// The sigmoid linear unit `x * sigmoid(x)` (`jax.nn.silu`).
#[track_caller]
pub fn silu(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    x * sigmoid(x)
}

/// The same as [`silu`] (`jax.nn.swish`).
#[track_caller]
pub fn swish(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    silu(x)
}

/// `x * tanh(softplus(x))` (`jax.nn.mish`).
#[track_caller]
pub fn mish(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    x * jnp::tanh(softplus(x))
}

/// The Gaussian error linear unit `x Φ(x)` (`jax.nn.gelu`): with `approximate`, JAX's
/// default, the tanh form `x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2`; otherwise the exact
/// `x erfc(-x / √2) / 2`. Integers become the default float.
#[track_caller]
pub fn gelu(x: impl IntoArray, approximate: bool) -> Array {
    let x = &x.into_array();
    let x = promote_inexact("gelu", x);
    if approximate {
        let inner = (&x + lax::integer_pow(&x, 3) * 0.044715) * (2.0 / std::f64::consts::PI).sqrt();
        &x * ((jnp::tanh(inner) + 1.0) * 0.5)
    } else {
        &x * 0.5 * lax::erfc(&(-&x * std::f64::consts::FRAC_1_SQRT_2))
    }
}

/// The exponential linear unit: `x` above 0, `alpha (e^x - 1)` elsewhere (`jax.nn.elu`).
#[track_caller]
pub fn elu(x: impl IntoArray, alpha: f64) -> Array {
    let x = &x.into_array();
    let positive = x.gt(0);
    let safe = jnp::where_(&positive, 0.0, x);
    jnp::where_(positive, x, jnp::expm1(safe) * alpha)
}

/// The scaled exponential linear unit `λ elu(x, α)` with SELU's constants (`jax.nn.selu`).
#[track_caller]
pub fn selu(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    elu(x, 1.673_263_242_354_377_3) * 1.050_700_987_355_480_5
}

/// The continuously differentiable exponential linear unit
/// `max(x, 0) + alpha (e^(min(x, 0) / alpha) - 1)` (`jax.nn.celu`).
#[track_caller]
pub fn celu(x: impl IntoArray, alpha: f64) -> Array {
    let x = &x.into_array();
    jnp::maximum(x, 0.0) + jnp::expm1(jnp::minimum(x, 0.0) / alpha) * alpha
}

/// `x` where `x >= 0`, else `negative_slope * x` (`jax.nn.leaky_relu`; JAX's default slope is
/// 0.01); its derivative at 0 is 1.
#[track_caller]
pub fn leaky_relu(x: impl IntoArray, negative_slope: f64) -> Array {
    let x = &x.into_array();
    jnp::where_(x.ge(0), x, x * negative_slope)
}

/// `x` clipped to `[-1, 1]` (`jax.nn.hard_tanh`).
#[track_caller]
pub fn hard_tanh(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    jnp::where_(x.gt(1), 1, jnp::where_(x.lt(-1), -1, x))
}

/// `relu6(x + 3) / 6` (`jax.nn.hard_sigmoid`).
#[track_caller]
pub fn hard_sigmoid(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    relu6(&(x + 3.0)) / 6.0
}

/// `x * hard_sigmoid(x)` (`jax.nn.hard_silu`, also `hard_swish`).
#[track_caller]
pub fn hard_silu(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    x * hard_sigmoid(x)
}

/// Panics, naming `op` and `x`'s type, if an entry of `axis` is out of bounds for `x`.
#[track_caller]
pub(crate) fn check_axes(op: &str, x: &Array, axis: Option<&[isize]>) {
    let rank = x.ndim() as isize;
    if let Some(bad) = axis
        .into_iter()
        .flatten()
        .find(|&&a| a < -rank || a >= rank)
    {
        panic!("{op}: axis {bad} is out of bounds for {}", x.aval());
    }
}

/// The maximum over `axis` (kept), with non-finite maxima replaced by zero, outside autodiff.
fn shift(x: &Array, axis: Option<&[isize]>) -> Array {
    let m = stop_gradient(&jnp::max_or_identity(x, axis, true));
    stop_gradient(&jnp::where_(lax::is_finite(&m), &m, 0))
}

/// `log(sum(exp(x)))` over `axis` (`None`: all axes), computed stably by shifting by the
/// maximum (`jax.nn.logsumexp`, also `jax.scipy.special.logsumexp`); integers become the
/// default float.
#[track_caller]
pub fn logsumexp(x: impl IntoArray, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let x = &x.into_array();
    let x = promote_inexact("logsumexp", x);
    check_axes("logsumexp", &x, axis);
    let m = shift(&x, axis);
    let total = jnp::sum((&x - &m).exp(), Axes::from(axis).keepdims(true));
    let out = total.log() + &m;
    if keepdims {
        out
    } else {
        let reduced: Vec<isize> = match axis {
            Some(list) => list.to_vec(),
            None => (0..x.ndim() as isize).collect(),
        };
        jnp::squeeze(&out, Some(&reduced))
    }
}

/// `exp(x) / sum(exp(x))` over `axis` (`None`: the last axis, as in JAX), computed stably
/// (`jax.nn.softmax`).
#[track_caller]
pub fn softmax(x: impl IntoArray, axis: Option<&[isize]>) -> Array {
    let x = &x.into_array();
    let x = promote_inexact("softmax", x);
    let axis = axis.unwrap_or(&[-1]);
    check_axes("softmax", &x, Some(axis));
    let unnormalized = (&x - stop_gradient(&jnp::max_or_identity(&x, Some(axis), true))).exp();
    let total = jnp::sum(&unnormalized, Axes::from(axis).keepdims(true));
    unnormalized / total
}

/// `log(softmax(x))` over `axis` (`None`: the last axis), computed stably as
/// `x - max - log(sum(exp(x - max)))` (`jax.nn.log_softmax`).
#[track_caller]
pub fn log_softmax(x: impl IntoArray, axis: Option<&[isize]>) -> Array {
    let x = &x.into_array();
    let x = promote_inexact("log_softmax", x);
    let axis = axis.unwrap_or(&[-1]);
    check_axes("log_softmax", &x, Some(axis));
    let shifted = &x - stop_gradient(&jnp::max_or_identity(&x, Some(axis), true));
    let total = jnp::sum(shifted.exp(), Axes::from(axis).keepdims(true));
    &shifted - total.log()
}

/// `x` standardized to zero mean and unit variance over `axis` (`None`: the last axis):
/// `(x - mean) / sqrt(variance + epsilon)` (`jax.nn.standardize`, JAX's default "fast"
/// algorithm: the variance is `mean(x²) - mean²`, clipped at 0). `mean` and `variance` default
/// to those of `x` (kept dimensions); JAX's default `epsilon` is 1e-5.
#[track_caller]
pub fn standardize(
    x: impl IntoArray,
    axis: Option<&[isize]>,
    mean: Option<&Array>,
    variance: Option<&Array>,
    epsilon: f64,
) -> Array {
    let x = &x.into_array();
    let axis = Some(axis.unwrap_or(&[-1]));
    check_axes("standardize", x, axis);
    let mean = mean
        .cloned()
        .unwrap_or_else(|| jnp::mean(x, Axes::from(axis).keepdims(true)));
    let variance = variance.cloned().unwrap_or_else(|| {
        let spread =
            jnp::mean(jnp::square(x), Axes::from(axis).keepdims(true)) - jnp::square(&mean);
        jnp::clip(&spread, Some(0), None::<i32>)
    });
    jnp::subtract(x, &mean) * lax::rsqrt(&(variance + epsilon))
}

/// One-hot encodings of the indices `x` (`jax.nn.one_hot`): a new axis `axis` (negative counts
/// from the end of the result) of length `num_classes` holds 1 at each index and 0 elsewhere;
/// indices outside `[0, num_classes)` give all zeros. `dtype` defaults to the default float.
#[track_caller]
pub fn one_hot(
    x: impl IntoArray,
    num_classes: usize,
    dtype: impl Into<Option<DType>>,
    axis: isize,
) -> Array {
    let x = &x.into_array();
    let dtype: Option<DType> = dtype.into();
    let rank = x.ndim() as isize + 1;
    let position = if axis < 0 { axis + rank } else { axis };
    assert!(
        (0..rank).contains(&position),
        "one_hot: axis {axis} is out of bounds for the result of rank {rank} from {}",
        x.aval()
    );
    let position = position as usize;
    let mut shape = x.shape().to_vec();
    shape.insert(position, num_classes);
    let classes = lax::broadcasted_iota(x.dtype(), &shape, position);
    let indices = lax::broadcast_in_dim(
        x,
        &shape,
        &(0..x.ndim())
            .map(|d| if d < position { d } else { d + 1 })
            .collect::<Vec<_>>(),
    );
    jnp::asarray(
        indices.eq(&classes),
        Some(
            dtype.unwrap_or_else(|| crate::promotion::default_float(crate::config::x64_enabled())),
        ),
    )
}
