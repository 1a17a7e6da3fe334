#!/usr/bin/env bash
# Runs the VS Code end-to-end test: installs a built .vsix and the probe into a fresh
# code-server profile, opens a temporary copy of the scenario's workspace, and drives it with
# e2e.js. No `newsmark` is on the PATH of code-server and no newsmark.server.path is set,
# as on a new user's machine. Needs editors/scripts/install.sh and the packages first
# (editors/test.sh builds them).
# Usage: run.sh bundled|path|none [SCENARIO.json]   (default scenario editors/test/newsroom.json)
#   bundled: the platform package ($NEWSMARK_VSIX_PLATFORM), which carries the server: every check
#   path:    the universal package ($NEWSMARK_VSIX) with $NEWSMARK_BIN on PATH as `newsmark`
#   none:    the universal package and no server: the install message
# Env: NEWSMARK_BIN, NEWSMARK_VSIX (default editors/vscode/newsmark.vsix), NEWSMARK_VSIX_PLATFORM
#      (default $NEWSMARK_EDITOR_WORK/vsix/newsmark-<platform>.vsix), NEWSMARK_TIMEOUT_S,
#      CHROMIUM, KEEP_RUNS=1 (keep the profile and workspace copy).
set -u
. "$(dirname "$0")/../../../scripts/env.sh"
MODE=${1:-}
case $MODE in bundled|path|none) ;; *) die "usage: run.sh bundled|path|none [SCENARIO.json]" ;; esac
SCENARIO=${2:-$EDITORS_DIR/test/newsroom.json}
BIN=$(newsmark_bin)
if [ "$MODE" = bundled ]; then VSIX=$(platform_vsix); else VSIX=${NEWSMARK_VSIX:-$VSIX}; fi
[ -x "$CODE_SERVER" ] || die "code-server not installed (run editors/scripts/install.sh)"
[ -f "$VSIX" ] || die "$VSIX not found (editors/test.sh vsix builds it)"
[ -x "$BIN" ] || echo "# vscode: warning: server binary $BIN not found; the server checks will fail"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -x "$CHROMIUM" ] || die "chromium not found (editors/scripts/install.sh installs it)"
export CHROMIUM
OUT=$ARTIFACTS/vscode-$MODE
rm -rf "$OUT"; mkdir -p "$OUT" "$WORK/s"

# Unix socket paths (code-server, Chromium) may not exceed 107 bytes: keep state in a short dir
if [ ${#WORK} -le 40 ]; then D=$(mktemp -d "$WORK/s/XXXXXX"); else D=$(mktemp -d /tmp/nmk.XXXXXX); fi
UD=$D/user-data EXT=$D/extensions PROBE=$D/probe WS=$D/workspace
mkdir -p "$UD/User" "$EXT" "$PROBE" "$D/tmp" "$D/chromium-home"
# the workspace: a fresh copy of the scenario's folder (relative paths are from the repository)
SRC=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["workspace"])' "$SCENARIO")
case $SRC in /*) ;; *) SRC=$REPO_DIR/$SRC ;; esac
cp -r "$SRC" "$WS"; chmod -R u+w "$WS"
# without a cache a run of `newsmark check` may have left there: the test looks for the one
# the server writes
rm -rf "$WS"/.newsmark_cache
# isolation: code-server otherwise writes ~/.config/code-server, ~/.local/share/code-server
export XDG_CONFIG_HOME=$D/xdg/config XDG_DATA_HOME=$D/xdg/data XDG_CACHE_HOME=$D/xdg/cache XDG_STATE_HOME=$D/xdg/state
export TMPDIR=$D/tmp
# VSCODE_CLI=1: the server does not run the login shell to "resolve the shell environment"
export VSCODE_CLI=1
# a PATH without any `newsmark` (mode path: plus one folder holding $BIN as newsmark)
PATH=$(path_without_newsmark)
if [ "$MODE" = path ]; then
  mkdir -p "$D/bin"; ln -s "$BIN" "$D/bin/newsmark"; PATH=$D/bin:$PATH
  export NEWSMARK_E2E_SERVER=$D/bin/newsmark
else
  export NEWSMARK_E2E_SERVER=$EXT/
fi
export PATH NEWSMARK_E2E_MODE=$MODE
if [ "$MODE" != path ] && command -v newsmark >/dev/null; then
  echo "FAIL  vscode: newsmark is still on PATH: $(command -v newsmark)"; exit 1
fi
echo "# vscode: mode $MODE, package $(basename "$VSIX")"

python3 - "$UD/User/settings.json" "$PROBE" <<'PY'
import json, sys
out, probe = sys.argv[1:3]
json.dump({
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "workbench.editor.enablePreview": False,
    "git.enabled": False,
    "editor.minimap.enabled": False,
    "editor.hover.delay": 100,
    "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
    "editor.suggestOnTriggerCharacters": False,
    "editor.wordBasedSuggestions": "off",
    "chat.commandCenter.enabled": False,
    # F12 on a definition that contains the cursor would run Find References instead
    "editor.gotoLocation.alternativeDefinitionCommand": "",
    "newsmark.trace.server": "messages",
    # e2e.js checks that the server's cache lands there (initializationOptions.cacheDir)
    "newsmark.cache.dir": "vscode-cache",
    "newsmarkTestProbe.dir": probe,
}, open(out, "w"), indent=2)
PY

# the probe extension, packaged fresh (small, about a second)
PROBE_VSIX=$D/newsmark-test-probe.vsix
(cd "$EDITORS_DIR/vscode/test/e2e/probe" && "$EDITORS_DIR/vscode/node_modules/.bin/vsce" package \
  --allow-missing-repository -o "$PROBE_VSIX" >"$D/probe-package.log" 2>&1) \
  || { echo "FAIL  vscode: packaging the probe"; cat "$D/probe-package.log"; exit 1; }

for pkg in "$VSIX" "$PROBE_VSIX"; do
  t0=$(now_ms)
  timeout 120 "$CODE_SERVER" --user-data-dir "$UD" --extensions-dir "$EXT" \
    --install-extension "$pkg" >"$D/install-extension.log" 2>&1 \
    || { echo "FAIL  vscode: code-server --install-extension $pkg"; cat "$D/install-extension.log"; exit 1; }
  echo "# vscode: installed $(basename "$pkg") ($(du -k "$pkg" | cut -f1) KB) in $(( $(now_ms) - t0 )) ms"
done
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
t0=$(now_ms)
# setsid: its own process group, so cleanup also ends the extension host and the server
setsid "$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry \
  --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$UD" --extensions-dir "$EXT" --config "$D/config.yaml" \
  >"$D/code-server.log" 2>&1 &
CSPID=$!
rc=1
cleanup() {
  kill -TERM -- -"$CSPID" 2>/dev/null; sleep 1; kill -KILL -- -"$CSPID" 2>/dev/null
  if [ "$rc" = 0 ] && [ -z "${KEEP_RUNS:-}" ]; then rm -rf "$D"; else echo "# vscode: run folder kept: $D"; fi
}
trap cleanup EXIT
up=
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$CSPID" 2>/dev/null || break
  sleep 0.25
done
[ -n "$up" ] || { echo "FAIL  vscode: code-server did not start"; tail -20 "$D/code-server.log"; exit 1; }
echo "# vscode: code-server up on :$PORT after $(( $(now_ms) - t0 )) ms"

export NODE_PATH=$E2E_NODE/node_modules NEWSMARK_E2E_SESSION=$CSPID
timeout -k 5 420 node "$EDITORS_DIR/vscode/test/e2e/e2e.js" \
  "http://127.0.0.1:$PORT" "$SCENARIO" "$WS" "$PROBE" "$OUT" "$D/chromium-home"
rc=$?
[ $rc -eq 124 ] && echo "FAIL  vscode: e2e.js killed after 420 s"
if [ $rc -ne 0 ]; then
  echo "--- code-server.log (tail)"; tail -n 10 "$D/code-server.log"
  find "$UD/logs" -name '*.log' \( -name 'remoteexthost.log' -o -path '*output_logging*' \) -size +0 2>/dev/null |
    while IFS= read -r f; do echo "--- $f (tail)"; tail -n 12 "$f"; done
fi
echo "# vscode: screenshots in $OUT"
exit $rc
