//! Elementwise primitives (JAX's `lax.py` unary, binary and comparison ops, `select_n`,
//! `clamp`, `integer_pow`, `convert_element_type`): operands of one shape and dtype, results
//! of the same shape. Broadcasting and type promotion happen above, in the array operators.

use crate::abstract_value::ShapedArray;
use crate::lowering::{FunctionBuilder, dense_scalar};
use crate::scalar::Scalar;
use crate::{DType, Error, Result};

/// Which dtypes an operation accepts.
#[derive(Debug, Clone, Copy)]
enum Accepts {
    /// Any dtype.
    Any,
    /// Integers, floats and complex numbers (not bool).
    Numeric,
    /// Real and complex floating point.
    Inexact,
    /// Real floating point.
    Float,
    /// Integers and floats.
    Real,
    /// Bool, integers and real floats: the ordered types (JAX's `_ordered`).
    Ordered,
    /// Signed integers, floats and complex numbers (JAX's `abs`).
    Signed,
    /// Bool and integers.
    Bitwise,
    /// Integers.
    Integer,
}

impl Accepts {
    fn admits(self, dtype: DType) -> bool {
        match self {
            Accepts::Any => true,
            Accepts::Numeric => dtype != DType::Bool,
            Accepts::Inexact => dtype.is_inexact(),
            Accepts::Float => dtype.is_float(),
            Accepts::Real => dtype.is_int() || dtype.is_float(),
            Accepts::Ordered => !dtype.is_complex(),
            Accepts::Signed => dtype.is_signed_int() || dtype.is_inexact(),
            Accepts::Bitwise => dtype == DType::Bool || dtype.is_int(),
            Accepts::Integer => dtype.is_int(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Accepts::Any => "any dtype",
            Accepts::Numeric => "a numeric dtype",
            Accepts::Inexact => "a floating-point or complex dtype",
            Accepts::Float => "a floating-point dtype",
            Accepts::Real => "an integer or floating-point dtype",
            Accepts::Ordered => "a boolean, integer or floating-point dtype",
            Accepts::Signed => "a signed integer, floating-point or complex dtype",
            Accepts::Bitwise => "a boolean or integer dtype",
            Accepts::Integer => "an integer dtype",
        }
    }
}

macro_rules! ops {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => ($jax:literal, $mlir:literal, $accepts:ident)),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// JAX's name of the primitive.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $jax,)* }
            }

            /// The StableHLO (or CHLO) op that implements it.
            fn mlir(self) -> &'static str {
                match self { $($name::$variant => $mlir,)* }
            }

            fn accepts(self) -> Accepts {
                match self { $($name::$variant => Accepts::$accepts,)* }
            }
        }
    };
}

ops! {
    /// Elementwise functions of one operand whose result has the operand's type (`abs` of a
    /// complex operand has its real type).
    UnaryOp {
        /// `-x`.
        Neg => ("neg", "stablehlo.negate", Numeric),
        /// The sign: -1, 0 or 1 (NaN stays NaN).
        Sign => ("sign", "stablehlo.sign", Numeric),
        /// Round toward -∞.
        Floor => ("floor", "stablehlo.floor", Float),
        /// Round toward +∞.
        Ceil => ("ceil", "stablehlo.ceil", Float),
        /// Round to nearest, halves away from zero (`lax.round`'s default).
        Round => ("round", "stablehlo.round_nearest_afz", Float),
        /// `|x|`.
        Abs => ("abs", "stablehlo.abs", Signed),
        /// `e^x`.
        Exp => ("exp", "stablehlo.exponential", Inexact),
        /// `2^x`.
        Exp2 => ("exp2", "stablehlo.exponential", Inexact),
        /// Natural logarithm.
        Log => ("log", "stablehlo.log", Inexact),
        /// `ln(1 + x)`.
        Log1p => ("log1p", "stablehlo.log_plus_one", Inexact),
        /// `e^x - 1`.
        Expm1 => ("expm1", "stablehlo.exponential_minus_one", Inexact),
        /// Square root.
        Sqrt => ("sqrt", "stablehlo.sqrt", Inexact),
        /// `1 / sqrt(x)`.
        Rsqrt => ("rsqrt", "stablehlo.rsqrt", Inexact),
        /// Cube root.
        Cbrt => ("cbrt", "stablehlo.cbrt", Float),
        /// Sine.
        Sin => ("sin", "stablehlo.sine", Inexact),
        /// Cosine.
        Cos => ("cos", "stablehlo.cosine", Inexact),
        /// Tangent.
        Tan => ("tan", "chlo.tan", Inexact),
        /// Arc sine.
        Asin => ("asin", "chlo.asin", Inexact),
        /// Arc cosine.
        Acos => ("acos", "chlo.acos", Inexact),
        /// Arc tangent.
        Atan => ("atan", "chlo.atan", Inexact),
        /// Hyperbolic sine.
        Sinh => ("sinh", "chlo.sinh", Inexact),
        /// Hyperbolic cosine.
        Cosh => ("cosh", "chlo.cosh", Inexact),
        /// Hyperbolic tangent.
        Tanh => ("tanh", "stablehlo.tanh", Inexact),
        /// Inverse hyperbolic sine.
        Asinh => ("asinh", "chlo.asinh", Inexact),
        /// Inverse hyperbolic cosine.
        Acosh => ("acosh", "chlo.acosh", Inexact),
        /// Inverse hyperbolic tangent.
        Atanh => ("atanh", "chlo.atanh", Inexact),
        /// `1 / (1 + e^-x)`.
        Logistic => ("logistic", "stablehlo.logistic", Inexact),
        /// The error function.
        Erf => ("erf", "chlo.erf", Float),
        /// The complementary error function.
        Erfc => ("erfc", "chlo.erfc", Float),
        /// The inverse error function.
        ErfInv => ("erf_inv", "chlo.erf_inv", Float),
        /// `ln |Γ(x)|`.
        Lgamma => ("lgamma", "chlo.lgamma", Float),
        /// The digamma function.
        Digamma => ("digamma", "chlo.digamma", Float),
        /// The exponentially scaled modified Bessel function of order 1, `e^-|x| I₁(x)`.
        BesselI1e => ("bessel_i1e", "chlo.bessel_i1e", Float),
        /// Logical (bool) or bitwise (integer) negation.
        Not => ("not", "stablehlo.not", Bitwise),
    }
}

ops! {
    /// Elementwise functions of two operands of one type whose result has that type.
    BinaryOp {
        /// `x + y`.
        Add => ("add", "stablehlo.add", Numeric),
        /// `x - y`.
        Sub => ("sub", "stablehlo.subtract", Numeric),
        /// `x * y`.
        Mul => ("mul", "stablehlo.multiply", Numeric),
        /// `x / y` (integers round toward zero).
        Div => ("div", "stablehlo.divide", Numeric),
        /// Remainder with the sign of `x` (C's `fmod`).
        Rem => ("rem", "stablehlo.remainder", Real),
        /// `x ** y`.
        Pow => ("pow", "stablehlo.power", Inexact),
        /// Elementwise maximum (NaN-propagating).
        Max => ("max", "stablehlo.maximum", Any),
        /// Elementwise minimum (NaN-propagating).
        Min => ("min", "stablehlo.minimum", Any),
        /// Two-argument arc tangent.
        Atan2 => ("atan2", "stablehlo.atan2", Float),
        /// The next representable value after `x` toward `y`.
        NextAfter => ("nextafter", "chlo.next_after", Float),
        /// The polygamma function ψ⁽ᵐ⁾(x), of order `m` (the first operand, a whole number).
        Polygamma => ("polygamma", "chlo.polygamma", Float),
        /// The Hurwitz zeta function ζ(x, q) = Σₙ (n + q)^-x.
        Zeta => ("zeta", "chlo.zeta", Float),
        /// Logical or bitwise and.
        And => ("and", "stablehlo.and", Bitwise),
        /// Logical or bitwise or.
        Or => ("or", "stablehlo.or", Bitwise),
        /// Logical or bitwise exclusive or.
        Xor => ("xor", "stablehlo.xor", Bitwise),
        /// `x << y`.
        ShiftLeft => ("shift_left", "stablehlo.shift_left", Integer),
        /// `x >> y`, filling with zeros.
        ShiftRightLogical => ("shift_right_logical", "stablehlo.shift_right_logical", Integer),
        /// `x >> y`, filling with the sign bit.
        ShiftRightArithmetic => ("shift_right_arithmetic", "stablehlo.shift_right_arithmetic", Integer),
    }
}

ops! {
    /// Elementwise comparisons, giving `bool`.
    Comparison {
        /// `x == y`.
        Eq => ("eq", "EQ", Any),
        /// `x != y`.
        Ne => ("ne", "NE", Any),
        /// `x < y`.
        Lt => ("lt", "LT", Ordered),
        /// `x <= y`.
        Le => ("le", "LE", Ordered),
        /// `x > y`.
        Gt => ("gt", "GT", Ordered),
        /// `x >= y`.
        Ge => ("ge", "GE", Ordered),
    }
}

/// The single operand of a unary primitive.
fn unary_operand<'a>(name: &str, avals: &'a [ShapedArray]) -> Result<&'a ShapedArray> {
    match avals {
        [x] => Ok(x),
        _ => Err(Error::invalid(
            name,
            format!("takes 1 operand, got {}", avals.len()),
        )),
    }
}

fn check_dtype(name: &str, accepts: Accepts, aval: &ShapedArray) -> Result<()> {
    if accepts.admits(aval.dtype) {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!("requires {}, got {aval}", accepts.describe()),
        ))
    }
}

/// Two operands of one dtype and one shape (or a scalar with anything, as JAX allows); the
/// result type, weak only if both operands are.
fn same_type_pair(name: &str, accepts: Accepts, avals: &[ShapedArray]) -> Result<ShapedArray> {
    let [x, y] = avals else {
        return Err(Error::invalid(
            name,
            format!("takes 2 operands, got {}", avals.len()),
        ));
    };
    let shape = broadcast_scalar_shapes(&[x, y]);
    if shape.is_none() || x.dtype != y.dtype {
        return Err(Error::invalid(
            name,
            format!("requires operands of one dtype and shape (or scalars), got {x} and {y}"),
        ));
    }
    check_dtype(name, accepts, x)?;
    Ok(ShapedArray {
        shape: shape.expect("checked").to_vec(),
        dtype: x.dtype,
        weak_type: x.weak_type && y.weak_type,
    })
}

/// The common shape of operands that are all of one shape or scalars.
fn broadcast_scalar_shapes<'a>(avals: &[&'a ShapedArray]) -> Option<&'a [usize]> {
    let mut shape: &[usize] = &[];
    for aval in avals {
        if aval.shape.is_empty() {
            continue;
        }
        if shape.is_empty() {
            shape = &aval.shape;
        } else if shape != aval.shape.as_slice() {
            return None;
        }
    }
    Some(shape)
}

/// `args` with every scalar operand broadcast to `out`'s shape (JAX lowers a scalar operand
/// of an elementwise op this way).
pub(crate) fn broadcast_scalar_operands(
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals: &[ShapedArray],
    shape: &[usize],
) -> (Vec<String>, Vec<ShapedArray>) {
    args.iter()
        .zip(avals)
        .map(|(arg, aval)| {
            if aval.shape.as_slice() == shape {
                (arg.clone(), aval.clone())
            } else {
                let full = aval.with_shape(shape);
                let value = f.op(
                    "stablehlo.broadcast_in_dim",
                    std::slice::from_ref(arg),
                    std::slice::from_ref(aval),
                    std::slice::from_ref(&full),
                    "broadcast_dimensions = array<i64>",
                );
                (value, full)
            }
        })
        .unzip()
}

pub(crate) fn unary_abstract_eval(op: UnaryOp, avals: &[ShapedArray]) -> Result<ShapedArray> {
    let x = unary_operand(op.name(), avals)?;
    check_dtype(op.name(), op.accepts(), x)?;
    if op == UnaryOp::Abs && x.dtype.is_complex() {
        // `|x|` of a complex number is real, as JAX's `abs_p` gives.
        return Ok(x.with_dtype(x.dtype.real_part()));
    }
    Ok(x.clone())
}

pub(crate) fn binary_abstract_eval(op: BinaryOp, avals: &[ShapedArray]) -> Result<ShapedArray> {
    same_type_pair(op.name(), op.accepts(), avals)
}

pub(crate) fn compare_abstract_eval(op: Comparison, avals: &[ShapedArray]) -> Result<ShapedArray> {
    let operand = same_type_pair(op.name(), op.accepts(), avals)?;
    Ok(ShapedArray::new(operand.shape, DType::Bool))
}

pub(crate) fn is_finite_abstract_eval(avals: &[ShapedArray]) -> Result<ShapedArray> {
    let x = unary_operand("is_finite", avals)?;
    check_dtype("is_finite", Accepts::Float, x)?;
    Ok(ShapedArray::new(x.shape.clone(), DType::Bool))
}

pub(crate) fn copy_abstract_eval(avals: &[ShapedArray]) -> Result<ShapedArray> {
    unary_operand("copy", avals).cloned()
}

pub(crate) fn integer_pow_abstract_eval(y: i32, avals: &[ShapedArray]) -> Result<ShapedArray> {
    let x = unary_operand("integer_pow", avals)?;
    check_dtype("integer_pow", Accepts::Numeric, x)?;
    if y < 0 && x.dtype.is_int() {
        return Err(Error::invalid(
            "integer_pow",
            format!("a negative exponent ({y}) needs a floating-point operand, got {x}"),
        ));
    }
    Ok(x.clone())
}

pub(crate) fn convert_abstract_eval(
    new_dtype: DType,
    weak_type: bool,
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = unary_operand("convert_element_type", avals)?;
    Ok(ShapedArray {
        shape: x.shape.clone(),
        dtype: new_dtype,
        weak_type,
    })
}

pub(crate) fn select_n_abstract_eval(avals: &[ShapedArray]) -> Result<ShapedArray> {
    let Some((which, cases)) = avals.split_first().filter(|(_, cases)| !cases.is_empty()) else {
        return Err(Error::invalid(
            "select_n",
            "needs a selector and at least one case",
        ));
    };
    if which.dtype != DType::Bool && which.dtype != DType::I32 {
        return Err(Error::invalid(
            "select_n",
            format!("the selector must be bool or int32, got {which}"),
        ));
    }
    if which.dtype == DType::Bool && cases.len() > 2 {
        return Err(Error::invalid(
            "select_n",
            format!("a bool selector picks from 2 cases, got {}", cases.len()),
        ));
    }
    let first = &cases[0];
    if let Some(other) = cases
        .iter()
        .find(|case| case.shape != first.shape || case.dtype != first.dtype)
    {
        return Err(Error::invalid(
            "select_n",
            format!("cases must share one type, got {first} and {other}"),
        ));
    }
    if !which.shape.is_empty() && which.shape != first.shape {
        return Err(Error::invalid(
            "select_n",
            format!("the selector {which} must be a scalar or have the cases' shape {first}"),
        ));
    }
    Ok(ShapedArray {
        shape: first.shape.clone(),
        dtype: first.dtype,
        weak_type: cases.iter().all(|case| case.weak_type),
    })
}

pub(crate) fn clamp_abstract_eval(avals: &[ShapedArray]) -> Result<ShapedArray> {
    let [low, x, high] = avals else {
        return Err(Error::invalid(
            "clamp",
            format!("takes 3 operands, got {}", avals.len()),
        ));
    };
    for bound in [low, high] {
        if bound.dtype != x.dtype || (!bound.shape.is_empty() && bound.shape != x.shape) {
            return Err(Error::invalid(
                "clamp",
                format!("bounds must be scalars or match the operand {x}, got {bound}"),
            ));
        }
    }
    check_dtype("clamp", Accepts::Real, x)?;
    Ok(x.clone())
}

pub(crate) fn unary_lower(
    op: UnaryOp,
    f: &mut FunctionBuilder<'_>,
    x: &str,
    aval: &ShapedArray,
    out: &ShapedArray,
) -> String {
    let avals = std::slice::from_ref(aval);
    let x = x.to_string();
    if op == UnaryOp::Sign && aval.dtype.is_unsigned_int() {
        // `stablehlo.sign` takes no unsigned integers: `x != 0 ? 1 : 0`, as JAX lowers it.
        let constant = |f: &mut FunctionBuilder<'_>, value: i64| {
            f.constant(
                aval,
                &dense_scalar(aval.dtype, &Scalar::Int(value).to_bytes(aval.dtype)),
            )
        };
        let zero = constant(f, 0);
        let one = constant(f, 1);
        let nonzero = compare_lower(
            Comparison::Ne,
            f,
            &[x, zero.clone()],
            &[aval.clone(), aval.clone()],
            &aval.with_dtype(DType::Bool),
        );
        return f.op(
            "stablehlo.select",
            &[nonzero, one, zero],
            &[aval.with_dtype(DType::Bool), aval.clone(), aval.clone()],
            avals,
            "",
        );
    }
    if op == UnaryOp::Exp2 {
        // 2^x = e^(x ln 2), as JAX lowers it.
        let ln2 = f.constant(
            aval,
            &dense_scalar(
                aval.dtype,
                &Scalar::Float(std::f64::consts::LN_2).to_bytes(aval.dtype),
            ),
        );
        let scaled = f.op(
            "stablehlo.multiply",
            &[x, ln2],
            &[aval.clone(), aval.clone()],
            avals,
            "",
        );
        return f.op(op.mlir(), &[scaled], avals, avals, "");
    }
    // The result type is the operand's, except for `abs` of a complex operand.
    f.op(op.mlir(), &[x], avals, std::slice::from_ref(out), "")
}

pub(crate) fn binary_lower(
    op: BinaryOp,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    out: &ShapedArray,
) -> String {
    let (args, avals) = broadcast_scalar_operands(f, args, avals_in, &out.shape);
    f.op(op.mlir(), &args, &avals, std::slice::from_ref(out), "")
}

/// The `comparison_type` StableHLO needs to compare values of `dtype`.
fn comparison_type(dtype: DType) -> &'static str {
    if dtype.is_inexact() {
        "FLOAT"
    } else if dtype.is_signed_int() {
        "SIGNED"
    } else {
        "UNSIGNED"
    }
}

pub(crate) fn compare_lower(
    op: Comparison,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    out: &ShapedArray,
) -> String {
    let (args, avals) = broadcast_scalar_operands(f, args, avals_in, &out.shape);
    let operand = &avals[0];
    let attributes = format!(
        "comparison_direction = #stablehlo<comparison_direction {}>, compare_type = #stablehlo<comparison_type {}>",
        op.mlir(),
        comparison_type(operand.dtype)
    );
    f.op(
        "stablehlo.compare",
        &args,
        &avals,
        std::slice::from_ref(out),
        &attributes,
    )
}

pub(crate) fn select_n_lower(
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    out: &ShapedArray,
) -> String {
    let (args, avals) = broadcast_scalar_operands(f, args, avals_in, &out.shape);
    let which = &avals[0];
    let cases = &args[1..];
    let out_types = [which.with_dtype(DType::Bool), out.clone(), out.clone()];
    let result = std::slice::from_ref(out);
    if which.dtype == DType::Bool {
        // select(pred, on_true, on_false): `true` picks case 1.
        let (on_false, on_true) = match cases {
            [only] => (only, only),
            [first, second] => (first, second),
            _ => unreachable!("abstract evaluation allows at most two cases for a bool selector"),
        };
        return f.op(
            "stablehlo.select",
            &[args[0].clone(), on_true.clone(), on_false.clone()],
            &out_types,
            result,
            "",
        );
    }
    // select_n(i, c0, ..., cn) = i < 1 ? c0 : (i < 2 ? c1 : ...), folded from the last case.
    let mut selected = cases[cases.len() - 1].clone();
    for index in (0..cases.len() - 1).rev() {
        let bound = f.constant(
            which,
            &dense_scalar(DType::I32, &(index as i32 + 1).to_le_bytes()),
        );
        let predicate = compare_lower(
            Comparison::Lt,
            f,
            &[args[0].clone(), bound],
            &[which.clone(), which.clone()],
            &out_types[0],
        );
        selected = f.op(
            "stablehlo.select",
            &[predicate, cases[index].clone(), selected],
            &out_types,
            result,
            "",
        );
    }
    selected
}

pub(crate) fn integer_pow_lower(
    y: i32,
    f: &mut FunctionBuilder<'_>,
    x: &str,
    aval: &ShapedArray,
) -> String {
    let avals = [aval.clone(), aval.clone()];
    let out = std::slice::from_ref(aval);
    let one = || dense_scalar(aval.dtype, &Scalar::Int(1).to_bytes(aval.dtype));
    // Binary exponentiation over |y|, then a reciprocal for negative exponents.
    let mut result: Option<String> = None;
    let mut power = x.to_string();
    let mut remaining = y.unsigned_abs();
    while remaining > 0 {
        if remaining & 1 == 1 {
            result = Some(match result {
                None => power.clone(),
                Some(acc) => f.op("stablehlo.multiply", &[acc, power.clone()], &avals, out, ""),
            });
        }
        remaining >>= 1;
        if remaining > 0 {
            power = f.op(
                "stablehlo.multiply",
                &[power.clone(), power],
                &avals,
                out,
                "",
            );
        }
    }
    let result = match result {
        Some(result) => result,
        None => f.constant(aval, &one()),
    };
    if y < 0 {
        let numerator = f.constant(aval, &one());
        f.op("stablehlo.divide", &[numerator, result], &avals, out, "")
    } else {
        result
    }
}

pub(crate) fn convert_lower(
    f: &mut FunctionBuilder<'_>,
    x: &str,
    from: &ShapedArray,
    to: &ShapedArray,
) -> String {
    if to.dtype == DType::Bool && from.dtype != DType::Bool {
        // `x != 0`, which is what a conversion to bool means.
        let zero = f.constant(
            from,
            &dense_scalar(from.dtype, &Scalar::Int(0).to_bytes(from.dtype)),
        );
        return compare_lower(
            Comparison::Ne,
            f,
            &[x.to_string(), zero],
            &[from.clone(), from.clone()],
            to,
        );
    }
    let mut value = x.to_string();
    let mut current = from.clone();
    if from.dtype.is_complex() && !to.dtype.is_complex() {
        let real = ShapedArray::new(
            from.shape.clone(),
            if from.dtype == DType::C64 {
                DType::F32
            } else {
                DType::F64
            },
        );
        value = f.op(
            "stablehlo.real",
            &[value],
            std::slice::from_ref(&current),
            std::slice::from_ref(&real),
            "",
        );
        current = real;
    }
    f.op(
        "stablehlo.convert",
        &[value],
        std::slice::from_ref(&current),
        std::slice::from_ref(to),
        "",
    )
}
