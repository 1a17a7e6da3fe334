#!/usr/bin/env bash
# Builds the release assets of one target: newsmark-TARGET.tar.gz (.zip for Windows) holding
# newsmark-TARGET/newsmark[.exe] with the README and licences, its .sha256, and the VS Code
# package of that platform with the server inside, newsmark-VSCODE_TARGET.vsix. The release
# workflow runs it once per target; here it builds the Linux x64 assets the same way.
# Usage: scripts/dist.sh --target TRIPLE [--binary FILE] [--out DIR] [--no-vsix]
#   --binary: package this build instead of running `cargo build --release --target TRIPLE`
#   --out: default dist/;  --no-vsix: the archive alone
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: scripts/dist.sh --target TRIPLE [--binary FILE] [--out DIR] [--no-vsix]" >&2; exit 2; }
target='' binary='' out=dist vsix=1
while [ $# -gt 0 ]; do
  case $1 in
    --target) [ $# -ge 2 ] || usage; target=$2; shift 2 ;;
    --binary) [ $# -ge 2 ] || usage; binary=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --no-vsix) vsix=0; shift ;;
    *) usage ;;
  esac
done
[ -n "$target" ] || usage

# the VS Code platform of each release target (musl builds serve Alpine)
case $target in
  x86_64-unknown-linux-gnu) vscode=linux-x64 ;;
  aarch64-unknown-linux-gnu) vscode=linux-arm64 ;;
  x86_64-unknown-linux-musl) vscode=alpine-x64 ;;
  aarch64-unknown-linux-musl) vscode=alpine-arm64 ;;
  x86_64-apple-darwin) vscode=darwin-x64 ;;
  aarch64-apple-darwin) vscode=darwin-arm64 ;;
  x86_64-pc-windows-msvc) vscode=win32-x64 ;;
  *) echo "dist: unknown target $target" >&2; exit 2 ;;
esac
case $target in *windows*) exe=newsmark.exe ext=zip ;; *) exe=newsmark ext=tar.gz ;; esac

if [ -z "$binary" ]; then
  # the release profile keeps line tables for profiling; the shipped binary is stripped
  # (a sixth of the size)
  CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release --locked --target "$target"
  binary=target/$target/release/$exe
fi
[ -f "$binary" ] || { echo "dist: no such binary: $binary" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
name=newsmark-$target
stage=$(mktemp -d "${TMPDIR:-/tmp}/newsmark-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/$name/$exe"
chmod 755 "$stage/$name/$exe"
cp README.md LICENSE-MIT LICENSE-APACHE "$stage/$name/"
rm -f "$out/$name.$ext"
python=$(command -v python3 || command -v python)
# Python's tarfile/zipfile: the same archive on every runner (Windows has no zip command)
"$python" - "$stage" "$name" "$out/$name.$ext" <<'PY'
import os, sys, tarfile, zipfile
stage, name, archive = sys.argv[1:4]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(stage, name)) for f in fs)
if archive.endswith(".zip"):
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, os.path.relpath(f, stage))
else:
    with tarfile.open(archive, "w:gz") as t:
        t.add(os.path.join(stage, name), name)
PY
(cd "$out" && if command -v sha256sum >/dev/null; then sha256sum "$name.$ext"; else shasum -a 256 "$name.$ext"; fi > "$name.$ext.sha256")
echo "dist: $out/$name.$ext ($(du -k "$out/$name.$ext" | cut -f1) KB)"
if [ "$vsix" = 1 ]; then
  scripts/package-vscode.sh --target "$vscode" --server "$binary" --out "$out/newsmark-$vscode.vsix"
  echo "dist: $out/newsmark-$vscode.vsix ($(du -k "$out/newsmark-$vscode.vsix" | cut -f1) KB)"
fi
