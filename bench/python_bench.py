#!/usr/bin/env python3
"""Benchmark of the Python package against the command line, on one corpus
(default: the medium one). Run it with a Python that has the package (a
release wheel) and Dask installed:

    python bench/python_bench.py --data bench-data --size medium \
        [--newsmark target/release/newsmark] [--runs 3] [--json-out FILE]

It measures, best of --runs wall times, in one run so the ratios compare
like with like:

* `newsmark export --format jsonl ARTICLES...` (the baseline: parse,
  resolve and write every article, stdout to /dev/null);
* `newsmark.parse(text)` on every article text, one after the other, in
  this process (parse, plain text, tags, the diagnostics of the text on its
  own, and the Python objects): throughput in MB/s and articles/s, and its
  ratio to the baseline;
* `Workspace(root).export()` (load the workspace and export every article,
  the engine's threads in parallel) and `Workspace(root).documents()`;
* `newsmark.dask.export(root, client, out=FOLDER)` on a local Dask
  distributed cluster of 1 and of 2 worker processes (one thread each;
  cluster start-up not counted): the driver loads the workspace and ships
  the registry, the workers export the articles to JSON-lines parts, which
  are checked equal, byte for byte, to the baseline's output.

Prints a Markdown table; a figure that cannot be produced says why.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def best_of(runs: int, call):
    best, value = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        value = call()
        best = min(best, time.perf_counter() - started)
    return best, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="bench-data")
    parser.add_argument("--size", default="medium")
    parser.add_argument("--newsmark", default=None,
                        help="the binary for the baseline (default: the package's `newsmark` command, the same engine)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json-out")
    args = parser.parse_args()

    import newsmark
    import newsmark.dask
    from dask.distributed import Client, LocalCluster

    root = Path(args.data) / args.size
    if not (root / "newsmark.toml").is_file():
        print(f"error: no corpus at {root} (bench/gen_corpus.py makes one)", file=sys.stderr)
        return 2
    ws = newsmark.Workspace(root)
    articles = ws.article_paths()
    texts = [Path(path).read_text(encoding="utf-8") for path, _ in articles]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    rows = []

    def row(name, seconds, note=""):
        rows.append({"what": name, "seconds": seconds, "mb_per_s": megabytes / seconds,
                     "articles_per_s": len(texts) / seconds, "note": note})

    binary = os.path.abspath(args.newsmark) if args.newsmark else os.path.join(os.path.dirname(sys.executable), "newsmark")

    def export_command():
        done = subprocess.run([binary, "export", "--format", "jsonl", *[shown for _, shown in articles]],
                              cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if done.returncode not in (0, 1):
            raise RuntimeError(done.stderr.decode())
        return done.stdout
    baseline, expected = best_of(args.runs, export_command)
    row("`newsmark export --format jsonl` (baseline)", baseline)

    parse_time, _ = best_of(args.runs, lambda: [newsmark.parse(t) for t in texts])
    row("`newsmark.parse(text)`, each article in turn", parse_time, f"{baseline / parse_time:.2f}× the baseline's throughput")
    export_time, _ = best_of(args.runs, lambda: newsmark.Workspace(root).export())
    row("`Workspace(root).export()`", export_time, f"{baseline / export_time:.2f}×")
    docs_time, _ = best_of(args.runs, lambda: newsmark.Workspace(root).documents())
    row("`Workspace(root).documents()` (with diagnostics)", docs_time, f"{baseline / docs_time:.2f}×")

    dask_times = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                with Client(cluster) as client:
                    seconds, _ = best_of(args.runs, lambda: newsmark.dask.export(root, client, out=out))
            written = b"".join(p.read_bytes() for p in sorted(Path(out).glob("part-*.jsonl")))
        if written != expected:
            print(f"error: the Dask export with {workers} worker(s) differs from the command's", file=sys.stderr)
            return 1
        dask_times[workers] = seconds
        note = f"{baseline / seconds:.2f}×" + (f", {dask_times[1] / seconds:.2f}× one worker" if workers == 2 else "")
        row(f"`newsmark.dask.export(out=…)`, {workers} worker(s)", seconds, note)

    print(f"\n{args.size}: {len(texts)} articles, {megabytes:.1f} MB of article text, "
          f"{os.cpu_count()} CPUs, best of {args.runs}\n")
    print("| what | wall s | MB/s | articles/s | note |\n|---|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['what']} | {r['seconds']:.2f} | {r['mb_per_s']:.1f} | {r['articles_per_s']:.0f} | {r['note']} |")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"size": args.size, "articles": len(texts),
                                                   "megabytes": megabytes, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
