"""Bridges: spaCy Doc and DocBin, Label Studio and doccano records, Arrow,
Parquet and a Hugging Face dataset folder."""

import json
import os

import datasets
import pyarrow.parquet as pq
import spacy
import yaml
from spacy.tokens import DocBin

import newsmark
from newsmark import arrow, formats
from newsmark.spacy import write_docbin
from conftest import run_newsmark


def test_to_spacy_has_the_entities_of_the_spacy_export(newsroom, newsmark_command):
    docs = newsmark.Workspace(newsroom).documents()
    run = run_newsmark(newsmark_command, "export", "--format", "spacy", "articles", cwd=newsroom)
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    nlp = spacy.blank("en")
    assert len(records) == len(docs) == 2
    for doc, record in zip(docs, records):
        sdoc = doc.to_spacy(nlp)
        assert sdoc.text == doc.text == record["text"]
        # spaCy tokens are whole words here, so no boundary moves.
        assert [[e.start_char, e.end_char, e.label_] for e in sdoc.ents] == record["ents"]
        assert [e.kb_id_ for e in sdoc.ents] == record["kb_ids"]
        assert len(sdoc.spans["newsmark"]) == len(record["spans"])
        assert [(s.start_char, s.end_char, s.label_, s.kb_id_) for s in sdoc.spans["sources"]] == [
            (s["start"], s["end"], s["kind"], s["id"]) for s in record["meta"]["sources"]
        ]
    xi = docs[1].to_spacy(nlp).ents[0]
    assert (xi.text, xi.label_, xi.kb_id_) == ("Mr. Xi", "PER", "Q15031")


def test_labels_map_kinds(newsroom):
    doc = newsmark.Workspace(newsroom).documents()[1]
    sdoc = doc.to_spacy(spacy.blank("en"), labels={"person": "PERSON", "place": "O"})
    labels = {e.label_ for e in sdoc.ents}
    assert "PERSON" in labels and "LOC" not in labels and "PER" not in labels


def test_docbin_round_trip(newsroom, tmp_path):
    docs = newsmark.Workspace(newsroom).documents()
    nlp = spacy.blank("en")
    path = tmp_path / "train.spacy"
    assert write_docbin(docs, nlp, path) == 2
    back = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    assert [d.text for d in back] == [d.text for d in docs]
    assert [[(e.text, e.label_, e.kb_id_) for e in d.ents] for d in back] == [
        [(e.text, e.label_, e.kb_id_) for e in d.to_spacy(nlp).ents] for d in docs
    ]
    assert back[1].user_data["newsmark_path"] == "articles/2015-11-unicode.nmk"


def test_label_studio_counts_utf16_units(newsroom):
    doc = newsmark.Workspace(newsroom).documents()[1]
    task = doc.to_label_studio()
    assert task["data"]["text"] == doc.text
    units = doc.text.encode("utf-16-le")
    results = task["annotations"][0]["result"]
    assert results, "no regions"
    for region in results:
        v = region["value"]
        assert units[2 * v["start"] : 2 * v["end"]].decode("utf-16-le") == v["text"]
    xi = next(r for r in results if r["meta"]["text"] == ["@xi-jinping"])
    # "😀 " before it: two UTF-16 units for the emoji, one for the space.
    assert (xi["value"]["start"], xi["value"]["labels"]) == (3, ["PER"])
    quote = next(r for r in results if r["from_name"] == "source")
    assert quote["value"]["labels"] == ["remarks"]
    python = doc.to_label_studio(offsets="python")["annotations"][0]["result"]
    for region in python:
        v = region["value"]
        assert doc.text[v["start"] : v["end"]] == v["text"]
    config = formats.label_studio_config([doc])
    assert '<Label value="PER"/>' in config and '<Label value="remarks"/>' in config


def test_doccano_counts_characters(newsroom, tmp_path):
    doc = newsmark.Workspace(newsroom).documents()[1]
    record = doc.to_doccano()
    assert record["text"] == doc.text
    spans = {(doc.text[s:e], label) for s, e, label in record["label"]}
    assert ("Mr. Xi", "PER") in spans and ("北京", "LOC") in spans
    assert ("e\u0301 𝐀 Obama said 🇨🇳", "source:remarks") in spans
    out = tmp_path / "doccano.jsonl"
    assert formats.write_jsonl([record], str(out)) == 1
    assert json.loads(out.read_text(encoding="utf-8")) == record


def test_arrow_table_and_parquet(newsroom, tmp_path):
    docs = newsmark.Workspace(newsroom).documents()
    table = arrow.to_table(docs)
    assert table.schema == arrow.schema()
    assert table.column("path").to_pylist() == [d.path for d in docs]
    rows = table.to_pylist()
    for doc, row in zip(docs, rows):
        assert [(t["start"], t["end"], t["text"]) for t in row["tags"]] == [(t.start, t.end, t.text) for t in doc.tags]
        for t in row["tags"]:
            assert row["text"][t["start"] : t["end"]] == t["text"]
    path = tmp_path / "corpus.parquet"
    assert arrow.write_parquet(docs, path) == 2
    assert pq.read_table(path).to_pylist() == rows


def test_dataset_folder_loads_with_hugging_face_datasets(newsroom, tmp_path, monkeypatch):
    docs = newsmark.Workspace(newsroom).documents()
    folder = tmp_path / "dataset"
    assert arrow.write_dataset(docs, folder, name="newsroom") == 2
    card = (folder / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---\n")[1])
    # The features the card declares are those `datasets` derives from the schema.
    expected = datasets.Features.from_arrow_schema(arrow.schema())._to_yaml_list()
    assert header["dataset_info"]["features"] == expected
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    loaded = datasets.load_dataset(os.fspath(folder), split="train")
    assert loaded.features == datasets.Features.from_arrow_schema(arrow.schema())
    assert loaded[1]["text"] == docs[1].text
    assert loaded[1]["tags"][0]["entities"][0]["id"] == "xi-jinping"
