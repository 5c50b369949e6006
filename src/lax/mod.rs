//! `rjax::lax`: the primitives with JAX's names and parameters (JAX's `jax.lax`).
//!
//! These functions are strict, as in JAX: operands of binary operations must already share a
//! shape and dtype; a scalar operand broadcasts, and a Rust number is a weakly typed scalar of
//! its kind's default dtype (`float32`, `int32` without x64), as a Python scalar is in JAX.
//! The operators on [`Array`] add NumPy broadcasting and type promotion.
//!
//! ## Calling conventions
//! The crate's conventions (see the crate documentation), with JAX's `lax` signatures:
//! - **Arrays by value or by reference.** Array arguments are `impl` [`IntoArray`]: an
//!   `Array`, a `&Array` or a Rust number: `lax::exp(&x)`, `lax::exp(x)`, `lax::add(&x, 1.0)`.
//!   Lists of arrays (`sort`, `concatenate`, `select_n`, the start indices of
//!   `dynamic_slice`) take any list of them: `[&x, &y]`, `&[&x, &y]`, `&[x, y]`,
//!   `vec![x, y]`, an iterator. A function used as a value is wrapped in a closure:
//!   `let f: fn(&Array) -> Array = |x| lax::exp(x);`.
//! - **Keywords.** JAX's required arguments stay positional (`argmax(x, axis, index_dtype)`,
//!   `reduce_sum(x, axes)`); where JAX has keywords with defaults, the plain form has JAX's
//!   defaults and the `_with` form takes an options struct with `Default` and builder methods:
//!   `sort`/`sort_with` ([`SortOptions`]: `dimension=-1, is_stable=True, num_keys=1`),
//!   `sort_key_val`/`sort_key_val_with`, `cumsum`/`cumsum_with` and its siblings
//!   ([`CumulativeOptions`]: `axis=0, reverse=False`), `top_k`/`top_k_along` (`axis=-1`),
//!   `dot_general`/`dot_general_with` ([`DotOptions`], [`Precision`]), `associative_scan`/
//!   `associative_scan_with` ([`AssociativeScanOptions`]), and in `jax.lax.linalg`
//!   `cholesky`/`cholesky_with` ([`CholeskyOptions`]: `symmetrize_input=True`),
//!   `triangular_solve`/`triangular_solve_with` ([`TriangularSolveOptions`]: all `False`),
//!   `qr`/`qr_with` ([`QrOptions`]: `full_matrices=True`), `eigh`/`eigh_with`
//!   ([`EighOptions`]: `lower=True, symmetrize_input=True, sort_eigenvalues=True`),
//!   `eig`/`eig_with` ([`EigOptions`]) and `schur`/`schur_with` ([`SchurOptions`]). Negative
//!   dimensions count from the end where JAX accepts them (`sort`, the cumulative reductions,
//!   `top_k`, `associative_scan`). `iota(dtype, size)` is JAX's 1-D `lax.iota`;
//!   [`broadcasted_iota`] is `lax.broadcasted_iota(dtype, shape, dimension)`.
//!
//! Misuse (a shape or dtype that does not fit) is a programmer error and panics at trace time
//! with a message naming the operation, the types and the caller's line; a failure of the
//! eager runtime (a device out of memory) panics with PJRT's message.

pub(crate) mod associative_scan;
pub(crate) mod call_batching;
pub(crate) mod complex;
pub(crate) mod dot;
pub(crate) mod dot_ad;
pub(crate) mod dot_batch;
pub(crate) mod dot_precision;
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
pub(crate) mod linalg_options;
mod ordering;
pub(crate) mod ordering_ad;
pub(crate) mod ordering_batch;
pub(crate) mod ordering_options;
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
pub use associative_scan::{AssociativeScanOptions, associative_scan, associative_scan_with};
pub use complex::{ComplexOp, complex, conj, imag, real};
pub use dot::{DotDimensionNumbers, DotOptions};
pub use dot_precision::{OperandPrecision, Precision};
pub use elementwise::{BinaryOp, Comparison, UnaryOp};
pub use ffi_call::{FfiCallOp, VmapMethod};
pub use indexing::*;
pub use linalg::*;
pub use linalg_kernels::{
    eig, eig_with, geqrf, hessenberg, householder_product, lu, schur, schur_with,
};
pub use linalg_options::{
    CholeskyOptions, EigOptions, EighOptions, QrOptions, SchurOptions, TriangularSolveOptions,
};
pub use ordering::*;
pub use ordering_options::{CumulativeOptions, SortOptions};
pub use reduction::ReduceOp;
pub use top_k::{top_k, top_k_along};

use crate::core::{Primitive, bind1_consuming};
use crate::{Array, DType, IntoArray, Result};

/// Binds a one-output primitive, panicking with the error and the caller's location.
#[track_caller]
pub(crate) fn apply(primitive: Primitive, args: &[&Array]) -> Array {
    let args: Vec<Array> = args.iter().map(|&a| a.clone()).collect();
    apply_owned(primitive, args)
}

/// [`apply`] on arguments given up (the functions' by-value operands): evaluated eagerly, the
/// result may take the buffer of one that nothing else holds.
#[track_caller]
pub(crate) fn apply_owned(primitive: Primitive, args: impl Into<Vec<Array>>) -> Array {
    unwrap_at_caller(bind1_consuming(primitive, args.into()))
}

/// The arrays of a list argument: `[x, y]`, `&[&x, &y]`, `&[x, y]`, `vec![x, y]`, a slice of
/// arrays or of references, an iterator.
pub(crate) fn arrays(operands: impl IntoIterator<Item = impl IntoArray>) -> Vec<Array> {
    operands.into_iter().map(IntoArray::into_array).collect()
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
        pub fn $name(x: impl IntoArray) -> Array {
            apply_owned(Primitive::Unary(UnaryOp::$op), [x.into_array()])
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
        pub fn $name(x: impl IntoArray, y: impl IntoArray) -> Array {
            apply_owned(Primitive::Binary(BinaryOp::$op), [x.into_array(), y.into_array()])
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
        pub fn $name(x: impl IntoArray, y: impl IntoArray) -> Array {
            apply_owned(Primitive::Compare(Comparison::$op), [x.into_array(), y.into_array()])
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
pub fn is_finite(x: impl IntoArray) -> Array {
    apply_owned(Primitive::IsFinite, [x.into_array()])
}

/// `cases[which]` elementwise; `which` is bool (two cases) or int32. `cases` is any list of
/// arrays (`&[&a, &b]`, `[a, b]`, a `Vec`).
#[track_caller]
pub fn select_n(which: impl IntoArray, cases: impl IntoIterator<Item = impl IntoArray>) -> Array {
    let mut args = vec![which.into_array()];
    args.extend(arrays(cases));
    apply_owned(Primitive::SelectN, args)
}

/// `min(max(x, low), high)` elementwise.
#[track_caller]
pub fn clamp(low: impl IntoArray, x: impl IntoArray, high: impl IntoArray) -> Array {
    let args = [low.into_array(), x.into_array(), high.into_array()];
    apply_owned(Primitive::Clamp, args)
}

/// `x ** y` for a fixed integer exponent.
#[track_caller]
pub fn integer_pow(x: impl IntoArray, y: i32) -> Array {
    apply_owned(Primitive::IntegerPow { y }, [x.into_array()])
}

/// Elementwise conversion to `dtype` (strongly typed).
#[track_caller]
pub fn convert_element_type(x: impl IntoArray, dtype: DType) -> Array {
    apply_owned(
        Primitive::ConvertElementType {
            new_dtype: dtype,
            weak_type: false,
        },
        [x.into_array()],
    )
}

/// Reinterprets the bytes of `x`'s elements as `dtype`: a narrower dtype adds a trailing
/// dimension (`f32[3]` as `u8` is `u8[3,4]`), a wider one consumes it.
#[track_caller]
pub fn bitcast_convert_type(x: impl IntoArray, dtype: DType) -> Array {
    apply_owned(
        Primitive::BitcastConvertType { new_dtype: dtype },
        [x.into_array()],
    )
}

/// Broadcasts `x` to `shape`; operand dimension `i` becomes dimension `broadcast_dimensions[i]`.
#[track_caller]
pub fn broadcast_in_dim(
    x: impl IntoArray,
    shape: &[usize],
    broadcast_dimensions: &[usize],
) -> Array {
    apply_owned(
        Primitive::BroadcastInDim {
            shape: shape.to_vec(),
            broadcast_dimensions: broadcast_dimensions.to_vec(),
        },
        [x.into_array()],
    )
}

/// Reshapes `x` (row-major) to `new_sizes`.
#[track_caller]
pub fn reshape(x: impl IntoArray, new_sizes: &[usize]) -> Array {
    apply_owned(
        Primitive::Reshape {
            new_sizes: new_sizes.to_vec(),
        },
        [x.into_array()],
    )
}

/// Permutes the dimensions of `x`: result dimension `i` is `x`'s dimension `permutation[i]`.
#[track_caller]
pub fn transpose(x: impl IntoArray, permutation: &[usize]) -> Array {
    apply_owned(
        Primitive::Transpose {
            permutation: permutation.to_vec(),
        },
        [x.into_array()],
    )
}

/// Removes the size-1 `dimensions` of `x`.
#[track_caller]
pub fn squeeze(x: impl IntoArray, dimensions: &[usize]) -> Array {
    apply_owned(
        Primitive::Squeeze {
            dimensions: dimensions.to_vec(),
        },
        [x.into_array()],
    )
}

/// Inserts size-1 dimensions at `dimensions` of the result.
#[track_caller]
pub fn expand_dims(x: impl IntoArray, dimensions: &[usize]) -> Array {
    apply_owned(
        Primitive::ExpandDims {
            dimensions: dimensions.to_vec(),
        },
        [x.into_array()],
    )
}

/// The vector `[0, 1, ..., size - 1]` of `dtype` (`lax.iota`).
#[track_caller]
pub fn iota(dtype: DType, size: usize) -> Array {
    broadcasted_iota(dtype, &[size], 0)
}

/// The indices `0, 1, ...` along `dimension` of an array of `shape`
/// (`lax.broadcasted_iota`).
#[track_caller]
pub fn broadcasted_iota(dtype: DType, shape: &[usize], dimension: usize) -> Array {
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
    x: impl IntoArray,
    start_indices: &[usize],
    limit_indices: &[usize],
    strides: Option<&[usize]>,
) -> Array {
    let strides = strides.map_or_else(|| vec![1; start_indices.len()], <[usize]>::to_vec);
    apply_owned(
        Primitive::Slice {
            start_indices: start_indices.to_vec(),
            limit_indices: limit_indices.to_vec(),
            strides,
        },
        [x.into_array()],
    )
}

/// Joins `operands` (any list of arrays: `&[&a, &b]`, `[a, b]`, a `Vec`) along `dimension`.
#[track_caller]
pub fn concatenate(operands: impl IntoIterator<Item = impl IntoArray>, dimension: usize) -> Array {
    apply_owned(Primitive::Concatenate { dimension }, arrays(operands))
}

macro_rules! reductions {
    ($($(#[$doc:meta])* $name:ident => $op:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $name(x: impl IntoArray, axes: &[usize]) -> Array {
            apply_owned(Primitive::Reduce { op: ReduceOp::$op, axes: axes.to_vec() }, [x.into_array()])
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

/// The general tensor contraction (`lax.dot_general(lhs, rhs, dimension_numbers)`), with a
/// result of the operands' dtype. See [`dot_general_with`] for JAX's keywords.
#[track_caller]
pub fn dot_general(
    lhs: impl IntoArray,
    rhs: impl IntoArray,
    dimension_numbers: DotDimensionNumbers,
) -> Array {
    dot_general_with(lhs, rhs, dimension_numbers, DotOptions::default())
}

/// [`dot_general`] with JAX's keywords (`preferred_element_type`, `precision`). A `None`
/// precision takes [`config::default_matmul_precision`](crate::config::default_matmul_precision),
/// as JAX's does.
#[track_caller]
pub fn dot_general_with(
    lhs: impl IntoArray,
    rhs: impl IntoArray,
    dimension_numbers: DotDimensionNumbers,
    options: DotOptions,
) -> Array {
    apply_owned(
        options.or_default_precision().primitive(dimension_numbers),
        [lhs.into_array(), rhs.into_array()],
    )
}

/// A distinct copy of `x`.
#[track_caller]
pub fn copy(x: impl IntoArray) -> Array {
    apply_owned(Primitive::Copy, [x.into_array()])
}
