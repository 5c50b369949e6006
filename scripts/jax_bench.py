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
