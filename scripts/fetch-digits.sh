#!/usr/bin/env bash
# Prints the path of digits.csv: the 1,797 8×8 handwritten digits (UCI's optical recognition
# of handwritten digits, test set) that ship inside scikit-learn's wheel as
# sklearn/datasets/data/digits.csv.gz, one image a line: 64 pixel values in 0..16, then the
# label 0..9. Used by examples/train_mlp, scripts/train_mlp_jax.py and scripts/bench-vs-jax.sh.
#
# The first call fetches the wheel as the CPU plugins are fetched (xla-sys/build.rs): pinned by
# version and by the sha256 of its file, `pip download --no-deps --require-hashes` (pip must
# reach PyPI then), and keeps only the decompressed CSV in
# ${RJAX_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/rjax}/sklearn-digits-<version>/; later calls
# reuse it offline. The wheel is a fixed build (CPython 3.12, manylinux2014 x86-64) whatever
# the machine, since only its data file is used. Needs python3 with pip (PYTHON overrides).
# Concurrent callers wait for one another (flock).
set -euo pipefail
version=1.7.2
wheel_sha256=e5bf3d930aee75a65478df91ac1225ff89cd28e9ac7bd1196853a9229b6adb0b
python=${PYTHON:-python3}
cache=${RJAX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rjax}
dir=$cache/sklearn-digits-$version
csv=$dir/digits.csv
if [ ! -f "$csv" ]; then
  mkdir -p "$cache"
  exec 9>"$cache/sklearn-digits.lock"
  flock 9
  if [ ! -f "$csv" ]; then
    staging=$(mktemp -d "$cache/.sklearn-digits.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    echo "scikit-learn==$version --hash=sha256:$wheel_sha256" > "$staging/requirements.txt"
    echo "== fetching the digits data set (scikit-learn $version's wheel) into $dir" >&2
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --only-binary=:all: --require-hashes --platform manylinux2014_x86_64 \
      --python-version 312 --implementation cp --abi cp312 \
      --dest "$staging" --requirement "$staging/requirements.txt" >&2
    "$python" - "$staging"/scikit_learn-*.whl "$staging/digits.csv" <<'EOF'
import gzip, sys, zipfile
wheel, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    data = gzip.decompress(archive.read("sklearn/datasets/data/digits.csv.gz"))
with open(out, "wb") as f:
    f.write(data)
EOF
    mkdir -p "$dir"
    mv "$staging/digits.csv" "$csv"
  fi
fi
echo "$csv"
