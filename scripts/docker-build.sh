#!/usr/bin/env bash
# Builds the rjax Docker image: `scripts/docker-build.sh` for the CPU image (tag rjax), or
# `scripts/docker-build.sh cuda` for the CUDA image (tag rjax:cuda). The images run
# scripts/build-all.sh, the same build CI runs on every change.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-cpu}" in
  cpu) docker build -t rjax -f Dockerfile . ;;
  cuda) docker build -t rjax:cuda -f Dockerfile.cuda . ;;
  *) echo "usage: $0 [cpu|cuda]" >&2; exit 2 ;;
esac
