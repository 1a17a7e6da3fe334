"""Label Studio and doccano records of a document. Entity references carry
the NER label of their kind, as ``newsmark export --format spacy`` labels
them (default person→PER, org→ORG, place→LOC, else MISC; ``labels`` maps
kinds to other labels, ``O`` leaves a kind out); source references carry
their kind."""

from __future__ import annotations

import json
from typing import Iterable, List, Optional, Tuple
from xml.sax.saxutils import quoteattr

from . import _native
from ._types import Document, _tag_rows
from .spacy import _label_pairs

#: A labelled span: (start, end, label, reference with its sigil).
_Span = Tuple[int, int, str, str]


def _spans(document: Document, labels: Optional[dict]) -> Tuple[List[_Span], List[_Span]]:
    """Entity spans (NER label) and source spans (kind), in document order."""
    record = json.loads(_native.spacy_record(document.text, _tag_rows(document), _label_pairs(labels)))
    entities = [(s["start"], s["end"], s["label"], "@" + s["id"]) for s in record["spans"]]
    sources = [(s["start"], s["end"], s["kind"], "^" + s["id"]) for s in record["meta"]["sources"]]
    return entities, sources


def _utf16_offsets(text: str) -> List[int]:
    """The UTF-16 offset of every character index of ``text``, and of its end."""
    out = [0] * (len(text) + 1)
    at = 0
    for i, ch in enumerate(text):
        out[i] = at
        at += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = at
    return out


def label_studio(document: Document, labels: Optional[dict] = None, offsets: str = "utf16") -> dict:
    """A Label Studio task: ``data.text`` is the plain text and the tags are
    one annotation, entity references under the ``label`` control and source
    references under ``source`` (both ``Labels`` on the ``Text`` named
    ``text``; see ``label_studio_config``), each region's ``meta.text``
    holding its reference (``@id`` / ``^id``).

    ``offsets="utf16"`` (the default) counts in UTF-16 code units, as Label
    Studio's editor does (its regions are JavaScript string offsets);
    ``"python"`` counts characters."""
    if offsets not in ("utf16", "python"):
        raise ValueError(f"offsets must be 'utf16' or 'python', not {offsets!r}")
    entities, sources = _spans(document, labels)
    units = _utf16_offsets(document.text) if offsets == "utf16" else None
    result = []
    for control, spans in (("label", entities), ("source", sources)):
        for start, end, label, reference in spans:
            result.append(
                {
                    "id": f"{control}-{len(result)}",
                    "from_name": control,
                    "to_name": "text",
                    "type": "labels",
                    "value": {
                        "start": units[start] if units else start,
                        "end": units[end] if units else end,
                        "text": document.text[start:end],
                        "labels": [label],
                    },
                    "meta": {"text": [reference]},
                }
            )
    return {
        "data": {"text": document.text, "path": document.path},
        "annotations": [{"result": result}],
    }


def label_studio_config(documents: Iterable[Document], labels: Optional[dict] = None) -> str:
    """The labelling configuration (XML) for tasks of ``label_studio``: a
    ``Text`` named ``text`` and the entity and source labels ``documents``
    use."""
    entity_labels, source_labels = set(), set()
    for document in documents:
        entities, sources = _spans(document, labels)
        entity_labels.update(label for _, _, label, _ in entities)
        source_labels.update(label for _, _, label, _ in sources)

    def control(name: str, values: Iterable[str]) -> str:
        items = "".join(f"\n    <Label value={quoteattr(v)}/>" for v in sorted(values))
        return f'  <Labels name="{name}" toName="text">{items}\n  </Labels>\n'

    return (
        "<View>\n"
        + control("label", entity_labels)
        + control("source", source_labels)
        + '  <Text name="text" value="$text"/>\n</View>\n'
    )


def doccano(document: Document, labels: Optional[dict] = None) -> dict:
    """A doccano sequence-labelling record: ``text`` and ``label`` as
    ``[start, end, label]`` in characters (Python string indices), entity
    references with their NER label and source references as
    ``source:KIND``; ``path`` names the article."""
    entities, sources = _spans(document, labels)
    spans = [[s, e, label] for s, e, label, _ in entities]
    spans += [[s, e, f"source:{kind}"] for s, e, kind, _ in sources]
    spans.sort(key=lambda item: (item[0], -item[1], item[2]))
    return {"text": document.text, "label": spans, "path": document.path}


def write_jsonl(records: Iterable[dict], path: str) -> int:
    """Writes records (``doccano``'s) one JSON object per line; returns how many."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
