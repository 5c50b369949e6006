#!/usr/bin/env bash
# rjax against JAX, in one run on one machine: every timed cell of the reference notebook
# (../shared/seed-notebook.md), the dispatch microbenchmarks, the vmap benchmarks, first-call
# times (trace + lower + compile + run, and the ahead-of-time split), the training step of
# examples/train_mlp (scripts/train_mlp_jax.py in JAX + Optax: the same MLP, data, batch and
# dtype), the calls of a jax.export artifact (JAX's jitted `exp.call` against rjax's
# `Exported::call`, inference and a gradient through the serialized VJP; the artifact
# is written by scripts/jax_bench_export.py into target/ first), and the time from process
# start to the notebook's first jitted gradient and to the end of that training's first epoch.
# Both sides compute the same things on the same data (jax.random / rjax::random with
# PRNGKey(0), bit-identical; or the same formulas), with the same warm-up rule, and run
# interleaved batch by batch: a JAX worker process and an rjax worker process
# (examples/bench_rjax.rs) driven by scripts/jax_bench.py. It prints one table
# (medians per call; rjax/JAX above 1 means rjax is slower) and last the worst ratio.
#
# JAX: by default the pinned CPU JAX of scripts/python-requirements.txt, in the virtual
# environment scripts/python-env.sh creates once (pip must reach PyPI the first time).
# JAX_PYTHON=/path/to/python uses that interpreter's JAX instead; on a machine with an NVIDIA
# GPU, a Python whose JAX sees the GPU ($JAX_VENV, /opt/torch/.venv, python3) is used when one
# exists, and rjax then runs on the same CUDA plugin (found through RJAX_PYTHON).
#
# Options go to the driver: --batches N (default 11), --warmup S (0.5), --target S (0.25 s per
# batch), --pause S (0.2 s idle before each batch, so that the other side's spinning threads
# sleep), --startups N (5 fresh processes per side), --only WORD... (items containing a word),
# --raw FILE (every batch's figures; default target/bench-vs-jax.tsv).
#
# Linear algebra on its own: `scripts/bench-vs-jax.sh --only linalg` (eigh, eigvalsh, svd, qr,
# cholesky, solve, inv, det, lstsq and matmul, float64 at 500 and 1000, float32 at 500; after
# the table, the matmul items' GFLOP/s for rjax, JAX and NumPy, NumPy timed in the JAX worker).
# Linalg timings need a quiet machine: JAX's LAPACK threads slow down 10-50x when another
# process holds one of the cores (seen with two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

gpu_python() {
  command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 || return 1
  local candidate
  for candidate in ${JAX_VENV:+"$JAX_VENV/bin/python"} /opt/torch/.venv/bin/python python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import jax, sys; sys.exit(jax.devices()[0].platform != "gpu")' >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

platform=cpu
if [ -n "${JAX_PYTHON:-}" ]; then
  python=$JAX_PYTHON
  "$python" -c 'import jax, sys; sys.exit(jax.devices()[0].platform != "gpu")' 2>/dev/null && platform=gpu
elif python=$(gpu_python); then
  platform=gpu
else
  python=$(scripts/python-env.sh)
fi

if [ "$platform" = gpu ]; then
  # rjax finds JAX's CUDA plugin through the interpreter's sys.path.
  export RJAX_PYTHON=$python RJAX_PLATFORMS=${RJAX_PLATFORMS:-cuda}
  jax_platforms=${JAX_PLATFORMS:-}
else
  export RJAX_PLATFORMS=${RJAX_PLATFORMS:-cpu}
  jax_platforms=${JAX_PLATFORMS:-cpu}
fi
# Neither side gets x64 from the environment: each item sets it as the notebook does.
unset JAX_ENABLE_X64
# The training items' data (fetched once into the cache), read by both sides.
RJAX_DIGITS_CSV=${RJAX_DIGITS_CSV:-$(scripts/fetch-digits.sh)}
export RJAX_DIGITS_CSV
# The export items' artifact, written by JAX now and read by both workers.
RJAX_BENCH_EXPORT=${RJAX_BENCH_EXPORT:-target/bench-export/mlp.jax_exported}
export RJAX_BENCH_EXPORT
mkdir -p "$(dirname "$RJAX_BENCH_EXPORT")"
JAX_PLATFORMS=$jax_platforms "$python" -P scripts/jax_bench_export.py "$RJAX_BENCH_EXPORT"

echo "== building examples/bench_rjax (release)" >&2
cargo build --release --quiet --example bench_rjax
echo "== JAX from $python ($("$python" -c 'import jax; print(jax.__version__)')), platform $platform" >&2
"$python" scripts/jax_bench.py drive --rjax target/release/examples/bench_rjax \
  --python "$python" --jax-platforms "$jax_platforms" --raw target/bench-vs-jax.tsv "$@"
echo "# total $(( $(date +%s) - started )) s, build included" >&2
