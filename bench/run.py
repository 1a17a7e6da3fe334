#!/usr/bin/env python3
"""Benchmark harness for `newsmark check` and `newsmark lsp`.

    python3 bench/run.py --sizes small,medium,large \
        [--newsmark target/release/newsmark] [--data bench-data] \
        [--runs 3] [--json-out results.json] [--smoke]

For each size it generates the corpus if missing (bench/gen_corpus.py, into
DATA/SIZE), then measures:

* the command line: `newsmark check --format json` run with the corpus root
  as the current folder, stdout to /dev/null, exit code 0 or 1 accepted:
  wall time (best of --runs), peak RSS (ru_maxrss of the child from
  os.wait4) and files per second; and `rg -c '\\{[@^]'` over the same tree
  (best of --runs) with the check/rg ratio;
* the language server (on --lsp-sizes, default medium and large), driven
  over stdio like an editor: time to the first publishDiagnostics of an
  article opened right after `initialized` (while the workspace indexes),
  time until the "Indexing…" progress ends, keystroke-to-diagnostics on a
  typical article and on the 1 MB article, hover / definition / completion /
  references latency, references and rename of an entity with 10,000
  references, keystrokes in a 10 MB registry of 100,000 definitions with five
  articles open, and the server's peak memory (VmHWM).

Percentiles interpolate linearly between the nearest ranks (see `pct`).

It prints a Markdown table with every figure and the targets (met/missed),
and with --json-out writes the same as JSON. A figure the binary cannot
produce (missing binary, request error, timeout) is reported as "n/a" with
the reason, never as a crash. --smoke runs the small size only, once, with a
handful of LSP requests, for CI.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN = HERE / "gen_corpus.py"
GIB = 1024 ** 3

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    """Percentile (p in 0..100) of a non-empty list, interpolated linearly
    between the two nearest ranks: rank p/100 * (n - 1) counted from 0 (type 7
    of Hyndman and Fan, the default of NumPy and of R's `quantile`). Of 100
    samples, p99 lies between the 99th and the 100th smallest; it is the
    maximum only when p is 100."""
    s = sorted(values)
    rank = max(0.0, min(1.0, p / 100)) * (len(s) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (rank - lo)


def fmt_ms(s: float | None) -> str:
    if s is None:
        return "n/a"
    ms = s * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 1000 else f"{s:.2f} s"


def fmt_bytes(b: int | None) -> str:
    if b is None:
        return "n/a"
    return f"{b / 1024 ** 2:.0f} MiB" if b < GIB else f"{b / GIB:.2f} GiB"


class NA(Exception):
    """A figure that cannot be measured; the message says why."""


# ---------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------


def ensure_corpus(data: Path, size: str, seed: int) -> dict:
    root = data / size
    manifest = root / "bench-manifest.json"
    if not manifest.exists():
        if root.exists() and any(root.iterdir()):
            raise SystemExit(f"{root} exists without a manifest; remove it and rerun")
        log(f"generating {size} corpus into {root} ...")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(GEN), "--size", size, "--seed", str(seed),
                        "--out", str(root)], check=True)
        log(f"generated {size} in {time.perf_counter() - t0:.1f}s")
    m = json.loads(manifest.read_text())
    m["root"] = str(root.resolve())
    m["nmk_files"] = sum(1 for _ in root.rglob("*.nmk"))
    return m


# ---------------------------------------------------------------------------
# Command line: newsmark check, rg
# ---------------------------------------------------------------------------


def timed_child(argv: list[str], cwd: str, ok_codes: tuple[int, ...]) -> tuple[float, int]:
    """Runs argv once (stdout to /dev/null); returns (wall seconds, peak RSS bytes).

    The peak RSS is ru_maxrss of the child from os.wait4 (kilobytes on Linux).
    """
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        if rc not in ok_codes:
            err.seek(0)
            tail = err.read()[-400:].decode("utf-8", "replace").strip()
            raise NA(f"exit code {rc}: {tail or '(no stderr)'}")
    return wall, ru.ru_maxrss * 1024


def bench_check(exe: str | None, m: dict, runs: int, count_diags: bool) -> dict:
    out: dict = {}
    root = m["root"]
    if exe is None:
        out["check_error"] = "newsmark binary not found"
    else:
        try:
            walls, rss = [], []
            for i in range(runs):
                w, r = timed_child([exe, "check", "--format", "json", "--no-cache"], root, (0, 1))
                walls.append(w)
                rss.append(r)
                log(f"  check run {i + 1}/{runs}: {w:.2f}s, {fmt_bytes(r)}")
            out["check_wall_s"] = min(walls)
            out["check_walls_s"] = walls
            out["check_peak_rss"] = max(rss)
            out["check_files_per_s"] = m["nmk_files"] / min(walls)
            if count_diags:
                p = subprocess.run([exe, "check", "--format", "json"], cwd=root,
                                   stdin=subprocess.DEVNULL, capture_output=True)
                codes: dict[str, int] = {}
                bad = 0
                for line in p.stdout.splitlines():
                    try:
                        codes[json.loads(line)["code"]] = codes.get(json.loads(line)["code"], 0) + 1
                    except (ValueError, KeyError, TypeError):
                        bad += 1
                out["check_diagnostics_by_code"] = dict(sorted(codes.items()))
                if bad:
                    out["check_unparsable_lines"] = bad
        except NA as e:
            out["check_error"] = str(e)
        except OSError as e:
            out["check_error"] = f"cannot run {exe}: {e}"
    rg = shutil.which("rg")
    if rg is None:
        out["rg_error"] = "rg not found (install it: apt-get install -y ripgrep)"
    else:
        # --no-ignore-parent: the corpus may sit under a repository whose
        # .gitignore ignores it (bench-data/); Newsmark ignores those too.
        argv = [rg, "--no-ignore-parent", "-c", r"\{[@^]", "."]
        try:
            walls = [timed_child(argv, root, (0, 1))[0] for _ in range(runs)]
            out["rg_wall_s"] = min(walls)
            p = subprocess.run(argv, cwd=root, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True)
            lines = p.stdout.splitlines()
            out["rg_matching_files"] = len(lines)
            out["rg_matching_lines"] = sum(int(x.rsplit(":", 1)[1]) for x in lines if ":" in x)
            if "check_wall_s" in out:
                out["check_rg_ratio"] = out["check_wall_s"] / out["rg_wall_s"]
        except NA as e:
            out["rg_error"] = str(e)
    return out


# ---------------------------------------------------------------------------
# A small LSP client
# ---------------------------------------------------------------------------


class LspError(Exception):
    pass


class LspClient:
    """A JSON-RPC client for a language server on stdio.

    Messages are framed with `Content-Length` headers. A reader thread parses
    everything the server sends: responses are matched to requests by id;
    requests from the server get an editor-like answer (progress tokens are
    accepted, configuration is empty); notifications are recorded with their
    arrival time (publishDiagnostics per URI with its version, $/progress per
    token).
    """

    def __init__(self, argv: list[str], cwd: str, stderr_path: str):
        self._stderr = open(stderr_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._stderr)
        self.pid = self.proc.pid
        self.cond = threading.Condition()
        self.wlock = threading.Lock()
        self.next_id = 0
        self.responses: dict[int, tuple[float, dict]] = {}
        self.diags: dict[str, list[tuple[float, int | None, int]]] = {}
        self.progress: dict = {}          # token -> {"title", "begin", "end"}
        self.messages: list[str] = []     # window/showMessage and logMessage
        self.server_requests: list[str] = []
        self.closed: str | None = None
        self.folders: list[dict] = []
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    # -- wire ------------------------------------------------------------
    def _send(self, msg: dict) -> float:
        body = json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self.wlock:
            t = time.perf_counter()
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise LspError(f"server closed its input: {e}") from None
        return t

    def _read_message(self) -> bytes | None:
        """Reads one framed message body; None at end of stream."""
        f = self.proc.stdout
        length = None
        while True:
            line = f.readline()
            if not line:
                return None
            line = line.rstrip(b"\r\n")
            if not line:
                if length is None:
                    continue  # tolerate stray blank lines between messages
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        body = f.read(length)
        if len(body) < length:
            return None
        return body

    def _read_loop(self) -> None:
        try:
            while True:
                body = self._read_message()
                if body is None:
                    self._close("server closed its output")
                    return
                # Arrival time: before parsing, so the client's JSON decoding
                # of a large answer is not charged to the server.
                t = time.perf_counter()
                try:
                    msg = json.loads(body.decode("utf-8"))
                except (ValueError, UnicodeDecodeError) as e:
                    self._close(f"unparsable message from server: {e}")
                    return
                self._dispatch(msg, t)
        except Exception as e:  # noqa: BLE001 - the reader must not die silently
            self._close(f"reader failed: {e!r}")

    def _close(self, why: str) -> None:
        with self.cond:
            self.closed = self.closed or why
            self.cond.notify_all()

    def _dispatch(self, msg: dict, t: float) -> None:
        method = msg.get("method")
        if method is None:
            if "id" in msg:
                with self.cond:
                    self.responses[msg["id"]] = (t, msg)
                    self.cond.notify_all()
            return
        if "id" in msg:
            self._answer(msg)
            return
        params = msg.get("params") or {}
        with self.cond:
            if method == "textDocument/publishDiagnostics":
                self.diags.setdefault(params.get("uri"), []).append(
                    (t, params.get("version"), len(params.get("diagnostics") or [])))
            elif method == "$/progress":
                token = json.dumps(params.get("token"))
                v = params.get("value") or {}
                st = self.progress.setdefault(token, {"title": None, "begin": None, "end": None})
                if v.get("kind") == "begin":
                    st["title"], st["begin"] = v.get("title"), t
                elif v.get("kind") == "end":
                    st["end"] = t
            elif method in ("window/showMessage", "window/logMessage"):
                if len(self.messages) < 200:
                    self.messages.append(str(params.get("message"))[:300])
            self.cond.notify_all()

    def _answer(self, req: dict) -> None:
        """Answers a request from the server as an editor would."""
        method, params = req["method"], req.get("params") or {}
        self.server_requests.append(method)
        result: object = None
        if method == "workspace/configuration":
            result = [None for _ in params.get("items", [])]
        elif method == "workspace/workspaceFolders":
            result = self.folders
        elif method == "workspace/applyEdit":
            result = {"applied": False, "failureReason": "benchmark client"}
        # window/workDoneProgress/create, client/registerCapability,
        # */refresh, window/showMessageRequest: null is the right answer.
        try:
            self._send({"jsonrpc": "2.0", "id": req["id"], "result": result})
        except LspError:
            pass

    # -- API -------------------------------------------------------------
    def notify(self, method: str, params: dict) -> float:
        return self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict, timeout: float = 10.0):
        """Sends a request; returns (result, latency seconds). Raises LspError."""
        with self.cond:
            self.next_id += 1
            rid = self.next_id
        t0 = self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = t0 + timeout
        with self.cond:
            while rid not in self.responses:
                if self.closed:
                    raise LspError(self.closed)
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise LspError(f"{method}: no response within {timeout:g}s")
                self.cond.wait(left)
            t, msg = self.responses.pop(rid)
        if "error" in msg:
            e = msg["error"] or {}
            raise LspError(f"{method}: error {e.get('code')}: {e.get('message')}")
        return msg.get("result"), t - t0

    def wait(self, pred, timeout: float):
        """Waits until pred() (called under the lock) is truthy; returns it or None."""
        deadline = time.perf_counter() + timeout
        with self.cond:
            while True:
                v = pred()
                if v:
                    return v
                if self.closed:
                    raise LspError(self.closed)
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def diag_count(self, uri: str) -> int:
        with self.cond:
            return len(self.diags.get(uri, ()))

    def wait_diagnostics(self, uri: str, after: int, version: int | None, timeout: float):
        """Waits for a publishDiagnostics on uri, past index `after`.

        With a version: the first one carrying that version (one without a
        version is accepted too, since the field is optional). Returns
        (arrival time, version, count) or None on timeout.
        """
        def pred():
            for entry in self.diags.get(uri, ())[after:]:
                if version is None or entry[1] is None or entry[1] == version:
                    return entry
            return None
        return self.wait(pred, timeout)

    def vm_hwm(self) -> int | None:
        """Peak resident memory of the server (VmHWM), in bytes."""
        return self.vm_status("VmHWM")

    def vm_rss(self) -> int | None:
        """Resident memory of the server now (VmRSS), in bytes."""
        return self.vm_status("VmRSS")

    def vm_status(self, field: str) -> int | None:
        """A memory field of /proc/PID/status (kB there), in bytes."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def shutdown(self) -> None:
        try:
            if not self.closed:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
        except LspError:
            pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


# ---------------------------------------------------------------------------
# Documents and positions
# ---------------------------------------------------------------------------

REF_GROUP = re.compile(r"\]\{([^}\n]*)\}")
REF = re.compile(r"[@^][^\s}]+")


def utf16_col(line: str, col: int) -> int:
    return len(line[:col].encode("utf-16-le")) // 2


def reference_positions(text: str) -> list[tuple[int, int, int, str]]:
    """(line, utf16 character inside the id, utf16 character of the sigil, ref)
    for every reference in a well-formed-looking tag of the document."""
    out = []
    for ln, line in enumerate(text.split("\n")):
        for g in REF_GROUP.finditer(line):
            for r in REF.finditer(g.group(1)):
                sig = g.start(1) + r.start()
                if len(r.group()) < 2:
                    continue
                out.append((ln, utf16_col(line, sig + 2), utf16_col(line, sig), r.group()))
    return out


def edit_position(text: str) -> tuple[int, int]:
    """A place to type in the middle of the prose: the end of a prose line
    near the middle of the document (not front matter, heading or definition)."""
    lines = text.split("\n")
    body = 0
    if lines and lines[0] == "---":  # skip the front matter
        body = next((i + 1 for i in range(1, len(lines)) if lines[i] == "---"), len(lines))
    candidates = [i for i in range(body, len(lines))
                  if len(lines[i]) > 40 and lines[i][0] not in "@^#- \t<"]
    if not candidates:
        raise NA("no prose line to edit")
    i = candidates[len(candidates) // 2]
    return i, utf16_col(lines[i], len(lines[i]))


# ---------------------------------------------------------------------------
# The language server benchmark
# ---------------------------------------------------------------------------

def client_capabilities() -> dict:
    """Roughly what VS Code announces, as far as this benchmark cares."""
    return {
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": True, "showMessage": {}},
        "workspace": {
            "workspaceFolders": True, "configuration": True, "applyEdit": True,
            "workspaceEdit": {"documentChanges": True,
                              "resourceOperations": ["create", "rename", "delete"]},
            "didChangeWatchedFiles": {"dynamicRegistration": True},
            "symbol": {"dynamicRegistration": True},
            "semanticTokens": {"refreshSupport": True},
            "diagnostics": {"refreshSupport": True},
        },
        "textDocument": {
            "synchronization": {"dynamicRegistration": True, "didSave": True,
                                "willSave": True, "willSaveWaitUntil": True},
            "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                                   "codeDescriptionSupport": True, "dataSupport": True,
                                   "tagSupport": {"valueSet": [1, 2]}},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "definition": {"linkSupport": True},
            "references": {},
            "completion": {"completionItem": {"snippetSupport": True,
                                              "documentationFormat": ["markdown", "plaintext"],
                                              "labelDetailsSupport": True},
                           "contextSupport": True},
            "rename": {"prepareSupport": True},
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                "quickfix", "refactor", "source"]}}},
            "semanticTokens": {"requests": {"full": {"delta": True}, "range": True},
                               "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]},
        },
    }


class LspBench:
    def __init__(self, exe: str, m: dict, a: argparse.Namespace):
        self.exe, self.m, self.a = exe, m, a
        self.root = Path(m["root"])
        self.res: dict = {}
        self.errors: dict = {}
        self.opened: dict[str, str] = {}

    def uri(self, rel: str) -> str:
        return (self.root / rel).resolve().as_uri()

    def open(self, rel: str) -> tuple[str, str, float, int]:
        """didOpen of a workspace file (once); returns (uri, text, sent at, diags before)."""
        uri = self.uri(rel)
        before = self.c.diag_count(uri)
        if rel in self.opened:
            return uri, self.opened[rel], time.perf_counter(), before
        text = (self.root / rel).read_text(encoding="utf-8")
        self.opened[rel] = text
        t = self.c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "newsmark", "version": 1, "text": text}})
        return uri, text, t, before

    def na(self, key: str, why: str) -> None:
        self.errors[key] = why
        log(f"  {key}: n/a ({why})")

    def run(self) -> dict:
        a = self.a
        stderr_path = str(Path(a.data) / f"lsp-{self.m['size']}.stderr.log")
        # An empty cache folder of its own: the server indexes from the
        # files (what this benchmark measures), and the cache it writes
        # once indexed stays out of the corpus (`bench/cache.py` measures
        # the start from a cache).
        cache_dir = tempfile.TemporaryDirectory(prefix="newsmark-lsp-cache-")
        env_before = os.environ.get("NEWSMARK_CACHE_DIR")
        os.environ["NEWSMARK_CACHE_DIR"] = cache_dir.name
        try:
            c = self.c = LspClient([self.exe, "lsp"], str(self.root), stderr_path)
        finally:
            if env_before is None:
                del os.environ["NEWSMARK_CACHE_DIR"]
            else:
                os.environ["NEWSMARK_CACHE_DIR"] = env_before
        c.folders = [{"uri": self.root.as_uri(), "name": self.root.name}]
        self.cache_dir = cache_dir
        try:
            self._run()
        except LspError as e:
            time.sleep(0.2)
            rc = c.proc.poll()
            why = str(e) if rc is None else f"server exited with code {rc} ({e})"
            self.na("server", f"{why}; see {stderr_path}")
        finally:
            hwm = c.vm_hwm()
            if hwm is not None:
                self.res["server_vm_hwm"] = hwm
            c.shutdown()
            self.cache_dir.cleanup()
            if c.server_requests:
                self.res["server_requests_seen"] = sorted(set(c.server_requests))
        return {"lsp": self.res, "lsp_errors": self.errors}

    def _run(self) -> None:
        a, c, m, res = self.a, self.c, self.m, self.res
        init_opts = ({} if a.debounce_ms is None else
                     {"debounceMs": a.debounce_ms, "diagnosticDelayMs": a.debounce_ms})
        t_start = time.perf_counter()
        result, lat = c.request("initialize", {
            "processId": os.getpid(),
            "clientInfo": {"name": "newsmark-bench", "version": "1"},
            "rootUri": self.root.as_uri(),
            "rootPath": str(self.root),
            "workspaceFolders": c.folders,
            "capabilities": client_capabilities(),
            "initializationOptions": init_opts,
            "trace": "off",
        }, timeout=60)
        res["initialize_s"] = lat
        caps = (result or {}).get("capabilities", {})
        res["server_capabilities"] = sorted(caps)
        c.notify("initialized", {})
        t_init = time.perf_counter()

        # An article opened right away, while the workspace indexes.
        typical = m["typical_article"]
        uri, text, t_open, before = self.open(typical)
        first = c.wait_diagnostics(uri, before, None, a.first_diag_timeout)
        if first is None:
            self.na("first_diagnostics_s", f"no publishDiagnostics within {a.first_diag_timeout:g}s")
        else:
            res["first_diagnostics_s"] = first[0] - t_open
            with c.cond:
                res["first_diagnostics_while_indexing"] = not self._index_done()

        # Indexing.
        def index_token():
            for st in c.progress.values():
                if (st["title"] or "").startswith("Indexing"):
                    return st
            return None
        st = c.wait(index_token, a.progress_grace)
        if st is None:
            self.na("indexing_s", f"no $/progress titled 'Indexing…' within {a.progress_grace:g}s")
        else:
            done = c.wait(lambda: st["end"], a.index_timeout)
            if done is None:
                self.na("indexing_s", f"indexing did not end within {a.index_timeout:g}s")
            else:
                res["indexing_s"] = done - t_start
                res["indexing_after_initialized_s"] = done - t_init

        # Keystroke to diagnostics.
        self.keystrokes("typical", uri, text, 1)
        huge_uri, huge_text, t_open, before = self.open(m["huge_article"])
        first = c.wait_diagnostics(huge_uri, before, None, a.first_diag_timeout)
        if first is not None:
            res["huge_first_diagnostics_s"] = first[0] - t_open
        self.keystrokes("huge", huge_uri, huge_text, 1)

        # Requests at reference positions of the typical article.
        positions = reference_positions(text)
        if not positions:
            self.na("requests", "no references in the typical article")
        else:
            self.requests(uri, positions)

        # References of the hot entity, then its rename.
        self.hot_references()
        self.rename()

        # Typing in a 10 MB registry while five articles are open.
        c.notify("textDocument/didClose", {"textDocument": {"uri": huge_uri}})
        self.registry_typing()

    def _index_done(self) -> bool:
        return any((st["title"] or "").startswith("Indexing") and st["end"]
                   for st in self.c.progress.values())

    def keystrokes(self, which: str, uri: str, text: str, version: int) -> None:
        a, c = self.a, self.c
        try:
            line, ch = edit_position(text)
        except NA as e:
            self.na(f"keystroke_{which}", str(e))
            return
        samples: list[float] = []
        unversioned = 0
        for i in range(a.edits):
            version += 1
            if i % 2 == 0:   # type a character
                change = {"range": {"start": {"line": line, "character": ch},
                                    "end": {"line": line, "character": ch}}, "text": "x"}
            else:            # delete it
                change = {"range": {"start": {"line": line, "character": ch},
                                    "end": {"line": line, "character": ch + 1}}, "text": ""}
            before = c.diag_count(uri)
            t = c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            got = c.wait_diagnostics(uri, before, version, a.edit_timeout)
            if got is None:
                self.na(f"keystroke_{which}", f"no diagnostics for version {version} within {a.edit_timeout:g}s")
                return
            if got[1] is None:
                unversioned += 1
            samples.append(got[0] - t)
        if a.edits % 2:  # leave the document as it was on disk
            version += 1
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": line, "character": ch},
                                              "end": {"line": line, "character": ch + 1}}, "text": ""}]})
        self.res[f"keystroke_{which}"] = {
            "median_s": statistics.median(samples), "p99_s": pct(samples, 99),
            "n": len(samples), "unversioned": unversioned}

    def requests(self, uri: str, positions: list) -> None:
        a, c = self.a, self.c
        n = a.requests
        picks = [positions[(i * 7) % len(positions)] for i in range(n)]
        kinds = {
            "hover": lambda p: ("textDocument/hover", {"position": {"line": p[0], "character": p[1]}}),
            "definition": lambda p: ("textDocument/definition", {"position": {"line": p[0], "character": p[1]}}),
            # Completion after `{@` plus a one-character prefix of the id.
            "completion": lambda p: ("textDocument/completion", {
                "position": {"line": p[0], "character": p[2] + 2},
                "context": {"triggerKind": 1}}),
            "references": lambda p: ("textDocument/references", {
                "position": {"line": p[0], "character": p[1]},
                "context": {"includeDeclaration": True}}),
        }
        for kind, make in kinds.items():
            samples: list[float] = []
            errors: list[str] = []
            empty = 0
            sizes: list[int] = []
            for p in picks:
                method, params = make(p)
                params["textDocument"] = {"uri": uri}
                try:
                    result, lat = c.request(method, params, timeout=a.request_timeout)
                except LspError as e:
                    errors.append(str(e))
                    if len(errors) >= 3 and not samples:
                        break  # the feature is missing; do not hammer it
                    continue
                samples.append(lat)
                if not result:
                    empty += 1
                elif isinstance(result, list):
                    sizes.append(len(result))
                elif isinstance(result, dict) and "items" in result:
                    sizes.append(len(result["items"]))
            if not samples:
                self.na(kind, errors[0] if errors else "no samples")
                continue
            self.res[kind] = {"median_s": statistics.median(samples), "p99_s": pct(samples, 99),
                              "n": len(samples), "errors": len(errors), "empty": empty}
            if sizes:
                self.res[kind]["median_result_len"] = statistics.median(sizes)
            if errors:
                self.res[kind]["first_error"] = errors[0]

    def hot_position(self, key: str):
        """(uri, position) of a reference to the hot entity in the hot article."""
        m = self.m
        rel = m.get("hot_article")
        if not rel:
            self.na(key, "the corpus has no article referencing the hot entity")
            return None
        uri, text, _, _ = self.open(rel)
        hot = [p for p in reference_positions(text) if p[3] == "@" + m["hot_entity"]]
        if not hot:
            self.na(key, "no hot reference found in the hot article")
            return None
        return uri, {"line": hot[0][0], "character": hot[0][1]}

    def hot_references(self) -> None:
        """references on the entity with 10,000 references (declaration included)."""
        a, c = self.a, self.c
        found = self.hot_position("references_hot")
        if found is None:
            return
        uri, pos = found
        samples: list[float] = []
        sizes: list[int] = []
        for _ in range(max(3, a.requests // 10)):
            try:
                result, lat = c.request("textDocument/references", {
                    "textDocument": {"uri": uri}, "position": pos,
                    "context": {"includeDeclaration": True}}, timeout=a.request_timeout)
            except LspError as e:
                self.na("references_hot", str(e))
                return
            samples.append(lat)
            sizes.append(len(result or []))
        self.res["references_hot"] = {"median_s": statistics.median(samples), "p99_s": pct(samples, 99),
                                      "n": len(samples), "median_result_len": statistics.median(sizes)}

    def registry_typing(self) -> None:
        """Keystrokes in the display name of a definition in the middle of a
        10 MB registry of 100,000 definitions, with five articles open.

        The registry is the first `registry/people-*.nmk` opened with the
        text of the first twenty people files (ids of the copies suffixed,
        so nothing is defined twice). Each sample runs from the didChange to
        the arrival of the registry's diagnostics of that version and of
        every article the server publishes again for it (collected for
        200 ms after the registry's, then not timed)."""
        a, c, m = self.a, self.c, self.m
        key = "keystroke_registry"
        people = sorted((self.root / "registry").glob("people-*.nmk"))
        if not people:
            self.na(key, "the corpus has no registry/people-*.nmk")
            return
        parts: list[str] = []
        defs = 0
        header = re.compile(r"^([@^][^\s:]+)", re.M)
        for k, path in enumerate(people):
            text = path.read_text(encoding="utf-8")
            if k:
                text = header.sub(lambda g: f"{g.group(1)}-copy{k}", text)
            parts.append(text if text.endswith("\n") else text + "\n")
            defs += len(header.findall(text))
            if defs >= 100_000:
                break
        big = "\n".join(parts)
        # Five articles: the typical and the hot one are open already.
        typical_dir = (self.root / m["typical_article"]).parent
        others = [p for p in sorted(typical_dir.glob("*.nmk"))
                  if str(p.relative_to(self.root)) not in self.opened][:3]
        articles = [self.uri(m["typical_article"]), self.uri(m["hot_article"])]
        for p in others:
            u, _, t_open, before = self.open(str(p.relative_to(self.root)))
            c.wait_diagnostics(u, before, None, a.first_diag_timeout)
            articles.append(u)
        uri = self.uri(str(people[0].relative_to(self.root)))
        before = c.diag_count(uri)
        t = c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "newsmark", "version": 1, "text": big}})
        first = c.wait_diagnostics(uri, before, None, 120)
        if first is None:
            self.na(key, "no diagnostics for the 10 MB registry within 120 s")
            return
        self.res["registry_first_diagnostics_s"] = first[0] - t
        lines = big.split("\n")
        names = [i for i, ln in enumerate(lines) if ln.startswith("@") and ln.endswith('"')]
        if not names:
            self.na(key, "no definition with a display name in the registry")
            return
        line = names[len(names) // 2]
        ch = utf16_col(lines[line], len(lines[line]) - 1)  # before the closing quote
        samples: list[float] = []
        republished: list[int] = []
        version = 1
        for i in range(a.registry_edits):
            version += 1
            end = ch if i % 2 == 0 else ch + 1
            change = {"range": {"start": {"line": line, "character": ch},
                                "end": {"line": line, "character": end}},
                      "text": "x" if i % 2 == 0 else ""}
            counts = {u: c.diag_count(u) for u in articles}
            before = c.diag_count(uri)
            t = c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            got = c.wait_diagnostics(uri, before, version, a.edit_timeout)
            if got is None:
                self.na(key, f"no diagnostics for version {version} within {a.edit_timeout:g}s")
                return
            time.sleep(0.2)
            last = got[0]
            n = 0
            with c.cond:
                for u in articles:
                    for entry in c.diags.get(u, ())[counts[u]:]:
                        if entry[0] - t < 0.2 + (got[0] - t):
                            last = max(last, entry[0])
                            n += 1
            samples.append(last - t)
            republished.append(n)
        c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self.res[key] = {"median_s": statistics.median(samples), "p99_s": pct(samples, 99),
                         "n": len(samples), "definitions": defs, "bytes": len(big.encode("utf-8")),
                         "articles_republished_median": statistics.median(republished)}

    def rename(self) -> None:
        a, c, m = self.a, self.c, self.m
        found = self.hot_position("rename")
        if found is None:
            return
        uri, pos = found
        doc = {"uri": uri}
        try:
            _, lat = c.request("textDocument/prepareRename", {"textDocument": doc, "position": pos},
                               timeout=a.request_timeout)
            self.res["prepare_rename_s"] = lat
        except LspError as e:
            self.na("prepare_rename_s", str(e))
        try:
            result, lat = c.request("textDocument/rename", {
                "textDocument": doc, "position": pos, "newName": m["hot_entity"] + "-renamed"},
                timeout=a.rename_timeout)
        except LspError as e:
            self.na("rename", str(e))
            return
        edits, files = count_edits(result)
        self.res["rename"] = {"s": lat, "edits": edits, "files": files,
                              "expected_edits": m["hot_refs"] + 1}


def count_edits(we) -> tuple[int, int]:
    """(text edits, files) in a WorkspaceEdit (`changes` or `documentChanges`)."""
    if not we:
        return 0, 0
    edits, files = 0, set()
    for u, lst in (we.get("changes") or {}).items():
        edits += len(lst)
        files.add(u)
    for dc in we.get("documentChanges") or []:
        if "edits" in dc:
            edits += len(dc["edits"])
            files.add(dc["textDocument"]["uri"])
    return edits, len(files)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def build_rows(results: dict, a: argparse.Namespace) -> list[dict]:
    """One row per figure: size, figure, value, target, status."""
    rows = []

    def row(size, figure, value, target="", ok=None, note=""):
        status = "" if ok is None else ("met" if ok else "missed")
        if value == "n/a" and target:
            status = "n/a"
        rows.append({"size": size, "figure": figure, "value": value,
                     "target": target, "status": status, "note": note})

    deb = ("debounceMs=%d requested via initializationOptions" % a.debounce_ms
           if a.debounce_ms is not None else "server's default debounce")
    for size, r in results.items():
        big = size == "large"
        c = r.get("check", {})
        m = r["manifest"]
        row(size, "corpus", f"{m['nmk_files']:,} .nmk files, {m['bytes'] / 1e6:.0f} MB", "")
        if "check_wall_s" in c:
            row(size, "check wall (best of %d)" % a.runs, fmt_ms(c["check_wall_s"]))
            row(size, "check peak RSS", fmt_bytes(c["check_peak_rss"]),
                "< 1.5 GiB" if big else "", (c["check_peak_rss"] < 1.5 * GIB) if big else None)
            row(size, "check files/s", f"{c['check_files_per_s']:,.0f}")
            if "check_diagnostics_by_code" in c:
                d = c["check_diagnostics_by_code"]
                row(size, "check diagnostics", f"{sum(d.values()):,}",
                    note=", ".join(f"{k} {v:,}" for k, v in d.items()))
        else:
            row(size, "check", "n/a", "≤ 3× rg, < 1.5 GiB" if big else "", None, c.get("check_error", ""))
        if "rg_wall_s" in c:
            row(size, "rg -c '\\{[@^]' (best of %d)" % a.runs, fmt_ms(c["rg_wall_s"]),
                note=f"{c.get('rg_matching_lines', 0):,} lines in {c.get('rg_matching_files', 0):,} files")
        else:
            row(size, "rg", "n/a", note=c.get("rg_error", ""))
        if "check_rg_ratio" in c:
            row(size, "check / rg", f"{c['check_rg_ratio']:.2f}×", "≤ 3×" if big else "",
                (c["check_rg_ratio"] <= 3) if big else None)
        elif big:
            row(size, "check / rg", "n/a", "≤ 3×", None, "needs both figures")
        if "lsp" not in r:
            continue
        l, e = r["lsp"]["lsp"], r["lsp"]["lsp_errors"]
        if "server" in e:
            row(size, "server", "n/a", note=e["server"])

        def lat_row(key, figure, target="", limit=None, note="", p99_limit=None):
            v = l.get(key)
            if v is None:
                row(size, figure, "n/a", target, None, e.get(key, "not measured"))
                return
            val = f"median {fmt_ms(v['median_s'])}, p99 {fmt_ms(v['p99_s'])} (n={v['n']})"
            extra = [note] if note else []
            if v.get("errors"):
                extra.append(f"{v['errors']} errors: {v.get('first_error', '')}")
            if v.get("unversioned"):
                extra.append(f"{v['unversioned']} without version")
            if "median_result_len" in v:
                extra.append(f"median {v['median_result_len']:g} results")
            met = None
            if limit is not None:
                met = v["median_s"] < limit and (p99_limit is None or v["p99_s"] < p99_limit)
            row(size, figure, val, target, met, "; ".join(extra))

        if "first_diagnostics_s" in l:
            during = l.get("first_diagnostics_while_indexing")
            row(size, "first diagnostics of an opened article", fmt_ms(l["first_diagnostics_s"]),
                "< 1 s while indexing" if big else "",
                (l["first_diagnostics_s"] < 1) if big else None,
                "workspace was still indexing" if during else "indexing had already ended")
        else:
            row(size, "first diagnostics of an opened article", "n/a",
                "< 1 s while indexing" if big else "", None, e.get("first_diagnostics_s", ""))
        row(size, "indexing (initialize → progress end)", fmt_ms(l.get("indexing_s")),
            note=e.get("indexing_s", ""))
        if "huge_first_diagnostics_s" in l:
            row(size, "first diagnostics of the 1 MB article", fmt_ms(l["huge_first_diagnostics_s"]))
        lat_row("keystroke_typical", "keystroke → diagnostics, 3 KB article", note=deb)
        lat_row("keystroke_huge", "keystroke → diagnostics, 1 MB article",
                "median < 5 ms, p99 < 20 ms", 0.005, note=deb, p99_limit=0.020)
        for k in ("hover", "definition", "completion"):
            lat_row(k, k, "median < 2 ms" if big else "", 0.002 if big else None)
        lat_row("references", "references", "median < 1 ms" if big else "", 0.001 if big else None)
        lat_row("references_hot", f"references @{m['hot_entity']} ({m['hot_refs']:,} refs)",
                "median < 20 ms" if m["hot_refs"] >= 10_000 else "",
                0.020 if m["hot_refs"] >= 10_000 else None)
        if "registry_first_diagnostics_s" in l:
            row(size, "first diagnostics of the 10 MB registry", fmt_ms(l["registry_first_diagnostics_s"]))
        kr = l.get("keystroke_registry") or {}
        lat_row("keystroke_registry", "keystroke in a 10 MB registry → diagnostics of it and of the open articles",
                "median < 30 ms", 0.030,
                note=(f"{kr.get('definitions', 0):,} definitions, {kr.get('bytes', 0) / 1e6:.1f} MB, "
                      f"median {kr.get('articles_republished_median', 0):g} of 5 articles published again; "
                      f"{deb}") if kr else deb)
        if "prepare_rename_s" in l:
            row(size, "prepareRename", fmt_ms(l["prepare_rename_s"]))
        rn = l.get("rename")
        if rn:
            note = f"{rn['edits']:,} edits in {rn['files']:,} files (expected {rn['expected_edits']:,})"
            row(size, f"rename @{m['hot_entity']} ({m['hot_refs']:,} refs)", fmt_ms(rn["s"]),
                "< 200 ms" if m["hot_refs"] >= 10_000 else "",
                (rn["s"] < 0.2) if m["hot_refs"] >= 10_000 else None, note)
        else:
            row(size, "rename", "n/a", "< 200 ms" if m["hot_refs"] >= 10_000 else "", None,
                e.get("rename", "not measured"))
        row(size, "server peak memory (VmHWM)", fmt_bytes(l.get("server_vm_hwm")))
    return rows


def markdown(rows: list[dict]) -> str:
    out = ["| size | figure | value | target | status | note |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [r["size"], r["figure"], r["value"], r["target"], r["status"], r["note"]]
        out.append("| " + " | ".join(str(x).replace("|", "\\|") for x in cells) + " |")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--lsp-sizes", default=None,
                    help="sizes to run the server on (default: medium,large among --sizes)")
    ap.add_argument("--newsmark", default="target/release/newsmark")
    ap.add_argument("--data", default="bench-data")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="runs per command-line figure (best of)")
    ap.add_argument("--edits", type=int, default=100, help="didChange edits per article")
    ap.add_argument("--requests", type=int, default=200, help="requests per kind")
    ap.add_argument("--registry-edits", type=int, default=40, help="didChange edits in the 10 MB registry")
    ap.add_argument("--debounce-ms", type=int, default=0,
                    help="sent as initializationOptions.debounceMs (-1: send nothing)")
    ap.add_argument("--first-diag-timeout", type=float, default=30)
    ap.add_argument("--progress-grace", type=float, default=15,
                    help="seconds to wait for the Indexing progress to begin")
    ap.add_argument("--index-timeout", type=float, default=900)
    ap.add_argument("--edit-timeout", type=float, default=10)
    ap.add_argument("--request-timeout", type=float, default=10)
    ap.add_argument("--rename-timeout", type=float, default=60)
    ap.add_argument("--count-diagnostics", action="store_true",
                    help="one more, untimed check run that counts diagnostics by code")
    ap.add_argument("--no-lsp", action="store_true")
    ap.add_argument("--no-check", action="store_true", help="server figures only")
    ap.add_argument("--json-out")
    ap.add_argument("--smoke", action="store_true",
                    help="CI mode: small only, one run, a handful of requests")
    a = ap.parse_args(argv)
    if a.debounce_ms is not None and a.debounce_ms < 0:
        a.debounce_ms = None
    if a.smoke:
        a.sizes, a.lsp_sizes, a.runs, a.edits, a.requests = "small", "small", 1, 6, 5
        a.registry_edits = 4
        a.index_timeout, a.progress_grace, a.rename_timeout = 30, 10, 20
    sizes = [s for s in a.sizes.split(",") if s]
    lsp_sizes = ([s for s in a.lsp_sizes.split(",") if s] if a.lsp_sizes is not None
                 else [s for s in sizes if s in ("medium", "large")])
    data = Path(a.data)
    data.mkdir(parents=True, exist_ok=True)

    exe = a.newsmark
    if not os.path.isfile(exe) or not os.access(exe, os.X_OK):
        exe = shutil.which(a.newsmark)
    exe = os.path.abspath(exe) if exe else None
    if exe is None:
        log(f"newsmark binary {a.newsmark!r} not found: its figures will be n/a")
    if shutil.which("rg") is None:
        log("rg not found: install it with `apt-get install -y ripgrep`")

    results: dict = {}
    for size in sizes:
        m = ensure_corpus(data, size, a.seed)
        results[size] = {"manifest": {k: m[k] for k in (
            "size", "seed", "articles", "entities", "nmk_files", "bytes", "hot_entity",
            "hot_refs", "typical_article", "huge_article", "hot_article", "injected_errors")}}
        log(f"{size}: check and rg ...")
        results[size]["check"] = {} if a.no_check else bench_check(exe, m, a.runs, a.count_diagnostics)
        if size in lsp_sizes and not a.no_lsp:
            if exe is None:
                results[size]["lsp"] = {"lsp": {}, "lsp_errors": {"server": "newsmark binary not found"}}
            else:
                log(f"{size}: language server ...")
                results[size]["lsp"] = LspBench(exe, m, a).run()

    rows = build_rows(results, a)
    table = markdown(rows)
    print(table)
    if a.json_out:
        doc = {"meta": {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "host": platform.node(),
                        "cpus": os.cpu_count(), "python": platform.python_version(),
                        "newsmark": exe, "runs": a.runs, "edits": a.edits,
                        "requests": a.requests, "debounce_ms": a.debounce_ms},
               "rows": rows, "results": results}
        Path(a.json_out).write_text(json.dumps(doc, indent=2) + "\n")
        log(f"wrote {a.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
