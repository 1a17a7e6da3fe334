"""`newsmark.parse`: plain text, tags with Python string offsets for any
Unicode, diagnostics, and no exception on any text."""

import random

import newsmark
from conftest import UNICODE_ARTICLE


def test_tag_offsets_index_the_plain_text_as_python_does():
    doc = newsmark.parse(UNICODE_ARTICLE, "articles/unicode.nmk")
    assert doc.path == "articles/unicode.nmk"
    assert [t.text for t in doc.tags] == ["Mr. Xi", "Barack Obama", "北京", "e\u0301 𝐀 Obama said 🇨🇳", "𝐀 Obama", "Nobody"]
    for tag in doc.tags:
        assert doc.text[tag.start : tag.end] == tag.text
    nested = doc.tags[4]
    assert doc.tags[nested.parent].text.startswith("e\u0301")
    both = doc.tags[3]
    assert [e.id for e in both.entities] == ["china"]
    assert [s.id for s in both.sources] == ["xi-remarks-2015-09"]
    # Front matter and tag syntax are not plain text; the CRLF becomes LF.
    assert doc.text.startswith("😀 Mr. Xi met Barack Obama in 北京;")
    assert "{" not in doc.text and "title" not in doc.text and "\r" not in doc.text


def test_a_text_on_its_own_resolves_only_its_own_definitions():
    doc = newsmark.parse('[Mr. Xi]{@xi} met [Obama]{@obama}.\n\n@xi: person "Xi Jinping"\n  wikidata: Q15031\n')
    xi, obama = doc.tags[0].entities[0], doc.tags[1].entities[0]
    assert (xi.kind, xi.name, xi.wikidata, xi.resolved) == ("person", "Xi Jinping", "Q15031", True)
    assert (obama.kind, obama.resolved) == ("other", False)
    undefined = [d for d in doc.diagnostics if d.code == "undefined-reference"]
    assert len(undefined) == 1
    d = undefined[0]
    assert doc.source[d.start : d.end] == "@obama"
    assert (d.line, d.column, d.severity) == (1, 27, "error")


def test_diagnostic_offsets_index_the_source_after_astral_characters():
    doc = newsmark.parse("😀😀 [x]{@nobody}\n")
    [d] = [d for d in doc.diagnostics if d.code == "undefined-reference"]
    assert doc.source[d.start : d.end] == "@nobody"
    assert d.column == d.start + 1


def test_syntax_errors_are_diagnostics_and_text_is_kept():
    doc = newsmark.parse("An [unclosed tag and {@x} here.\n")
    assert any(d.code == "syntax" for d in doc.diagnostics)
    assert "unclosed tag" in doc.text


def test_random_texts_never_raise_and_offsets_always_hold():
    pieces = ["[", "]", "{", "}", "@a", "^s", " ", "\n", "\r\n", "\n\n", "x", "é", "e\u0301", "😀", "北",
              "<!--", "-->", "---\n", "@a: person \"A\"\n", "^s: statement\n", "\ufeff", "\"", "“", "”"]
    rng = random.Random(16)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))
        doc = newsmark.parse(text)
        for tag in doc.tags:
            assert doc.text[tag.start : tag.end] == tag.text, text
        for d in doc.diagnostics:
            assert 0 <= d.start <= d.end <= len(doc.source), text
