"""Expected values for tests/numpy_linalg/, computed with NumPy's LAPACK-backed linalg
(float64, int64: JAX's x64 mode).

Run `python3 -P tests/golden/numpy_linalg.py > tests/golden/numpy_linalg.txt` (`-P`: this file
must not shadow the `numpy` package). Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. The inputs are rebuilt
identically in tests/numpy_linalg/. Decompositions that are unique only up to signs are
recorded through sign-invariant quantities: singular values and eigenvalues themselves,
elementwise magnitudes of singular vectors, eigenvectors and QR factors (each unique up to the
sign of a column or row when the values are distinct), and the projection Q·Qᵀ.
"""
import numpy as np

TALL = np.sin(np.arange(12) ** 2 * 0.37 + 0.2).reshape(4, 3)
WIDE = np.cos(np.arange(12) ** 2 * 0.23 + 0.1).reshape(3, 4)
SQUARE = np.sin(np.arange(16) ** 2 * 0.31).reshape(4, 4) + 2 * np.eye(4)
SPD = SQUARE @ SQUARE.T + np.eye(4)
LARGER = np.sin(np.arange(20 * 12) ** 2 * 0.013 + 0.5).reshape(20, 12)
BATCH = np.sin(np.arange(18) ** 2 * 0.29).reshape(2, 3, 3) + 2 * np.eye(3)
VEC = np.array([1.5, -2.0, 0.0, 3.0, -0.5])
VEC_NONZERO = np.array([1.5, -2.0, 3.0, -0.5])
RHS = np.cos(np.arange(4) * 1.1)
RHS_MAT = np.cos(np.arange(8) * 0.6).reshape(4, 2)
RHS3 = np.array([0.5, -1.0, 2.0])
# Rank 2, 4x3.
DEFICIENT = TALL[:, :2] @ np.array([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0]])
# A zero leading pivot: only row exchanges factor it.
PIVOTING = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
INF = np.inf


def svd_parts(a, full_matrices=False):
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return s, np.abs(u), np.abs(vh)


def qr_parts(a, mode):
    q, r = np.linalg.qr(a, mode=mode)
    return np.abs(r), q @ q.T


CASES = {}
for name, ord_ in [("1", 1), ("2", 2), ("inf", INF), ("neginf", -INF), ("0", 0), ("3", 3),
                   ("neg1", -1), ("neg2", -2), ("half", 0.5)]:
    CASES[f"norm_vec_{name}"] = np.linalg.norm(VEC_NONZERO if ord_ in (-1, -2) else VEC, ord_)
for name, ord_ in [("fro", "fro"), ("nuc", "nuc"), ("1", 1), ("neg1", -1), ("2", 2),
                   ("neg2", -2), ("inf", INF), ("neginf", -INF)]:
    CASES[f"norm_mat_{name}"] = np.linalg.norm(TALL, ord_)
CASES["norm_batch_2"] = np.linalg.norm(BATCH, 2, axis=(1, 2))
CASES["norm_batch_nuc_swapped"] = np.linalg.norm(BATCH, "nuc", axis=(2, 1))
CASES["norm_batch_neg2_keep"] = np.linalg.norm(BATCH, -2, axis=(0, 2), keepdims=True)
CASES["norm_batch_1_keep"] = np.linalg.norm(BATCH, 1, axis=(2, 0), keepdims=True)
CASES["norm_axis_3_keep"] = np.linalg.norm(BATCH, 3, axis=1, keepdims=True)

CASES["cholesky"] = np.linalg.cholesky(SPD)
CASES["cholesky_batch"] = np.linalg.cholesky(BATCH @ np.swapaxes(BATCH, 1, 2) + np.eye(3))
CASES["cholesky_upper"] = np.linalg.cholesky(SPD).T
CASES["qr_tall_r_abs"], CASES["qr_tall_proj"] = qr_parts(TALL, "reduced")
CASES["qr_complete_r_abs"], _ = qr_parts(TALL, "complete")
CASES["qr_wide_r_abs"], CASES["qr_wide_proj"] = qr_parts(WIDE, "reduced")
CASES["qr_r_only_abs"] = np.abs(np.linalg.qr(TALL, mode="r"))
w, v = np.linalg.eigh(SPD)
CASES["eigh_w"], CASES["eigh_v_abs"] = w, np.abs(v)
CASES["eigvalsh_batch"] = np.linalg.eigvalsh(BATCH + np.swapaxes(BATCH, 1, 2))
CASES["eigh_upper_w"] = np.linalg.eigh(SQUARE, UPLO="U")[0]
CASES["eigh_lower_w"] = np.linalg.eigh(SQUARE, UPLO="L")[0]

for name, a in [("tall", TALL), ("wide", WIDE), ("square", SQUARE), ("batch", BATCH)]:
    s, u, vh = svd_parts(a)
    CASES[f"svd_{name}_s"], CASES[f"svd_{name}_u_abs"], CASES[f"svd_{name}_vh_abs"] = s, u, vh
_, CASES["svd_tall_full_u_abs"], _ = svd_parts(TALL, full_matrices=True)
_, _, CASES["svd_wide_full_vh_abs"] = svd_parts(WIDE, full_matrices=True)
CASES["svd_larger_s"] = np.linalg.svd(LARGER, compute_uv=False)
CASES["svd_deficient_s"] = np.linalg.svd(DEFICIENT, compute_uv=False)

CASES["solve_vec"] = np.linalg.solve(SQUARE, RHS)
CASES["solve_mat"] = np.linalg.solve(SQUARE, RHS_MAT)
CASES["solve_batch_vec"] = np.linalg.solve(BATCH, RHS3)
CASES["solve_batch_mat"] = np.linalg.solve(BATCH, BATCH[::-1])
CASES["solve_pivoting"] = np.linalg.solve(PIVOTING, RHS3)
CASES["det_pivoting"] = np.linalg.det(PIVOTING)
CASES["inv"] = np.linalg.inv(SQUARE)
CASES["inv_batch"] = np.linalg.inv(BATCH)
CASES["det"] = np.linalg.det(SQUARE)
CASES["det_batch"] = np.linalg.det(BATCH)
CASES["det_singular"] = np.linalg.det(SINGULAR)
sign, logdet = np.linalg.slogdet(BATCH - 2.5 * np.eye(3))
CASES["slogdet_sign"], CASES["slogdet_log"] = sign, logdet
sign, logdet = np.linalg.slogdet(SINGULAR)
CASES["slogdet_singular_sign"], CASES["slogdet_singular_log"] = sign, logdet

CASES["pinv_tall"] = np.linalg.pinv(TALL)
CASES["pinv_wide"] = np.linalg.pinv(WIDE)
CASES["pinv_deficient"] = np.linalg.pinv(DEFICIENT)
x, resid, rank, s = np.linalg.lstsq(TALL, RHS, rcond=None)
CASES["lstsq_x"], CASES["lstsq_resid"], CASES["lstsq_rank"], CASES["lstsq_s"] = (
    x, resid, np.int64(rank), s)
x, resid, rank, s = np.linalg.lstsq(TALL, RHS_MAT, rcond=None)
CASES["lstsq_mat_x"], CASES["lstsq_mat_resid"] = x, resid
x, _, rank, _ = np.linalg.lstsq(DEFICIENT, RHS, rcond=None)
CASES["lstsq_deficient_x"], CASES["lstsq_deficient_rank"] = x, np.int64(rank)
CASES["matrix_rank_deficient"] = np.linalg.matrix_rank(DEFICIENT)
CASES["matrix_rank_batch"] = np.linalg.matrix_rank(np.stack([SINGULAR, BATCH[0]]))
CASES["matrix_rank_tol"] = np.linalg.matrix_rank(TALL, tol=0.5)
CASES["matrix_power_3"] = np.linalg.matrix_power(SQUARE, 3)
CASES["matrix_power_neg2"] = np.linalg.matrix_power(SQUARE, -2)
CASES["matrix_power_0"] = np.linalg.matrix_power(BATCH, 0)
CASES["matrix_power_batch_5"] = np.linalg.matrix_power(BATCH, 5)
CASES["cond"] = np.linalg.cond(SQUARE)
CASES["cond_wide"] = np.linalg.cond(WIDE)
CASES["cond_neg2"] = np.linalg.cond(SQUARE, -2)
CASES["cond_1"] = np.linalg.cond(BATCH, 1)
CASES["cond_fro"] = np.linalg.cond(SQUARE, "fro")
CASES["cond_singular_inf"] = np.linalg.cond(SINGULAR, INF)



def symmetric(n):
    a = np.sin(np.arange(n * n) ** 2 * 0.011 + 0.3).reshape(n, n)
    return (a + a.T) / 2


def general(m, n):
    return np.cos(np.arange(m * n) ** 2 * 0.017 + 0.4).reshape(m, n)


# The eigenvalue-only and singular-value-only paths (tridiagonal/bidiagonal + bisection).
for n in [1, 2, 3, 17, 64, 200]:
    CASES[f"eigvalsh_sym{n}"] = np.linalg.eigvalsh(symmetric(n))
# Every eigenvalue of a 4x4 block four times.
CASES["eigvalsh_cluster"] = np.linalg.eigvalsh(np.kron(np.eye(4), symmetric(4)))
for m, n in [(1, 1), (2, 2), (3, 3), (17, 17), (64, 40), (30, 64), (200, 200)]:
    CASES[f"svd_values_{m}x{n}"] = np.linalg.svd(general(m, n), compute_uv=False)
# Rank 11 of 12: the last column is the sum of the others (one zero singular value).
CASES["svd_values_zero"] = np.linalg.svd(
    general(17, 11) @ np.hstack([np.eye(11), np.ones((11, 1))]), compute_uv=False
)


def dtype_name(a):
    return {"float64": "float64", "int64": "int64"}[str(a.dtype)]


print(f"# numpy {np.__version__}")
for name, value in CASES.items():
    a = np.asarray(value)
    if a.dtype.kind == "f":
        values = [repr(float(v)) for v in a.ravel()]
    else:
        values = [str(int(v)) for v in a.ravel()]
    dims = ",".join(str(d) for d in a.shape)
    print(f"{name}|{dtype_name(a)}|{dims}|{','.join(values)}")
