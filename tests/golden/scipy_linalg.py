"""Expected values for tests/scipy_linalg.rs: jax.scipy.linalg's solve_triangular, cho_factor,
cho_solve, lu, block_diag, expm and expm_frechet, and gradients through them, computed by JAX
0.10.2 in x64 mode on the CPU, with the values checked against SciPy's (to 1e-12; `expm` to
1e-12 relative to the largest element, since SciPy chooses its squarings and approximants
slightly differently; gradients of `expm` against SciPy's `expm_frechet` of the transpose,
to 1e-10).

`expm` cases: MX scaled so that its 1-norm selects each Padé degree (3, 5, 7, 9 and 13 in
float64; 3, 5 and 7 in float32, compared to 1e-5 there, as the squarings multiply the float32
rounding of the XLA builds), then squarings (KX, skew-symmetric, 30 in 1-norm: 2 squarings),
too many squarings for `max_squarings=1` (NaNs), `upper_triangular`, a batch and integers.

Run `python3 -P tests/golden/scipy_linalg.py > tests/golden/scipy_linalg.txt`. Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. The inputs are rebuilt
identically in tests/scipy_linalg.rs, which compares to 1e-12 relative to 1 + |expected|.
"""
import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg as sl  # noqa: E402

T = np.array([[2.0, 0.5, -1.0], [0.3, 3.0, 0.7], [-0.4, 1.1, 1.5]])
B = np.array([[1.0, -2.0], [0.5, 0.0], [2.0, 1.0]])
V = np.array([1.0, -2.0, 0.5])
S = T @ T.T + np.eye(3)  # symmetric positive definite
A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5], [7.0, 8.0, 9.5]])
WEIGHTS = np.cos(np.arange(6.0)).reshape(3, 2)

REFERENCE = {}
out = {}
for trans in (0, 1, 2):
    for lower in (False, True):
        for unit in (False, True):
            name = f"solve_triangular_t{trans}_l{int(lower)}_u{int(unit)}"
            out[name] = jsl.solve_triangular(T, B, trans=trans, lower=lower, unit_diagonal=unit)
            REFERENCE[name] = sl.solve_triangular(T, B, trans=trans, lower=lower, unit_diagonal=unit)
out["solve_triangular_vector"] = jsl.solve_triangular(T, V, lower=True)
REFERENCE["solve_triangular_vector"] = sl.solve_triangular(T, V, lower=True)
for lower in (False, True):
    c, _ = jsl.cho_factor(S, lower=lower)
    name = f"cho_factor_l{int(lower)}"
    # SciPy leaves the other triangle as it was; JAX zeroes it.
    out[name] = c
    REFERENCE[name] = np.tril(sl.cho_factor(S, lower=True)[0]) if lower else np.triu(
        sl.cho_factor(S, lower=False)[0])
    out[f"cho_solve_l{int(lower)}"] = jsl.cho_solve((c, lower), B)
    REFERENCE[f"cho_solve_l{int(lower)}"] = sl.cho_solve(sl.cho_factor(S, lower=lower), B)
out["cho_solve_vector"] = jsl.cho_solve(jsl.cho_factor(S), V)
REFERENCE["cho_solve_vector"] = np.linalg.solve(S, V)
p, l, u = jsl.lu(A)
out["lu_p"], out["lu_l"], out["lu_u"] = p, l, u
REFERENCE["lu_p"], REFERENCE["lu_l"], REFERENCE["lu_u"] = sl.lu(A)
out["lu_permute_l"] = jsl.lu(A, permute_l=True)[0]
REFERENCE["lu_permute_l"] = sl.lu(A, permute_l=True)[0]
blocks = (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array(5.0), np.array([6.0, 7.0, 8.0]))
out["block_diag"] = jsl.block_diag(*blocks)
REFERENCE["block_diag"] = sl.block_diag(*blocks)
out["block_diag_int"] = jsl.block_diag(np.array([[1, 2]]), np.array([[3], [4]]))
REFERENCE["block_diag_int"] = sl.block_diag(np.array([[1, 2]]), np.array([[3], [4]]))

# Gradients (of a weighted sum of the solution).
out["d_solve_triangular_a"] = jax.grad(
    lambda t: (jsl.solve_triangular(t, B, trans=1, lower=True) * WEIGHTS).sum())(T)
out["d_solve_triangular_b"] = jax.grad(
    lambda b: (jsl.solve_triangular(T, b, lower=False) * WEIGHTS).sum())(B)
out["d_cho_solve_s"] = jax.grad(
    lambda s: (jsl.cho_solve(jsl.cho_factor(s, lower=True), B) * WEIGHTS).sum())(S)
out["d_cho_factor_upper"] = jax.grad(lambda s: (jsl.cho_factor(s)[0] * T).sum())(S)
out["d_lu_u"] = jax.grad(lambda a: (jsl.lu(a)[2] * T).sum())(A)

# expm: MX has 1-norm 1; each scale selects a Padé degree (float64 bounds 0.015, 0.25,
# 0.95, 2.1, then 5.37 before squarings).
MX = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3], [-0.6, 0.2, 0.1]])
KX = np.array([[0.0, 1.0, -2.0], [-1.0, 0.0, 0.5], [2.0, -0.5, 0.0]]) * 10.0
UX = np.triu(np.array([[0.5, 1.0, -2.0], [0.0, -0.3, 0.7], [0.0, 0.0, 1.2]]))
EXPM_SCALES = {"3": 0.01, "5": 0.1, "7": 0.5, "9": 1.5, "13": 4.0, "squared": 40.0}
EXPM_F32_SCALES = {"3": 0.1, "5": 1.0, "7": 3.0, "squared": 40.0}
for label, scale in EXPM_SCALES.items():
    out[f"expm_{label}"] = jsl.expm(MX * scale)
    REFERENCE[f"expm_{label}"] = sl.expm(MX * scale)
    out[f"d_expm_{label}"] = jax.grad(lambda a: (jsl.expm(a) * T).sum())(MX * scale)
    REFERENCE[f"d_expm_{label}"] = sl.expm_frechet((MX * scale).T, T, compute_expm=False)
for label, scale in EXPM_F32_SCALES.items():
    out[f"expm_f32_{label}"] = jsl.expm((MX * scale).astype(np.float32))
out["expm_skew"] = jsl.expm(KX)
REFERENCE["expm_skew"] = sl.expm(KX)
out["d_expm_skew"] = jax.grad(lambda a: (jsl.expm(a) * T).sum())(KX)
REFERENCE["d_expm_skew"] = sl.expm_frechet(KX.T, T, compute_expm=False)
out["expm_too_many_squarings"] = jsl.expm(KX, max_squarings=1)
out["expm_upper"] = jsl.expm(UX, upper_triangular=True)
REFERENCE["expm_upper"] = sl.expm(UX)
out["expm_batch"] = jsl.expm(np.stack([MX * 0.1, MX * 40.0, KX]).reshape(3, 1, 3, 3))
REFERENCE["expm_batch"] = sl.expm(np.stack([MX * 0.1, MX * 40.0, KX])).reshape(3, 1, 3, 3)
out["expm_int"] = jsl.expm(np.array([[1, 2], [0, -1]]))
REFERENCE["expm_int"] = sl.expm(np.array([[1.0, 2.0], [0.0, -1.0]]))
out["expm_frechet_value"], out["expm_frechet"] = jsl.expm_frechet(MX * 1.5, T)
REFERENCE["expm_frechet_value"], REFERENCE["expm_frechet"] = sl.expm_frechet(MX * 1.5, T)
# Tolerances of the SciPy comparison, relative to the largest expected element.
SCIPY_RTOL = {name: 1e-10 for name in REFERENCE if name.startswith("d_expm")}


def emit(name, value):
    a = np.asarray(value)
    if a.dtype.kind == "f":
        values = [repr(float(v)) for v in a.ravel()]
    else:
        values = [str(int(v)) for v in a.ravel()]
    dims = ",".join(str(d) for d in a.shape)
    print(f"{name}|{a.dtype}|{dims}|{','.join(values)}")


if __name__ == "__main__":
    for name, want in REFERENCE.items():
        tol = SCIPY_RTOL.get(name, 1e-12) * max(1.0, np.abs(want).max())
        assert np.allclose(np.asarray(out[name]), want, rtol=0, atol=tol), name
    print(f"# jax {jax.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")
    for name, value in out.items():
        emit(name, value)
