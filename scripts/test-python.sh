#!/usr/bin/env bash
# The Python package's tests: builds the wheel once (dev profile, in the
# shared target folder), installs it into a venv that also sees the
# system's packages (python/requirements-test.txt), and runs the pytest
# suite of python/tests: the API, the bridges, pickling, the GIL, fork, a
# Dask cluster, the wheel in a fresh venv (check, language server), and the
# pre-commit hook. `--spark` runs the Spark test too (needs pyspark and
# Java). A missing dependency fails the run; nothing is skipped.
# Usage: scripts/test-python.sh [--spark] [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--spark" ]; then
  export NEWSMARK_TEST_SPARK=1
  shift
fi
out=target/python
rm -rf "$out/wheels"
maturin build --locked --profile dev --out "$out/wheels"
wheel=$(ls "$out"/wheels/newsmark-*.whl)
python3 -m venv --clear --system-site-packages "$out/venv"
"$out/venv/bin/python" -m pip install --quiet --no-deps --no-index "$wheel"
export NEWSMARK_WHEEL="$PWD/$wheel"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
exec "$out/venv/bin/python" -m pytest python/tests -p no:cacheprovider "$@"
