//! `rjax::nn::losses`: the losses of `optax.losses` (Optax 0.2.6), elementwise or per example
//! (never averaged), with Optax's argument order and defaults, built on [`crate::numpy`] so
//! that they trace under `jit`, `grad` and `vmap`.
//!
//! ```
//! use rjax::{Array, grad, nn::losses, numpy as jnp};
//!
//! let logits = Array::from([[2.0f32, 1.0, 0.1], [0.5, 2.5, 0.3]]);
//! let labels = Array::from([0i32, 1]);
//! let per_example = losses::softmax_cross_entropy_with_integer_labels(&logits, &labels);
//! let first = per_example.to_vec::<f32>()?[0];
//! let want = (2f32.exp() + 1f32.exp() + 0.1f32.exp()).ln() - 2.0; // logsumexp - logit[label]
//! assert!((first - want).abs() < 1e-6);
//! let g = grad(|logits: Array| {
//!     jnp::mean(&losses::softmax_cross_entropy_with_integer_labels(&logits, &labels), ..)
//! })(logits.clone())?;
//! assert_eq!(g.shape(), [2, 3]);
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! The reductions over classes or features take a [`Reduction`]: Optax's `axis` (default the
//! last) and `where` (a mask of the elements to include). The formulas are Optax's, operation
//! for operation, so values and gradients agree with Optax's to rounding (bit for bit where
//! XLA evaluates the same operations). Misuse panics at the caller's line, naming the loss:
//! integer logits, float integer labels, shapes that do not match.

use crate::IntoArray;
use crate::numpy::Axes;
use std::sync::LazyLock;

use crate::lax::unwrap_at_caller;
use crate::numpy::{self as jnp, TakeMode};
use crate::{Array, Result, custom_jvp, lax, stop_gradient};

use super::{log_sigmoid, log_softmax, logsumexp, softmax};

/// The axes a loss reduces over and the elements it includes: Optax's `axis` and `where`
/// arguments. The default is Optax's: the last axis, every element.
#[derive(Debug, Clone)]
pub struct Reduction {
    /// The axes reduced (`None`: all of them).
    axis: Option<Vec<isize>>,
    /// The elements included (`true`), broadcasting against the inputs.
    mask: Option<Array>,
}

impl Default for Reduction {
    fn default() -> Self {
        Reduction {
            axis: Some(vec![-1]),
            mask: None,
        }
    }
}

impl Reduction {
    /// Reduction over `axes` (Optax's `axis=(...)`; negative axes count from the end).
    pub fn axes(axes: &[isize]) -> Self {
        Reduction {
            axis: Some(axes.to_vec()),
            mask: None,
        }
    }

    /// Reduction over every axis (Optax's `axis=None`).
    pub fn all_axes() -> Self {
        Reduction {
            axis: None,
            mask: None,
        }
    }

    /// The same reduction including only the elements where `mask` is `true` (Optax's
    /// `where`): a boolean array that broadcasts against the inputs.
    pub fn with_where(mut self, mask: &Array) -> Self {
        self.mask = Some(mask.clone());
        self
    }

    /// The reduced axes, for `jnp` reductions.
    fn axis(&self) -> Option<&[isize]> {
        self.axis.as_deref()
    }

    /// The sum of `x` over the axes, of the included elements only (`jnp.sum(where=...)`).
    #[track_caller]
    fn sum(&self, x: &Array, keepdims: bool) -> Array {
        match &self.mask {
            Some(mask) => jnp::sum(
                jnp::where_(mask, x, 0),
                Axes::from(self.axis()).keepdims(keepdims),
            ),
            None => jnp::sum(x, Axes::from(self.axis()).keepdims(keepdims)),
        }
    }
}

/// Panics, naming `op`, unless `x` has a float dtype (Optax's `chex.assert_type(x, float)`).
#[track_caller]
fn check_float(op: &str, what: &str, x: &Array) {
    if !x.dtype().is_float() {
        panic!(
            "rjax::nn::losses::{op}: {what} must have a float dtype, got {}",
            x.aval()
        );
    }
}

/// `predictions - targets`, or `predictions` without targets; panics, naming `op`, unless the
/// predictions are floating point and the shapes are equal (Optax's `chex` checks).
#[track_caller]
fn errors(op: &str, predictions: &Array, targets: Option<&Array>, same_shape: bool) -> Array {
    check_float(op, "predictions", predictions);
    match targets {
        Some(targets) => {
            if same_shape && predictions.shape() != targets.shape() {
                panic!(
                    "rjax::nn::losses::{op}: predictions {} and targets {} must have the same \
                     shape",
                    predictions.aval(),
                    targets.aval()
                );
            }
            predictions - targets
        }
        None => predictions.clone(),
    }
}

/// `(predictions - targets)²` elementwise, targets zero when absent (`optax.losses.squared_error`);
/// the shapes must be equal.
#[track_caller]
pub fn squared_error(predictions: impl IntoArray, targets: Option<&Array>) -> Array {
    let predictions = &predictions.into_array();
    lax::integer_pow(errors("squared_error", predictions, targets, true), 2)
}

/// Half the squared error, `0.5 (predictions - targets)²` (`optax.losses.l2_loss`).
#[track_caller]
pub fn l2_loss(predictions: impl IntoArray, targets: Option<&Array>) -> Array {
    squared_error(predictions, targets) * 0.5
}

/// The Huber loss: `0.5 e²` where `|e| <= delta`, `0.5 delta² + delta (|e| - delta)` beyond, for
/// `e = predictions - targets` (`optax.losses.huber_loss`; Optax's default `delta` is 1).
#[track_caller]
pub fn huber_loss(predictions: impl IntoArray, targets: Option<&Array>, delta: f64) -> Array {
    let predictions = &predictions.into_array();
    let abs_errors = jnp::abs(errors("huber_loss", predictions, targets, false));
    let quadratic = jnp::minimum(&abs_errors, delta);
    let linear = &abs_errors - &quadratic;
    lax::integer_pow(&quadratic, 2) * 0.5 + linear * delta
}

/// `log(cosh(predictions - targets))`, computed as `logaddexp(e, -e) - log 2`
/// (`optax.losses.log_cosh`).
#[track_caller]
pub fn log_cosh(predictions: impl IntoArray, targets: Option<&Array>) -> Array {
    let predictions = &predictions.into_array();
    let errors = errors("log_cosh", predictions, targets, false);
    let log2 = jnp::asarray(jnp::log(2.0), Some(errors.dtype()));
    jnp::logaddexp(&errors, -&errors) - log2
}

/// The binary hinge loss `max(0, 1 - outputs * targets)`, targets in `{-1, 1}`
/// (`optax.losses.hinge_loss`).
#[track_caller]
pub fn hinge_loss(predictor_outputs: impl IntoArray, targets: impl IntoArray) -> Array {
    let predictor_outputs = &predictor_outputs.into_array();
    let targets = &targets.into_array();
    jnp::maximum(0, 1 - predictor_outputs * targets)
}

/// Elementwise sigmoid cross entropy `-y log σ(x) - (1 - y) log σ(-x)` of logits `x` and
/// labels `y` (binary labels or probabilities, converted to the logits' dtype)
/// (`optax.losses.sigmoid_binary_cross_entropy`).
#[track_caller]
pub fn sigmoid_binary_cross_entropy(logits: impl IntoArray, labels: impl IntoArray) -> Array {
    let logits = &logits.into_array();
    let labels = &labels.into_array();
    check_float("sigmoid_binary_cross_entropy", "logits", logits);
    let labels = labels.astype(logits.dtype());
    let log_p = log_sigmoid(logits);
    let log_not_p = log_sigmoid(&-logits);
    -&labels * log_p - (1.0 - &labels) * log_not_p
}

/// The softmax cross entropy `-Σ labels · log_softmax(logits)` over the last axis
/// (`optax.losses.softmax_cross_entropy`): one value per example. `labels` are probability
/// distributions (one-hot, say) that broadcast against `logits`.
#[track_caller]
pub fn softmax_cross_entropy(logits: impl IntoArray, labels: impl IntoArray) -> Array {
    softmax_cross_entropy_with(logits, labels, &Reduction::default())
}

/// [`softmax_cross_entropy`] over `reduction`'s axes and elements (Optax's `axis` and
/// `where`; a mask of one rank less than `logits` gains the reduced axis). Masked-out
/// logits do not enter the normalisation.
#[track_caller]
pub fn softmax_cross_entropy_with(
    logits: impl IntoArray,
    labels: impl IntoArray,
    reduction: &Reduction,
) -> Array {
    let logits = &logits.into_array();
    let labels = &labels.into_array();
    check_float("softmax_cross_entropy", "logits", logits);
    let reduction = expand_mask(logits, reduction);
    let log_probs = match &reduction.mask {
        None => log_softmax(logits, Some(reduction.axis().unwrap_or(&all(logits)))),
        Some(mask) => masked_log_softmax(logits, reduction.axis(), mask),
    };
    -reduction.sum(&(labels * log_probs), false)
}

/// The softmax cross entropy over the last axis with `0 log 0 = 0`: where a label is 0 its
/// term is 0 even if the logit is `-inf`, so the value and the gradient with respect to the
/// logits stay finite (`optax.losses.safe_softmax_cross_entropy`, through Optax's
/// `weighted_logsoftmax` and its custom derivative). `labels` must be floating point.
#[track_caller]
pub fn safe_softmax_cross_entropy(logits: impl IntoArray, labels: impl IntoArray) -> Array {
    let logits = &logits.into_array();
    let labels = &labels.into_array();
    check_float("safe_softmax_cross_entropy", "logits", logits);
    check_float("safe_softmax_cross_entropy", "labels", labels);
    let terms = unwrap_at_caller(WEIGHTED_LOG_SOFTMAX((logits.clone(), labels.clone())));
    -jnp::sum(&terms, -1)
}

/// `weights * log_softmax(x)` over the last axis, 0 where a weight is 0, with Optax's custom
/// JVP (`weighted_logsoftmax`).
type WeightedLogSoftmax = Box<dyn Fn((Array, Array)) -> Result<Array> + Send + Sync>;

/// Optax's `weighted_logsoftmax`, shared by every call.
static WEIGHTED_LOG_SOFTMAX: LazyLock<WeightedLogSoftmax> = LazyLock::new(|| {
    Box::new(custom_jvp(
        |(x, weights): (Array, Array)| weighted_log_softmax(&x, &weights).0,
        |(x, weights): (Array, Array), (x_dot, weights_dot): (Array, Array)| {
            let (out, log_softmax_x) = weighted_log_softmax(&x, &weights);
            let mean_x_dot = jnp::sum(&(&x_dot * softmax(&x, None)), Axes::from(-1).keepdims(true));
            let tangent = &weights * &x_dot - &weights * mean_x_dot + weights_dot * log_softmax_x;
            (out, tangent)
        },
    ))
});

/// `(where(weights != 0, weights * log_softmax(x), 0), log_softmax(x))` over the last axis.
fn weighted_log_softmax(x: &Array, weights: &Array) -> (Array, Array) {
    let log_softmax_x = log_softmax(x, None);
    let weighted = jnp::where_(
        weights.ne(0.0),
        weights * &log_softmax_x,
        jnp::zeros_like(&log_softmax_x, None),
    );
    (weighted, log_softmax_x)
}

/// Every axis of `x`.
fn all(x: &Array) -> Vec<isize> {
    (0..x.ndim() as isize).collect()
}

/// `reduction` with a mask of lower rank than `logits` expanded along the reduced axes
/// (Optax's `jnp.expand_dims(where, axis)`).
#[track_caller]
fn expand_mask(logits: &Array, reduction: &Reduction) -> Reduction {
    let mut reduction = reduction.clone();
    if let Some(mask) = &reduction.mask
        && mask.ndim() != logits.ndim()
    {
        let axes = reduction.axis.clone().unwrap_or_else(|| all(logits));
        reduction.mask = Some(jnp::expand_dims(mask, &axes));
    }
    reduction
}

/// JAX's `log_softmax(x, axis, where=mask)`: `-inf` at masked-out elements.
#[track_caller]
fn masked_log_softmax(x: &Array, axis: Option<&[isize]>, mask: &Array) -> Array {
    let x_safe = jnp::where_(mask, x, f64::NEG_INFINITY);
    let x_max = jnp::max(&x_safe, Axes::from(axis).keepdims(true));
    let shifted = &x_safe - stop_gradient(&x_max);
    let total = jnp::sum(
        jnp::where_(mask, jnp::exp(&shifted), 0),
        Axes::from(axis).keepdims(true),
    );
    jnp::where_(mask, &shifted - jnp::log(total), f64::NEG_INFINITY)
}

/// The softmax cross entropy of `logits` and integer class `labels`
/// (`optax.losses.softmax_cross_entropy_with_integer_labels`): `logsumexp(logits) -
/// logits[label]` over the last axis, one value per example; `labels` has `logits`' shape
/// without the class axis.
#[track_caller]
pub fn softmax_cross_entropy_with_integer_labels(
    logits: impl IntoArray,
    labels: impl IntoArray,
) -> Array {
    softmax_cross_entropy_with_integer_labels_with(logits, labels, &Reduction::default())
}

/// [`softmax_cross_entropy_with_integer_labels`] over `reduction`'s axes and elements (Optax's
/// `axis` and `where`). Several axes are flattened in order, a label indexing the flattened
/// slice; masked-out logits do not enter the normalisation, and examples with no included
/// class give 0. `reduction` must name its axes ([`Reduction::all_axes`] is refused, as Optax
/// refuses `axis=None`).
#[track_caller]
pub fn softmax_cross_entropy_with_integer_labels_with(
    logits: impl IntoArray,
    labels: impl IntoArray,
    reduction: &Reduction,
) -> Array {
    let logits = &logits.into_array();
    let labels = &labels.into_array();
    const OP: &str = "softmax_cross_entropy_with_integer_labels";
    check_float(OP, "logits", logits);
    if !labels.dtype().is_int() {
        panic!(
            "rjax::nn::losses::{OP}: labels must have an integer dtype, got {}",
            labels.aval()
        );
    }
    let Some(axes) = reduction.axis() else {
        panic!("rjax::nn::losses::{OP}: the reduction must name its axes, not all axes");
    };
    let reduction = expand_mask(logits, reduction);
    let (logits, mask, axis) = flatten_class_axes(OP, logits, reduction.mask.as_ref(), axes);
    let expected: Vec<usize> = logits
        .shape()
        .iter()
        .enumerate()
        .filter(|&(d, _)| d != axis)
        .map(|(_, &n)| n)
        .collect();
    if labels.shape() != expected {
        panic!(
            "rjax::nn::losses::{OP}: labels {} must have the shape {expected:?} of the logits \
             {} without the class axis",
            labels.aval(),
            logits.aval()
        );
    }
    let position = axis as isize;
    let label_logits = jnp::squeeze(
        jnp::take_along_axis(
            &logits,
            jnp::expand_dims(labels, &[position]),
            Some(position),
            TakeMode::Fill,
        ),
        Some(&[position]),
    );
    match mask {
        None => logsumexp(&logits, Some(&[position]), false) - label_logits,
        Some(mask) => {
            let normalizers = masked_logsumexp(&logits, position, &mask);
            let out = normalizers - label_logits;
            jnp::where_(jnp::any(&mask, position), out, 0.0)
        }
    }
}

/// `logits` (and `mask`) with the class `axes` moved to the end and flattened into one, and
/// that axis's position (Optax's handling of a tuple `axis`).
#[track_caller]
fn flatten_class_axes(
    op: &str,
    logits: &Array,
    mask: Option<&Array>,
    axes: &[isize],
) -> (Array, Option<Array>, usize) {
    let rank = logits.ndim() as isize;
    let mut class_axes = Vec::with_capacity(axes.len());
    for &a in axes {
        if a < -rank || a >= rank {
            panic!(
                "rjax::nn::losses::{op}: axis {a} is out of bounds for {}",
                logits.aval()
            );
        }
        class_axes.push(a.rem_euclid(rank));
    }
    if let [axis] = class_axes[..] {
        return (logits.clone(), mask.cloned(), axis as usize);
    }
    let batch_axes: Vec<isize> = (0..rank).filter(|a| !class_axes.contains(a)).collect();
    let order: Vec<isize> = batch_axes.iter().chain(&class_axes).copied().collect();
    let flatten = |x: &Array| {
        let moved = jnp::transpose(x, Some(&order));
        let mut shape: Vec<isize> = moved.shape()[..batch_axes.len()]
            .iter()
            .map(|&n| n as isize)
            .collect();
        shape.push(-1);
        jnp::reshape(&moved, &shape)
    };
    (flatten(logits), mask.map(flatten), batch_axes.len())
}

/// JAX's `logsumexp(x, axis, where=mask)` (`axis` reduced, not kept).
#[track_caller]
fn masked_logsumexp(x: &Array, axis: isize, mask: &Array) -> Array {
    let x = jnp::where_(mask, x, 0);
    let amax = jnp::max(
        jnp::where_(mask, &x, f64::NEG_INFINITY),
        Axes::from(axis).keepdims(true),
    );
    let amax = stop_gradient(&jnp::where_(lax::is_finite(&amax), &amax, 0));
    let total = jnp::sum(
        jnp::where_(mask, jnp::exp(&x - &amax), 0),
        Axes::from(axis).keepdims(true),
    );
    jnp::squeeze(&(jnp::log(jnp::abs(total)) + amax), Some(&[axis]))
}

/// The cosine similarity of `predictions` and `targets` along the last axis, each norm at
/// least `sqrt(epsilon)` (`optax.losses.cosine_similarity`; Optax's default `epsilon` is 0).
#[track_caller]
pub fn cosine_similarity(
    predictions: impl IntoArray,
    targets: impl IntoArray,
    epsilon: f64,
) -> Array {
    cosine_similarity_with(predictions, targets, epsilon, &Reduction::default())
}

/// [`cosine_similarity`] over `reduction`'s axes and elements (Optax's `axis` and `where`).
#[track_caller]
pub fn cosine_similarity_with(
    predictions: impl IntoArray,
    targets: impl IntoArray,
    epsilon: f64,
    reduction: &Reduction,
) -> Array {
    let predictions = &predictions.into_array();
    let targets = &targets.into_array();
    check_float("cosine_similarity", "predictions", predictions);
    check_float("cosine_similarity", "targets", targets);
    let products =
        unit_vectors(predictions, epsilon, reduction) * unit_vectors(targets, epsilon, reduction);
    reduction.sum(&products, false)
}

/// `x` divided by its norm over `reduction`'s axes, the norm at least `sqrt(epsilon)`.
#[track_caller]
fn unit_vectors(x: &Array, epsilon: f64, reduction: &Reduction) -> Array {
    let norm2 = reduction.sum(&jnp::square(x), true);
    x / jnp::sqrt(jnp::clip(&norm2, Some(epsilon), None::<f64>))
}

/// The cosine distance `1 - cosine_similarity` (`optax.losses.cosine_distance`).
#[track_caller]
pub fn cosine_distance(
    predictions: impl IntoArray,
    targets: impl IntoArray,
    epsilon: f64,
) -> Array {
    cosine_distance_with(predictions, targets, epsilon, &Reduction::default())
}

/// [`cosine_distance`] over `reduction`'s axes and elements (Optax's `axis` and `where`).
#[track_caller]
pub fn cosine_distance_with(
    predictions: impl IntoArray,
    targets: impl IntoArray,
    epsilon: f64,
    reduction: &Reduction,
) -> Array {
    1.0 - cosine_similarity_with(predictions, targets, epsilon, reduction)
}

/// The Kullback-Leibler divergence `Σ targets (log targets - log_predictions)` over the last
/// axis, `0 log 0` counted as 0 (`optax.losses.kl_divergence`; the predictions in log space).
#[track_caller]
pub fn kl_divergence(log_predictions: impl IntoArray, targets: impl IntoArray) -> Array {
    kl_divergence_with(log_predictions, targets, &Reduction::default())
}

/// [`kl_divergence`] over `reduction`'s axes and elements (Optax's `axis` and `where`).
#[track_caller]
pub fn kl_divergence_with(
    log_predictions: impl IntoArray,
    targets: impl IntoArray,
    reduction: &Reduction,
) -> Array {
    let log_predictions = &log_predictions.into_array();
    let targets = &targets.into_array();
    check_float("kl_divergence", "log_predictions", log_predictions);
    check_float("kl_divergence", "targets", targets);
    let log_targets = jnp::where_(targets.eq(0), 0, jnp::log(targets));
    reduction.sum(&(targets * (log_targets - log_predictions)), false)
}
