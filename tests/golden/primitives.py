"""Golden data for rjax's primitives (src/lax/*.rs), computed independently of XLA.

Run `python3 tests/golden/primitives.py > tests/golden/primitives.txt`.

The expected values come from NumPy, and from SciPy (`scipy.special`, in float64) for erf,
erfc, erf_inv, lgamma and digamma. Float32 inputs of transcendental functions are widened to
float64 first, so their expectation is the float64 value of the function at the exact float32
input (rounding to float32 is left to the tolerance of the test). Correctly rounded operations
(add, sub, mul, div, sqrt, rem, ...) are computed by NumPy in the input dtype itself.

Where XLA defines a result NumPy does not (integer division by zero, INT_MIN / -1, shifts by
the bit width or more, saturating float->int conversion, the sign of zero in max/min/sign),
JAX is the specification: those cases say `jax` in their oracle column and their expectation
is `jax.lax` evaluated with x64 on. Every case is also run through `jax.lax` here; a
disagreement beyond the test's tolerance is printed on stderr (none is expected).

One case per line, tab-separated:

    <op>  <params>  <oracle>  <inputs>  <expected>

- `op`: the JAX primitive name (`add`, `and`, `not`, `reduce_max`, `dot_general`, ...).
- `params`: `-`, or space-separated `key=value` pairs; list values are comma-separated
  integers (empty for an empty list). Keys: `y` (integer_pow), `new_dtype`,
  `shape`/`broadcast_dimensions`, `new_sizes`, `permutation`, `dimensions`,
  `dtype`/`shape`/`dimension` (iota), `start_indices`/`limit_indices`/`strides` (slice; no
  `strides` means the default of ones), `dimension` (concatenate), `axes` (reductions),
  `lhs_contracting`/`rhs_contracting`/`lhs_batch`/`rhs_batch`/`preferred_element_type`.
- `oracle`: `numpy`, `scipy` or `jax`.
- `inputs`: `-` for none, else space-separated arrays; `expected`: one array.
- An array is `<dtype>[<dims, comma-separated>]:<values, comma-separated, row-major>`, e.g.
  `float32[2,2]:1.0,-0.0,nan,-inf`, `int32[]:7`, `float32[0,3]:`. Floats are Python `repr`s of
  the float64 value (exact for float32 values); `nan`, `inf`, `-inf` spell the special
  values. Bools are 0 and 1.
"""

import math
import sys

import jax
import jax.numpy as jnp
import numpy as np
import scipy
import scipy.special as sp
from jax import lax

jax.config.update("jax_enable_x64", True)

INF = math.inf
NAN = math.nan
F32, F64 = np.float32, np.float64

CASES = []


def arr(values, dtype, shape=None):
    a = np.array(values, dtype=dtype)
    return a if shape is None else a.reshape(shape)


def add_case(op, params, inputs, expected, oracle="numpy", dtype=None):
    """A case; `dtype` is the result dtype when `expected` holds wider (float64) values."""
    expected = np.asarray(expected)
    dtype = expected.dtype if dtype is None else np.dtype(dtype)
    CASES.append((op, dict(params), [np.asarray(x) for x in inputs], expected, dtype, oracle))


# --- formatting -----------------------------------------------------------------------------

def fmt_value(v, dtype):
    if dtype == np.bool_:
        return "1" if v else "0"
    if np.issubdtype(dtype, np.integer):
        return str(int(v))
    return repr(float(v))


def fmt_array(a, dtype=None):
    dtype = a.dtype if dtype is None else dtype
    values = ",".join(fmt_value(v, a.dtype) for v in a.reshape(-1))
    dims = ",".join(str(d) for d in a.shape)
    return f"{dtype.name}[{dims}]:{values}"


def fmt_params(params):
    if not params:
        return "-"
    parts = []
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    return " ".join(parts)


# --- the cross-check against jax.lax -----------------------------------------------------

# The test's tolerances (tests/core_primitives.rs): |got - want| <= rtol |want| + atol.
# float32's lgamma and digamma are XLA's Lanczos-based approximations, evaluated in float32:
# their error is a few ulp of the intermediate terms, hence an absolute part.
F32_TOL = {"lgamma": (2e-6, 1e-6), "digamma": (2e-6, 1e-6)}
APPROX = {
    "exp", "exp2", "log", "log1p", "expm1", "rsqrt", "cbrt", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "logistic", "erf",
    "erfc", "erf_inv", "lgamma", "digamma", "pow", "atan2", "integer_pow", "reduce_sum",
    "reduce_prod", "dot_general",
}

LAX_NAMES = {"not": "bitwise_not", "and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor"}


def lax_apply(op, p, xs):
    xs = [jnp.asarray(x) for x in xs]
    if op == "integer_pow":
        return lax.integer_pow(xs[0], p["y"])
    if op == "convert_element_type":
        return lax.convert_element_type(xs[0], np.dtype(p["new_dtype"]))
    if op == "broadcast_in_dim":
        return lax.broadcast_in_dim(xs[0], p["shape"], p["broadcast_dimensions"])
    if op == "reshape":
        return lax.reshape(xs[0], p["new_sizes"])
    if op == "transpose":
        return lax.transpose(xs[0], p["permutation"])
    if op == "squeeze":
        return lax.squeeze(xs[0], p["dimensions"])
    if op == "expand_dims":
        return lax.expand_dims(xs[0], p["dimensions"])
    if op == "iota":
        return lax.broadcasted_iota(np.dtype(p["dtype"]), p["shape"], p["dimension"])
    if op == "slice":
        return lax.slice(xs[0], p["start_indices"], p["limit_indices"], p.get("strides"))
    if op == "concatenate":
        return lax.concatenate(xs, p["dimension"])
    if op.startswith("reduce_"):
        return getattr(lax, op)(xs[0], p["axes"])
    if op == "dot_general":
        pet = p.get("preferred_element_type")
        return lax.dot_general(
            xs[0], xs[1],
            ((p["lhs_contracting"], p["rhs_contracting"]), (p["lhs_batch"], p["rhs_batch"])),
            preferred_element_type=None if pet is None else np.dtype(pet))
    if op == "copy":
        return lax.copy_p.bind(xs[0])
    return getattr(lax, LAX_NAMES.get(op, op))(*xs)


def agrees(op, got, want, dtype):
    if got.dtype != dtype or got.shape != want.shape:
        return False
    if not jnp.issubdtype(dtype, jnp.floating):
        return np.array_equal(got, want)
    g = got.astype(np.float64).reshape(-1)
    w = want.astype(np.float64).reshape(-1)
    for a, b in zip(g, w):
        if math.isnan(b):
            if not math.isnan(a):
                return False
        elif op in APPROX:
            rtol, atol = F32_TOL.get(op, (2e-6, 0.0)) if dtype == np.float32 else (1e-12, 0.0)
            if math.isinf(b) or math.isinf(a):
                if a != b:
                    return False
            elif abs(a - b) > rtol * abs(b) + atol:
                return False
        elif not (a == b and math.copysign(1, a) == math.copysign(1, b)):
            return False
    return True


# --- unary ops ------------------------------------------------------------------------------

def round_afz(x):
    """Rounds halves away from zero, exactly (NumPy's `round` rounds them to even)."""
    t = np.trunc(x)
    frac = x - t
    return np.where(np.abs(frac) >= 0.5, t + np.sign(x), t).astype(x.dtype)


def sign_xla(x):
    """The sign, keeping -0.0 and NaN as they are (XLA's; NumPy's `sign(-0.0)` is +0.0)."""
    return np.where((x == 0) | np.isnan(x), x, np.sign(x)).astype(x.dtype)


def in_f64(f):
    """`f` evaluated in float64 at the exact input values."""
    return lambda x: f(x.astype(np.float64))


def logistic(x):
    return sp.expit(x)


# name -> (oracle, function, inputs, whether the function is evaluated in float64)
UNARY_FLOAT = {
    "neg": ("numpy", np.negative, [-2.5, -0.0, 0.0, 1.0, 3.25, INF, -INF, NAN], False),
    "sign": ("jax", sign_xla, [-2.5, -0.0, 0.0, 1e-30, 3.0, INF, -INF, NAN], False),
    "floor": ("numpy", np.floor, [-2.5, -1.0, -0.2, -0.0, 0.7, 2.5, 1e20, -INF, NAN], False),
    "ceil": ("numpy", np.ceil, [-2.5, -1.0, -0.2, -0.0, 0.7, 2.5, 1e20, INF, NAN], False),
    "round": ("numpy", round_afz,
              [-2.5, -1.5, -0.5, -0.4, 0.4, 0.5, 1.5, 2.5, 0.49999997, 3.7, -INF, NAN], False),
    "abs": ("numpy", np.abs, [-2.5, -0.0, 0.0, 3.0, -INF, NAN], False),
    "exp": ("numpy", np.exp, [-50.0, -1.5, 0.0, 0.5, 1.0, 10.0, 80.0, -INF, INF, NAN], True),
    "exp2": ("numpy", np.exp2, [-10.0, -1.5, 0.0, 0.5, 1.0, 3.0, 10.0, 20.0], True),
    "log": ("numpy", np.log, [1e-10, 0.1, 0.5, 2.0, 10.0, 1e10, 0.0, INF, -1.0], True),
    "log1p": ("numpy", np.log1p, [-0.5, -1e-8, 0.0, 1e-8, 0.5, 1.0, 100.0, -1.0], True),
    "expm1": ("numpy", np.expm1, [-5.0, -1e-8, 0.0, 1e-8, 0.5, 1.0, 10.0], True),
    "sqrt": ("numpy", np.sqrt, [0.0, 0.25, 2.0, 10.0, 1e10, INF, -1.0], False),
    "rsqrt": ("numpy", lambda x: 1.0 / np.sqrt(x),
              [0.25, 2.0, 10.0, 1e10, 1e-10, 0.0, INF], True),
    "cbrt": ("numpy", np.cbrt, [-27.0, -2.0, 0.0, 1e-9, 0.5, 8.0, 1000.0], True),
    "sin": ("numpy", np.sin, [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 10.0, 100.0], True),
    "cos": ("numpy", np.cos, [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 10.0, 100.0], True),
    "tan": ("numpy", np.tan, [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0], True),
    "asin": ("numpy", np.arcsin, [-1.0, -0.9, -0.5, 0.0, 0.3, 0.99, 1.0], True),
    "acos": ("numpy", np.arccos, [-1.0, -0.9, -0.5, 0.0, 0.3, 0.99, 1.0], True),
    "atan": ("numpy", np.arctan, [-100.0, -1.0, -0.5, 0.0, 0.5, 1.0, 100.0, INF], True),
    "sinh": ("numpy", np.sinh, [-10.0, -1.0, -1e-5, 0.0, 0.5, 1.0, 5.0, 20.0], True),
    "cosh": ("numpy", np.cosh, [-10.0, -1.0, 0.0, 0.5, 1.0, 5.0, 20.0], True),
    "tanh": ("numpy", np.tanh, [-20.0, -2.0, -0.5, -1e-5, 0.0, 0.5, 1.0, 20.0], True),
    "asinh": ("numpy", np.arcsinh, [-100.0, -1.0, -0.5, 0.0, 1e-5, 0.5, 1.0, 100.0], True),
    "acosh": ("numpy", np.arccosh, [1.0, 1.5, 2.0, 10.0, 100.0, 1e10], True),
    "atanh": ("numpy", np.arctanh, [-0.99, -0.5, -1e-5, 0.0, 0.3, 0.9, 0.999], True),
    "logistic": ("scipy", logistic, [-50.0, -5.0, -1.0, 0.0, 0.5, 1.0, 5.0, 20.0], True),
    "erf": ("scipy", sp.erf, [-3.0, -1.0, -0.5, -1e-5, 0.0, 0.3, 1.0, 2.0, 5.0], True),
    "erfc": ("scipy", sp.erfc, [-3.0, -1.0, 0.0, 0.3, 1.0, 2.0, 5.0], True),
    "erf_inv": ("scipy", sp.erfinv, [-0.999, -0.9, -0.5, 0.0, 0.1, 0.5, 0.9, 0.999], True),
    "lgamma": ("scipy", sp.gammaln, [0.1, 0.5, 1.5, 3.3, 10.0, 100.0, -0.5, -2.5], True),
    "digamma": ("scipy", sp.digamma, [0.1, 0.5, 1.0, 1.5, 2.0, 3.3, 10.0, 100.0, -0.5, -2.5],
                True),
}


def unary_cases():
    for name, (oracle, f, values, wide) in UNARY_FLOAT.items():
        for dtype in (F32, F64):
            x = arr(values, dtype)
            with np.errstate(all="ignore"):
                y = in_f64(f)(x) if wide else f(x)
            add_case(name, {}, [x], y, oracle, dtype)
    # Rank 0, size 0 and rank 2 operands.
    add_case("sin", {}, [arr(0.5, F32)], np.sin(F64(0.5)), dtype=F32)
    add_case("exp", {}, [arr([], F32, (0, 3))], arr([], F32, (0, 3)))
    x = arr([0.25, 1.0, 4.0, 9.0, 0.01, 100.0], F32, (2, 3))
    add_case("sqrt", {}, [x], np.sqrt(x))
    add_case("neg", {}, [arr(-0.0, F64)], arr(0.0, F64))
    # Integer variants (wrapping at the minimum, as two's complement does).
    for dtype in (np.int8, np.int32, np.int64):
        info = np.iinfo(dtype)
        x = arr([info.min, -7, -1, 0, 1, 5, info.max], dtype)
        with np.errstate(all="ignore"):
            add_case("neg", {}, [x], np.negative(x))
            add_case("abs", {}, [x], np.abs(x))
        add_case("sign", {}, [x], np.sign(x))
    add_case("neg", {}, [arr([0, 1, 200, 255], np.uint8)], arr([0, 255, 56, 1], np.uint8))
    add_case("sign", {}, [arr([0, 1, 4000000000], np.uint32)], arr([0, 1, 1], np.uint32))
    add_case("not", {}, [arr([True, False], np.bool_)], arr([False, True], np.bool_))
    for dtype in (np.int8, np.int32, np.int64, np.uint8, np.uint32):
        x = arr([0, 1, 5, 100, np.iinfo(dtype).max], dtype)
        add_case("not", {}, [x], np.invert(x))
    add_case("not", {}, [arr([-1, -128], np.int32)], arr([0, 127], np.int32))
    # is_finite and copy.
    for dtype in (F32, F64):
        x = arr([0.0, -1.5, 1e30, INF, -INF, NAN], dtype)
        add_case("is_finite", {}, [x], np.isfinite(x))
    add_case("copy", {}, [arr([1.5, NAN, -0.0], F32)], arr([1.5, NAN, -0.0], F32))
    add_case("copy", {}, [arr([[1, 2], [3, 4]], np.int32)], arr([[1, 2], [3, 4]], np.int32))
    add_case("copy", {}, [arr(True, np.bool_)], arr(True, np.bool_))


# --- binary ops -----------------------------------------------------------------------------

def trunc_div(x, y):
    """C's integer division (toward zero), XLA's for y != 0 and no overflow."""
    q = np.abs(x.astype(object)) // np.abs(y.astype(object))
    return np.array(q * np.sign(x.astype(np.int64)) * np.sign(y.astype(np.int64)), dtype=x.dtype)


def binary_cases():
    fx = [1.5, -2.0, 0.0, -0.0, 1e30, 3.0, INF, -INF, NAN, 7.0]
    fy = [2.25, 0.5, -0.0, 0.0, 1e10, -3.0, 1.0, INF, 2.0, 0.0]
    for dtype in (F32, F64):
        x, y = arr(fx, dtype), arr(fy, dtype)
        with np.errstate(all="ignore"):
            add_case("add", {}, [x, y], x + y)
            add_case("sub", {}, [x, y], x - y)
            add_case("mul", {}, [x, y], x * y)
            add_case("div", {}, [x, y], x / y)
        # rem: C's fmod, with the sign of the dividend.
        a = arr([5.5, -5.5, 5.5, -5.5, 7.0, -0.0, 1.0, INF, 1.0, 0.1], dtype)
        b = arr([2.0, 2.0, -2.0, -2.0, 7.0, 3.0, INF, 1.0, 0.0, 0.03], dtype)
        with np.errstate(all="ignore"):
            add_case("rem", {}, [a, b], np.fmod(a, b))
        # pow, evaluated in float64 at the exact inputs.
        a = arr([2.0, 2.0, 0.5, 10.0, -2.0, -2.0, 0.0, 0.0, 1.0, 4.0, INF, NAN, 1.0, 1.7], dtype)
        b = arr([3.0, -1.0, 2.5, -3.0, 3.0, 0.5, 0.0, -1.0, NAN, 0.5, -1.0, 0.0, INF, 9.3], dtype)
        with np.errstate(all="ignore"):
            add_case("pow", {}, [a, b], np.power(a.astype(F64), b.astype(F64)), dtype=dtype)
        # max/min propagate NaN.
        a = arr([1.0, -3.0, NAN, 2.0, -INF, INF, NAN], dtype)
        b = arr([2.0, -4.0, 1.0, NAN, 0.0, 5.0, NAN], dtype)
        add_case("max", {}, [a, b], np.maximum(a, b))
        add_case("min", {}, [a, b], np.minimum(a, b))
        # The sign of zero in max/min: XLA gives max(±0, ∓0) = +0 and min = -0.
        a, b = arr([-0.0, 0.0], dtype), arr([0.0, -0.0], dtype)
        add_case("max", {}, [a, b], arr([0.0, 0.0], dtype), "jax")
        add_case("min", {}, [a, b], arr([-0.0, -0.0], dtype), "jax")
        # atan2 in all quadrants, with signed zeros and infinities.
        yy = arr([1.0, 1.0, -1.0, -1.0, 0.0, -0.0, 0.0, -0.0, 1.0, INF, INF, NAN, 3.0], dtype)
        xx = arr([1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 0.0, INF, -INF, 1.0, 0.5], dtype)
        add_case("atan2", {}, [yy, xx], np.arctan2(yy.astype(F64), xx.astype(F64)),
                 dtype=dtype)
        # nextafter, including toward itself, NaN and the subnormals next to zero.
        a = arr([0.0, 1.0, 1.0, -1.0, 1.0, NAN, 1.0, 0.0, -0.0, 1e30], dtype)
        b = arr([1.0, 2.0, 0.0, -2.0, 1.0, 1.0, NAN, -1.0, 1.0, INF], dtype)
        add_case("nextafter", {}, [a, b], np.nextafter(a, b))
    # Integers: wrapping arithmetic and division toward zero.
    for dtype in (np.int32, np.int64, np.int8):
        info = np.iinfo(dtype)
        x = arr([7, -7, 7, -7, 0, info.max, info.min, 100, -100], dtype)
        y = arr([2, 2, -2, -2, 3, 1, -3, 7, 7], dtype)
        with np.errstate(all="ignore"):
            add_case("add", {}, [x, y], x + y)
            add_case("sub", {}, [x, y], x - y)
            add_case("mul", {}, [x, y], x * y)
        add_case("div", {}, [x, y], trunc_div(x, y))
        add_case("rem", {}, [x, y], np.fmod(x, y))
        add_case("max", {}, [x, y], np.maximum(x, y))
        add_case("min", {}, [x, y], np.minimum(x, y))
        # XLA's definitions where C's are undefined: x / 0 = -1, x % 0 = x,
        # INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
        x = arr([5, -5, 0, info.min], dtype)
        y = arr([0, 0, 0, -1], dtype)
        add_case("div", {}, [x, y], arr([-1, -1, -1, info.min], dtype), "jax")
        add_case("rem", {}, [x, y], arr([5, -5, 0, 0], dtype), "jax")
    for dtype in (np.uint8, np.uint32, np.uint64):
        info = np.iinfo(dtype)
        x = arr([7, 200, info.max, 0, 5, 3], dtype)
        y = arr([2, 100, 3, 1, 0, 0], dtype)
        with np.errstate(all="ignore"):
            add_case("add", {}, [x, y], x + y)
            add_case("sub", {}, [x, y], x - y)
            add_case("mul", {}, [x, y], x * y)
        # Unsigned x / 0 is all ones, x % 0 is x.
        add_case("div", {}, [x, y], arr([3, 2, info.max // 3, 0, info.max, info.max], dtype),
                 "jax")
        add_case("rem", {}, [x, y], arr([1, 0, info.max % 3, 0, 5, 3], dtype), "jax")
        add_case("max", {}, [x, y], np.maximum(x, y))
        add_case("min", {}, [x, y], np.minimum(x, y))
    b1 = arr([True, True, False, False], np.bool_)
    b2 = arr([True, False, True, False], np.bool_)
    for op, f in (("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor),
                  ("max", np.maximum), ("min", np.minimum)):
        add_case(op, {}, [b1, b2], f(b1, b2))
    for dtype in (np.int32, np.uint8, np.int64):
        x = arr([12, 10, -1 if dtype != np.uint8 else 255, 0, 0x55], dtype)
        y = arr([10, 6, 0x0F, 7, 0x0F], dtype)
        for op, f in (("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor)):
            add_case(op, {}, [x, y], f(x, y))
    shift_cases()
    # Scalar operands with any shape, as JAX's lax allows; size 0; rank 0.
    x = arr([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], F32)
    s = arr(0.5, F32)
    add_case("add", {}, [s, x], s + x)
    add_case("sub", {}, [x, s], x - s)
    add_case("div", {}, [s, x], s / x)
    add_case("max", {}, [arr(2.5, F32), x], np.maximum(F32(2.5), x))
    add_case("pow", {}, [x, arr(2.0, F32)], np.power(x.astype(F64), 2.0), dtype=F32)
    add_case("mul", {}, [arr(3, np.int32), arr([], np.int32, (0,))], arr([], np.int32, (0,)))
    add_case("add", {}, [arr([], F32, (2, 0)), arr([], F32, (2, 0))], arr([], F32, (2, 0)))
    add_case("div", {}, [arr(1.0, F64), arr(3.0, F64)], arr(1.0 / 3.0, F64))
    h = arr([1.0, 0.1, 65504.0, -2.5], np.float16)
    with np.errstate(over="ignore"):
        add_case("add", {}, [h, h], h + h)
    add_case("mul", {}, [h, arr([3.0, 3.0, 0.5, -0.0], np.float16)],
             h * arr([3.0, 3.0, 0.5, -0.0], np.float16))
    bf = arr([1.0, 0.1, 3e38, -2.5], jnp.bfloat16)
    with np.errstate(over="ignore"):
        add_case("add", {}, [bf, bf], bf + bf)
    with np.errstate(invalid="ignore"):
        add_case("max", {}, [bf, arr([2.0, NAN, 0.0, -3.0], jnp.bfloat16)],
                 np.maximum(bf, arr([2.0, NAN, 0.0, -3.0], jnp.bfloat16)))
    add_case("shift_left", {}, [arr([1, 2, 3], np.int32), arr(4, np.int32)],
             arr([16, 32, 48], np.int32))
    add_case("and", {}, [arr(True, np.bool_), arr([True, False], np.bool_)],
             arr([True, False], np.bool_))


def shift_expected(op, x, s):
    """XLA's shifts: an amount outside [0, bits) gives 0 (or the sign fill for arithmetic)."""
    dtype = x.dtype
    bits = dtype.itemsize * 8
    out = []
    for a, n in zip(x.tolist(), s.tolist()):
        unsigned = a % (1 << bits)
        # The arithmetic shift reads the bits as signed, even of an unsigned type.
        signed = unsigned - (1 << bits) if unsigned >= 1 << (bits - 1) else unsigned
        if n < 0 or n >= bits:
            if op == "shift_right_arithmetic":
                r = (-1 if signed < 0 else 0) % (1 << bits)
            else:
                r = 0
        elif op == "shift_left":
            r = (unsigned << n) % (1 << bits)
        elif op == "shift_right_logical":
            r = unsigned >> n
        else:
            r = (signed >> n) % (1 << bits)
        if np.issubdtype(dtype, np.signedinteger) and r >= 1 << (bits - 1):
            r -= 1 << bits
        out.append(r)
    return arr(out, dtype)


def shift_cases():
    for dtype in (np.int32, np.int8, np.int64):
        bits = np.dtype(dtype).itemsize * 8
        x = arr([1, -1, -8, 5, 1, -1, -8, 1, 3], dtype)
        s = arr([3, 1, 2, 0, bits - 1, bits, bits + 1, -1, 100 if bits > 8 else 50], dtype)
        oracle = "jax"  # amounts >= bits and negative ones are XLA's definitions
        for op in ("shift_left", "shift_right_logical", "shift_right_arithmetic"):
            add_case(op, {}, [x, s], shift_expected(op, x, s), oracle)
    for dtype in (np.uint8, np.uint32):
        bits = np.dtype(dtype).itemsize * 8
        x = arr([1, np.iinfo(dtype).max, 0x80, 5, 1, 7, 200], dtype)
        s = arr([3, 1, 7, 0, bits - 1, bits, bits + 1], dtype)
        for op in ("shift_left", "shift_right_logical", "shift_right_arithmetic"):
            add_case(op, {}, [x, s], shift_expected(op, x, s), "jax")


# --- comparisons ----------------------------------------------------------------------------

COMPARISONS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
               "gt": np.greater, "ge": np.greater_equal}


def compare_cases():
    pairs = [
        (arr([1.0, 2.0, NAN, NAN, -0.0, INF, -INF, 3.0], F32),
         arr([2.0, 2.0, 1.0, NAN, 0.0, INF, 0.0, -1.0], F32)),
        (arr([1.0, 2.0, NAN, -0.0, -INF, 1e300], F64), arr([2.0, 2.0, NAN, 0.0, 0.0, 1e299], F64)),
        (arr([-5, -1, 0, 3, 2147483647, -2147483648], np.int32),
         arr([-1, -5, 0, 3, -2147483648, 2147483647], np.int32)),
        (arr([-(2 ** 62), 2 ** 62, 0], np.int64), arr([2 ** 62, -(2 ** 62), 0], np.int64)),
        # Values of 2^31 and more catch unsigned operands compared as signed.
        (arr([0, 1, 3000000000, 4294967295, 2147483648], np.uint32),
         arr([4294967295, 1, 1, 0, 2147483647], np.uint32)),
        (arr([0, 200, 255, 7], np.uint8), arr([255, 100, 255, 8], np.uint8)),
        (arr([True, True, False, False], np.bool_), arr([True, False, True, False], np.bool_)),
    ]
    for x, y in pairs:
        for op, f in COMPARISONS.items():
            add_case(op, {}, [x, y], f(x, y))
    x = arr([[1.0, 2.0], [3.0, NAN]], F32)
    add_case("lt", {}, [x, arr(2.0, F32)], x < F32(2.0))
    add_case("eq", {}, [arr(3, np.int32), arr([3, 4], np.int32)], arr([True, False], np.bool_))
    add_case("ge", {}, [arr([], F64, (0,)), arr([], F64, (0,))], arr([], np.bool_, (0,)))


# --- select_n, clamp, integer_pow, convert_element_type -------------------------------------

def misc_cases():
    c0 = arr([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], F32)
    c1 = arr([[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]], F32)
    c2 = arr([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]], F32)
    which = arr([[True, False, True], [False, False, True]], np.bool_)
    add_case("select_n", {}, [which, c0, c1], np.where(which, c1, c0))
    add_case("select_n", {}, [arr(True, np.bool_), c0, c1], c1)
    add_case("select_n", {}, [arr(False, np.bool_), c0, c1], c0)
    add_case("select_n", {}, [which, c0], c0)
    which = arr([[0, 1, 2], [2, 1, 0]], np.int32)
    add_case("select_n", {}, [which, c0, c1, c2], np.choose(which, [c0, c1, c2]))
    add_case("select_n", {}, [arr(2, np.int32), c0, c1, c2], c2)
    add_case("select_n", {}, [arr(1, np.int32), c0, c1, c2], c1)
    i0, i1, i2 = (arr([1, 2, 3, 4], np.int32) * k for k in (1, 10, 100))
    which = arr([2, 0, 1, 2], np.int32)
    add_case("select_n", {}, [which, i0, i1, i2], np.choose(which, [i0, i1, i2]))
    add_case("select_n", {}, [arr([1, 0], np.int32), arr([True, True], np.bool_),
                              arr([False, False], np.bool_)], arr([False, True], np.bool_))
    add_case("select_n", {}, [arr(1, np.int32), arr(7.0, F64), arr(8.0, F64)], arr(8.0, F64))
    # clamp(low, x, high) = min(max(x, low), high).
    x = arr([-5.0, 0.0, 1.5, 3.0, 10.0, NAN, -INF], F32)
    add_case("clamp", {}, [arr(0.0, F32), x, arr(3.0, F32)],
             np.minimum(np.maximum(x, F32(0.0)), F32(3.0)))
    lo = arr([0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0], F32)
    hi = arr([1.0, 1.0, 2.5, 2.0, 20.0, 1.0, 1.0], F32)
    add_case("clamp", {}, [lo, x, hi], np.minimum(np.maximum(x, lo), hi))
    x = arr([-100, -3, 0, 4, 99], np.int32)
    add_case("clamp", {}, [arr(-3, np.int32), x, arr(5, np.int32)], np.clip(x, -3, 5))
    x = arr([0, 100, 200, 255], np.uint8)
    add_case("clamp", {}, [arr(50, np.uint8), x, arr(210, np.uint8)], np.clip(x, 50, 210))
    # low > high gives high everywhere, as min(max(x, low), high) does.
    add_case("clamp", {}, [arr(3.0, F64), arr([-1.0, 5.0], F64), arr(0.0, F64)],
             arr([0.0, 0.0], F64))
    # integer_pow.
    for dtype in (F32, F64):
        x = arr([-2.0, -1.5, -0.5, 0.0, 0.3, 1.0, 1.7, 3.0, 10.0, NAN], dtype)
        for y in (0, 1, 2, 3, 5, -2):
            with np.errstate(all="ignore"):
                want = np.power(x.astype(F64), float(y))
            add_case("integer_pow", {"y": y}, [x], want, dtype=dtype)
    for dtype in (np.int32, np.int64, np.uint8):
        x = arr([0, 1, 2, 3, 7, 100] if dtype == np.uint8 else [-7, -2, 0, 1, 3, 100], dtype)
        for y in (0, 1, 2, 3, 5):
            bits = np.dtype(dtype).itemsize * 8
            values = [(v ** y) % (1 << bits) for v in x.tolist()]
            if np.issubdtype(dtype, np.signedinteger):
                values = [v - (1 << bits) if v >= 1 << (bits - 1) else v for v in values]
            add_case("integer_pow", {"y": y}, [x], arr(values, dtype))
    add_case("integer_pow", {"y": 3}, [arr(1.5, F32)], arr(3.375, F32))
    add_case("integer_pow", {"y": 2}, [arr([], F32, (0, 2))], arr([], F32, (0, 2)))
    convert_cases()


def convert(x, dtype, oracle="numpy", expected=None):
    with np.errstate(all="ignore"):
        want = x.astype(dtype) if expected is None else arr(expected, dtype)
    add_case("convert_element_type", {"new_dtype": np.dtype(dtype).name}, [x], want, oracle)


def convert_cases():
    f = arr([-2.7, -2.5, -0.5, -0.0, 0.0, 0.9, 2.5, 2.7, 100.9, -100.9], F32)
    for dtype in (np.int32, np.int8, np.int64, np.int16):
        convert(f, dtype)  # truncation toward zero
    convert(arr([0.0, 0.9, 2.5, 200.7, 255.0], F32), np.uint8)
    convert(arr([0.0, 3.9, 4e9], F64), np.uint32)
    convert(arr([-3.99, 1e15, -1e15], F64), np.int64)
    # XLA saturates out-of-range values and maps NaN to 0.
    x = arr([1e10, -1e10, NAN, INF, -INF, 2147483520.0], F32)
    convert(x, np.int32, "jax", [2147483647, -2147483648, 0, 2147483647, -2147483648,
                                 2147483520])
    convert(arr([-1.5, 300.7, 255.9, NAN], F32), np.uint8, "jax", [0, 255, 255, 0])
    convert(arr([-200.0, 200.0], F64), np.int8, "jax", [-128, 127])
    # int -> float rounds to nearest even; -> bool is `!= 0`.
    convert(arr([0, -1, 16777217, 16777219, 2147483647, -2147483648], np.int32), F32)
    convert(arr([0, -1, 2 ** 53 + 1, -(2 ** 62)], np.int64), F64)
    convert(arr([0, 2 ** 53 + 1, 2 ** 63 + 2 ** 11 + 1], np.uint64), F64)
    convert(arr([4294967295, 0, 7], np.uint32), F32)
    for x in (arr([0.0, -0.0, 0.5, -3.0, INF, NAN, 1e-30], F32),
              arr([0, 1, -1, 256], np.int32), arr([0, 255], np.uint8)):
        convert(x, np.bool_)
    b = arr([True, False, True], np.bool_)
    for dtype in (F32, F64, np.int32, np.uint8, np.bool_):
        convert(b, dtype)
    # Between floats: widening is exact, narrowing rounds to nearest even and overflows.
    convert(arr([0.1, -1.5, 1e30, INF, NAN, -0.0], F32), F64)
    convert(arr([0.1, 1.0 + 2.0 ** -24, 1.0 + 3 * 2.0 ** -24, 1e300, -1e-300, NAN], F64), F32)
    # Between integers: two's complement wraparound.
    convert(arr([300, -1, 255, 256, -129, 127], np.int32), np.uint8)
    convert(arr([300, -1, 255, 128, -129, 127], np.int32), np.int8)
    convert(arr([4294967295, 2147483648, 5], np.uint32), np.int32)
    convert(arr([-1, 5, -(2 ** 40)], np.int32 if False else np.int64), np.uint32)
    convert(arr([2 ** 40 + 7, -(2 ** 40) - 7], np.int64), np.int32)
    convert(arr([-1, 7], np.int8), np.int64)
    convert(arr([255, 7], np.uint8), np.int32)
    convert(arr([1.5, -2.0], F32), F32)
    # Half precision: rounding to nearest even, overflow to infinity.
    halves = arr([1.0, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 70000.0, -0.1, NAN], F32)
    convert(halves, np.float16)
    convert(arr([1.0, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 3e38, -0.1, NAN], F32), jnp.bfloat16)
    convert(arr([0.5, -65504.0, 1e-3], np.float16), F32)
    convert(arr([0.5, -3e38, 1e-3], jnp.bfloat16), F64)
    convert(arr([300, -7], np.int32), np.float16)
    convert(arr(2.75, F64), np.int32)
    convert(arr([], F32, (0,)), np.int32)


# --- structural ops -------------------------------------------------------------------------

def structural_cases():
    x23 = arr(np.arange(6), F32, (2, 3)) + F32(0.5)
    x234 = arr(np.arange(24), np.int32, (2, 3, 4))
    # broadcast_in_dim
    def bid(x, shape, dims, oracle="numpy"):
        expand = list(shape)
        for i, d in enumerate(dims):
            expand[d] = x.shape[i]
        full = [1] * len(shape)
        for i, d in enumerate(dims):
            full[d] = x.shape[i]
        add_case("broadcast_in_dim", {"shape": list(shape), "broadcast_dimensions": list(dims)},
                 [x], np.broadcast_to(x.reshape(full), shape).copy())
    bid(arr(1.5, F32), (2, 3), ())
    bid(arr([1.0, 2.0, 3.0], F32), (2, 3), (1,))
    bid(arr([1, 2], np.int32), (2, 3), (0,))
    bid(arr([[1.0], [2.0]], F64), (2, 3), (0, 1))
    bid(arr([[1, 2, 3]], np.int32), (4, 3), (0, 1))
    bid(arr([True, False], np.bool_), (3, 2, 2), (2,))
    bid(x23, (2, 4, 3), (0, 2))
    bid(arr([7], np.uint8), (0, 2), (1,))
    bid(arr([], F32, (0,)), (3, 0), (1,))
    bid(x23, (2, 3), (0, 1))
    # reshape
    for x, shape in ((x23, (3, 2)), (x23, (6,)), (x23, (1, 6, 1)), (x234, (4, 6)),
                     (x234, (24,)), (arr(5.0, F64), (1, 1)), (arr([3], np.int32), ()),
                     (arr([], F32, (0, 3)), (3, 0)), (arr([], F32, (0, 3)), (0,))):
        add_case("reshape", {"new_sizes": list(shape)}, [x], x.reshape(shape))
    # transpose
    for perm in ((0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0), (0, 2, 1), (1, 0, 2)):
        add_case("transpose", {"permutation": list(perm)}, [x234], np.transpose(x234, perm))
    add_case("transpose", {"permutation": [1, 0]}, [x23], x23.T)
    add_case("transpose", {"permutation": []}, [arr(2.0, F32)], arr(2.0, F32))
    add_case("transpose", {"permutation": [1, 0]}, [arr([], F64, (0, 2))], arr([], F64, (2, 0)))
    add_case("transpose", {"permutation": [1, 0, 2]},
             [arr([True, False] * 6, np.bool_, (2, 3, 2))],
             np.transpose(arr([True, False] * 6, np.bool_, (2, 3, 2)), (1, 0, 2)))
    # squeeze and expand_dims
    x = arr(np.arange(6), F32, (1, 2, 1, 3))
    for dims in ((0,), (2,), (0, 2), (2, 0)):
        add_case("squeeze", {"dimensions": list(dims)}, [x], np.squeeze(x, tuple(dims)))
    add_case("squeeze", {"dimensions": []}, [x], x)
    add_case("squeeze", {"dimensions": [0]}, [arr([4], np.int32)], arr(4, np.int32))
    add_case("squeeze", {"dimensions": [1]}, [arr([], F32, (0, 1))], arr([], F32, (0,)))
    for x, dims in ((x23, (0,)), (x23, (2,)), (x23, (1,)), (x23, (0, 3)), (x23, (3, 0)),
                    (arr(1.0, F32), (0,)), (arr(1, np.int32), (0, 1)),
                    (arr([], F32, (0,)), (0,))):
        add_case("expand_dims", {"dimensions": list(dims)}, [x], np.expand_dims(x, tuple(dims)))
    # iota
    for dtype, shape, dim in ((np.int32, (5,), 0), (F32, (2, 3), 0), (F32, (2, 3), 1),
                              (np.uint8, (3, 4), 1), (np.int64, (2, 2, 3), 2), (F64, (4,), 0),
                              (np.int32, (0, 3), 1), (np.int32, (3, 2), 0)):
        idx = np.indices(shape)[dim] if len(shape) else np.zeros(())
        add_case("iota", {"dtype": np.dtype(dtype).name, "shape": list(shape), "dimension": dim},
                 [], idx.astype(dtype))
    # slice
    x = arr(np.arange(7 * 6), np.int32, (7, 6))
    for start, limit, strides in (((1, 2), (5, 6), None), ((0, 0), (7, 6), (2, 3)),
                                  ((1, 1), (7, 5), (3, 2)), ((2, 3), (2, 6), None),
                                  ((0, 5), (7, 6), (4, 1)), ((6, 0), (7, 6), (1, 5)),
                                  ((0, 0), (7, 6), (7, 6)), ((0, 0), (7, 6), (10, 10))):
        sl = tuple(slice(s, l, 1 if strides is None else st)
                   for s, l, st in zip(start, limit, strides or (1, 1)))
        params = {"start_indices": list(start), "limit_indices": list(limit)}
        if strides is not None:
            params["strides"] = list(strides)
        add_case("slice", params, [x], x[sl])
    x = arr(np.linspace(-1, 1, 10), F64)
    add_case("slice", {"start_indices": [1], "limit_indices": [10], "strides": [4]}, [x],
             x[1:10:4])
    add_case("slice", {"start_indices": [], "limit_indices": []}, [arr(3.0, F32)], arr(3.0, F32))
    x = arr(np.arange(24), F32, (2, 3, 4))
    add_case("slice", {"start_indices": [1, 0, 1], "limit_indices": [2, 3, 4],
                       "strides": [1, 2, 2]}, [x], x[1:2, 0:3:2, 1:4:2])
    # concatenate
    a = arr(np.arange(6), F32, (2, 3))
    b = arr(np.arange(10, 14), F32, (2, 2))
    c = arr([100.0, 101.0], F32, (2, 1))
    add_case("concatenate", {"dimension": 1}, [a, b, c], np.concatenate([a, b, c], 1))
    add_case("concatenate", {"dimension": 0}, [a, a * 2], np.concatenate([a, a * 2], 0))
    add_case("concatenate", {"dimension": 0}, [a], a)
    e = arr([], F32, (2, 0))
    add_case("concatenate", {"dimension": 1}, [e, a, e], np.concatenate([e, a, e], 1))
    p = arr([1, 2], np.int32)
    add_case("concatenate", {"dimension": 0}, [p, arr([3], np.int32), p],
             arr([1, 2, 3, 1, 2], np.int32))
    q = arr([True, False], np.bool_, (1, 2))
    add_case("concatenate", {"dimension": 0}, [q, ~q], np.concatenate([q, ~q], 0))
    x = arr(np.arange(8), np.int64, (2, 2, 2))
    add_case("concatenate", {"dimension": 2}, [x, x + 10], np.concatenate([x, x + 10], 2))


# --- reductions -----------------------------------------------------------------------------

REDUCERS = {
    "reduce_sum": np.sum, "reduce_prod": np.prod, "reduce_max": np.max, "reduce_min": np.min,
    "reduce_and": np.bitwise_and.reduce, "reduce_or": np.bitwise_or.reduce,
}


def reduce(op, x, axes, oracle="numpy", expected=None):
    if expected is None:
        f = REDUCERS[op]
        if op in ("reduce_and", "reduce_or"):
            # ufunc.reduce takes a tuple of axes; the identity of bitwise_and on integers is -1.
            want = f(x, axis=tuple(axes)) if x.size else None
            if want is None:
                ident = {"reduce_and": ~x.dtype.type(0) if x.dtype != np.bool_ else True,
                         "reduce_or": 0}[op]
                shape = [d for i, d in enumerate(x.shape) if i not in axes]
                want = np.full(shape, ident, dtype=x.dtype)
        elif x.size == 0 and op in ("reduce_max", "reduce_min"):
            # The monoid's identity: -inf/inf for floats, the dtype's extremes for integers.
            if np.issubdtype(x.dtype, np.floating):
                ident = -INF if op == "reduce_max" else INF
            elif x.dtype == np.bool_:
                ident = op == "reduce_min"
            else:
                info = np.iinfo(x.dtype)
                ident = info.min if op == "reduce_max" else info.max
            shape = [d for i, d in enumerate(x.shape) if i not in axes]
            if any(x.shape[a] == 0 for a in axes):
                want = np.full(shape, ident, dtype=x.dtype)
            else:
                want = np.zeros(shape, dtype=x.dtype)
        elif op in ("reduce_sum", "reduce_prod") and np.issubdtype(x.dtype, np.floating):
            # Evaluated in float64; the test's tolerance covers the order of the sum.
            want = f(x.astype(F64), axis=tuple(axes))
        else:
            with np.errstate(all="ignore"):
                want = f(x, axis=tuple(axes))
        if not np.issubdtype(x.dtype, np.floating):
            want = np.asarray(want).astype(x.dtype)
    else:
        want = expected
    add_case(op, {"axes": list(axes)}, [x], want, oracle, dtype=x.dtype)


def reduction_cases():
    # Dyadic values keep float sums and products exact in any order.
    xf = arr((np.arange(24) % 7 - 3) / 4.0, F32, (2, 3, 4))
    xi = arr(np.arange(24) % 11 - 5, np.int32, (2, 3, 4))
    axes_list = [(0,), (1,), (2,), (0, 2), (2, 0), (0, 1, 2), ()]
    for axes in axes_list:
        for op in ("reduce_sum", "reduce_max", "reduce_min"):
            reduce(op, xf, axes)
            reduce(op, xi, axes)
        reduce("reduce_prod", xf, axes)
    for axes in ((0,), (1,), (0, 1)):
        reduce("reduce_prod", arr([[1, -2, 3], [4, 5, -1]], np.int32), axes)
        reduce("reduce_sum", arr(np.linspace(0.1, 2.3, 12), F64, (3, 4)), axes)
        reduce("reduce_sum", arr(np.linspace(0.1, 2.3, 12), F32, (3, 4)), axes)
    # Wrapping integer sums; unsigned extremes; NaN propagates through max and min.
    reduce("reduce_sum", arr([200, 100, 1], np.uint8), (0,))
    reduce("reduce_sum", arr([2147483647, 1], np.int32), (0,), "numpy")
    reduce("reduce_max", arr([3, 4000000000, 7], np.uint32), (0,))
    reduce("reduce_min", arr([3, 4000000000, 7], np.uint32), (0,))
    reduce("reduce_max", arr([1.0, NAN, 3.0, -INF], F32), (0,))
    reduce("reduce_min", arr([[1.0, NAN], [3.0, -1.0]], F64), (1,))
    reduce("reduce_max", arr([-INF, -INF], F32), (0,))
    reduce("reduce_max", arr([-(2 ** 62), 5], np.int64), (0,))
    reduce("reduce_sum", arr([2 ** 40, 2 ** 41], np.int64), (0,))
    for op in ("reduce_max", "reduce_min"):
        reduce(op, arr([[True, False], [False, False]], np.bool_), (1,))
    # Logical and bitwise and/or.
    b = arr([[True, True, False], [True, True, True]], np.bool_)
    for axes in ((0,), (1,), (0, 1), ()):
        reduce("reduce_and", b, axes)
        reduce("reduce_or", b, axes)
        reduce("reduce_or", ~b, axes)
    xi = arr([[12, 10, 14], [-1, 7, 6]], np.int32)
    xu = arr([[0xF0, 0x3C, 0xFF], [0x01, 0x80, 0x0F]], np.uint8)
    for axes in ((0,), (1,), (0, 1)):
        for x in (xi, xu):
            reduce("reduce_and", x, axes)
            reduce("reduce_or", x, axes)
    # Empty operands give the identity.
    for dtype in (F32, F64, np.int32, np.uint8):
        e = arr([], dtype, (0,))
        for op in ("reduce_sum", "reduce_prod", "reduce_max", "reduce_min"):
            reduce(op, e, (0,))
    e = arr([], F32, (2, 0))
    for op in ("reduce_sum", "reduce_prod", "reduce_max", "reduce_min"):
        reduce(op, e, (1,))
        reduce(op, e, (0,))
        reduce(op, e, (0, 1))
    eb = arr([], np.bool_, (0, 3))
    for op in ("reduce_and", "reduce_or", "reduce_max", "reduce_min"):
        reduce(op, eb, (0,))
    for op in ("reduce_and", "reduce_or"):
        reduce(op, arr([], np.int32, (0,)), (0,))
        reduce(op, arr([], np.uint8, (0,)), (0,))
    # Rank 0.
    reduce("reduce_sum", arr(2.5, F32), ())
    reduce("reduce_max", arr(-3, np.int32), ())


# --- dot_general ----------------------------------------------------------------------------

def dot_case(lhs, rhs, lc, rc, lb=(), rb=(), pet=None):
    spec_l = "abcdefgh"[:lhs.ndim]
    letters = iter("ijklmnop")
    spec_r = [None] * rhs.ndim
    for l, r in zip(lc, rc):
        spec_r[r] = spec_l[l]
    for l, r in zip(lb, rb):
        spec_r[r] = spec_l[l]
    for i in range(rhs.ndim):
        if spec_r[i] is None:
            spec_r[i] = next(letters)
    spec_r = "".join(spec_r)
    out = "".join(spec_l[d] for d in lb)
    out += "".join(c for i, c in enumerate(spec_l) if i not in lc and i not in lb)
    out += "".join(c for i, c in enumerate(spec_r) if i not in rc and i not in rb)
    wide = np.int64 if np.issubdtype(lhs.dtype, np.integer) else F64
    want = np.einsum(f"{spec_l},{spec_r}->{out}", lhs.astype(wide), rhs.astype(wide))
    out_dtype = lhs.dtype if pet is None else np.dtype(pet)
    params = {"lhs_contracting": list(lc), "rhs_contracting": list(rc),
              "lhs_batch": list(lb), "rhs_batch": list(rb)}
    if pet is not None:
        params["preferred_element_type"] = np.dtype(pet).name
    if not np.issubdtype(out_dtype, np.floating):
        want = np.asarray(want).astype(out_dtype)
    add_case("dot_general", params, [lhs, rhs], want, dtype=out_dtype)


def dot_cases():
    def dy(shape, dtype=F32, seed=0):
        n = int(np.prod(shape))
        return arr((np.arange(n) * 5 + seed) % 9 - 4, dtype, shape) / dtype(4)
    dot_case(dy((2, 3)), dy((3, 4), seed=1), (1,), (0,))  # matmul
    dot_case(dy((3, 4)), dy((4,), seed=2), (1,), (0,))  # matvec
    dot_case(dy((4,)), dy((4, 3), seed=2), (0,), (0,))  # vecmat
    dot_case(dy((5,)), dy((5,), seed=3), (0,), (0,))  # inner product, rank 0
    dot_case(dy((3,)), dy((4,), seed=3), (), ())  # outer product
    dot_case(dy((3, 2)), dy((4, 3), seed=1), (0,), (1,))  # A^T B^T
    dot_case(dy((2, 3, 4)), dy((2, 4, 5), seed=1), (2,), (1,), (0,), (0,))  # batched
    dot_case(dy((3, 2, 4)), dy((4, 2, 5), seed=1), (2,), (0,), (1,), (1,))  # batch not leading
    dot_case(dy((2, 3, 4, 2)), dy((2, 4, 2, 3), seed=1), (2,), (1,), (0, 3), (0, 2))
    dot_case(dy((2, 3, 4)), dy((3, 4, 5), seed=1), (1, 2), (0, 1))  # two contracting dims
    dot_case(dy((2, 3, 4)), dy((4, 3, 5), seed=1), (1, 2), (1, 0))  # paired out of order
    dot_case(dy((2, 3, 4)), dy((4, 2, 3), seed=1), (2, 1), (0, 2))
    dot_case(dy((2, 3)), dy((2, 3), seed=1), (0, 1), (0, 1))  # full contraction
    dot_case(dy((3, 2, 2)), dy((3, 2, 2), seed=1), (), (), (0,), (0,))  # batch only
    dot_case(dy((2, 3), F64), dy((3, 2), F64, seed=1), (1,), (0,))
    dot_case(arr(np.linspace(0.1, 1.2, 12), F32, (3, 4)),
             arr(np.linspace(-1.0, 0.5, 8), F32, (4, 2)), (1,), (0,))
    ints = arr(np.arange(12) - 6, np.int32, (3, 4))
    dot_case(ints, arr(np.arange(8) * 3 - 5, np.int32, (4, 2)), (1,), (0,))
    dot_case(arr(np.arange(12) % 5, np.int64, (2, 2, 3)),
             arr(np.arange(12) % 7, np.int64, (2, 3, 2)), (2,), (1,), (0,), (0,))
    big = arr([100, 120, -128, 127], np.int8, (2, 2))
    dot_case(big, big, (1,), (0,), pet=np.int32)  # int8 products accumulated in int32
    dot_case(arr([], F32, (2, 0)), arr([], F32, (0, 3)), (1,), (0,))  # empty contraction
    dot_case(arr([], F32, (0, 3)), dy((3, 2)), (1,), (0,))  # empty result


# --- main -----------------------------------------------------------------------------------

def main():
    unary_cases()
    binary_cases()
    compare_cases()
    misc_cases()
    structural_cases()
    reduction_cases()
    dot_cases()
    print(f"# Generated by `python3 tests/golden/primitives.py > tests/golden/primitives.txt` "
          f"with NumPy {np.__version__}, SciPy {scipy.__version__}, JAX {jax.__version__}.")
    print("# <op>\t<params>\t<oracle>\t<inputs>\t<expected> (the format: primitives.py)")
    disagreements = 0
    for op, params, inputs, expected, dtype, oracle in CASES:
        line = "\t".join([op, fmt_params(params), oracle,
                          " ".join(fmt_array(x) for x in inputs) or "-",
                          fmt_array(expected, dtype)])
        print(line)
        got = np.asarray(lax_apply(op, params, inputs))
        if not agrees(op, got, expected, dtype):
            disagreements += 1
            print(f"jax disagrees: {line}\n  jax: {fmt_array(got)}", file=sys.stderr)
    print(f"{len(CASES)} cases, {disagreements} disagreements with jax.lax", file=sys.stderr)


if __name__ == "__main__":
    main()
