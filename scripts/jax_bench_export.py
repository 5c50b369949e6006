"""The export items of scripts/jax_bench.py, as examples/bench_rjax/export.rs writes them: a
`jax.export` artifact of an MLP, called by JAX (a deserialized `Exported`, its `call` jitted)
and by rjax (`rjax::export::Exported::call`) on the same inputs: inference, and the gradient
of a mean squared error through the artifact's serialized VJP (jitted on both sides).

The artifact is written at run time, before the workers start, by

    python -P scripts/jax_bench_export.py ARTIFACT

(scripts/bench-vs-jax.sh does it into target/); both workers read it from $RJAX_BENCH_EXPORT.
It exports `mlp(params, x)`: params a dict of w1 [64, 256], b1 [256], w2 [256, 10], b2 [10];
x [128, 64]; float32; for JAX's default export platform (the one both workers run on), with
its VJP (vjp_order=1). Importing this module imports only the standard library."""
import os
import sys

ITEMS = [
    ("export/call/mlp_b128_f32", False),
    ("export/jit_grad/mlp_b128_f32", False),
]

IN, HIDDEN, OUT, BATCH = 64, 256, 10, 128


def artifact_path():
    path = os.environ.get("RJAX_BENCH_EXPORT")
    if not path:
        raise RuntimeError("RJAX_BENCH_EXPORT is not set: run scripts/bench-vs-jax.sh, or "
                           "write the artifact with `python -P scripts/jax_bench_export.py "
                           "ARTIFACT` and set RJAX_BENCH_EXPORT=ARTIFACT")
    return path


def write_artifact(path):
    """Exports the MLP with its VJP into `path`."""
    import jax
    import jax.numpy as jnp
    from jax import export

    def mlp(params, x):
        hidden = jnp.tanh(x @ params["w1"] + params["b1"])
        return hidden @ params["w2"] + params["b2"]

    def spec(*shape):
        return jax.ShapeDtypeStruct(shape, jnp.float32)

    params = {"w1": spec(IN, HIDDEN), "b1": spec(HIDDEN), "w2": spec(HIDDEN, OUT),
              "b2": spec(OUT)}
    platform = export.default_export_platform()
    exported = export.export(jax.jit(mlp), platforms=(platform,))(params, spec(BATCH, IN))
    with open(path, "wb") as artifact:
        artifact.write(exported.serialize(vjp_order=1))


def inputs(data32):
    """The parameters, the batch and the targets, as bench_rjax/export.rs makes them."""
    params = {
        "w1": data32(IN * HIDDEN, 0.2, (IN, HIDDEN)),
        "b1": data32(HIDDEN, 0.1, (HIDDEN,)),
        "w2": data32(HIDDEN * OUT, 0.2, (HIDDEN, OUT)),
        "b2": data32(OUT, 0.1, (OUT,)),
    }
    return params, data32(BATCH * IN, 1.0, (BATCH, IN)), data32(BATCH * OUT, 1.0, (BATCH, OUT))


def register(item, data32):
    """Registers the export item builders with the `item` decorator of jax_bench.jax_items."""
    import jax
    import jax.numpy as jnp
    from jax import export

    def load():
        with open(artifact_path(), "rb") as artifact:
            return export.deserialize(bytearray(artifact.read()))

    @item("export/call/mlp_b128_f32")
    def _():
        exported = load()
        params, x, _ = inputs(data32)
        call = jax.jit(exported.call)
        return "timed", lambda: call(params, x).block_until_ready()

    @item("export/jit_grad/mlp_b128_f32")
    def _():
        exported = load()
        params, x, y = inputs(data32)

        def loss(params, x, y):
            err = exported.call(params, x) - y
            return jnp.mean(err * err)

        gradient = jax.jit(jax.grad(loss))

        def body():
            grads = jax.block_until_ready(gradient(params, x, y))
            return grads["w1"]
        return "timed", body


if __name__ == "__main__":
    write_artifact(sys.argv[1])
