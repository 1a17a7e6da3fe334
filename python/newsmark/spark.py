"""Corpus export on Spark. The registry (every definition of the
workspaces) is broadcast once; the executors read and export the articles,
one partition at a time. The output is that of ``Workspace.export()`` and of
``newsmark export --format jsonl`` over the same articles, in the same
order. The executors read the articles from the paths the driver sees (local
mode, or storage every executor mounts at the same place)."""

from __future__ import annotations

import json
import os
from typing import Any, Optional, Union

from . import Workspace

PathLike = Union[str, "os.PathLike[str]"]


def lines(root: PathLike, spark_context: Any, partitions: Optional[int] = None) -> Any:
    """An RDD of the JSON lines of ``newsmark export --format jsonl`` for
    every article under ``root``, in path order."""
    workspace = Workspace(root)
    paths = workspace.article_paths()
    registry = spark_context.broadcast(workspace.registry())
    count = partitions or max(1, 4 * spark_context.defaultParallelism)
    rdd = spark_context.parallelize(paths, max(1, min(count, len(paths))))
    return rdd.mapPartitions(lambda chunk: registry.value.export_lines(list(chunk)))


def export(root: PathLike, spark_context: Any, partitions: Optional[int] = None, out: Optional[PathLike] = None) -> Any:
    """Without ``out``, the records of every article (as
    ``Workspace.export()``). With ``out``, a folder Spark creates, the JSON
    lines written as its ``part-*`` files; returns the number of records."""
    rdd = lines(root, spark_context, partitions)
    if out is None:
        return [json.loads(line) for line in rdd.collect()]
    rdd.cache()
    rdd.saveAsTextFile(os.fspath(out))
    return rdd.count()
