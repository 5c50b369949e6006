"""Golden data for rjax's array printing (src/array/format.rs), taken from JAX itself.

Run `python3 tests/golden/format.py > tests/golden/format.txt`.

Each case is one line of seven tab-separated fields:
  <name> <dtype> <shape> <weak: 0|1> <hex of the row-major little-endian bytes> <repr> <str>
where <shape> is the dimensions joined by commas ("-" for a scalar) and <repr> and <str>
are what `repr(x)` and `str(x)` print for the JAX array, as JSON strings.
"""

import json
import sys

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
from jax._src.lax import lax as lax_internal  # noqa: E402

nan, inf = np.nan, np.inf
rng = np.random.default_rng(0)


def weak(x):
    """The same array, marked weakly typed (as Python scalars are)."""
    return lax_internal._convert_element_type(x, weak_type=True)


def a(values, dtype):
    return jnp.asarray(np.asarray(values, dtype=dtype))


CASES = [
    # float32, rank 0 and 1
    ("f32_halves", a([0.5, 0.5, 0.0], np.float32)),
    ("f32_scalar_one", a(1.0, np.float32)),
    ("f32_scalar_weak", weak(a(1.0, np.float32))),
    ("f32_scalar_tenth", a(0.1, np.float32)),
    ("f32_scalar_1e-4", a(1e-4, np.float32)),
    ("f32_scalar_big", a(123456789.0, np.float32)),
    ("f32_scalar_neg_zero", a(-0.0, np.float32)),
    ("f32_scalar_nan", a(nan, np.float32)),
    ("f32_scalar_neg_inf", a(-inf, np.float32)),
    ("f32_wrap", jnp.arange(12, dtype=jnp.float32) * 1.123),
    ("f32_wrap_weak_dtype_spaced", weak(jnp.arange(20, dtype=jnp.float32) * 1.123)),
    ("f32_mixed_signs", a([-1.5, 10.25, 100.0], np.float32)),
    ("f32_sci_small", a([1e-5, 1.0, 1e5], np.float32)),
    ("f32_sci_large", a([1e6, 2.0], np.float32)),
    ("f32_sci_ratio", a([1.0, 1001.0], np.float32)),
    ("f32_no_sci_ratio_1000", a([1.0, 1000.0], np.float32)),
    ("f32_tiny", a([1e-5, 2e-5], np.float32)),
    ("f32_exactly_1e-4", a([1e-4, 1e-3], np.float32)),
    ("f32_nonfinite", a([nan, inf, -inf, 1.5], np.float32)),
    ("f32_all_nan", a([nan, nan], np.float32)),
    ("f32_neg_inf_only", a([-inf], np.float32)),
    ("f32_sci_nonfinite", a([1e-10, nan, -inf], np.float32)),
    ("f32_neg_zero", a([-0.0, 0.0, 1.0], np.float32)),
    ("f32_all_zero", a([0.0, 0.0], np.float32)),
    ("f32_pad_digits", a([0.1, 123456.7, 2.0], np.float32)),
    ("f32_sci_min_digits", a([0.1, 1.2345678e10], np.float32)),
    ("f32_powers_of_two", a([2.0**-30, 2.0**40, 2.0**-3], np.float32)),
    ("f32_subnormal", a([1e-45, 1e-40, 3.4028235e38], np.float32)),
    ("f32_rank2_normal", a(rng.standard_normal((3, 4)), np.float32)),
    ("f32_rank3", jnp.arange(24, dtype=jnp.float32).reshape(2, 3, 4) / 7),
    ("f32_rank4", jnp.arange(16, dtype=jnp.float32).reshape(2, 2, 2, 2)),
    ("f32_long_rows", a(rng.standard_normal((3, 30)) * 100, np.float32)),
    ("f32_summarized_1001", jnp.linspace(0, 1, 1001, dtype=jnp.float32)),
    ("f32_summarized_wide", a(rng.uniform(-1, 1, (2, 600)), np.float32)),
    ("f32_summarized_tall", jnp.arange(1200, dtype=jnp.float32).reshape(1200, 1)),
    ("i16_exactly_1000", jnp.arange(1000, dtype=jnp.int16).reshape(10, 100)),
    # float64
    ("f64_scalar_weak", jnp.asarray(1.0)),
    ("f64_scalar_third", a(1 / 3, np.float64)),
    ("f64_scalar_1e16", a(1e16, np.float64)),
    ("f64_scalar_1e15", a(1e15, np.float64)),
    ("f64_precision_cut", a([0.1 + 0.2, 1 / 3, 2 / 3], np.float64)),
    ("f64_sci_3_digit_exponent", a([1e-300, 1e10, nan, -inf], np.float64)),
    ("f64_sci_cut", a([1 / 3, 1e10 / 3], np.float64)),
    ("f64_1e8", a([1e8, 1.0], np.float64)),
    ("f64_below_1e8", a([99999999.0, 1e5], np.float64)),
    ("f64_random", a(rng.standard_normal(7) * 1e3, np.float64)),
    ("f64_summarized_rank3", jnp.arange(2000.0).reshape(2, 10, 100)),
    ("f64_subnormal", a([5e-324, 1.0], np.float64)),
    # float16 and bfloat16
    ("f16_values", a([0.1, 0.2, 999.0], np.float16)),
    ("f16_sci_1000", a([1000.0, 1.0], np.float16)),
    ("f16_ratio_overflow", a([6e-8, 60000.0], np.float16)),
    ("f16_exactly_1e-4", a([1e-4, 1e-3], np.float16)),
    ("f16_scalar", a(0.1, np.float16)),
    ("f16_scalar_sci", a(2048.0, np.float16)),
    ("f16_scalar_small", a(1e-4, np.float16)),
    ("f16_every_binade", a([2.0**k * 1.2345 for k in range(-14, 15)], np.float16)),
    ("bf16_values", a([1.5, 0.1, 3.0, 1e20, -0.0, nan, inf, -inf, 1e-5], ml_dtypes.bfloat16)),
    ("bf16_tie", a([1.203125, 123456.0, 0.0001], ml_dtypes.bfloat16)),
    ("bf16_scalar", a(0.1, ml_dtypes.bfloat16)),
    ("bf16_scalar_nan", a(-nan, ml_dtypes.bfloat16)),
    ("bf16_summarized", jnp.arange(1500, dtype=jnp.bfloat16)),
    # integers
    ("i8_extremes", a([-128, 127, 0], np.int8)),
    ("i16_rank2", a([[1, -2, 300], [40, 5, -6000]], np.int16)),
    ("i32_square", a([[1, 2], [3, 4]], np.int32)),
    ("i32_scalar", a(-7, np.int32)),
    ("i64_scalar_weak", jnp.asarray(2)),
    ("i64_extremes", a([-(2**63), 2**63 - 1], np.int64)),
    ("u8_wrap", jnp.arange(256, dtype=jnp.uint8)),
    ("u16_values", a([0, 65535, 7], np.uint16)),
    ("u32_max", a([4294967295, 1], np.uint32)),
    ("u64_max", a([2**64 - 1, 0], np.uint64)),
    ("u64_scalar", a(2**64 - 1, np.uint64)),
    ("i32_summarized", jnp.arange(2000, dtype=jnp.int32).reshape(40, 50) - 1000),
    ("i8_summarized_rank3", a(rng.integers(-100, 100, (7, 7, 30)), np.int8)),
    # booleans
    ("bool_pair", a([True, False], np.bool_)),
    ("bool_scalar", a(True, np.bool_)),
    ("bool_scalar_false", a(False, np.bool_)),
    ("bool_rank2", a(rng.integers(0, 2, (3, 3)), np.bool_)),
    ("bool_summarized", a(rng.integers(0, 2, 1200), np.bool_)),
    # complex
    ("c64_pair", a([1 + 2j, -1.5 - 0.5j], np.complex64)),
    ("c64_nonfinite", a([complex(inf, nan), 1 + 2j, complex(-inf, -inf)], np.complex64)),
    ("c64_mixed_parts", a([1 + 1e-6j, 2 + 3j], np.complex64)),
    ("c64_scalar", a(1 + 2j, np.complex64)),
    ("c64_scalar_imag", a(2j, np.complex64)),
    ("c64_scalar_neg_zero_real", a(complex(-0.0, 2.0), np.complex64)),
    ("c64_scalar_zero", a(0j, np.complex64)),
    ("c64_scalar_small", a(complex(1e-4, 3.0), np.complex64)),
    ("c64_scalar_nan_imag", a(complex(0.0, nan), np.complex64)),
    ("c64_rank2", a(rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3)), np.complex64)),
    ("c128_scalar_weak", jnp.asarray(1j)),
    ("c128_sci", a([1e20 + 1e-5j, -3.0 + 0j, complex(nan, 1.0)], np.complex128)),
    ("c128_scalar", a(complex(0.1, -0.2), np.complex128)),
    # empty
    ("f32_empty", jnp.zeros((0,), jnp.float32)),
    ("f32_empty_rank2", jnp.zeros((0, 4), jnp.float32)),
    ("i32_empty_rank3", jnp.zeros((2, 0, 3), jnp.int32)),
    ("f64_empty_weak", weak(jnp.zeros((0,), jnp.float64))),
]


def main():
    out = sys.stdout
    out.write(
        f"# Generated by `python3 tests/golden/format.py > tests/golden/format.txt` with "
        f"JAX {jax.__version__}, NumPy {np.__version__}, ml_dtypes {ml_dtypes.__version__}.\n"
    )
    out.write("# <name>\t<dtype>\t<shape>\t<weak: 0|1>\t<hex bytes>\t<repr: JSON>\t<str: JSON>\n")
    for name, x in CASES:
        value = np.asarray(x)
        shape = ",".join(str(d) for d in x.shape) or "-"
        fields = [
            name,
            x.dtype.name,
            shape,
            "1" if x.aval.weak_type else "0",
            value.astype(value.dtype.newbyteorder("<")).tobytes().hex(),
            json.dumps(repr(x)),
            json.dumps(str(x)),
        ]
        out.write("\t".join(fields) + "\n")


if __name__ == "__main__":
    main()
