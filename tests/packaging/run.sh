#!/usr/bin/env bash
# Packaging tests: actionlint (with shellcheck) on the workflows and on the workflow the
# README shows, shellcheck on the packaging scripts, the Linux x64 release path end to end
# (scripts/dist.sh: archive, checksum, the platform .vsix; the unpacked binary runs), and the
# Action's steps run here (action_steps.py). Exit 0 only if every part passed.
# Needs actionlint and shellcheck on PATH (scripts/test-tools.sh installs both) and PyYAML.
# Env: NEWSMARK_BIN (default target/debug/newsmark), NEWSMARK_PYTHON (default python3).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
BIN=${NEWSMARK_BIN:-$PWD/target/debug/newsmark}
PY=${NEWSMARK_PYTHON:-python3}
passed=0 failed=0
result() { # OK WHAT [DETAIL FILE]
  if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "PASS  packaging: $2"
  else failed=$((failed + 1)); echo "FAIL  packaging: $2"; [ -n "${3:-}" ] && sed 's/^/        :: /' "$3" | head -40; fi
}
for tool in actionlint shellcheck; do
  command -v "$tool" >/dev/null || { echo "FAIL  packaging: $tool is not on PATH (scripts/test-tools.sh installs it)"; exit 1; }
done
[ -x "$BIN" ] || { echo "FAIL  packaging: no server binary $BIN"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/newsmark-packaging.XXXXXX")
trap 'rm -rf "$T"' EXIT

# 1. the workflows, and the workflow of the README's "In CI" section, as GitHub would read them
actionlint .github/workflows/*.yml >"$T/lint.log" 2>&1
result $? "actionlint .github/workflows (with shellcheck on every run: script)" "$T/lint.log"
mkdir -p "$T/readme/.github/workflows"
"$PY" - README.md "$T/readme/.github/workflows" <<'PY'
import re, sys, textwrap
# fenced yaml blocks, also those indented inside a list item
blocks = [textwrap.dedent(body) for _, body in
          re.findall(r"^( *)```yaml\n(.*?)^ *```", open(sys.argv[1]).read(), re.S | re.M)]
workflows = [b for b in blocks if b.startswith("name:") and "\njobs:" in b]
print(f"{len(workflows)} workflows in {sys.argv[1]}")
for i, b in enumerate(workflows):
    open(f"{sys.argv[2]}/readme-{i}.yml", "w").write(b)
sys.exit(0 if workflows else "no workflow in README.md")
PY
(cd "$T/readme" && actionlint .github/workflows/*.yml) >"$T/readme.log" 2>&1
result $? "actionlint on the README's workflows ($(find "$T/readme/.github/workflows" -name '*.yml' | wc -l))" "$T/readme.log"
# actionlint can fail: a workflow passing an input the Action does not declare (actionlint
# reads a local action's metadata only inside a git repository)
mkdir -p "$T/bad/.github/workflows"
git init -q "$T/bad"
cp action.yml "$T/bad/"; cp -r action "$T/bad/"
printf '%s\n' 'name: t' 'on: push' 'jobs:' '  t:' '    runs-on: ubuntu-24.04' '    steps:' \
  '      - uses: actions/checkout@v6' '      - uses: ./' '        with:' '          no-such-input: 1' > "$T/bad/.github/workflows/t.yml"
if (cd "$T/bad" && actionlint .github/workflows/t.yml) >"$T/bad.log" 2>&1; then r=1; else grep -q 'no-such-input' "$T/bad.log"; r=$?; fi
result $r "actionlint rejects an input that action.yml does not declare" "$T/bad.log"
shellcheck action/install.sh scripts/dist.sh scripts/package-vscode.sh scripts/test-tools.sh \
  tests/packaging/run.sh >"$T/sc.log" 2>&1
result $? "shellcheck on the packaging scripts" "$T/sc.log"

# 2. the Linux x64 release assets, built as the release workflow builds them; the server is a
#    stripped copy of the test build (a release build is too slow for every run)
strip -o "$T/newsmark" "$BIN"
t0=$(date +%s)
scripts/dist.sh --target x86_64-unknown-linux-gnu --binary "$T/newsmark" --out "$T/dist" >"$T/dist.log" 2>&1
result $? "scripts/dist.sh --target x86_64-unknown-linux-gnu (archive and .vsix in $(( $(date +%s) - t0 )) s)" "$T/dist.log"
(cd "$T/dist" && sha256sum -c newsmark-x86_64-unknown-linux-gnu.tar.gz.sha256) >"$T/sum.log" 2>&1
result $? "the archive matches its .sha256" "$T/sum.log"
mkdir -p "$T/unpacked"
tar -xzf "$T/dist/newsmark-x86_64-unknown-linux-gnu.tar.gz" -C "$T/unpacked" 2>"$T/unpack.log" &&
  for f in newsmark README.md LICENSE-MIT LICENSE-APACHE; do
    [ -f "$T/unpacked/newsmark-x86_64-unknown-linux-gnu/$f" ] || { echo "missing $f" >>"$T/unpack.log"; false; }
  done
result $? "the archive holds newsmark-x86_64-unknown-linux-gnu/{newsmark,README.md,LICENSE-MIT,LICENSE-APACHE}" "$T/unpack.log"
u=$T/unpacked/newsmark-x86_64-unknown-linux-gnu/newsmark
{ "$u" --version && "$u" check --root examples/newsroom --format json >/dev/null; } >"$T/run.log" 2>&1
result $? "the unpacked binary runs: --version, check of examples/newsroom" "$T/run.log"
"$PY" editors/vscode/test/check_vsix.py --platform "$T/dist/newsmark-linux-x64.vsix" linux-x64 >"$T/vsix.log" 2>&1
result $? "newsmark-linux-x64.vsix carries the server for linux-x64" "$T/vsix.log"

# 3. the Action's steps, with the archive of a local release folder standing in for the download
"$PY" tests/packaging/action_steps.py "$T/newsmark"
result $? "the Action's steps (tests/packaging/action_steps.py)"

echo "packaging: $passed passed, $failed failed"
[ "$failed" = 0 ]
