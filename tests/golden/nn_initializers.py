"""Golden data for rjax::nn::initializers (src/nn/initializers.rs), drawn by JAX's own
`jax.nn.initializers`.

Run `python3 -P tests/golden/nn_initializers.py > tests/golden/nn_initializers.txt` in a venv
holding JAX 0.10.2 (`scripts/python-env.sh` prints one); x64 mode is on, as in
tests/nn_initializers.rs, and the CPU backend is used.

Each line: `<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`, the values
printed exactly (`repr` of the float, float32 values widened to float64).

- `<layout>/<init>/<dtype>/<dims joined by x>/<key kind>`: `INITS[init]` (the table below,
  rebuilt identically in tests/nn_initializers.rs) called with the key `key(42)` (typed) or
  `PRNGKey(42)` (raw), the shape and the dtype, with `jax_threefry_partitionable` on
  (`part`) or off (`orig`), or on and the call under `jax.jit` (`part_jit`: XLA folds the
  sampler's constant factors into the scaling, so the last bits differ from op-by-op calls).
"""

import importlib.metadata

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.nn import initializers as init  # noqa: E402

INITS = {
    "zeros": (init.zeros, [(2, 3)]),
    "ones": (init.ones, [(2, 3)]),
    "constant": (init.constant(-0.3), [(2, 3)]),
    "normal": (init.normal(0.02), [(4, 5), (7,)]),
    "uniform": (init.uniform(0.5), [(4, 5), (7,)]),
    "truncated_normal": (init.truncated_normal(0.01), [(4, 5)]),
    "truncated_normal_bounds": (init.truncated_normal(1.5, lower=-1.0, upper=3.0), [(4, 5)]),
    "glorot_normal": (init.glorot_normal(), [(5, 7), (3, 6, 5), (3, 3, 4, 8)]),
    "glorot_uniform": (init.glorot_uniform(), [(5, 7), (3, 6, 5), (3, 3, 4, 8)]),
    "he_normal": (init.he_normal(), [(5, 7), (3, 3, 4, 8)]),
    "he_uniform": (init.he_uniform(), [(5, 7), (3, 3, 4, 8)]),
    "lecun_normal": (init.lecun_normal(), [(5, 7), (3, 6, 5)]),
    "lecun_uniform": (init.lecun_uniform(), [(5, 7), (3, 6, 5)]),
    "xavier_uniform": (init.xavier_uniform(), [(6, 4)]),
    "kaiming_normal": (init.kaiming_normal(), [(6, 4)]),
    "vs_fan_out_normal": (init.variance_scaling(2.0, "fan_out", "normal"), [(5, 7), (3, 3, 4, 8)]),
    "vs_geo_uniform": (init.variance_scaling(0.5, "fan_geo_avg", "uniform"), [(5, 7), (3, 6, 5)]),
    "vs_axes": (
        init.variance_scaling(1.3, "fan_avg", "truncated_normal", in_axis=(0, 1), out_axis=-1),
        [(3, 4, 5), (2, 3, 4, 5)],
    ),
    "vs_batch": (
        init.variance_scaling(1.0, "fan_in", "uniform", in_axis=-2, out_axis=-1, batch_axis=0),
        [(4, 3, 5, 6)],
    ),
    "orthogonal": (init.orthogonal(), [(5, 3), (3, 5), (4, 4)]),
    "orthogonal_axis": (init.orthogonal(2.0, column_axis=0), [(4, 6), (3, 2, 5)]),
    "delta_orthogonal": (init.delta_orthogonal(), [(3, 4, 4), (3, 3, 2, 5)]),
}

DTYPES = {"float32": jnp.float32, "float64": jnp.float64}
KEYS = {"typed": lambda: jax.random.key(42), "raw": lambda: jax.random.PRNGKey(42)}


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
    for layout, partitionable, jitted in (
        ("part", True, False), ("orig", False, False), ("part_jit", True, True)
    ):
        jax.config.update("jax_threefry_partitionable", partitionable)
        for name, (initializer, shapes) in INITS.items():
            for shape in shapes:
                for dtype_name, dtype in DTYPES.items():
                    for key_kind, key in KEYS.items():
                        dims = "x".join(str(d) for d in shape)

                        def draw(k, shape=shape, dtype=dtype, initializer=initializer):
                            return initializer(k, shape, dtype)

                        x = (jax.jit(draw) if jitted else draw)(key())
                        line(f"{layout}/{name}/{dtype_name}/{dims}/{key_kind}", x)


main()
