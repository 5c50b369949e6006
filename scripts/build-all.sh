#!/usr/bin/env bash
# Builds everything a user runs: the library and its examples in release mode, and the
# criterion benches (without running them). CI runs this; so do the Dockerfiles, so the image
# steps are tested on every change.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --examples --all-features
cargo bench --no-run --quiet --all-features
