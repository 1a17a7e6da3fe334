#!/usr/bin/env bash
# Installs the Python tools the test suite needs (scripts/test-requirements.txt) into a venv,
# idempotently: nothing is done when the requirements did not change since the last run.
# Prints the venv's bin folder on stdout (progress goes to stderr).
# Usage: scripts/test-tools.sh        Env: NEWSMARK_TOOLS (default /tmp/newsmark-tools)
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${NEWSMARK_TOOLS:-/tmp/newsmark-tools}
REQ=scripts/test-requirements.txt
VENV=$TOOLS/venv
export PIP_CACHE_DIR=$TOOLS/cache/pip PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
key=$({ cat "$REQ" python/requirements-test.txt; python3 --version; } | sha256sum | cut -c1-32)
if [ -x "$VENV/bin/python" ] && [ "$(cat "$TOOLS/stamp" 2>/dev/null)" = "$key" ]; then
  echo "test tools: up to date in $VENV" >&2
else
  echo "test tools: installing $REQ into $VENV" >&2
  t0=$(date +%s)
  rm -rf "$VENV" "$TOOLS/stamp"
  mkdir -p "$TOOLS"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$REQ" >&2
  echo "$key" > "$TOOLS/stamp"
  echo "test tools: installed in $(( $(date +%s) - t0 )) s" >&2
fi
echo "$VENV/bin"
