//! Discrete samplers, each JAX 0.10.2's algorithm: `rademacher` (`2 bernoulli(1/2) - 1`),
//! `categorical` (the Gumbel-max trick with replacement, Gumbel top-k without) and `choice`
//! (`randint` or a permutation without weights; with weights `p`, inverse-CDF search of the
//! cumulative sum, or Gumbel top-k without replacement).

use super::continuous::{GumbelMode, gumbel_impl, mode_of, uniform_from};
use super::distributions::{
    bernoulli_impl, broadcast_to, float_constant, int_constant, randint_impl, shuffle_impl,
};
use super::threefry::full;
use super::{Params, check_key, constant, int_or_default, staged};
use crate::IntoArray;
use crate::array::broadcast_shapes;
use crate::lax;
use crate::numpy::{self, Side, TakeMode};
use crate::promotion::{default_float, default_int};
use crate::scalar::Scalar;
use crate::{Array, DType, config};

/// JAX's `_rademacher`.
pub(super) fn rademacher_impl(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let half = float_constant(0.5, default_float(config::x64_enabled()));
    let b = lax::convert_element_type(bernoulli_impl(key, &half, shape), dtype);
    let of = |value: i64| full(&constant(Scalar::Int(value), dtype), shape);
    lax::sub(lax::mul(of(2), &b), of(1))
}

/// Random signs, -1 or 1 with probability 1/2 each, of `dtype` (`None`: the default integer
/// type, JAX's default; any signed numeric dtype) and `shape` (JAX's `jax.random.rademacher`).
#[track_caller]
pub fn rademacher(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let key = &key.into_array();
    check_key("rademacher", key);
    let dtype = int_or_default(dtype.into());
    if dtype == DType::Bool || dtype.is_unsigned_int() || dtype.is_complex() {
        panic!("rjax::random::rademacher: dtype must be a signed numeric dtype, got {dtype}");
    }
    let params = Params {
        shape: shape.to_vec(),
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_rademacher",
        |args, p| rademacher_impl(&args[0], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone()],
        params,
    )
}

/// `axis` (negative from the end) as an index into `ndim` axes, or a panic naming `op`.
#[track_caller]
fn normalize_axis(op: &str, axis: isize, ndim: usize) -> usize {
    let resolved = if axis < 0 { axis + ndim as isize } else { axis };
    if resolved < 0 || resolved >= ndim as isize {
        panic!("rjax::random::{op}: axis {axis} is out of bounds for an array of rank {ndim}");
    }
    resolved as usize
}

/// JAX's `_categorical`: `axis` is non-negative, `shape` ends with the batch shape.
fn categorical_impl(
    key: &Array,
    logits: &Array,
    shape: &[usize],
    axis: usize,
    replace: bool,
    mode: GumbelMode,
) -> Array {
    let mut batch_shape = logits.shape().to_vec();
    let categories = batch_shape.remove(axis);
    let prefix = &shape[..shape.len() - batch_shape.len()];
    if replace {
        let mut logits_shape = shape[prefix.len()..].to_vec();
        logits_shape.insert(axis, categories);
        let noise_shape = [prefix, &logits_shape].concat();
        let noise = gumbel_impl(key, &noise_shape, logits.dtype(), mode);
        let leading: Vec<usize> = (0..prefix.len()).collect();
        let logits = broadcast_to(&lax::expand_dims(logits, &leading), &noise_shape);
        let index = default_int(config::x64_enabled());
        lax::argmax(lax::add(&noise, &logits), prefix.len() + axis, index)
    } else {
        let noise = gumbel_impl(key, logits.shape(), logits.dtype(), mode);
        let perturbed = lax::add(logits, &noise);
        let k: usize = prefix.iter().product();
        let last = logits.ndim() - 1;
        let mut to_last: Vec<usize> = (0..logits.ndim()).filter(|&d| d != axis).collect();
        to_last.push(axis);
        let indices = lax::top_k(lax::transpose(&perturbed, &to_last), k).1;
        let mut k_first = vec![last];
        k_first.extend(0..last);
        lax::reshape(lax::transpose(&indices, &k_first), shape)
    }
}

/// JAX's keywords of `jax.random.categorical` for [`categorical_with`]: by default the
/// categories lie along the last axis, one sample per distribution, with replacement, Gumbel
/// noise in [`GumbelMode::Low`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoricalOptions {
    /// The axis of the categories (negative: from the end; default -1).
    pub axis: isize,
    /// The shape of the result (`None`, the default: the batch shape).
    pub shape: Option<Vec<usize>>,
    /// Whether samples are drawn with replacement (default `true`).
    pub replace: bool,
    /// How the Gumbel noise is drawn (default [`GumbelMode::Low`]).
    pub mode: GumbelMode,
}

impl Default for CategoricalOptions {
    fn default() -> CategoricalOptions {
        CategoricalOptions {
            axis: -1,
            shape: None,
            replace: true,
            mode: GumbelMode::Low,
        }
    }
}

impl CategoricalOptions {
    /// The categories along `axis`, otherwise the defaults.
    pub fn along(axis: isize) -> CategoricalOptions {
        CategoricalOptions {
            axis,
            ..CategoricalOptions::default()
        }
    }

    /// The same, with results of `shape`.
    pub fn shape(self, shape: &[usize]) -> CategoricalOptions {
        CategoricalOptions {
            shape: Some(shape.to_vec()),
            ..self
        }
    }

    /// The same, drawing with (`true`) or without (`false`) replacement.
    pub fn replace(self, replace: bool) -> CategoricalOptions {
        CategoricalOptions { replace, ..self }
    }

    /// The same, with Gumbel noise in `mode`.
    pub fn mode(self, mode: GumbelMode) -> CategoricalOptions {
        CategoricalOptions { mode, ..self }
    }
}

/// One sample from each categorical distribution given by unnormalised log-probabilities
/// `logits` (float), the categories along the last axis, as `jax.random.categorical(key,
/// logits)`: the default integer type, of `logits`' shape without its last axis. See
/// [`categorical_with`] for the other keywords.
#[track_caller]
pub fn categorical(key: impl IntoArray, logits: impl IntoArray) -> Array {
    categorical_with(key, logits, CategoricalOptions::default())
}

/// Samples from categorical distributions given by unnormalised log-probabilities `logits`
/// (float), the categories along `options.axis` (`jax.random.categorical` with its keywords).
/// The result has `shape` (which must broadcast with the batch shape, `logits`' shape
/// without `axis`), or the batch shape; its dtype is the default integer type, or int32
/// without replacement (JAX's `top_k` indices).
///
/// With `replace` (JAX's default) each sample is the argmax of `logits` plus Gumbel noise;
/// without, the samples of each distribution are its top `k` perturbed logits, `k` being the
/// product of the leading dimensions `shape` adds to the batch shape (so `shape` must end with
/// the batch shape exactly, and `k` may not exceed the number of categories).
#[track_caller]
pub fn categorical_with(
    key: impl IntoArray,
    logits: impl IntoArray,
    options: CategoricalOptions,
) -> Array {
    let CategoricalOptions {
        axis,
        shape,
        replace,
        mode,
    } = options;
    let key = &key.into_array();
    let logits = &logits.into_array();
    check_key("categorical", key);
    if !logits.dtype().is_float() {
        panic!(
            "rjax::random::categorical: the logits must have a float dtype, got {}",
            logits.aval()
        );
    }
    let axis = normalize_axis("categorical", axis, logits.ndim());
    let mut batch_shape = logits.shape().to_vec();
    let categories = batch_shape.remove(axis);
    let shape = shape.unwrap_or_else(|| batch_shape.clone());
    if broadcast_shapes(&[&shape, &batch_shape]).as_deref() != Some(&shape[..]) {
        panic!(
            "rjax::random::categorical: the batch shape {batch_shape:?} (the logits' shape {:?} \
             without axis {axis}) must broadcast to the shape argument {shape:?}",
            logits.shape()
        );
    }
    if !replace {
        let prefix_len = shape.len() - batch_shape.len();
        if shape[prefix_len..] != batch_shape[..] {
            panic!(
                "rjax::random::categorical: without replacement the shape argument {shape:?} \
                 must end with the batch shape {batch_shape:?}"
            );
        }
        let k: usize = shape[..prefix_len].iter().product();
        if k > categories {
            panic!(
                "rjax::random::categorical: number of samples without replacement ({k}) cannot \
                 exceed number of categories ({categories})"
            );
        }
    }
    let params = Params {
        shape,
        dtype: None,
        ints: vec![
            usize::from(mode == GumbelMode::High),
            axis,
            usize::from(replace),
        ],
    };
    staged(
        "_categorical",
        |args, p| {
            categorical_impl(
                &args[0],
                &args[1],
                &p.shape,
                p.ints[1],
                p.ints[2] == 1,
                mode_of(p),
            )
        },
        vec![key.clone(), logits.clone()],
        params,
    )
}

/// The shape `choice` returns: `shape`, or for an array population of shape `a_shape`,
/// `a_shape[..axis] + shape + a_shape[axis + 1..]`.
fn choice_shape(a: Option<&Array>, shape: &[usize], axis: usize) -> Vec<usize> {
    match a {
        Some(a) => [&a.shape()[..axis], shape, &a.shape()[axis + 1..]].concat(),
        None => shape.to_vec(),
    }
}

/// JAX's `choice` after its checks, from `arange(n_inputs)` (`a` is `None`) or the slices of
/// `a` along `axis`.
#[allow(clippy::too_many_arguments)]
fn choice_impl(
    key: &Array,
    a: Option<&Array>,
    p: Option<&Array>,
    shape: &[usize],
    n_inputs: usize,
    axis: usize,
    replace: bool,
    mode: GumbelMode,
) -> Array {
    let int = default_int(config::x64_enabled());
    let n_draws: usize = shape.iter().product();
    let indices = match (p, replace) {
        (None, true) => {
            let bound = |value: usize| int_constant(value as i128, int);
            randint_impl(key, &bound(0), &bound(n_inputs), shape, int)
        }
        (None, false) => {
            // JAX permutes the population itself and keeps the first draws along `axis`.
            let population =
                a.map_or_else(|| lax::broadcasted_iota(int, &[n_inputs], 0), Array::clone);
            let shuffled = shuffle_impl(key, &population, axis, population.ndim() == 1);
            let mut limit = population.shape().to_vec();
            limit[axis] = n_draws;
            let kept = lax::slice(&shuffled, &vec![0; population.ndim()], &limit, None);
            return lax::reshape(&kept, &choice_shape(a, shape, axis));
        }
        (Some(p), true) => {
            let cumulative = lax::cumsum(p);
            let total = lax::reshape(
                lax::slice(&cumulative, &[n_inputs - 1], &[n_inputs], None),
                &[],
            );
            let u = uniform_from(key, 0.0, shape, p.dtype());
            let one = full(&float_constant(1.0, p.dtype()), shape);
            let r = lax::mul(full(&total, shape), lax::sub(&one, &u));
            numpy::searchsorted(&cumulative, r, Side::Left)
        }
        (Some(p), false) => {
            let noise = gumbel_impl(key, p.shape(), p.dtype(), mode);
            lax::top_k(lax::add(&noise, lax::log(p)), n_draws).1
        }
    };
    let indices = lax::convert_element_type(&indices, int);
    match a {
        Some(a) => {
            let flat = lax::reshape(&indices, &[n_draws]);
            let taken = numpy::take(a, &flat, Some(axis as isize), TakeMode::Fill);
            lax::reshape(&taken, &choice_shape(Some(a), shape, axis))
        }
        None => lax::reshape(&indices, shape),
    }
}

/// Checks `choice`'s arguments and runs it staged as JAX's jitted sampler.
#[track_caller]
fn choice_checked(
    op: &str,
    key: &Array,
    a: Option<&Array>,
    n_inputs: usize,
    spec: ChoiceSpec<'_>,
    axis: usize,
) -> Array {
    check_key(op, key);
    let ChoiceSpec {
        shape,
        replace,
        p,
        mode,
    } = spec;
    let n_draws: usize = shape.iter().product();
    if n_draws == 0 {
        // JAX returns `zeros(shape)` of the population's dtype here, whatever the axis.
        let dtype = a.map_or(default_int(config::x64_enabled()), Array::dtype);
        return full(&constant(Scalar::Int(0), dtype), shape);
    }
    if n_inputs == 0 {
        panic!("rjax::random::{op}: a must be greater than 0 unless no samples are taken");
    }
    if !replace && n_draws > n_inputs {
        panic!(
            "rjax::random::{op}: cannot take a larger sample (size {n_draws}) than population \
             (size {n_inputs}) when replace is false"
        );
    }
    let p = p.map(|p| {
        let p = if p.dtype().is_float() {
            p.clone()
        } else if p.dtype().is_complex() {
            panic!("rjax::random::{op}: p must be real, got {}", p.aval())
        } else {
            lax::convert_element_type(p, default_float(config::x64_enabled()))
        };
        if p.shape() != [n_inputs] {
            panic!(
                "rjax::random::{op}: p must be None or a 1D vector with the same size as \
                 a.shape[axis]; p has shape {:?} and a.shape[axis] is {n_inputs}",
                p.shape()
            );
        }
        p
    });
    let params = Params {
        shape: shape.to_vec(),
        dtype: None,
        ints: vec![
            usize::from(mode == GumbelMode::High),
            axis,
            usize::from(replace),
            n_inputs,
            usize::from(a.is_some()),
            usize::from(p.is_some()),
        ],
    };
    let mut args = vec![key.clone()];
    args.extend(a.cloned());
    args.extend(p);
    staged(
        "_choice",
        |args, params| {
            let [_, axis, replace, n_inputs, has_a, has_p] = params.ints[..] else {
                unreachable!("choice's parameters")
            };
            let a = (has_a == 1).then(|| &args[1]);
            let p = (has_p == 1).then(|| &args[1 + has_a]);
            let mode = mode_of(params);
            choice_impl(
                &args[0],
                a,
                p,
                &params.shape,
                n_inputs,
                axis,
                replace == 1,
                mode,
            )
        },
        args,
        params,
    )
}

/// The arguments `choice` and `choice_of` share (JAX's `shape`, `replace`, `p`, `mode`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChoiceSpec<'a> {
    /// The shape of the draws (JAX's default: `()`, one draw).
    pub shape: &'a [usize],
    /// Whether to draw with replacement (JAX's default: `true`).
    pub replace: bool,
    /// The probability of each element (a 1-D array of the population's length), or `None`
    /// for equal probabilities.
    pub p: Option<&'a Array>,
    /// The Gumbel mode of the weighted draws without replacement.
    pub mode: GumbelMode,
}

impl<'a> ChoiceSpec<'a> {
    /// `shape` draws with replacement and equal probabilities, JAX's defaults.
    pub fn new(shape: &'a [usize]) -> Self {
        ChoiceSpec {
            shape,
            replace: true,
            p: None,
            mode: GumbelMode::Low,
        }
    }

    /// Draws with (`true`) or without (`false`) replacement.
    pub fn replace(self, replace: bool) -> Self {
        ChoiceSpec { replace, ..self }
    }

    /// Draws element `i` with probability `p[i]` (the weights are normalised by their sum).
    pub fn p(self, p: &'a Array) -> Self {
        ChoiceSpec { p: Some(p), ..self }
    }

    /// The Gumbel mode of weighted draws without replacement.
    pub fn mode(self, mode: GumbelMode) -> Self {
        ChoiceSpec { mode, ..self }
    }
}

/// Random draws from `0..n` (JAX's `jax.random.choice` of an integer `a`): an array of the
/// default integer type and `spec.shape`. With replacement and no weights the draws are
/// `randint(key, shape, 0, n)`; without, the first draws of `permutation(key, n)`; with
/// weights `p`, an inverse-CDF search of `cumsum(p)` (with replacement) or the Gumbel top-k
/// trick (without). Panics if `n` is 0 while draws are asked for, if more draws than `n` are
/// asked for without replacement, or if `p` is not a vector of length `n`.
#[track_caller]
pub fn choice(key: impl IntoArray, n: usize, spec: ChoiceSpec<'_>) -> Array {
    let key = &key.into_array();
    choice_checked("choice", key, None, n, spec, 0)
}

/// Random draws of the slices of `a` along `axis` (JAX's `jax.random.choice` of an array):
/// the result has shape `a.shape[..axis] + spec.shape + a.shape[axis + 1..]`; see [`choice`]
/// for the algorithms and the errors.
#[track_caller]
pub fn choice_of(
    key: impl IntoArray,
    a: impl IntoArray,
    spec: ChoiceSpec<'_>,
    axis: isize,
) -> Array {
    let key = &key.into_array();
    let a = &a.into_array();
    if a.ndim() == 0 {
        panic!(
            "rjax::random::choice_of: a must have at least one dimension, got {} (use \
             choice(key, n, ..) to draw from 0..n)",
            a.aval()
        );
    }
    let axis = normalize_axis("choice_of", axis, a.ndim());
    choice_checked("choice_of", key, Some(a), a.shape()[axis], spec, axis)
}
