"""Exports the small model examples/run_jax_export.rs runs from Rust, and times JAX's own calls.

    "$(scripts/python-env.sh)" -P examples/run_jax_export.py ARTIFACT

Writes ARTIFACT: `jax.export` of a two-layer perceptron `mlp(params, x)` (params a dict of
w1 [16, 64], b1 [64], w2 [64, 4], b2 [4]; x [128, 16]; float32), serialized with its VJP
(vjp_order=1), for the CPU. Then deserializes the artifact, as any consumer would, and prints
the median time of calling it (jitted) and of one gradient step of a mean squared error
through its VJP, as `jax <what> <microseconds>` lines the Rust example reads.
Needs the `flatbuffers` Python package (jax.export's serializer imports it).
"""
import os
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax
import jax.numpy as jnp
import numpy as np
from jax import export

IN, HIDDEN, OUT, BATCH = 16, 64, 4, 128


def mlp(params, x):
    h = jnp.tanh(x @ params["w1"] + params["b1"])
    return h @ params["w2"] + params["b2"]


def spec(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.float32)


params_spec = {"w1": spec(IN, HIDDEN), "b1": spec(HIDDEN), "w2": spec(HIDDEN, OUT), "b2": spec(OUT)}
exported = export.export(jax.jit(mlp), platforms=("cpu",))(params_spec, spec(BATCH, IN))
with open(sys.argv[1], "wb") as artifact:
    artifact.write(exported.serialize(vjp_order=1))

# JAX's own timing of the same artifact, read back as a consumer reads it.
with open(sys.argv[1], "rb") as artifact:
    loaded = export.deserialize(bytearray(artifact.read()))
rng = np.random.default_rng(0)
params = {name: jnp.asarray(rng.standard_normal(s.shape, np.float32) * 0.1)
          for name, s in params_spec.items()}
x = jnp.asarray(rng.standard_normal((BATCH, IN), np.float32))
y = jnp.asarray(rng.standard_normal((BATCH, OUT), np.float32))


def loss(params, x, y):
    return jnp.mean((loaded.call(params, x) - y) ** 2)


@jax.jit
def step(params, x, y):
    grads = jax.grad(loss)(params, x, y)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


def median_us(f, repeats=200):
    jax.block_until_ready(f())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(f())
        times.append(time.perf_counter() - start)
    return 1e6 * sorted(times)[len(times) // 2]


inference = jax.jit(loaded.call)
print(f"jax inference {median_us(lambda: inference(params, x)):.1f}")
print(f"jax grad_step {median_us(lambda: step(params, x, y)):.1f}")
