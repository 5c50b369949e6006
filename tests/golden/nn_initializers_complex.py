"""Golden data for complex dtypes in rjax::nn::initializers (src/nn/initializers.rs), drawn
by JAX's own `jax.nn.initializers`.

Run `python3 -P tests/golden/nn_initializers_complex.py > tests/golden/nn_initializers_complex.txt`
in a venv holding JAX 0.10.2 (`scripts/python-env.sh` prints one); the CPU backend is used.

Each line: `<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`, each complex
element as its real part then its imaginary part, printed exactly (`repr` of the float,
float32 parts widened to float64).

- `<layout>/<init>/<dtype>/<dims joined by x>/<key kind>`: `INITS[init]` (the table below,
  rebuilt identically in tests/nn_initializers_complex.rs) called with the key `key(42)`
  (typed) or `PRNGKey(42)` (raw), the shape and the dtype; `layout` is `part` or `orig`
  (`jax_threefry_partitionable` on or off, x64 on), `part_jit` (on, the call under
  `jax.jit`) or `part_x32` (on, x64 off: complex128 is complex64).
"""

import importlib.metadata
import warnings

import jax

jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.nn import initializers as init  # noqa: E402

INITS = {
    "normal": (init.normal(0.02), [(4, 5), (7,)]),
    "glorot_normal": (init.glorot_normal(), [(5, 7), (3, 3, 4, 8)]),
    "glorot_uniform": (init.glorot_uniform(), [(5, 7), (3, 3, 4, 8)]),
    "he_normal": (init.he_normal(), [(5, 7)]),
    "he_uniform": (init.he_uniform(), [(5, 7)]),
    "lecun_normal": (init.lecun_normal(), [(5, 7), (3, 6, 5)]),
    "lecun_uniform": (init.lecun_uniform(), [(3, 6, 5)]),
    "vs_fan_out_normal": (init.variance_scaling(2.0, "fan_out", "normal"), [(5, 7)]),
    "vs_geo_uniform": (init.variance_scaling(0.5, "fan_geo_avg", "uniform"), [(5, 7)]),
    "vs_axes": (
        init.variance_scaling(1.3, "fan_avg", "truncated_normal", in_axis=(0, 1), out_axis=-1),
        [(3, 4, 5)],
    ),
}

DTYPES = {"complex64": jnp.complex64, "complex128": jnp.complex128}
KEYS = {"typed": lambda: jax.random.key(42), "raw": lambda: jax.random.PRNGKey(42)}


def line(name, x):
    x = np.asarray(x)
    dims = ",".join(str(d) for d in x.shape)
    parts = np.stack([x.real, x.imag], axis=-1).ravel()
    values = ",".join(repr(float(v)) for v in parts)
    print(f"{name}|{x.dtype}|{dims}|{values}")


def main():
    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}" for p in ("jax", "jaxlib", "numpy")
    )
    print(f"# {versions}")
    warnings.simplefilter("ignore")  # complex128 without x64 is complex64, with a warning
    for layout, partitionable, jitted, x64 in (
        ("part", True, False, True),
        ("orig", False, False, True),
        ("part_jit", True, True, True),
        ("part_x32", True, False, False),
    ):
        jax.config.update("jax_threefry_partitionable", partitionable)
        jax.config.update("jax_enable_x64", x64)
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
