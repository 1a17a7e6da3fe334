"""At scale: objects pickle, long calls release the GIL, the engine works
in processes forked after it ran, and a corpus export on a Dask
distributed cluster gives the single-process output."""

import multiprocessing
import pickle
import threading
import time

import pytest
from dask.distributed import Client, LocalCluster

import newsmark
import newsmark.dask
from conftest import UNICODE_ARTICLE, run_newsmark


@pytest.fixture
def corpus(newsroom):
    """The newsroom with 40 more articles and one with a syntax error."""
    for i in range(40):
        text = UNICODE_ARTICLE.replace("Nobody", f"Nobody {i}")
        (newsroom / "articles" / f"2015-12-{i:02d}.nmk").write_text(text, encoding="utf-8", newline="")
    (newsroom / "articles" / "2016-broken.nmk").write_text("An [unclosed]{@barack-obama tag.\n", encoding="utf-8")
    return newsroom


def test_every_object_pickles(newsroom):
    ws = newsmark.Workspace(newsroom)
    docs = ws.documents()
    definition = ws.definition("@xi-jinping")
    for value in [docs, docs[1].tags, docs[1].diagnostics, definition, newsmark.parse(UNICODE_ARTICLE)]:
        assert pickle.loads(pickle.dumps(value)) == value
    again = pickle.loads(pickle.dumps(ws))
    assert again.root == ws.root and again.documents() == docs
    registry = pickle.loads(pickle.dumps(ws.registry()))
    assert registry.document(docs[1].source, docs[1].path) == docs[1]


def _ticks_while(call):
    """How many times another Python thread counted while `call` ran, and
    how long it ran."""
    ticks = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks[0] += 1

    thread = threading.Thread(target=count)
    thread.start()
    time.sleep(0.05)
    before = ticks[0]
    started = time.perf_counter()
    call()
    elapsed = time.perf_counter() - started
    during = ticks[0] - before
    stop.set()
    thread.join()
    return during, elapsed


def test_long_calls_release_the_gil(corpus):
    big = UNICODE_ARTICLE * 3000
    # A large article, so that every call lasts long enough for the counter
    # to be scheduled beside the engine's threads: over 41 small files a
    # check took 12 ms, and the counter could miss all of it on two busy
    # cores with the GIL free.
    (corpus / "articles" / "big.nmk").write_text(big, encoding="utf-8", newline="")
    ws = newsmark.Workspace(corpus)
    # The rate at which the counter runs while this thread sleeps (GIL free).
    free, free_time = _ticks_while(lambda: time.sleep(0.3))
    rate = free / free_time
    # The engine's calls alone (turning rows into dataclasses holds the GIL).
    native = ws._native
    calls = [("parse", lambda: newsmark._native.parse(big)), ("documents", native.documents), ("check", native.check)]
    for name, call in calls:
        during, elapsed = _ticks_while(call)
        # Holding the GIL, the counter would only run at the call's edges;
        # released, it shares two cores with the engine's threads.
        assert elapsed > 0.05, f"{name}: {elapsed:.3f} s is too short to tell"
        assert during > 0.1 * rate * elapsed, f"{name}: {during} ticks in {elapsed:.3f} s (free rate {rate:.0f}/s)"


def _documents_in_child(root):
    return [d.path for d in newsmark.Workspace(root).documents()]


def test_the_engine_runs_in_forked_processes(corpus):
    expected = _documents_in_child(str(corpus))  # the pool now runs in this process
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        result = pool.map_async(_documents_in_child, [str(corpus)] * 4)
        # A pool inherited through fork has no threads: without a fresh one
        # the children would wait forever.
        assert result.get(timeout=120) == [expected] * 4


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield client


def test_dask_export_equals_the_single_process_export(corpus, client, newsmark_command, tmp_path):
    ws = newsmark.Workspace(corpus)
    single = ws.export()
    assert len(single) == 42  # the broken article is left out
    built_before = client.run(newsmark._native.registries_built)
    assert newsmark.dask.export(corpus, client, partitions=7) == single
    built_after = client.run(newsmark._native.registries_built)
    assert len(built_after) == 2
    # The registry was built (unpickled) once on each worker, not per task.
    assert {w: built_after[w] - built_before[w] for w in built_after} == {w: 1 for w in built_after}

    files = [shown for _, shown in ws.article_paths()]
    run = run_newsmark(newsmark_command, "export", "--format", "jsonl", *files, cwd=corpus)
    assert run.returncode == 1 and "2016-broken.nmk: not exported" in run.stderr
    out = tmp_path / "export"
    assert newsmark.dask.export(corpus, client, out=out) == 42
    parts = sorted(out.glob("part-*.jsonl"))
    assert len(parts) == 8  # four per worker
    assert "".join(p.read_text(encoding="utf-8") for p in parts) == run.stdout
