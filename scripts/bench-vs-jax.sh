#!/usr/bin/env bash
# rjax and JAX side by side, in one run on one machine: each figure's time per call and the
# ratio JAX / rjax (above 1 means rjax is faster). JAX comes from python3 (set PYTHON to use
# another interpreter); `pip install jax` first if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
"$python" -c "import jax" 2>/dev/null || { echo "JAX is not installed for $python: pip install jax" >&2; exit 1; }

rjax_figures=$(mktemp)
jax_figures=$(mktemp)
trap 'rm -f "$rjax_figures" "$jax_figures"' EXIT

# criterion prints `name` then `time: [low estimate high]`; keep the estimate, in µs.
for bench in runtime_dispatch core_dispatch autodiff vmap; do
  cargo bench --quiet --bench "$bench" -- --warm-up-time 2 --measurement-time 5 2>/dev/null
done | awk '
  /^[a-z_]+\/[^ ]+/ { name = $1 }
  /time:/ {
    sub(/.*time: *\[/, ""); split($0, v, " ");
    value = v[3]; unit = v[4];
    if (unit == "ns") value /= 1000; else if (unit == "ms") value *= 1000;
    sub(/^dispatch\/[a-z]+\//, "dispatch/", name);
    print name, value
  }' > "$rjax_figures"

JAX_PLATFORMS=${JAX_PLATFORMS:-cpu} "$python" scripts/jax_bench.py > "$jax_figures"

printf '%-40s %12s %12s %10s\n' figure "rjax (µs)" "JAX (µs)" "JAX/rjax"
join <(sort "$rjax_figures") <(sort "$jax_figures") | while read -r name ours theirs; do
  printf '%-40s %12.3f %12.3f %10.1f\n' "$name" "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
done
