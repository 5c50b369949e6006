//! Elementwise functions, as in `jax.numpy` (JAX's `ufuncs`): trigonometric, hyperbolic,
//! exponential and logarithmic functions, rounding, arithmetic with NumPy's integer semantics
//! (`floor_divide`, `remainder`, `power`), comparisons, logical and bitwise operations,
//! floating-point predicates and `nan_to_num`.
//!
//! Every function broadcasts its operands and promotes them as JAX does: the common type of
//! JAX's lattice (Rust numbers are weakly typed), then, for the transcendental functions and
//! true division, integers and booleans become float32 (64-bit integers float64, as JAX's
//! `to_inexact_dtype`); for the arithmetic ones, booleans become the default int.

use std::f64::consts::{LN_2, PI};
use std::sync::LazyLock;

use super::{broadcast_array, default_int, full_like, promote, where_};
use crate::array::{broadcast_shapes, convert};
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, DType, Error, IntoArray, custom_jvp};

/// How an elementwise function promotes its operands after JAX's lattice promotion.
#[derive(Clone, Copy)]
enum Promote {
    /// The common type as it is (JAX's `promote_args`).
    Common,
    /// Booleans become the default int (`promote_args_numeric`).
    Numeric,
    /// Booleans and integers become the default float (`promote_args_inexact`).
    Inexact,
}

/// `args` promoted together as `how` says and broadcast to their common shape; panics naming
/// `op` and the operand types if the shapes do not broadcast.
#[track_caller]
fn operands<const N: usize>(op: &str, args: [Array; N], how: Promote) -> [Array; N] {
    let shapes: Vec<&[usize]> = args.iter().map(Array::shape).collect();
    let Some(shape) = broadcast_shapes(&shapes) else {
        let types: Vec<String> = args.iter().map(|a| a.aval().to_string()).collect();
        let message = format!("incompatible shapes for broadcasting: {}", types.join(", "));
        panic!("{}", Error::invalid(op, message));
    };
    let promoted = unwrap_at_caller(promote(&args));
    let dtype = promoted[0].dtype();
    let target = match how {
        Promote::Inexact => crate::promotion::to_inexact_dtype(dtype, crate::config::x64_enabled()),
        Promote::Numeric if dtype == DType::Bool => default_int(),
        _ => dtype,
    };
    let out: Vec<Array> = promoted
        .iter()
        .map(|a| {
            let a = unwrap_at_caller(convert(a, target, a.weak_type()));
            unwrap_at_caller(broadcast_array(&a, &shape))
        })
        .collect();
    out.try_into()
        .unwrap_or_else(|_| unreachable!("one output per operand"))
}

/// `x` as an inexact array, as JAX's `promote_args_inexact(op, x)`: integers and booleans
/// become float32 (64-bit integers float64), keeping their weak type.
#[track_caller]
pub(crate) fn promote_inexact(op: &str, x: impl IntoArray) -> Array {
    let [x] = operands(op, [x.into_array()], Promote::Inexact);
    x
}

/// `args` promoted together as JAX's `promote_args_inexact(op, *args)` (integers and booleans
/// become float32, 64-bit integers float64) and broadcast to their common shape.
#[track_caller]
pub(crate) fn promote_args_inexact<const N: usize>(op: &str, args: [Array; N]) -> [Array; N] {
    operands(op, args, Promote::Inexact)
}

/// The phrase a function's documentation ends with, saying how it promotes.
macro_rules! promotion_note {
    (Common) => {
        "."
    };
    (Numeric) => {
        "; booleans become the default int."
    };
    (Inexact) => {
        "; integers and booleans become float32 (64-bit integers float64)."
    };
}

/// Unary functions: `name => implementation on the promoted operand, "what it computes"`. The
/// implementation takes the operand by value, so that an array the caller gave up can lend its
/// buffer to the result (see `lax::apply_owned`).
macro_rules! unary {
    ($how:ident: $($name:ident => $f:expr, $what:literal;)*) => {$(
        #[doc = concat!("Elementwise ", $what, ", as `jnp.", stringify!($name), "`",
                        promotion_note!($how))]
        #[track_caller]
        pub fn $name(x: impl IntoArray) -> Array {
            let [x] = operands(stringify!($name), [x.into_array()], Promote::$how);
            ($f)(x)
        }
    )*};
}

/// Binary functions, broadcasting: `name => implementation, "what it computes"`, with the
/// operands by value as for [`unary!`].
macro_rules! binary {
    ($how:ident: $($name:ident => $f:expr, $what:literal;)*) => {$(
        #[doc = concat!("Elementwise ", $what, ", as `jnp.", stringify!($name), "`, with \
                         NumPy broadcasting", promotion_note!($how))]
        #[track_caller]
        pub fn $name(x: impl IntoArray, y: impl IntoArray) -> Array {
            let [x, y] =
                operands(stringify!($name), [x.into_array(), y.into_array()], Promote::$how);
            ($f)(x, y)
        }
    )*};
}

unary! { Inexact:
    sin => lax::sin, "sine";
    cos => lax::cos, "cosine";
    tan => lax::tan, "tangent";
    arcsin => lax::asin, "arc sine";
    arccos => lax::acos, "arc cosine";
    arctan => lax::atan, "arc tangent";
    sinh => lax::sinh, "hyperbolic sine";
    cosh => lax::cosh, "hyperbolic cosine";
    tanh => lax::tanh, "hyperbolic tangent";
    arcsinh => lax::asinh, "inverse hyperbolic sine";
    arccosh => lax::acosh, "inverse hyperbolic cosine";
    arctanh => lax::atanh, "inverse hyperbolic tangent";
    exp => lax::exp, "`e^x`";
    exp2 => lax::exp2, "`2^x`";
    expm1 => lax::expm1, "`e^x - 1`, accurate near 0";
    log => lax::log, "natural logarithm";
    log1p => lax::log1p, "`ln(1 + x)`, accurate near 0";
    log2 => |x: Array| lax::log(x) / LN_2, "base-2 logarithm";
    log10 => |x: Array| lax::log(x) / std::f64::consts::LN_10, "base-10 logarithm";
    sqrt => lax::sqrt, "square root";
    cbrt => lax::cbrt, "cube root";
    reciprocal => |x: Array| lax::integer_pow(x, -1), "`1 / x`";
    deg2rad => |x: Array| x * (PI / 180.0), "conversion from degrees to radians";
    radians => |x: Array| x * (PI / 180.0), "conversion from degrees to radians";
    rad2deg => |x: Array| x * (180.0 / PI), "conversion from radians to degrees";
    degrees => |x: Array| x * (180.0 / PI), "conversion from radians to degrees";
    sinc => |x: Array| sinc_(&x), "normalized sinc, `sin(πx) / (πx)` with 1 at 0";
    fabs => lax::abs, "absolute value, as a float";
    rint => |x: Array| round_half_even(&x), "rounding to the nearest integer, halves to even";
}

unary! { Common:
    negative => lax::neg, "`-x`";
    positive => |x: Array| x, "`+x` (the promoted operand itself)";
    sign => lax::sign, "sign: -1, 0 or 1 (NaN stays NaN)";
    absolute => |x: Array| abs_(&x), "absolute value (booleans and unsigned integers unchanged)";
    abs => |x: Array| abs_(&x), "absolute value (booleans and unsigned integers unchanged)";
    floor => |x: Array| float_only(x, lax::floor), "floor (integers unchanged)";
    ceil => |x: Array| float_only(x, lax::ceil), "ceiling (integers unchanged)";
    trunc => |x: Array| float_only(x, |x| trunc_(&x)), "rounding toward zero (integers unchanged)";
    fix => |x: Array| float_only(x, |x| trunc_(&x)), "rounding toward zero (integers unchanged)";
    bitwise_not => lax::not, "bitwise (or, on booleans, logical) not";
    invert => lax::not, "bitwise (or, on booleans, logical) not";
    isnan => |x: Array| predicate(&x, false, |x| x.ne(x)), "test for NaN";
    isinf => |x: Array| predicate(&x, false, |x| x.abs().eq(f64::INFINITY)),
        "test for positive or negative infinity";
    isposinf => |x: Array| predicate(&x, false, |x| x.eq(f64::INFINITY)),
        "test for positive infinity";
    isneginf => |x: Array| predicate(&x, false, |x| x.eq(f64::NEG_INFINITY)),
        "test for negative infinity";
    isfinite => |x: Array| predicate(&x, true, |x| lax::is_finite(x)), "test for finite values";
    signbit => |x: Array| signbit_(&x), "test of the sign bit (true for -0.0; `x < 0` for integers)";
}

unary! { Numeric:
    square => |x: Array| lax::integer_pow(x, 2), "`x * x`";
}

binary! { Common:
    add => |x, y| bool_or(x, y, lax::bitwise_or, lax::add),
        "`x + y` (logical or on booleans)";
    subtract => lax::sub, "`x - y`";
    multiply => |x, y| bool_or(x, y, lax::bitwise_and, lax::mul),
        "`x * y` (logical and on booleans)";
    maximum => lax::max, "maximum, propagating NaNs";
    minimum => lax::min, "minimum, propagating NaNs";
    fmax => |x: Array, y: Array| where_(lax::bitwise_or(x.gt(&y), isnan(&y)), x, y),
        "maximum, ignoring NaNs (NaN only if both are)";
    fmin => |x: Array, y: Array| where_(lax::bitwise_or(x.lt(&y), isnan(&y)), x, y),
        "minimum, ignoring NaNs (NaN only if both are)";
    equal => lax::eq, "`x == y`";
    not_equal => lax::ne, "`x != y`";
    less => lax::lt, "`x < y`";
    less_equal => lax::le, "`x <= y`";
    greater => lax::gt, "`x > y`";
    greater_equal => lax::ge, "`x >= y`";
    bitwise_and => lax::bitwise_and, "bitwise (on booleans, logical) and";
    bitwise_or => lax::bitwise_or, "bitwise (on booleans, logical) or";
    bitwise_xor => lax::bitwise_xor, "bitwise (on booleans, logical) exclusive or";
    left_shift => lax::shift_left, "`x << y`";
    right_shift => |x: Array, y: Array| right_shift_(&x, &y), "`x >> y` (arithmetic for signed integers)";
}

binary! { Numeric:
    floor_divide => |x: Array, y: Array| floor_divide_(&x, &y), "`x // y`, rounding toward -∞";
    remainder => |x: Array, y: Array| remainder_(&x, &y), "remainder of `x // y`, with the sign of `y` (Python's `%`)";
    fmod => |x: Array, y: Array| lax::rem(x, nonzero_divisor(&y)),
        "remainder with the sign of `x` (C's `fmod`)";
}

binary! { Inexact:
    divide => lax::div, "true division `x / y`";
    true_divide => lax::div, "true division `x / y`";
    arctan2 => lax::atan2, "arc tangent of `x / y` in the quadrant of `(y, x)`";
    hypot => |x: Array, y: Array| hypot_(&x, &y), "`sqrt(x² + y²)` without overflow";
    logaddexp => |x: Array, y: Array| logaddexp_(&x, &y), "`log(exp(x) + exp(y))` without overflow";
    logaddexp2 => |x: Array, y: Array| logaddexp2_(&x, &y), "`log2(2^x + 2^y)` without overflow";
    copysign => |x: Array, y: Array| where_(signbit(y), -x.abs(), x.abs()),
        "magnitude of `x` with the sign of `y`";
    heaviside => |x: Array, y: Array| heaviside_(&x, &y), "Heaviside step: 0 below 0, 1 above, `y` at 0, NaN at NaN";
    nextafter => lax::nextafter, "next representable value after `x` toward `y`";
    float_power => lax::pow, "`x ** y` in floating point";
}

/// Logical functions: their operands become booleans (nonzero is true) before broadcasting.
macro_rules! logical {
    ($($name:ident => $f:path, $what:literal;)*) => {$(
        #[doc = concat!("Elementwise logical ", $what, ", as `jnp.", stringify!($name),
                        "`, with NumPy broadcasting; nonzero values are true.")]
        #[track_caller]
        pub fn $name(x: impl IntoArray, y: impl IntoArray) -> Array {
            let (x, y) = (truth(x.into_array()), truth(y.into_array()));
            let [x, y] = operands(stringify!($name), [x, y], Promote::Common);
            $f(&x, &y)
        }
    )*};
}

logical! {
    logical_and => lax::bitwise_and, "and";
    logical_or => lax::bitwise_or, "or";
    logical_xor => lax::bitwise_xor, "exclusive or";
}

/// Elementwise logical not (`jnp.logical_not`); nonzero values are true.
#[track_caller]
pub fn logical_not(x: impl IntoArray) -> Array {
    lax::not(truth(x.into_array()))
}

/// `x` as booleans: itself if boolean, else `x != 0`.
fn truth(x: Array) -> Array {
    if x.dtype() == DType::Bool { x } else { x.ne(0) }
}

/// `x ** y` elementwise (`jnp.power`), with NumPy broadcasting; booleans become the default int.
/// As in JAX, a concrete integer scalar exponent (a Rust integer, say) gives `lax.integer_pow`
/// of `x`'s type, integer arrays stay integers (computed by repeated squaring, exponents below
/// 64), and other operands are promoted and raised with `lax.pow`.
#[track_caller]
pub fn power(x: impl IntoArray, y: impl IntoArray) -> Array {
    let (x, y) = (x.into_array(), y.into_array());
    if let Some(n) = concrete_integer(&y) {
        let [x] = operands("power", [x], Promote::Numeric);
        return lax::integer_pow(&x, n);
    }
    let [mut x, mut y] = operands("power", [x, y], Promote::Numeric);
    if !x.dtype().is_int() {
        return lax::pow(&x, &y);
    }
    // JAX's `_pow_int_int`: six rounds of binary exponentiation (anything larger overflows).
    let one = full_like(&y, 1, None);
    let mut acc = where_(lax::bitwise_and(x.eq(0), y.ne(0)), 0, 1);
    acc = unwrap_at_caller(convert(&acc, x.dtype(), x.weak_type()));
    for _ in 0..6 {
        acc = where_(lax::bitwise_and(&y, &one).ne(0), &acc * &x, &acc);
        x = &x * &x;
        y = lax::shift_right_logical(&y, &one);
    }
    acc
}

/// The value of `y` if it is a concrete integer scalar that fits an `i32`.
fn concrete_integer(y: &Array) -> Option<i32> {
    if y.is_tracer() || y.ndim() != 0 || !y.dtype().is_int() {
        return None;
    }
    let wide = convert(y, DType::I64, false).ok()?;
    wide.item::<i64>().ok().and_then(|n| i32::try_from(n).ok())
}

/// `x` rounded to `decimals` decimal places, halves to even (`jnp.round`, also `jnp.around`);
/// integers are returned unchanged (JAX rejects negative `decimals` for them, and so does this).
#[track_caller]
pub fn round(x: impl IntoArray, decimals: i32) -> Array {
    let x = x.into_array();
    if !x.dtype().is_inexact() {
        assert!(
            decimals >= 0,
            "round: integer rounding with decimals < 0 is not implemented (as in JAX), got {} \
             with decimals={decimals}",
            x.aval()
        );
        return x;
    }
    if decimals == 0 {
        return round_half_even(&x);
    }
    let factor = 10f64.powi(decimals);
    round_half_even(&(&x * factor)) / factor
}

/// `x` with NaNs replaced by `nan`, `+∞` by `posinf` and `-∞` by `neginf` (`jnp.nan_to_num`);
/// the infinities default to the largest finite values of `x`'s dtype. Integers and booleans are
/// returned unchanged.
#[track_caller]
pub fn nan_to_num(x: impl IntoArray, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> Array {
    let x = x.into_array();
    let dtype = x.dtype();
    if !dtype.is_float() {
        assert!(
            !dtype.is_complex(),
            "nan_to_num: complex arrays are not supported, got {}",
            x.aval()
        );
        return x;
    }
    let largest = match dtype {
        DType::F16 => 65504.0,
        DType::BF16 => 3.3895313892515355e38,
        DType::F32 => f64::from(f32::MAX),
        _ => f64::MAX,
    };
    let constant = |v: f64| unwrap_at_caller(convert(&v.into_array(), dtype, false));
    let out = where_(isnan(&x), constant(nan), &x);
    let out = where_(isposinf(&out), constant(posinf.unwrap_or(largest)), &out);
    where_(isneginf(&out), constant(neginf.unwrap_or(-largest)), &out)
}

/// `(floor_divide(x, y), remainder(x, y))` (`jnp.divmod`).
#[track_caller]
pub fn divmod(x: impl IntoArray, y: impl IntoArray) -> (Array, Array) {
    let [x, y] = operands("divmod", [x.into_array(), y.into_array()], Promote::Numeric);
    (floor_divide_(&x, &y), remainder_(&x, &y))
}

/// `|x|`, leaving booleans and unsigned integers as they are.
fn abs_(x: &Array) -> Array {
    if x.dtype() == DType::Bool || x.dtype().is_unsigned_int() {
        x.clone()
    } else {
        lax::abs(x)
    }
}

/// `f(x)` for floating-point `x`; other arrays unchanged.
fn float_only(x: Array, f: impl Fn(Array) -> Array) -> Array {
    if x.dtype().is_inexact() { f(x) } else { x }
}

/// Rounding toward zero.
fn trunc_(x: &Array) -> Array {
    where_(x.lt(0.0), lax::ceil(x), lax::floor(x))
}

/// `test(x)` for floating-point `x`; `otherwise` everywhere for other dtypes.
fn predicate(x: &Array, otherwise: bool, test: impl Fn(&Array) -> Array) -> Array {
    if x.dtype().is_inexact() {
        test(x)
    } else {
        full_like(x, otherwise, Some(DType::Bool))
    }
}

/// Whether the sign bit is set: through the bits for floats, `x < 0` for integers.
#[track_caller]
fn signbit_(x: &Array) -> Array {
    let bits = match x.dtype() {
        DType::F16 | DType::BF16 => DType::I16,
        DType::F32 => DType::I32,
        DType::F64 => DType::I64,
        _ if x.dtype().is_int() => return x.lt(0),
        DType::Bool => return full_like(x, false, None),
        other => panic!("signbit: requires a real dtype, got {other}"),
    };
    lax::bitcast_convert_type(x, bits).lt(0)
}

/// Rounding to the nearest integer, halves to even (NumPy's rounding).
fn round_half_even(x: &Array) -> Array {
    let away = lax::round(x);
    let tie = (x - &away).abs().eq(0.5);
    where_(tie, lax::round(&(x * 0.5)) * 2.0, away)
}

/// `sin(πx) / (πx)`, 1 at 0. At 0 the value comes from the Maclaurin series of `sin(z) / z`,
/// so its derivatives there (through order 8) are exact, as JAX's custom rule makes them.
fn sinc_(x: &Array) -> Array {
    let zero = x.eq(0.0);
    let z = x * PI;
    let safe = where_(&zero, 1.0, &z);
    let z2 = &z * &z;
    let series =
        ((((&z2 / 362880.0 - 1.0 / 5040.0) * &z2 + 1.0 / 120.0) * &z2 - 1.0 / 6.0) * &z2) + 1.0;
    where_(zero, series, safe.sin() / &safe)
}

/// `x` for booleans through `logical`, otherwise through `arithmetic`.
fn bool_or(
    x: Array,
    y: Array,
    logical: fn(Array, Array) -> Array,
    arithmetic: fn(Array, Array) -> Array,
) -> Array {
    if x.dtype() == DType::Bool {
        logical(x, y)
    } else {
        arithmetic(x, y)
    }
}

/// JAX's `heaviside`: 0 below 0, 1 above, `y` at 0, and NaN where `x` is.
fn heaviside_(x: &Array, y: &Array) -> Array {
    let at_zero = where_(x.ne(x), x, y);
    where_(x.lt(0.0), 0.0, where_(x.gt(0.0), 1.0, at_zero))
}

/// Shift right: arithmetic for signed integers, logical for unsigned ones.
fn right_shift_(x: &Array, y: &Array) -> Array {
    if x.dtype().is_unsigned_int() {
        lax::shift_right_logical(x, y)
    } else {
        lax::shift_right_arithmetic(x, y)
    }
}

/// An integer divisor with zeros replaced by ones (JAX's guard against division by zero).
fn nonzero_divisor(y: &Array) -> Array {
    if y.dtype().is_int() {
        where_(y.eq(0), 1, y)
    } else {
        y.clone()
    }
}

/// JAX's `floor_divide` on promoted operands.
fn floor_divide_(x: &Array, y: &Array) -> Array {
    let dtype = x.dtype();
    if dtype.is_unsigned_int() {
        lax::div(x, y)
    } else if dtype.is_int() {
        let quotient = lax::div(x, y);
        let adjust = lax::bitwise_and(lax::sign(x).ne(lax::sign(y)), lax::rem(x, y).ne(0));
        where_(adjust, &quotient - 1, quotient)
    } else {
        float_divmod(x, y).0
    }
}

/// JAX's `remainder` on promoted operands: the result has the sign of `y`.
fn remainder_(x: &Array, y: &Array) -> Array {
    let y = nonzero_divisor(y);
    let truncated = lax::rem(x, &y);
    let fix = lax::bitwise_and(truncated.lt(0).ne(y.lt(0)), truncated.ne(0));
    where_(fix, &truncated + &y, truncated)
}

/// CPython's `float_divmod`: the floored quotient and the remainder with the sign of `y`.
fn float_divmod(x: &Array, y: &Array) -> (Array, Array) {
    let modulo = lax::rem(x, y);
    let quotient = (x - &modulo) / y;
    let fix = lax::bitwise_and(modulo.ne(0.0), lax::sign(y).ne(lax::sign(&modulo)));
    let modulo = where_(&fix, &modulo + y, &modulo);
    let quotient = where_(&fix, &quotient - 1.0, &quotient);
    (lax::round(&quotient), modulo)
}

/// JAX's `hypot`: the larger magnitude times `sqrt(1 + (smaller / larger)²)`.
fn hypot_(x: &Array, y: &Array) -> Array {
    let (x, y) = (x.abs(), y.abs());
    let infinite = lax::bitwise_or(isposinf(&x), isposinf(&y));
    let (big, small) = (lax::max(&x, &y), lax::min(&x, &y));
    let big_is_zero = big.eq(0.0);
    let ratio = &small / where_(&big_is_zero, 1.0, &big);
    let scaled = &big * (&ratio * &ratio + 1.0).sqrt();
    where_(infinite, f64::INFINITY, where_(big_is_zero, &big, scaled))
}

/// A binary function with a custom derivative, shared by every call.
type CustomBinary = Box<dyn Fn((Array, Array)) -> crate::Result<Array> + Send + Sync>;

/// JAX's `logaddexp`, with JAX's custom derivative.
static LOGADDEXP: LazyLock<CustomBinary> =
    LazyLock::new(|| with_logaddexp_jvp(&LOGADDEXP, logaddexp_primal, |x| lax::exp(x)));

/// JAX's `logaddexp2`, with JAX's custom derivative.
static LOGADDEXP2: LazyLock<CustomBinary> =
    LazyLock::new(|| with_logaddexp_jvp(&LOGADDEXP2, logaddexp2_primal, |x| lax::exp2(x)));

/// `primal` (`this` itself) with JAX's rule for `logaddexp`: each tangent scaled by
/// `exp(x - out)` in the function's base, with `+∞` read as 0 so that infinities give finite
/// derivatives.
fn with_logaddexp_jvp(
    this: &'static LazyLock<CustomBinary>,
    primal: fn(&Array, &Array) -> Array,
    exp: fn(&Array) -> Array,
) -> CustomBinary {
    Box::new(custom_jvp(
        move |(x, y): (Array, Array)| primal(&x, &y),
        move |(x, y): (Array, Array), (tx, ty): (Array, Array)| -> crate::Result<(Array, Array)> {
            let out = this((x.clone(), y.clone()))?;
            let finite = |v: &Array| where_(v.eq(f64::INFINITY), 0.0, v);
            let (x, y, base) = (finite(&x), finite(&y), finite(&out));
            let tangent = tx * exp(&(x - &base)) + ty * exp(&(y - &base));
            Ok((out, tangent))
        },
    ))
}

/// `logaddexp` of promoted operands.
#[track_caller]
fn logaddexp_(x: &Array, y: &Array) -> Array {
    unwrap_at_caller(LOGADDEXP((x.clone(), y.clone())))
}

/// `logaddexp2` of promoted operands.
#[track_caller]
fn logaddexp2_(x: &Array, y: &Array) -> Array {
    unwrap_at_caller(LOGADDEXP2((x.clone(), y.clone())))
}

/// JAX's `logaddexp` primal: `max(x, y) + log1p(exp(-|x - y|))`, or `x + y` where that
/// difference is NaN (NaNs, or infinities of one sign).
fn logaddexp_primal(x: &Array, y: &Array) -> Array {
    let delta = x - y;
    let stable = lax::max(x, y) + lax::log1p((-delta.abs()).exp());
    where_(delta.ne(&delta), x + y, stable)
}

/// JAX's `logaddexp2` primal, the base-2 form of [`logaddexp_primal`].
fn logaddexp2_primal(x: &Array, y: &Array) -> Array {
    let delta = x - y;
    let stable = lax::max(x, y) + lax::log1p(lax::exp2(&-delta.abs())) / LN_2;
    where_(delta.ne(&delta), x + y, stable)
}
