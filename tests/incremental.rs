//! Incremental analysis against fresh analysis: after any sequence of
//! random edits, the reparsed syntax equals a fresh parse of the final text.

use newsmark::syntax::{self, reparse};
use newsmark::text::{LineIndex, TextEdit};
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

/// How many cases a property runs: `NEWSMARK_INCREMENTAL_CASES` or `default`
/// (the fuzz-like long runs set it higher).
fn cases(default: u32) -> u32 {
    std::env::var("NEWSMARK_INCREMENTAL_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
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
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn spliced_line_index_equals_a_fresh_one(
        mut text in base_text(),
        edits in prop::collection::vec((0usize..6000, 0usize..40, edit_piece()), 1..16),
    ) {
        let mut index = LineIndex::new(&text);
        for (at, delete, piece) in edits {
            let at = at % (text.len() + 1);
            let edit = apply(&mut text, at, delete, piece);
            index.splice(&text, edit);
            prop_assert_eq!(&index, &LineIndex::new(&text), "after {:?} inserting {:?}", edit, piece);
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

// ------------------------------------------------------------ analysis

mod analysis {
    use std::path::PathBuf;
    use std::sync::Arc;

    use newsmark::analysis::diagnostics::{
        CheckOptions, DiagnosticsCache, TextVersion, file_diagnostics, file_diagnostics_cached,
        file_diagnostics_incremental,
    };
    use newsmark::analysis::{Diagnostic, FileId, FileSummary, Workspace};
    use newsmark::config::Config;
    use newsmark::ide::{FileContext, hover, references};
    use newsmark::syntax::{self, Parse, Reparsed, reparse};
    use proptest::prelude::*;

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/newsroom/");

    fn sources() -> Vec<(String, String)> {
        let read = |p: &str| (p.to_string(), std::fs::read_to_string(format!("{ROOT}{p}")).unwrap());
        let mut files = vec![
            read("articles/2015-11-dhs-beijing-cyber.nmk"),
            read("registry/organizations.nmk"),
            read("registry/people.nmk"),
            read("registry/places.nmk"),
        ];
        files.push((
            "articles/b.nmk".into(),
            "---\ntitle: B\npublished: 2015-09-01\n---\n\nMr. Xi met Barack Obama and [Obama]{@barack-obama}.\n<!-- a\n\nnote -->\n“A quotation long enough to need a source tag here.”\n\n@local: person \"Local Person\"\n  aka: Loco\n\nLoco and Xi Jinping said [so]{^xi-remarks-2015-09}.\n".into(),
        ));
        files
    }

    /// One open document as the server keeps it.
    struct Open {
        id: FileId,
        path: String,
        text: String,
        parse: Parse,
        cache: DiagnosticsCache,
        diags: Vec<Diagnostic>,
        /// The text's identity and the regions changed since earlier
        /// texts, as the server's `DocText` keeps them.
        seq: u64,
        history: Vec<(u64, Reparsed)>,
        /// Edited since its diagnostics were last computed.
        stale: bool,
        /// Whether the last computation attached fixes (the server's do
        /// not; `check --fix` and code actions do).
        fixes: bool,
    }

    impl Open {
        fn check(&mut self, ws: &Workspace, opts: CheckOptions) {
            let version = TextVersion { seq: self.seq, since: &self.history };
            self.diags = file_diagnostics_incremental(ws, self.id, &self.parse, opts, &mut self.cache, version);
            self.stale = false;
            self.fixes = opts.fixes;
        }
    }

    fn fresh(files: &[(String, String)]) -> (Workspace, Vec<(FileId, Parse)>) {
        let mut ws = Workspace::new(PathBuf::from("/ws"), Arc::new(Config::default()));
        let parses = files
            .iter()
            .map(|(path, text)| {
                let parse = syntax::parse(text);
                let id = ws.set_parsed_file(
                    PathBuf::from(format!("/ws/{path}")),
                    path.clone(),
                    Arc::from(text.as_str()),
                    &parse,
                );
                (id, parse)
            })
            .collect();
        (ws, parses)
    }

    fn edit_piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "",
            "\n\n",
            "\n",
            "\r\n",
            "<!--",
            "-->",
            "[",
            "]{@barack-obama}",
            "]{@nobody}",
            "{^",
            "“",
            "”",
            "x",
            "😀",
            "---\n",
            "Barack Obama",
            "Mr. Xi",
            "Loco",
            "Mayorkas",
            "\n@barack-obama: person \"Barack\"\n",
            "\n@new-one: person \"Mr. Xi\"\n  aka: Loco\n",
            "\n  aka: Barack Obama\n",
            "  aka: Xi",
            "  date: 2099-01-01\n",
            "@",
            "^",
            " ",
            "\"",
        ])
    }

    /// The offsets worth asking about: every reference and definition id.
    fn cursor_offsets(ws: &Workspace, id: FileId) -> Vec<u32> {
        let summary = &ws.file(id).unwrap().summary;
        summary
            .refs
            .iter()
            .map(|r| r.range.start + 1)
            .chain(summary.defs.iter().map(|d| d.id_range.start + 1))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(super::cases(48)))]

        /// Edits in registries and articles applied incrementally (reparse,
        /// index and names by difference, diagnostics of the other open
        /// documents recomputed only when a change meets what they read)
        /// answer every query and give every diagnostic exactly as a fresh
        /// analysis of the final texts.
        #[test]
        fn incremental_analysis_equals_a_fresh_one(
            edits in prop::collection::vec((0usize..5, 0usize..8000, 0usize..30, edit_piece()), 1..12),
        ) {
            edits_answer_as_a_fresh_analysis(&edits)?;
        }
    }

    /// A paragraph break inside `aka: …; U.S.; US; u s` leaves `US` in
    /// prose, while the name `U.S` stays: the two match under §7 (dots
    /// removed), so `US` is a mention after the edit just as in a fresh
    /// analysis, whichever first words the name index saw before.
    #[test]
    fn names_equal_once_dots_are_removed_are_found_as_in_a_fresh_analysis() {
        edits_answer_as_a_fresh_analysis(&[(3, 74, 0, "\n\n")]).unwrap();
    }

    /// An `aka` edited into a registry's block while a reference to the
    /// entity stands outside the edited region: the registry's kept
    /// diagnostics outside the region must not stand for that reference.
    #[test]
    fn an_edited_definition_is_checked_again_where_it_is_referenced_outside_the_region() {
        edits_answer_as_a_fresh_analysis(&[(3, 478, 14, "  aka: Xi"), (3, 4472, 21, "\n")]).unwrap();
    }

    /// A source defined at the end of an article, closer to an undefined
    /// reference of it than any id so far: the "did you mean" kept for that
    /// reference, outside the edited region, must not stand.
    #[test]
    fn a_newly_defined_id_changes_the_suggestions_kept_outside_the_region() {
        // `articles/b.nmk` is 262 bytes; the paragraph added at its end is
        // 20, and two blank lines keep it out of the next edit's region.
        let source = "^zz-remark: remarks \"Remarks\"\n  by: @xi-jinping\n";
        edits_answer_as_a_fresh_analysis(&[(4, 262, 0, "\n[x]{^zz-remarks}\n\n\n"), (4, 282, 0, source)]).unwrap();
    }

    /// A misspelled reference, whose fix is given where it is found, is
    /// checked without fixes (as the server's diagnostics are); then a
    /// paragraph far from it is edited and the file is checked with fixes
    /// (as `source.fixAll` is): the reference's diagnostic kept from the
    /// first computation must come with its fix.
    #[test]
    fn items_kept_from_a_computation_without_fixes_do_not_stand_for_one_with_them() {
        // Byte 209 of `articles/b.nmk` is the blank line after its
        // definition block, byte 44 inside its first paragraph; an odd
        // offset checks without fixes, an even one with them.
        edits_answer_as_a_fresh_analysis(&[(4, 209, 0, "\n[Obama]{@barack-obam}\n\n"), (4, 44, 0, "x")]).unwrap();
    }

    /// `aka: Loco` of an article's own definition shortened: the mention
    /// of “Loco” in a paragraph outside the edited region goes with it.
    #[test]
    fn a_changed_name_is_looked_for_again_outside_the_region() {
        // In `articles/b.nmk`, `co` of `aka: Loco` is at byte 206 and the
        // blank line after the block at 209: the first edit makes it two,
        // which keeps the paragraph out of the second edit's region.
        edits_answer_as_a_fresh_analysis(&[(4, 209, 0, "\n"), (4, 206, 2, "")]).unwrap();
    }

    /// `part-of` of `@dhs` in the organizations registry misspelled (its
    /// indent turned into `-->`), which a fix renames back as long as the
    /// value `@united-states` is defined; then the places registry loses
    /// that definition (its `@`). The fix read whether the id is defined,
    /// though the value of an unknown key is no reference of the file: the
    /// organizations' diagnostics must be checked again and lose the fix.
    #[test]
    fn a_fix_that_read_whether_an_id_is_defined_goes_when_it_is_not() {
        // 453 and 3060 wrap to byte 133 of organizations.nmk and byte 0 of
        // places.nmk, as the property test found them.
        edits_answer_as_a_fresh_analysis(&[(1, 453, 1, "-->"), (3, 3060, 1, "")]).unwrap();
    }

    /// `byline: ^fireeye` in an article's front matter is an
    /// `invalid-value` that suggests `@fireeye` because that entity exists;
    /// then the organizations registry loses `@fireeye` (its `@`). The
    /// value is no reference of the article, yet its diagnostic read
    /// whether the entity is defined: it must be checked again and lose the
    /// suggestion. And once the entity is back, gain it again.
    #[test]
    fn a_suggestion_that_read_whether_an_entity_exists_follows_the_registry() {
        // Byte 13 of b.nmk is after `title: B`; byte 250 of
        // organizations.nmk is the `@` of `@fireeye`.
        edits_answer_as_a_fresh_analysis(&[(4, 13, 0, "byline: ^fireeye\n"), (1, 250, 1, "")]).unwrap();
        edits_answer_as_a_fresh_analysis(&[(1, 250, 1, ""), (4, 13, 0, "byline: ^fireeye\n"), (1, 250, 0, "@")])
            .unwrap();
    }

    /// Which entity a name shared by several stands for is ranked once per
    /// workspace state (by the path of the first definition naming it):
    /// once the first holder's registry drops the name, the article's
    /// mention names the other entity, as in a fresh analysis.
    #[test]
    fn a_shared_name_is_ranked_again_when_its_holders_change() {
        let files = vec![
            (
                "articles/a.nmk".to_string(),
                "---\ntitle: A\npublished: 2016\n---\n\nThe minister Lovelace spoke.\n".to_string(),
            ),
            ("registry/a.nmk".to_string(), "@ada: person \"Ada Lovelace\"\n  aka: Lovelace\n".to_string()),
            ("registry/b.nmk".to_string(), "@byron: person \"Ada Byron\"\n  aka: Lovelace\n".to_string()),
        ];
        let (mut ws, parses) = fresh(&files);
        let article = &parses[0];
        let message = |ws: &Workspace| -> String {
            let diags = file_diagnostics(ws, article.0, &article.1, CheckOptions::default());
            diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("\n")
        };
        let before = message(&ws);
        assert!(before.contains("`@ada`") && before.contains("other entities"), "{before}");
        let edited = "@ada: person \"Ada Lovelace\"\n".to_string();
        let parse = syntax::parse(&edited);
        ws.set_parsed_file(
            PathBuf::from("/ws/registry/a.nmk"),
            "registry/a.nmk".into(),
            Arc::from(edited.as_str()),
            &parse,
        );
        let after = message(&ws);
        let mut files = files;
        files[1].1 = edited;
        let (fresh_ws, _) = fresh(&files);
        assert_eq!(after, message(&fresh_ws));
        assert!(after.contains("`@byron`"), "{after}");
    }

    fn edits_answer_as_a_fresh_analysis(edits: &[(usize, usize, usize, &str)]) -> Result<(), TestCaseError> {
        let files = sources();
        let (mut ws, parses) = fresh(&files);
        let opts = CheckOptions::default();
        let mut open: Vec<Open> = files
            .iter()
            .zip(parses)
            .map(|((path, text), (id, parse))| {
                let mut cache = DiagnosticsCache::default();
                let diags = file_diagnostics_cached(&ws, id, &parse, opts, &mut cache);
                Open {
                    id,
                    path: path.clone(),
                    text: text.clone(),
                    parse,
                    cache,
                    diags,
                    seq: 0,
                    history: Vec::new(),
                    stale: false,
                    fixes: opts.fixes,
                }
            })
            .collect();
        let mut next_seq = 100;
        for &(which, at, delete, piece) in edits {
            let doc = &mut open[which];
            let at = at % (doc.text.len() + 1);
            let edit = super::apply(&mut doc.text, at, delete, piece);
            let reparsed = reparse(&mut doc.parse, &doc.text, edit);
            let lines = newsmark::text::LineIndex::new(&doc.text);
            let change = ws.update_parsed_file(doc.id, Arc::from(doc.text.as_str()), &doc.parse, reparsed, &lines);
            // As `DocText::history`: the region changed since each earlier text.
            doc.history = doc.history.iter().map(|&(seq, region)| (seq, region.then(reparsed))).collect();
            doc.history.push((doc.seq, reparsed));
            next_seq += 1;
            doc.seq = next_seq;
            // Some edits follow one another before the edited document is
            // checked again (typing faster than the checks).
            doc.stale = at % 3 == 0;
            for (i, doc) in open.iter_mut().enumerate() {
                if (i == which && !doc.stale) || doc.cache.met_by(&change) {
                    // With and without fixes, as the server's diagnostics
                    // and its code actions or `--fix` would ask in turn.
                    doc.check(&ws, CheckOptions { fixes: (at + i) % 2 == 0, ..opts });
                }
            }
        }
        for doc in open.iter_mut().filter(|d| d.stale) {
            doc.check(&ws, opts);
        }

        let texts: Vec<(String, String)> = open.iter().map(|d| (d.path.clone(), d.text.clone())).collect();
        let (new_ws, parses) = fresh(&texts);
        for (doc, (id, parse)) in open.iter_mut().zip(&parses) {
            prop_assert_eq!(doc.id, *id);
            prop_assert_eq!(&doc.parse, parse);
            let summary = FileSummary::new(parse, &doc.text, ws.interner());
            prop_assert_eq!(&ws.file(doc.id).unwrap().summary, &summary, "summary of {}", doc.path);
            let expected = file_diagnostics(&new_ws, *id, parse, CheckOptions { fixes: doc.fixes, ..opts });
            prop_assert_eq!(format!("{:#?}", doc.diags), format!("{expected:#?}"), "diagnostics of {}", doc.path);
            // Asked the other way now: what the last computation kept must
            // not stand for a computation that wants the other.
            let other = CheckOptions { fixes: !doc.fixes, ..opts };
            doc.check(&ws, other);
            let expected = file_diagnostics(&new_ws, *id, parse, other);
            prop_assert_eq!(format!("{:#?}", doc.diags), format!("{expected:#?}"), "diagnostics of {}", doc.path);
            let ctx = |ws| FileContext { ws, file: *id, parse, text: &doc.text, texts: ws, index_complete: true };
            for offset in cursor_offsets(&new_ws, *id) {
                // Ids are interned per workspace: compared as places.
                let places = |ws| -> Vec<_> {
                    references(ctx(ws), offset, true).into_iter().map(|o| (o.file, o.range, o.at)).collect()
                };
                prop_assert_eq!(places(&ws), places(&new_ws));
                prop_assert_eq!(hover(ctx(&ws), offset), hover(ctx(&new_ws), offset));
            }
        }
        Ok(())
    }
}
