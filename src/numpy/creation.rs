//! Array creation, as in `jax.numpy`: `asarray`, `zeros`, `ones`, `full`, `empty` and their
//! `_like` forms, `arange`, `linspace`, `logspace`, `eye`, `identity`, `tri`, `tril`, `triu`,
//! `diag`, `diagonal` and `meshgrid`.

use super::{astype, axis as one_axis, default_float, default_int, power, scalar_like, where_};
use crate::lax::{self, unwrap_at_caller};
use crate::shape_check::assert_shape;
use crate::{Array, DType, IntoArray};

/// `x` as an array (`jnp.asarray`): converted to `dtype` (strongly typed) if given, else as it
/// is, so a Rust number stays weakly typed, as a Python scalar does in JAX.
#[track_caller]
pub fn asarray(x: impl IntoArray, dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    let x = x.into_array();
    match dtype {
        Some(dtype) => astype(&x, dtype),
        None => x,
    }
}

/// An array of `shape` filled with `value` (`jnp.full`); `dtype` defaults to `value`'s
/// (a weak Rust number gives the default int or float dtype, strongly typed).
#[track_caller]
pub fn full(shape: &[usize], value: impl IntoArray, dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    filled("full", shape, value.into_array(), dtype)
}

/// [`full`], reporting a shape too large for XLA as `op`'s.
#[track_caller]
fn filled(op: &str, shape: &[usize], value: Array, dtype: Option<DType>) -> Array {
    let dtype = dtype.unwrap_or(value.dtype());
    assert_shape(op, shape, dtype);
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
pub fn zeros(shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    let dtype = dtype.unwrap_or_else(default_float);
    filled("zeros", shape, 0.into_array(), Some(dtype))
}

/// An array of ones (`jnp.ones`); `dtype` defaults to the default float.
#[track_caller]
pub fn ones(shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    let dtype = dtype.unwrap_or_else(default_float);
    filled("ones", shape, 1.into_array(), Some(dtype))
}

/// An array shaped like `x` filled with `value` (`jnp.full_like`); `dtype` defaults to `x`'s.
#[track_caller]
pub fn full_like(
    x: impl IntoArray,
    value: impl IntoArray,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let x = &x.into_array();
    let dtype: Option<DType> = dtype.into();
    full(x.shape(), value, Some(dtype.unwrap_or(x.dtype())))
}

/// An array of `shape` whose contents do not matter (`jnp.empty`): as in JAX, zeros; `dtype`
/// defaults to the default float.
#[track_caller]
pub fn empty(shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    let dtype = dtype.unwrap_or_else(default_float);
    filled("empty", shape, 0.into_array(), Some(dtype))
}

/// An array shaped like `x` whose contents do not matter (`jnp.empty_like`): zeros.
#[track_caller]
pub fn empty_like(x: impl IntoArray, dtype: impl Into<Option<DType>>) -> Array {
    let x = &x.into_array();
    let dtype: Option<DType> = dtype.into();
    zeros_like(x, dtype)
}

/// Zeros shaped like `x` (`jnp.zeros_like`).
#[track_caller]
pub fn zeros_like(x: impl IntoArray, dtype: impl Into<Option<DType>>) -> Array {
    let x = &x.into_array();
    let dtype: Option<DType> = dtype.into();
    full_like(x, 0, dtype)
}

/// Ones shaped like `x` (`jnp.ones_like`).
#[track_caller]
pub fn ones_like(x: impl IntoArray, dtype: impl Into<Option<DType>>) -> Array {
    let x = &x.into_array();
    let dtype: Option<DType> = dtype.into();
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
pub fn arange<T: ArangeValue>(
    start: T,
    stop: T,
    step: T,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let dtype: Option<DType> = dtype.into();
    let ((start, f1), (stop, f2), (step, f3)) = (start.value(), stop.value(), step.value());
    assert!(step != 0.0, "arange: step must not be zero");
    let any_float = f1 || f2 || f3;
    let dtype = dtype.unwrap_or(if any_float {
        default_float()
    } else {
        default_int()
    });
    let length = ((stop - start) / step).ceil().max(0.0);
    assert!(
        length.is_finite(),
        "arange: the length of arange({start}, {stop}, {step}) is not finite"
    );
    // A float length beyond usize saturates, and the shape check then reports it.
    let n = length as usize;
    assert_shape("arange", &[n], dtype);
    if dtype.is_int() && !any_float {
        let i = lax::broadcasted_iota(dtype, &[n], 0);
        return &i * scalar_like(step as i64, &i) + scalar_like(start as i64, &i);
    }
    let compute = if dtype.is_inexact() {
        dtype
    } else {
        default_float()
    };
    let i = lax::broadcasted_iota(compute, &[n], 0);
    let out = &i * scalar_like(step, &i) + scalar_like(start, &i);
    astype(&out, dtype)
}

/// `num` evenly spaced values from `start` to `stop` (`jnp.linspace`), including `stop` when
/// `endpoint`; the dtype defaults to the default float.
#[track_caller]
pub fn linspace(
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let dtype: Option<DType> = dtype.into();
    let dtype = dtype.unwrap_or_else(default_float);
    assert_shape("linspace", &[num], dtype);
    let compute = if dtype.is_inexact() {
        dtype
    } else {
        default_float()
    };
    let out = if num == 0 {
        lax::broadcasted_iota(compute, &[0], 0)
    } else if endpoint && num == 1 {
        full(&[1], start, Some(compute))
    } else {
        let div = if endpoint { num - 1 } else { num };
        let step = (stop - start) / div as f64;
        let i = lax::broadcasted_iota(compute, &[div], 0);
        let body = &i * scalar_like(step, &i) + scalar_like(start, &i);
        if endpoint {
            lax::concatenate([&body, &full(&[1], stop, Some(compute))], 0)
        } else {
            body
        }
    };
    astype(&out, dtype)
}

/// `base ** linspace(start, stop, num, endpoint)` (`jnp.logspace`), computed in the default
/// float (or `dtype`, if inexact) and converted to `dtype`, which defaults to the default float.
#[track_caller]
pub fn logspace(
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
    base: f64,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let dtype: Option<DType> = dtype.into();
    let dtype = dtype.unwrap_or_else(default_float);
    let compute = if dtype.is_inexact() {
        dtype
    } else {
        default_float()
    };
    let exponents = linspace(start, stop, num, endpoint, Some(compute));
    astype(&power(base, &exponents), dtype)
}

/// The boolean `n`×`m` matrix of `cols - rows` compared with `k` by `keep`.
fn band(n: usize, m: usize, k: isize, keep: fn(&Array, i64) -> Array) -> Array {
    let int = default_int();
    let offsets = lax::broadcasted_iota(int, &[n, m], 1) - lax::broadcasted_iota(int, &[n, m], 0);
    keep(&offsets, k as i64)
}

/// A 2-D array with ones on diagonal `k` and zeros elsewhere (`jnp.eye(n, m, k)`); `m`
/// defaults to `n`, the dtype to the default float.
#[track_caller]
pub fn eye(n: usize, m: Option<usize>, k: isize, dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    let (m, dtype) = (m.unwrap_or(n), dtype.unwrap_or_else(default_float));
    assert_shape("eye", &[n, m], dtype);
    let mask = band(n, m, k, |d, k| d.eq(k));
    astype(&mask, dtype)
}

/// An `n`×`m` array with ones at and below diagonal `k` and zeros above it (`jnp.tri`); `m`
/// defaults to `n`, the dtype to float32 (JAX's default here, even with x64).
#[track_caller]
pub fn tri(n: usize, m: Option<usize>, k: isize, dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    let (m, dtype) = (m.unwrap_or(n), dtype.unwrap_or(DType::F32));
    assert_shape("tri", &[n, m], dtype);
    let mask = band(n, m, k, |d, k| d.le(k));
    astype(&mask, dtype)
}

/// The matrices of the last two axes of `x` with `keep` (a boolean matrix) selecting what
/// stays and zeros elsewhere.
#[track_caller]
fn masked_matrices(op: &str, x: &Array, keep: impl Fn(usize, usize) -> Array) -> Array {
    assert!(
        x.ndim() >= 2,
        "{op}: requires an array of at least 2 dimensions, got {}",
        x.aval()
    );
    let (n, m) = (x.shape()[x.ndim() - 2], x.shape()[x.ndim() - 1]);
    where_(keep(n, m), x, super::zeros_like(x, None))
}

/// `x` with the elements above diagonal `k` of its last two axes zeroed (`jnp.tril`).
#[track_caller]
pub fn tril(x: impl IntoArray, k: isize) -> Array {
    let x = &x.into_array();
    masked_matrices("tril", x, |n, m| tri(n, Some(m), k, Some(DType::Bool)))
}

/// `x` with the elements below diagonal `k` of its last two axes zeroed (`jnp.triu`).
#[track_caller]
pub fn triu(x: impl IntoArray, k: isize) -> Array {
    let x = &x.into_array();
    masked_matrices("triu", x, |n, m| {
        lax::not(tri(n, Some(m), k - 1, Some(DType::Bool)))
    })
}

/// From a 1-D `v`, the square matrix with `v` on diagonal `k` and zeros elsewhere; from a 2-D
/// `v`, its diagonal `k` (`jnp.diag`).
#[track_caller]
pub fn diag(v: impl IntoArray, k: isize) -> Array {
    let v = &v.into_array();
    match v.ndim() {
        1 => {
            let n = v.shape()[0] + k.unsigned_abs();
            let zero = super::zeros(&[], Some(v.dtype()));
            let (before, after) = (k.max(0) as i64, (-k).max(0) as i64);
            let padded = lax::pad(v, &zero, &[(before, after, 0)]);
            where_(eye(n, None, k, Some(DType::Bool)), padded, zero)
        }
        2 => diagonal(v, k, 0, 1),
        _ => panic!("diag: requires a 1-D or 2-D array, got {}", v.aval()),
    }
}

/// Diagonal `offset` of the matrices formed by axes `axis1` and `axis2` of `x`
/// (`jnp.diagonal`): the other axes come first, the diagonal last.
#[track_caller]
pub fn diagonal(x: impl IntoArray, offset: isize, axis1: isize, axis2: isize) -> Array {
    let x = &x.into_array();
    let a = unwrap_at_caller(one_axis("diagonal", axis1, x.ndim()));
    let b = unwrap_at_caller(one_axis("diagonal", axis2, x.ndim()));
    assert!(
        a != b,
        "diagonal: axis1 and axis2 must differ, got {axis1} and {axis2} for {}",
        x.aval()
    );
    let mut permutation: Vec<usize> = (0..x.ndim()).filter(|&d| d != a && d != b).collect();
    permutation.extend([a, b]);
    let x = lax::transpose(x, &permutation);
    let rank = x.ndim();
    let (n, m) = (x.shape()[rank - 2], x.shape()[rank - 1]);
    // Drop the rows (offset < 0) or columns (offset > 0) before the diagonal, then take the
    // main diagonal of the leading k×k block: every (k+1)-th element of its flattening.
    let (skip_rows, skip_cols) = ((-offset).max(0) as usize, offset.max(0) as usize);
    let k = n.saturating_sub(skip_rows).min(m.saturating_sub(skip_cols));
    let mut start = vec![0; rank];
    let mut limit = x.shape().to_vec();
    start[rank - 2] = skip_rows.min(n);
    start[rank - 1] = skip_cols.min(m);
    limit[rank - 2] = start[rank - 2] + k;
    limit[rank - 1] = start[rank - 1] + k;
    let block = lax::slice(&x, &start, &limit, None);
    let mut flat_shape = x.shape()[..rank - 2].to_vec();
    flat_shape.push(k * k);
    let flat = lax::reshape(&block, &flat_shape);
    let mut strides = vec![1; rank - 1];
    strides[rank - 2] = k + 1;
    let mut limit = flat_shape.clone();
    limit[rank - 2] = k * k;
    lax::slice(&flat, &vec![0; rank - 1], &limit, Some(&strides))
}

/// How [`meshgrid`] orders its outputs' first two axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Indexing {
    /// Cartesian (`indexing="xy"`, NumPy's default): the first two axes are swapped, so for
    /// inputs of lengths `m` and `n` the outputs are `n`×`m`.
    #[default]
    Xy,
    /// Matrix (`indexing="ij"`): output axis `i` runs along input `i`.
    Ij,
}

/// Coordinate arrays from 1-D coordinate vectors (`jnp.meshgrid`): one output per input, all of
/// one shape, output `i` varying along input `i`'s axis.
#[track_caller]
pub fn meshgrid(xs: &[&Array], indexing: Indexing) -> Vec<Array> {
    for x in xs {
        assert!(
            x.ndim() == 1,
            "meshgrid: requires 1-D arrays, got {}",
            x.aval()
        );
    }
    let mut axes: Vec<usize> = (0..xs.len()).collect();
    if indexing == Indexing::Xy && xs.len() >= 2 {
        axes.swap(0, 1);
    }
    let mut shape = vec![0; xs.len()];
    for (x, &axis) in xs.iter().zip(&axes) {
        shape[axis] = x.shape()[0];
    }
    xs.iter()
        .zip(&axes)
        .map(|(x, &axis)| lax::broadcast_in_dim(x, &shape, &[axis]))
        .collect()
}

/// The `n`×`n` identity matrix (`jnp.identity`).
#[track_caller]
pub fn identity(n: usize, dtype: impl Into<Option<DType>>) -> Array {
    let dtype: Option<DType> = dtype.into();
    eye(n, None, 0, dtype)
}
