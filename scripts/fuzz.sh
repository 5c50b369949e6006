#!/usr/bin/env bash
# A long fuzzing campaign (tests/fuzz.rs): random programs checked eager against jit, grad
# against finite differences, vmap against a loop, and bad programs that must fail cleanly.
#
#   scripts/fuzz.sh [CASES] [SEED]
#
# CASES is the number of programs per check (default 2000; RJAX_FUZZ_CASES); SEED a byte
# (default 7; RJAX_FUZZ_SEED) choosing the random stream. A failure prints the shrunk program.
set -euo pipefail
cd "$(dirname "$0")/.."
export RJAX_FUZZ_CASES="${1:-${RJAX_FUZZ_CASES:-2000}}"
export RJAX_FUZZ_SEED="${2:-${RJAX_FUZZ_SEED:-7}}"
echo "fuzzing with ${RJAX_FUZZ_CASES} programs per check, seed ${RJAX_FUZZ_SEED}"
cargo test --test fuzz -- --nocapture
