//! Array creation, as in `jax.numpy`: `zeros`, `ones`, `full` and their `_like` forms,
//! `arange`, `linspace`, `eye`, `identity`.

use super::{astype, default_float, default_int, scalar_like};
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, DType, IntoArray};

/// An array of `shape` filled with `value` (`jnp.full`); `dtype` defaults to `value`'s
/// (a weak Rust number gives the default int or float dtype, strongly typed).
#[track_caller]
pub fn full(shape: &[usize], value: impl IntoArray, dtype: Option<DType>) -> Array {
    let value = value.into_array();
    let dtype = dtype.unwrap_or(value.dtype());
    let value = astype(&value, dtype);
    let value = if value.ndim() == 0 {
        value
    } else {
        unwrap_at_caller(super::broadcast_array(&value, shape))
    };
    if value.shape() == shape {
        value
    } else {
        lax::broadcast_in_dim(&value, shape, &[])
    }
}

/// An array of zeros (`jnp.zeros`); `dtype` defaults to the default float.
#[track_caller]
pub fn zeros(shape: &[usize], dtype: Option<DType>) -> Array {
    full(shape, 0, Some(dtype.unwrap_or_else(default_float)))
}

/// An array of ones (`jnp.ones`); `dtype` defaults to the default float.
#[track_caller]
pub fn ones(shape: &[usize], dtype: Option<DType>) -> Array {
    full(shape, 1, Some(dtype.unwrap_or_else(default_float)))
}

/// An array shaped like `x` filled with `value` (`jnp.full_like`); `dtype` defaults to `x`'s.
#[track_caller]
pub fn full_like(x: &Array, value: impl IntoArray, dtype: Option<DType>) -> Array {
    full(x.shape(), value, Some(dtype.unwrap_or(x.dtype())))
}

/// Zeros shaped like `x` (`jnp.zeros_like`).
#[track_caller]
pub fn zeros_like(x: &Array, dtype: Option<DType>) -> Array {
    full_like(x, 0, dtype)
}

/// Ones shaped like `x` (`jnp.ones_like`).
#[track_caller]
pub fn ones_like(x: &Array, dtype: Option<DType>) -> Array {
    full_like(x, 1, dtype)
}

/// A Rust number accepted by [`arange`]: its value and whether it is a float.
pub trait ArangeValue: Copy {
    /// The number as `f64`, and `true` for a floating-point type.
    fn value(self) -> (f64, bool);
}

macro_rules! arange_values {
    ($($ty:ty => $float:expr),*) => {$(
        impl ArangeValue for $ty {
            fn value(self) -> (f64, bool) {
                (self as f64, $float)
            }
        }
    )*};
}

arange_values!(i32 => false, i64 => false, usize => false, f32 => true, f64 => true);

/// Evenly spaced values in `[start, stop)` by `step` (`jnp.arange(start, stop, step)`); the
/// dtype defaults to the default int when all three are integers, else the default float.
#[track_caller]
pub fn arange<T: ArangeValue>(start: T, stop: T, step: T, dtype: Option<DType>) -> Array {
    let ((start, f1), (stop, f2), (step, f3)) = (start.value(), stop.value(), step.value());
    assert!(step != 0.0, "arange: step must not be zero");
    let any_float = f1 || f2 || f3;
    let dtype = dtype.unwrap_or(if any_float {
        default_float()
    } else {
        default_int()
    });
    let n = ((stop - start) / step).ceil().max(0.0) as usize;
    if dtype.is_int() && !any_float {
        let i = lax::iota(dtype, &[n], 0);
        return &i * scalar_like(step as i64, &i) + scalar_like(start as i64, &i);
    }
    let compute = if dtype.is_inexact() {
        dtype
    } else {
        default_float()
    };
    let i = lax::iota(compute, &[n], 0);
    let out = &i * scalar_like(step, &i) + scalar_like(start, &i);
    astype(&out, dtype)
}

/// `num` evenly spaced values from `start` to `stop` (`jnp.linspace`), including `stop` when
/// `endpoint`; the dtype defaults to the default float.
#[track_caller]
pub fn linspace(start: f64, stop: f64, num: usize, endpoint: bool, dtype: Option<DType>) -> Array {
    let dtype = dtype.unwrap_or_else(default_float);
    let compute = if dtype.is_inexact() {
        dtype
    } else {
        default_float()
    };
    let out = if num == 0 {
        lax::iota(compute, &[0], 0)
    } else if endpoint && num == 1 {
        full(&[1], start, Some(compute))
    } else {
        let div = if endpoint { num - 1 } else { num };
        let step = (stop - start) / div as f64;
        let i = lax::iota(compute, &[div], 0);
        let body = &i * scalar_like(step, &i) + scalar_like(start, &i);
        if endpoint {
            lax::concatenate(&[&body, &full(&[1], stop, Some(compute))], 0)
        } else {
            body
        }
    };
    astype(&out, dtype)
}

/// A 2-D array with ones on diagonal `k` and zeros elsewhere (`jnp.eye(n, m, k)`); `m`
/// defaults to `n`, the dtype to the default float.
#[track_caller]
pub fn eye(n: usize, m: Option<usize>, k: isize, dtype: Option<DType>) -> Array {
    let m = m.unwrap_or(n);
    let dtype = dtype.unwrap_or_else(default_float);
    let int = default_int();
    let rows = lax::iota(int, &[n, m], 0);
    let cols = lax::iota(int, &[n, m], 1);
    let diagonal = (cols - rows).eq(k as i64);
    astype(&diagonal, dtype)
}

/// The `n`×`n` identity matrix (`jnp.identity`).
#[track_caller]
pub fn identity(n: usize, dtype: Option<DType>) -> Array {
    eye(n, None, 0, dtype)
}
