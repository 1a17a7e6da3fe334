#!/usr/bin/env bash
# Smoke run of every fuzz target (~20 s each), for CI. Needs a nightly
# toolchain; installs cargo-fuzz when it is missing. Fails when a target
# crashes (the crashing input is left under fuzz/artifacts/<target>/).
#
#   fuzz/smoke.sh                 # every target, 20 s each
#   SECONDS_PER_TARGET=60 fuzz/smoke.sh parse config
set -euo pipefail

cd "$(dirname "$0")"
seconds="${SECONDS_PER_TARGET:-20}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(parse analysis config incremental_edits)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "smoke: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

# cargo fuzz has no --locked: check the committed lock file first, so that a
# stale fuzz/Cargo.lock fails here instead of being rewritten by the build.
if ! cargo metadata --locked --format-version 1 >/dev/null; then
    echo "smoke: fuzz/Cargo.lock is out of date with the Cargo.toml files;" >&2
    echo "smoke: run \`cargo update --workspace --manifest-path fuzz/Cargo.toml\` and commit it" >&2
    exit 1
fi
cargo +nightly fuzz build
for target in "${targets[@]}"; do
    corpus="corpus/$target"
    mkdir -p "$corpus"
    # Seed with the kept regression inputs so they are re-run first.
    cp regressions/"$target"/* "$corpus"/ 2>/dev/null || true
    echo "smoke: $target for ${seconds}s" >&2
    cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -print_final_stats=1
done
