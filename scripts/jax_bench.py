"""JAX's side of scripts/bench-vs-jax.sh: the same figures as rjax's criterion benchmarks,
each the median over 15 batches, in microseconds, printed as `name value` lines."""
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np


def median_us(fn, iterations=20000, batches=15):
    times = []
    for batch in range(batches + 2):  # two warm-up batches
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        if batch >= 2:
            times.append((time.perf_counter() - start) / iterations * 1e6)
    return sorted(times)[batches // 2]


plus_one = jax.jit(lambda x: x + 1.0)
scalar = jax.device_put(np.float32(1.0))
vector = jax.device_put(np.array([0.5, 1.0, 2.0], dtype=np.float32))
sine = jax.jit(jnp.sin)
host = np.array([0.5, 1.0, 2.0], dtype=np.float32)

print(f"# jax {jax.__version__} on {jax.devices()[0].platform}", file=sys.stderr)
print("core/jit_x_plus_1/f32_scalar", median_us(lambda: plus_one(scalar).block_until_ready()))
print("core/eager_sin/f32x3", median_us(lambda: jnp.sin(vector).block_until_ready()))
print("dispatch/sine_f32x3/device_resident", median_us(lambda: sine(vector).block_until_ready()))
print("dispatch/sine_f32x3/host_transfer", median_us(lambda: sine(host).block_until_ready()))

jax.config.update("jax_enable_x64", True)
one = jnp.asarray(1.0, dtype=jnp.float64)
dsin = jax.grad(jnp.sin)
print("autodiff/eager_grad_sin/f64_scalar", median_us(lambda: dsin(one).block_until_ready(), iterations=200))
n = 1000
i = np.arange(n * n)
a = jnp.asarray(((i * 7919) % 1000) / 1000.0 - 0.5, dtype=jnp.float64).reshape(n, n)
b = jnp.asarray(np.sin(np.arange(n) * 0.01))
x = jnp.asarray(np.cos(np.arange(n) * 0.02))


def least_squares(x):
    r = a @ x - b
    return r @ r


gradf = jax.jit(jax.grad(least_squares))
print("autodiff/jit_grad_least_squares/n1000_f64", median_us(lambda: gradf(x).block_until_ready(), iterations=200))

jax.config.update("jax_enable_x64", False)


def data(count, scale):
    i = np.arange(count)
    return ((((i * 7919) % 1009) / 1009.0 - 0.5) * scale).astype(np.float32)


matrix = jnp.asarray(data(256 * 256, 1.0).reshape(256, 256))
vectors = jnp.asarray(data(1000 * 256, 2.0).reshape(1000, 256))
matvecs = jax.jit(jax.vmap(lambda v: matrix @ v))
print("vmap/jit_vmap_matvec/1000x256", median_us(lambda: matvecs(vectors).block_until_ready(), iterations=200))
weights = jnp.asarray(data(100, 0.1))
features = jnp.asarray(data(1000 * 100, 1.0).reshape(1000, 100))
targets = jnp.asarray(data(1000, 3.0))


def loss(w, x, y):
    error = w @ x - y
    return error * error


per_example = jax.jit(jax.vmap(jax.grad(loss, argnums=(0, 1, 2)), in_axes=(None, 0, 0)))
print("vmap/jit_vmap_grad/1000x100",
      median_us(lambda: per_example(weights, features, targets)[0].block_until_ready(), iterations=200))

jax.config.update("jax_enable_x64", True)


def det_data(count):
    i = np.arange(count)
    return ((i * 7919) % 1000) / 1000.0 - 0.5


def det_matrix(rows, cols):
    return jnp.asarray(det_data(rows * cols).reshape(rows, cols))


def det_vector(n, phase):
    return jnp.asarray(np.sin(np.arange(n) * 0.01 + phase))


def f_ls(x, A, b):
    r = A @ x - b
    return r @ r


def fvec(x, A, b):
    y = A @ x + b
    return jnp.exp(y - jnp.max(y)) / jnp.sum(jnp.exp(y - jnp.max(y)))


args = (det_vector(1000, 0.3), det_matrix(1000, 1000), det_vector(1000, 0.7))
hess = jax.jit(jax.hessian(f_ls))
print("notebook/jit_hessian/n1000_f64", median_us(lambda: hess(*args).block_until_ready(), iterations=5, batches=5))
for n, m in [(1000, 1000), (10, 1000)]:
    args = (det_vector(n, 0.3), det_matrix(m, n), det_vector(m, 0.7))
    fwd = jax.jit(jax.jacfwd(fvec))
    rev = jax.jit(jax.jacrev(fvec))
    reps = 5 if n == 1000 else 50
    print(f"notebook/jit_jacfwd_fvec/m{m}_n{n}_f64", median_us(lambda: fwd(*args).block_until_ready(), iterations=reps, batches=5))
    print(f"notebook/jit_jacrev_fvec/m{m}_n{n}_f64", median_us(lambda: rev(*args).block_until_ready(), iterations=reps, batches=5))
x, A, b = det_vector(3000, 0.3), det_matrix(3000, 3000), det_vector(3000, 0.7)
z = det_vector(3000, 1.1)


def hvp(x, z):
    return jax.jvp(jax.grad(lambda x: f_ls(x, A, b)), (x,), (z,))[1]


jhvp = jax.jit(hvp)
print("notebook/jit_hvp/n3000_f64", median_us(lambda: jhvp(x, z).block_until_ready(), iterations=10, batches=5))
