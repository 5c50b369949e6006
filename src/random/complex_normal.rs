//! Complex standard normals (JAX's `_normal` for a complex dtype): the real and imaginary
//! parts are real standard normals drawn from the two keys of `split(key)`, and
//! `(re + 1j * im) / sqrt(2)` has `E|z|² = 1`. The arithmetic is JAX's, in the complex dtype,
//! as jaxlib 0.10.2 runs it: JAX divides by the constant `sqrt(2) + 0j`, which its XLA
//! compiles to a multiplication by the reciprocal `1 / sqrt(2)` (rounded in the part's
//! dtype); rjax multiplies by that reciprocal itself, because the XLA builds it embeds divide
//! complex numbers by `c² + d²`, which is an ulp off in float32. So the bits are JAX's on any
//! plugin. Also the complex helpers that `nn::initializers` shares.

use std::f64::consts::SQRT_2;

use super::distributions::normal_impl;
use super::prng::split_keys;
use super::threefry::full;
use super::{Params, constant, staged};
use crate::scalar::Scalar;
use crate::{Array, DType, lax};

/// `1j * x` for `x` of a complex dtype: the complex multiplication NumPy's `1j * x` does (its
/// signed zeros included).
pub(crate) fn times_i(x: &Array) -> Array {
    let width = x.dtype().size_in_bytes() / 2;
    let mut bytes = vec![0u8; 2 * width];
    // The imaginary part 1.0: the exponent bits of 1.0 in the part's width.
    let one = match width {
        4 => 1f32.to_le_bytes().to_vec(),
        _ => 1f64.to_le_bytes().to_vec(),
    };
    bytes[width..].copy_from_slice(&one);
    let unit = Array::from_host_bytes(&bytes, x.dtype(), Vec::new(), false);
    lax::mul(full(&unit, x.shape()), x)
}

/// The two keys of `split(key)`, in `key`'s form (JAX's `key_a, key_b = split(key)`).
pub(crate) fn split_pair(key: &Array) -> [Array; 2] {
    split_keys(key, 2).try_into().expect("2 keys")
}

/// JAX's `_normal` for the complex `dtype` (`C64` or `C128`).
fn complex_normal_impl(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let part = dtype.real_part();
    let [key_re, key_im] = split_pair(key);
    let re = lax::convert_element_type(normal_impl(&key_re, shape, part), dtype);
    let im = lax::convert_element_type(normal_impl(&key_im, shape, part), dtype);
    // The reciprocal of sqrt(2) as rounded in `part`, rounded in `part` again.
    let inverse_sqrt2 = match part {
        DType::F32 => f64::from(1.0 / SQRT_2 as f32),
        _ => 1.0 / SQRT_2,
    };
    let scale = full(&constant(Scalar::Float(inverse_sqrt2), dtype), shape);
    lax::mul(lax::add(&re, times_i(&im)), &scale)
}

/// Complex standard normals of the complex `dtype` (already canonicalised) and `shape` from
/// the single key `key` (already checked): `random::normal`'s complex case.
#[track_caller]
pub(super) fn complex_normal(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let params = Params {
        shape: shape.to_vec(),
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_normal_complex",
        |args, p| complex_normal_impl(&args[0], &p.shape, p.dtype.expect("a dtype")),
        vec![key.clone()],
        params,
    )
}
