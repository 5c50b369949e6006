//! `rjax::nn::initializers`: JAX's `jax.nn.initializers`, bit for bit for the same key.
//!
//! A constructor ([`glorot_normal`], [`he_uniform`], [`variance_scaling`], [`normal`], ...)
//! returns an [`Initializer`] holding its options (JAX's defaults, changed by builder methods);
//! [`Initializer::init`] draws an array of a shape and dtype from a key, typed or raw, as
//! JAX's `init(key, shape, dtype)`:
//!
//! ```
//! use rjax::{DType, nn::initializers, random};
//!
//! let key = random::key(0);
//! let w = initializers::glorot_normal().init(&key, &[784, 128], DType::F32);
//! assert_eq!(w.shape(), [784, 128]);
//! // A 3x3 convolution kernel with 16 input and 32 output channels (HWIO): the fans count
//! // the receptive field, fan_in = 3 * 3 * 16.
//! let k = initializers::he_normal().init(&key, &[3, 3, 16, 32], DType::F32);
//! let b = initializers::zeros().init(&key, &[32], DType::F32);
//! assert_eq!(b.to_vec::<f32>()?, vec![0.0; 32]);
//! # let _ = k;
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! The samples are JAX 0.10.2's: the same `rjax::random` sampler (`uniform`, `normal`,
//! `truncated_normal`) scaled by the same constants, rounded to the dtype in the same order,
//! so values equal JAX's wherever `rjax::random`'s do (see its module docs: `uniform` always,
//! the normals except for an ulp on a few float32 inputs between XLA builds); under `jit`,
//! where XLA folds the sampler's constant factors into the scaling, they equal JAX's jitted
//! call. Checked against JAX 0.10.2 in both `jax_threefry_partitionable` layouts, float32 and
//! float64, typed and raw keys, dense and convolution shapes (`tests/nn_initializers.rs`).
//! [`orthogonal`] and [`delta_orthogonal`] factor with rjax's QR rather than LAPACK, so they
//! match JAX to rounding.
//!
//! **Complex dtypes** (`C64`, `C128`) are taken where JAX takes them: the constants, [`normal`]
//! (complex standard normals, see [`random::normal`], times `stddev`) and the variance-scaling
//! family, whose complex samples have the variance `scale / fan`: `Distribution::Normal` draws
//! complex normals, `Distribution::Uniform` draws uniformly on the disk of radius `sqrt(2)`
//! (JAX's `_complex_uniform`: the modulus `sqrt(2u)`, a uniform angle) and
//! `Distribution::TruncatedNormal` complex normals whose modulus is truncated to 2 (JAX's
//! `_complex_truncated_normal`, rescaled by that distribution's standard deviation
//! 0.95311164380491208). They are JAX's arithmetic on the same random draws, and checked
//! against JAX 0.10.2 (`tests/nn_initializers_complex.rs`). [`orthogonal`] and
//! [`delta_orthogonal`] draw unitary matrices for complex dtypes (`random::orthogonal`'s, the
//! QR of complex normals), matching JAX to rounding like the real ones. [`uniform`] and
//! [`truncated_normal`] take real dtypes only, as JAX's.
//!
//! Misuse panics at the caller's line, naming the initializer: a key that is not a single key,
//! a dtype that is not a float dtype (or, where the initializer takes them, a complex one),
//! axes out of bounds for the shape, a shape whose fans are zero, a shape of the wrong rank for
//! `orthogonal` and `delta_orthogonal`.

use super::check_single_key;
use crate::config::x64_enabled;
use crate::numpy as jnp;
use crate::promotion::canonicalize;
use crate::random::complex_normal;
use crate::{Array, DType, IntoArray, lax, random};

/// The standard deviation of a standard normal truncated to `(-2, 2)` (JAX's constant).
const TRUNCATED_STDDEV: f64 = 0.879_625_661_034_239_8;

/// The standard deviation of a complex standard normal whose modulus is truncated to 2 (JAX's
/// constant).
const COMPLEX_TRUNCATED_STDDEV: f64 = 0.953_111_643_804_912_1;

/// Which fan [`variance_scaling`] divides the scale by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FanMode {
    /// The number of inputs (`"fan_in"`).
    FanIn,
    /// The number of outputs (`"fan_out"`).
    FanOut,
    /// The mean of the numbers of inputs and outputs (`"fan_avg"`).
    FanAvg,
    /// The geometric mean of the numbers of inputs and outputs (`"fan_geo_avg"`).
    FanGeoAvg,
}

/// The distribution [`variance_scaling`] samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distribution {
    /// A normal truncated to two standard deviations, rescaled to the variance
    /// (`"truncated_normal"`).
    TruncatedNormal,
    /// A normal (`"normal"`).
    Normal,
    /// A uniform on `[-limit, limit)` of the variance (`"uniform"`).
    Uniform,
}

/// How an [`Initializer`] draws its values.
#[derive(Debug, Clone)]
enum Kind {
    Constant(Array),
    Normal { stddev: f64 },
    Uniform { scale: f64 },
    TruncatedNormal { stddev: f64, lower: f64, upper: f64 },
    VarianceScaling(VarianceScaling),
    Orthogonal { scale: f64, column_axis: isize },
    DeltaOrthogonal { scale: f64, column_axis: isize },
}

/// The options of a variance-scaling initializer (JAX's `variance_scaling` arguments).
#[derive(Debug, Clone, PartialEq)]
struct VarianceScaling {
    scale: f64,
    mode: FanMode,
    distribution: Distribution,
    in_axis: Vec<isize>,
    out_axis: Vec<isize>,
    batch_axis: Vec<isize>,
}

/// An initializer of `jax.nn.initializers`: built by this module's constructors, it draws
/// arrays with [`Initializer::init`].
#[derive(Debug, Clone)]
pub struct Initializer {
    /// The constructor's name, for messages.
    name: &'static str,
    kind: Kind,
}

impl Initializer {
    /// An array of `shape` and the float or complex `dtype` (`F64` is `F32`, `C128` is `C64`
    /// without x64 mode, as JAX canonicalises) drawn from `key`, a typed or raw single key
    /// (JAX's `init(key, shape, dtype)`). Constant initializers ignore the key's value; complex
    /// dtypes are taken by the constants, [`normal`] and the variance-scaling initializers.
    #[track_caller]
    pub fn init(&self, key: &Array, shape: &[usize], dtype: DType) -> Array {
        let op = format!("rjax::nn::initializers::{}", self.name);
        check_single_key(&op, key);
        let dtype = canonicalize(dtype, x64_enabled());
        if let Kind::Constant(value) = &self.kind {
            if !(dtype.is_float() || dtype.is_complex()) {
                panic!("{op}: dtype must be a float or complex dtype, got {dtype}");
            }
            return jnp::full(shape, value, Some(dtype));
        }
        let takes_complex = matches!(
            self.kind,
            Kind::Normal { .. }
                | Kind::VarianceScaling(_)
                | Kind::Orthogonal { .. }
                | Kind::DeltaOrthogonal { .. }
        );
        if !(dtype.is_float() || (takes_complex && dtype.is_complex())) {
            panic!(
                "{op}: dtype must be a {} dtype, got {dtype}",
                if takes_complex {
                    "float or complex"
                } else {
                    "float"
                }
            );
        }
        let scalar = |value: f64| jnp::asarray(value, Some(dtype));
        match &self.kind {
            Kind::Constant(_) => unreachable!("returned above"),
            Kind::Normal { stddev } => random::normal(key, shape, dtype) * scalar(*stddev),
            Kind::Uniform { scale } => random::uniform(key, shape, dtype) * scalar(*scale),
            Kind::TruncatedNormal {
                stddev,
                lower,
                upper,
            } => {
                random::truncated_normal(key, *lower, *upper, Some(shape), dtype) * scalar(*stddev)
            }
            Kind::VarianceScaling(options) => options.sample(&op, key, shape, dtype),
            Kind::Orthogonal { scale, column_axis } => {
                orthogonal_sample(&op, key, shape, dtype, *scale, *column_axis)
            }
            Kind::DeltaOrthogonal { scale, column_axis } => {
                delta_orthogonal_sample(&op, key, shape, dtype, *scale, *column_axis)
            }
        }
    }

    /// The variance-scaling options, or a panic naming `method` for other initializers.
    #[track_caller]
    fn variance_scaling_mut(&mut self, method: &str) -> &mut VarianceScaling {
        match &mut self.kind {
            Kind::VarianceScaling(options) => options,
            _ => panic!(
                "rjax::nn::initializers::{}: `{method}` applies to variance-scaling initializers \
                 only",
                self.name
            ),
        }
    }

    /// The axes of the input dimension (JAX's `in_axis`, default `-2`), for variance-scaling
    /// initializers; negative axes count from the end. Panics for other initializers.
    #[track_caller]
    pub fn in_axis(mut self, axes: &[isize]) -> Self {
        self.variance_scaling_mut("in_axis").in_axis = axes.to_vec();
        self
    }

    /// The axes of the output dimension (JAX's `out_axis`, default `-1`), for variance-scaling
    /// initializers. Panics for other initializers.
    #[track_caller]
    pub fn out_axis(mut self, axes: &[isize]) -> Self {
        self.variance_scaling_mut("out_axis").out_axis = axes.to_vec();
        self
    }

    /// The axes that the fans ignore (JAX's `batch_axis`, default none), for variance-scaling
    /// initializers. Panics for other initializers.
    #[track_caller]
    pub fn batch_axis(mut self, axes: &[isize]) -> Self {
        self.variance_scaling_mut("batch_axis").batch_axis = axes.to_vec();
        self
    }
}

/// `axis` as an index into a shape of rank `rank`, or a panic naming `op`.
#[track_caller]
fn shape_axis(op: &str, what: &str, axis: isize, shape: &[usize]) -> usize {
    let rank = shape.len() as isize;
    let position = if axis < 0 { axis + rank } else { axis };
    if !(0..rank).contains(&position) {
        panic!("{op}: {what} {axis} is out of bounds for the shape {shape:?}");
    }
    position as usize
}

/// The product of the sizes of `axes` of `shape`.
#[track_caller]
fn axes_size(op: &str, what: &str, axes: &[isize], shape: &[usize]) -> usize {
    let mut size = 1;
    for &axis in axes {
        size *= shape[shape_axis(op, what, axis, shape)];
    }
    size
}

impl VarianceScaling {
    /// JAX's `_compute_fans`: `(fan_in, fan_out)`, the receptive field being every axis
    /// outside `in_axis`, `out_axis` and `batch_axis` (computed in f64 in JAX's order).
    #[track_caller]
    fn fans(&self, op: &str, shape: &[usize]) -> (f64, f64) {
        let in_size = axes_size(op, "in_axis", &self.in_axis, shape);
        let out_size = axes_size(op, "out_axis", &self.out_axis, shape);
        let batch_size = axes_size(op, "batch_axis", &self.batch_axis, shape);
        if in_size == 0 || out_size == 0 || batch_size == 0 {
            panic!(
                "{op}: the shape {shape:?} has a zero-size input, output or batch axis, so its \
                 fans are undefined"
            );
        }
        let total: usize = shape.iter().product();
        let receptive_field = total as f64 / in_size as f64 / out_size as f64 / batch_size as f64;
        (
            in_size as f64 * receptive_field,
            out_size as f64 * receptive_field,
        )
    }

    /// JAX's variance-scaling `init` for a real `dtype`.
    #[track_caller]
    fn sample(&self, op: &str, key: &Array, shape: &[usize], dtype: DType) -> Array {
        let (fan_in, fan_out) = self.fans(op, shape);
        let denominator = match self.mode {
            FanMode::FanIn => fan_in,
            FanMode::FanOut => fan_out,
            FanMode::FanAvg => (fan_in + fan_out) / 2.0,
            FanMode::FanGeoAvg => (fan_in * fan_out).powf(0.5),
        };
        if denominator == 0.0 {
            panic!("{op}: the shape {shape:?} has zero fans, so its variance is undefined");
        }
        let variance = jnp::asarray(self.scale / denominator, Some(dtype));
        match self.distribution {
            Distribution::TruncatedNormal if dtype.is_complex() => {
                let stddev =
                    lax::sqrt(&variance) / jnp::asarray(COMPLEX_TRUNCATED_STDDEV, Some(dtype));
                complex_truncated_normal(key, 2.0, shape, dtype) * stddev
            }
            Distribution::Uniform if dtype.is_complex() => {
                complex_uniform(key, shape, dtype) * lax::sqrt(&variance)
            }
            Distribution::TruncatedNormal => {
                let stddev = lax::sqrt(&variance) / jnp::asarray(TRUNCATED_STDDEV, Some(dtype));
                random::truncated_normal(key, -2, 2, Some(shape), dtype) * stddev
            }
            Distribution::Normal => random::normal(key, shape, dtype) * lax::sqrt(&variance),
            Distribution::Uniform => {
                random::uniform_with(key, shape, dtype, -1, 1.0) * lax::sqrt(&(variance * 3))
            }
        }
    }
}

/// `r * exp(1j * theta)` for `theta` uniform on `[0, 2π)` drawn from `key`, in the complex
/// `dtype` (the angle of JAX's complex samplers).
fn with_uniform_angle(r: &Array, key: &Array, shape: &[usize], dtype: DType) -> Array {
    let part = dtype.real_part();
    let theta = jnp::asarray(2.0 * std::f64::consts::PI, Some(dtype))
        * lax::convert_element_type(random::uniform(key, shape, part), dtype);
    r * lax::exp(complex_normal::times_i(&theta))
}

/// JAX's `_complex_uniform`: uniform on the disk of radius `sqrt(2)` of the complex plane
/// (zero mean, unit variance): the modulus `sqrt(2u)`, a uniform angle.
fn complex_uniform(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let [key_r, key_theta] = complex_normal::split_pair(key);
    let part = dtype.real_part();
    let u = random::uniform(&key_r, shape, part);
    let r = lax::sqrt(&(jnp::asarray(2.0, Some(part)) * u));
    with_uniform_angle(
        &lax::convert_element_type(&r, dtype),
        &key_theta,
        shape,
        dtype,
    )
}

/// JAX's `_complex_truncated_normal`: a complex standard normal (unit variance before the
/// truncation) whose modulus is truncated to `upper`, by inverting the modulus's distribution
/// function `1 - exp(-r²)` on a uniform draw; a uniform angle.
fn complex_truncated_normal(key: &Array, upper: f64, shape: &[usize], dtype: DType) -> Array {
    let [key_r, key_theta] = complex_normal::split_pair(key);
    let part = dtype.real_part();
    let one = || jnp::asarray(1.0, Some(dtype));
    let mass = one() - lax::exp(jnp::asarray(-(upper * upper), Some(dtype)));
    let t = mass * lax::convert_element_type(random::uniform(&key_r, shape, part), dtype);
    let r = lax::sqrt(lax::neg(lax::log(&(one() - t))));
    with_uniform_angle(&r, &key_theta, shape, dtype)
}

/// JAX's orthogonal `init`: a semi-orthogonal `prod(shape without column_axis)` by
/// `shape[column_axis]` matrix, reshaped, its columns moved to `column_axis`, times `scale`.
#[track_caller]
fn orthogonal_sample(
    op: &str,
    key: &Array,
    shape: &[usize],
    dtype: DType,
    scale: f64,
    column_axis: isize,
) -> Array {
    if shape.len() < 2 {
        panic!("{op}: the orthogonal initializer needs a shape of rank 2 or more, got {shape:?}");
    }
    let column = shape_axis(op, "column_axis", column_axis, shape);
    if shape.contains(&0) {
        return jnp::zeros(shape, Some(dtype));
    }
    let columns = shape[column];
    let rows = shape.iter().product::<usize>() / columns;
    let q = random::orthogonal(key, rows, &[], dtype, Some(columns));
    let mut dims: Vec<isize> = shape
        .iter()
        .enumerate()
        .filter(|&(axis, _)| axis != column)
        .map(|(_, &size)| size as isize)
        .collect();
    dims.push(columns as isize);
    let q = jnp::moveaxis(jnp::reshape(&q, &dims), &[-1], &[column as isize]);
    jnp::asarray(scale, Some(dtype)) * q
}

/// JAX's delta-orthogonal `init`: zeros with an orthogonal matrix of the last two axes at the
/// centre of the spatial axes.
#[track_caller]
fn delta_orthogonal_sample(
    op: &str,
    key: &Array,
    shape: &[usize],
    dtype: DType,
    scale: f64,
    column_axis: isize,
) -> Array {
    let rank = shape.len();
    if !(3..=5).contains(&rank) {
        panic!("{op}: the delta orthogonal initializer needs a 3-, 4- or 5-D shape, got {shape:?}");
    }
    let (fan_in, fan_out) = (shape[rank - 2], shape[rank - 1]);
    if fan_out < fan_in {
        panic!(
            "{op}: fan_in (shape[-2] = {fan_in}) must be less than or equal to fan_out \
             (shape[-1] = {fan_out}), got the shape {shape:?}"
        );
    }
    let matrix = orthogonal_sample(op, key, &shape[rank - 2..], dtype, scale, column_axis);
    let mut update_shape: Vec<usize> = vec![1; rank - 2];
    update_shape.extend_from_slice(&shape[rank - 2..]);
    let update = jnp::reshape(
        &matrix,
        &update_shape.iter().map(|&d| d as isize).collect::<Vec<_>>(),
    );
    let start: Vec<Array> = shape
        .iter()
        .enumerate()
        .map(|(axis, &size)| {
            let centre = if axis < rank - 2 { (size - 1) / 2 } else { 0 };
            jnp::asarray(centre as i32, Some(DType::I32))
        })
        .collect();
    let start: Vec<&Array> = start.iter().collect();
    lax::dynamic_update_slice(jnp::zeros(shape, Some(dtype)), &update, &start)
}

/// An initializer of zeros (`jax.nn.initializers.zeros`).
pub fn zeros() -> Initializer {
    constant_named("zeros", 0.into_array())
}

/// An initializer of ones (`jax.nn.initializers.ones`).
pub fn ones() -> Initializer {
    constant_named("ones", 1.into_array())
}

/// An initializer filled with `value` (`jax.nn.initializers.constant`): a number, or an array
/// that broadcasts to the shape, converted to the dtype.
pub fn constant(value: impl IntoArray) -> Initializer {
    constant_named("constant", value.into_array())
}

/// A constant initializer named `name`.
fn constant_named(name: &'static str, value: Array) -> Initializer {
    Initializer {
        name,
        kind: Kind::Constant(value),
    }
}

/// An initializer of normal values with mean 0 and standard deviation `stddev`
/// (`jax.nn.initializers.normal`; JAX's default `stddev` is 1e-2).
pub fn normal(stddev: f64) -> Initializer {
    Initializer {
        name: "normal",
        kind: Kind::Normal { stddev },
    }
}

/// An initializer of uniform values on `[0, scale)` (`jax.nn.initializers.uniform`; JAX's
/// default `scale` is 1e-2).
pub fn uniform(scale: f64) -> Initializer {
    Initializer {
        name: "uniform",
        kind: Kind::Uniform { scale },
    }
}

/// An initializer of standard normals truncated to `(lower, upper)`, then multiplied by
/// `stddev` (`jax.nn.initializers.truncated_normal`; JAX's defaults are `stddev = 1e-2`,
/// `lower = -2`, `upper = 2`). As in JAX, `stddev` is not corrected for the truncation.
pub fn truncated_normal(stddev: f64, lower: f64, upper: f64) -> Initializer {
    Initializer {
        name: "truncated_normal",
        kind: Kind::TruncatedNormal {
            stddev,
            lower,
            upper,
        },
    }
}

/// An initializer whose standard deviation is `sqrt(scale / n)`, `n` the fan chosen by `mode`
/// (`jax.nn.initializers.variance_scaling`). The fans count the input (`in_axis`, default the
/// second to last) or output (`out_axis`, default the last) axes times the receptive field,
/// every axis outside those and `batch_axis` (default none): set them with
/// [`Initializer::in_axis`], [`Initializer::out_axis`] and [`Initializer::batch_axis`].
pub fn variance_scaling(scale: f64, mode: FanMode, distribution: Distribution) -> Initializer {
    variance_scaling_named("variance_scaling", scale, mode, distribution)
}

/// A variance-scaling initializer named `name`.
fn variance_scaling_named(
    name: &'static str,
    scale: f64,
    mode: FanMode,
    distribution: Distribution,
) -> Initializer {
    Initializer {
        name,
        kind: Kind::VarianceScaling(VarianceScaling {
            scale,
            mode,
            distribution,
            in_axis: vec![-2],
            out_axis: vec![-1],
            batch_axis: Vec::new(),
        }),
    }
}

/// Glorot (Xavier) normal: variance scaling with scale 1, `fan_avg`, truncated normal
/// (`jax.nn.initializers.glorot_normal`).
pub fn glorot_normal() -> Initializer {
    variance_scaling_named(
        "glorot_normal",
        1.0,
        FanMode::FanAvg,
        Distribution::TruncatedNormal,
    )
}

/// Glorot (Xavier) uniform: variance scaling with scale 1, `fan_avg`, uniform
/// (`jax.nn.initializers.glorot_uniform`).
pub fn glorot_uniform() -> Initializer {
    variance_scaling_named(
        "glorot_uniform",
        1.0,
        FanMode::FanAvg,
        Distribution::Uniform,
    )
}

/// The same as [`glorot_normal`] (`jax.nn.initializers.xavier_normal`).
pub fn xavier_normal() -> Initializer {
    glorot_normal()
}

/// The same as [`glorot_uniform`] (`jax.nn.initializers.xavier_uniform`).
pub fn xavier_uniform() -> Initializer {
    glorot_uniform()
}

/// He (Kaiming) normal: variance scaling with scale 2, `fan_in`, truncated normal
/// (`jax.nn.initializers.he_normal`).
pub fn he_normal() -> Initializer {
    variance_scaling_named(
        "he_normal",
        2.0,
        FanMode::FanIn,
        Distribution::TruncatedNormal,
    )
}

/// He (Kaiming) uniform: variance scaling with scale 2, `fan_in`, uniform
/// (`jax.nn.initializers.he_uniform`).
pub fn he_uniform() -> Initializer {
    variance_scaling_named("he_uniform", 2.0, FanMode::FanIn, Distribution::Uniform)
}

/// The same as [`he_normal`] (`jax.nn.initializers.kaiming_normal`).
pub fn kaiming_normal() -> Initializer {
    he_normal()
}

/// The same as [`he_uniform`] (`jax.nn.initializers.kaiming_uniform`).
pub fn kaiming_uniform() -> Initializer {
    he_uniform()
}

/// LeCun normal: variance scaling with scale 1, `fan_in`, truncated normal
/// (`jax.nn.initializers.lecun_normal`).
pub fn lecun_normal() -> Initializer {
    variance_scaling_named(
        "lecun_normal",
        1.0,
        FanMode::FanIn,
        Distribution::TruncatedNormal,
    )
}

/// LeCun uniform: variance scaling with scale 1, `fan_in`, uniform
/// (`jax.nn.initializers.lecun_uniform`).
pub fn lecun_uniform() -> Initializer {
    variance_scaling_named("lecun_uniform", 1.0, FanMode::FanIn, Distribution::Uniform)
}

/// Uniformly distributed (Haar) orthogonal matrices times `scale`
/// (`jax.nn.initializers.orthogonal`; JAX's defaults are `scale = 1`, `column_axis = -1`):
/// the shape, of rank 2 or more, is read as a matrix whose columns lie along `column_axis`
/// and whose rows are every other axis; orthonormal rows or columns, whichever are fewer.
pub fn orthogonal(scale: f64, column_axis: isize) -> Initializer {
    Initializer {
        name: "orthogonal",
        kind: Kind::Orthogonal { scale, column_axis },
    }
}

/// Delta orthogonal convolution kernels (`jax.nn.initializers.delta_orthogonal`, defaults
/// `scale = 1`, `column_axis = -1`): for a 3-, 4- or 5-D shape whose last two axes are the
/// input and output channels (`shape[-2] <= shape[-1]`), zeros except an orthogonal matrix at
/// the centre of the spatial axes.
pub fn delta_orthogonal(scale: f64, column_axis: isize) -> Initializer {
    Initializer {
        name: "delta_orthogonal",
        kind: Kind::DeltaOrthogonal { scale, column_axis },
    }
}
