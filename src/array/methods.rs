//! Methods on `Array` in NumPy's spirit: elementwise functions, comparisons, reductions and
//! reshaping, each a thin wrapper over `rjax::lax` with broadcasting and promotion.

use super::ops::{IntoArray, binary, compare, convert, promote_dtypes};
use crate::core::{Primitive, bind1};
use crate::lax::{self, BinaryOp, Comparison, DotDimensionNumbers, UnaryOp, unwrap_at_caller};
use crate::{Array, DType, Error, Result, numpy};

macro_rules! unary_methods {
    ($($(#[$doc:meta])* $name:ident => $op:ident),* $(,)?) => {
        impl Array {$(
            $(#[$doc])*
            #[track_caller]
            pub fn $name(&self) -> Array {
                unwrap_at_caller(bind1(Primitive::Unary(UnaryOp::$op), std::slice::from_ref(self)))
            }
        )*}
    };
}

unary_methods! {
    /// Elementwise sine.
    sin => Sin,
    /// Elementwise cosine.
    cos => Cos,
    /// Elementwise tangent.
    tan => Tan,
    /// Elementwise hyperbolic tangent.
    tanh => Tanh,
    /// Elementwise `e^x`.
    exp => Exp,
    /// Elementwise natural logarithm.
    log => Log,
    /// Elementwise square root.
    sqrt => Sqrt,
    /// Elementwise absolute value.
    abs => Abs,
    /// Elementwise sign.
    sign => Sign,
    /// Elementwise floor.
    floor => Floor,
    /// Elementwise ceiling.
    ceil => Ceil,
}

macro_rules! comparison_methods {
    ($($(#[$doc:meta])* $name:ident => $op:ident),* $(,)?) => {
        impl Array {$(
            $(#[$doc])*
            #[track_caller]
            pub fn $name(&self, other: impl IntoArray) -> Array {
                unwrap_at_caller(compare(Comparison::$op, self, &other.into_array()))
            }
        )*}
    };
}

comparison_methods! {
    /// Elementwise `self == other`, with broadcasting.
    eq => Eq,
    /// Elementwise `self != other`, with broadcasting.
    ne => Ne,
    /// Elementwise `self < other`, with broadcasting.
    lt => Lt,
    /// Elementwise `self <= other`, with broadcasting.
    le => Le,
    /// Elementwise `self > other`, with broadcasting.
    gt => Gt,
    /// Elementwise `self >= other`, with broadcasting.
    ge => Ge,
}

impl Array {
    /// The sum of all elements (`x.sum()`, the same as [`numpy::sum`]`(x, ..)`: booleans and
    /// small integers accumulate in the default integer type).
    #[track_caller]
    pub fn sum(&self) -> Array {
        numpy::sum(self, ..)
    }

    /// The sum over `axes` (`x.sum(axis=...)`, the same as [`numpy::sum`]`(x, axes)`): an
    /// axis, a list of them (negative ones count from the end), or [`numpy::Axes`] with
    /// `keepdims`.
    #[track_caller]
    pub fn sum_axes(&self, axes: impl Into<numpy::Axes>) -> Array {
        numpy::sum(self, axes)
    }

    /// The arithmetic mean of all elements (`x.mean()`, the same as [`numpy::mean`]`(x, ..)`).
    #[track_caller]
    pub fn mean(&self) -> Array {
        numpy::mean(self, ..)
    }

    /// The largest element (`x.max()`, the same as [`numpy::max`]`(x, ..)`; an empty array
    /// has none, and panics as JAX raises).
    #[track_caller]
    pub fn max(&self) -> Array {
        numpy::max(self, ..)
    }

    /// The smallest element (`x.min()`, the same as [`numpy::min`]`(x, ..)`).
    #[track_caller]
    pub fn min(&self) -> Array {
        numpy::min(self, ..)
    }

    /// Elementwise maximum with `other`, with broadcasting.
    #[track_caller]
    pub fn maximum(&self, other: impl IntoArray) -> Array {
        unwrap_at_caller(binary(BinaryOp::Max, self, &other.into_array()))
    }

    /// Elementwise minimum with `other`, with broadcasting.
    #[track_caller]
    pub fn minimum(&self, other: impl IntoArray) -> Array {
        unwrap_at_caller(binary(BinaryOp::Min, self, &other.into_array()))
    }

    /// Elementwise `self ** exponent`, with broadcasting.
    #[track_caller]
    pub fn pow(&self, exponent: impl IntoArray) -> Array {
        unwrap_at_caller(binary(BinaryOp::Pow, self, &exponent.into_array()))
    }

    /// The array converted to `dtype`. As in JAX, without x64 a 64-bit `dtype` stands for its
    /// 32-bit counterpart (`astype(DType::F64)` gives `float32`).
    #[track_caller]
    pub fn astype(&self, dtype: DType) -> Array {
        let dtype = crate::promotion::canonicalize(dtype, crate::config::x64_enabled());
        unwrap_at_caller(convert(self, dtype, false))
    }

    /// The same elements in shape `shape` (row-major).
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Array {
        lax::reshape(self, shape)
    }

    /// The real part (`x.real`; a real array unchanged), as [`numpy::real`].
    #[track_caller]
    pub fn real(&self) -> Array {
        numpy::real(self)
    }

    /// The imaginary part (`x.imag`; zeros for a real array), as [`numpy::imag`].
    #[track_caller]
    pub fn imag(&self) -> Array {
        numpy::imag(self)
    }

    /// The complex conjugate (`x.conj()`; a real array unchanged), as [`numpy::conjugate`].
    #[track_caller]
    pub fn conj(&self) -> Array {
        numpy::conjugate(self)
    }

    /// The transpose: the axes reversed.
    #[track_caller]
    pub fn t(&self) -> Array {
        let permutation: Vec<usize> = (0..self.ndim()).rev().collect();
        lax::transpose(self, &permutation)
    }

    /// The matrix product, with NumPy's rules for 1-D operands (a vector on the left is a row,
    /// on the right a column, and that dimension is dropped from the result).
    #[track_caller]
    pub fn matmul(&self, other: &Array) -> Array {
        unwrap_at_caller(matmul(self, other))
    }
}

fn matmul(x: &Array, y: &Array) -> Result<Array> {
    if x.ndim() == 0 || y.ndim() == 0 || x.ndim() > 2 || y.ndim() > 2 {
        return Err(Error::invalid(
            "matmul",
            format!(
                "operands must have rank 1 or 2, got {} and {}",
                x.aval(),
                y.aval()
            ),
        ));
    }
    if x.shape()[x.ndim() - 1] != y.shape()[0] {
        return Err(Error::invalid(
            "matmul",
            format!(
                "the contracting dimensions of {} and {} differ",
                x.aval(),
                y.aval()
            ),
        ));
    }
    let args = promote_dtypes(&[x, y])?;
    let numbers = DotDimensionNumbers {
        lhs_contracting: vec![x.ndim() - 1],
        rhs_contracting: vec![0],
        ..DotDimensionNumbers::default()
    };
    let options = crate::lax::DotOptions::default().or_default_precision();
    bind1(options.primitive(numbers), &args)
}
