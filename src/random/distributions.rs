//! The samplers of `jax.random` built on random bits: `uniform` (mantissa bits with the
//! exponent of 1.0, minus 1), `normal` (`sqrt(2) * erf_inv(u)`, `u` uniform on the open
//! interval `(-1, 1)`), `truncated_normal`, `randint` (twice the bits, reduced modulo the span),
//! `bernoulli` (`uniform < p`) and `permutation` (repeated stable sorts by random 32-bit keys),
//! each JAX 0.10.2's algorithm step for step.

use crate::array::broadcast_shapes;
use std::f64::consts::SQRT_2;

use super::prng;
use super::threefry::{self, full, uint_dtype};
use super::{Params, canonical, check_key, constant, default_float, int_or_default, staged};
use crate::lax;
use crate::promotion::default_int;
use crate::scalar::Scalar;
use crate::{Array, DType, IntoArray, config};

/// `(bits, mantissa bits, bits of 1.0)` of a float dtype (NumPy's `finfo`).
pub(super) fn float_layout(dtype: DType) -> (u32, u32, u64) {
    match dtype {
        DType::F16 => (16, 10, 0x3C00),
        DType::BF16 => (16, 7, 0x3F80),
        DType::F32 => (32, 23, 0x3F80_0000),
        DType::F64 => (64, 52, 0x3FF0_0000_0000_0000),
        _ => unreachable!("float dtypes are checked by the public functions"),
    }
}

/// NumPy's `finfo(dtype).tiny`, the smallest positive normal number of a float dtype.
pub(super) fn tiny(dtype: DType) -> f64 {
    match dtype {
        DType::F16 => 2f64.powi(-14),
        DType::BF16 | DType::F32 => 2f64.powi(-126),
        DType::F64 => f64::MIN_POSITIVE,
        _ => unreachable!("float dtypes are checked by the public functions"),
    }
}

/// NumPy's `finfo(dtype).eps`, the distance from 1.0 to the next float up.
pub(super) fn eps(dtype: DType) -> f64 {
    2f64.powi(-(float_layout(dtype).1 as i32))
}

/// The range of an integer dtype (NumPy's `iinfo`) and its width in bits.
fn int_range(dtype: DType) -> (i128, i128, u32) {
    let bits = 8 * dtype.size_in_bytes() as u32;
    if dtype.is_signed_int() {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1, bits)
    } else {
        (0, (1i128 << bits) - 1, bits)
    }
}

/// An integer scalar of `dtype`; `value` must lie in its range.
pub(super) fn int_constant(value: i128, dtype: DType) -> Array {
    let scalar = if value < 0 {
        Scalar::Int(value as i64)
    } else {
        Scalar::UInt(value as u64)
    };
    constant(scalar, dtype)
}

/// A float scalar of `dtype`, rounded to nearest as NumPy's `np.array(value, dtype)`.
pub(super) fn float_constant(value: f64, dtype: DType) -> Array {
    constant(Scalar::Float(value), dtype)
}

/// Panics unless the parameters broadcast to exactly `shape` (JAX's `_check_shape`).
#[track_caller]
pub(super) fn check_shape(op: &str, shape: &[usize], params: &[&Array]) {
    let mut shapes = vec![shape];
    shapes.extend(params.iter().map(|p| p.shape()));
    if broadcast_shapes(&shapes).as_deref() != Some(shape) {
        let param_shapes: Vec<&[usize]> = params.iter().map(|p| p.shape()).collect();
        panic!(
            "rjax::random::{op}: parameter shapes {param_shapes:?} must broadcast to the shape \
             argument {shape:?}"
        );
    }
}

/// `x` broadcast to `shape`, NumPy-style (dimensions align at the end).
pub(super) fn broadcast_to(x: &Array, shape: &[usize]) -> Array {
    if x.shape() == shape {
        return x.clone();
    }
    let dims: Vec<usize> = (shape.len() - x.ndim()..shape.len()).collect();
    lax::broadcast_in_dim(x, shape, &dims)
}

/// JAX's `_uniform`: floats of `dtype` in `[minval, maxval)` (parameters already checked).
pub(super) fn uniform_impl(
    key: &Array,
    minval: &Array,
    maxval: &Array,
    shape: &[usize],
    dtype: DType,
) -> Array {
    let minval = lax::convert_element_type(minval, dtype);
    let maxval = lax::convert_element_type(maxval, dtype);
    let (nbits, nmant, one) = float_layout(dtype);
    let rng_bits = if nmant < 8 { 8 } else { nbits };
    let uint = uint_dtype(nbits);
    let mut bits = threefry::random_bits(key, rng_bits, shape);
    if rng_bits != nbits {
        bits = lax::convert_element_type(&bits, uint);
    }
    let shift = full(
        &constant(Scalar::UInt(u64::from(rng_bits - nmant)), uint),
        shape,
    );
    let float_bits = lax::bitwise_or(
        lax::shift_right_logical(&bits, &shift),
        full(&constant(Scalar::UInt(one), uint), shape),
    );
    let floats = lax::sub(
        lax::bitcast_convert_type(&float_bits, dtype),
        full(&float_constant(1.0, dtype), shape),
    );
    let span = lax::sub(&maxval, &minval);
    let minval = broadcast_to(&minval, shape);
    let scaled = lax::add(lax::mul(&floats, broadcast_to(&span, shape)), &minval);
    lax::max(&minval, &scaled)
}

/// `dtype` canonicalised, or a panic if it is not a real float dtype.
#[track_caller]
pub(super) fn float_dtype(op: &str, dtype: Option<DType>) -> DType {
    let dtype = canonical(dtype.unwrap_or_else(default_float));
    if !dtype.is_float() {
        panic!("rjax::random::{op}: dtype must be a float dtype, got {dtype}");
    }
    dtype
}

/// Uniform floats in `[0, 1)` of `shape` and `dtype` (`F32`, `F64`, `F16`, `BF16`; `None` is
/// JAX's default, the default float), as `jax.random.uniform(key, shape, dtype)`. See
/// [`uniform_with`] for other bounds.
///
/// ```
/// use rjax::random;
/// let u = random::uniform(random::key(0), &[3], None); // jax.random.uniform(key(0), (3,))
/// assert_eq!(u.to_vec::<f32>()?[0].to_bits(), 0x3f729a4e);
/// # Ok::<(), rjax::Error>(())
/// ```
#[track_caller]
pub fn uniform(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    uniform_with(key, shape, dtype, 0.0, 1.0)
}

/// Uniform floats of `dtype` (`None`: the default float) and `shape` in `[minval, maxval)`
/// (`jax.random.uniform(key, shape, dtype, minval, maxval)`); `minval` and `maxval` (numbers
/// or arrays) must broadcast to `shape`. Each value has the randomness of the dtype's
/// mantissa.
#[track_caller]
pub fn uniform_with(
    key: impl IntoArray,
    shape: &[usize],
    dtype: impl Into<Option<DType>>,
    minval: impl IntoArray,
    maxval: impl IntoArray,
) -> Array {
    let key = &key.into_array();
    check_key("uniform", key);
    let dtype = float_dtype("uniform", dtype.into());
    let (minval, maxval) = (minval.into_array(), maxval.into_array());
    check_shape("uniform", shape, &[&minval, &maxval]);
    let params = Params {
        shape: shape.to_vec(),
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_uniform",
        |args, p| uniform_impl(&args[0], &args[1], &args[2], &p.shape, p.dtype.unwrap()),
        vec![key.clone(), minval, maxval],
        params,
    )
}

/// JAX's `_normal_real`.
pub(super) fn normal_impl(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let (_, nmant, _) = float_layout(dtype);
    // np.nextafter(-1, 0) in `dtype`: the open interval (-1, 1) keeps erf_inv finite.
    let low = float_constant(-(1.0 - 2f64.powi(-(nmant as i32 + 1))), dtype);
    let u = uniform_impl(key, &low, &float_constant(1.0, dtype), shape, dtype);
    lax::mul(
        full(&float_constant(SQRT_2, dtype), shape),
        lax::erf_inv(&u),
    )
}

/// Standard normal floats of `dtype` (`F32`, `F64`, `F16`, `BF16`; `None` is JAX's default,
/// the default float) and `shape` (JAX's `jax.random.normal`).
/// Complex dtypes (`C64`, `C128`) have independent real and imaginary parts of variance 1/2
/// each, as JAX draws them.
#[track_caller]
pub fn normal(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let key = &key.into_array();
    check_key("normal", key);
    let dtype: Option<DType> = dtype.into();
    if let Some(complex) = dtype.map(canonical).filter(|d| d.is_complex()) {
        return super::complex_normal::complex_normal(key, shape, complex);
    }
    let dtype = float_dtype("normal", dtype);
    let params = Params {
        shape: shape.to_vec(),
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_normal",
        |args, p| normal_impl(&args[0], &p.shape, p.dtype.unwrap()),
        vec![key.clone()],
        params,
    )
}

/// JAX's `_truncated_normal`.
fn truncated_normal_impl(
    key: &Array,
    lower: &Array,
    upper: &Array,
    shape: &[usize],
    dtype: DType,
) -> Array {
    let sqrt2 = float_constant(SQRT_2, dtype);
    let lower = lax::convert_element_type(lower, dtype);
    let upper = lax::convert_element_type(upper, dtype);
    let erf_scaled = |x: &Array| lax::erf(lax::div(x, full(&sqrt2, x.shape())));
    let u = uniform_impl(key, &erf_scaled(&lower), &erf_scaled(&upper), shape, dtype);
    let out = lax::mul(full(&sqrt2, shape), lax::erf_inv(&u));
    let toward = |x: &Array, value: f64| {
        broadcast_to(
            &lax::nextafter(x, full(&float_constant(value, dtype), x.shape())),
            shape,
        )
    };
    let out = lax::max(toward(&lower, f64::INFINITY), &out);
    lax::min(toward(&upper, f64::NEG_INFINITY), &out)
}

/// Normal floats truncated to the open interval `(lower, upper)` (JAX's
/// `jax.random.truncated_normal`); the shape is `shape`, or without one the broadcast of the
/// bounds' shapes; the dtype is `dtype`, or without one the default float.
#[track_caller]
pub fn truncated_normal(
    key: impl IntoArray,
    lower: impl IntoArray,
    upper: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    check_key("truncated_normal", key);
    let dtype = float_dtype("truncated_normal", dtype.into());
    let (lower, upper) = (lower.into_array(), upper.into_array());
    let shape = match shape {
        Some(shape) => shape.to_vec(),
        None => broadcast_shapes(&[lower.shape(), upper.shape()]).unwrap_or_else(|| {
            panic!(
                "rjax::random::truncated_normal: the bounds' shapes {:?} and {:?} do not \
                 broadcast",
                lower.shape(),
                upper.shape()
            )
        }),
    };
    check_shape("truncated_normal", &shape, &[&lower, &upper]);
    let params = Params {
        shape,
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_truncated_normal",
        |args, p| truncated_normal_impl(&args[0], &args[1], &args[2], &p.shape, p.dtype.unwrap()),
        vec![key.clone(), lower, upper],
        params,
    )
}

/// JAX's `_convert_and_clip_integer`: `x` clipped to the range of `dtype` (within its own)
/// and converted.
fn convert_and_clip(x: &Array, dtype: DType) -> Array {
    let (lo, hi, _) = int_range(dtype);
    let (own_lo, own_hi, _) = int_range(x.dtype());
    let bound = |value: i128| full(&int_constant(value, x.dtype()), x.shape());
    let clipped = lax::min(bound(hi.min(own_hi)), lax::max(bound(lo.max(own_lo)), x));
    lax::convert_element_type(&clipped, dtype)
}

/// `randint` and JAX's `_randint`; narrow dtypes sample in `int32` as JAX does.
pub(super) fn randint_impl(
    key: &Array,
    minval: &Array,
    maxval: &Array,
    shape: &[usize],
    target: DType,
) -> Array {
    let int = |x: &Array| {
        let x = broadcast_to(x, shape);
        if x.dtype().is_int() {
            x
        } else {
            lax::convert_element_type(&x, default_int(config::x64_enabled()))
        }
    };
    let (target_lo, target_hi, target_bits) = int_range(target);
    let (minval, maxval, dtype) = if target_bits < 32 {
        // jnp.asarray(bound).astype('int32').clip(min, max (+ 1 for maxval)).
        let clip = |x: &Array, hi: i128| {
            let x = lax::convert_element_type(broadcast_to(x, shape), DType::I32);
            let bound = |v: i128| full(&int_constant(v, DType::I32), shape);
            lax::min(bound(hi), lax::max(bound(target_lo), &x))
        };
        (
            clip(minval, target_hi),
            clip(maxval, target_hi + 1),
            DType::I32,
        )
    } else {
        (int(minval), int(maxval), target)
    };
    let (_, dtype_hi, nbits) = int_range(dtype);
    let (_, maxval_hi, _) = int_range(maxval.dtype());
    let max_in_maxval_type = full(
        &int_constant(dtype_hi.min(maxval_hi), maxval.dtype()),
        shape,
    );
    let maxval_out_of_range = lax::gt(&maxval, &max_in_maxval_type);
    let minval = convert_and_clip(&minval, dtype);
    let maxval = convert_and_clip(&maxval, dtype);

    let keys = threefry::split(key, &[2]);
    let higher_bits = threefry::random_bits(&prng::key_at(&keys, 0), nbits, shape);
    let lower_bits = threefry::random_bits(&prng::key_at(&keys, 1), nbits, shape);

    let unsigned = uint_dtype(nbits);
    let ones = full(&int_constant(1, unsigned), shape);
    let span = lax::convert_element_type(lax::sub(&maxval, &minval), unsigned);
    // span = 1 when maxval <= minval, so that minval is returned (JAX issue 222).
    let span = lax::select_n(lax::le(&maxval, &minval), [&span, &ones]);
    // One more when maxval is beyond the dtype; wrapping to 0 then leaves the bits as they are.
    let widen = lax::bitwise_and(&maxval_out_of_range, lax::gt(&maxval, &minval));
    let span = lax::select_n(&widen, [&span, &lax::add(&span, &ones)]);
    // 2^nbits mod span, as (2^(nbits/2) mod span)^2 mod span.
    let half = full(&int_constant(1i128 << (nbits / 2), unsigned), shape);
    let multiplier = lax::rem(&half, &span);
    let multiplier = lax::rem(lax::mul(&multiplier, &multiplier), &span);
    let offset = lax::add(
        lax::mul(lax::rem(&higher_bits, &span), &multiplier),
        lax::rem(&lower_bits, &span),
    );
    let offset = lax::rem(&offset, &span);
    let out = lax::add(&minval, lax::convert_element_type(&offset, dtype));
    lax::convert_element_type(&out, target)
}

/// Uniform integers of `dtype` (`None`: the default integer type, JAX's default) and `shape`
/// in `[minval, maxval)` (JAX's `jax.random.randint`), computed as JAX does: `2 * nbits` random bits reduced modulo the
/// span (slightly biased unless the span is a power of 2), 8- and 16-bit types sampled in
/// 32 bits; `maxval <= minval` gives `minval`. The bounds (numbers or arrays) must broadcast
/// to `shape`.
#[track_caller]
pub fn randint(
    key: impl IntoArray,
    shape: &[usize],
    minval: impl IntoArray,
    maxval: impl IntoArray,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    check_key("randint", key);
    let dtype = int_or_default(dtype.into());
    if !dtype.is_int() {
        panic!("rjax::random::randint: dtype must be an integer dtype, got {dtype}");
    }
    let (minval, maxval) = (minval.into_array(), maxval.into_array());
    for bound in [&minval, &maxval] {
        if bound.dtype().is_complex() || bound.dtype() == DType::Bool {
            panic!(
                "rjax::random::randint: the bounds must be integers, got {}",
                bound.aval()
            );
        }
    }
    check_shape("randint", shape, &[&minval, &maxval]);
    let params = Params {
        shape: shape.to_vec(),
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_randint",
        |args, p| randint_impl(&args[0], &args[1], &args[2], &p.shape, p.dtype.unwrap()),
        vec![key.clone(), minval, maxval],
        params,
    )
}

/// Booleans that are `true` with probability `p` (JAX's `jax.random.bernoulli`, mode
/// `"low"`): `uniform(key, shape, dtype(p)) < p`, so a weakly typed `p` samples in the default
/// float type (f64 in x64 mode). The shape is `shape`, or without one `p`'s shape.
#[track_caller]
pub fn bernoulli(key: impl IntoArray, p: impl IntoArray, shape: Option<&[usize]>) -> Array {
    let key = &key.into_array();
    check_key("bernoulli", key);
    let p = p.into_array();
    if !p.dtype().is_float() {
        panic!(
            "rjax::random::bernoulli: the probability p must have a float dtype, got {}",
            p.aval()
        );
    }
    let shape = shape.map_or_else(|| p.shape().to_vec(), <[usize]>::to_vec);
    check_shape("bernoulli", &shape, &[&p]);
    let params = Params {
        shape,
        ..Params::default()
    };
    staged(
        "_bernoulli",
        |args, params| bernoulli_impl(&args[0], &args[1], &params.shape),
        vec![key.clone(), p],
        params,
    )
}

/// JAX's `_bernoulli`: `uniform(key, shape, dtype(p)) < p` for a float `p` that broadcasts to
/// `shape`.
pub(super) fn bernoulli_impl(key: &Array, p: &Array, shape: &[usize]) -> Array {
    let p = lax::convert_element_type(p, p.dtype());
    let dtype = p.dtype();
    let zero = float_constant(0.0, dtype);
    let u = uniform_impl(key, &zero, &float_constant(1.0, dtype), shape, dtype);
    lax::lt(&u, broadcast_to(&p, shape))
}

/// JAX's `_shuffle`: `rounds` stable sorts of `x` along `axis` by fresh random 32-bit keys,
/// the keys of shape `x.shape` (`independent`) or drawn along `axis` alone and shared by every
/// slice (the same permutation for each, as JAX's `take` of a shuffled `arange`).
pub(super) fn shuffle_impl(key: &Array, x: &Array, axis: usize, independent: bool) -> Array {
    let n = if independent {
        x.size()
    } else {
        x.shape()[axis]
    };
    let rounds = (3.0 * (n.max(1) as f64).ln() / f64::from(u32::MAX).ln()).ceil() as usize;
    let (mut key, mut x) = (key.clone(), x.clone());
    for _ in 0..rounds {
        let keys = threefry::split(&key, &[2]);
        let subkey = prng::key_at(&keys, 1);
        key = prng::key_at(&keys, 0);
        let sort_keys = if independent {
            threefry::random_bits(&subkey, 32, x.shape())
        } else {
            let keys_along_axis = threefry::random_bits(&subkey, 32, &[x.shape()[axis]]);
            lax::broadcast_in_dim(&keys_along_axis, x.shape(), &[axis])
        };
        x = lax::sort_key_val_with(&sort_keys, &x, lax::SortOptions::along(axis as isize)).1;
    }
    x
}

/// A random permutation of `0..n` in the default integer type (JAX's
/// `jax.random.permutation` of an integer).
#[track_caller]
pub fn permutation(key: impl IntoArray, n: usize) -> Array {
    let key = &key.into_array();
    check_key("permutation", key);
    let params = Params {
        shape: vec![n],
        ..Params::default()
    };
    staged(
        "_permutation_range",
        |args, p| {
            let range = lax::broadcasted_iota(default_int(config::x64_enabled()), &p.shape, 0);
            shuffle_impl(&args[0], &range, 0, true)
        },
        vec![key.clone()],
        params,
    )
}

/// `x` randomly permuted along `axis` (JAX's `jax.random.permutation` of an array): the same
/// permutation for every slice, or with `independent` each one-dimensional slice along `axis`
/// shuffled on its own (JAX's former `shuffle`).
#[track_caller]
pub fn permutation_of(
    key: impl IntoArray,
    x: impl IntoArray,
    axis: usize,
    independent: bool,
) -> Array {
    let key = &key.into_array();
    let x = &x.into_array();
    check_key("permutation_of", key);
    if axis >= x.ndim() {
        panic!(
            "rjax::random::permutation_of: axis {axis} is out of bounds for {} (use \
             permutation(key, n) for a range)",
            x.aval()
        );
    }
    let params = Params {
        ints: vec![axis, usize::from(independent || x.ndim() == 1)],
        ..Params::default()
    };
    staged(
        "_permutation",
        |args, p| shuffle_impl(&args[0], &args[1], p.ints[0], p.ints[1] == 1),
        vec![key.clone(), x.clone()],
        params,
    )
}
