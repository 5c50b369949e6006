"""Golden data for rjax's ordering primitives (src/lax/ordering.rs), computed with NumPy.

Run `python3 tests/golden/ordering.py > tests/golden/ordering.txt`.

The expectations come from NumPy: `argmax`/`argmin` (the first extremum; NumPy, like JAX, takes
a NaN as the extremum and the first NaN wins), `cumsum`/`cumprod` in the input dtype (integers
wrap), `maximum.accumulate`/`minimum.accumulate` (NaN-propagating), reversed scans through
`flip`, and stable sorts (`sort`/`argsort`/`lexsort` with `kind="stable"`: NaNs last, -0.0 equal
to 0.0, as JAX's sort comparator). Every case is also run through `jax.lax` here (32-bit mode,
as rjax's default); a disagreement is printed on stderr (none is expected). The float inputs
of `cumsum`/`cumprod` are small dyadic numbers, so every order of summation is exact.

One case per line, tab-separated:

    <op>  <params>  <inputs>  <outputs>

- `op`: `argmax`, `argmin`, `cumsum`, `cumprod`, `cummax`, `cummin` or `sort`.
- `params`: space-separated `key=value` pairs: `axis`, `index_dtype` (argmax, argmin);
  `axis`, `reverse` (0 or 1; cumulative ops); `dimension`, `is_stable` (0 or 1), `num_keys`
  (sort).
- `inputs`, `outputs`: space-separated arrays (sort has one output per operand).
- An array is `<dtype>[<dims, comma-separated>]:<values, comma-separated, row-major>`, e.g.
  `float32[2,2]:1.0,-0.0,nan,-inf`, `int32[]:7`, `float32[0,3]:`. Floats are Python `repr`s of
  the exact float32 value; `nan`/`-nan` (by the sign bit), `inf`, `-inf` spell the special
  values. Bools are 0 and 1.
"""

import math
import sys

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

INF, NAN = math.inf, math.nan
F32, I32, U8 = np.float32, np.int32, np.uint8

CASES = []


def arr(values, dtype, shape=None):
    a = np.array(values, dtype=dtype)
    return a if shape is None else a.reshape(shape)


# --- formatting -----------------------------------------------------------------------------

def fmt_value(v, dtype):
    if dtype == np.bool_:
        return "1" if v else "0"
    if np.issubdtype(dtype, np.integer):
        return str(int(v))
    if math.isnan(v):
        return "-nan" if math.copysign(1.0, v) < 0 else "nan"
    return repr(float(v))


def fmt_array(a):
    values = ",".join(fmt_value(v, a.dtype) for v in a.reshape(-1))
    dims = ",".join(str(d) for d in a.shape)
    return f"{a.dtype.name}[{dims}]:{values}"


def fmt_params(params):
    return " ".join(f"{k}={int(v) if isinstance(v, bool) else v}" for k, v in params.items())


# --- NumPy oracles --------------------------------------------------------------------------

def np_argminmax(op, x, axis, index_dtype):
    f = np.argmax if op == "argmax" else np.argmin
    return [f(x, axis=axis).astype(index_dtype)]


def np_cumulative(op, x, axis, reverse):
    if x.shape[axis] == 0:
        return [x.copy()]
    y = np.flip(x, axis) if reverse else x
    with np.errstate(over="ignore", invalid="ignore"):
        if op == "cumsum":
            out = np.cumsum(y, axis=axis, dtype=x.dtype)
        elif op == "cumprod":
            out = np.cumprod(y, axis=axis, dtype=x.dtype)
        elif op == "cummax":
            out = np.maximum.accumulate(y, axis=axis)
        else:
            out = np.minimum.accumulate(y, axis=axis)
    return [np.flip(out, axis) if reverse else out]


def np_sort(operands, dimension, num_keys):
    keys = operands[:num_keys]
    if num_keys == 1:
        perm = np.argsort(keys[0], axis=dimension, kind="stable")
    else:
        # lexsort's last key is the primary one; it is stable.
        perm = np.lexsort(tuple(reversed(keys)), axis=dimension)
    return [np.take_along_axis(x, perm, axis=dimension) for x in operands]


# --- the cross-check against jax.lax -------------------------------------------------------

def lax_apply(op, p, xs):
    xs = [jnp.asarray(x) for x in xs]
    if op in ("argmax", "argmin"):
        return [getattr(lax, op)(xs[0], p["axis"], np.dtype(p["index_dtype"]))]
    if op == "sort":
        return list(lax.sort(xs, dimension=p["dimension"], is_stable=p["is_stable"],
                             num_keys=p["num_keys"]))
    return [getattr(lax, op)(xs[0], axis=p["axis"], reverse=p["reverse"])]


def agrees(op, got, want):
    got = np.asarray(got)
    if got.dtype != want.dtype or got.shape != want.shape:
        return False
    if not np.issubdtype(want.dtype, np.floating):
        return np.array_equal(got, want)
    if op == "sort":  # a permutation of the inputs: every bit is determined
        return np.array_equal(got.view(np.uint32), want.view(np.uint32))
    # Cumulative ops: the sign of a zero is not specified (XLA pads with +0.0).
    return np.array_equal(got, want, equal_nan=True)


def add_case(op, params, inputs):
    inputs = [np.asarray(x) for x in inputs]
    if op in ("argmax", "argmin"):
        outputs = np_argminmax(op, inputs[0], params["axis"], params["index_dtype"])
    elif op == "sort":
        outputs = np_sort(inputs, params["dimension"], params["num_keys"])
    else:
        outputs = np_cumulative(op, inputs[0], params["axis"], params["reverse"])
    got = lax_apply(op, params, inputs)
    stable = op != "sort" or params["is_stable"]
    for g, w in zip(got, outputs if stable else outputs[:params["num_keys"]]):
        if not agrees(op, g, w):
            print(f"jax.lax disagrees on {op} {params}: {np.asarray(g)} vs {w}", file=sys.stderr)
    CASES.append((op, params, inputs, outputs))


# --- the cases ------------------------------------------------------------------------------

rng = np.random.default_rng(20240611)


def small_ints(shape, low=-3, high=4, dtype=F32):
    return rng.integers(low, high, size=shape).astype(dtype)


# argmax / argmin: NaN, signed zeros, ties, infinities, every axis of ranks 1-3, dtypes.
SPECIAL = arr([1.0, 3.0, -0.0, 3.0, NAN, 0.0, NAN, -INF, INF, -INF], F32)
ARG_INPUTS = [
    SPECIAL,
    arr([2.0, 5.0, 5.0, -1.0, 5.0, -1.0], F32),
    arr([-0.0, 0.0], F32),
    arr([0.0, -0.0], F32),
    arr([NAN, NAN, 1.0], F32),
    arr([[1.0, NAN, 2.0, NAN], [-INF, -INF, -INF, -INF], [0.0, -0.0, 4.0, 4.0]], F32),
    small_ints((2, 3, 4)),
    arr([[7, -2147483648, 2147483647, 7], [0, 0, -1, -1], [3, 9, 9, 3]], I32),
    arr([[200, 3, 255, 255, 0], [0, 0, 0, 1, 1]], U8),
    arr([[False, True, True, False], [False, False, False, False], [True, True, True, True]],
        np.bool_),
]
for op in ("argmax", "argmin"):
    for x in ARG_INPUTS:
        for axis in range(x.ndim):
            add_case(op, {"axis": axis, "index_dtype": "int32"}, [x])
    add_case(op, {"axis": 1, "index_dtype": "uint8"}, [ARG_INPUTS[5]])
    add_case(op, {"axis": 0, "index_dtype": "int16"}, [SPECIAL])
    add_case(op, {"axis": 1, "index_dtype": "int32"}, [np.zeros((0, 3), F32)])
    add_case(op, {"axis": 0, "index_dtype": "int32"}, [np.zeros((2, 0), F32)])

# Cumulative reductions.
DYADIC = arr([0.5, 1.25, -2.0, 3.0, -0.75, 2.0, 0.5, -1.5], F32)
CUM_INPUTS = [
    DYADIC,
    arr([1.0, NAN, 2.0, -3.0, 4.0], F32),
    arr([3.0, -INF, 1.0, INF, 0.0, -0.0], F32),
    small_ints((3, 4)) / 2,
    small_ints((2, 3, 4)) / 2,
    arr([[5, -7, 2147483647, 1], [-2, 3, 1, 2], [100000, 100000, 100000, -1]], I32),
    arr([3, 200, 7, 255, 0, 1], U8),
]
for op in ("cumsum", "cumprod", "cummax", "cummin"):
    for x in CUM_INPUTS:
        for axis in range(x.ndim):
            for reverse in (False, True):
                add_case(op, {"axis": axis, "reverse": reverse}, [x])
    for shape, axis in (((0, 3), 0), ((0, 3), 1), ((2, 0), 1), ((0,), 0)):
        add_case(op, {"axis": axis, "reverse": False}, [np.zeros(shape, F32)])

# sort: one operand; (x, iota) to check stability and argsort; several operands by 1-3 keys.
SORT_F32 = arr([3.0, -0.0, NAN, 1.0, 0.0, -INF, 1.0, -NAN, -0.0, INF, 2.0, 0.0], F32)


def with_iota(x, dimension):
    iota = np.broadcast_to(
        np.arange(x.shape[dimension], dtype=I32).reshape(
            [-1 if d == dimension else 1 for d in range(x.ndim)]), x.shape).copy()
    return [x, iota]


SORT_INPUTS = [
    SORT_F32,
    small_ints((3, 5)),
    arr([[1.0, NAN, -0.0, 0.0, NAN], [0.0, -0.0, 0.0, -0.0, -INF], [2.0, 2.0, 1.0, 1.0, 2.0]],
        F32),
    small_ints((2, 3, 4)),
    arr([[5, -2147483648, 2147483647, 5, 0], [1, 1, -1, -1, 1]], I32),
    arr([200, 3, 255, 0, 3, 200], U8),
    arr([True, False, True, False, False, True], np.bool_),
]
for x in SORT_INPUTS:
    for dimension in range(x.ndim):
        params = {"dimension": dimension, "is_stable": True, "num_keys": 1}
        add_case("sort", params, [x])
        add_case("sort", params, with_iota(x, dimension))
# Several operands: two keys (float with ties, NaN and signed zeros; then int), a payload.
K1 = arr([2.0, 1.0, 2.0, NAN, -0.0, 1.0, 0.0, NAN, 2.0, 0.0], F32)
K2 = arr([5, 9, 1, 2, 4, 9, 3, 1, 1, 3], I32)
PAYLOAD = np.arange(10, dtype=F32) / 4
add_case("sort", {"dimension": 0, "is_stable": True, "num_keys": 2}, [K1, K2, PAYLOAD])
add_case("sort", {"dimension": 0, "is_stable": True, "num_keys": 1}, [K1, K2, PAYLOAD])
add_case("sort", {"dimension": 0, "is_stable": True, "num_keys": 3}, [K1, K2, PAYLOAD])
add_case("sort", {"dimension": 0, "is_stable": True, "num_keys": 2},
         [K2, K1, np.arange(10, dtype=I32)])
M1 = small_ints((3, 6), 0, 3)
M2 = arr(rng.permutation(18), F32).reshape(3, 6)
for dimension in range(2):
    add_case("sort", {"dimension": dimension, "is_stable": True, "num_keys": 2},
             [M1, M2, np.arange(18, dtype=I32).reshape(3, 6)])
# Unstable sorts of distinct keys (the permutation is unique).
DISTINCT = arr([4.0, -1.0, 7.5, 0.0, -3.25, 2.0], F32)
add_case("sort", {"dimension": 0, "is_stable": False, "num_keys": 1},
         [DISTINCT, np.arange(6, dtype=I32)])
add_case("sort", {"dimension": 1, "is_stable": False, "num_keys": 1},
         [arr(rng.permutation(12), I32).reshape(3, 4)])
# Empty arrays.
for shape, dimension in (((0,), 0), ((2, 0), 1), ((0, 3), 1), ((0, 3), 0)):
    add_case("sort", {"dimension": dimension, "is_stable": True, "num_keys": 1},
             [np.zeros(shape, F32), np.zeros(shape, I32)])


def main():
    print(f"# Generated by `python3 tests/golden/ordering.py > tests/golden/ordering.txt` with "
          f"NumPy {np.__version__}, JAX {jax.__version__}.")
    print("# <op>\t<params>\t<inputs>\t<outputs> (the format: ordering.py)")
    for op, params, inputs, outputs in CASES:
        print("\t".join([op, fmt_params(params), " ".join(fmt_array(x) for x in inputs),
                         " ".join(fmt_array(y) for y in outputs)]))


if __name__ == "__main__":
    main()
