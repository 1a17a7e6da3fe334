#!/usr/bin/env python3
"""Benchmark of the persistent cache (spec §16) on a generated corpus.

    python3 bench/cache.py --data bench-data --size large \
        [--newsmark target/release/newsmark] [--runs 3] [--json-out FILE]

Works on a copy of the corpus made of hard links (edits replace files, so
the corpus itself is never changed). Every figure is a wall time next to
`rg -c '\\{[@^]' --no-ignore-parent .` over the same copy in the same run
(best of --runs), as a ratio:

* cold `check` (`--no-cache`), and the first run that writes the cache;
* warm `check`, nothing changed;
* warm `check` after editing one article (a new sentence naming an entity
  in its first paragraph), then after tagging that name with an undefined
  id (a misspelling, whose "did you mean" compares it with every id), then
  after editing a source defined in another article (a sentence appended
  to its last attribute line);
* warm `check` after changing one entity's `aka` in a registry (a new alias
  with a rare first word, then one starting with "The", a word of nearly
  every article);
* the cache's size on disk against the tree's;
* the language server (`newsmark lsp`, driven over stdio as by
  bench/run.py) started on the tree: time from `initialize` until its
  "Indexing…" progress ends, its peak memory (VmHWM) and its memory
  (VmRSS) 3 s later (what it builds in the background after indexing
  counts), with the warm
  cache and with an empty cache folder (`NEWSMARK_CACHE_DIR`); with the
  warm cache, also the time until it logged that the files it took from
  the cache were verified (it serves from the cache before that).

Every `check` output is compared with `check --no-cache` over the same
state: a run whose output differs fails the benchmark (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LspClient, LspError, client_capabilities  # noqa: E402


# Runs the timed commands from a small process of its own. The peak RSS
# the kernel gives a child counts the memory it ran in before `exec`:
# spawned from this script, that is the script's own peak (it holds two
# JSON reports to compare them, about a GB), not the command's.
SPAWNER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    argv, cwd = json.loads(line)
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    print(json.dumps([wall, os.waitstatus_to_exitcode(status), ru.ru_maxrss * 1024]), flush=True)
"""
_spawner: subprocess.Popen | None = None


def timed(argv: list[str], cwd: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes), stdout discarded."""
    global _spawner
    if _spawner is None:
        _spawner = subprocess.Popen([sys.executable, "-c", SPAWNER], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
    assert _spawner.stdin is not None and _spawner.stdout is not None
    _spawner.stdin.write(json.dumps([argv, str(cwd)]) + "\n")
    _spawner.stdin.flush()
    reply = _spawner.stdout.readline()
    if not reply:
        sys.exit("the process that runs the timed commands ended")
    wall, rc, rss = json.loads(reply)
    if rc not in (0, 1):
        sys.exit(f"{' '.join(argv)}: exit {rc}")
    return wall, rss


def output(exe: str, root: Path, *extra: str) -> bytes:
    p = subprocess.run([exe, "check", "--format", "json", *extra], cwd=root,
                       stdin=subprocess.DEVNULL, capture_output=True)
    return p.stdout


class Start(NamedTuple):
    """One start of the server (see `server_start`)."""
    seconds: float
    hwm: int
    rss: int
    verified: float | None


def server_start(exe: str, root: Path, cache_dir: Path | None) -> Start:
    """Seconds from `initialize` until the "Indexing…" progress ends,
    VmHWM and VmRSS bytes 3 s later, and seconds until the server logged
    that it verified the files it took from the cache (None when it took
    none on their entries alone), of `newsmark lsp` started on `root`;
    with `cache_dir`, that folder is its cache (NEWSMARK_CACHE_DIR)."""
    env_before = os.environ.get("NEWSMARK_CACHE_DIR")
    if cache_dir is not None:
        os.environ["NEWSMARK_CACHE_DIR"] = str(cache_dir)
    try:
        c = LspClient([exe, "lsp"], str(root), os.devnull)
    finally:
        if cache_dir is not None:
            if env_before is None:
                del os.environ["NEWSMARK_CACHE_DIR"]
            else:
                os.environ["NEWSMARK_CACHE_DIR"] = env_before
    c.folders = [{"uri": root.as_uri(), "name": root.name}]
    try:
        t0 = time.perf_counter()
        c.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(), "workspaceFolders": c.folders,
            "capabilities": client_capabilities(),
        }, timeout=60)
        c.notify("initialized", {})

        def index_end():
            return next((st["end"] for st in c.progress.values()
                         if (st["title"] or "").startswith("Indexing") and st["end"]), None)
        end = c.wait(index_end, 600)
        if end is None:
            sys.exit("the server's indexing did not end within 600 s")
        # The verification of what it took from the cache follows at once
        # (within seconds), when it took any on their entries alone.
        verified = c.wait(lambda: time.perf_counter() if any(
            m.startswith("verified the ") for m in c.messages) else None, 30)
        # What the server builds once indexing has ended (the sorted ids
        # of completion) counts in its memory too.
        time.sleep(3)
        hwm, rss = c.vm_hwm(), c.vm_rss()
        if hwm is None or rss is None:
            sys.exit("the server's VmHWM or VmRSS could not be read")
        return Start(end - t0, hwm, rss, verified - t0 if verified is not None else None)
    except LspError as e:
        sys.exit(f"the server failed: {e}")
    finally:
        c.shutdown()


def tree_bytes(root: Path, skip: str) -> int:
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != skip]
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in filenames)
    return total


def replace(path: Path, text: str) -> None:
    """Writes a new file over `path` (never through a hard link)."""
    tmp = path.with_name(path.name + ".bench-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def first_prose_end(text: str) -> int | None:
    """Where the first paragraph of prose ends (after the front matter; not
    a header, not a definition block)."""
    body = text.index("\n---\n", 4) + 5 if text.startswith("---\n") else 0
    for m in re.finditer(r"(?:^.+\n?)+", text[body:], re.M):
        if not re.match(r"[#@^]", m.group(0)):
            return body + m.start() + len(m.group(0).rstrip("\n"))
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsmark", default="target/release/newsmark")
    ap.add_argument("--data", default="bench-data")
    ap.add_argument("--size", default="large")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json-out")
    args = ap.parse_args()
    exe = str(Path(args.newsmark).resolve())
    src = Path(args.data) / args.size
    if not (src / "newsmark.toml").exists():
        sys.exit(f"{src}: no corpus (generate it with bench/gen_corpus.py)")
    rg = shutil.which("rg")
    if rg is None:
        sys.exit("rg not found (apt-get install -y ripgrep)")

    work = Path(tempfile.mkdtemp(prefix="newsmark-cache-bench-"))
    root = work / args.size
    figures: dict = {"size": args.size}
    try:
        subprocess.run(["cp", "-al", str(src), str(root)], check=True)
        # Hard links change ctime: let the copy leave the racy window.
        time.sleep(2.5)

        def rg_wall() -> float:
            return min(timed([rg, "-c", r"\{[@^]", "--no-ignore-parent", "."], root)[0] for _ in range(args.runs))

        def check_best(*extra: str) -> tuple[float, int]:
            best = [timed([exe, "check", "--format", "json", *extra], root) for _ in range(args.runs)]
            return min(w for w, _ in best), max(r for _, r in best)

        def agree(what: str) -> None:
            if output(exe, root) != output(exe, root, "--no-cache"):
                sys.exit(f"{what}: the cached output differs from --no-cache")

        figures["rg_s"] = rg_wall()
        figures["cold_s"], figures["cold_rss"] = timed([exe, "check", "--format", "json", "--no-cache"], root)
        figures["cache_write_s"], figures["cache_write_rss"] = timed([exe, "check", "--format", "json"], root)
        time.sleep(2.5)
        figures["warm_s"], figures["warm_rss"] = check_best()
        agree("warm")

        # A new sentence at the end of an article's first paragraph of
        # prose; then, in another article, a changed attribute of one of
        # the sources it defines at its end (the line gets a sentence
        # appended, which also makes its date invalid).
        articles = sorted((root / "articles").rglob("*.nmk"))
        article = articles[len(articles) // 2]
        text = article.read_text(encoding="utf-8")
        end = first_prose_end(text)
        if end is None:
            sys.exit(f"{article}: no paragraph of prose")
        replace(article, text[:end] + " Officials met Mr. Xi on Monday." + text[end:])
        figures["edit_s"], figures["edit_rss"] = timed([exe, "check", "--format", "json"], root)
        agree("after an article edit")
        # The same article, the new sentence now tagged with a misspelt id:
        # an undefined reference, whose "did you mean" reads every id.
        replace(article, text[:end] + " Officials met [Mr. Xi]{@xi-jimping} on Monday." + text[end:])
        figures["edit_undefined_s"], figures["edit_undefined_rss"] = timed([exe, "check", "--format", "json"], root)
        agree("after an article edit adding an undefined reference")
        article = articles[len(articles) // 2 + 1]
        text = article.read_text(encoding="utf-8")
        replace(article, text.rstrip("\n") + " Officials met Mr. Xi on Monday.\n")
        figures["edit_def_s"], figures["edit_def_rss"] = timed([exe, "check", "--format", "json"], root)
        agree("after a definition edit in an article")

        # Two aka changes: a new alias whose first word is rare, and one
        # whose first word ("The") is in nearly every article, which then
        # may name the entity and is checked again.
        registry = sorted((root / "registry").glob("*.nmk"))
        for key, alias in (("aka", "Benchmarkia Holdings"), ("aka_common", "The Benchmark Holdings")):
            for reg in registry:
                text = reg.read_text(encoding="utf-8")
                m = re.search(r"^  aka: (.*)$", text, re.M)
                if m:
                    replace(reg, text[:m.start(1)] + m.group(1) + "; " + alias + text[m.end(1):])
                    figures[key + "_file"] = reg.name
                    break
            else:
                sys.exit("no registry entity with an aka")
            figures[key + "_s"], figures[key + "_rss"] = timed([exe, "check", "--format", "json"], root)
            agree(f"after an aka change ({alias})")
            registry = registry[1:]

        # The server, on the warm cache the last run left, then on none.
        starts = [server_start(exe, root, None) for _ in range(args.runs)]
        figures["server_warm_s"] = min(s.seconds for s in starts)
        figures["server_warm_hwm"] = max(s.hwm for s in starts)
        figures["server_warm_rss"] = max(s.rss for s in starts)
        verified = [s.verified for s in starts if s.verified is not None]
        figures["server_verified_s"] = min(verified) if verified else None
        empty = work / "empty-cache"
        empty.mkdir()
        cold = server_start(exe, root, empty)
        figures["server_cold_s"], figures["server_cold_hwm"] = cold.seconds, cold.hwm

        figures["rg_s_after"] = rg_wall()
        figures["tree_bytes"] = tree_bytes(root, ".newsmark_cache")
        figures["cache_bytes"] = tree_bytes(root / ".newsmark_cache", "")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rg_s = min(figures["rg_s"], figures["rg_s_after"])
    mib = 1024 * 1024
    rows = [
        ("rg over the tree (best of both rg runs)", f"{rg_s:.2f} s", "1×", ""),
        ("cold `check --no-cache`", f"{figures['cold_s']:.2f} s", f"{figures['cold_s'] / rg_s:.1f}×",
         f"{figures['cold_rss'] / mib:.0f} MiB"),
        ("first `check`, writing the cache", f"{figures['cache_write_s']:.2f} s",
         f"{figures['cache_write_s'] / rg_s:.1f}×", f"{figures['cache_write_rss'] / mib:.0f} MiB"),
        ("warm `check`, nothing changed", f"{figures['warm_s']:.2f} s", f"{figures['warm_s'] / rg_s:.2f}×",
         f"{figures['warm_rss'] / mib:.0f} MiB"),
        ("warm `check` after editing one article's prose", f"{figures['edit_s']:.2f} s",
         f"{figures['edit_s'] / rg_s:.2f}×", f"{figures['edit_rss'] / mib:.0f} MiB"),
        ("warm `check` after tagging it with an undefined id", f"{figures['edit_undefined_s']:.2f} s",
         f"{figures['edit_undefined_s'] / rg_s:.2f}×", f"{figures['edit_undefined_rss'] / mib:.0f} MiB"),
        ("warm `check` after editing a source defined in an article", f"{figures['edit_def_s']:.2f} s",
         f"{figures['edit_def_s'] / rg_s:.2f}×", f"{figures['edit_def_rss'] / mib:.0f} MiB"),
        ("warm `check` after one entity's `aka` changed", f"{figures['aka_s']:.2f} s",
         f"{figures['aka_s'] / rg_s:.2f}×", f"{figures['aka_rss'] / mib:.0f} MiB"),
        ("warm `check` after one `aka` whose first word is \"The\"", f"{figures['aka_common_s']:.2f} s",
         f"{figures['aka_common_s'] / rg_s:.2f}×", f"{figures['aka_common_rss'] / mib:.0f} MiB"),
        ("server: `initialize` to index complete, warm cache", f"{figures['server_warm_s']:.2f} s", "",
         f"{figures['server_warm_hwm'] / mib:.0f} MiB"),
        ("server: memory 3 s after index complete (VmRSS), warm cache", f"{figures['server_warm_rss'] / mib:.0f} MiB",
         "", ""),
        ("server: `initialize` to the files taken from the cache verified",
         "-" if figures["server_verified_s"] is None else f"{figures['server_verified_s']:.2f} s", "", ""),
        ("server: `initialize` to index complete, no cache", f"{figures['server_cold_s']:.2f} s", "",
         f"{figures['server_cold_hwm'] / mib:.0f} MiB"),
        ("cache size on disk", f"{figures['cache_bytes'] / mib:.0f} MiB",
         f"{100 * figures['cache_bytes'] / figures['tree_bytes']:.0f} % of the tree "
         f"({figures['tree_bytes'] / mib:.0f} MiB)", ""),
    ]
    print(f"| {args.size} | wall | vs rg | peak RSS |\n|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
