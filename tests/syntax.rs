//! Tests of the syntax layer through its public API: parse trees and plain
//! texts of every construct, shown as readable dumps.

use expect_test::{Expect, expect};
use newsmark::syntax::{Attribute, Parse, parse, plain_text};
use newsmark::text::TextRange;

/// A readable dump of the parse of `text` and of its plain text.
fn dump(text: &str) -> String {
    let parse = parse(text);
    let mut out = String::new();
    dump_parse(text, &parse, &mut out);
    let plain = plain_text(text, &parse);
    out.push_str(&format!("plain {:?}\n", plain.text));
    for (index, span) in plain.tags.iter().enumerate() {
        let chars: String =
            plain.text.chars().skip(span.start as usize).take((span.end - span.start) as usize).collect();
        let bytes = &plain.text[span.byte_start as usize..span.byte_end as usize];
        assert_eq!(chars, bytes, "char and byte spans of tag {index} disagree");
        out.push_str(&format!("  tag {index} {}..{} {bytes:?}\n", span.start, span.end));
    }
    out
}

fn slice(text: &str, range: TextRange) -> &str {
    range.slice(text)
}

fn dump_attribute(text: &str, a: &Attribute, out: &mut String) {
    let items: Vec<String> = a.items.iter().map(|i| format!("{:?}", i.text)).collect();
    assert_eq!(slice(text, a.key_range), &*a.key);
    out.push_str(&format!(
        "  {:?} {:?} = {:?} {:?} [{}]\n",
        a.range,
        a.key,
        a.value,
        slice(text, a.value_range),
        items.join(", ")
    ));
    for item in a.items.iter().filter(|i| !slice(text, i.range).contains("<!--")) {
        assert_eq!(slice(text, item.range), &*item.text);
    }
}

fn dump_parse(text: &str, parse: &Parse, out: &mut String) {
    let doc = &parse.doc;
    if doc.bom {
        out.push_str("bom\n");
    }
    if let Some(fm) = &doc.front_matter {
        out.push_str(&format!("front-matter {:?} open {:?} closed={}\n", fm.range, fm.open, fm.closed));
        for a in &fm.attributes {
            dump_attribute(text, a, out);
        }
    }
    for p in &doc.paragraphs {
        let heading = p.heading_level.map(|n| format!(" h{n}")).unwrap_or_default();
        out.push_str(&format!("paragraph {:?}{heading} {:?}\n", p.range, slice(text, p.range)));
    }
    for (index, tag) in doc.tags.iter().enumerate() {
        let refs: Vec<String> = tag.refs.iter().map(|r| format!("{}{}", r.sigil.char(), r.id)).collect();
        for r in &tag.refs {
            assert_eq!(slice(text, r.range), format!("{}{}", r.sigil.char(), r.id));
        }
        let parent = tag.parent.map(|p| format!(" parent {p}")).unwrap_or_default();
        out.push_str(&format!(
            "tag {index} {:?} {:?} {}{parent}\n",
            tag.range,
            slice(text, tag.text_range),
            refs.join(" ")
        ));
        assert_eq!(slice(text, tag.refs_range).chars().next(), Some('{'));
    }
    for d in &doc.definitions {
        let name = d.name_range.map(|r| format!(" {:?}={:?}", slice(text, r), d.name)).unwrap_or_default();
        out.push_str(&format!(
            "definition {:?} {:?} kind {:?}{name}\n",
            d.range,
            slice(text, d.id_range),
            slice(text, d.kind_range)
        ));
        for a in &d.attributes {
            dump_attribute(text, a, out);
        }
    }
    for c in &doc.comments {
        out.push_str(&format!("comment {c:?} {:?}\n", slice(text, *c)));
    }
    for t in &doc.transparent_lines {
        out.push_str(&format!("transparent {t:?} {:?}\n", slice(text, *t)));
    }
    if !doc.escapes.is_empty() {
        out.push_str(&format!("escapes {:?}\n", doc.escapes));
    }
    for e in &parse.errors {
        out.push_str(&format!("error {:?} {:?}: {}\n", e.range, slice(text, e.range), e.message));
    }
}

fn check(text: &str, expected: Expect) {
    expected.assert_eq(&dump(text));
}

#[test]
fn tags_nest_and_carry_several_references() {
    check(
        "[[Mr. Xi]{@xi-jinping} said no]{^xi-remarks} and [the two]{@a\t@b } met []{@empty}.",
        expect![[r#"
            paragraph 0..82 "[[Mr. Xi]{@xi-jinping} said no]{^xi-remarks} and [the two]{@a\t@b } met []{@empty}."
            tag 0 0..44 "[Mr. Xi]{@xi-jinping} said no" ^xi-remarks
            tag 1 1..22 "Mr. Xi" @xi-jinping parent 0
            tag 2 49..66 "the two" @a @b
            tag 3 71..81 "" @empty
            plain "Mr. Xi said no and the two met .\n"
              tag 0 0..14 "Mr. Xi said no"
              tag 1 0..6 "Mr. Xi"
              tag 2 19..26 "the two"
              tag 3 31..31 ""
        "#]],
    );
}

#[test]
fn tags_span_line_breaks_within_a_paragraph() {
    check(
        "[on thursday\n[mr mayorkas]{@alejandro-mayorkas} will\r\nmeet]{^dhs}\rend",
        expect![[r#"
            paragraph 0..69 "[on thursday\n[mr mayorkas]{@alejandro-mayorkas} will\r\nmeet]{^dhs}\rend"
            tag 0 0..65 "on thursday\n[mr mayorkas]{@alejandro-mayorkas} will\r\nmeet" ^dhs
            tag 1 13..47 "mr mayorkas" @alejandro-mayorkas parent 0
            plain "on thursday\nmr mayorkas will\nmeet\nend\n"
              tag 0 0..33 "on thursday\nmr mayorkas will\nmeet"
              tag 1 12..23 "mr mayorkas"
        "#]],
    );
}

#[test]
fn plain_brackets_sic_and_markdown_links() {
    check(
        "He [sic] said [a](b) and [x]{y} and ]{@z} [unpaired and ] alone {plain} {@stray}.",
        expect![[r#"
            paragraph 0..81 "He [sic] said [a](b) and [x]{y} and ]{@z} [unpaired and ] alone {plain} {@stray}."
            error 28..31 "{y}": expected a reference after '{', found 'y' without a sigil: write '@y' for an entity or '^y' for a source
            error 37..41 "{@z}": expected a tag's text in brackets before this reference list, as in '[text]{@id}', found none; write '\{' for a literal brace
            error 72..80 "{@stray}": expected a tag's text in brackets before this reference list, as in '[text]{@id}', found none; write '\{' for a literal brace
            plain "He [sic] said [a](b) and [x]{y} and ]{@z} [unpaired and ] alone {plain} {@stray}.\n"
        "#]],
    );
}

#[test]
fn escapes() {
    check(
        "\\[not]\\{@a\\} \\@ \\^ \\< \\\\[real]{@b} \\q \\",
        expect![[r#"
            paragraph 0..39 "\\[not]\\{@a\\} \\@ \\^ \\< \\\\[real]{@b} \\q \\"
            tag 0 24..34 "real" @b
            escapes [0, 6, 10, 13, 16, 19, 22]
            plain "[not]{@a} @ ^ < \\real \\q \\\n"
              tag 0 17..21 "real"
        "#]],
    );
}

#[test]
fn failed_tags_of_each_kind() {
    check(
        "[a]{@x y} [b]{} [c]{  } [d]{@-x} [e]{@} [f]{@ok, @x}\n[g]{@open\n[h]{@i}",
        expect![[r#"
            paragraph 0..70 "[a]{@x y} [b]{} [c]{  } [d]{@-x} [e]{@} [f]{@ok, @x}\n[g]{@open\n[h]{@i}"
            tag 0 63..70 "h" @i
            error 3..9 "{@x y}": expected '}' after '@x', found 'y'
            error 13..15 "{}": empty reference list: expected a reference ('@id' or '^id') before '}'
            error 19..23 "{  }": empty reference list: expected a reference ('@id' or '^id') before '}'
            error 27..32 "{@-x}": '-x' after '@' is not a valid id: an id starts with a letter or digit and goes on with letters, marks, digits, '-', '_' or '.'
            error 36..39 "{@}": expected an id after '@', found '}'
            error 43..52 "{@ok, @x}": 'ok,' after '@' is not a valid id: an id starts with a letter or digit and goes on with letters, marks, digits, '-', '_' or '.'
            error 56..62 "{@open": expected '}' after '@open', found the end of the line
            plain "[a]{@x y} [b]{} [c]{  } [d]{@-x} [e]{@} [f]{@ok, @x}\n[g]{@open\nh\n"
              tag 0 63..64 "h"
        "#]],
    );
}

#[test]
fn prose_line_starting_with_escaped_sigil() {
    check(
        "\\@ is a handle\n\\^ caret",
        expect![[r#"
            paragraph 0..23 "\\@ is a handle\n\\^ caret"
            escapes [0, 15]
            plain "@ is a handle\n^ caret\n"
        "#]],
    );
}

#[test]
fn crlf_and_lone_cr() {
    check(
        "line one\r\nline two\rline three\n\r\n\rsecond\r",
        expect![[r#"
            paragraph 0..29 "line one\r\nline two\rline three"
            paragraph 33..39 "second"
            plain "line one\nline two\nline three\n\nsecond\n"
        "#]],
    );
}

#[test]
fn bom_is_skipped() {
    check(
        "\u{feff}---\ntitle: T\n---\n[x]{@y}",
        expect![[r#"
            bom
            front-matter 3..19 open 3..6 closed=true
              7..15 "title" = "T" "T" ["T"]
            paragraph 20..27 "[x]{@y}"
            tag 0 20..27 "x" @y
            plain "x\n"
              tag 0 0..1 "x"
        "#]],
    );
}

#[test]
fn headings() {
    check(
        "# Title [x]{@y}\n\n####### not\n\n#hashtag",
        expect![[r########"
            paragraph 0..15 h1 "# Title [x]{@y}"
            paragraph 17..28 "####### not"
            paragraph 30..38 "#hashtag"
            tag 0 8..15 "x" @y
            plain "# Title x\n\n####### not\n\n#hashtag\n"
              tag 0 8..9 "x"
        "########]],
    );
}

#[test]
fn front_matter() {
    check(
        "---\ntitle:  DHS deputy <!-- c --> visits  \nbyline: @a; ; @b ;\n\n  indented: no\nmalformed line\nempty:\n --- \n---\nProse.",
        expect![[r#"
            front-matter 0..109 open 0..3 closed=true
              4..42 "title" = "DHS deputy  visits" "DHS deputy <!-- c --> visits" ["DHS deputy  visits"]
              43..61 "byline" = "@a; ; @b ;" "@a; ; @b ;" ["@a", "@b"]
              93..99 "empty" = "" "" []
            paragraph 110..116 "Prose."
            comment 23..33 "<!-- c -->"
            error 65..77 "indented: no": expected 'key: value' at the start of the line in the front matter, found an indented line 'indented: no'
            error 78..92 "malformed line": expected 'key: value' in the front matter (a key without spaces, directly followed by ':'), found 'malformed line'
            error 101..105 "--- ": expected exactly '---' to close the front matter, found '---' with white space around it
            plain "Prose.\n"
        "#]],
    );
}

#[test]
fn front_matter_unterminated() {
    check(
        "---\ntitle: T\n\nProse that is now front matter.",
        expect![[r#"
            front-matter 0..45 open 0..3 closed=false
            error 0..3 "---": expected a line '---' closing the front matter opened here, found the end of the file, so the whole file is read as front matter (an article whose first line must read '---' starts with a blank line)
            plain ""
        "#]],
    );
}

#[test]
fn front_matter_only_on_line_one() {
    check(
        "\n---\ntitle: T\n---",
        expect![[r#"
            paragraph 1..17 "---\ntitle: T\n---"
            plain "---\ntitle: T\n---\n"
        "#]],
    );
}

#[test]
fn definitions() {
    check(
        "@alejandro-mayorkas: person \"Alejandro \\\"Ali\\\" Mayorkas\"\n  aka: Mr. Mayorkas; Mayorkas\n\trole: Deputy Secretary\n  not an attribute\n  note:\n^dhs-statement: statement\nprose after a block\n  indented prose",
        expect![[r#"
            paragraph 164..200 "prose after a block\n  indented prose"
            definition 0..137 "@alejandro-mayorkas" kind "person" "\"Alejandro \\\"Ali\\\" Mayorkas\""=Some("Alejandro \"Ali\" Mayorkas")
              57..86 "aka" = "Mr. Mayorkas; Mayorkas" "Mr. Mayorkas; Mayorkas" ["Mr. Mayorkas", "Mayorkas"]
              87..110 "role" = "Deputy Secretary" "Deputy Secretary" ["Deputy Secretary"]
              130..137 "note" = "" "" []
            definition 138..163 "^dhs-statement" kind "statement"
            error 113..129 "not an attribute": expected 'key: value' on an indented line of a definition block, found 'not an attribute'; end the block with a blank line before prose
            plain "prose after a block\n  indented prose\n"
        "#]],
    );
}

#[test]
fn malformed_header_skips_its_indented_lines() {
    check(
        "@obama said hello\n  aka: skipped\n\n@x: person \"X\" trailing\n^ no id\n@y:\n  still skipped\nProse.",
        expect![[r#"
            paragraph 86..92 "Prose."
            error 0..17 "@obama said hello": expected ':' right after '@obama', found a space; a line starting with '@' is a definition header, '@id: kind "Display Name"'; write '\@' to start a prose line with '@'
            error 34..57 "@x: person \"X\" trailing": expected the end of the line after the display name, found 'trailing'
            error 58..65 "^ no id": expected an id after '^', found a space; a line starting with '^' is a definition header, '^id: kind "Display Name"'; write '\^' to start a prose line with '^'
            error 66..69 "@y:": expected a kind after '@y:', found the end of the line, as in '@y: person "Display Name"'
            plain "Prose.\n"
        "#]],
    );
}

#[test]
fn header_ends_a_paragraph() {
    check(
        "Prose line\n@a: person \"A\"\nmore prose\n\n  indented prose paragraph",
        expect![[r#"
            paragraph 0..10 "Prose line"
            paragraph 26..36 "more prose"
            paragraph 38..64 "  indented prose paragraph"
            definition 11..25 "@a" kind "person" "\"A\""=Some("A")
            plain "Prose line\n\nmore prose\n\n  indented prose paragraph\n"
        "#]],
    );
}

#[test]
fn unicode_ids_with_combining_marks() {
    check(
        "[Cafe\u{301}]{@cafe\u{301}} [習]{@習近平} [x]{@\u{301}bad}\n@दिल्ली: place \"Delhi\"",
        expect![[r#"
            paragraph 0..47 "[Cafe\u{301}]{@cafe\u{301}} [習]{@習近平} [x]{@\u{301}bad}"
            tag 0 0..17 "Cafe\u{301}" @café
            tag 1 18..35 "習" @習近平
            definition 48..82 "@दिल\u{94d}ली" kind "place" "\"Delhi\""=Some("Delhi")
            error 39..47 "{@\u{301}bad}": '́bad' after '@' is not a valid id: an id starts with a letter or digit and goes on with letters, marks, digits, '-', '_' or '.'
            plain "Cafe\u{301} 習 [x]{@\u{301}bad}\n"
              tag 0 0..5 "Cafe\u{301}"
              tag 1 6..7 "習"
        "#]],
    );
}

#[test]
fn comments_inline_and_multiline() {
    check(
        "Some <!-- hidden [x]{@y} --> text <!-- over\ntwo lines -->[tag]{@a <!-- c --> @b}\n\\<!-- not a comment --> <!--> still comment -->!",
        expect![[r#"
            paragraph 0..129 "Some <!-- hidden [x]{@y} --> text <!-- over\ntwo lines -->[tag]{@a <!-- c --> @b}\n\\<!-- not a comment --> <!--> still comment -->!"
            tag 0 57..80 "tag" @a @b
            comment 5..28 "<!-- hidden [x]{@y} -->"
            comment 34..57 "<!-- over\ntwo lines -->"
            comment 66..76 "<!-- c -->"
            comment 105..128 "<!--> still comment -->"
            escapes [81]
            plain "Some  text tag\n<!-- not a comment --> !\n"
              tag 0 11..14 "tag"
        "#]],
    );
}

#[test]
fn transparent_comment_lines() {
    check(
        "First line\n  <!-- a whole line --> \t\nsecond line\n<!-- one -->\n<!-- two\n-->\nthird\n\n<!-- x -->\nnew paragraph\r<!-- y -->\n\nlast\n<!-- z -->",
        expect![[r#"
            paragraph 0..80 "First line\n  <!-- a whole line --> \t\nsecond line\n<!-- one -->\n<!-- two\n-->\nthird"
            paragraph 93..106 "new paragraph"
            paragraph 119..123 "last"
            comment 13..34 "<!-- a whole line -->"
            comment 49..61 "<!-- one -->"
            comment 62..74 "<!-- two\n-->"
            comment 82..92 "<!-- x -->"
            comment 107..117 "<!-- y -->"
            comment 124..134 "<!-- z -->"
            transparent 11..37 "  <!-- a whole line --> \t\n"
            transparent 49..62 "<!-- one -->\n"
            transparent 62..75 "<!-- two\n-->\n"
            transparent 82..93 "<!-- x -->\n"
            transparent 107..118 "<!-- y -->\n"
            transparent 124..134 "<!-- z -->"
            plain "First line\nsecond line\nthird\n\nnew paragraph\n\nlast\n"
        "#]],
    );
}

#[test]
fn transparent_line_inside_definition_block() {
    check(
        "@a: person \"A\"\n<!-- note -->\n  aka: Ay\n",
        expect![[r#"
            definition 0..38 "@a" kind "person" "\"A\""=Some("A")
              29..38 "aka" = "Ay" "Ay" ["Ay"]
            comment 15..28 "<!-- note -->"
            transparent 15..29 "<!-- note -->\n"
            plain ""
        "#]],
    );
}

#[test]
fn transparent_line_keeps_blank_line_after_lone_cr() {
    check(
        "a\r<!--x-->\n\nb",
        expect![[r#"
            paragraph 0..1 "a"
            paragraph 12..13 "b"
            comment 2..10 "<!--x-->"
            transparent 2..11 "<!--x-->\n"
            plain "a\n\nb\n"
        "#]],
    );
}

#[test]
fn transparent_first_lines_and_front_matter() {
    check(
        "<!-- licence -->\n---\ntitle: T\n---\nProse",
        expect![[r#"
            front-matter 17..33 open 17..20 closed=true
              21..29 "title" = "T" "T" ["T"]
            paragraph 34..39 "Prose"
            comment 0..16 "<!-- licence -->"
            transparent 0..17 "<!-- licence -->\n"
            plain "Prose\n"
        "#]],
    );
}

#[test]
fn unterminated_comment() {
    check(
        "Prose [x]{@y}\n<!-- never closed\n[z]{@w}",
        expect![[r#"
            paragraph 0..13 "Prose [x]{@y}"
            tag 0 6..13 "x" @y
            comment 14..39 "<!-- never closed\n[z]{@w}"
            transparent 14..39 "<!-- never closed\n[z]{@w}"
            error 14..18 "<!--": expected '-->' closing the comment opened here, found the end of the file, so the rest of the file is a comment (write '\<!--' for the literal text)
            plain "Prose x\n"
              tag 0 6..7 "x"
        "#]],
    );
}

#[test]
fn escaped_comment_openers() {
    check(
        "a \\<!-- b --> \\\\<!-- c --> d",
        expect![[r#"
            paragraph 0..28 "a \\<!-- b --> \\\\<!-- c --> d"
            comment 16..26 "<!-- c -->"
            escapes [2, 14]
            plain "a <!-- b --> \\ d\n"
        "#]],
    );
}

#[test]
fn no_prose_means_empty_plain_text() {
    check(
        "---\ntitle: T\n---\n\n@a: person\n<!-- c -->\n",
        expect![[r#"
            front-matter 0..16 open 0..3 closed=true
              4..12 "title" = "T" "T" ["T"]
            definition 18..28 "@a" kind "person"
            comment 29..39 "<!-- c -->"
            transparent 29..40 "<!-- c -->\n"
            plain ""
        "#]],
    );
}

#[test]
fn a_failed_reference_list_ends_before_a_bracket_or_brace_and_keeps_its_text() {
    check(
        "[outer [x]{@ white house]{^s} [y]{@a b [z]{@z} [w]{@w {@v} [u]{@u",
        expect![[r#"
            paragraph 0..65 "[outer [x]{@ white house]{^s} [y]{@a b [z]{@z} [w]{@w {@v} [u]{@u"
            tag 0 0..29 "outer [x]{@ white house" ^s
            tag 1 39..46 "z" @z
            error 10..24 "{@ white house": expected an id after '@', found a space
            error 33..39 "{@a b ": expected '}' after '@a', found 'b'
            error 50..54 "{@w ": expected '}' after '@w', found '{'
            error 54..58 "{@v}": expected a tag's text in brackets before this reference list, as in '[text]{@id}', found none; write '\{' for a literal brace
            error 62..65 "{@u": expected '}' after '@u', found the end of the line
            plain "outer [x]{@ white house [y]{@a b z [w]{@w {@v} [u]{@u\n"
              tag 0 0..23 "outer [x]{@ white house"
              tag 1 33..34 "z"
        "#]],
    );
}
