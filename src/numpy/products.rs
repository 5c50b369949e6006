//! Products, as in `jax.numpy`: `matmul` (NumPy's batched and 1-D rules), `dot`, `vdot`,
//! `inner`, `outer`, `trace`.

use super::{axis as one_axis, broadcast_array, promote, ravel, sum};
use crate::array::broadcast_shapes;
use crate::lax::{self, DotDimensionNumbers, unwrap_at_caller};
use crate::{Array, Error, Result};

/// `dot_general` on promoted operands.
fn dot_general(x: &Array, y: &Array, numbers: DotDimensionNumbers) -> Array {
    let args = unwrap_at_caller(promote(&[x.clone(), y.clone()]));
    lax::dot_general(&args[0], &args[1], numbers, None)
}

fn matmul_impl(a: &Array, b: &Array) -> Result<Array> {
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
    let batch = broadcast_shapes(&[&a2.shape()[..ar - 2], &b2.shape()[..br - 2]])
        .ok_or_else(|| Error::invalid("matmul", "batch shapes do not broadcast".to_string()))?;
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
    let out = dot_general(&a3, &b3, numbers);
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
pub fn matmul(a: &Array, b: &Array) -> Array {
    unwrap_at_caller(matmul_impl(a, b))
}

/// The dot product (`jnp.dot`): a product with a scalar; the inner product of vectors; else
/// a sum over `a`'s last axis and `b`'s second to last (its only, for a vector).
#[track_caller]
pub fn dot(a: &Array, b: &Array) -> Array {
    if a.ndim() == 0 || b.ndim() == 0 {
        return a * b;
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
    )
}

/// The dot product of the flattened arrays (`jnp.vdot`, for real arrays).
#[track_caller]
pub fn vdot(a: &Array, b: &Array) -> Array {
    dot(&ravel(a), &ravel(b))
}

/// The sum over the last axes of both (`jnp.inner`); a scalar operand multiplies.
#[track_caller]
pub fn inner(a: &Array, b: &Array) -> Array {
    if a.ndim() == 0 || b.ndim() == 0 {
        return a * b;
    }
    dot_general(
        a,
        b,
        DotDimensionNumbers {
            lhs_contracting: vec![a.ndim() - 1],
            rhs_contracting: vec![b.ndim() - 1],
            ..DotDimensionNumbers::default()
        },
    )
}

/// The outer product of the flattened arrays (`jnp.outer`).
#[track_caller]
pub fn outer(a: &Array, b: &Array) -> Array {
    let a = ravel(a);
    let b = ravel(b);
    lax::reshape(&a, &[a.size(), 1]) * lax::reshape(&b, &[1, b.size()])
}

/// The sum along diagonal `offset` of the 2-D slices over `axis1` and `axis2` (`jnp.trace`).
#[track_caller]
pub fn trace(x: &Array, offset: isize, axis1: isize, axis2: isize) -> Array {
    let a1 = unwrap_at_caller(one_axis("trace", axis1, x.ndim()));
    let a2 = unwrap_at_caller(one_axis("trace", axis2, x.ndim()));
    assert!(a1 != a2, "trace: axis1 and axis2 must differ");
    let int = super::default_int();
    let rows = lax::iota(int, x.shape(), a1);
    let cols = lax::iota(int, x.shape(), a2);
    let mask = (cols - rows).eq(offset as i64);
    let zero = super::zeros_like(x, None);
    let picked = lax::select_n(&mask, &[&zero, x]);
    sum(&picked, Some(&[a1 as isize, a2 as isize]), false)
}
