"""Exports the models of tests/export_load.rs with jax.export, into the directory argv[1].

For each case NAME it writes NAME.bin (the serialized artifact) and NAME.json: the inputs and
what JAX itself computes with the *deserialized* artifact (call, jit composition, grad through
its VJP, a per-example loop standing for vmap). Run by the test at test time:

    "$(scripts/python-env.sh)" -P tests/export_support/export_models.py OUT_DIR

Needs the `flatbuffers` Python package (jax.export's serializer imports it).
"""
import json
import os
import sys

try:
    import flatbuffers  # noqa: F401  (jax.export's serializer needs it)
except ImportError:
    sys.exit("the Python package `flatbuffers` is missing: jax.export cannot serialize without "
             "it; add `flatbuffers==25.12.19` to scripts/python-requirements.txt")

os.environ.setdefault("JAX_PLATFORMS", "cpu")
# Two CPU devices, for the artifact exported for two devices (the others use one).
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import numpy as np
from jax import export, lax
from jax.sharding import NamedSharding, PartitionSpec

OUT = sys.argv[1]
rng = np.random.default_rng(0)


def flat(a):
    """The bit patterns of an f32 or f64 array, flattened (exact, whatever the JSON reader)."""
    a = np.asarray(a)
    bits = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}[a.dtype]
    return a.view(bits).ravel().tolist()


def normal(shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def save(name, exp, args, vjp_order=1, extra=None, grad_argnums=None):
    ser = exp.serialize(vjp_order=vjp_order)
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        f.write(ser)
    rec = export.deserialize(ser)
    leaves = jax.tree_util.tree_leaves(args)
    record = {
        "jax": jax.__version__,
        "in_shapes": [list(np.shape(a)) for a in leaves],
        "in_dtypes": [str(np.asarray(a).dtype) for a in leaves],
        "inputs": [flat(a) for a in leaves],
    }
    outs = jax.tree_util.tree_leaves(rec.call(*args))
    record["outputs"] = [flat(o) for o in outs]
    record["out_shapes"] = [list(np.shape(o)) for o in outs]
    # Composition inside jit: sin(2 * out + 1) of every output.
    def composed(*a):
        return [jnp.sin(2 * o + 1) for o in jax.tree_util.tree_leaves(rec.call(*a))]

    record["composed"] = [flat(o) for o in jax.jit(composed)(*args)]
    if grad_argnums is not None:
        # grad of the sum of the first output's elements through the exported VJP.
        def loss(*a):
            return jnp.sum(jax.tree_util.tree_leaves(rec.call(*a))[0])

        grads = jax.grad(loss, argnums=grad_argnums)(*args)
        record["grads"] = [flat(g) for g in jax.tree_util.tree_leaves(grads)]
    if extra:
        record.update(extra(rec))
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(record, f)


def spec(a):
    return jax.ShapeDtypeStruct(np.shape(a), np.asarray(a).dtype)


# The notebook's f, in f32 and f64.
def notebook_f(x, A, b):
    res = A @ x - b
    return res @ res


for dtype, name in [(np.float32, "notebook"), (np.float64, "notebook64")]:
    n = 8
    args = [normal((n,), dtype), normal((n, n), dtype), normal((n,), dtype)]
    exp = export.export(jax.jit(notebook_f))(*map(spec, args))
    save(name, exp, args, grad_argnums=(0, 1, 2))

# A multi-platform export of the same f, in 32-bit mode (JAX's default: its platform index
# argument is i32) and in 64-bit mode (i64).
args = [normal((8,), np.float32), normal((8, 8), np.float32), normal((8,), np.float32)]
for x64, name in [(False, "multi_platform"), (True, "multi_platform_x64")]:
    jax.config.update("jax_enable_x64", x64)
    exp = export.export(jax.jit(notebook_f), platforms=["cpu", "cuda"])(*map(spec, args))
    save(name, exp, args, grad_argnums=(0,))
jax.config.update("jax_enable_x64", True)


# An MLP forward pass (its parameters a list of arrays), batched input.
def mlp(params, x):
    w1, b1, w2, b2 = params
    h = jax.nn.relu(x @ w1 + b1)
    return jnp.tanh(h @ w2 + b2)


params = [normal((4, 16), np.float32), normal((16,), np.float32),
          normal((16, 3), np.float32), normal((3,), np.float32)]
x = normal((5, 4), np.float32)
exp = export.export(jax.jit(mlp))(list(map(spec, params)), spec(x))


def mlp_vmap(rec):
    # JAX's own results per example, the reference for rjax's vmap (a sequential loop).
    xs = normal((3, 5, 4), np.float32)
    outs = [rec.call(params, xs[i]) for i in range(3)]
    return {"vmap_inputs": flat(xs), "vmap_outputs": flat(np.stack(outs))}


save("mlp", exp, (params, x), extra=mlp_vmap, grad_argnums=(0, 1))


# A scan-based RNN: h_t = tanh(W h + U x_t + c); returns the final state and all states.
def rnn(W, U, c, h0, xs):
    def step(h, x):
        h = jnp.tanh(W @ h + U @ x + c)
        return h, h

    return lax.scan(step, h0, xs)


rnn_args = [normal((6, 6), np.float32) * 0.5, normal((6, 3), np.float32), normal((6,), np.float32),
            normal((6,), np.float32), normal((7, 3), np.float32)]
exp = export.export(jax.jit(rnn))(*map(spec, rnn_args))
save("rnn", exp, rnn_args, grad_argnums=(0, 1, 2, 3, 4))

# An unused argument: the module keeps only the first (module_kept_var_idx = (0,)).
unused_args = [normal((3,), np.float32), normal((2,), np.float32)]
exp = export.export(jax.jit(lambda x, y: jnp.cos(x) * 3))(*map(spec, unused_args))
save("unused_arg", exp, unused_args, grad_argnums=(0,),
     extra=lambda rec: {"kept": list(rec.module_kept_var_idx)})

# Without a VJP.
exp = export.export(jax.jit(notebook_f))(*map(spec, args))
save("no_vjp", exp, args, vjp_order=0)

# Refusals.
exp = export.export(jax.jit(jnp.sin), platforms=["cuda"])(jax.ShapeDtypeStruct((3,), np.float32))
with open(os.path.join(OUT, "cuda_only.bin"), "wb") as f:
    f.write(exp.serialize())
(b,) = export.symbolic_shape("b")
exp = export.export(jax.jit(jnp.sin))(jax.ShapeDtypeStruct((b, 3), np.float32))
with open(os.path.join(OUT, "poly.bin"), "wb") as f:
    f.write(exp.serialize())
mesh = jax.make_mesh((2,), ("x",))
two = NamedSharding(mesh, PartitionSpec("x"))
exp = export.export(jax.jit(lambda x: x * 2, in_shardings=two))(
    jax.ShapeDtypeStruct((4,), np.float32))
with open(os.path.join(OUT, "two_devices.bin"), "wb") as f:
    f.write(exp.serialize())
print("ok")
