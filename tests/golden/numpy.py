"""Expected values for tests/numpy.rs, computed with NumPy (float64, int64: JAX's x64 mode).

Run `python3 -P tests/golden/numpy.py > tests/golden/numpy.txt` (`-P`: this file must not
shadow the `numpy` package). Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. The inputs are rebuilt
identically in tests/numpy.rs.
"""
import numpy as np

A = np.sin(np.arange(24) * 1.3).reshape(2, 3, 4)
M = np.sin(np.arange(12) * 0.7 + 0.3).reshape(3, 4)
B = np.cos(np.arange(20) * 0.9).reshape(4, 5)
S = np.sin(np.arange(9) * 0.4 + 1.0).reshape(3, 3)
V = np.array([1.5, -2.0, 0.5, 3.0])
I = np.arange(12, dtype=np.int64).reshape(3, 4) - 5
BATCH = np.cos(np.arange(2 * 4 * 3) * 0.5).reshape(2, 4, 3)


def logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


CASES = {
    "zeros": np.zeros((2, 3)),
    "ones_i": np.ones((2,), dtype=np.int64),
    "full": np.full((2, 2), 7.5),
    "full_like": np.full_like(I, 3),
    "arange_int": np.arange(2, 11, 3),
    "arange_float": np.arange(0.5, 2.0, 0.25),
    "arange_neg": np.arange(5, -3, -2),
    "linspace": np.linspace(0.0, 1.0, 5),
    "linspace_noend": np.linspace(-1.0, 2.0, 4, endpoint=False),
    "eye": np.eye(3, 4, k=1),
    "eye_neg": np.eye(3, k=-1),
    "identity_i": np.identity(3, dtype=np.int64),
    "sum_all": np.sum(A),
    "sum_ax": np.sum(A, axis=(0, -1)),
    "sum_keep": np.sum(A, axis=1, keepdims=True),
    "sum_int": np.sum(I, axis=0),
    "prod": np.prod(M, axis=1),
    "mean": np.mean(A, axis=-1),
    "mean_int": np.mean(I),
    "var": np.var(A, axis=(0, 2)),
    "var_ddof": np.var(M, axis=1, ddof=1),
    "std": np.std(A),
    "std_keep": np.std(M, axis=0, keepdims=True, ddof=1),
    "max": np.max(A, axis=2),
    "min_keep": np.min(A, axis=0, keepdims=True),
    "argmax": np.argmax(A, axis=1),
    "argmax_flat": np.argmax(A),
    "argmin_keep": np.argmin(M, axis=-1, keepdims=True),
    "all": np.all(I, axis=1),
    "any": np.any(I > 5, axis=0),
    "matmul": M @ B,
    "matmul_batched": A @ BATCH,
    "matmul_vec_mat": V @ B,
    "matmul_mat_vec": M @ V,
    "matmul_vec_vec": V @ V,
    "matmul_bcast": BATCH[0] @ np.ones((2, 1, 3, 2)),
    "dot": np.dot(A, B),
    "dot_vec": np.dot(M, V),
    "vdot": np.vdot(M, M),
    "inner": np.inner(A, M),
    "outer": np.outer(V, V[:3]),
    "trace": np.trace(M),
    "trace_off": np.trace(A, offset=1, axis1=1, axis2=2),
    "reshape": np.reshape(A, (4, -1)),
    "ravel": np.ravel(M),
    "transpose": np.transpose(A),
    "transpose_axes": np.transpose(A, (1, 0, 2)),
    "swapaxes": np.swapaxes(A, 0, -1),
    "moveaxis": np.moveaxis(A, 0, -1),
    "moveaxis2": np.moveaxis(A, [0, 1], [-1, 0]),
    "squeeze": np.squeeze(np.sum(A, axis=1, keepdims=True)),
    "expand_dims": np.expand_dims(M, (0, -1)),
    "broadcast_to": np.broadcast_to(V, (2, 3, 4)),
    "broadcast_to_col": np.broadcast_to(M[:, :1], (2, 3, 4)),
    "concatenate": np.concatenate([M, I], axis=0),
    "concatenate_neg": np.concatenate([M, M], axis=-1),
    "stack": np.stack([M, M * 2], axis=1),
    "split_0": np.split(A, [1, 3], axis=2)[0],
    "split_1": np.split(A, [1, 3], axis=2)[1],
    "split_2": np.split(A, [1, 3], axis=2)[2],
    "split_eq": np.split(M, 3, axis=0)[1],
    "flip": np.flip(A, axis=(0, 2)),
    "flip_all": np.flip(M),
    "where": np.where(M > 0, M, 0.0),
    "where_bcast": np.where(V > 0, M, -1.0),
    "clip": np.clip(A, -0.5, 0.25),
    "clip_int": np.clip(I, None, 2),
    "norm": np.linalg.norm(V),
    "norm_1": np.linalg.norm(V, 1),
    "norm_inf": np.linalg.norm(V, np.inf),
    "norm_fro": np.linalg.norm(M),
    "norm_mat_1": np.linalg.norm(M, 1),
    "norm_mat_inf": np.linalg.norm(M, np.inf),
    "norm_axis": np.linalg.norm(A, axis=-1),
    "norm_axes": np.linalg.norm(A, axis=(1, 2)),
    "logsumexp": logsumexp(A),
    "logsumexp_ax": logsumexp(A * 100, axis=1),
    "logsumexp_keep": logsumexp(M, axis=-1, keepdims=True),
    "softmax": softmax(M),
    "softmax_ax": softmax(A * 50, axis=0),
}


def dtype_name(a):
    return {"float64": "float64", "int64": "int64", "bool": "bool"}[str(a.dtype)]


print(f"# numpy {np.__version__}")
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
