"""Expected results for tests/degenerate_inputs.rs: what JAX does on degenerate input (empty
arrays, empty axes, `ddof >= n`, 0x0 matrices and batches of none, singular and NaN/inf
matrices), in JAX's default 32-bit mode, as rjax runs by default.

Run `python3 -P tests/golden/degenerate.py > tests/golden/degenerate.txt`. Each line is either
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>` (JAX's value) or
`<name>|raises|<exception type>|` (JAX raises). A function with several outputs gives one line
per output, named `<name>.<i>`. The inputs are rebuilt identically in the test.
"""
import jax

jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402

E = np.zeros((0,), np.float32)  # empty vector
Z03 = np.zeros((0, 3), np.float32)  # empty rows
Z30 = np.zeros((3, 0), np.float32)  # empty columns
V3 = np.array([1.0, 2.0, 4.0], np.float32)
M00 = np.zeros((0, 0), np.float32)  # 0x0 matrix
B033 = np.zeros((0, 3, 3), np.float32)  # a batch of no 3x3 matrices
B200 = np.zeros((2, 0, 0), np.float32)  # a batch of two 0x0 matrices
SING = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)  # singular
NANM = np.array([[1.0, np.nan], [0.5, 2.0]], np.float32)
INFM = np.array([[1.0, np.inf], [0.5, 2.0]], np.float32)
NOTPD = np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)  # symmetric, not positive definite
KEY = jax.random.key(0)

CASES = {
    # jnp reductions and statistics
    "sum_empty": lambda: jnp.sum(E),
    "prod_empty": lambda: jnp.prod(E),
    "mean_empty": lambda: jnp.mean(E),
    "mean_axis0_empty_rows": lambda: jnp.mean(Z03, axis=0),
    "var_empty": lambda: jnp.var(E),
    "std_empty": lambda: jnp.std(E),
    "var_ddof_eq_n": lambda: jnp.var(V3, ddof=3),
    "var_ddof_gt_n": lambda: jnp.var(V3, ddof=5),
    "std_ddof_eq_n": lambda: jnp.std(V3, ddof=3),
    "var_axis_ddof_eq_n": lambda: jnp.var(Z30 + 1.0, axis=0, ddof=3),
    "max_empty": lambda: jnp.max(E),
    "min_empty": lambda: jnp.min(E),
    "max_axis0_empty_rows": lambda: jnp.max(Z03, axis=0),
    "max_axis1_empty_rows": lambda: jnp.max(Z03, axis=1),
    "min_axis1_empty_cols": lambda: jnp.min(Z30, axis=1),
    "ptp_empty": lambda: jnp.ptp(E),
    "argmax_empty": lambda: jnp.argmax(E),
    "argmin_empty": lambda: jnp.argmin(E),
    "argmax_axis0_empty_rows": lambda: jnp.argmax(Z03, axis=0),
    "argmax_axis1_empty_rows": lambda: jnp.argmax(Z03, axis=1),
    "argmin_axis1_empty_cols": lambda: jnp.argmin(Z30, axis=1),
    "all_empty": lambda: jnp.all(E),
    "any_empty": lambda: jnp.any(E),
    "count_nonzero_empty": lambda: jnp.count_nonzero(E),
    "cumsum_empty": lambda: jnp.cumsum(E),
    "cumprod_empty": lambda: jnp.cumprod(E),
    "median_empty": lambda: jnp.median(E),
    "nansum_empty": lambda: jnp.nansum(E),
    "nanmean_empty": lambda: jnp.nanmean(E),
    "nanmax_empty": lambda: jnp.nanmax(E),
    "sum_axis1_empty_cols": lambda: jnp.sum(Z30, axis=1),
    # lax reductions accept empty operands: the result is the identity
    "lax_reduce_max_empty": lambda: jax.lax.reduce_max(E, axes=(0,)),
    "lax_reduce_min_empty": lambda: jax.lax.reduce_min(E, axes=(0,)),
    "lax_reduce_sum_empty": lambda: jax.lax.reduce_sum(E, axes=(0,)),
    "lax_reduce_prod_empty": lambda: jax.lax.reduce_prod(E, axes=(0,)),
    # jax.nn on empty input
    "softmax_empty": lambda: jax.nn.softmax(E),
    "log_softmax_empty": lambda: jax.nn.log_softmax(E),
    "logsumexp_empty": lambda: jax.nn.logsumexp(E),
    "logsumexp_axis1_empty_cols": lambda: jax.nn.logsumexp(Z30, axis=1),
    "softmax_empty_rows": lambda: jax.nn.softmax(Z03, axis=-1),
    # random samplers with zero-size shapes
    "uniform_zero": lambda: jax.random.uniform(KEY, (0, 3)),
    "normal_zero": lambda: jax.random.normal(KEY, (2, 0)),
    "randint_zero": lambda: jax.random.randint(KEY, (0,), 0, 5),
    "bernoulli_zero": lambda: jax.random.bernoulli(KEY, 0.5, (0,)),
    "permutation_zero": lambda: jax.random.permutation(KEY, 0),
    "split_zero": lambda: jax.random.key_data(jax.random.split(KEY, 0)),
    # linalg on 0x0 matrices and on batches of none
    "inv_0x0": lambda: jnp.linalg.inv(M00),
    "det_0x0": lambda: jnp.linalg.det(M00),
    "slogdet_0x0": lambda: tuple(jnp.linalg.slogdet(M00)),
    "solve_0x0": lambda: jnp.linalg.solve(M00, E),
    "cholesky_0x0": lambda: jnp.linalg.cholesky(M00),
    "eigh_0x0": lambda: tuple(jnp.linalg.eigh(M00)),
    "svd_0x0": lambda: tuple(jnp.linalg.svd(M00)),
    "qr_0x0": lambda: tuple(jnp.linalg.qr(M00)),
    "inv_batch0": lambda: jnp.linalg.inv(B033),
    "det_batch0": lambda: jnp.linalg.det(B033),
    "slogdet_batch0": lambda: tuple(jnp.linalg.slogdet(B033)),
    "cholesky_batch0": lambda: jnp.linalg.cholesky(B033),
    "eigh_batch0": lambda: tuple(jnp.linalg.eigh(B033)),
    "svd_batch0": lambda: tuple(jnp.linalg.svd(B033)),
    "qr_batch0": lambda: tuple(jnp.linalg.qr(B033)),
    "solve_batch0": lambda: jnp.linalg.solve(B033, np.zeros((0, 3, 1), np.float32)),
    "det_batch_of_0x0": lambda: jnp.linalg.det(B200),
    "inv_batch_of_0x0": lambda: jnp.linalg.inv(B200),
    # linalg on singular, NaN and inf matrices
    "det_singular": lambda: jnp.linalg.det(SING),
    "slogdet_singular": lambda: tuple(jnp.linalg.slogdet(SING)),
    "det_nan": lambda: jnp.linalg.det(NANM),
    "inv_nan": lambda: jnp.linalg.inv(NANM),
    "det_inf": lambda: jnp.linalg.det(INFM),
    "cholesky_not_pd": lambda: jnp.linalg.cholesky(NOTPD),
    "cholesky_nan": lambda: jnp.linalg.cholesky(NANM),
    "eigvalsh_nan": lambda: jnp.linalg.eigvalsh(NANM),
    # jit's donate_argnums beyond the arguments
    "donate_argnums_out_of_range": lambda: jax.jit(
        lambda x, y: x + y, donate_argnums=(5,)
    )(V3, V3),
}


def numbers(x):
    x = np.asarray(x)
    flat = x.astype(np.float64).ravel() if x.dtype != np.bool_ else x.astype(np.float64).ravel()
    return ",".join(repr(float(v)) for v in flat)


def line(name, x):
    x = np.asarray(x)
    return f"{name}|{x.dtype}|{','.join(map(str, x.shape))}|{numbers(x)}"


print(f"# jax {jax.__version__}, numpy {np.__version__}, scipy {scipy.__version__}")
for name, f in CASES.items():
    try:
        out = f()
    except Exception as e:  # noqa: BLE001 (the exception type is the expected result)
        print(f"{name}|raises|{type(e).__name__}|")
        continue
    if isinstance(out, tuple):
        for i, x in enumerate(out):
            print(line(f"{name}.{i}", x))
    else:
        print(line(name, out))
