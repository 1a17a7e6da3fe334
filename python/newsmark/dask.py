"""Corpus export on a Dask distributed cluster. The registry (every
definition of the workspaces) is scattered once to every worker; the
workers read and export the articles, in chunks. The output is that of the
single-process ``Workspace.export()`` and of ``newsmark export --format
jsonl`` over the same articles, in the same order. The workers read the
articles from the paths the driver sees (a local cluster, or storage every
worker mounts at the same place)."""

from __future__ import annotations

import os
from typing import Any, List, Optional, Tuple, Union

from . import Registry, Workspace

PathLike = Union[str, "os.PathLike[str]"]


def _chunks(items: list, count: int) -> List[list]:
    """``items`` cut into at most ``count`` contiguous chunks of near-equal size."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    out, at = [], 0
    for i in range(count):
        step = size + (1 if i < extra else 0)
        out.append(items[at : at + step])
        at += step
    return [c for c in out if c]


def _export_chunk(paths: List[Tuple[str, str]], registry: Registry) -> List[dict]:
    return list(registry.export_files(paths))


def _write_chunk(paths: List[Tuple[str, str]], registry: Registry, out: str) -> int:
    count = 0
    with open(out, "w", encoding="utf-8") as f:
        for line in registry.export_lines(paths):
            f.write(line + "\n")
            count += 1
    return count


def export(
    root: PathLike, client: Any, partitions: Optional[int] = None, out: Optional[PathLike] = None
) -> Union[List[dict], int]:
    """Exports every article under ``root`` on the cluster of ``client``
    (a ``dask.distributed.Client``), in ``partitions`` chunks (default: four
    per worker).

    Without ``out``, returns the records (as ``Workspace.export()``). With
    ``out``, a folder, each chunk is written by its worker as
    ``part-NNNNN.jsonl`` (the parts in order make the JSON lines of
    ``newsmark export --format jsonl``), and the number of records is
    returned."""
    workspace = Workspace(root)
    paths = workspace.article_paths()
    [registry] = client.scatter([workspace.registry()], broadcast=True, hash=False)
    workers = max(1, len(client.scheduler_info()["workers"]))
    chunks = _chunks(paths, partitions or 4 * workers)
    if out is None:
        futures = client.map(_export_chunk, chunks, registry=registry, pure=False)
        return [record for chunk in client.gather(futures) for record in chunk]
    folder = os.fspath(out)
    os.makedirs(folder, exist_ok=True)
    targets = [os.path.join(folder, f"part-{i:05d}.jsonl") for i in range(len(chunks))]
    futures = client.map(_write_chunk, chunks, [registry] * len(chunks), targets, pure=False)
    return sum(client.gather(futures))
