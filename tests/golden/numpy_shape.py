"""Expected values for tests/numpy_shape.rs: the joining, tiling, padding, take and sorting
functions of rjax::numpy, computed with NumPy (float64, int64: JAX's x64 mode), and with JAX
(x64) where jnp's semantics differ from NumPy's: take's out-of-bounds "fill" mode,
searchsorted's int32 indices, unique's static `size`, argsort's stable descending order.

Run `python3 -P tests/golden/numpy_shape.py > tests/golden/numpy_shape.txt` (`-P`: this file
must not shadow the `numpy` package). Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. The inputs are rebuilt
identically in tests/numpy_shape.rs.
"""
import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

A = np.sin(np.arange(24) * 1.3).reshape(2, 3, 4)
M = np.sin(np.arange(12) * 0.7 + 0.3).reshape(3, 4)
V = np.array([1.5, -2.0, 0.5, 3.0])
W = np.array([7.0, 8.0])
I = np.arange(12, dtype=np.int64).reshape(3, 4) - 5
F = np.cos(np.arange(6) * 0.9).astype(np.float32).reshape(2, 3)
B = M > 0
NANS = np.array([3.0, np.nan, -1.0, 0.0, -0.0, np.inf, -np.inf, 2.0, np.nan, -1.0], np.float32)
DUP = np.array([3, 1, 2, 1, 3, 0, 2, 1], dtype=np.int64)
SORTED = np.array([0.0, 1.0, 1.0, 2.0, 3.5, 7.0])
SORTED_NAN = np.array([-np.inf, 1.0, 2.0, 2.0, np.inf, np.nan, np.nan])
QUERY = np.array([np.nan, 2.0, -np.inf, np.inf, 0.5, 9.0])
ROWS = np.array([[1, 2], [2, 3], [1, 2], [0, 5], [2, 3], [1, 2]], dtype=np.int64)
FLOATS = np.array([2.0, np.nan, 1.0, np.nan, 2.0, -0.5])

CASES = {
    # Joining and splitting.
    "hstack_1d": np.hstack([V, W]),
    "hstack_2d": np.hstack([M, I]),
    "hstack_0d": np.hstack([np.float64(1.0), np.float64(2.0)]),
    "vstack_1d": np.vstack([V, V * 2]),
    "vstack_mixed": np.vstack([M, V]),
    "dstack_2d": np.dstack([M, I]),
    "dstack_1d": np.dstack([V, V]),
    "column_stack_1d": np.column_stack([V, V * 2]),
    "column_stack_mixed": np.column_stack([M.T, V]),
    "atleast_1d": np.atleast_1d(np.float64(2.5)),
    "atleast_2d_0d": np.atleast_2d(np.float64(2.5)),
    "atleast_2d_1d": np.atleast_2d(V),
    "atleast_3d_1d": np.atleast_3d(V),
    "atleast_3d_2d": np.atleast_3d(M),
    "array_split_3_0": np.array_split(A, 3, axis=2)[0],
    "array_split_3_1": np.array_split(A, 3, axis=2)[1],
    "array_split_3_2": np.array_split(A, 3, axis=2)[2],
    "array_split_5_2": np.array_split(M, 5, axis=0)[2],
    "array_split_5_4": np.array_split(M, 5, axis=0)[4],
    "array_split_idx_1": np.array_split(I, [3, 1], axis=-1)[1],
    "array_split_idx_2": np.array_split(I, [3, 1], axis=-1)[2],
    # Tiling, repeating, rolling, rotating.
    "tile_1d": np.tile(V, 2),
    "tile_grow": np.tile(M, (2, 1, 3)),
    "tile_short": np.tile(I, 2),
    "tile_bool": np.tile(B, (1, 2)),
    "tile_0d": np.tile(np.float64(4.0), (2, 2)),
    "tile_f32": np.tile(F, (2, 1)),
    "repeat_flat": np.repeat(M, 2),
    "repeat_each": np.repeat(M, [1, 0, 2], axis=0),
    "repeat_last": np.repeat(A, 3, axis=-1),
    "repeat_int": np.repeat(I, [2, 0, 1, 3], axis=1),
    "repeat_0d": np.repeat(np.float64(1.5), 3),
    "roll_1d": np.roll(V, 1),
    "roll_flat": np.roll(M, -5),
    "roll_axes": np.roll(A, (1, -2), axis=(0, 2)),
    "roll_same_axis": np.roll(A, (2, 1), axis=(1, 1)),
    "roll_int": np.roll(I, 3, axis=-1),
    "roll_f32": np.roll(F, (1, 7), axis=(0, 1)),
    "rot90_1": np.rot90(M),
    "rot90_2": np.rot90(M, 2),
    "rot90_3": np.rot90(M, 3),
    "rot90_neg": np.rot90(M, -1),
    "rot90_axes": np.rot90(A, 1, axes=(2, 1)),
    "flipud": np.flipud(M),
    "fliplr": np.fliplr(A),
    # Padding.
    "pad_constant": np.pad(M, ((1, 2), (0, 3))),
    "pad_constant_values": np.pad(M, ((1, 2), (2, 1)), constant_values=((-1, -2), (-3, -4))),
    "pad_constant_int": np.pad(I, 2, constant_values=7),
    "pad_constant_f32": np.pad(F, (1, 0), constant_values=0.5),
    "pad_empty": np.pad(np.zeros((0, 3)), 1, constant_values=2.0),
    "pad_edge": np.pad(M, (2, 3), mode="edge"),
    "pad_edge_3d": np.pad(A, ((0, 1), (1, 0), (2, 2)), mode="edge"),
    "pad_reflect": np.pad(M, ((2, 3), (3, 1)), mode="reflect"),
    "pad_reflect_long": np.pad(V, (7, 9), mode="reflect"),
    "pad_reflect_odd": np.pad(V, (5, 6), mode="reflect", reflect_type="odd"),
    "pad_reflect_single": np.pad(np.array([5.0]), 3, mode="reflect"),
    "pad_reflect_int": np.pad(I, 1, mode="reflect"),
    "pad_symmetric": np.pad(M, ((4, 1), (2, 5)), mode="symmetric"),
    "pad_symmetric_odd": np.pad(V, (3, 6), mode="symmetric", reflect_type="odd"),
    "pad_wrap": np.pad(M, ((4, 1), (2, 9)), mode="wrap"),
    "pad_wrap_f32": np.pad(F, ((0, 3), (1, 1)), mode="wrap"),
    # Taking.
    "take_axis": np.take(A, [[2, 0], [1, 3]], axis=2),
    "take_flat": np.take(M, [0, 5, -1, 11]),
    "take_fill": jnp.take(M, jnp.array([0, 4, -1, -5, 7]), axis=1),
    "take_fill_int": jnp.take(I, jnp.array([1, 3, -4]), axis=0),
    "take_clip": np.take(M, [-3, 1, 9], axis=1, mode="clip"),
    "take_wrap": np.take(M, [-3, 1, 9], axis=1, mode="wrap"),
    "take_scalar": np.take(M, 2, axis=1),
    "take_empty": np.take(M, np.zeros(0, np.int64), axis=0),
    "take_bool": np.take(B, [3, 0], axis=1),
    "take_along_sort": np.take_along_axis(A, np.argsort(A, axis=1), axis=1),
    "take_along_bcast": np.take_along_axis(M, np.array([[0, 3, 1]]), axis=1),
    "take_along_arr1": np.take_along_axis(M[:1], np.array([[0, 3], [2, 2], [1, 0]]), axis=1),
    "take_along_flat": np.take_along_axis(M, np.array([11, 0, -1, 4]), axis=None),
    "take_along_fill": jnp.take_along_axis(M, jnp.array([[0], [4], [-5]]), axis=1),
    "take_along_clip": jnp.take_along_axis(M, jnp.array([[0], [4], [-5]]), axis=1, mode="clip"),
    # Sorting and searching.
    "sort_axis": np.sort(A, axis=1),
    "sort_flat": np.sort(M, axis=None),
    "sort_int": np.sort(I * np.array([1, -1, 1, -1]), axis=0),
    "sort_desc": np.flip(np.sort(A, axis=-1), axis=-1),
    "sort_nan": np.sort(NANS),
    "argsort_axis": np.argsort(A, axis=0, kind="stable"),
    "argsort_flat": np.argsort(M, axis=None, kind="stable"),
    "argsort_dup": np.argsort(DUP, kind="stable"),
    "argsort_desc": jnp.argsort(DUP, stable=True, descending=True),
    "argsort_nan": np.argsort(NANS, kind="stable"),
    "lexsort": np.lexsort([DUP, DUP % 2]),
    "lexsort_2d": np.lexsort([I % 3, I % 2], axis=0),
    "searchsorted_left": jnp.searchsorted(SORTED, M * 5, side="left"),
    "searchsorted_right": jnp.searchsorted(SORTED, M * 5, side="right"),
    "searchsorted_ties_l": jnp.searchsorted(SORTED, jnp.array([1.0, 0.0, 7.0, 2.0]), side="left"),
    "searchsorted_ties_r": jnp.searchsorted(SORTED, jnp.array([1.0, 0.0, 7.0, 2.0]), side="right"),
    "searchsorted_nan_l": jnp.searchsorted(SORTED_NAN, QUERY, side="left"),
    "searchsorted_nan_r": jnp.searchsorted(SORTED_NAN, QUERY, side="right"),
    "searchsorted_int": jnp.searchsorted(jnp.array([1, 3, 3, 5]), jnp.array([[0, 3], [6, 5]])),
    "searchsorted_scalar": jnp.searchsorted(SORTED, 1.5),
}

UNIQUE = {
    "unique_int": (DUP, {}),
    "unique_float": (FLOATS, {}),
    "unique_2d": (I % 4, {}),
    "unique_rows": (ROWS, {"axis": 0}),
    "unique_cols": (ROWS.T, {"axis": -1}),
    "unique_size": (DUP, {"size": 6, "fill_value": -1}),
    "unique_size_nofill": (DUP, {"size": 6}),
    "unique_size_short": (DUP, {"size": 2}),
}
for name, (x, kwargs) in UNIQUE.items():
    outputs = jnp.unique(x, return_index=True, return_inverse=True, return_counts=True, **kwargs)
    for part, value in zip(["values", "index", "inverse", "counts"], outputs):
        CASES[f"{name}_{part}"] = value


def dtype_name(a):
    return {"float64": "float64", "float32": "float32", "int64": "int64", "int32": "int32",
            "bool": "bool"}[str(a.dtype)]


print(f"# numpy {np.__version__}")
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
