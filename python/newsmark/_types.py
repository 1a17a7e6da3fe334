"""The values the engine returns, as frozen dataclasses: they compare by
value, pickle, and carry no reference to the engine."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Entity:
    """An entity a tag references (``@id``), resolved in its workspace."""

    id: str
    #: The kind of its definition (``person``, ``org``…); ``other`` when unresolved.
    kind: str
    #: Its display name, if the definition has one.
    name: Optional[str]
    #: Its Wikidata id (``Q76``), if the definition has a valid one.
    wikidata: Optional[str]
    #: False when no definition of the id exists.
    resolved: bool


@dataclass(frozen=True)
class Source:
    """A source a tag references (``^id``), resolved in its workspace."""

    id: str
    #: The kind of its definition (``statement``, ``interview``…); ``anonymous`` when unresolved.
    kind: str
    name: Optional[str]
    #: Entity ids (without ``@``) of its ``by`` key.
    by: Tuple[str, ...]
    #: Its ``date`` value, if any.
    date: Optional[str]
    resolved: bool


@dataclass(frozen=True)
class Tag:
    """A tag of the article. ``start`` and ``end`` index ``Document.text``
    as Python does, so ``doc.text[tag.start:tag.end] == tag.text``."""

    start: int
    end: int
    text: str
    #: Index in ``Document.tags`` of the innermost tag containing this one.
    parent: Optional[int]
    entities: Tuple[Entity, ...]
    sources: Tuple[Source, ...]


@dataclass(frozen=True)
class Diagnostic:
    """A diagnostic of spec §9, with the fields of ``check --format json``.
    ``start`` and ``end`` index the file's source text (``Document.source``)
    as Python does; lines and columns are 1-based, columns count characters."""

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    #: ``error``, ``warning``, ``info`` or ``hint``.
    severity: str
    #: The rule, e.g. ``undefined-reference``.
    code: str
    message: str


@dataclass(frozen=True)
class Definition:
    """An entity or source definition."""

    id: str
    #: ``entity`` or ``source``.
    type: str
    kind: str
    name: Optional[str]
    #: Every attribute: list keys (``aka``, ``by``…) as lists, others as strings.
    attributes: dict = field(hash=False)
    #: The file defining it (relative to the workspace root), and where the id is.
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Document:
    """A Newsmark document: its plain text (spec §8), tags and diagnostics."""

    #: The path it was given or read from (relative to the workspace root).
    path: Optional[str]
    #: The Newsmark source text.
    source: str
    #: The plain text of spec §8: tags, comments, definitions and front matter removed.
    text: str
    tags: Tuple[Tag, ...]
    diagnostics: Tuple[Diagnostic, ...]

    def to_spacy(self, nlp: Any, labels: Optional[dict] = None) -> Any:
        """A spaCy ``Doc`` of ``text`` made by ``nlp``'s tokenizer, with
        ``doc.ents`` the entity layer of ``newsmark export --format spacy``
        (outermost tag wins; ``kb_id_`` the Wikidata id or ``newsmark:ID``),
        every entity reference in ``doc.spans["newsmark"]`` and every source
        reference in ``doc.spans["sources"]``. ``labels`` maps entity kinds
        to NER labels (default person→PER, org→ORG, place→LOC, else MISC;
        ``O`` leaves a kind out)."""
        from .spacy import to_spacy

        return to_spacy(self, nlp, labels)

    def to_label_studio(self, labels: Optional[dict] = None, offsets: str = "utf16") -> dict:
        """A Label Studio task with this document's tags as an annotation
        (see ``newsmark.formats.label_studio``)."""
        from .formats import label_studio

        return label_studio(self, labels, offsets)

    def to_doccano(self, labels: Optional[dict] = None) -> dict:
        """A doccano sequence-labelling record (see ``newsmark.formats.doccano``)."""
        from .formats import doccano

        return doccano(self, labels)


def _entity(row: Sequence[Any]) -> Entity:
    return Entity(*row)


def _source(row: Sequence[Any]) -> Source:
    return Source(row[0], row[1], row[2], tuple(row[3]), row[4], row[5])


def _tag(row: Sequence[Any]) -> Tag:
    return Tag(
        row[0],
        row[1],
        row[2],
        row[3],
        tuple(map(_entity, row[4])),
        tuple(map(_source, row[5])),
    )


def _diagnostic(row: Sequence[Any]) -> Diagnostic:
    return Diagnostic(*row)


def _document(row: Sequence[Any]) -> Document:
    path, source, text, tags, diagnostics = row
    return Document(path, source, text, tuple(map(_tag, tags)), tuple(map(_diagnostic, diagnostics)))


def _definition(row: Sequence[Any]) -> Definition:
    data, file, line, column = row
    value = json.loads(data)
    return Definition(
        value["id"], value["type"], value["kind"], value["name"], value["attributes"], file, line, column
    )


def _tag_rows(document: Document) -> list:
    """The tags back in the engine's row form."""
    return [
        (
            t.start,
            t.end,
            t.text,
            t.parent,
            [(e.id, e.kind, e.name, e.wikidata, e.resolved) for e in t.entities],
            [(s.id, s.kind, s.name, list(s.by), s.date, s.resolved) for s in t.sources],
        )
        for t in document.tags
    ]
