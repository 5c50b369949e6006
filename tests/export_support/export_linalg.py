"""Exports functions that call jaxlib's LAPACK targets with jax.export, into the directory argv[1],
for tests/export_lapack.rs.

For each case NAME it writes NAME.bin (the serialized artifact) and NAME.json: the inputs, what
JAX itself computes with the *deserialized* artifact, the largest condition number of the inputs'
matrices (which scales the test's tolerances) and, for the cases exported with their VJP, JAX's
gradient of the sum of the first output through that VJP. Arrays are recorded as dtype, shape and
the bit patterns of their (real, or interleaved real and imaginary) parts. Run by the test:

    "$(scripts/python-env.sh)" -P tests/export_support/export_linalg.py OUT_DIR

Needs the `flatbuffers` Python package (jax.export's serializer imports it).
"""
import json
import os
import sys

try:
    import flatbuffers  # noqa: F401  (jax.export's serializer needs it)
except ImportError:
    sys.exit("the Python package `flatbuffers` is missing: jax.export cannot serialize without it")

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
from jax import export, lax

OUT = sys.argv[1]
rng = np.random.default_rng(0)
DTYPES = {"f32": np.float32, "f64": np.float64, "c64": np.complex64, "c128": np.complex128}
BITS = {
    np.dtype(np.float32): (np.float32, np.uint32),
    np.dtype(np.float64): (np.float64, np.uint64),
    np.dtype(np.complex64): (np.float32, np.uint32),
    np.dtype(np.complex128): (np.float64, np.uint64),
    np.dtype(np.int32): (np.int32, np.uint32),
}


def encode(a):
    shape = list(np.shape(a))
    a = np.ascontiguousarray(a)
    parts, bits = BITS[a.dtype]
    return {
        "dtype": str(a.dtype),
        "shape": shape,
        "bits": a.view(parts).view(bits).ravel().tolist(),
    }


def rand(shape, dtype):
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def hermitian(shape, dtype):
    x = rand(shape, dtype)
    return ((x + np.conj(np.swapaxes(x, -1, -2))) / 2).astype(dtype)


def positive_definite(shape, dtype):
    x = rand(shape, dtype)
    n = shape[-1]
    return (x @ np.conj(np.swapaxes(x, -1, -2)) + n * np.eye(n)).astype(dtype)


def condition(args):
    """The largest 2-norm condition number of the arguments' matrices (1 for vectors)."""
    conds = [1.0]
    for a in args:
        a = np.asarray(a)
        if a.ndim >= 2 and min(a.shape[-2:]) > 0:
            conds.append(float(np.max(np.linalg.cond(a.astype(np.complex128)))))
    return max(conds)


def save(name, f, args, with_grad=False):
    """Exports `f` (whose results are arrays or plain tuples: jax.export serializes no named
    tuples) on `args`' shapes, and records the case."""
    exp = export.export(jax.jit(f))(*[jax.ShapeDtypeStruct(a.shape, a.dtype) for a in args])
    ser = exp.serialize(vjp_order=1 if with_grad else 0)
    with open(os.path.join(OUT, name + ".bin"), "wb") as out:
        out.write(ser)
    rec = export.deserialize(ser)
    outs = jax.tree_util.tree_leaves(rec.call(*args))
    record = {
        "jax": jax.__version__,
        "cond": condition(args),
        "inputs": [encode(a) for a in args],
        "outputs": [encode(o) for o in outs],
    }
    if with_grad:
        def loss(*a):
            return jnp.sum(jax.tree_util.tree_leaves(rec.call(*a))[0])

        grads = jax.grad(loss, argnums=tuple(range(len(args))))(*args)
        record["grads"] = [encode(g) for g in grads]
    with open(os.path.join(OUT, name + ".json"), "w") as out:
        json.dump(record, out)


def triangular_solves(a, b):
    return (
        jsl.solve_triangular(a, b, lower=True),
        jsl.solve_triangular(a, b, lower=False, trans=1),
        jsl.solve_triangular(a, b, lower=True, trans=2, unit_diagonal=True),
        lax.linalg.triangular_solve(a, jnp.swapaxes(b, -1, -2), left_side=False, lower=True),
        lax.linalg.triangular_solve(a, jnp.swapaxes(b, -1, -2), left_side=False, lower=False,
                                    transpose_a=True, conjugate_a=True),
    )


def solve_family(a, b):
    sign, logdet = jnp.linalg.slogdet(a)
    return jnp.linalg.solve(a, b), jnp.linalg.inv(a), jnp.linalg.det(a), sign, logdet


for tag, dt in DTYPES.items():
    general = rand((2, 4, 4), dt)
    tall = rand((2, 5, 3), dt)
    save(f"cholesky_{tag}", jnp.linalg.cholesky, [positive_definite((2, 4, 4), dt)])
    save(f"lu_{tag}", lax.linalg.lu, [tall])
    save(f"lu_wide_{tag}", lax.linalg.lu, [rand((3, 5), dt)])
    save(f"solve_{tag}", solve_family, [general, rand((2, 4, 2), dt)])
    save(f"qr_{tag}", lambda a: tuple(jnp.linalg.qr(a)), [tall])
    save(f"qr_complete_{tag}", lambda a: tuple(jnp.linalg.qr(a, mode="complete")), [rand((5, 3), dt)])
    herm = hermitian((2, 4, 4), dt)
    save(f"eigh_{tag}", lambda h: tuple(jnp.linalg.eigh(h)), [herm])
    save(f"eigvalsh_{tag}", jnp.linalg.eigvalsh, [herm])
    save(f"svd_{tag}", lambda a: tuple(jnp.linalg.svd(a, full_matrices=False)), [tall])
    save(f"svd_full_{tag}", lambda a: tuple(jnp.linalg.svd(a)), [rand((3, 4), dt)])
    save(f"svdvals_{tag}", lambda a: jnp.linalg.svd(a, compute_uv=False), [rand((2, 3, 5), dt)])
    save(f"eig_{tag}", lambda a: tuple(jnp.linalg.eig(a)), [general])
    save(f"eigvals_{tag}", jnp.linalg.eigvals, [general])
    save(f"schur_{tag}", lambda a: tuple(jsl.schur(a)), [rand((5, 5), dt)])
    save(f"hessenberg_{tag}", lambda a: tuple(jsl.hessenberg(a, calc_q=True)), [rand((5, 5), dt)])
    triangular = (rand((2, 4, 4), dt) + 4 * np.eye(4)).astype(dt)
    save(f"trsm_{tag}", triangular_solves, [triangular, rand((2, 4, 3), dt)])


# A model with LAPACK calls: a Gaussian-process regression's negative log marginal likelihood
# and posterior mean (Cholesky, triangular solves), differentiated through its exported VJP.
def gp(x, y, x_new, log_scale):
    def rbf(p, q):
        d2 = jnp.sum((p[:, None, :] - q[None, :, :]) ** 2, axis=-1)
        return jnp.exp(-0.5 * d2 / jnp.exp(2 * log_scale))

    k = rbf(x, x) + 0.1 * jnp.eye(x.shape[0])
    chol = jnp.linalg.cholesky(k)
    alpha = jsl.cho_solve((chol, True), y)
    nll = 0.5 * y @ alpha + jnp.sum(jnp.log(jnp.diag(chol)))
    return nll, rbf(x_new, x) @ alpha


gp_args = [rand((8, 2), np.float64), rand((8,), np.float64), rand((3, 2), np.float64),
           np.array(0.3)]
save("gp_f64", gp, gp_args, with_grad=True)
save("gp_f32", gp, [a.astype(np.float32) for a in gp_args], with_grad=True)

# A least-squares fit (SVD) and a log-determinant (LU), differentiated through their VJPs.
save("lstsq_f64", lambda a, b: jnp.linalg.lstsq(a, b)[0], [rand((6, 3), np.float64),
                                                            rand((6,), np.float64)],
     with_grad=True)
save("logdet_f64", lambda a: jnp.linalg.slogdet(a)[1], [rand((4, 4), np.float64)],
     with_grad=True)
print("ok")
