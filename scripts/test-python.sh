#!/usr/bin/env bash
# The Python package's tests: builds the wheel once (dev profile, in the
# shared target folder), installs it into the test tools' venv, and runs the pytest
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
# The tools venv of scripts/test-tools.sh holds maturin, pytest, pre-commit,
# Dask, pyarrow and spaCy (python/requirements-test.txt); the wheel is
# installed into it, so the suite never touches the system's Python.
tools_bin=$(scripts/test-tools.sh)
export PATH="$tools_bin:$PATH"
py="$tools_bin/python"
out=target/python
rm -rf "$out/wheels"
maturin build --locked --profile dev --out "$out/wheels"
wheel=$(ls "$out"/wheels/newsmark-*.whl)
"$py" -m pip install --quiet --no-deps --no-index --force-reinstall "$wheel"
export NEWSMARK_WHEEL="$PWD/$wheel"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
exec "$py" -m pytest python/tests -p no:cacheprovider "$@"
