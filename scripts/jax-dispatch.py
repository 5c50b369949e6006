"""JAX's figures for rjax's runtime dispatch benchmark: jnp.sin of a 3-element f32 array under
jit, on a device-resident argument and with a fresh host array each call, synchronised every
call; plus jit(x + 1) on a device-resident scalar. Medians of 15 batches, in microseconds."""
import time

import jax
import jax.numpy as jnp
import numpy as np


def median_us(fn, iterations=20000, batches=15):
    times = []
    for batch in range(batches + 2):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        if batch >= 2:
            times.append((time.perf_counter() - start) / iterations * 1e6)
    return sorted(times)[batches // 2]


sine = jax.jit(jnp.sin)
plus_one = jax.jit(lambda x: x + 1.0)
host = np.array([0.5, 1.0, 2.0], dtype=np.float32)
resident = jax.device_put(host)
scalar = jax.device_put(np.float32(1.0))
print(f"jax {jax.__version__} on {jax.devices()[0].platform}")
print(f"jax sine_f32x3/device_resident {median_us(lambda: sine(resident).block_until_ready()):8.3f} us")
print(f"jax sine_f32x3/host_transfer   {median_us(lambda: sine(host).block_until_ready()):8.3f} us")
print(f"jax x+1 f32 scalar resident    {median_us(lambda: plus_one(scalar).block_until_ready()):8.3f} us")
