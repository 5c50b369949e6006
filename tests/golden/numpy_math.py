"""Expected values for tests/numpy_math.rs: jax.numpy's elementwise functions, creation,
reductions and statistics, computed by JAX in x64 mode (so the dtypes are JAX's, weak types
and integer promotion included) and checked against NumPy where NumPy means the same thing.

Run `python3 -P tests/golden/numpy_math.py > tests/golden/numpy_math.txt` (`-P`: this file
must not shadow the `numpy` package). Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. The inputs are rebuilt
identically in tests/numpy_math.rs.
"""
import warnings

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

A = np.sin(np.arange(24) * 1.3).reshape(2, 3, 4)
M = np.sin(np.arange(12) * 0.7 + 0.3).reshape(3, 4)
V = np.array([1.5, -2.0, 0.5, 3.0])
I = np.arange(12, dtype=np.int64).reshape(3, 4) - 5
P = (np.arange(12) + 1.0).reshape(3, 4) * 0.37
U = np.sin(np.arange(12) * 0.9).reshape(3, 4) * 0.9
S = np.array([0.0, -0.0, 1.0, -2.5, 2.5, 0.5, -0.5, 1.5, np.inf, -np.inf, np.nan])
R = S[::-1].copy()
N = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [-2.0, 0.5, np.nan]])
NM = np.array([[1.0, np.nan, 3.0], [4.0, 0.5, 2.0]])
F = M.astype(np.float32)
E = np.zeros((0, 3))
Q3 = np.array([0.1, 0.5, 0.9])
W = np.array([1.0, 2.0, 0.5])


def cases(xp, nn=None):
    """name -> value, with `xp` jax.numpy or numpy (the same expressions)."""
    return {
        "sin": xp.sin(M),
        "sin_int": xp.sin(I),
        "sin_scalar": xp.sin(0.5),
        "sin_empty": xp.sin(E),
        "cos": xp.cos(M),
        "tan": xp.tan(M),
        "arcsin": xp.arcsin(U),
        "arccos": xp.arccos(U),
        "arctan": xp.arctan(A),
        "sinh": xp.sinh(M),
        "cosh": xp.cosh(M),
        "tanh": xp.tanh(A),
        "arcsinh": xp.arcsinh(A),
        "arccosh": xp.arccosh(P + 1),
        "arctanh": xp.arctanh(U),
        "exp": xp.exp(A),
        "exp_f32": xp.exp(F),
        "exp2": xp.exp2(M),
        "expm1": xp.expm1(M * 1e-3),
        "log": xp.log(P),
        "log_f32": xp.log(F + 2),
        "log1p": xp.log1p(P * 1e-4),
        "log2": xp.log2(P),
        "log10": xp.log10(P),
        "log_special": xp.log(S),
        "sqrt": xp.sqrt(P),
        "sqrt_int": xp.sqrt(I + 5),
        "cbrt": xp.cbrt(A),
        "reciprocal": xp.reciprocal(P),
        "deg2rad": xp.deg2rad(I),
        "rad2deg": xp.rad2deg(M),
        "sinc": xp.sinc(S),
        "sinc_m": xp.sinc(A),
        "fabs": xp.fabs(I),
        "rint": xp.rint(S),
        "negative": xp.negative(I),
        "positive": xp.positive(M),
        "sign": xp.sign(S),
        "sign_int": xp.sign(I),
        "abs": xp.abs(S),
        "abs_int": xp.abs(I),
        "floor": xp.floor(S),
        "floor_int": xp.floor(I),
        "ceil": xp.ceil(A * 3),
        "trunc": xp.trunc(A * 3),
        "round": xp.round(S),
        "round_dec": xp.round(A * 10, 1),
        "round_f32": xp.round(F * 7),
        "square": xp.square(I),
        "square_f": xp.square(M),
        "isnan": xp.isnan(S),
        "isinf": xp.isinf(S),
        "isposinf": xp.isposinf(S),
        "isneginf": xp.isneginf(S),
        "isfinite": xp.isfinite(S),
        "isnan_int": xp.isnan(I),
        "isfinite_int": xp.isfinite(I),
        "signbit": xp.signbit(S),
        "signbit_int": xp.signbit(I),
        "nan_to_num": xp.nan_to_num(S),
        "nan_to_num_f32": xp.nan_to_num(S.astype(np.float32)),
        "nan_to_num_set": xp.nan_to_num(S, nan=7.0, posinf=1e3, neginf=-1e3),
        "add": xp.add(M, V),
        "add_bool": xp.add(M > 0, V > 0),
        "subtract": xp.subtract(I, 3),
        "multiply": xp.multiply(A, M),
        "multiply_bool": xp.multiply(M > 0, V > 0),
        "maximum": xp.maximum(S, 0.5),
        "minimum": xp.minimum(S, R),
        "fmax": xp.fmax(S, R),
        "fmin": xp.fmin(S, R),
        "equal": xp.equal(I, 0),
        "not_equal": xp.not_equal(M, V),
        "less": xp.less(M, V),
        "less_equal": xp.less_equal(I, -1),
        "greater": xp.greater(A, M),
        "greater_equal": xp.greater_equal(S, R),
        "bitwise_and": xp.bitwise_and(I, 6),
        "bitwise_or": xp.bitwise_or(I, 6),
        "bitwise_xor": xp.bitwise_xor(I, 6),
        "bitwise_not": xp.bitwise_not(I),
        "left_shift": xp.left_shift(I + 5, 2),
        "right_shift": xp.right_shift(I, 1),
        "floor_divide": xp.floor_divide(I, 3),
        "floor_divide_neg": xp.floor_divide(I, -4),
        "floor_divide_f": xp.floor_divide(A * 7, 0.9),
        "remainder": xp.remainder(I, 3),
        "remainder_neg": xp.remainder(I, -4),
        "remainder_f": xp.remainder(A * 7, -0.9),
        "fmod": xp.fmod(I, 3),
        "fmod_f": xp.fmod(A * 7, 0.9),
        "power_int": xp.power(I, 2),
        "power_int_arr": xp.power(I, xp.abs(I) % 4),
        "power_f_int": xp.power(M, 3),
        "power_f": xp.power(P, M),
        "float_power": xp.float_power(I + 6, 0.5),
        "divide": xp.divide(I, 4),
        "true_divide": xp.true_divide(M, V),
        "arctan2": xp.arctan2(M, V),
        "hypot": xp.hypot(M, V),
        "hypot_special": xp.hypot(S, R),
        "logaddexp": xp.logaddexp(M, V),
        "logaddexp_special": xp.logaddexp(S, R),
        "logaddexp2": xp.logaddexp2(A, M),
        "copysign": xp.copysign(M, V),
        "copysign_special": xp.copysign(1.0, S),
        "heaviside": xp.heaviside(S, 0.5),
        "nextafter": xp.nextafter(M, V),
        "logical_and": xp.logical_and(I, M > 0),
        "logical_or": xp.logical_or(I, M > 0),
        "logical_xor": xp.logical_xor(I, M > 0),
        "logical_not": xp.logical_not(I),
        "logspace": xp.logspace(0.0, 2.0, 5),
        "logspace_base": xp.logspace(-1.0, 3.0, 4, endpoint=False, base=2.0),
        "diag_vec": xp.diag(V),
        "diag_vec_k": xp.diag(V, 1),
        "diag_vec_neg": xp.diag(V, -2),
        "diag_mat": xp.diag(M),
        "diag_mat_k": xp.diag(M, 1),
        "diag_mat_neg": xp.diag(M, -1),
        "diag_empty": xp.diag(V[:0]),
        "diagonal": xp.diagonal(A),
        "diagonal_axes": xp.diagonal(A, 1, 0, 2),
        "diagonal_neg": xp.diagonal(A, -1, 2, 1),
        "diagonal_far": xp.diagonal(M, 5),
        "tri": xp.tri(3, 4, 1),
        "tri_sq": xp.tri(3),
        "tril": xp.tril(A),
        "tril_k": xp.tril(M, -1),
        "triu": xp.triu(A, 1),
        "triu_m": xp.triu(M),
        "meshgrid_xy_0": xp.meshgrid(V, V[:3])[0],
        "meshgrid_xy_1": xp.meshgrid(V, V[:3])[1],
        "meshgrid_ij_0": xp.meshgrid(V, V[:3], indexing="ij")[0],
        "meshgrid_ij_1": xp.meshgrid(V, V[:3], indexing="ij")[1],
        "meshgrid_3": xp.meshgrid(V[:2], V, V[:3])[2],
        "amax": xp.amax(A, axis=1),
        "amin": xp.amin(A, axis=(0, 2), keepdims=True),
        "ptp": xp.ptp(A, axis=-1),
        "ptp_all": xp.ptp(M),
        "count_nonzero": xp.count_nonzero(I, axis=0),
        "count_nonzero_all": xp.count_nonzero(I),
        "count_nonzero_empty": xp.count_nonzero(E, axis=0),
        "cumsum": xp.cumsum(A, axis=1),
        "cumsum_flat": xp.cumsum(I),
        "cumsum_bool": xp.cumsum(M > 0, axis=-1),
        "cumsum_dtype": xp.cumsum(I, axis=0, dtype=np.float64),
        "cumsum_scalar": xp.cumsum(2.5),
        "cumsum_empty": xp.cumsum(V[:0]),
        "cumprod": xp.cumprod(M, axis=-1),
        "cumprod_flat": xp.cumprod(I + 6),
        "median": xp.median(A),
        "median_axis": xp.median(A, axis=1),
        "median_keep": xp.median(M, axis=-1, keepdims=True),
        "median_int": xp.median(I),
        "quantile": xp.quantile(A, 0.3),
        "quantile_q": xp.quantile(A, Q3, axis=2),
        "quantile_axes": xp.quantile(A, Q3, axis=(0, 2)),
        "quantile_keep": xp.quantile(A, Q3, axis=1, keepdims=True),
        "quantile_keep_all": xp.quantile(M, 0.25, keepdims=True),
        "quantile_lower": xp.quantile(A, Q3, axis=1, method="lower"),
        "quantile_higher": xp.quantile(A, Q3, axis=1, method="higher"),
        "quantile_nearest": xp.quantile(M, np.array([0.2, 0.5, 0.8]), axis=1, method="nearest"),
        "quantile_midpoint": xp.quantile(A, Q3, axis=1, method="midpoint"),
        "quantile_nan": xp.quantile(NM, 0.5, axis=1),
        "quantile_f32": xp.quantile(F, 0.3, axis=0),
        "percentile": xp.percentile(M, 40, axis=0),
        "percentile_q": xp.percentile(M, np.array([25.0, 75.0])),
        "average": xp.average(A),
        "average_axis": xp.average(A, axis=1, weights=W),
        "average_full": xp.average(A, weights=A * A),
        "average_returned_0": xp.average(M, axis=0, weights=M * M, returned=True)[0],
        "average_returned_1": xp.average(M, axis=0, weights=M * M, returned=True)[1],
        "average_sum_unweighted": xp.average(A, axis=(0, 2), returned=True)[1],
        "nansum": xp.nansum(N, axis=1),
        "nanprod": xp.nanprod(N, axis=0),
        "nanmax": xp.nanmax(N, axis=1),
        "nanmin": xp.nanmin(N),
        "nanmean": xp.nanmean(N, axis=0),
        "nanmean_int": xp.nanmean(I, axis=1),
    }


# Where jax.numpy knowingly differs from NumPy: JAX's `nearest` takes the lower value at a
# tie (NumPy rounds ties to even); `jnp.sinc` at ±inf and `nextafter` have no such difference.
JAX_ONLY = {"quantile_nearest"}


def dtype_name(a):
    return str(a.dtype)


def emit(name, value):
    a = np.asarray(value)
    if a.dtype == np.bool_:
        values = ["1" if v else "0" for v in a.ravel()]
    elif a.dtype.kind == "f":
        values = [repr(float(v)) for v in a.ravel()]
    else:
        values = [str(int(v)) for v in a.ravel()]
    dims = ",".join(str(d) for d in a.shape)
    print(f"{name}|{dtype_name(a)}|{dims}|{','.join(values)}")


if __name__ == "__main__":
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = cases(np)
    got = cases(jnp)
    for name, value in got.items():
        value = np.asarray(value)
        if name not in JAX_ONLY:
            reference = np.asarray(want[name], dtype=np.float64) if value.size else value
            tol = 1e-5 if value.dtype == np.float32 else 1e-12
            assert value.shape == reference.shape, (name, value.shape, reference.shape)
            assert np.allclose(value.astype(np.float64), reference, rtol=tol, atol=tol,
                               equal_nan=True), (name, value, reference)
    print(f"# jax {jax.__version__}, numpy {np.__version__}")
    for name, value in got.items():
        emit(name, value)
