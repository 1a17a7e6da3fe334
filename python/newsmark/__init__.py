"""Newsmark for Python: parse news articles tagged with entities and
sources, check whole workspaces, and export corpora for NLP.

The engine is the one behind the ``newsmark`` command (installed with this
package): the same parser, plain text (spec §8), resolution and
diagnostics. Long calls release the GIL; every object pickles.

>>> import newsmark
>>> doc = newsmark.parse('[Mr. Xi]{@xi} spoke.\\n\\n@xi: person "Xi Jinping"\\n')
>>> doc.text
'Mr. Xi spoke.\\n'
>>> [(t.text, t.entities[0].name) for t in doc.tags]
[('Mr. Xi', 'Xi Jinping')]
"""

from __future__ import annotations

import json
import os
from typing import Iterator, List, Optional, Tuple, Union

from . import _native
from ._types import Definition, Diagnostic, Document, Entity, Source, Tag, _definition, _diagnostic, _document

__all__ = [
    "Definition",
    "Diagnostic",
    "Document",
    "Entity",
    "Registry",
    "Source",
    "Tag",
    "Workspace",
    "parse",
]

__version__: str = _native.__version__

PathLike = Union[str, "os.PathLike[str]"]


def parse(text: str, path: Optional[str] = None) -> Document:
    """Parses ``text`` on its own, as a workspace of one file: its
    references resolve to the definitions it holds (others are unresolved
    and reported as ``undefined-reference``). ``path`` is only shown. To
    resolve against a newsroom's registry, use ``Workspace(root).registry()``
    and ``Registry.document``."""
    return _document(_native.parse(text, path))


class Workspace:
    """Every Newsmark workspace under ``root`` (nested ones included), read
    and indexed as ``newsmark check --root ROOT`` reads it. Raises
    ``ValueError`` for an invalid ``newsmark.toml`` and ``OSError`` for a
    missing root. Pickles as its root (the workspace is read again)."""

    def __init__(self, root: PathLike) -> None:
        self._native = _native.Workspace(os.fspath(root))

    @property
    def root(self) -> str:
        """The root, as an absolute path."""
        return os.fspath(self._native.root)

    def __len__(self) -> int:
        """The number of files (articles and registry files)."""
        return len(self._native)

    def __repr__(self) -> str:
        return f"Workspace({self.root!r})"

    def __reduce__(self):
        return (Workspace, (self.root,))

    def documents(self) -> List[Document]:
        """Every article (a file with prose), in path order, with its
        diagnostics."""
        return [_document(row) for row in self._native.documents()]

    def check(self) -> List[Diagnostic]:
        """Every diagnostic of every file, in the order of ``newsmark check``."""
        return [_diagnostic(row) for row in self._native.check()]

    def definition(self, id: str) -> Optional[Definition]:
        """The definition ``id`` resolves to: ``@id`` an entity, ``^id`` a
        source, a bare id an entity first, then a source. ``None`` if none."""
        row = self._native.definition(id)
        return None if row is None else _definition(row)

    def article_paths(self) -> List[Tuple[str, str]]:
        """Every article as (absolute path, path relative to the root)."""
        return [(os.fspath(path), shown) for path, shown in self._native.article_paths()]

    def export(self) -> List[dict]:
        """The records of ``newsmark export --format jsonl`` for every article,
        in path order (file, text, tags, definitions). Articles with syntax
        errors are left out, as the command leaves them out."""
        return [json.loads(line) for line, _skipped in self._native.export() if line is not None]

    def registry(self) -> "Registry":
        """The definitions of these workspaces, as a picklable ``Registry``."""
        return Registry(self._native.registry())


class Registry:
    """The definitions of a set of workspaces without their articles:
    enough to resolve and check any article against them. It pickles as the
    texts of its files, so a worker of a cluster rebuilds it without access
    to the disk it came from; ship it once per worker (Dask ``scatter``,
    Spark ``broadcast``)."""

    def __init__(self, native: "_native.Registry") -> None:
        self._native = native

    def __reduce__(self):
        return (Registry, (self._native,))

    def document(self, text: str, path: str) -> Document:
        """``text`` as the article at ``path`` (relative to the root):
        references resolved, diagnostics as ``check`` would report them."""
        return _document(self._native.document(text, path))

    def export_text(self, text: str, path: str) -> Optional[dict]:
        """The export record of an article text at ``path``; ``None`` when it
        has syntax errors (the command skips such articles)."""
        line, _skipped = self._native.export_text(text, path)
        return None if line is None else json.loads(line)

    def export_file(self, path: PathLike, shown: str) -> Optional[dict]:
        """The export record of the article file at ``path`` (read from disk),
        shown as ``shown``; ``None`` when it has syntax errors."""
        line, _skipped = self._native.export_file(os.fspath(path), shown)
        return None if line is None else json.loads(line)

    def export_files(self, paths: List[Tuple[str, str]]) -> Iterator[dict]:
        """``export_file`` over (path, shown) pairs, skipping what the command skips."""
        for line in self.export_lines(paths):
            yield json.loads(line)

    def export_lines(self, paths: List[Tuple[str, str]]) -> Iterator[str]:
        """The JSON lines (without line ends) ``newsmark export --format jsonl``
        prints for the article files of (path, shown) pairs, byte for byte."""
        for path, shown in paths:
            line, _skipped = self._native.export_file(os.fspath(path), shown)
            if line is not None:
                yield line
