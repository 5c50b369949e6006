# jax 0.10.2
"""Expected values for tests/numpy_indexing.rs, computed with JAX in x64 mode.

Run `python3 -P tests/golden/numpy_indexing.py > tests/golden/numpy_indexing.txt` with JAX
0.10.2 installed (`-P`: this file must not shadow the `numpy` package). Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. The inputs are rebuilt
identically in tests/numpy_indexing.rs; `idx_*` cases are `x[idx]`, `at_*` cases
`x.at[idx].<update>(...)`, `vmap_*` cases batched versions of both.
"""
import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

X = jnp.asarray(np.arange(24.0).reshape(2, 3, 4) * 0.5 - 3.0)
V = jnp.asarray(np.arange(10.0) * 1.25 - 3.0)
I = jnp.asarray(np.arange(12, dtype=np.int64).reshape(3, 4) - 5)
MASK = jnp.asarray(np.arange(12).reshape(3, 4) % 3 == 0)
ROWS = jnp.asarray(np.array([[2, 0, 2], [1, 1, -1]], dtype=np.int64))
N = None

CASES = {
    # Basic indexing: integers, slices, NewAxis, ellipsis.
    "idx_int": X[1],
    "idx_int_neg": X[-2],
    "idx_int_int": X[1, -2],
    "idx_scalar": X[0, 1, 2],
    "idx_slice": V[2:7],
    "idx_slice_step": V[1:9:3],
    "idx_reverse": V[::-1],
    "idx_neg_step": V[8:1:-3],
    "idx_neg_start": V[-3:],
    "idx_wide_bounds": V[-20:50],
    "idx_empty_slice": V[5:2],
    "idx_empty_neg_step": V[2:5:-1],
    "idx_inclusive": V[2:5],
    "idx_mixed": X[:, 1:3, ::-2],
    "idx_newaxis": X[N, 0, :, N],
    "idx_ellipsis": X[..., 1],
    "idx_ellipsis_mid": X[1, ..., ::2],
    "idx_ellipsis_newaxis": X[..., N],
    # Advanced indexing with integer arrays.
    "idx_fancy": V[jnp.array([1, 3, -1, 3])],
    "idx_fancy_2d": V[jnp.array([[0, 1], [2, 3]])],
    "idx_fancy_axis1": X[:, jnp.array([2, 0])],
    "idx_fancy_pair": X[:, jnp.array([0, 2]), jnp.array([1, 3])],
    "idx_fancy_broadcast": X[jnp.array([[0], [1]]), :, jnp.array([0, 3, 1])],
    "idx_fancy_separated": X[jnp.array([0, 1]), :, jnp.array([1, 2])],
    "idx_fancy_int_adjacent": X[0, jnp.array([[0], [2]]), jnp.array([1, 3])],
    "idx_fancy_int_separated": X[1, :, jnp.array([0, 2])],
    "idx_fancy_separated_later": X[:, jnp.array([0, 2]), N, jnp.array([1, 3])],
    "idx_fancy_int_separated_later": X[:, 1, N, jnp.array([0, 3])],
    "idx_fancy_newaxis": X[N, jnp.array([1, 0]), 1:],
    "idx_fancy_neg_step": X[jnp.array([1, 0]), ::-1, 1],
    "idx_fancy_strided": X[:, ::2, jnp.array([3, 0])],
    "idx_fancy_clamped": V[jnp.array([12, -20])],
    "idx_fancy_empty": V[jnp.array([], dtype=jnp.int64)],
    "idx_fancy_int_dtype": I[jnp.array([2, 0]), 1:3],
    "idx_scalar_array": X[jnp.array(1)],
    "idx_scalar_array_slice": X[jnp.array(-1), 1:, 2],
    # Boolean masks.
    "idx_mask": V[V > 4.5],
    "idx_mask_2d": X[0][MASK],
    "idx_mask_axis1": X[:, jnp.array([True, False, True])],
    "idx_mask_int": X[1, jnp.array([True, False, True])],
    "idx_mask_none": V[jnp.zeros(10, dtype=bool)],
    "idx_mask_3d": X[X > 5.0],
    # at[].get with modes.
    "get_default": X.at[1, ::-1].get(),
    "get_fill": V.at[jnp.array([1, 12])].get(mode="fill"),
    "get_fill_value": V.at[jnp.array([1, 12, -11])].get(mode="fill", fill_value=-1.0),
    "get_clip": V.at[12].get(mode="clip"),
    # Functional updates.
    "at_set_int": V.at[3].set(-1.0),
    "at_set_column": X.at[:, 1].set(7.0),
    "at_set_broadcast": X.at[:, :, 0].set(jnp.array([1.0, 2.0, 3.0])),
    "at_set_reverse": V.at[::-2].set(jnp.arange(5.0)),
    "at_set_fancy": V.at[jnp.array([0, 2, 4])].set(jnp.array([10.0, 20.0, 30.0])),
    "at_set_mask": V.at[V > 6.0].set(0.0),
    "at_set_newaxis": X.at[N, 0].set(jnp.arange(12.0).reshape(1, 3, 4)),
    "at_set_int_dtype": I.at[1].set(2.7),
    "at_set_oob_int": V.at[12].set(5.0),
    "at_add_repeated": V.at[jnp.array([1, 1, 3, 1])].add(1.0),
    "at_add_separated": X.at[jnp.array([0, 1]), :, jnp.array([1, 2])].add(jnp.ones((2, 3))),
    "at_add_oob": V.at[jnp.array([2, 10, -11])].add(100.0),
    "at_add_ellipsis": X.at[..., -1].add(100.0),
    "at_subtract": V.at[jnp.array([0, 0])].subtract(1.0),
    "at_multiply": X.at[1, 1:].multiply(2.0),
    "at_mul_repeated": V.at[jnp.array([2, 2])].multiply(3.0),
    "at_divide": V.at[1:4].divide(4.0),
    "at_divide_int": I.at[0].divide(2),
    "at_power": V.at[jnp.array([1, 2])].power(2.0),
    "at_min": V.at[jnp.array([3, 3, 5])].min(jnp.array([1.0, -2.0, 7.0])),
    "at_max": X.at[0, :, jnp.array([1, 2])].max(5.0),
    "at_clip": V.at[jnp.array([12, -20])].set(9.0, mode="clip"),
    # Batched: vmap over x, over the indices, and over both.
    "vmap_x_slice": jax.vmap(lambda x: x[1:3, ::-1])(X),
    "vmap_x_fancy": jax.vmap(lambda x: x[jnp.array([2, 0]), 1])(X),
    "vmap_rows": jax.vmap(lambda i: V[i])(ROWS),
    "vmap_both": jax.vmap(lambda x, i: x[i, :2])(X[:, :, :], ROWS[:, :2]),
    "vmap_scalar": jax.vmap(lambda x, i: x[i])(X, jnp.array([2, -1])),
    "vmap_at_add": jax.vmap(lambda x, i: x.at[i].add(1.0))(X[:, 0], ROWS),
    "vmap_at_set": jax.vmap(lambda x, u: x.at[:, 1].set(u))(X, jnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
}


def dtype_name(a):
    return {"float64": "float64", "int64": "int64", "int32": "int32", "bool": "bool"}[str(a.dtype)]


print(f"# jax {jax.__version__}")
for name, value in CASES.items():
    a = np.asarray(value)
    if a.dtype == np.bool_:
        values = ["1" if v else "0" for v in a.ravel()]
    elif a.dtype.kind == "f":
        values = [repr(float(v)) for v in a.ravel()]
    else:
        values = [str(int(v)) for v in a.ravel()]
    dims = ",".join(str(d) for d in a.shape)
    print(f"{name}|{dtype_name(a)}|{dims}|{','.join(values)}")
