#!/usr/bin/env python3
"""Benchmark of `newsmark check --fix` (spec §14) against plain `check`.

    python3 bench/fix.py [--newsmark target/release/newsmark] \
        [--data bench-data] [--size large] [--unsafe-fixes]

Copies DATA/SIZE to a temporary folder (`--fix` writes), then times, with
that copy as the current folder:

1. `check --format json` (the baseline, stdout to /dev/null);
2. `check --fix [--unsafe-fixes] --format json`, with NEWSMARK_TIMINGS set
   so that the binary prints one `fix round` line per round it re-checked.

Target: `--fix` costs at most one extra check per round, i.e.
fix time <= (rounds + 1) x check time, with 15% for noise and the writes.
Prints the figures and exits 1 when the target is missed (2 on a failure).

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOISE = 1.15


def timed(argv: list[str], cwd: Path, env: dict) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, proc.returncode, proc.stderr


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--newsmark", default="target/release/newsmark")
    p.add_argument("--data", default="bench-data")
    p.add_argument("--size", default="large")
    p.add_argument("--unsafe-fixes", action="store_true")
    a = p.parse_args()
    exe = str(Path(a.newsmark).resolve())
    source = Path(a.data) / a.size
    if not (source / "bench-manifest.json").exists():
        print(f"no corpus at {source} (bench/gen_corpus.py makes one)", file=sys.stderr)
        return 2
    env = dict(os.environ, NO_COLOR="1")
    with tempfile.TemporaryDirectory(prefix="newsmark-fix-bench-") as tmp:
        root = Path(tmp) / a.size
        t0 = time.perf_counter()
        shutil.copytree(source, root)
        print(f"copied {source} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

        check_s, code, err = timed([exe, "check", "--format", "json"], root, env)
        if code not in (0, 1):
            print(f"check failed ({code}): {err}", file=sys.stderr)
            return 2
        fix_args = [exe, "check", "--fix", "--format", "json"] + (["--unsafe-fixes"] if a.unsafe_fixes else [])
        fix_s, code, err = timed(fix_args, root, dict(env, NEWSMARK_TIMINGS="1"))
        if code not in (0, 1):
            print(f"check --fix failed ({code}): {err}", file=sys.stderr)
            return 2
        rounds = sum(1 for line in err.splitlines() if line.startswith("timing: fix round"))
        summary = next((line for line in err.splitlines() if line.startswith("fixed ")), "?")

    budget = (rounds + 1) * check_s
    ratio = fix_s / check_s
    met = fix_s <= budget * NOISE
    mode = "--fix --unsafe-fixes" if a.unsafe_fixes else "--fix"
    print(f"| corpus | check | check {mode} | rounds | ratio | target (rounds + 1) | met |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {a.size} | {check_s:.2f} s | {fix_s:.2f} s | {rounds} | {ratio:.2f} | {rounds + 1} | {'yes' if met else 'NO'} |")
    print(summary)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
