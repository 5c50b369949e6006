"""Golden data for rjax::nn::dropout (src/nn/dropout.rs): Flax's `nn.Dropout` formula computed
in JAX.

Run `python3 -P tests/golden/nn_dropout.py > tests/golden/nn_dropout.txt` in a venv holding
JAX 0.10.2 (`scripts/python-env.sh` prints one); x64 mode is on, as in tests/nn_dropout.rs.
Flax is not needed: `dropout` below is `flax.linen.Dropout.__call__` without the module
machinery (keep mask `bernoulli(key, 1 - rate, x.shape)`, kept values divided by `1 - rate`,
`rate == 1` giving zeros, `deterministic` or `rate == 0` passing `x` through).

Each line: `<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`.

- `<layout>/<dtype>/rate<rate>/<key kind>/value`: `dropout(key, rate, X)` with the key
  `key(7)` (typed) or `PRNGKey(7)` (raw), `jax_threefry_partitionable` on (`part`) or off
  (`orig`); `.../grad`: `jax.grad` of `sum(dropout(key, rate, x) * W)` at `X`;
  `.../jit`: `jax.jit` of the dropout.
"""

import importlib.metadata

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

X = np.arange(1.0, 21.0).reshape(4, 5) * 0.25 - 2.0
W = np.arange(20.0).reshape(4, 5) * 0.5 + 1.0
RATES = [0.0, 0.1, 0.5, 0.9, 1.0]
DTYPES = {"float32": jnp.float32, "float64": jnp.float64}
KEYS = {"typed": lambda: jax.random.key(7), "raw": lambda: jax.random.PRNGKey(7)}


def dropout(key, rate, x, deterministic=False):
    if deterministic or rate == 0.0:
        return x
    if rate == 1.0:
        return jnp.zeros_like(x)
    keep_prob = 1.0 - rate
    mask = jax.random.bernoulli(key, p=keep_prob, shape=x.shape)
    return lax.select(mask, x / keep_prob, jnp.zeros_like(x))


def line(name, x):
    x = np.asarray(x)
    dims = ",".join(str(d) for d in x.shape)
    values = ",".join(repr(float(v)) for v in x.ravel())
    print(f"{name}|{x.dtype}|{dims}|{values}")


def main():
    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}" for p in ("jax", "jaxlib", "numpy")
    )
    print(f"# {versions}")
    for layout, partitionable in (("part", True), ("orig", False)):
        jax.config.update("jax_threefry_partitionable", partitionable)
        for dtype_name, dtype in DTYPES.items():
            x = jnp.asarray(X, dtype)
            w = jnp.asarray(W, dtype)
            for rate in RATES:
                for key_kind, key in KEYS.items():
                    name = f"{layout}/{dtype_name}/rate{rate}/{key_kind}"
                    line(f"{name}/value", dropout(key(), rate, x))
                    g = jax.grad(lambda x: jnp.sum(dropout(key(), rate, x) * w))(x)
                    line(f"{name}/grad", g)
                    jitted = jax.jit(lambda k, x: dropout(k, rate, x))(key(), x)
                    line(f"{name}/jit", jitted)


main()
