//! Small `Result`-returning constructors that differentiation and transposition rules are
//! written with. Unlike the public `lax` functions they do not panic and do no promotion: rules
//! call them on operands whose types already fit.

use crate::core::{Primitive, bind1};
use crate::lax::{BinaryOp, Comparison, ReduceOp, UnaryOp};
use crate::scalar::Scalar;
use crate::{Array, DType, Result};

/// `op(x)`.
pub(crate) fn unary(op: UnaryOp, x: &Array) -> Result<Array> {
    bind1(Primitive::Unary(op), std::slice::from_ref(x))
}

/// `op(x, y)`; either may be a scalar of the same dtype.
pub(crate) fn binary(op: BinaryOp, x: &Array, y: &Array) -> Result<Array> {
    bind1(Primitive::Binary(op), &[x.clone(), y.clone()])
}

/// `x + y`.
pub(crate) fn add(x: &Array, y: &Array) -> Result<Array> {
    binary(BinaryOp::Add, x, y)
}

/// `x - y`.
pub(crate) fn sub(x: &Array, y: &Array) -> Result<Array> {
    binary(BinaryOp::Sub, x, y)
}

/// `x * y`.
pub(crate) fn mul(x: &Array, y: &Array) -> Result<Array> {
    binary(BinaryOp::Mul, x, y)
}

/// `x / y`.
pub(crate) fn div(x: &Array, y: &Array) -> Result<Array> {
    binary(BinaryOp::Div, x, y)
}

/// `-x`.
pub(crate) fn neg(x: &Array) -> Result<Array> {
    unary(UnaryOp::Neg, x)
}

/// The comparison `op(x, y)`.
pub(crate) fn compare(op: Comparison, x: &Array, y: &Array) -> Result<Array> {
    bind1(Primitive::Compare(op), &[x.clone(), y.clone()])
}

/// `x` converted to `dtype` (strongly typed).
pub(crate) fn convert(x: &Array, dtype: DType) -> Result<Array> {
    crate::array::convert(x, dtype, false)
}

/// A rank-0 constant `value` of `like`'s dtype.
pub(crate) fn scalar_like(like: &Array, value: f64) -> Result<Array> {
    crate::array::convert(&Array::weak(Scalar::Float(value)), like.dtype(), false)
}

/// `value * x`, for a constant `value`.
pub(crate) fn scale(x: &Array, value: f64) -> Result<Array> {
    mul(x, &scalar_like(x, value)?)
}

/// `select_n(which, cases)`.
pub(crate) fn select_n(which: &Array, cases: &[Array]) -> Result<Array> {
    let mut args = vec![which.clone()];
    args.extend_from_slice(cases);
    bind1(Primitive::SelectN, &args)
}

/// `x` broadcast to `shape` with its dimensions at `dims`.
pub(crate) fn broadcast_in_dim(x: &Array, shape: &[usize], dims: &[usize]) -> Result<Array> {
    bind1(
        Primitive::BroadcastInDim {
            shape: shape.to_vec(),
            broadcast_dimensions: dims.to_vec(),
        },
        std::slice::from_ref(x),
    )
}

/// `x` reshaped to `shape`, skipped when it already has it.
pub(crate) fn reshape(x: &Array, shape: &[usize]) -> Result<Array> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    bind1(
        Primitive::Reshape {
            new_sizes: shape.to_vec(),
        },
        std::slice::from_ref(x),
    )
}

/// The dimensions of `x` permuted (skipped for the identity permutation).
pub(crate) fn transpose(x: &Array, permutation: &[usize]) -> Result<Array> {
    if permutation.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(x.clone());
    }
    bind1(
        Primitive::Transpose {
            permutation: permutation.to_vec(),
        },
        std::slice::from_ref(x),
    )
}

/// The sum of `x` over `axes`, skipped when there are none.
pub(crate) fn reduce_sum(x: &Array, axes: &[usize]) -> Result<Array> {
    if axes.is_empty() {
        return Ok(x.clone());
    }
    bind1(
        Primitive::Reduce {
            op: ReduceOp::Sum,
            axes: axes.to_vec(),
        },
        std::slice::from_ref(x),
    )
}

/// `ct` summed down to `shape` (undoing the implicit broadcast of a scalar operand).
pub(crate) fn unbroadcast(ct: &Array, shape: &[usize]) -> Result<Array> {
    if ct.shape() == shape {
        return Ok(ct.clone());
    }
    let all: Vec<usize> = (0..ct.ndim()).collect();
    reshape(&reduce_sum(ct, &all)?, shape)
}
