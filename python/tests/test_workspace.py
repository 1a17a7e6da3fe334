"""`newsmark.Workspace`: documents, check and export agree with the
`newsmark check` and `newsmark export` commands on the same files."""

import json
import pickle

import pytest

import newsmark
from conftest import run_newsmark


def test_documents_are_the_articles_with_diagnostics(newsroom):
    ws = newsmark.Workspace(newsroom)
    assert ws.root == str(newsroom.resolve())
    assert len(ws) == 5
    docs = ws.documents()
    assert [d.path for d in docs] == ["articles/2015-11-dhs-beijing-cyber.nmk", "articles/2015-11-unicode.nmk"]
    unicode_doc = docs[1]
    assert [(d.code, unicode_doc.source[d.start : d.end]) for d in unicode_doc.diagnostics if d.severity == "error"] == [
        ("undefined-reference", "@no-such-person")
    ]
    # Resolved against the registry files of the workspace.
    xi = unicode_doc.tags[0].entities[0]
    assert (xi.name, xi.wikidata) == ("Xi Jinping", "Q15031")
    for doc in docs:
        for tag in doc.tags:
            assert doc.text[tag.start : tag.end] == tag.text


def test_check_is_newsmark_check(newsroom, newsmark_command):
    ws = newsmark.Workspace(newsroom)
    run = run_newsmark(newsmark_command, "check", "--format", "json", cwd=newsroom)
    assert run.returncode == 1, run.stderr
    # Every field but `fix` (§14), which the Python diagnostics do not carry.
    keys = ("file", "line", "column", "end_line", "end_column", "severity", "code", "message")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert any("fix" in e for e in lines)
    expected = [{k: e[k] for k in keys} for e in lines]
    got = [{k: getattr(d, k) for k in keys} for d in ws.check()]
    assert got == expected
    assert any(d["code"] == "undefined-reference" for d in got)


def test_export_is_newsmark_export_jsonl(newsroom, newsmark_command):
    ws = newsmark.Workspace(newsroom)
    files = [shown for _, shown in ws.article_paths()]
    run = run_newsmark(newsmark_command, "export", "--format", "jsonl", *files, cwd=newsroom)
    assert run.returncode == 0, run.stderr
    assert ws.export() == [json.loads(line) for line in run.stdout.splitlines()]
    assert len(ws.export()) == 2


def test_definition_by_id(newsroom):
    ws = newsmark.Workspace(newsroom)
    obama = ws.definition("@barack-obama")
    assert (obama.type, obama.kind, obama.name, obama.file) == ("entity", "person", "Barack Obama", "registry/people.nmk")
    assert obama.attributes["aka"] == ["Obama", "Mr. Obama", "President Obama"]
    assert obama.attributes["wikidata"] == "Q76"
    assert (obama.line, obama.column) == (7, 1)
    assert ws.definition("barack-obama") == obama
    source = ws.definition("^xi-remarks-2015-09")
    assert (source.type, source.kind, source.attributes["by"]) == ("source", "remarks", ["@xi-jinping"])
    assert ws.definition("xi-remarks-2015-09") == source
    assert ws.definition("@xi-remarks-2015-09") is None
    assert ws.definition("nobody") is None


def test_registry_documents_equal_workspace_documents_after_pickling(newsroom):
    ws = newsmark.Workspace(newsroom)
    registry = pickle.loads(pickle.dumps(ws.registry()))
    for doc in ws.documents():
        assert registry.document(doc.source, doc.path) == doc
        record = registry.export_text(doc.source, doc.path)
        assert record == next(r for r in ws.export() if r["file"] == doc.path)
    # Checking a text does not leave it in the registry.
    again = registry.document("[x]{@barack-obama}\n", "articles/new.nmk")
    assert again.tags[0].entities[0].name == "Barack Obama"
    assert registry.document(ws.documents()[0].source, ws.documents()[0].path) == ws.documents()[0]


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(OSError, match="missing"):
        newsmark.Workspace(tmp_path / "missing")
    (tmp_path / "newsmark.toml").write_text("[rules]\nno-such-rule = 'error'\n")
    with pytest.raises(ValueError, match="newsmark.toml"):
        newsmark.Workspace(tmp_path)
