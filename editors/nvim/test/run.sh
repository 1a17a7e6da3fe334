#!/usr/bin/env bash
# Runs the Neovim test: a headless Neovim (from the venv of editors/scripts/install.sh) loads
# editors/nvim exactly as a user's config would and runs test.lua on a copy of the workspace.
# Usage: run.sh [plain|setup|lazy] [SCENARIO.json]   (default plain, editors/test/newsroom.json)
#   plain: the Neovim 0.11+ snippet; setup: the Neovim 0.10 setup(); lazy: the lazy.nvim spec of editors/nvim/README.md (init.lua)
# Env: NEWSMARK_BIN (server binary, put on PATH as `newsmark`), NEWSMARK_NVIM, NEWSMARK_TIMEOUT_S.
set -u
. "$(dirname "$0")/../../scripts/env.sh"
STYLE=${1:-plain}
case $STYLE in plain|setup|lazy) ;; *) die "usage: run.sh [plain|setup|lazy] [SCENARIO.json]" ;; esac
SCENARIO=${2:-$EDITORS_DIR/test/newsroom.json}
NVIM_BIN=$(nvim_bin) || exit 2
BIN=$(newsmark_bin)
[ -x "$BIN" ] || echo "# nvim: warning: server binary $BIN not found; the server checks will fail"
D=$(mktemp -d "${TMPDIR:-/tmp}/newsmark-nvim.XXXXXX")
rc=1
trap 'if [ "$rc" = 0 ] && [ -z "${KEEP_RUNS:-}" ]; then rm -rf "$D"; else echo "# nvim: run folder kept: $D"; fi' EXIT
# the server binary as `newsmark` on PATH, so the config is just vim.lsp.enable('newsmark')
mkdir -p "$D/bin" "$D/tmp"
ln -s "$BIN" "$D/bin/newsmark"
export PATH=$D/bin:$PATH
SRC=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["workspace"])' "$SCENARIO")
case $SRC in /*) ;; *) SRC=$REPO_DIR/$SRC ;; esac
cp -r "$SRC" "$D/workspace"; chmod -R u+w "$D/workspace"
# without a cache a run of `newsmark check` may have left there: the test looks for the one
# the server writes
rm -rf "$D/workspace"/.newsmark_cache
export NEWSMARK_SCENARIO=$SCENARIO NEWSMARK_WORKSPACE=$(cd "$D/workspace" && pwd -P)
export NEWSMARK_NVIM_PLUGIN=$EDITORS_DIR/nvim NEWSMARK_NVIM_STYLE=$STYLE
echo "# nvim: config style $STYLE"
# isolated from any user config, state and plugins
export TMPDIR=$D/tmp XDG_CONFIG_HOME=$D/config XDG_DATA_HOME=$D/data XDG_STATE_HOME=$D/state XDG_CACHE_HOME=$D/cache
unset NVIM_APPNAME VIMINIT NVIM NVIM_LISTEN_ADDRESS
timeout -k 5 240 "$NVIM_BIN" --headless -n -i NONE -u "$EDITORS_DIR/nvim/test/init.lua" \
  -c "lua dofile('$EDITORS_DIR/nvim/test/test.lua')" </dev/null
rc=$?
[ $rc -eq 124 ] && echo "FAIL  nvim: killed after 240 s"
if [ $rc -ne 0 ] && [ -s "$D/state/nvim/lsp.log" ]; then echo "--- tail of $D/state/nvim/lsp.log"; tail -n 15 "$D/state/nvim/lsp.log"; fi
exit $rc
