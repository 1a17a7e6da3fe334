#!/usr/bin/env python3
"""Checks that `newsmark export --format spacy` output loads in spaCy.

Usage: python3 tests/nlp/check_spacy.py FILE.jsonl  (needs `pip install spacy`;
no trained pipeline: a blank English tokenizer is enough).

For every line: builds a `Doc` with spaCy's English tokenizer, turns `ents`
into a training `Example` (`Example.from_dict` with `entities` and `links`
from `kb_ids`), and requires every entity to align with spaCy's tokens
(`offsets_to_biluo_tags` gives no `-`); rebuilds the `Doc` from our own
`tokens` (words + `ws`) and requires its text to equal `text` and every
`spans` item to be a `Doc.char_span` there; fills `doc.spans["newsmark"]`
with all (nested) spans.
"""
import json
import sys

import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example, offsets_to_biluo_tags


def main(path):
    nlp = spacy.blank("en")
    lines = 0
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        record = json.loads(line)
        text = record["text"]
        ents = [tuple(e) for e in record["ents"]]
        assert len(record["kb_ids"]) == len(ents), number
        doc = nlp.make_doc(text)
        tags = offsets_to_biluo_tags(doc, ents)
        assert "-" not in tags, f"line {number}: entity not on spaCy token boundaries"
        links = {(s, e): {kb: 1.0} for (s, e, _), kb in zip(ents, record["kb_ids"])}
        example = Example.from_dict(doc, {"entities": ents, "links": links})
        assert len(example.reference.ents) == len(ents), number
        for span, (start, end, label) in zip(example.reference.ents, ents):
            assert (span.start_char, span.end_char, span.label_) == (start, end, label), number

        tokens = record["tokens"]
        own = Doc(nlp.vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens])
        assert own.text == text.rstrip("\n").lstrip() or own.text.strip() == text.strip(), number
        group = []
        for item in record["spans"]:
            span = own[item["token_start"]: item["token_end"] + 1]
            assert span.text == text[item["start"]: item["end"]], (number, item)
            group.append(Span(own, span.start, span.end, label=item["label"], kb_id=item["kb_id"]))
        own.spans["newsmark"] = group
        lines += 1
    print(f"spaCy {spacy.__version__}: {lines} document(s) load")


if __name__ == "__main__":
    main(sys.argv[1])
