//! NumPy semantics on top of the strict primitives: type promotion (JAX's lattice, weak types
//! included), broadcasting, and Rust's operators (`+ - * / %`, unary `-`) on `Array`, `&Array`
//! and Rust numbers, which are weakly typed as Python scalars are in JAX.

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::core::{Primitive, bind1, bind1_consuming};
use crate::lax::{BinaryOp, Comparison, UnaryOp, unwrap_at_caller};
use crate::promotion::result_type;
use crate::scalar::Scalar;
use crate::{Array, DType, Error, Result, config};

/// A value usable where an array is expected: arrays, and Rust numbers (weakly typed).
pub trait IntoArray {
    /// The array.
    fn into_array(self) -> Array;
}

impl IntoArray for Array {
    fn into_array(self) -> Array {
        self
    }
}

/// A reference to anything usable as an array: `&Array`, and also `&&Array` and `&f32`, so
/// that `&[&x, &y]` and `&[1.0, 2.0]` are lists of arrays as `[x, y]` is.
impl<T: IntoArray + Clone> IntoArray for &T {
    fn into_array(self) -> Array {
        self.clone().into_array()
    }
}

macro_rules! weak_numbers {
    ($($ty:ty => $variant:ident as $as:ty),*) => {$(
        impl IntoArray for $ty {
            fn into_array(self) -> Array {
                Array::weak(Scalar::$variant(self as $as))
            }
        }
    )*};
}

weak_numbers!(f32 => Float as f64, f64 => Float as f64, i32 => Int as i64, i64 => Int as i64, u32 => UInt as u64, u64 => UInt as u64, usize => UInt as u64);

impl IntoArray for bool {
    fn into_array(self) -> Array {
        Array::weak(Scalar::Bool(self))
    }
}

/// NumPy's broadcast of `shapes`, or `None` if they are incompatible.
pub(crate) fn broadcast_shapes(shapes: &[&[usize]]) -> Option<Vec<usize>> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut result = vec![1; rank];
    for shape in shapes {
        for (i, &size) in shape.iter().enumerate() {
            let slot = &mut result[rank - shape.len() + i];
            match (*slot, size) {
                (a, b) if a == b || b == 1 => {}
                (1, b) => *slot = b,
                _ => return None,
            }
        }
    }
    Some(result)
}

/// `x` converted to `dtype` with weak type `weak_type`; a host scalar converts on the host.
pub(crate) fn convert(x: &Array, dtype: DType, weak_type: bool) -> Result<Array> {
    if x.dtype() == dtype && x.weak_type() == weak_type {
        return Ok(x.clone());
    }
    if let Some(bytes) = x
        .concrete()
        .and_then(Concrete::host_bytes_if_known)
        .filter(|_| x.ndim() == 0 && !x.dtype().is_key() && !dtype.is_key())
    {
        let value = Scalar::from_bytes(x.dtype(), bytes);
        let aval = ShapedArray {
            shape: Vec::new(),
            dtype,
            weak_type,
        };
        return Ok(Array::from_concrete(Concrete::from_host(
            aval,
            value.to_bytes(dtype),
        )));
    }
    bind1(
        Primitive::ConvertElementType {
            new_dtype: dtype,
            weak_type,
        },
        std::slice::from_ref(x),
    )
}

/// `x` broadcast to `shape` (NumPy rules: dimensions align at the end).
pub(crate) fn broadcast_to(x: &Array, shape: &[usize]) -> Result<Array> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    let offset = shape.len().checked_sub(x.ndim()).ok_or_else(|| {
        Error::invalid(
            "broadcast_to",
            format!("cannot broadcast {} to shape {shape:?}", x.aval()),
        )
    })?;
    let dims: Vec<usize> = (offset..shape.len()).collect();
    bind1(
        Primitive::BroadcastInDim {
            shape: shape.to_vec(),
            broadcast_dimensions: dims,
        },
        std::slice::from_ref(x),
    )
}

/// `args` converted to their common type (JAX's promotion lattice), shapes untouched.
pub(crate) fn promote_dtypes(args: &[&Array]) -> Result<Vec<Array>> {
    let types: Vec<(DType, bool)> = args.iter().map(|a| (a.dtype(), a.weak_type())).collect();
    let (dtype, weak_type) = result_type(&types, config::x64_enabled());
    args.iter()
        .map(|arg| convert(arg, dtype, weak_type))
        .collect()
}

/// `args` promoted to their common type and broadcast to their common shape. Scalars stay
/// scalars: elementwise primitives broadcast them themselves, as in JAX.
pub(crate) fn promote_and_broadcast(op: &str, args: &[&Array]) -> Result<Vec<Array>> {
    crate::random::reject_mixed_keys(op, args)?;
    let shapes: Vec<&[usize]> = args.iter().map(|a| a.shape()).collect();
    let shape = broadcast_shapes(&shapes).ok_or_else(|| {
        let types: Vec<String> = args.iter().map(|a| a.aval().to_string()).collect();
        Error::invalid(
            op,
            format!("incompatible shapes for broadcasting: {}", types.join(", ")),
        )
    })?;
    promote_dtypes(args)?
        .into_iter()
        .map(|arg| {
            if arg.ndim() == 0 {
                Ok(arg)
            } else {
                broadcast_to(&arg, &shape)
            }
        })
        .collect()
}

/// The elementwise binary operation `op` with NumPy broadcasting and promotion.
pub(crate) fn binary(op: BinaryOp, x: &Array, y: &Array) -> Result<Array> {
    binary_consuming(op, x.clone(), y.clone())
}

/// [`binary`] on operands the caller gives up (Rust's by-value operators): evaluated eagerly,
/// the result may take the buffer of one that nothing else holds.
pub(crate) fn binary_consuming(op: BinaryOp, x: Array, y: Array) -> Result<Array> {
    let args = promote_and_broadcast(op.name(), &[&x, &y])?;
    drop((x, y));
    bind1_consuming(Primitive::Binary(op), args)
}

/// The comparison `op` with NumPy broadcasting and promotion.
pub(crate) fn compare(op: Comparison, x: &Array, y: &Array) -> Result<Array> {
    let args = promote_and_broadcast(op.name(), &[x, y])?;
    bind1(Primitive::Compare(op), &args)
}

/// True division (`/`): integer and bool operands are divided as floats, as in NumPy. The
/// operands are given up as in [`binary_consuming`].
fn true_divide(x: Array, y: Array) -> Result<Array> {
    let mut args = promote_and_broadcast("div", &[&x, &y])?;
    drop((x, y));
    if !args[0].dtype().is_inexact() {
        let float = if config::x64_enabled() {
            DType::F64
        } else {
            DType::F32
        };
        let weak = args[0].weak_type();
        args = args
            .iter()
            .map(|a| convert(a, float, weak))
            .collect::<Result<_>>()?;
    }
    bind1_consuming(Primitive::Binary(BinaryOp::Div), args)
}

/// Python's `%` (NumPy's `remainder`): the result has the sign of the divisor.
pub(crate) fn remainder(x: &Array, y: &Array) -> Result<Array> {
    let args = promote_and_broadcast("rem", &[x, y])?;
    let (x, y) = (&args[0], &args[1]);
    let r = bind1(Primitive::Binary(BinaryOp::Rem), &args)?;
    if x.dtype().is_unsigned_int() || x.dtype() == DType::Bool {
        return Ok(r);
    }
    // Where r != 0 and sign(r) != sign(y), add y.
    let zero = convert(&Array::weak(Scalar::Int(0)), r.dtype(), r.weak_type())?;
    let nonzero = compare(Comparison::Ne, &r, &zero)?;
    let r_negative = compare(Comparison::Lt, &r, &zero)?;
    let y_negative = compare(Comparison::Lt, y, &zero)?;
    let signs_differ = bind1(
        Primitive::Compare(Comparison::Ne),
        &[r_negative, y_negative],
    )?;
    let fix = bind1(Primitive::Binary(BinaryOp::And), &[nonzero, signs_differ])?;
    let shifted = binary(BinaryOp::Add, &r, y)?;
    let shape = broadcast_shapes(&[r.shape(), fix.shape()]).expect("same shapes");
    let pick = |a: &Array| {
        if a.ndim() == 0 {
            broadcast_to(a, &shape)
        } else {
            Ok(a.clone())
        }
    };
    bind1(
        Primitive::SelectN,
        &[pick(&fix)?, pick(&r)?, pick(&shifted)?],
    )
}

/// Implements an operator trait for `Array`, `&Array` and Rust numbers with `$function`, which
/// takes both operands by value: an `Array` operand is given up, and its buffer may be reused
/// for the result; a borrowed one is cloned (a reference count) and stays intact.
macro_rules! operator {
    ($trait:ident, $method:ident, $function:expr) => {
        impl<R: IntoArray> $trait<R> for Array {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: R) -> Array {
                unwrap_at_caller(($function)(self, rhs.into_array()))
            }
        }

        impl<R: IntoArray> $trait<R> for &Array {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: R) -> Array {
                unwrap_at_caller(($function)(self.clone(), rhs.into_array()))
            }
        }

        operator!(@scalars $trait, $method, $function, f32, f64, i32, i64);
    };
    (@scalars $trait:ident, $method:ident, $function:expr, $($scalar:ty),*) => {$(
        impl $trait<Array> for $scalar {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: Array) -> Array {
                unwrap_at_caller(($function)(self.into_array(), rhs))
            }
        }

        impl $trait<&Array> for $scalar {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: &Array) -> Array {
                unwrap_at_caller(($function)(self.into_array(), rhs.clone()))
            }
        }
    )*};
}

operator!(Add, add, |x, y| binary_consuming(BinaryOp::Add, x, y));
operator!(Sub, sub, |x, y| binary_consuming(BinaryOp::Sub, x, y));
operator!(Mul, mul, |x, y| binary_consuming(BinaryOp::Mul, x, y));
operator!(Div, div, true_divide);
operator!(Rem, rem, |x: Array, y: Array| remainder(&x, &y));

impl Neg for Array {
    type Output = Array;
    #[track_caller]
    fn neg(self) -> Array {
        unwrap_at_caller(bind1_consuming(Primitive::Unary(UnaryOp::Neg), vec![self]))
    }
}

impl Neg for &Array {
    type Output = Array;
    #[track_caller]
    fn neg(self) -> Array {
        -self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::broadcast_shapes;

    #[test]
    fn numpy_broadcasting() {
        assert_eq!(broadcast_shapes(&[&[3, 1], &[4]]), Some(vec![3, 4]));
        assert_eq!(broadcast_shapes(&[&[], &[2, 3]]), Some(vec![2, 3]));
        assert_eq!(
            broadcast_shapes(&[&[2, 1, 5], &[7, 1]]),
            Some(vec![2, 7, 5])
        );
        assert_eq!(broadcast_shapes(&[&[3], &[4]]), None);
        assert_eq!(broadcast_shapes(&[&[0], &[1]]), Some(vec![0]));
    }
}
