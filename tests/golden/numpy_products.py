"""Expected values for tests/numpy_products.rs: einsum, tensordot, kron, cross and matmul,
computed with NumPy (float64, int64: JAX's x64 mode; float32 where a case says so).

Run `python3 -P tests/golden/numpy_products.py > tests/golden/numpy_products.txt` (`-P`: this
file must not shadow the `numpy` package). The first line is `# numpy <version>`; each other
line is `<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. The inputs are
rebuilt identically in tests/numpy_products.rs (`wave(shape, scale, phase)` is
`sin(k * scale + phase)` over the row-major index `k`).
"""
import warnings

import numpy as np


def wave(shape, scale, phase):
    return np.sin(np.arange(int(np.prod(shape))) * scale + phase).reshape(shape)


M = wave((3, 4), 0.7, 0.3)
N = wave((4, 5), 0.9, 1.0)
P = wave((5, 2), 0.4, -0.5)
R = wave((2, 3), 1.7, 0.2)
S = wave((3, 3), 0.4, 1.0)
V = wave((4,), 1.1, 0.0)
W = wave((3,), 0.6, 2.0)
A = wave((2, 3, 4), 1.3, 0.0)
B = wave((2, 4, 5), 0.5, 0.7)
T = wave((2, 3, 3), 0.8, 0.1)
C = wave((3, 3, 3), 0.35, -1.0)
D = wave((3, 3, 4), 0.55, 0.4)
X = wave((2, 1, 3, 4), 0.45, 0.9)
Y = wave((5, 4, 2), 0.65, -0.2)
COL = wave((3, 1), 1.2, 0.5)
G = wave((4, 3, 2), 0.75, 0.6)
H = wave((3, 4, 5), 0.25, -0.3)
U = wave((4, 3), 0.95, 1.4)
UT = wave((3, 4), 0.85, -0.7)
U2 = wave((4, 2), 1.05, 0.3)
I = np.arange(12, dtype=np.int64).reshape(3, 4) - 5
J = (np.arange(20, dtype=np.int64) % 7 - 3).reshape(4, 5)
K = (np.arange(9, dtype=np.int64) * 3 % 7 - 2).reshape(3, 3)
F = {name: value.astype(np.float32) for name, value in dict(A=A, B=B, M=M, N=N, P=P, R=R).items()}

EINSUM = {
    "matmul": ("ij,jk->ik", M, N),
    "matmul_implicit": ("ij,jk", M, N),
    "matmul_swapped": ("ij,jk->ki", M, N),
    "batched": ("bij,bjk->bik", A, B),
    "outer": ("i,j->ij", V, W),
    "trace": ("ii", S),
    "diag": ("ii->i", S),
    "sum": ("ij->", M),
    "transpose": ("ij->ji", M),
    "implicit_transpose": ("ji", M),
    "row_sum": ("ij->i", M),
    "dot": ("i,i", V, V),
    "matvec": ("ij,j->i", M, V),
    "batched_trace": ("bii->b", T),
    "batched_diag": ("bii->bi", T),
    "triple_diag": ("iii->i", C),
    "diag_then_contract": ("iij,jk->ik", D, N),
    "ellipsis_both": ("...ij,...jk->...ik", X, Y),
    "ellipsis_left": ("...i,i->...", A, V),
    "ellipsis_implicit": ("...ij,jk", A, N),
    "ellipsis_middle": ("i...j->j...i", A),
    "ellipsis_sum": ("i...->...", A),
    "three": ("ij,jk,kl->il", M, N, P),
    "four": ("ij,jk,kl,lm->im", M, N, P, R),
    "shared_by_three": ("ij,ik,il->jkl", M, M, S),
    "hadamard_three": ("ij,ij,ij->ij", M, M, M),
    "hadamard": ("ij,ij->ij", M, M),
    "outer_three": ("i,j,k->ijk", V, W, V),
    "sum_unique": ("ij,kl->jk", M, N),
    "size_one_broadcast": ("ij,jk->ik", COL, wave((1, 5), 0.3, 0.0)),
    "scalar": (",i->i", np.float64(2.5), V),
    "uppercase": ("Ab,bC->CA", M, N),
    "spaces": (" ij , jk -> ik ", M, N),
    "int_matmul": ("ij,jk->ik", I, J),
    "int_trace": ("ii", K),
    "int_three": ("ij,jk,kl->li", K, I, J),
    "mixed": ("ij,jk->ik", I, N),
    "bool": ("ij,jk->ik", M > 0, N > 0),
    "f32_batched": ("bij,bjk->bik", F["A"], F["B"]),
    "f32_four": ("ij,jk,kl,lm->im", F["M"], F["N"], F["P"], F["R"]),
}

CASES = {f"einsum_{name}": np.einsum(spec, *ops) for name, (spec, *ops) in EINSUM.items()}
CASES.update({
    "einsum_preferred": np.einsum("ij,jk->ik", I, J, dtype=np.float64, casting="unsafe"),
    "tensordot_count": np.tensordot(A, H, 2),
    "tensordot_pairs": np.tensordot(A, G, axes=([1, 0], [1, 2])),
    "tensordot_zero": np.tensordot(V, W, 0),
    "tensordot_one": np.tensordot(M, N, 1),
    "tensordot_pair": np.tensordot(A, N, axes=(-1, 0)),
    "tensordot_int": np.tensordot(I, J, 1),
    "kron": np.kron(R, M),
    "kron_vec": np.kron(V, W),
    "kron_ranks": np.kron(W, M),
    "kron_3d": np.kron(T, R),
    "kron_int": np.kron(K, I),
    "cross": np.cross(W, wave((3,), 0.9, -0.4)),
    "cross_batch": np.cross(U, W),
    "cross_axes": np.cross(UT, U, axisa=0, axisb=1, axisc=0),
    "cross_axis": np.cross(UT, wave((3, 4), 0.15, 0.2), axis=0),
    "cross_int": np.cross(K, K[::-1]),
    "matmul_vec_batched": V @ B,
    "matmul_batched_vec": A @ V,
    "matmul_bcast": X @ Y,
    "matmul_int": I @ J,
})
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # NumPy 2 deprecates 2-vector cross
    CASES["cross_23"] = np.cross(wave((2,), 0.9, -0.4), W)
    CASES["cross_2"] = np.cross(wave((2,), 0.9, -0.4), wave((2,), 1.9, 0.4))
    CASES["cross_2_batch"] = np.cross(U2, U2[::-1])


def dtype_name(a):
    return {"float64": "float64", "float32": "float32", "int64": "int64", "bool": "bool"}[str(a.dtype)]


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
