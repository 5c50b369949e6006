"""Golden data for rjax::optim (src/optim/), computed with Optax's own optimizers and schedules.

Run `python3 -P tests/golden/optim.py > tests/golden/optim.txt` in a venv holding Optax 0.2.6
(`pip install optax==0.2.6`), JAX 0.10.2 and NumPy; x64 mode is on, as in tests/optim.rs.

Each line: `<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`.

- `traj/<run>/w`, `traj/<run>/b`: the parameters after each of STEPS steps (dims STEPS, ...)
  of the optimizer `<run>` (the table RUNS below, rebuilt identically in tests/optim.rs),
  started from (W0, B0) and driven by the gradients of `loss` on the fixed data (X, Y).
  `traj/<run>/loss`: the loss before each step. Runs ending in `_f32` start from float32
  parameters and data.
- `state/<run>/<path>`: leaves of the final optimizer state (counts, moments).
- `traj_jit/<run>/...`: the same trajectories with the whole step under `jax.jit`. XLA
  compiles a jitted program's arithmetic differently (it turns float32 division by a constant
  into multiplication by its reciprocal, say), so schedules computed in float32 give other
  roundings than op-by-op execution; rjax's jitted step is compared with JAX's.
- `sched/<name>`, `sched_jit/<name>`: a schedule at the steps SCHEDULE_STEPS (int32 counts),
  op by op and under `jax.jit`.
"""

import importlib.metadata

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

STEPS = 20
X = np.sin(np.arange(15) * 0.7 + 0.1).reshape(5, 3)
Y = np.cos(np.arange(10) * 0.3).reshape(5, 2)
W0 = np.sin(np.arange(6) * 1.1 + 0.5).reshape(3, 2)
B0 = np.array([0.3, -0.2])


def loss(params, x, y):
    w, b = params
    r = x @ w + b - y
    return jnp.sum(r * r) * 0.1 + jnp.sum(w * w * w * w) * 0.01


WARMUP_COSINE = optax.warmup_cosine_decay_schedule(0.0, 0.1, 5, 20, 0.01)
EXPONENTIAL = optax.exponential_decay(0.05, 3, 0.7, transition_begin=2, staircase=True)

RUNS = {
    "sgd": optax.sgd(0.1),
    "sgd_momentum": optax.sgd(0.1, momentum=0.9),
    "sgd_nesterov": optax.sgd(0.1, momentum=0.9, nesterov=True),
    "sgd_warmup_cosine": optax.sgd(WARMUP_COSINE, momentum=0.5),
    "adam": optax.adam(0.05),
    "adam_nesterov": optax.adam(0.05, b1=0.8, b2=0.95, eps_root=1e-8, nesterov=True),
    "adam_mu_dtype": optax.adam(0.05, mu_dtype=jnp.float32),
    "adam_exponential": optax.adam(EXPONENTIAL),
    "adamw": optax.adamw(0.05, weight_decay=0.1),
    "adamw_mask": optax.adamw(0.05, weight_decay=0.1, mask=(True, False)),
    "rmsprop": optax.rmsprop(0.01),
    "rmsprop_centered": optax.rmsprop(0.01, centered=True, momentum=0.9),
    "rmsprop_options": optax.rmsprop(
        0.01, decay=0.8, initial_scale=0.1, eps_in_sqrt=False, momentum=0.5, nesterov=True,
        bias_correction=True),
    "adagrad": optax.adagrad(0.1),
    "lion": optax.lion(0.01),
    "lion_options": optax.lion(0.02, b1=0.8, b2=0.9, weight_decay=0.05),
    "clip_global_norm_adam": optax.chain(optax.clip_by_global_norm(0.5), optax.adam(0.05)),
    "clip_sgd": optax.chain(optax.clip(0.2), optax.sgd(0.1)),
    "decay_then_sgd": optax.chain(optax.add_decayed_weights(0.5), optax.sgd(0.1, momentum=0.9)),
    "sgd_then_decay": optax.chain(optax.sgd(0.1, momentum=0.9), optax.add_decayed_weights(0.5)),
    "scale_schedule": optax.chain(
        optax.scale_by_adam(), optax.scale_by_schedule(EXPONENTIAL), optax.scale(-1.0)),
    "adam_f32": optax.adam(0.05),
    "sgd_momentum_f32": optax.sgd(0.1, momentum=0.9),
    "adamw_clip_warmup_f32": optax.chain(
        optax.clip_by_global_norm(0.5), optax.adamw(WARMUP_COSINE, weight_decay=0.1)),
}

SCHEDULE_STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 15, 19, 20, 21, 25, 30, 100, 1000]

SCHEDULES = {
    "constant": optax.constant_schedule(0.3),
    "linear": optax.linear_schedule(0.1, 0.6, 10),
    "linear_begin": optax.linear_schedule(1.0, 0.1, 7, transition_begin=3),
    "polynomial": optax.polynomial_schedule(1.0, 0.2, 2.5, 15, transition_begin=2),
    "exponential": optax.exponential_decay(0.1, 4, 0.5),
    "exponential_staircase": EXPONENTIAL,
    "exponential_end": optax.exponential_decay(0.1, 2, 0.6, end_value=0.02),
    "exponential_growth_end": optax.exponential_decay(0.1, 3, 1.5, end_value=0.5),
    "cosine": optax.cosine_decay_schedule(0.2, 20),
    "cosine_alpha": optax.cosine_decay_schedule(0.2, 15, alpha=0.1, exponent=2.0),
    "warmup_cosine": WARMUP_COSINE,
    "warmup_cosine_exponent": optax.warmup_cosine_decay_schedule(
        0.01, 1.0, 4, 25, end_value=0.05, exponent=1.5),
    "piecewise": optax.piecewise_constant_schedule(0.5, {3: 0.5, 10: 0.1, 20: 2.0}),
}


def line(name, x):
    x = jnp.asarray(x)
    flat = np.asarray(x).reshape(-1)
    dims = ",".join(str(d) for d in x.shape)
    print(f"{name}|{x.dtype}|{dims}|{','.join(repr(float(v)) for v in flat)}")


def run(name, opt, jitted):
    dtype = jnp.float32 if name.endswith("_f32") else jnp.float64
    params = (jnp.asarray(W0, dtype), jnp.asarray(B0, dtype))
    x, y = jnp.asarray(X, dtype), jnp.asarray(Y, dtype)
    state = opt.init(params)

    def step(params, state):
        value, grads = jax.value_and_grad(loss)(params, x, y)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    if jitted:
        step = jax.jit(step)
    ws, bs, losses = [], [], []
    for _ in range(STEPS):
        params, state, value = step(params, state)
        losses.append(value)
        ws.append(params[0])
        bs.append(params[1])
    kind = "traj_jit" if jitted else "traj"
    line(f"{kind}/{name}/w", jnp.stack(ws))
    line(f"{kind}/{name}/b", jnp.stack(bs))
    line(f"{kind}/{name}/loss", jnp.stack(losses))
    if not jitted:
        for path, leaf in jax.tree_util.tree_leaves_with_path(state):
            line(f"state/{name}/{jax.tree_util.keystr(path, simple=True, separator='/')}", leaf)


def main():
    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}" for p in ["optax", "jax", "jaxlib", "numpy"])
    print(f"# {versions}")
    for jitted in [False, True]:
        for name, opt in RUNS.items():
            run(name, opt, jitted)
    for name, schedule in SCHEDULES.items():
        for kind, f in [("sched", schedule), ("sched_jit", jax.jit(schedule))]:
            values = [f(jnp.asarray(s, jnp.int32)) for s in SCHEDULE_STEPS]
            line(f"{kind}/{name}", jnp.stack([jnp.asarray(v) for v in values]))


if __name__ == "__main__":
    main()
