#!/usr/bin/env bash
# Builds the VS Code extension package (.vsix). With --target and --server, a platform
# package that carries the server binary (extension/server/newsmark[.exe]), which the
# extension runs unless newsmark.server.path is set; without them, the universal package,
# which runs `newsmark` from PATH. Packs a staging copy: the source tree is left untouched.
# Usage: scripts/package-vscode.sh [--target VSCODE_TARGET --server BINARY] --out FILE.vsix
#   VSCODE_TARGET: win32-x64 win32-arm64 linux-x64 linux-arm64 linux-armhf alpine-x64
#                  alpine-arm64 darwin-x64 darwin-arm64 (vsce package --target)
set -euo pipefail
usage() { echo "usage: scripts/package-vscode.sh [--target VSCODE_TARGET --server BINARY] --out FILE.vsix" >&2; exit 2; }
target='' server='' out=''
while [ $# -gt 0 ]; do
  case $1 in
    --target) [ $# -ge 2 ] || usage; target=$2; shift 2 ;;
    --server) [ $# -ge 2 ] || usage; server=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$out" ] || usage
if [ -n "$target" ] && [ -z "$server" ]; then echo "package-vscode: --target needs --server" >&2; exit 2; fi
if [ -z "$target" ] && [ -n "$server" ]; then echo "package-vscode: --server needs --target" >&2; exit 2; fi
case $target in
  ''|win32-x64|win32-arm64|linux-x64|linux-arm64|linux-armhf|alpine-x64|alpine-arm64|darwin-x64|darwin-arm64) ;;
  *) echo "package-vscode: unknown target '$target'" >&2; exit 2 ;;
esac
if [ -n "$server" ] && [ ! -f "$server" ]; then echo "package-vscode: no such server binary: $server" >&2; exit 2; fi
case $out in /*) ;; *) out=$PWD/$out ;; esac
case $server in ''|/*) ;; *) server=$PWD/$server ;; esac

ext=$(cd "$(dirname "$0")/../editors/vscode" && pwd)
if [ ! -x "$ext/node_modules/.bin/vsce" ]; then
  echo "package-vscode: npm ci in $ext" >&2
  (cd "$ext" && npm ci --no-audit --no-fund >&2)
fi
stage=$(mktemp -d "${TMPDIR:-/tmp}/newsmark-vsix.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# the files the package may hold (.vscodeignore decides), the build inputs, and node_modules
# by link (the bundler and vsce run from it; --no-dependencies: the bundle needs none)
(cd "$ext" && cp -r package.json package-lock.json .vscodeignore esbuild.mjs tsconfig.json \
  language-configuration.json README.md LICENSE src syntaxes "$stage/")
ln -s "$ext/node_modules" "$stage/node_modules"
args=(package --no-dependencies --allow-missing-repository -o "$out")
if [ -n "$target" ]; then
  name=newsmark
  case $target in win32-*) name=newsmark.exe ;; esac
  mkdir -p "$stage/server"
  cp "$server" "$stage/server/$name"
  chmod 755 "$stage/server/$name"
  args+=(--target "$target")
fi
mkdir -p "$(dirname "$out")"
(cd "$stage" && node_modules/.bin/vsce "${args[@]}" >&2)
echo "package-vscode: $out ($(du -k "$out" | cut -f1) KB${target:+, $target with $(basename "$server")})" >&2
