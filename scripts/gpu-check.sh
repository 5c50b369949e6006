#!/usr/bin/env bash
# Runs rjax's runtime tests and dispatch benchmark against JAX's CUDA plugin on a GPU machine.
#
#   scripts/gpu-check.sh build   # here: build the test and bench binaries into gpu-check/
#   scripts/gpu-check.sh run     # on the GPU machine, from the repository root
#
# The binaries dlopen the plugin, so they need no CUDA at build time. `run` finds the CUDA
# plugin the way rjax does (RJAX_PJRT_PLUGIN, PJRT_PLUGIN_LIBRARY_PATH, PYTHONPATH, VIRTUAL_ENV,
# python3's site-packages); JAX_VENV (default /opt/torch/.venv) is added to PYTHONPATH when it
# exists. It prints the C-loop floor, rjax's dispatch figures and JAX's for the same program.
# With the device tool: run `build` here, then carry gpu-check/ and call `run` there.
set -euo pipefail
cd "$(dirname "$0")/.."
out=gpu-check

build() {
  rm -rf "$out" && mkdir -p "$out"
  cargo build --release --quiet --tests --benches
  for test in runtime_transfer runtime_execute; do
    cp "$(ls -t target/release/deps/$test-* | grep -v '\.d$' | head -1)" "$out/$test"
  done
  cp "$(ls -t target/release/deps/runtime_dispatch-* | grep -v '\.d$' | head -1)" "$out/runtime_dispatch"
  local build_out header
  build_out=$(ls -td target/release/build/xla-sys-*/out | head -1)
  header=$(grep -o '^cargo:header=.*' "$build_out"/../output | cut -d= -f2-)
  cc -O2 -o "$out/c-dispatch-baseline" -I "$(dirname "$header")" scripts/c-dispatch-baseline.c -ldl
  cp scripts/jax-dispatch.py "$out/"
  du -sh "$out"
}

run() {
  local venv=${JAX_VENV:-/opt/torch/.venv}
  local python=python3
  if [ -d "$venv" ]; then
    export PYTHONPATH="$(ls -d "$venv"/lib/python3*/site-packages | head -1)${PYTHONPATH:+:$PYTHONPATH}"
    python="$venv/bin/python"
  fi
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
  local plugin=${RJAX_PJRT_PLUGIN:-$(ls "$PYTHONPATH"/jax_plugins/xla_cuda1*/xla_cuda_plugin.so 2>/dev/null | head -1)}
  echo "== CUDA plugin: ${plugin:-not found, relying on the discovery of rjax}"
  export RJAX_TEST_PLATFORM=cuda RJAX_PLATFORMS=cuda
  for test in runtime_transfer runtime_execute; do
    echo "== $test"
    "$out/$test" --test-threads 1 2>&1 | grep -E '^test |test result|panicked|skipping|Error' || true
  done
  if [ -n "$plugin" ]; then
    echo "== C floor over the C API ($plugin)"
    "$out/c-dispatch-baseline" "$plugin" 20000 2>/dev/null
  fi
  echo "== rjax"
  "$out/runtime_dispatch" --bench --warm-up-time 2 --measurement-time 5 2>/dev/null | grep -E '^dispatch|time:'
  echo "== JAX"
  "$python" "$out/jax-dispatch.py" || true
}

case "${1:-}" in
  build) build ;;
  run) run ;;
  *) echo "usage: $0 build|run" >&2; exit 2 ;;
esac
