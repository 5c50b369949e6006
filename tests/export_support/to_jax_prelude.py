"""Prelude of the Python checks in tests/export_to_jax.rs (rjax exports, JAX loads).

The test runs this file's text followed by its own code, with the pinned interpreter
(scripts/python-env.sh, JAX 0.10.2) and JAX on the CPU:

    python -P -c "<this file><test code>" ARTIFACT INPUT...

ARTIFACT is the path of the bytes rjax's `Exported::serialize` wrote; each INPUT is an array as
`dtype:dim,dim,...:hex of its little-endian bytes`. The prelude deserializes the artifact into
`exp` with `jax.export.deserialize`, parses the inputs into the list `inputs`, and gives the
test code `emit(name, value)` / `emit_tree(name, tree)`, which print each array as
`name dtype shape hex` (bit-exact), and `note(name, text)`, which prints `#name text`.
"""
import sys

import jax
import numpy as np
from jax import export

with open(sys.argv[1], "rb") as artifact:
    exp = export.deserialize(bytearray(artifact.read()))


def _parse(spec):
    dtype, shape, data = spec.split(":")
    shape = tuple(int(d) for d in shape.split(",") if d)
    return jax.numpy.asarray(np.frombuffer(bytes.fromhex(data), dtype=dtype).reshape(shape))


inputs = [_parse(spec) for spec in sys.argv[2:]]


def emit(name, value):
    value = np.asarray(value)
    shape = ",".join(str(d) for d in value.shape)
    print(f"{name} {value.dtype} {shape} {value.tobytes().hex()}")


def emit_tree(name, tree):
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        emit(name + jax.tree_util.keystr(path), leaf)


def note(name, text):
    print(f"#{name} {text}")
