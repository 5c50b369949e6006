"""The linear-algebra items of scripts/jax_bench.py, as examples/bench_rjax/linalg.rs writes
them: jitted jnp.linalg calls in float64 at 500x500 and 1000x1000 and in float32 at 500x500,
and a jitted float64 matmul, whose GFLOP/s the driver prints beside NumPy's.

Every item's data is jax.random.normal(PRNGKey(0), shape, dtype) (bit-identical to
rjax::random::normal), made symmetric as a + a.T for eigh and eigvalsh, positive definite as
a @ a.T + n*I for cholesky, and scaled by sqrt(e/n) for det so that the determinant is of
order 1 (unscaled, it overflows). solve's right-hand side is a vector of n and lstsq's matrix
is 2n x n with a vector of 2n (both from PRNGKey(0)); matmul's second factor is from
PRNGKey(1). A timed call waits for every output; the first output of each function is the
one checked (values, not vectors, whose signs are free; R of qr, whose norm is A's).

JAX_ONLY holds NumPy's matmul of the same factors (numpy arrays, `a @ b`), timed the same way
in the JAX worker: the driver runs these on the JAX worker alone, outside the table."""
import math

# (op, the configurations it runs in): float64 500 and 1000, float32 500.
OPS = ["eigh", "eigvalsh", "svd", "svd_values", "qr", "cholesky", "solve", "inv", "det", "lstsq"]
CONFIGS = [(500, "f64"), (1000, "f64"), (500, "f32")]
MATMUL_SIZES = [1000, 2000]


def shape_of(op, n):
    """The name's shape: lstsq's matrix is 2n x n, every other one n x n."""
    return f"{2 * n}x{n}" if op == "lstsq" else f"{n}x{n}"


ITEMS = [
    (f"linalg/jit_{op}/{shape_of(op, n)}_{dtype}", dtype == "f64")
    for op in OPS for n, dtype in CONFIGS
] + [(f"linalg/jit_matmul/{n}x{n}_f64", True) for n in MATMUL_SIZES]

JAX_ONLY = [(f"linalg/numpy_matmul/{n}x{n}_f64", True) for n in MATMUL_SIZES]


def parse(name):
    """`linalg/jit_svd_values/500x500_f32` -> ("svd_values", 500, 500, "f32")."""
    _, kind, size = name.split("/")
    shape, dtype = size.split("_")
    rows, cols = (int(d) for d in shape.split("x"))
    return kind.split("_", 1)[1], rows, cols, dtype


def matmul_rates(rows, numpy_times):
    """Lines of GFLOP/s (2*n^3 / median seconds) for the matmul items of the table `rows`
    ((label, JAX median, rjax median, note)), with NumPy's from `numpy_times` (name -> median;
    "-" where it was not timed)."""
    lines = []
    for label, jax_seconds, rjax_seconds, _ in rows:
        if not label.startswith("linalg/jit_matmul/"):
            continue
        gflop = 2 * parse(label)[1] ** 3 / 1e9
        numpy_seconds = numpy_times.get(label.replace("/jit_matmul/", "/numpy_matmul/"))
        numpy_rate = f"{gflop / numpy_seconds:.1f}" if numpy_seconds else "-"
        lines.append(f"{label}: GFLOP/s rjax {gflop / rjax_seconds:.1f}, "
                     f"JAX {gflop / jax_seconds:.1f}, NumPy {numpy_rate}")
    return lines


def register(item):
    """Registers the item builders (ITEMS and JAX_ONLY) with the `item` decorator of
    jax_bench.jax_items."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    dtypes = {"f64": jnp.float64, "f32": jnp.float32}

    def normal(shape, dtype, seed=0):
        return jax.random.normal(jax.random.PRNGKey(seed), shape, dtypes[dtype])

    def square(rows, cols, dtype):
        return (normal((rows, cols), dtype),)

    def symmetric(rows, cols, dtype):
        a = normal((rows, cols), dtype)
        return (a + a.T,)

    def positive_definite(rows, cols, dtype):
        a = normal((rows, cols), dtype)
        return (a @ a.T + rows * jnp.eye(rows, dtype=dtypes[dtype]),)

    def scaled(rows, cols, dtype):
        return (normal((rows, cols), dtype) * math.sqrt(math.e / rows),)

    def with_vector(rows, cols, dtype):
        return normal((rows, cols), dtype), normal((rows,), dtype)

    def two_factors(rows, cols, dtype):
        return normal((rows, cols), dtype), normal((rows, cols), dtype, seed=1)

    def svd(a):
        u, s, vh = jnp.linalg.svd(a)
        return s, u, vh

    def qr(a):
        q, r = jnp.linalg.qr(a)
        return r, q

    # op -> (its data, the jitted function: a tuple with the checked output first)
    ops = {
        "eigh": (symmetric, lambda a: tuple(jnp.linalg.eigh(a))),
        "eigvalsh": (symmetric, lambda a: (jnp.linalg.eigvalsh(a),)),
        "svd": (square, svd),
        "svd_values": (square, lambda a: (jnp.linalg.svd(a, compute_uv=False),)),
        "qr": (square, qr),
        "cholesky": (positive_definite, lambda a: (jnp.linalg.cholesky(a),)),
        "solve": (with_vector, lambda a, b: (jnp.linalg.solve(a, b),)),
        "inv": (square, lambda a: (jnp.linalg.inv(a),)),
        "det": (scaled, lambda a: (jnp.linalg.det(a),)),
        "lstsq": (with_vector, lambda a, b: tuple(jnp.linalg.lstsq(a, b))),
        "matmul": (two_factors, lambda a, b: (a @ b,)),
    }

    for name, _ in ITEMS:
        @item(name)
        def _(name=name):
            op, rows, cols, dtype = parse(name)
            data, function = ops[op]
            args = jax.block_until_ready(data(rows, cols, dtype))
            jitted = jax.jit(function)
            return "timed", lambda: jax.block_until_ready(jitted(*args))[0]

    for name, _ in JAX_ONLY:
        @item(name)
        def _(name=name):
            rows, cols, dtype = parse(name)[1:]
            a, b = (np.asarray(x) for x in two_factors(rows, cols, dtype))
            return "timed", lambda: a @ b
