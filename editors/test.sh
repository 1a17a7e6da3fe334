#!/usr/bin/env bash
# Installs what the editor tests need (idempotent) and runs them: TextMate grammar tests,
# the .vsix builds (universal, and this platform's with the server inside), the Neovim
# plugin in a headless Neovim, and the extension in a real VS Code (code-server + headless
# Chromium). Exit 0 only if every selected part passed.
# Usage: editors/test.sh [PART...]   PART: grammar vsix nvim vscode (default: all)
# Env: NEWSMARK_BIN (server; default target/release/newsmark, else target/debug/newsmark),
#      NEWSMARK_EDITOR_WORK (installs, default /tmp/newsmark-editors),
#      NEWSMARK_EDITOR_ARTIFACTS (screenshots, default editors/artifacts).
set -uo pipefail
. "$(dirname "$0")/scripts/env.sh"
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || PARTS=(grammar vsix nvim vscode)
for p in "${PARTS[@]}"; do
  case $p in grammar|vsix|nvim|vscode) ;; *) die "unknown part '$p' (grammar vsix nvim vscode)" ;; esac
done
T0=$(now_ms)
"$EDITORS_DIR/scripts/install.sh" || die "install failed"
echo "# server binary: $(newsmark_bin)"

passed=0 failed=0 results=()
run_part() { # NAME COMMAND...
  local name=$1 t; shift
  echo; echo "=== $name"
  t=$(now_ms)
  if "$@"; then passed=$((passed + 1)); results+=("PASS  $name ($(( ($(now_ms) - t) / 1000 )) s)")
  else failed=$((failed + 1)); results+=("FAIL  $name ($(( ($(now_ms) - t) / 1000 )) s)"); fi
}

grammar_tests() {
  (cd "$EDITORS_DIR/vscode" && npm run -s test:grammar) || return 1
  # the harness must catch a wrong scope: a deliberately wrong assertion has to fail
  local neg=$WORK/tmp/grammar-negative
  rm -rf "$neg"; mkdir -p "$neg"
  printf '%s\n' '// SYNTAX TEST "text.newsmark" "a wrong assertion"' '[x]{@y}' '//   ^ comment.block.newsmark' > "$neg/wrong.test.nmk"
  if (cd "$EDITORS_DIR/vscode" && node_modules/.bin/vscode-tmgrammar-test -g syntaxes/newsmark.tmLanguage.json "$neg/wrong.test.nmk" >/dev/null 2>&1); then
    echo "FAIL  a wrong grammar assertion passed: the grammar test cannot fail"; return 1
  fi
  echo "PASS  a wrong grammar assertion is reported"
}
build_vsix() {
  # the universal package, and the platform package carrying the server (a stripped copy of
  # $NEWSMARK_BIN: the same code at a sixth of the size of a debug build)
  local bin pv target
  bin=$(newsmark_bin); pv=$(platform_vsix); target=$(vscode_target)
  [ -x "$bin" ] || { echo "FAIL  no server binary $bin"; return 1; }
  mkdir -p "$WORK/tmp" "$(dirname "$pv")"
  strip -o "$WORK/tmp/newsmark" "$bin" || return 1
  rm -f "$VSIX" "$pv"
  "$REPO_DIR/scripts/package-vscode.sh" --out "$VSIX" >"$WORK/tmp/package-vscode.log" 2>&1 &&
    "$REPO_DIR/scripts/package-vscode.sh" --target "$target" --server "$WORK/tmp/newsmark" --out "$pv" \
      >>"$WORK/tmp/package-vscode.log" 2>&1 || { cat "$WORK/tmp/package-vscode.log"; return 1; }
  python3 "$EDITORS_DIR/vscode/test/check_vsix.py" --universal "$VSIX" --platform "$pv" "$target"
}

for p in "${PARTS[@]}"; do
  case $p in
    grammar) run_part "TextMate grammar tests" grammar_tests ;;
    vsix) run_part "VS Code extension packages (scripts/package-vscode.sh)" build_vsix ;;
    nvim)
      run_part "Neovim plugin, 0.11+ snippet (headless Neovim)" "$EDITORS_DIR/nvim/test/run.sh" plain
      run_part "Neovim plugin, 0.10 setup() (headless Neovim)" "$EDITORS_DIR/nvim/test/run.sh" setup
      run_part "Neovim plugin, lazy.nvim spec (headless Neovim)" "$EDITORS_DIR/nvim/test/run.sh" lazy ;;
    vscode)
      if [ ! -f "$VSIX" ] || [ ! -f "$(platform_vsix)" ]; then run_part "VS Code extension packages" build_vsix; fi
      run_part "VS Code, platform package with the server inside, nothing on PATH" "$EDITORS_DIR/vscode/test/e2e/run.sh" bundled
      run_part "VS Code, universal package, newsmark on PATH" "$EDITORS_DIR/vscode/test/e2e/run.sh" path
      run_part "VS Code, universal package, no server anywhere" "$EDITORS_DIR/vscode/test/e2e/run.sh" none ;;
  esac
done
echo; echo "=== editor tests in $(( ($(now_ms) - T0) / 1000 )) s"
printf '%s\n' "${results[@]}"
echo "editors: $passed passed, $failed failed"
[ "$failed" = 0 ]
