"""Expected values for tests/scipy_linalg.rs: jax.scipy.linalg's solve_triangular, cho_factor,
cho_solve, lu and block_diag, and gradients through them, computed by JAX 0.10.2 in x64 mode
on the CPU, with the values checked against SciPy's (to 1e-12).

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
        assert np.allclose(np.asarray(out[name]), want, rtol=1e-12, atol=1e-12), name
    print(f"# jax {jax.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")
    for name, value in out.items():
        emit(name, value)
