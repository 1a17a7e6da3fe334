"""Fixtures of the Python suite: small newsrooms written to temporary
folders, and the `newsmark` command installed with the package.

Every third-party module the suite uses is imported here, at the top: a
missing one fails the run instead of skipping tests."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dask  # noqa: F401
import distributed  # noqa: F401
import pyarrow  # noqa: F401
import pytest
import spacy  # noqa: F401

# The Spark test needs pyspark (a large package) and Java: it is part of the
# run only when asked for (scripts/test-python.sh --spark).
collect_ignore = [] if os.environ.get("NEWSMARK_TEST_SPARK") else ["test_spark.py"]

REPO = Path(__file__).resolve().parents[2]
NEWSROOM = REPO / "examples" / "newsroom"

#: A second article: astral characters (two UTF-16 units each), combining
#: marks, CJK, a CRLF line end, a nested tag, a tag referencing an entity
#: and a source, and an undefined reference.
UNICODE_ARTICLE = (
    "---\r\ntitle: Emoji 😀 and é\r\npublished: 2015-11-20\r\n---\r\n\r\n"
    "😀 [Mr. Xi]{@xi-jinping} met [Barack Obama]{@barack-obama} in [北京]{@beijing}; "
    "[e\u0301 [𝐀 Obama]{@barack-obama} said 🇨🇳]{@china ^xi-remarks-2015-09} and "
    "[Nobody]{@no-such-person} agreed.\r\n"
)


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """The example newsroom plus the Unicode article, in a temporary folder."""
    root = tmp_path / "newsroom"
    shutil.copytree(NEWSROOM, root)
    (root / "articles" / "2015-11-unicode.nmk").write_text(UNICODE_ARTICLE, encoding="utf-8", newline="")
    return root


@pytest.fixture(scope="session")
def newsmark_command() -> str:
    """The `newsmark` command of the environment running the tests (the
    package's console script), never one elsewhere on PATH."""
    command = Path(sys.executable).parent / "newsmark"
    assert command.is_file(), f"{command}: the package's `newsmark` command is not installed"
    return str(command)


def run_newsmark(command: str, *args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run(
        [command, *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=300
    )
