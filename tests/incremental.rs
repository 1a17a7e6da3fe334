//! Incremental analysis against fresh analysis: after any sequence of
//! random edits, the reparsed syntax equals a fresh parse of the final text.

use newsmark::syntax::{self, reparse};
use newsmark::text::TextEdit;
use proptest::prelude::*;

const ARTICLE: &str = include_str!("../examples/newsroom/articles/2015-11-dhs-beijing-cyber.nmk");
const PEOPLE: &str = include_str!("../examples/newsroom/registry/people.nmk");

/// Texts with every construct near every other: front matter, comments
/// over blank lines, definitions in an article, CRLF and lone CR, a BOM.
fn base_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        ARTICLE.to_string(),
        PEOPLE.to_string(),
        format!(
            "\u{feff}---\ntitle: T\n\npublished: 2020-01-01\n---\nFirst [A]{{@a}}.\n\n<!-- a\n\ncomment -->\nSecond 😀 line\r\nthird\rfourth\n\n@a: person \"A\"\n  aka: Ay\n\n# Head\n\n{}",
            PEOPLE
        ),
        "<!-- lead -->\n---\nx: y\n---\n\n\\<!-- not \\\\<!-- yes -->\n\nend".to_string(),
    ])
}

/// What an edit inserts: line and paragraph breaks, comment, tag and
/// front-matter delimiters, headers, attributes, multi-byte characters.
pub fn edit_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "",
        "\n\n",
        "\n",
        "\r",
        "\r\n",
        "<!--",
        "-->",
        "<",
        "!",
        "-",
        "[",
        "]",
        "]{@a}",
        "{^",
        "\\",
        "x",
        " ",
        "  ",
        "---",
        "---\n",
        "\n---\n",
        "@b: person \"B\"\n",
        "\n  aka: Bee\n",
        "  role: x",
        "#",
        "# ",
        "😀",
        "é",
        "\u{feff}",
        "“",
        "”",
        "Barack Obama",
    ])
}

/// Applies an edit at byte `at` (snapped to a char boundary) removing up to
/// `delete` bytes; returns the edit.
pub fn apply(text: &mut String, at: usize, delete: usize, piece: &str) -> TextEdit {
    let mut start = at.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + delete).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text.replace_range(start..end, piece);
    TextEdit { start: start as u32, old_end: end as u32, new_end: (start + piece.len()) as u32 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reparse_equals_a_fresh_parse(
        mut text in base_text(),
        edits in prop::collection::vec((0usize..6000, 0usize..40, edit_piece()), 1..16),
    ) {
        let mut parse = syntax::parse(&text);
        for (at, delete, piece) in edits {
            let at = at % (text.len() + 1);
            let edit = apply(&mut text, at, delete, piece);
            let reparsed = reparse(&mut parse, &text, edit);
            prop_assert!(reparsed.new.start <= edit.start && edit.new_end <= reparsed.new.end);
            let fresh = syntax::parse(&text);
            prop_assert_eq!(&parse, &fresh, "after {:?} inserting {:?}", edit, piece);
        }
    }
}

/// A keystroke in the middle of a long document reparses a small region.
#[test]
fn a_keystroke_reparses_its_paragraph_only() {
    let mut text = PEOPLE.repeat(50);
    let mut parse = syntax::parse(&text);
    let at = text.len() / 2;
    let at = text[at..].find("Mayorkas\"").unwrap() + at + 3;
    let edit = apply(&mut text, at, 0, "x");
    let reparsed = reparse(&mut parse, &text, edit);
    assert!(reparsed.new.end - reparsed.new.start < 1000, "{reparsed:?}");
    assert_eq!(parse, syntax::parse(&text));
    // An edit that opens a comment reparses the whole.
    let edit = apply(&mut text, 10, 0, "<!--");
    let reparsed = reparse(&mut parse, &text, edit);
    assert_eq!(reparsed.new.start, 0);
    assert_eq!(reparsed.new.end as usize, text.len());
    assert_eq!(parse, syntax::parse(&text));
}
