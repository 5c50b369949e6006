//! Products, as in `jax.numpy`: `matmul` (NumPy's batched and 1-D rules), `dot`, `vdot`,
//! `inner`, `outer`, `tensordot`, `kron`, `cross`, `trace`. The contractions take JAX's
//! keywords `precision` and `preferred_element_type` in their `_with` forms ([`matmul_with`],
//! [`dot_with`], [`vdot_with`], [`inner_with`], [`tensordot_with`]) as a
//! [`DotOptions`](crate::lax::DotOptions), or anything that converts into one: a
//! [`Precision`](crate::lax::Precision) or a dtype.

use super::{axis as one_axis, broadcast_array, moveaxis, promote, ravel, stack, sum, zeros_like};
use crate::IntoArray;
use crate::array::broadcast_shapes;
use crate::lax::{self, DotDimensionNumbers, DotOptions, unwrap_at_caller};
use crate::{Array, Error, Result};

/// `dot_general` on promoted operands.
#[track_caller]
fn dot_general(x: &Array, y: &Array, numbers: DotDimensionNumbers, options: DotOptions) -> Array {
    let args = unwrap_at_caller(promote(&[x.clone(), y.clone()]));
    lax::dot_general_with(&args[0], &args[1], numbers, options)
}

/// The product of `a` and `b` when one is a scalar, in the preferred dtype if `options` has one.
#[track_caller]
fn scalar_product(a: &Array, b: &Array, options: DotOptions) -> Array {
    let product = a * b;
    match options.preferred_element_type {
        Some(dtype) => super::astype(&product, dtype),
        None => product,
    }
}

fn matmul_impl(a: &Array, b: &Array, options: DotOptions) -> Result<Array> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return Err(Error::invalid(
            "matmul",
            "operands must have rank at least 1".to_string(),
        ));
    }
    let a_vector = a.ndim() == 1;
    let b_vector = b.ndim() == 1;
    let a2 = if a_vector {
        lax::reshape(a, &[1, a.shape()[0]])
    } else {
        a.clone()
    };
    let b2 = if b_vector {
        lax::reshape(b, &[b.shape()[0], 1])
    } else {
        b.clone()
    };
    let (ar, br) = (a2.ndim(), b2.ndim());
    if a2.shape()[ar - 1] != b2.shape()[br - 2] {
        return Err(Error::invalid(
            "matmul",
            format!(
                "contracting dimensions differ: {} and {}",
                a.aval(),
                b.aval()
            ),
        ));
    }
    let batch =
        broadcast_shapes(&[&a2.shape()[..ar - 2], &b2.shape()[..br - 2]]).ok_or_else(|| {
            Error::invalid(
                "matmul",
                format!(
                    "batch shapes do not broadcast: {} and {}",
                    a.aval(),
                    b.aval()
                ),
            )
        })?;
    let nb = batch.len();
    let with_batch = |x: &Array| -> Result<Array> {
        let r = x.ndim();
        let mut shape = batch.clone();
        shape.extend_from_slice(&x.shape()[r - 2..]);
        broadcast_array(x, &shape)
    };
    let (a3, b3) = (with_batch(&a2)?, with_batch(&b2)?);
    let numbers = DotDimensionNumbers {
        lhs_contracting: vec![nb + 1],
        rhs_contracting: vec![nb],
        lhs_batch: (0..nb).collect(),
        rhs_batch: (0..nb).collect(),
    };
    let out = dot_general(&a3, &b3, numbers, options);
    let mut squeeze = Vec::new();
    if a_vector {
        squeeze.push(nb);
    }
    if b_vector {
        squeeze.push(nb + 1);
    }
    Ok(if squeeze.is_empty() {
        out
    } else {
        lax::squeeze(&out, &squeeze)
    })
}

/// The matrix product with NumPy's rules (`jnp.matmul`, the `@` operator): leading dimensions
/// are batch dimensions and broadcast; a 1-D operand is a vector, its dimension removed after.
#[track_caller]
pub fn matmul(a: impl IntoArray, b: impl IntoArray) -> Array {
    matmul_with(a, b, DotOptions::default())
}

/// [`matmul`] with JAX's keywords `precision` and `preferred_element_type`:
/// `jnp::matmul_with(&a, &b, lax::Precision::Highest)` is
/// `jnp.matmul(a, b, precision=lax.Precision.HIGHEST)`.
#[track_caller]
pub fn matmul_with(a: impl IntoArray, b: impl IntoArray, options: impl Into<DotOptions>) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    unwrap_at_caller(matmul_impl(a, b, options.into()))
}

/// The dot product (`jnp.dot`): a product with a scalar; the inner product of vectors; else
/// a sum over `a`'s last axis and `b`'s second to last (its only, for a vector).
#[track_caller]
pub fn dot(a: impl IntoArray, b: impl IntoArray) -> Array {
    dot_with(a, b, DotOptions::default())
}

/// [`dot`] with JAX's keywords `precision` and `preferred_element_type`.
#[track_caller]
pub fn dot_with(a: impl IntoArray, b: impl IntoArray, options: impl Into<DotOptions>) -> Array {
    let (a, b, options) = (&a.into_array(), &b.into_array(), options.into());
    if a.ndim() == 0 || b.ndim() == 0 {
        return scalar_product(a, b, options);
    }
    let rhs = if b.ndim() == 1 { 0 } else { b.ndim() - 2 };
    dot_general(
        a,
        b,
        DotDimensionNumbers {
            lhs_contracting: vec![a.ndim() - 1],
            rhs_contracting: vec![rhs],
            ..DotDimensionNumbers::default()
        },
        options,
    )
}

/// The dot product of the flattened arrays (`jnp.vdot`, for real arrays).
#[track_caller]
pub fn vdot(a: impl IntoArray, b: impl IntoArray) -> Array {
    vdot_with(a, b, DotOptions::default())
}

/// [`vdot`] with JAX's keywords `precision` and `preferred_element_type`.
#[track_caller]
pub fn vdot_with(a: impl IntoArray, b: impl IntoArray, options: impl Into<DotOptions>) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    dot_with(ravel(a), ravel(b), options)
}

/// The sum over the last axes of both (`jnp.inner`); a scalar operand multiplies.
#[track_caller]
pub fn inner(a: impl IntoArray, b: impl IntoArray) -> Array {
    inner_with(a, b, DotOptions::default())
}

/// [`inner`] with JAX's keywords `precision` and `preferred_element_type`.
#[track_caller]
pub fn inner_with(a: impl IntoArray, b: impl IntoArray, options: impl Into<DotOptions>) -> Array {
    let (a, b, options) = (&a.into_array(), &b.into_array(), options.into());
    if a.ndim() == 0 || b.ndim() == 0 {
        return scalar_product(a, b, options);
    }
    dot_general(
        a,
        b,
        DotDimensionNumbers {
            lhs_contracting: vec![a.ndim() - 1],
            rhs_contracting: vec![b.ndim() - 1],
            ..DotDimensionNumbers::default()
        },
        options,
    )
}

/// The outer product of the flattened arrays (`jnp.outer`).
#[track_caller]
pub fn outer(a: impl IntoArray, b: impl IntoArray) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    let a = ravel(a);
    let b = ravel(b);
    lax::reshape(&a, &[a.size(), 1]) * lax::reshape(&b, &[1, b.size()])
}

/// The sum along diagonal `offset` of the 2-D slices over `axis1` and `axis2` (`jnp.trace`).
#[track_caller]
pub fn trace(x: impl IntoArray, offset: isize, axis1: isize, axis2: isize) -> Array {
    let x = &x.into_array();
    let a1 = unwrap_at_caller(one_axis("trace", axis1, x.ndim()));
    let a2 = unwrap_at_caller(one_axis("trace", axis2, x.ndim()));
    assert!(a1 != a2, "trace: axis1 and axis2 must differ");
    let int = super::default_int();
    let rows = lax::broadcasted_iota(int, x.shape(), a1);
    let cols = lax::broadcasted_iota(int, x.shape(), a2);
    let mask = (cols - rows).eq(offset as i64);
    let zero = super::zeros_like(x, None);
    let picked = lax::select_n(&mask, [&zero, x]);
    sum(&picked, [a1 as isize, a2 as isize])
}

/// The axes [`tensordot`] contracts (JAX's `axes` argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TensordotAxes {
    /// The last `n` axes of `a` with the first `n` of `b`, in order (`axes=n`).
    Count(usize),
    /// `a`'s axes with `b`'s, pairwise; negative axes count from the end (`axes=(la, lb)`).
    Pairs(Vec<isize>, Vec<isize>),
}

impl From<usize> for TensordotAxes {
    fn from(n: usize) -> Self {
        TensordotAxes::Count(n)
    }
}

impl From<(isize, isize)> for TensordotAxes {
    fn from((a, b): (isize, isize)) -> Self {
        TensordotAxes::Pairs(vec![a], vec![b])
    }
}

impl<const N: usize> From<([isize; N], [isize; N])> for TensordotAxes {
    fn from((a, b): ([isize; N], [isize; N])) -> Self {
        TensordotAxes::Pairs(a.to_vec(), b.to_vec())
    }
}

fn tensordot_impl(a: &Array, b: &Array, axes: TensordotAxes, options: DotOptions) -> Result<Array> {
    let fail = |why: String| {
        Error::invalid(
            "tensordot",
            format!("{why}; operands {} and {}", a.aval(), b.aval()),
        )
    };
    let (lhs, rhs): (Vec<usize>, Vec<usize>) = match axes {
        TensordotAxes::Count(n) if n <= a.ndim() && n <= b.ndim() => {
            ((a.ndim() - n..a.ndim()).collect(), (0..n).collect())
        }
        TensordotAxes::Count(n) => {
            return Err(fail(format!("cannot contract {n} axes")));
        }
        TensordotAxes::Pairs(la, lb) if la.len() == lb.len() => {
            let normalize = |list: &[isize], x: &Array| -> Result<Vec<usize>> {
                list.iter()
                    .map(|&ax| one_axis("tensordot", ax, x.ndim()))
                    .collect()
            };
            (normalize(&la, a)?, normalize(&lb, b)?)
        }
        TensordotAxes::Pairs(la, lb) => {
            return Err(fail(format!(
                "the axis lists {la:?} and {lb:?} differ in length"
            )));
        }
    };
    for (&i, &j) in lhs.iter().zip(&rhs) {
        if a.shape()[i] != b.shape()[j] {
            return Err(fail(format!(
                "axis {i} of the first (size {}) and axis {j} of the second (size {}) differ",
                a.shape()[i],
                b.shape()[j]
            )));
        }
    }
    let repeated = |list: &[usize]| (1..list.len()).any(|k| list[..k].contains(&list[k]));
    if repeated(&lhs) || repeated(&rhs) {
        return Err(fail("repeated axis".to_string()));
    }
    Ok(dot_general(
        a,
        b,
        DotDimensionNumbers {
            lhs_contracting: lhs,
            rhs_contracting: rhs,
            ..DotDimensionNumbers::default()
        },
        options,
    ))
}

/// The sum of products over the given axes of `a` and `b` (`jnp.tensordot`): the result has
/// `a`'s remaining axes, then `b`'s. `axes` is a count (`2`), one pair of axes (`(1, 0)`) or
/// two lists (`([1, 0], [0, 1])`); panics naming `tensordot` and both shapes when the sizes
/// of paired axes differ.
#[track_caller]
pub fn tensordot(a: impl IntoArray, b: impl IntoArray, axes: impl Into<TensordotAxes>) -> Array {
    tensordot_with(a, b, axes, DotOptions::default())
}

/// [`tensordot`] with JAX's keywords `precision` and `preferred_element_type`.
#[track_caller]
pub fn tensordot_with(
    a: impl IntoArray,
    b: impl IntoArray,
    axes: impl Into<TensordotAxes>,
    options: impl Into<DotOptions>,
) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    unwrap_at_caller(tensordot_impl(a, b, axes.into(), options.into()))
}

/// The Kronecker product (`jnp.kron`): the blocks `a[i, j, ...] * b`, for operands of any
/// ranks (the lower-ranked one gains leading axes of size 1).
#[track_caller]
pub fn kron(a: impl IntoArray, b: impl IntoArray) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    let args = unwrap_at_caller(promote(&[a.clone(), b.clone()]));
    let rank = a.ndim().max(b.ndim());
    let lead = |x: &Array| lax::expand_dims(x, &(0..rank - x.ndim()).collect::<Vec<_>>());
    let (a, b) = (lead(&args[0]), lead(&args[1]));
    // a[i, j] at axes (0, 2), b[k, l] at axes (1, 3): the product's row-major order is kron's.
    let a = lax::expand_dims(&a, &(0..rank).map(|k| 2 * k + 1).collect::<Vec<_>>());
    let b = lax::expand_dims(&b, &(0..rank).map(|k| 2 * k).collect::<Vec<_>>());
    let shape: Vec<usize> = (0..rank)
        .map(|k| a.shape()[2 * k] * b.shape()[2 * k + 1])
        .collect();
    lax::reshape(&(&a * &b), &shape)
}

/// Component `k` of the vectors along `x`'s last axis, that axis removed.
fn component(x: &Array, k: usize) -> Array {
    let last = x.ndim() - 1;
    let mut start = vec![0; x.ndim()];
    start[last] = k;
    let mut limit = x.shape().to_vec();
    limit[last] = k + 1;
    lax::squeeze(lax::slice(x, &start, &limit, None), &[last])
}

/// The cross product of the vectors along `axisa` of `a` and `axisb` of `b` (`jnp.cross`),
/// broadcasting the other axes; `axis`, when given, stands for all three axes. Vectors have 2
/// or 3 components (a 2-vector has a zero third one); the product of two 2-vectors is the
/// scalar z component, otherwise the result's vectors lie along `axisc`. Panics naming
/// `cross` and both shapes for other vector lengths.
#[track_caller]
pub fn cross(
    a: impl IntoArray,
    b: impl IntoArray,
    axisa: isize,
    axisb: isize,
    axisc: isize,
    axis: impl Into<Option<isize>>,
) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    let axis: Option<isize> = axis.into();
    let (axisa, axisb, axisc) = axis.map_or((axisa, axisb, axisc), |ax| (ax, ax, ax));
    let args = unwrap_at_caller(promote(&[a.clone(), b.clone()]));
    let vectors = |x: &Array, ax: isize| {
        let ax = unwrap_at_caller(one_axis("cross", ax, x.ndim()));
        moveaxis(x, &[ax as isize], &[-1])
    };
    let (a, b) = (vectors(&args[0], axisa), vectors(&args[1], axisb));
    let (na, nb) = (a.shape()[a.ndim() - 1], b.shape()[b.ndim() - 1]);
    assert!(
        matches!(na, 2 | 3) && matches!(nb, 2 | 3),
        "cross: the vectors must have 2 or 3 components, got operands {} and {} (axisa \
         {axisa}, axisb {axisb})",
        args[0].aval(),
        args[1].aval()
    );
    let parts = |x: &Array, n: usize| -> [Array; 3] {
        let (x0, x1) = (component(x, 0), component(x, 1));
        let x2 = if n == 3 {
            component(x, 2)
        } else {
            zeros_like(&x0, None)
        };
        [x0, x1, x2]
    };
    let [a0, a1, a2] = parts(&a, na);
    let [b0, b1, b2] = parts(&b, nb);
    let z = &a0 * &b1 - &a1 * &b0;
    if na == 2 && nb == 2 {
        return z;
    }
    let x = &a1 * &b2 - &a2 * &b1;
    let y = &a2 * &b0 - &a0 * &b2;
    let c = stack(&[&x, &y, &z], -1);
    moveaxis(&c, &[-1], &[axisc])
}
