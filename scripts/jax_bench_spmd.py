"""The SPMD items of scripts/jax_bench.py, as examples/bench_rjax/spmd.rs writes them: a
sharded matmul under jit and a data-parallel MLP step under shard_map, on meshes of 1, 2, 4
and 8 CPU devices (the worker runs with --xla_force_host_platform_device_count=8)."""

ITEMS = [
    ("spmd/jit_sharded_matmul/d1_1024_f32", False),
    ("spmd/jit_sharded_matmul/d2_1024_f32", False),
    ("spmd/jit_sharded_matmul/d4_1024_f32", False),
    ("spmd/jit_sharded_matmul/d8_1024_f32", False),
    ("spmd/jit_dp_mlp_step/d1_b1024_f32", False),
    ("spmd/jit_dp_mlp_step/d2_b1024_f32", False),
    ("spmd/jit_dp_mlp_step/d4_b1024_f32", False),
    ("spmd/jit_dp_mlp_step/d8_b1024_f32", False),
]


def register(item, data32):
    """Registers the SPMD item builders with the `item` decorator of jax_bench.jax_items."""
    import jax
    import jax.numpy as jnp
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

    def mesh_of(devices):
        return Mesh(jax.devices()[:devices], ("d",))

    def loss(params, x, y):
        w1, b1, w2 = params
        hidden = jnp.tanh(x @ w1 + b1)
        err = hidden @ w2 - y
        return jnp.sum(err * err) / err.size

    for devices in (1, 2, 4, 8):
        @item(f"spmd/jit_sharded_matmul/d{devices}_1024_f32")
        def _(devices=devices):
            mesh = mesh_of(devices)
            rows = NamedSharding(mesh, P("d"))
            a = jax.device_put(data32(1024 * 1024, 1.0, (1024, 1024)), rows)
            b = jax.device_put(data32(1024 * 1024, 2.0, (1024, 1024)), NamedSharding(mesh, P()))
            matmul = jax.jit(lambda a, b: a @ b, out_shardings=rows)
            return "timed", lambda: matmul(a, b).block_until_ready()

        @item(f"spmd/jit_dp_mlp_step/d{devices}_b1024_f32")
        def _(devices=devices):
            mesh = mesh_of(devices)
            rows, replicated = NamedSharding(mesh, P("d")), NamedSharding(mesh, P())
            params = tuple(
                jax.device_put(v, replicated)
                for v in (data32(64 * 256, 0.2, (64, 256)), data32(256, 0.1, (256,)),
                          data32(256, 0.2, (256, 1)))
            )
            x = jax.device_put(data32(1024 * 64, 1.0, (1024, 64)), rows)
            y = jax.device_put(data32(1024, 1.0, (1024, 1)), rows)

            def step(p, x, y):
                g = jax.grad(loss)(p, x, y)
                return tuple(pi - jax.lax.pmean(gi, "d") * 0.01 for pi, gi in zip(p, g))

            # check_vma=False: the gradient inside the body is each device's own, averaged by
            # pmean, as in rjax (JAX's default would sum it over the devices first).
            spec = P()
            stepped = jax.jit(jax.shard_map(step, mesh=mesh,
                                            in_specs=((spec, spec, spec), P("d"), P("d")),
                                            out_specs=spec, check_vma=False))
            return "timed", lambda: stepped(params, x, y)[0].block_until_ready()
