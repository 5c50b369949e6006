"""Golden data for complex `rjax::random::normal` (src/random/complex_normal.rs), drawn by
JAX's own `jax.random.normal` with complex dtypes.

Run `python3 -P tests/golden/random_complex.py > tests/golden/random_complex.txt` in a venv
holding JAX 0.10.2 (`scripts/python-env.sh` prints one); the CPU backend is used.

Each line: `<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`, each complex
element as its real part then its imaginary part, printed exactly (`repr` of the float,
float32 parts widened to float64).

- `<layout>/<x64>/<dtype>/<dims joined by x>/<key>`: `jax.random.normal(key, shape, dtype)`
  with `jax_threefry_partitionable` on (`part`) or off (`orig`), or on and the call under
  `jax.jit` (`part_jit`); with `jax_enable_x64` on (`x64`) or off (`x32`, where a requested
  complex128 is complex64, as JAX canonicalises it); the key `key(42)` (`typed`), `PRNGKey(42)`
  (`raw`) or `key(7)` (`typed7`).
"""

import importlib.metadata
import warnings

import jax

jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

SHAPES = [(5,), (2, 3), (), (64,)]
DTYPES = {"complex64": jnp.complex64, "complex128": jnp.complex128}
KEYS = {
    "typed": lambda: jax.random.key(42),
    "raw": lambda: jax.random.PRNGKey(42),
    "typed7": lambda: jax.random.key(7),
}


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
    for layout, partitionable, jitted in (
        ("part", True, False), ("orig", False, False), ("part_jit", True, True)
    ):
        jax.config.update("jax_threefry_partitionable", partitionable)
        for x64 in (True, False):
            jax.config.update("jax_enable_x64", x64)
            for dtype_name, dtype in DTYPES.items():
                for shape in SHAPES:
                    for key_kind, key in KEYS.items():
                        dims = "x".join(str(d) for d in shape)

                        def draw(k, shape=shape, dtype=dtype):
                            return jax.random.normal(k, shape, dtype)

                        x = (jax.jit(draw) if jitted else draw)(key())
                        bits = "x64" if x64 else "x32"
                        line(f"{layout}/{bits}/{dtype_name}/{dims}/{key_kind}", x)


main()
