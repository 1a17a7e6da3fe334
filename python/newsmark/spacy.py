"""spaCy bridge: ``Document.to_spacy`` and a ``DocBin`` writer. The entity
layer, labels and knowledge-base ids are those of
``newsmark export --format spacy`` (computed by the engine)."""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, List, Optional, Union

from . import _native
from ._types import Document, _tag_rows


def _label_pairs(labels: Optional[dict]) -> List[str]:
    return [f"{kind}={label}" for kind, label in (labels or {}).items()]


def to_spacy(document: Document, nlp: Any, labels: Optional[dict] = None) -> Any:
    """See ``Document.to_spacy``. Entity boundaries that fall inside one of
    ``nlp``'s tokens are widened to whole tokens; where that makes two
    entities overlap, the longer (then the earlier) one is kept."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    record = json.loads(_native.spacy_record(document.text, _tag_rows(document), _label_pairs(labels)))
    doc = nlp.make_doc(document.text)

    def span(start: int, end: int, label: str, kb_id: str = "") -> Optional[Span]:
        return doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")

    ents = []
    for (start, end, label), kb_id in zip(record["ents"], record["kb_ids"]):
        s = span(start, end, label, kb_id)
        if s is not None:
            ents.append(s)
    doc.ents = filter_spans(ents)
    references = []
    for item in record["spans"]:
        s = span(item["start"], item["end"], item["label"], item.get("kb_id") or "")
        if s is not None:
            references.append(s)
    doc.spans["newsmark"] = references
    sources = []
    for item in record["meta"]["sources"]:
        s = span(item["start"], item["end"], item["kind"], item["id"])
        if s is not None:
            sources.append(s)
    doc.spans["sources"] = sources
    if document.path is not None:
        doc.user_data["newsmark_path"] = document.path
    return doc


def write_docbin(
    documents: Iterable[Document],
    nlp: Any,
    path: Union[str, "os.PathLike[str]"],
    labels: Optional[dict] = None,
) -> int:
    """Writes ``documents`` as a spaCy ``DocBin`` file (for ``spacy train``),
    each made by ``to_spacy``; returns how many were written."""
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=True)
    count = 0
    for document in documents:
        docbin.add(to_spacy(document, nlp, labels))
        count += 1
    docbin.to_disk(path)
    return count
