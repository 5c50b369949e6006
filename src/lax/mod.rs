//! `rjax::lax`: the primitives with JAX's names and parameters (JAX's `jax.lax`).
//!
//! These functions are strict, as in JAX: operands of binary operations must already share a
//! shape and dtype. The operators on [`Array`] add NumPy broadcasting and type promotion.
//!
//! Misuse (a shape or dtype that does not fit) is a programmer error and panics at trace time
//! with a message naming the operation, the types and the caller's line; a failure of the
//! eager runtime (a device out of memory) panics with PJRT's message.

pub(crate) mod associative_scan;
pub(crate) mod call_batching;
pub(crate) mod dot;
pub(crate) mod dot_ad;
pub(crate) mod dot_batch;
pub(crate) mod elementwise;
pub(crate) mod elementwise_ad;
pub(crate) mod elementwise_batch;
pub(crate) mod ffi_call;
mod indexing;
pub(crate) mod indexing_ad;
pub(crate) mod indexing_batch;
mod linalg;
pub(crate) mod linalg_ad;
pub(crate) mod linalg_batch;
mod linalg_kernels;
mod ordering;
pub(crate) mod ordering_ad;
pub(crate) mod ordering_batch;
pub(crate) mod reduction;
pub(crate) mod reduction_ad;
pub(crate) mod reduction_batch;
pub(crate) mod rules;
pub(crate) mod structural;
pub(crate) mod structural_ad;
pub(crate) mod structural_batch;
mod top_k;

pub use crate::control_flow::{
    cond, fori_loop, fori_loop_dynamic, map, scan, scan_with, select, switch, while_loop,
};
pub use crate::random::rng_bit_generator;
pub use associative_scan::associative_scan;
pub use dot::DotDimensionNumbers;
pub use elementwise::{BinaryOp, Comparison, UnaryOp};
pub use ffi_call::{FfiCallOp, VmapMethod};
pub use indexing::*;
pub use linalg::*;
pub use linalg_kernels::{eig, geqrf, hessenberg, householder_product, lu, schur};
pub use ordering::*;
pub use reduction::ReduceOp;
pub use top_k::{top_k, top_k_along};

use crate::core::{Primitive, bind1};
use crate::{Array, DType, Result};

/// Binds a one-output primitive, panicking with the error and the caller's location.
#[track_caller]
pub(crate) fn apply(primitive: Primitive, args: &[&Array]) -> Array {
    let args: Vec<Array> = args.iter().map(|&a| a.clone()).collect();
    unwrap_at_caller(bind1(primitive, &args))
}

/// The value, or a panic that shows the error at the caller's line.
#[track_caller]
pub(crate) fn unwrap_at_caller<T>(result: Result<T>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{error}"),
    }
}

macro_rules! unary_functions {
    ($($(#[$doc:meta])* $name:ident => $op:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $name(x: &Array) -> Array {
            apply(Primitive::Unary(UnaryOp::$op), &[x])
        }
    )*};
}

unary_functions! {
    /// Elementwise `-x`.
    neg => Neg,
    /// Elementwise sign.
    sign => Sign,
    /// Elementwise floor.
    floor => Floor,
    /// Elementwise ceiling.
    ceil => Ceil,
    /// Elementwise rounding, halves away from zero.
    round => Round,
    /// Elementwise absolute value.
    abs => Abs,
    /// Elementwise `e^x`.
    exp => Exp,
    /// Elementwise `2^x`.
    exp2 => Exp2,
    /// Elementwise natural logarithm.
    log => Log,
    /// Elementwise `ln(1 + x)`.
    log1p => Log1p,
    /// Elementwise `e^x - 1`.
    expm1 => Expm1,
    /// Elementwise square root.
    sqrt => Sqrt,
    /// Elementwise reciprocal square root.
    rsqrt => Rsqrt,
    /// Elementwise cube root.
    cbrt => Cbrt,
    /// Elementwise sine.
    sin => Sin,
    /// Elementwise cosine.
    cos => Cos,
    /// Elementwise tangent.
    tan => Tan,
    /// Elementwise arc sine.
    asin => Asin,
    /// Elementwise arc cosine.
    acos => Acos,
    /// Elementwise arc tangent.
    atan => Atan,
    /// Elementwise hyperbolic sine.
    sinh => Sinh,
    /// Elementwise hyperbolic cosine.
    cosh => Cosh,
    /// Elementwise hyperbolic tangent.
    tanh => Tanh,
    /// Elementwise inverse hyperbolic sine.
    asinh => Asinh,
    /// Elementwise inverse hyperbolic cosine.
    acosh => Acosh,
    /// Elementwise inverse hyperbolic tangent.
    atanh => Atanh,
    /// Elementwise logistic sigmoid.
    logistic => Logistic,
    /// Elementwise error function.
    erf => Erf,
    /// Elementwise complementary error function.
    erfc => Erfc,
    /// Elementwise inverse error function.
    erf_inv => ErfInv,
    /// Elementwise `ln |Γ(x)|`.
    lgamma => Lgamma,
    /// Elementwise digamma function.
    digamma => Digamma,
    /// Elementwise exponentially scaled modified Bessel function of order 1, `e^-|x| I₁(x)`.
    bessel_i1e => BesselI1e,
    /// Elementwise logical or bitwise not.
    not => Not,
}

macro_rules! binary_functions {
    ($($(#[$doc:meta])* $name:ident => $op:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $name(x: &Array, y: &Array) -> Array {
            apply(Primitive::Binary(BinaryOp::$op), &[x, y])
        }
    )*};
}

binary_functions! {
    /// Elementwise `x + y`.
    add => Add,
    /// Elementwise `x - y`.
    sub => Sub,
    /// Elementwise `x * y`.
    mul => Mul,
    /// Elementwise `x / y`.
    div => Div,
    /// Elementwise remainder, with the sign of `x`.
    rem => Rem,
    /// Elementwise `x ** y`.
    pow => Pow,
    /// Elementwise maximum.
    max => Max,
    /// Elementwise minimum.
    min => Min,
    /// Elementwise two-argument arc tangent.
    atan2 => Atan2,
    /// Elementwise next representable value after `x` toward `y`.
    nextafter => NextAfter,
    /// Elementwise polygamma ψ⁽ᵐ⁾(x) of order `m` (the first operand).
    polygamma => Polygamma,
    /// Elementwise Hurwitz zeta function ζ(x, q).
    zeta => Zeta,
    /// Elementwise logical or bitwise and.
    bitwise_and => And,
    /// Elementwise logical or bitwise or.
    bitwise_or => Or,
    /// Elementwise logical or bitwise xor.
    bitwise_xor => Xor,
    /// Elementwise `x << y`.
    shift_left => ShiftLeft,
    /// Elementwise logical `x >> y`.
    shift_right_logical => ShiftRightLogical,
    /// Elementwise arithmetic `x >> y`.
    shift_right_arithmetic => ShiftRightArithmetic,
}

macro_rules! comparison_functions {
    ($($(#[$doc:meta])* $name:ident => $op:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $name(x: &Array, y: &Array) -> Array {
            apply(Primitive::Compare(Comparison::$op), &[x, y])
        }
    )*};
}

comparison_functions! {
    /// Elementwise `x == y`.
    eq => Eq,
    /// Elementwise `x != y`.
    ne => Ne,
    /// Elementwise `x < y`.
    lt => Lt,
    /// Elementwise `x <= y`.
    le => Le,
    /// Elementwise `x > y`.
    gt => Gt,
    /// Elementwise `x >= y`.
    ge => Ge,
}

/// Whether each element is finite.
#[track_caller]
pub fn is_finite(x: &Array) -> Array {
    apply(Primitive::IsFinite, &[x])
}

/// `cases[which]` elementwise; `which` is bool (two cases) or int32.
#[track_caller]
pub fn select_n(which: &Array, cases: &[&Array]) -> Array {
    let mut args = vec![which];
    args.extend_from_slice(cases);
    apply(Primitive::SelectN, &args)
}

/// `min(max(x, low), high)` elementwise.
#[track_caller]
pub fn clamp(low: &Array, x: &Array, high: &Array) -> Array {
    apply(Primitive::Clamp, &[low, x, high])
}

/// `x ** y` for a fixed integer exponent.
#[track_caller]
pub fn integer_pow(x: &Array, y: i32) -> Array {
    apply(Primitive::IntegerPow { y }, &[x])
}

/// Elementwise conversion to `dtype` (strongly typed).
#[track_caller]
pub fn convert_element_type(x: &Array, dtype: DType) -> Array {
    apply(
        Primitive::ConvertElementType {
            new_dtype: dtype,
            weak_type: false,
        },
        &[x],
    )
}

/// Reinterprets the bytes of `x`'s elements as `dtype`: a narrower dtype adds a trailing
/// dimension (`f32[3]` as `u8` is `u8[3,4]`), a wider one consumes it.
#[track_caller]
pub fn bitcast_convert_type(x: &Array, dtype: DType) -> Array {
    apply(Primitive::BitcastConvertType { new_dtype: dtype }, &[x])
}

/// Broadcasts `x` to `shape`; operand dimension `i` becomes dimension `broadcast_dimensions[i]`.
#[track_caller]
pub fn broadcast_in_dim(x: &Array, shape: &[usize], broadcast_dimensions: &[usize]) -> Array {
    apply(
        Primitive::BroadcastInDim {
            shape: shape.to_vec(),
            broadcast_dimensions: broadcast_dimensions.to_vec(),
        },
        &[x],
    )
}

/// Reshapes `x` (row-major) to `new_sizes`.
#[track_caller]
pub fn reshape(x: &Array, new_sizes: &[usize]) -> Array {
    apply(
        Primitive::Reshape {
            new_sizes: new_sizes.to_vec(),
        },
        &[x],
    )
}

/// Permutes the dimensions of `x`: result dimension `i` is `x`'s dimension `permutation[i]`.
#[track_caller]
pub fn transpose(x: &Array, permutation: &[usize]) -> Array {
    apply(
        Primitive::Transpose {
            permutation: permutation.to_vec(),
        },
        &[x],
    )
}

/// Removes the size-1 `dimensions` of `x`.
#[track_caller]
pub fn squeeze(x: &Array, dimensions: &[usize]) -> Array {
    apply(
        Primitive::Squeeze {
            dimensions: dimensions.to_vec(),
        },
        &[x],
    )
}

/// Inserts size-1 dimensions at `dimensions` of the result.
#[track_caller]
pub fn expand_dims(x: &Array, dimensions: &[usize]) -> Array {
    apply(
        Primitive::ExpandDims {
            dimensions: dimensions.to_vec(),
        },
        &[x],
    )
}

/// The indices `0, 1, ...` along `dimension` of an array of `shape`.
#[track_caller]
pub fn iota(dtype: DType, shape: &[usize], dimension: usize) -> Array {
    apply(
        Primitive::Iota {
            dtype,
            shape: shape.to_vec(),
            dimension,
        },
        &[],
    )
}

/// The strided slice `start..limit` by `strides` (all ones if `None`).
#[track_caller]
pub fn slice(
    x: &Array,
    start_indices: &[usize],
    limit_indices: &[usize],
    strides: Option<&[usize]>,
) -> Array {
    let strides = strides.map_or_else(|| vec![1; start_indices.len()], <[usize]>::to_vec);
    apply(
        Primitive::Slice {
            start_indices: start_indices.to_vec(),
            limit_indices: limit_indices.to_vec(),
            strides,
        },
        &[x],
    )
}

/// Joins `operands` along `dimension`.
#[track_caller]
pub fn concatenate(operands: &[&Array], dimension: usize) -> Array {
    apply(Primitive::Concatenate { dimension }, operands)
}

macro_rules! reductions {
    ($($(#[$doc:meta])* $name:ident => $op:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $name(x: &Array, axes: &[usize]) -> Array {
            apply(Primitive::Reduce { op: ReduceOp::$op, axes: axes.to_vec() }, &[x])
        }
    )*};
}

reductions! {
    /// The sum over `axes`.
    reduce_sum => Sum,
    /// The product over `axes`.
    reduce_prod => Prod,
    /// The maximum over `axes`.
    reduce_max => Max,
    /// The minimum over `axes`.
    reduce_min => Min,
    /// Logical/bitwise and over `axes`.
    reduce_and => And,
    /// Logical/bitwise or over `axes`.
    reduce_or => Or,
}

/// The general tensor contraction.
#[track_caller]
pub fn dot_general(
    lhs: &Array,
    rhs: &Array,
    dimension_numbers: DotDimensionNumbers,
    preferred_element_type: Option<DType>,
) -> Array {
    apply(
        Primitive::DotGeneral {
            dimension_numbers,
            preferred_element_type,
        },
        &[lhs, rhs],
    )
}

/// A distinct copy of `x`.
#[track_caller]
pub fn copy(x: &Array) -> Array {
    apply(Primitive::Copy, &[x])
}
