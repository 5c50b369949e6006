"""JAX's side of scripts/bench-vs-jax.sh, and the driver that runs both sides interleaved.

The items mirror examples/bench_rjax.rs one for one: the same names, sizes, dtypes, data
(jax.random.normal with PRNGKey(0), bit-identical to rjax::random, or the same deterministic
formulas) and warm-up rule. Modes:

  jax_bench.py list                  the item names, each with x64 or x32 (and jax-only for
                                     the NumPy references of JAX_ONLY)
  jax_bench.py worker                the line protocol the driver speaks (see bench_rjax.rs)
  jax_bench.py startup               the notebook's first jitted gradient from a fresh process
  jax_bench.py startup-train         the first epoch of scripts/train_mlp_jax.py from a fresh
                                     process
  jax_bench.py run [ITEM...]         items on their own: `ITEM median_seconds` lines
  jax_bench.py drive --rjax BIN --python PY [options]
                                     starts a JAX worker (PY jax_bench.py worker) and an rjax
                                     worker (BIN worker), runs every item on both, alternating
                                     the two batch by batch, and prints the table; then
                                     times the JAX_ONLY items on the JAX worker alone and
                                     prints the matmul items' GFLOP/s beside NumPy's

Only `drive` runs without JAX: it imports nothing beyond the standard library.
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import time

PROCESS_START = time.perf_counter()

import jax_bench_export  # noqa: E402  (the export items; imports only the standard library)
import jax_bench_linalg  # noqa: E402  (the linalg items; imports only the standard library)
import jax_bench_spmd  # noqa: E402  (the SPMD items; imports nothing but the standard library)

# The SPMD items need 8 CPU devices, as rjax's worker asks for (set before JAX starts).
CPU_DEVICES_FLAG = "--xla_force_host_platform_device_count=8"

ITEMS = [
    ("dispatch/jit_x_plus_1/f32_scalar", False),
    ("dispatch/eager_sin/f32x3", False),
    ("dispatch/jit_sin/f32x3_resident", False),
    ("dispatch/jit_sin/f32x3_from_host", False),
    ("dispatch/grad_sin/f64_scalar", True),
    ("dispatch/jit_grad_f/n10_f64", True),
    ("vmap/jit_vmap_matvec/1000x256_f32", False),
    ("vmap/jit_vmap_grad/1000x100_f32", False),
    ("numpy/jit_einsum_bij_bjk/b64_128x128_f32", False),
    ("random/jit_normal/1e7_f32", False),
    ("random/jit_normal/1e7_f64", True),
    ("scan/jit_rnn/t1000_h32_x16_f32", False),
    ("scan/jit_grad_rnn/t1000_h32_x16_f32", False),
    ("notebook/analytic_grad/n1000", True),
    ("notebook/grad_f/n1000", True),
    ("notebook/jit_grad_f/n1000", True),
    ("notebook/jit_hessian_f/n1000", True),
    ("notebook/hessian_by_hand/n1000", True),
    ("notebook/jit_jacrev_jacrev_f/n1000", True),
    ("notebook/jit_jacfwd_f/n1000", True),
    ("notebook/jit_jacrev_f/n1000", True),
    ("notebook/jit_jacfwd_fvec/m1000_n1000", True),
    ("notebook/jit_jacrev_fvec/m1000_n1000", True),
    ("notebook/jit_jacfwd_fvec/m1000_n10", True),
    ("notebook/jit_jacrev_fvec/m1000_n10", True),
    ("notebook/hvp_by_hand/n3000", True),
    ("notebook/hvp_jvp/n3000", True),
    ("notebook/jit_hvp_jvp/n3000", True),
    ("first_call/jit_grad_f/n1000", True),
    ("first_call/jit_hessian_f/n1000", True),
    ("train/jit_mlp_step/digits_b128_f32", False),
] + jax_bench_export.ITEMS + jax_bench_linalg.ITEMS + jax_bench_spmd.ITEMS

# The rows timed from the start of fresh processes: label, then the mode both workers run.
STARTUPS = [
    ("startup/first_jit_grad_f/n1000", "startup"),
    ("startup/train_mlp_first_epoch/digits_f32", "startup-train"),
]

# Items only the JAX worker times (NumPy references), outside the table and its ratios.
JAX_ONLY = jax_bench_linalg.JAX_ONLY

# ---------------------------------------------------------------------------------------------
# JAX's side (imports jax lazily, so that `drive` does not).


def jax_items():
    """The item builders: name -> function returning ("timed", body) or ("first_call", shot)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    def normal64(shape):
        return jax.random.normal(jax.random.PRNGKey(0), shape).block_until_ready()

    def data32(count, scale, shape):
        i = np.arange(count)
        values = ((((i * 7919) % 1009) / 1009.0 - 0.5) * scale).astype(np.float32)
        return jax.device_put(values.reshape(shape))

    def notebook_args(n, m):
        return normal64((n,)), normal64((m, n)), normal64((m,))

    def make_f():
        def f(x, A, b):
            res = A @ x - b
            return res @ res
        return f

    def fvec(x, A, b):
        y = A @ x + b
        return jnp.exp(y - jnp.max(y)) / jnp.sum(jnp.exp(y - jnp.max(y)))

    def hvp(f, x, z, *args):
        def g(x):
            return f(x, *args)
        return jax.jvp(jax.grad(g), (x,), (z,))[1]

    def timed_call(fn, *args):
        return "timed", lambda: fn(*args).block_until_ready()

    items = {}

    def item(name):
        def register(build):
            items[name] = build
            return build
        return register

    jax_bench_linalg.register(item)
    jax_bench_spmd.register(item, data32)
    jax_bench_export.register(item, data32)

    @item("dispatch/jit_x_plus_1/f32_scalar")
    def _():
        plus_one = jax.jit(lambda x: x + 1.0)
        scalar = jax.device_put(np.float32(1.0))
        return timed_call(plus_one, scalar)

    @item("dispatch/eager_sin/f32x3")
    def _():
        vector = jax.device_put(np.array([0.5, 1.0, 2.0], dtype=np.float32))
        return timed_call(jnp.sin, vector)

    @item("dispatch/jit_sin/f32x3_resident")
    def _():
        sine = jax.jit(jnp.sin)
        vector = jax.device_put(np.array([0.5, 1.0, 2.0], dtype=np.float32))
        return timed_call(sine, vector)

    @item("dispatch/jit_sin/f32x3_from_host")
    def _():
        sine = jax.jit(jnp.sin)
        host = np.array([0.5, 1.0, 2.0], dtype=np.float32)
        return timed_call(sine, host)

    @item("dispatch/grad_sin/f64_scalar")
    def _():
        dsin = jax.grad(jnp.sin)
        one = jax.device_put(np.float64(1.0))
        return timed_call(dsin, one)

    @item("dispatch/jit_grad_f/n10_f64")
    def _():
        f = jax.jit(make_f())
        return timed_call(jax.jit(jax.grad(f, argnums=0)), *notebook_args(10, 10))

    @item("vmap/jit_vmap_matvec/1000x256_f32")
    def _():
        matrix = data32(256 * 256, 1.0, (256, 256))
        vectors = data32(1000 * 256, 2.0, (1000, 256))
        return timed_call(jax.jit(jax.vmap(lambda v: matrix @ v)), vectors)

    @item("vmap/jit_vmap_grad/1000x100_f32")
    def _():
        weights = data32(100, 0.1, (100,))
        features = data32(1000 * 100, 1.0, (1000, 100))
        targets = data32(1000, 3.0, (1000,))

        def loss(w, x, y):
            error = w @ x - y
            return error * error

        per_example = jax.jit(jax.vmap(jax.grad(loss, argnums=(0, 1, 2)), in_axes=(None, 0, 0)))
        return "timed", lambda: per_example(weights, features, targets)[0].block_until_ready()

    @item("numpy/jit_einsum_bij_bjk/b64_128x128_f32")
    def _():
        a = data32(64 * 128 * 128, 1.0, (64, 128, 128))
        b = data32(64 * 128 * 128, 2.0, (64, 128, 128))
        return timed_call(jax.jit(lambda a, b: jnp.einsum("bij,bjk->bik", a, b)), a, b)

    def jit_normal(dtype):
        sample = jax.jit(lambda key: jax.random.normal(key, (10**7,), dtype))
        return timed_call(sample, jax.random.PRNGKey(0))

    @item("random/jit_normal/1e7_f32")
    def _():
        return jit_normal(jnp.float32)

    @item("random/jit_normal/1e7_f64")
    def _():
        return jit_normal(jnp.float64)

    def rnn(W, U, b, xs):
        def cell(h, x):
            h = jnp.tanh(W @ h + U @ x + b)
            return h, h
        return jax.lax.scan(cell, jnp.zeros(W.shape[0], jnp.float32), xs)[1]

    def rnn_args():
        return (data32(32 * 32, 0.3, (32, 32)), data32(32 * 16, 0.5, (32, 16)),
                data32(32, 0.1, (32,)), data32(1000 * 16, 2.0, (1000, 16)))

    @item("scan/jit_rnn/t1000_h32_x16_f32")
    def _():
        return timed_call(jax.jit(rnn), *rnn_args())

    @item("scan/jit_grad_rnn/t1000_h32_x16_f32")
    def _():
        def loss(W, U, b, xs):
            hs = rnn(W, U, b, xs)
            return jnp.sum(hs * hs)

        grad_rnn = jax.jit(lambda W, U, b, xs: jax.grad(loss, argnums=(0, 1, 2))(W, U, b, xs)[0])
        return timed_call(grad_rnn, *rnn_args())

    @item("notebook/analytic_grad/n1000")
    def _():
        x, A, b = notebook_args(1000, 1000)
        return "timed", lambda: (2 * A.T @ (A @ x - b)).block_until_ready()

    @item("notebook/grad_f/n1000")
    def _():
        gradf = jax.grad(jax.jit(make_f()), argnums=0)
        return timed_call(gradf, *notebook_args(1000, 1000))

    @item("notebook/jit_grad_f/n1000")
    def _():
        jit_gradf = jax.jit(jax.grad(jax.jit(make_f()), argnums=0))
        return timed_call(jit_gradf, *notebook_args(1000, 1000))

    @item("notebook/jit_hessian_f/n1000")
    def _():
        hess_func = jax.jit(jax.hessian(jax.jit(make_f())))
        return timed_call(hess_func, *notebook_args(1000, 1000))

    @item("notebook/hessian_by_hand/n1000")
    def _():
        _, A, _ = notebook_args(1000, 1000)
        return "timed", lambda: (2 * A.T @ A).block_until_ready()

    @item("notebook/jit_jacrev_jacrev_f/n1000")
    def _():
        hess_umul_func = jax.jit(jax.jacrev(jax.jacrev(jax.jit(make_f()))))
        return timed_call(hess_umul_func, *notebook_args(1000, 1000))

    @item("notebook/jit_jacfwd_f/n1000")
    def _():
        return timed_call(jax.jit(jax.jacfwd(jax.jit(make_f()))), *notebook_args(1000, 1000))

    @item("notebook/jit_jacrev_f/n1000")
    def _():
        return timed_call(jax.jit(jax.jacrev(jax.jit(make_f()))), *notebook_args(1000, 1000))

    for n in (1000, 10):
        for mode, transform in (("jacfwd", jax.jacfwd), ("jacrev", jax.jacrev)):
            def build(n=n, transform=transform):
                return timed_call(jax.jit(transform(fvec)), *notebook_args(n, 1000))
            items[f"notebook/jit_{mode}_fvec/m1000_n{n}"] = build

    @item("notebook/hvp_by_hand/n3000")
    def _():
        A, z = normal64((3000, 3000)), normal64((3000,))
        return "timed", lambda: (2 * A.T @ (A @ z)).block_until_ready()

    @item("notebook/hvp_jvp/n3000")
    def _():
        x, A, b = notebook_args(3000, 3000)
        z = normal64((3000,))
        f = jax.jit(make_f())
        return "timed", lambda: hvp(f, x, z, A, b).block_until_ready()

    @item("notebook/jit_hvp_jvp/n3000")
    def _():
        x, A, b = notebook_args(3000, 3000)
        z = normal64((3000,))
        f = jax.jit(make_f())
        jit_hvp = jax.jit(hvp, static_argnums=0)
        return "timed", lambda: jit_hvp(f, x, z, A, b).block_until_ready()

    def first_call(transform):
        args = notebook_args(1000, 1000)

        def shot():
            # Fresh Python functions each time, so that no trace or compilation is reused.
            fresh = jax.jit(transform(make_f()))
            start = time.perf_counter()
            fresh(*args).block_until_ready()
            total = time.perf_counter() - start

            fresh = jax.jit(transform(make_f()))
            start = time.perf_counter()
            lowered = fresh.lower(*args)
            lowered_at = time.perf_counter() - start
            compiled = lowered.compile()
            compiled_at = time.perf_counter() - start
            compiled(*args).block_until_ready()
            ran_at = time.perf_counter() - start
            return [("total", total), ("trace+lower", lowered_at),
                    ("compile", compiled_at - lowered_at), ("first_run", ran_at - compiled_at)]
        return "first_call", shot

    items["first_call/jit_grad_f/n1000"] = lambda: first_call(lambda f: jax.grad(f, argnums=0))
    items["first_call/jit_hessian_f/n1000"] = lambda: first_call(jax.hessian)

    @item("train/jit_mlp_step/digits_b128_f32")
    def _():
        import train_mlp_jax  # scripts/train_mlp_jax.py: the same training as examples/train_mlp
        return "timed", train_mlp_jax.timed_step(train_mlp_jax.digits_csv())

    missing = {name for name, _ in ITEMS + JAX_ONLY} ^ set(items)
    assert not missing, f"items out of step with ITEMS and JAX_ONLY: {missing}"
    return items


def norm(y):
    import numpy as np
    return float(np.sqrt(np.sum(np.asarray(y, dtype=np.float64) ** 2)))


def time_loops(body, loops):
    start = time.perf_counter()
    for _ in range(loops):
        body()
    return (time.perf_counter() - start) / loops


def warm_up(body, warmup, target):
    """The warm-up rule of bench_rjax.rs: batches of 1, 2, 4, ... calls (doubling while a batch
    takes under warmup / 8) until `warmup` seconds are spent; then a batch is as many calls as
    take about `target` seconds at the last rate (at least 1)."""
    loops, spent = 1, 0.0
    while True:
        per_call = time_loops(body, loops)
        spent += per_call * loops
        if spent >= warmup:
            return max(1, round(target / per_call))
        if per_call * loops < warmup / 8:
            loops *= 2


class Worker:
    def __init__(self):
        import jax
        self.jax = jax
        self.items = jax_items()
        self.active = None  # (name, kind, body, loops)

    def command(self, words):
        jax = self.jax
        if words[0] == "setup" and len(words) == 4:
            name, warmup, target = words[1], float(words[2]), float(words[3])
            self.active = None
            jax.config.update("jax_enable_x64", dict(ITEMS + JAX_ONLY)[name])
            start = time.perf_counter()
            kind, body = self.items[name]()
            if kind == "timed":
                t = time.perf_counter()
                y = body()
                first = time.perf_counter() - t
                check = norm(y)
                loops = warm_up(body, warmup, target)
            else:
                t = time.perf_counter()
                body()  # the warm-up measurement, discarded
                first, check, loops = time.perf_counter() - t, math.nan, 1
            self.active = (name, kind, body, loops)
            return (f"ok setup {name} loops={loops} first={first!r} check={check!r} "
                    f"setup={time.perf_counter() - start!r}")
        if words[0] == "batch" and len(words) == 2:
            if not self.active or self.active[0] != words[1]:
                raise RuntimeError(f"{words[1]} is not set up")
            name, kind, body, loops = self.active
            figures = [("time", time_loops(body, loops))] if kind == "timed" else body()
            return f"ok batch {name} " + " ".join(f"{k}={v!r}" for k, v in figures)
        if words[0] == "done" and len(words) == 2:
            self.active = None
            return f"ok done {words[1]}"
        raise RuntimeError(f"unknown command {words}")


def answer(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def worker():
    w = Worker()
    device = w.jax.devices()[0]
    answer(f"ok hello jax {w.jax.__version__} platform={device.platform}")
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words == ["quit"]:
            break
        try:
            answer(w.command(words))
        except Exception as error:  # reported to the driver, which stops
            w.active = None
            answer("err " + f"{type(error).__name__}: {error}".replace("\n", " "))


def startup():
    """From process start (the driver times the whole process) to the first result of the
    notebook's first jitted gradient: import, x64, data, trace, compile, run."""
    import jax
    jax.config.update("jax_enable_x64", True)

    @jax.jit
    def f(x, A, b):
        res = A @ x - b
        return res @ res

    jit_gradf = jax.jit(jax.grad(f, argnums=0))
    n = 1000
    x = jax.random.normal(jax.random.PRNGKey(0), (n,))
    A = jax.random.normal(jax.random.PRNGKey(0), (n, n))
    b = jax.random.normal(jax.random.PRNGKey(0), (n,))
    g = jit_gradf(x, A, b).block_until_ready()
    answer(f"startup check={norm(g):e} internal={time.perf_counter() - PROCESS_START:e}")


def startup_train():
    """From process start (the driver times the whole process) to the end of the first epoch
    of scripts/train_mlp_jax.py: imports, data, model, optimizer, trace, compile, 11 steps."""
    import train_mlp_jax
    loss = train_mlp_jax.first_epoch(train_mlp_jax.digits_csv())
    answer(f"startup check={norm(loss):e} internal={time.perf_counter() - PROCESS_START:e}")


def run(names):
    w = Worker()
    for name in names or [name for name, _ in ITEMS + JAX_ONLY]:
        reply = w.command(["setup", name, "0.5", "0.25"])
        samples = [w.command(["batch", name]).split()[3:] for _ in range(7)]
        w.command(["done", name])
        for index, figure in enumerate(samples[0]):
            key = figure.split("=")[0]
            value = statistics.median(float(s[index].split("=")[1]) for s in samples)
            label = name if key in ("time", "total") else f"{name}:{key}"
            print(label, f"{value:e}")
        print("#", reply, file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# The driver.


class Process:
    """A worker process speaking the line protocol."""

    def __init__(self, label, argv, env):
        self.label = label
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True, bufsize=1)
        self.hello = self.read()

    def read(self):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"{self.label} worker exited (status {self.proc.wait()})")
            if line.startswith("ok ") or line.startswith("err "):
                break
        if line.startswith("err "):
            raise SystemExit(f"{self.label}: {line[4:].strip()}")
        return line.split()[2:]

    def ask(self, *words):
        self.proc.stdin.write(" ".join(words) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait()


def fields(words):
    return {k: float(v) for k, v in (w.split("=", 1) for w in words if "=" in w)}


def human(seconds):
    if seconds != seconds:
        return "-"
    for scale, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def startup_time(argv, env):
    start = time.perf_counter()
    out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
    elapsed = time.perf_counter() - start
    line = next(line for line in out.splitlines() if line.startswith("startup "))
    return elapsed, fields(line.split()[1:])


def drive(options):
    started = time.perf_counter()
    here = os.path.abspath(__file__)
    jax_env = dict(os.environ, **({"JAX_PLATFORMS": options.jax_platforms}
                                  if options.jax_platforms else {}))
    rjax_env = dict(os.environ)
    # A JAX worker that preallocates most of a GPU's memory would starve the rjax worker.
    worker_jax_env = dict(jax_env, XLA_PYTHON_CLIENT_PREALLOCATE="false")
    rjax_names = subprocess.run([options.rjax, "list"], stdout=subprocess.PIPE, text=True,
                                check=True, env=rjax_env).stdout.split()[0::2]
    names = [name for name, _ in ITEMS]
    if rjax_names != names:
        raise SystemExit(f"the item lists differ: {sorted(set(rjax_names) ^ set(names))}")
    jax_only = [name for name, _ in JAX_ONLY]
    if options.only:
        names = [name for name in names if any(word in name for word in options.only)]
        jax_only = [name for name in jax_only if any(word in name for word in options.only)]

    raw = open(options.raw, "w") if options.raw else None
    rows = []  # (label, jax median, rjax median, note)
    jax = Process("JAX", [options.python, here, "worker"], worker_jax_env)
    rjax = Process("rjax", [options.rjax, "worker"], rjax_env)
    print(f"# JAX: {' '.join(jax.hello)}; rjax: {' '.join(rjax.hello)}", file=sys.stderr)
    try:
        for index, name in enumerate(names):
            sides = (jax, rjax) if index % 2 == 0 else (rjax, jax)
            setups = {}
            for side in sides:
                setups[side.label] = fields(
                    side.ask("setup", name, str(options.warmup), str(options.target)))
            samples = {"JAX": [], "rjax": []}
            for batch in range(options.batches):
                for side in (sides if batch % 2 == 0 else sides[::-1]):
                    # The other side's worker threads (OpenBLAS, XLA's pool, rayon) spin for
                    # a while after its batch and would take a core from this one.
                    time.sleep(options.pause)
                    samples[side.label].append(fields(side.ask("batch", name)[1:]))
            for side in sides:
                side.ask("done", name)
            note = ""
            a, b = setups["JAX"]["check"], setups["rjax"]["check"]
            if not (math.isnan(a) and math.isnan(b)):
                tolerance = 1e-4 if "f32" in name else 1e-7
                if not abs(a - b) <= tolerance * max(abs(a), abs(b)):
                    note = f"results differ: norm {a:.10g} (JAX) vs {b:.10g} (rjax)"
            for key in samples["JAX"][0]:
                medians = [statistics.median(s[key] for s in samples[label])
                           for label in ("JAX", "rjax")]
                label = name if key in ("time", "total") else f"{name}:{key}"
                rows.append((label, medians[0], medians[1], note if key in ("time", "total") else ""))
                if raw:
                    for side in ("JAX", "rjax"):
                        print(label, side, *(f"{s[key]:e}" for s in samples[side]),
                              sep="\t", file=raw)
            main = next(row for row in reversed(rows) if row[0] == name)
            print(f"# {name}: JAX {human(main[1])} (setup {setups['JAX']['setup']:.2f} s), "
                  f"rjax {human(main[2])} (setup {setups['rjax']['setup']:.2f} s)",
                  file=sys.stderr, flush=True)
        jax_only_times = {}  # name -> median
        for name in jax_only:
            jax.ask("setup", name, str(options.warmup), str(options.target))
            times = [fields(jax.ask("batch", name)[1:])["time"] for _ in range(options.batches)]
            jax.ask("done", name)
            jax_only_times[name] = statistics.median(times)
            if raw:
                print(name, "JAX", *(f"{t:e}" for t in times), sep="\t", file=raw)
            print(f"# {name}: {human(jax_only_times[name])} (JAX worker only)",
                  file=sys.stderr, flush=True)
    finally:
        jax.close()
        rjax.close()

    for label, mode in STARTUPS:
        if options.only and not any(word in label for word in options.only):
            continue
        # Fresh processes, alternating; the first of each is a discarded warm-up (page cache).
        times = {"JAX": [], "rjax": []}
        for rep in range(options.startups + 1):
            runs = [("JAX", [options.python, here, mode], jax_env),
                    ("rjax", [options.rjax, mode], rjax_env)]
            for side, argv, env in (runs if rep % 2 == 0 else runs[::-1]):
                elapsed, _ = startup_time(argv, env)
                if rep > 0:
                    times[side].append(elapsed)
        medians = [statistics.median(times[side]) for side in ("JAX", "rjax")]
        rows.append((label, medians[0], medians[1], ""))
        if raw:
            for side in ("JAX", "rjax"):
                print(label, side, *(f"{t:e}" for t in times[side]), sep="\t", file=raw)

    width = max(len(row[0]) for row in rows)
    print(f"{'item':<{width}}  {'JAX':>10}  {'rjax':>10}  {'rjax/JAX':>8}")
    worst = None
    for label, j, r, note in rows:
        ratio = r / j
        if worst is None or ratio > worst[0]:
            worst = (ratio, label)
        print(f"{label:<{width}}  {human(j):>10}  {human(r):>10}  {ratio:8.2f}"
              + (f"  {note}" if note else ""))
    print(f"worst ratio rjax/jax: {worst[0]:.2f} ({worst[1]})")
    for line in jax_bench_linalg.matmul_rates(rows, jax_only_times):
        print(line)
    print(f"# {len(rows)} rows in {time.perf_counter() - started:.0f} s "
          f"({options.batches} batches per item, interleaved)", file=sys.stderr)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode in ("worker", "run"):
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + CPU_DEVICES_FLAG).strip()
    if mode == "list":
        for name, x64 in ITEMS:
            print(name, "x64" if x64 else "x32")
        for name, x64 in JAX_ONLY:
            print(name, "x64" if x64 else "x32", "jax-only")
    elif mode == "worker":
        worker()
    elif mode == "startup":
        startup()
    elif mode == "startup-train":
        startup_train()
    elif mode == "run":
        run(sys.argv[2:])
    elif mode == "drive":
        parser = argparse.ArgumentParser(prog="jax_bench.py drive")
        parser.add_argument("--rjax", required=True, help="the bench_rjax binary")
        parser.add_argument("--python", default=sys.executable, help="the Python with JAX")
        parser.add_argument("--jax-platforms", default="", help="JAX_PLATFORMS for JAX")
        parser.add_argument("--batches", type=int, default=11)
        parser.add_argument("--pause", type=float, default=0.2,
                            help="idle seconds before each batch, so the other side's "
                                 "spinning threads go to sleep")
        parser.add_argument("--warmup", type=float, default=0.5, help="warm-up seconds")
        parser.add_argument("--target", type=float, default=0.25, help="seconds per batch")
        parser.add_argument("--startups", type=int, default=5, help="fresh processes per side")
        parser.add_argument("--raw", help="write every batch's figures to this TSV file")
        parser.add_argument("--only", nargs="*", help="items whose names contain a word")
        drive(parser.parse_args(sys.argv[2:]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
