#!/usr/bin/env bash
# Prints the path of a Python interpreter that has the packages pinned in
# scripts/python-requirements.txt (JAX, jaxlib, NumPy, SciPy, Optax, safetensors), creating the
# virtual environment ${RJAX_CACHE_DIR:-~/.cache/rjax}/python-venv the first time (pip must reach
# PyPI then; every file is checked against its pinned sha256) and again whenever the
# requirements file changes. Tests that compare against real JAX or Python call it (through
# tests/common/python.rs), and so do the benchmarks and the golden files' scripts:
#
#   "$(scripts/python-env.sh)" -P tests/golden/optim.py
#
# Concurrent callers wait for one another (flock), so parallel test binaries build it once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
requirements=$root/scripts/python-requirements.txt
cache=${RJAX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rjax}
venv=$cache/python-venv
mkdir -p "$cache"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
exec 9>"$cache/python-venv.lock"
flock 9
if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$want" ]; then
  echo "== creating $venv from scripts/python-requirements.txt" >&2
  rm -rf "$venv"
  python=${PYTHON:-python3}
  if "$python" -m venv "$venv" >&2; then
    pip=("$venv/bin/python" -m pip)
  else
    # No ensurepip (Debian's python3 without python3-venv): an environment without pip, filled
    # by the interpreter's own pip (pip >= 22.3 installs into another environment).
    rm -rf "$venv"
    "$python" -m venv --without-pip "$venv"
    pip=("$python" -m pip --python "$venv/bin/python")
  fi
  "${pip[@]}" install --quiet --disable-pip-version-check --require-hashes \
    -r "$requirements" >&2
  echo "$want" > "$venv/requirements.sha256"
fi
echo "$venv/bin/python"
