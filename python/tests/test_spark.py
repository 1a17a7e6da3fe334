"""Corpus export on Spark in local mode (needs Java and pyspark; collected
only with `scripts/test-python.sh --spark`): the registry broadcast once, the same
output as the single-process export and `newsmark export --format jsonl`."""

import os
import sys

import pytest
from pyspark.sql import SparkSession

import newsmark
import newsmark.spark
from conftest import run_newsmark
from test_scale import corpus  # noqa: F401


@pytest.fixture(scope="module")
def spark_context():
    # The executors' Python is this one, which has the package.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("newsmark-test")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield spark.sparkContext
    spark.stop()


def test_spark_export_equals_the_single_process_export(corpus, spark_context, newsmark_command, tmp_path):  # noqa: F811
    ws = newsmark.Workspace(corpus)
    single = ws.export()
    assert len(single) == 42
    assert newsmark.spark.export(corpus, spark_context, partitions=5) == single
    files = [shown for _, shown in ws.article_paths()]
    run = run_newsmark(newsmark_command, "export", "--format", "jsonl", *files, cwd=corpus)
    out = tmp_path / "export"
    assert newsmark.spark.export(corpus, spark_context, out=out) == 42
    parts = sorted(out.glob("part-*"))
    assert "".join(p.read_text(encoding="utf-8") for p in parts) == run.stdout
