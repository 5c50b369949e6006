//! Overflow-safe shape arithmetic and XLA's limits on shapes.
//!
//! Every path that makes a shape (creation, `Array::from_slice`, reshape, broadcast, `repeat`,
//! `tile`, `pad`, concatenate, gather and scatter, the random samplers) computes element
//! counts, byte sizes and dimensions with checked arithmetic, and checks the result against
//! what XLA and the host can represent: each dimension, the element count and the byte size
//! must fit in `i64` (XLA's dimension type) and in `isize` (the largest Rust allocation).
//! A shape that does not fit is an [`Error::InvalidArgument`] naming the operation and the
//! shape, found before anything reaches XLA (whose compiler would otherwise abort the process
//! inside the plugin).
//!
//! Every primitive's output types pass [`check_aval`] (in `Primitive::abstract_eval`), so a
//! shape that is too large fails at trace time with the primitive's name wherever it came
//! from; the `jax.numpy` functions that compute shapes from their arguments check first with
//! their own name.

use crate::abstract_value::ShapedArray;
use crate::lax::unwrap_at_caller;
use crate::{DType, Error, Result};

/// The largest element count, byte size or dimension a shape may have: what fits both in
/// XLA's `int64_t` and in the host's `isize`.
pub(crate) const MAX_EXTENT: u128 = if (isize::MAX as u128) < (i64::MAX as u128) {
    isize::MAX as u128
} else {
    i64::MAX as u128
};

/// The number of elements of `shape`, or `None` when it overflows `usize`. A shape with a zero
/// dimension holds no elements, whatever its other dimensions.
pub(crate) fn element_count(shape: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    shape
        .iter()
        .try_fold(1usize, |count, &d| count.checked_mul(d))
}

/// Checks that an array of `shape` and `dtype` can exist: every dimension, the element count
/// and the byte size within [`MAX_EXTENT`]. Returns the element count.
pub(crate) fn check_shape(op: &str, shape: &[usize], dtype: DType) -> Result<usize> {
    if let Some(&d) = shape.iter().find(|&&d| d as u128 > MAX_EXTENT) {
        return Err(Error::invalid(
            op,
            format!("dimension {d} of shape {shape:?} does not fit in a signed 64-bit integer"),
        ));
    }
    let too_large = |what: &str| {
        Error::invalid(
            op,
            format!(
                "shape {shape:?} of {dtype} is too large: its {what} exceeds {MAX_EXTENT}, the \
                 most that XLA and the host can address"
            ),
        )
    };
    let count = element_count(shape)
        .filter(|&n| n as u128 <= MAX_EXTENT)
        .ok_or_else(|| too_large("element count"))?;
    let bytes = count as u128 * dtype.size_in_bytes() as u128;
    if bytes > MAX_EXTENT {
        return Err(too_large("size in bytes"));
    }
    Ok(count)
}

/// [`check_shape`] for an abstract value.
pub(crate) fn check_aval(op: &str, aval: &ShapedArray) -> Result<()> {
    check_shape(op, &aval.shape, aval.dtype).map(|_| ())
}

/// [`check_shape`], panicking at the caller's line (trace-time misuse, per the crate's error
/// policy).
#[track_caller]
pub(crate) fn assert_shape(op: &str, shape: &[usize], dtype: DType) -> usize {
    unwrap_at_caller(check_shape(op, shape, dtype))
}

/// `a * b` for a dimension computed from others, or an error naming `op` and `what`.
pub(crate) fn mul_dim(op: &str, what: &str, a: usize, b: usize) -> Result<usize> {
    a.checked_mul(b)
        .filter(|&n| n as u128 <= MAX_EXTENT)
        .ok_or_else(|| overflow(op, what, &format!("{a} * {b}")))
}

/// The sum of `terms`, for a dimension computed from others, or an error naming `op` and
/// `what`.
pub(crate) fn sum_dims(op: &str, what: &str, terms: &[usize]) -> Result<usize> {
    terms
        .iter()
        .try_fold(0usize, |sum, &t| sum.checked_add(t))
        .filter(|&n| n as u128 <= MAX_EXTENT)
        .ok_or_else(|| overflow(op, what, &format!("the sum of {terms:?}")))
}

/// The error for a computed dimension that overflows.
fn overflow(op: &str, what: &str, expression: &str) -> Error {
    Error::invalid(
        op,
        format!("{what} ({expression}) overflows: a dimension must fit in a signed 64-bit integer"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_limits() {
        assert_eq!(element_count(&[]), Some(1));
        assert_eq!(element_count(&[1 << 62, 8, 0]), Some(0));
        assert_eq!(element_count(&[1 << 63, 2]), None);
        assert_eq!(check_shape("t", &[2, 3], DType::F32).unwrap(), 6);
        assert!(check_shape("t", &[1 << 62, 8], DType::F32).is_err());
        assert!(check_shape("t", &[1 << 61], DType::F32).is_err());
        assert!(check_shape("t", &[1 << 61], DType::U8).is_ok());
        assert!(check_shape("t", &[usize::MAX, 0], DType::U8).is_err());
        assert!(mul_dim("t", "x", 1 << 40, 1 << 30).is_err());
        assert!(sum_dims("t", "x", &[usize::MAX, 1]).is_err());
    }
}
