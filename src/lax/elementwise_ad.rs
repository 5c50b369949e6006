//! Differentiation rules of the elementwise primitives: JVPs (JAX's `defjvp` definitions in
//! `lax.py`, with the same conventions at non-smooth points) and the transposes of the linear
//! ones.

use super::complex::{self, ComplexOp};
use super::rules::{
    add, binary, compare, convert, div, mul, neg, scalar_like, scale, select_n, sub, unary,
    unbroadcast,
};
use super::{BinaryOp, Comparison, UnaryOp};
use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind1};
use crate::interpreters::jvp::{Tangent, tangent_aval, zeros};
use crate::interpreters::transpose::LinearInput;
use crate::{Array, Error, Result};

/// `t` as an array of the output's shape (a scalar operand's tangent is broadcast).
fn full(t: &Array, out: &ShapedArray) -> Result<Array> {
    if t.shape() == out.shape.as_slice() {
        Ok(t.clone())
    } else {
        super::rules::broadcast_in_dim(t, &out.shape, &[])
    }
}

/// The tangent `t` of an operand, as a tangent of the output (a scalar operand's tangent is
/// broadcast).
fn full_tangent(t: &Tangent, out: &ShapedArray) -> Result<Tangent> {
    match t {
        Tangent::Zero(_) => Ok(Tangent::Zero(tangent_aval(out))),
        Tangent::Value(t) => Ok(Tangent::Value(full(t, out)?)),
    }
}

/// `t * factor` where `factor` is computed only if `t` is nonzero.
fn scaled(
    t: &Tangent,
    out: &ShapedArray,
    factor: impl FnOnce() -> Result<Array>,
) -> Result<Tangent> {
    match t {
        Tangent::Zero(_) => Ok(Tangent::Zero(tangent_aval(out))),
        Tangent::Value(t) => Ok(Tangent::Value(full(&mul(t, &factor()?)?, out)?)),
    }
}

pub(crate) fn unary_jvp(op: UnaryOp, x: &Array, t: &Tangent) -> Result<(Array, Tangent)> {
    let ans = unary(op, x)?;
    let out = ans.aval().clone();
    let one = || scalar_like(x, 1.0);
    let tangent = match op {
        UnaryOp::Neg => t.map_linear(tangent_aval(&out), neg)?,
        UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Not => {
            Tangent::Zero(tangent_aval(&out))
        }
        // JAX's `_abs_jvp_rule`: ±t by the sign of x, +t at ±0 (the slope of the positive
        // side) and no second derivative; complex x: Re(t conj(x) / |x|), |x| = 0 read as 1.
        UnaryOp::Abs if !x.dtype().is_complex() => {
            let nonnegative = compare(Comparison::Ge, x, &scalar_like(x, 0.0)?)?;
            t.map_linear(tangent_aval(&out), |t| {
                select_n(&nonnegative, &[neg(t)?, t.clone()])
            })?
        }
        UnaryOp::Abs => t.map_linear(tangent_aval(&out), |t| {
            // Re(t·conj(x) / |x|), with |x| = 0 read as 1 (JAX's `_replace_zero`).
            let magnitude = convert(&ans, x.dtype())?;
            let at_zero = compare(Comparison::Eq, &magnitude, &scalar_like(x, 0.0)?)?;
            let ones = super::rules::broadcast_in_dim(&one()?, &out.shape, &[])?;
            let safe = select_n(&at_zero, &[magnitude, ones])?;
            let direction = div(
                &complex::apply(ComplexOp::Conj, std::slice::from_ref(x))?,
                &safe,
            )?;
            complex::apply(ComplexOp::Real, &[mul(t, &direction)?])
        })?,
        UnaryOp::Exp => scaled(t, &out, || Ok(ans.clone()))?,
        UnaryOp::Exp2 => scaled(t, &out, || scale(&ans, std::f64::consts::LN_2))?,
        UnaryOp::Log => t.map_linear(tangent_aval(&out), |t| div(&full(t, &out)?, x))?,
        UnaryOp::Log1p => scaled(t, &out, || div(&one()?, &add(x, &one()?)?))?,
        UnaryOp::Expm1 => scaled(t, &out, || add(&ans, &one()?))?,
        UnaryOp::Sqrt => scaled(t, &out, || div(&scalar_like(x, 0.5)?, &ans))?,
        UnaryOp::Rsqrt => scaled(t, &out, || mul(&scalar_like(x, -0.5)?, &div(&ans, x)?))?,
        UnaryOp::Cbrt => scaled(t, &out, || {
            let inverse_square =
                bind1(Primitive::IntegerPow { y: -2 }, std::slice::from_ref(&ans))?;
            mul(&scalar_like(x, 1.0 / 3.0)?, &inverse_square)
        })?,
        UnaryOp::Sin => scaled(t, &out, || unary(UnaryOp::Cos, x))?,
        UnaryOp::Cos => scaled(t, &out, || neg(&unary(UnaryOp::Sin, x)?))?,
        UnaryOp::Tan => scaled(t, &out, || add(&one()?, &mul(&ans, &ans)?))?,
        UnaryOp::Asin => scaled(t, &out, || {
            unary(UnaryOp::Rsqrt, &sub(&one()?, &mul(x, x)?)?)
        })?,
        UnaryOp::Acos => scaled(t, &out, || {
            neg(&unary(UnaryOp::Rsqrt, &sub(&one()?, &mul(x, x)?)?)?)
        })?,
        UnaryOp::Atan => scaled(t, &out, || div(&one()?, &add(&one()?, &mul(x, x)?)?))?,
        UnaryOp::Sinh => scaled(t, &out, || unary(UnaryOp::Cosh, x))?,
        UnaryOp::Cosh => scaled(t, &out, || unary(UnaryOp::Sinh, x))?,
        UnaryOp::Tanh => scaled(t, &out, || sub(&one()?, &mul(&ans, &ans)?))?,
        UnaryOp::Asinh => scaled(t, &out, || {
            unary(UnaryOp::Rsqrt, &add(&mul(x, x)?, &one()?)?)
        })?,
        UnaryOp::Acosh => scaled(t, &out, || {
            unary(UnaryOp::Rsqrt, &mul(&sub(x, &one()?)?, &add(x, &one()?)?)?)
        })?,
        UnaryOp::Atanh => scaled(t, &out, || div(&one()?, &sub(&one()?, &mul(x, x)?)?))?,
        UnaryOp::Logistic => scaled(t, &out, || mul(&ans, &sub(&one()?, &ans)?))?,
        UnaryOp::Erf | UnaryOp::Erfc => scaled(t, &out, || {
            let sign = if op == UnaryOp::Erf { 1.0 } else { -1.0 };
            let gaussian = unary(UnaryOp::Exp, &neg(&mul(x, x)?)?)?;
            scale(&gaussian, sign * 2.0 / std::f64::consts::PI.sqrt())
        })?,
        UnaryOp::ErfInv => scaled(t, &out, || {
            scale(
                &unary(UnaryOp::Exp, &mul(&ans, &ans)?)?,
                std::f64::consts::PI.sqrt() / 2.0,
            )
        })?,
        UnaryOp::Lgamma => scaled(t, &out, || unary(UnaryOp::Digamma, x))?,
        UnaryOp::Digamma => scaled(t, &out, || {
            binary(BinaryOp::Polygamma, &scalar_like(x, 1.0)?, x)
        })?,
        // JAX's `_bessel_i1e_jvp`: i0e(x) - i1e(x)·(sign(x) + 1/x), and 1/2 where |x| <= eps.
        UnaryOp::BesselI1e => scaled(t, &out, || {
            Ok(crate::scipy::special::bessel_i1e_derivative(x, &ans))
        })?,
    };
    Ok((ans, tangent))
}

/// `x == ans` as 1, shared with `y == ans` as 1/2 each (JAX's `_balanced_eq`), in `x`'s dtype.
fn balanced_eq(x: &Array, ans: &Array, y: &Array) -> Result<Array> {
    let x_wins = convert(&compare(Comparison::Eq, x, ans)?, ans.dtype())?;
    let tie = convert(&compare(Comparison::Eq, y, ans)?, ans.dtype())?;
    // 1 where only x attains the extremum, 1/2 where both do.
    div(&x_wins, &add(&scalar_like(ans, 1.0)?, &tie)?)
}

pub(crate) fn binary_jvp(
    op: BinaryOp,
    x: &Array,
    y: &Array,
    tx: &Tangent,
    ty: &Tangent,
) -> Result<(Array, Tangent)> {
    let ans = binary(op, x, y)?;
    let out = ans.aval().clone();
    let zero = || Tangent::Zero(tangent_aval(&out));
    let tangent = match op {
        BinaryOp::Add => full_tangent(tx, &out)?.add(full_tangent(ty, &out)?)?,
        BinaryOp::Sub => match (full_tangent(tx, &out)?, full_tangent(ty, &out)?) {
            (tx, Tangent::Zero(_)) => tx,
            (Tangent::Zero(_), Tangent::Value(ty)) => Tangent::Value(neg(&ty)?),
            (Tangent::Value(tx), Tangent::Value(ty)) => Tangent::Value(sub(&tx, &ty)?),
        },
        BinaryOp::Mul => {
            scaled(tx, &out, || Ok(y.clone()))?.add(scaled(ty, &out, || Ok(x.clone()))?)?
        }
        // d(x / y) = dx / y - dy · (x / y) / y; dividing the tangent keeps JAX's rounding.
        BinaryOp::Div => {
            let from_x = match tx {
                Tangent::Zero(_) => Tangent::Zero(tangent_aval(&out)),
                Tangent::Value(tx) => Tangent::Value(full(&div(tx, y)?, &out)?),
            };
            from_x.add(scaled(ty, &out, || neg(&div(&ans, y)?))?)?
        }
        // x rem y = x - y * trunc(x / y).
        BinaryOp::Rem => {
            scaled(tx, &out, || scalar_like(x, 1.0))?.add(scaled(ty, &out, || {
                let quotient = div(x, y)?;
                let truncated = mul(
                    &unary(UnaryOp::Sign, &quotient)?,
                    &unary(UnaryOp::Floor, &unary(UnaryOp::Abs, &quotient)?)?,
                )?;
                neg(&truncated)
            })?)?
        }
        // JAX's `_pow_jvp_lhs`/`_pow_jvp_rhs`: d(x^y) = y x^(y-1) dx + log(x) x^y dy, log(x)
        // reading log(1) = 0 where x = 0 (a float y gets no special case at y = 0).
        BinaryOp::Pow => {
            let lhs = scaled(tx, &out, || {
                mul(
                    y,
                    &binary(BinaryOp::Pow, x, &sub(y, &scalar_like(y, 1.0)?)?)?,
                )
            })?;
            let rhs = scaled(ty, &out, || {
                let x_is_zero = compare(Comparison::Eq, x, &scalar_like(x, 0.0)?)?;
                let ones = full(&scalar_like(x, 1.0)?, x.aval())?;
                let safe_x = select_n(&x_is_zero, &[x.clone(), ones])?;
                mul(&unary(UnaryOp::Log, &safe_x)?, &ans)
            })?;
            lhs.add(rhs)?
        }
        BinaryOp::Max | BinaryOp::Min => scaled(tx, &out, || balanced_eq(x, &ans, y))?
            .add(scaled(ty, &out, || balanced_eq(y, &ans, x))?)?,
        BinaryOp::Atan2 => {
            let denominator = || add(&mul(x, x)?, &mul(y, y)?);
            scaled(tx, &out, || div(y, &denominator()?))?
                .add(scaled(ty, &out, || neg(&div(x, &denominator()?)?))?)?
        }
        // d/dx ψ⁽ᵐ⁾(x) = ψ⁽ᵐ⁺¹⁾(x); the order is not differentiable, as in JAX.
        BinaryOp::Polygamma => {
            if !tx.is_zero() {
                return Err(Error::invalid(
                    "polygamma",
                    "polygamma gradient with respect to m is not supported",
                ));
            }
            scaled(ty, &out, || {
                binary(BinaryOp::Polygamma, &add(x, &scalar_like(x, 1.0)?)?, y)
            })?
        }
        // ∂ζ(x, q)/∂q = -x ζ(x + 1, q); the derivative in x has no closed form (JAX's
        // `jax.scipy.special.zeta` differentiates a series instead).
        BinaryOp::Zeta => {
            if !tx.is_zero() {
                return Err(Error::invalid(
                    "zeta",
                    "zeta gradient with respect to x is not supported",
                ));
            }
            scaled(ty, &out, || {
                let next = binary(BinaryOp::Zeta, &add(x, &scalar_like(x, 1.0)?)?, y)?;
                neg(&mul(x, &next)?)
            })?
        }
        BinaryOp::NextAfter
        | BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Xor
        | BinaryOp::ShiftLeft
        | BinaryOp::ShiftRightLogical
        | BinaryOp::ShiftRightArithmetic => zero(),
    };
    Ok((ans, tangent))
}

/// The JVP of `integer_pow(x, y)`: `y x^(y-1) t`.
pub(crate) fn integer_pow_jvp(y: i32, x: &Array, t: &Tangent) -> Result<(Array, Tangent)> {
    let ans = bind1(Primitive::IntegerPow { y }, std::slice::from_ref(x))?;
    let out = ans.aval().clone();
    let tangent = if y == 0 {
        Tangent::Zero(tangent_aval(&out))
    } else {
        scaled(t, &out, || {
            let power = bind1(Primitive::IntegerPow { y: y - 1 }, std::slice::from_ref(x))?;
            scale(&power, f64::from(y))
        })?
    };
    Ok((ans, tangent))
}

/// The JVP of `select_n(which, *cases)`: the same selection of the cases' tangents.
pub(crate) fn select_n_jvp(primals: &[Array], tangents: &[Tangent]) -> Result<(Array, Tangent)> {
    let ans = bind1(Primitive::SelectN, primals)?;
    if tangents[1..].iter().all(Tangent::is_zero) {
        return Ok((ans.clone(), Tangent::Zero(tangent_aval(ans.aval()))));
    }
    let cases = tangents[1..]
        .iter()
        .map(Tangent::instantiate)
        .collect::<Result<Vec<_>>>()?;
    Ok((ans, Tangent::Value(select_n(&primals[0], &cases)?)))
}

/// The JVP of `clamp(low, x, high)`: each operand's tangent where it is the one selected.
pub(crate) fn clamp_jvp(primals: &[Array], tangents: &[Tangent]) -> Result<(Array, Tangent)> {
    let [low, x, high] = primals else {
        unreachable!("clamp has three operands")
    };
    let ans = bind1(Primitive::Clamp, primals)?;
    let out = ans.aval().clone();
    let picked = |mask: Array| -> Result<Array> { full(&convert(&mask, x.dtype())?, &out) };
    let from_x = scaled(&tangents[1], &out, || {
        let above = compare(Comparison::Gt, x, low)?;
        let below = compare(Comparison::Lt, x, high)?;
        picked(binary(
            BinaryOp::And,
            &full(&above, &out.with_dtype(crate::DType::Bool))?,
            &full(&below, &out.with_dtype(crate::DType::Bool))?,
        )?)
    })?;
    let from_low = scaled(&tangents[0], &out, || {
        picked(compare(Comparison::Ge, low, x)?)
    })?;
    let from_high = scaled(&tangents[2], &out, || {
        picked(compare(Comparison::Le, high, x)?)
    })?;
    Ok((ans, from_x.add(from_low)?.add(from_high)?))
}

/// The JVP of `convert_element_type`: the tangent converted, or zero for non-float results.
pub(crate) fn convert_jvp(
    new_dtype: crate::DType,
    weak_type: bool,
    x: &Array,
    t: &Tangent,
) -> Result<(Array, Tangent)> {
    let ans = bind1(
        Primitive::ConvertElementType {
            new_dtype,
            weak_type,
        },
        std::slice::from_ref(x),
    )?;
    let out = tangent_aval(ans.aval());
    let tangent = if new_dtype.is_inexact() && x.dtype().is_inexact() {
        t.map_linear(out, |t| convert(t, new_dtype))?
    } else {
        Tangent::Zero(out)
    };
    Ok((ans, tangent))
}

/// The cotangents of the operands of a linear elementwise primitive, given the output's `ct`.
pub(crate) fn transpose(
    primitive: &Primitive,
    ct: &Array,
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let undefined = |i: usize| matches!(inputs[i], LinearInput::Undefined(_));
    let shape_of = |i: usize| inputs[i].aval().shape.clone();
    let to_operand = |i: usize, value: Array| -> Result<Option<Tangent>> {
        Ok(Some(Tangent::Value(unbroadcast(&value, &shape_of(i))?)))
    };
    match primitive {
        Primitive::Unary(UnaryOp::Neg) => Ok(vec![Some(Tangent::Value(neg(ct)?))]),
        Primitive::Copy => Ok(vec![Some(Tangent::Value(ct.clone()))]),
        Primitive::Binary(BinaryOp::Add) | Primitive::Binary(BinaryOp::Sub) => {
            let first = if undefined(0) {
                to_operand(0, ct.clone())?
            } else {
                None
            };
            let second = match (undefined(1), primitive) {
                (false, _) => None,
                (true, Primitive::Binary(BinaryOp::Sub)) => to_operand(1, neg(ct)?)?,
                (true, _) => to_operand(1, ct.clone())?,
            };
            Ok(vec![first, second])
        }
        Primitive::Binary(BinaryOp::Mul) => match inputs {
            [LinearInput::Undefined(_), LinearInput::Known(y)] => {
                Ok(vec![to_operand(0, mul(ct, y)?)?, None])
            }
            [LinearInput::Known(x), LinearInput::Undefined(_)] => {
                Ok(vec![None, to_operand(1, mul(x, ct)?)?])
            }
            _ => Err(not_linear(primitive)),
        },
        Primitive::Binary(BinaryOp::Div) => match inputs {
            [LinearInput::Undefined(_), LinearInput::Known(y)] => {
                Ok(vec![to_operand(0, div(ct, y)?)?, None])
            }
            _ => Err(not_linear(primitive)),
        },
        Primitive::ConvertElementType { .. } => {
            let dtype = inputs[0].aval().dtype;
            Ok(vec![Some(Tangent::Value(convert(ct, dtype)?))])
        }
        Primitive::SelectN => {
            let LinearInput::Known(which) = &inputs[0] else {
                return Err(not_linear(primitive));
            };
            let zero = zeros(&tangent_aval(ct.aval()))?;
            let mut cotangents = vec![None];
            for case in 1..inputs.len() {
                cotangents.push(if undefined(case) {
                    let cases: Vec<Array> = (1..inputs.len())
                        .map(|j| if j == case { ct.clone() } else { zero.clone() })
                        .collect();
                    Some(Tangent::Value(select_n(which, &cases)?))
                } else {
                    None
                });
            }
            Ok(cotangents)
        }
        _ => Err(not_linear(primitive)),
    }
}

/// The error for transposing a primitive in a way that is not linear.
pub(crate) fn not_linear(primitive: &Primitive) -> Error {
    Error::invalid(
        primitive.name(),
        "cannot transpose: the primitive is not linear in the operands being differentiated",
    )
}
