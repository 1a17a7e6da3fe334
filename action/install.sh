#!/usr/bin/env bash
# The install step of the Newsmark Action (action.yml): puts `newsmark` on the PATH of the
# job's next steps. Downloads newsmark-TARGET.tar.gz (.zip on Windows) of the release for
# the runner's platform, checks it against the .sha256 published beside it, and unpacks it
# under $RUNNER_TEMP. Where there is no archive for the platform, or it cannot be
# downloaded, installs the Python package instead (`pip install newsmark`) into a venv.
# Env: NEWSMARK_VERSION (X.Y.Z, vX.Y.Z, latest or empty), NEWSMARK_RELEASES_URL,
#      NEWSMARK_ACTION_REPOSITORY, NEWSMARK_ACTION_REF, and the runner's RUNNER_OS,
#      RUNNER_ARCH, RUNNER_TEMP, GITHUB_SERVER_URL, GITHUB_PATH, GITHUB_OUTPUT.
set -euo pipefail

say() { echo "newsmark-action: $*"; }
fail() { echo "::error title=Newsmark Action::$*"; exit 1; }

version=${NEWSMARK_VERSION:-}
if [ -z "$version" ]; then
  # `uses: …@v1.2.3`: the same version of the binary; a branch or a commit: the latest release
  if [[ ${NEWSMARK_ACTION_REF:-} =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then version=${NEWSMARK_ACTION_REF#v}; else version=latest; fi
fi
version=${version#v}

# the release target of this runner (the Linux builds are static, musl: any distribution)
case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
  Linux-X64) target=x86_64-unknown-linux-musl ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  *) target='' ;;
esac
case $target in *windows*) ext=zip exe=newsmark.exe ;; *) ext=tar.gz exe=newsmark ;; esac

releases=${NEWSMARK_RELEASES_URL:-}
if [ -z "$releases" ] && [ -n "${NEWSMARK_ACTION_REPOSITORY:-}" ]; then
  releases=${GITHUB_SERVER_URL:-https://github.com}/$NEWSMARK_ACTION_REPOSITORY/releases
fi
releases=${releases%/}
temp=${RUNNER_TEMP:?RUNNER_TEMP is not set}
bin_dir=$temp/newsmark/bin

sha256_of() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# Downloads and unpacks the release archive into $bin_dir; returns 1 when it cannot be had.
from_release() {
  [ -n "$target" ] || { say "no release archive for ${RUNNER_OS:-?} ${RUNNER_ARCH:-?}"; return 1; }
  [ -n "$releases" ] || { say "no releases URL (a local Action: set the releases-url input)"; return 1; }
  local name=newsmark-$target url dl
  if [ "$version" = latest ]; then url=$releases/latest/download/$name.$ext; else url=$releases/download/v$version/$name.$ext; fi
  dl=$temp/newsmark-download
  rm -rf "$dl" && mkdir -p "$dl"
  say "downloading $url"
  if ! curl -fsSL --retry 3 -o "$dl/$name.$ext" "$url"; then say "cannot download $url"; return 1; fi
  # a mismatch or a missing checksum is an error, never a reason to fall back
  curl -fsSL --retry 3 -o "$dl/$name.$ext.sha256" "$url.sha256" || fail "cannot download $url.sha256"
  local want got
  want=$(cut -d' ' -f1 < "$dl/$name.$ext.sha256")
  got=$(sha256_of "$dl/$name.$ext")
  [ "$want" = "$got" ] || fail "checksum mismatch for $name.$ext: expected $want, got $got"
  if [ "$ext" = zip ]; then unzip -q "$dl/$name.$ext" -d "$dl"; else tar -xzf "$dl/$name.$ext" -C "$dl"; fi
  [ -f "$dl/$name/$exe" ] || fail "$name.$ext holds no $name/$exe"
  rm -rf "$bin_dir" && mkdir -p "$bin_dir"
  mv "$dl/$name/$exe" "$bin_dir/$exe"
  chmod +x "$bin_dir/$exe"
}

# Installs the Python package (the `newsmark` command and module) into a venv whose
# scripts folder becomes the one put on PATH.
from_pip() {
  local python venv=$temp/newsmark/venv spec=newsmark
  python=$(command -v python3 || command -v python) || { say "no Python for pip"; return 1; }
  [ "$version" = latest ] || spec="newsmark==$version"
  say "pip install $spec"
  rm -rf "$venv"
  "$python" -m venv "$venv" || return 1
  bin_dir=$venv/bin
  [ -d "$bin_dir" ] || bin_dir=$venv/Scripts
  "$bin_dir/python" -m pip install --disable-pip-version-check -q "$spec" || return 1
}

if ! from_release; then
  say "falling back to the Python package"
  from_pip || fail "could not install Newsmark $version: no release archive for this runner could be downloaded, and pip install newsmark failed"
fi

installed=$("$bin_dir/$exe" --version) || fail "$bin_dir/$exe does not run"
say "installed $installed in $bin_dir"
if [ "$version" != latest ] && [ "${installed##* }" != "$version" ]; then
  fail "asked for Newsmark $version, got $installed"
fi
echo "$bin_dir" >> "$GITHUB_PATH"
echo "version=${installed##* }" >> "$GITHUB_OUTPUT"
