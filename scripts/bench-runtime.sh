#!/usr/bin/env bash
# The runtime dispatch benchmark beside its C floor, in one run on one machine:
#   1. a plain C loop over the PJRT C API (scripts/c-dispatch-baseline.c), and
#   2. rjax's criterion benchmark benches/runtime_dispatch.rs,
# both against the same plugin: each embedded CPU plugin in turn (v3, portable, official, where
# embedded for this platform; v3 needs an x86-64-v3 CPU), or only RJAX_PJRT_PLUGIN if set.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --benches
build_out=$(ls -td target/release/build/xla-sys-*/out | head -1)
header=$(grep -o '^cargo:header=.*' "$build_out"/../output | cut -d= -f2-)
if [[ -n ${RJAX_PJRT_PLUGIN:-} ]]; then
  plugins=("$RJAX_PJRT_PLUGIN")
else
  mapfile -t plugins < <(grep -o '^cargo:cpu_plugin_[a-z0-9]*=.\+' "$build_out"/../output | cut -d= -f2-)
fi

baseline=target/release/c-dispatch-baseline
cc -O2 -o "$baseline" -I "$(dirname "$header")" scripts/c-dispatch-baseline.c -ldl
for plugin in "${plugins[@]}"; do
  echo "== plugin: $plugin"
  "$baseline" "$plugin" "${ITERATIONS:-20000}" 2>/dev/null
  RJAX_PJRT_PLUGIN="$plugin" cargo bench --quiet --bench runtime_dispatch -- \
      --warm-up-time 2 --measurement-time 5 2>/dev/null | grep -E '^dispatch|time:'
done
