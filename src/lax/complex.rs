//! The complex-number primitives `real`, `imag`, `conj` and `complex`, with every rule.
//!
//! All four are linear over the reals, so their JVPs apply them to the tangents and their
//! transposes are JAX's: `real`ᵀ(ct) = `complex(ct, 0)`, `imag`ᵀ(ct) = `complex(0, -ct)`,
//! `complex`ᵀ(ct) = `(real(ct), imag(-ct))`, and `conj`ᵀ(ct) = `conj(ct)` for a complex operand
//! (`real(ct)` for a real one, which `conj` turns complex as `lax.conj` does).

use crate::abstract_value::ShapedArray;
use crate::array::IntoArray;
use crate::core::{Primitive, bind1};
use crate::interpreters::batching::Batched;
use crate::interpreters::jvp::{Tangent, zeros};
use crate::interpreters::transpose::LinearInput;
use crate::lax::elementwise::broadcast_scalar_operands;
use crate::lax::elementwise_batch;
use crate::lax::rules::{neg, unbroadcast};
use crate::lax::unwrap_at_caller;
use crate::lowering::{FunctionBuilder, dense_scalar};
use crate::scalar::Scalar;
use crate::{Array, DType, Error, Result};

/// One of the complex-number primitives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplexOp {
    /// The real part of a complex operand (`lax.real`).
    Real,
    /// The imaginary part of a complex operand (`lax.imag`).
    Imag,
    /// The complex conjugate (`lax.conj`); a real operand becomes complex.
    Conj,
    /// `x + i·y` from two real operands of one float dtype (`lax.complex`).
    Complex,
}

impl ComplexOp {
    /// JAX's name of the primitive.
    pub fn name(self) -> &'static str {
        match self {
            ComplexOp::Real => "real",
            ComplexOp::Imag => "imag",
            ComplexOp::Conj => "conj",
            ComplexOp::Complex => "complex",
        }
    }
}

fn invalid(op: ComplexOp, message: String) -> Error {
    Error::invalid(op.name(), message)
}

/// The output type of `op` on operands of types `avals`.
pub(crate) fn abstract_eval(op: ComplexOp, avals: &[ShapedArray]) -> Result<ShapedArray> {
    let arity = if op == ComplexOp::Complex { 2 } else { 1 };
    if avals.len() != arity {
        return Err(invalid(
            op,
            format!("takes {arity} operand(s), got {}", avals.len()),
        ));
    }
    let x = &avals[0];
    match op {
        ComplexOp::Real | ComplexOp::Imag => {
            if !x.dtype.is_complex() {
                return Err(invalid(op, format!("requires a complex operand, got {x}")));
            }
            Ok(x.with_dtype(x.dtype.real_part()))
        }
        ComplexOp::Conj => match x.dtype.complex_with_parts() {
            Some(dtype) => Ok(x.with_dtype(dtype)),
            None => Err(invalid(
                op,
                format!("requires a float32, float64 or complex operand, got {x}"),
            )),
        },
        ComplexOp::Complex => {
            let y = &avals[1];
            let same = x.dtype == y.dtype
                && (x.shape == y.shape || x.shape.is_empty() || y.shape.is_empty());
            match (same, x.dtype) {
                (true, DType::F32 | DType::F64) => {
                    let shape = if x.shape.is_empty() {
                        &y.shape
                    } else {
                        &x.shape
                    };
                    Ok(ShapedArray {
                        shape: shape.clone(),
                        dtype: x.dtype.complex_with_parts().expect("a float dtype"),
                        weak_type: x.weak_type && y.weak_type,
                    })
                }
                _ => Err(invalid(
                    op,
                    format!(
                        "requires two float32 or float64 operands of one dtype and shape (or \
                         scalars), got {x} and {y}"
                    ),
                )),
            }
        }
    }
}

/// StableHLO for `op` on `args` (of types `avals_in`), giving `out`.
pub(crate) fn lower(
    op: ComplexOp,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    out: &ShapedArray,
) -> String {
    let outs = std::slice::from_ref(out);
    match op {
        ComplexOp::Real => f.op("stablehlo.real", args, avals_in, outs, ""),
        ComplexOp::Imag => f.op("stablehlo.imag", args, avals_in, outs, ""),
        ComplexOp::Complex => {
            let (args, avals) = broadcast_scalar_operands(f, args, avals_in, &out.shape);
            f.op("stablehlo.complex", &args, &avals, outs, "")
        }
        ComplexOp::Conj => {
            let x = &avals_in[0];
            let part = x.with_dtype(x.dtype.real_part());
            let parts = [part.clone(), part.clone()];
            let one = std::slice::from_ref(x);
            let (re, im) = if x.dtype.is_complex() {
                let re = f.op("stablehlo.real", args, one, std::slice::from_ref(&part), "");
                let im = f.op("stablehlo.imag", args, one, std::slice::from_ref(&part), "");
                let minus = f.op(
                    "stablehlo.negate",
                    &[im],
                    std::slice::from_ref(&part),
                    std::slice::from_ref(&part),
                    "",
                );
                (re, minus)
            } else {
                let zero = f.constant(
                    &part,
                    &dense_scalar(part.dtype, &Scalar::Float(0.0).to_bytes(part.dtype)),
                );
                (args[0].clone(), zero)
            };
            f.op("stablehlo.complex", &[re, im], &parts, outs, "")
        }
    }
}

/// `op` bound to `args`, as rules call it.
pub(crate) fn apply(op: ComplexOp, args: &[Array]) -> Result<Array> {
    bind1(Primitive::Complex(op), args)
}

/// The cotangents of `op`'s undefined operands, given the output's `ct`.
pub(crate) fn transpose(
    op: ComplexOp,
    ct: &Array,
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let undefined = |i: usize| matches!(inputs[i], LinearInput::Undefined(_));
    let value = |x: Array| Some(Tangent::Value(x));
    match op {
        ComplexOp::Real => {
            let zero = zeros(ct.aval())?;
            Ok(vec![value(apply(ComplexOp::Complex, &[ct.clone(), zero])?)])
        }
        ComplexOp::Imag => {
            let zero = zeros(ct.aval())?;
            Ok(vec![value(apply(ComplexOp::Complex, &[zero, neg(ct)?])?)])
        }
        ComplexOp::Conj => {
            let part = if inputs[0].aval().dtype.is_complex() {
                ComplexOp::Conj
            } else {
                ComplexOp::Real
            };
            Ok(vec![value(apply(part, std::slice::from_ref(ct))?)])
        }
        ComplexOp::Complex => {
            let mut cotangents = Vec::with_capacity(2);
            for (i, part) in [(0, ComplexOp::Real), (1, ComplexOp::Imag)] {
                cotangents.push(if undefined(i) {
                    let ct = if i == 0 { ct.clone() } else { neg(ct)? };
                    let ct = apply(part, &[ct])?;
                    value(unbroadcast(&ct, &inputs[i].aval().shape)?)
                } else {
                    None
                });
            }
            Ok(cotangents)
        }
    }
}

/// The batching rule: elementwise, with `complex`'s scalar operands broadcast by the
/// primitive itself.
pub(crate) fn batch(
    op: ComplexOp,
    primitive: &Primitive,
    axis_size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    match op {
        ComplexOp::Complex => {
            elementwise_batch::nary(primitive, axis_size, values, dims, &[true, true])
        }
        _ => elementwise_batch::unary(primitive, values, dims),
    }
}

/// `lax.real(x)`: the real part of a complex array (real dtype of the same precision).
///
/// # Panics
/// On a non-complex operand, naming `real` and the operand's type.
#[track_caller]
pub fn real(x: impl IntoArray) -> Array {
    unwrap_at_caller(apply(ComplexOp::Real, &[x.into_array()]))
}

/// `lax.imag(x)`: the imaginary part of a complex array (real dtype of the same precision).
///
/// # Panics
/// On a non-complex operand, naming `imag` and the operand's type.
#[track_caller]
pub fn imag(x: impl IntoArray) -> Array {
    unwrap_at_caller(apply(ComplexOp::Imag, &[x.into_array()]))
}

/// `lax.conj(x)`: the complex conjugate. As in JAX, a float32/float64 operand gives its
/// complex64/complex128 value (`jnp.conj` keeps real arrays real instead).
///
/// # Panics
/// On an integer or boolean operand, naming `conj` and the operand's type.
#[track_caller]
pub fn conj(x: impl IntoArray) -> Array {
    unwrap_at_caller(apply(ComplexOp::Conj, &[x.into_array()]))
}

/// `lax.complex(x, y)`: `x + i·y` from two float32 (→ complex64) or float64 (→ complex128)
/// arrays of one shape (or scalars).
///
/// # Panics
/// On operands of other or different dtypes or shapes, naming `complex` and both types.
#[track_caller]
pub fn complex(x: impl IntoArray, y: impl IntoArray) -> Array {
    unwrap_at_caller(apply(ComplexOp::Complex, &[x.into_array(), y.into_array()]))
}
