#!/usr/bin/env bash
# rjax's and JAX's jaxprs for the notebook's differentiated functions (grad, hessian, jacfwd,
# jacrev, jacrev of jacrev, hvp; see docs/jaxpr-comparison.md), function by function, then the
# number of equations per primitive on each side.
#
#   scripts/compare-jaxprs.sh [--side-by-side] [--dce] [--xla] [--out DIR]
#
#   --side-by-side  print the two jaxprs in two columns (width $COLUMNS, default 200) instead of
#                   one after the other
#   --dce           show JAX's jaxprs after dead-code elimination (as jit lowers them) instead of
#                   as jax.make_jaxpr prints them; rjax's make_jaxpr already removes dead code.
#                   The counts always show both.
#   --xla           also compile every function and summarise XLA's optimised HLO: rjax's
#                   StableHLO and JAX's, both compiled by JAX's XLA (one compiler, so the
#                   programs are what differs), and rjax's as its own CPU plugin compiles it
#   --out DIR       keep every file produced (jaxprs, StableHLO, XLA dumps) in DIR
#
# JAX comes from python3 (set PYTHON to use another interpreter); `pip install jax` first if
# it is missing. Runs on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
side_by_side=false dce=false xla=false out=
while [ $# -gt 0 ]; do
  case $1 in
    --side-by-side) side_by_side=true ;;
    --dce) dce=true ;;
    --xla) xla=true ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--side-by-side] [--dce] [--xla] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
"$python" -c "import jax" 2>/dev/null || { echo "JAX is not installed for $python: pip install jax" >&2; exit 1; }
if [ -n "$out" ]; then
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
export JAX_PLATFORMS=${JAX_PLATFORMS:-cpu}

cargo build --quiet --example jaxprs
example=target/debug/examples/jaxprs
"$example" > "$out/rjax.txt"
"$python" scripts/jax_jaxprs.py > "$out/jax.txt" 2> "$out/jax-version.txt"
"$python" scripts/jax_jaxprs.py --dce > "$out/jax-dce.txt" 2>/dev/null
jax_shown=$out/jax.txt
jax_label="JAX $(sed -n 's/^# jax \([^,]*\),.*/\1/p' "$out/jax-version.txt") (jax.make_jaxpr)"
if $dce; then
  jax_shown=$out/jax-dce.txt
  jax_label="JAX $(sed -n 's/^# jax \([^,]*\),.*/\1/p' "$out/jax-version.txt") (after DCE)"
fi

# The jaxpr of function $2 in file $1 (its `=== name` section, without the header).
section() {
  awk -v name="$2" '/^=== / { on = ($2 == name); next } on' "$1"
}

width=${COLUMNS:-200}
for name in $(sed -n 's/^=== //p' "$out/rjax.txt"); do
  printf '################ %s\n' "$name"
  if $side_by_side; then
    paste -d '\n' <(echo "rjax"; section "$out/rjax.txt" "$name") \
      <(echo "$jax_label"; section "$jax_shown" "$name") |
      awk -v half=$((width / 2)) '
        NR % 2 { left = $0; next }
        { printf "%-*s %s\n", half - 1, substr(left, 1, half - 1), substr($0, 1, half) }'

  else
    echo "# rjax"
    section "$out/rjax.txt" "$name"
    echo "# $jax_label"
    section "$jax_shown" "$name"
  fi
done

echo "################ equations per primitive"
"$python" scripts/jax_jaxprs.py --count rjax="$out/rjax.txt" jax="$out/jax.txt" \
  jax-dce="$out/jax-dce.txt"

if $xla; then
  flags=${XLA_FLAGS:-}
  "$example" --stablehlo "$out/stablehlo" > /dev/null
  XLA_FLAGS="$flags --xla_dump_to=$out/xla-rjax" \
    "$python" scripts/jax_jaxprs.py --compile-stablehlo "$out/stablehlo" 2>/dev/null
  XLA_FLAGS="$flags --xla_dump_to=$out/xla-jax" \
    "$python" scripts/jax_jaxprs.py --compile > /dev/null 2>&1
  XLA_FLAGS="$flags --xla_dump_to=$out/xla-rjax-plugin" "$example" --compile > /dev/null 2>&1
  echo "################ XLA"
  "$python" scripts/jax_jaxprs.py --hlo rjax="$out/xla-rjax" jax="$out/xla-jax" \
    rjax-plugin="$out/xla-rjax-plugin"
  echo "(rjax and jax: compiled by JAX's XLA; rjax-plugin: by rjax's embedded CPU plugin)"
fi
