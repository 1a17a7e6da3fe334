//! Property tests across layers: position conversions, rename and code
//! actions on generated workspaces. (That adding or removing a tag leaves
//! the plain text unchanged is `tag_markup_leaves_plain_text_unchanged` in
//! tests/syntax_properties.rs.)

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use newsmark::analysis::diagnostics::{CheckOptions, file_diagnostics};
use newsmark::analysis::{Code, FileId, LoadedFile, Workspace};
use newsmark::config::Config;
use newsmark::ide::{self, FileContext, SourceChange};
use newsmark::syntax::{self, Parse};
use newsmark::text::{LineCol, LineIndex, PositionEncoding};
use proptest::prelude::*;

const ENCODINGS: [PositionEncoding; 3] = [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];

/// Text made of what line indexes trip on: every line end, multi-byte and
/// astral characters, a BOM (sometimes leading).
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec!["a", "xyz", " ", "\n", "\r\n", "\r", "é", "中", "😀", "\u{2028}", "\t"]);
    (prop::bool::ANY, prop::collection::vec(piece, 0..40))
        .prop_map(|(bom, pieces)| format!("{}{}", if bom { "\u{feff}" } else { "" }, pieces.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// offset → line/col → offset is the identity at every char boundary
    /// (except inside the BOM and between the `\r` and `\n` of a CRLF, which
    /// no position names), in all three encodings.
    #[test]
    fn positions_round_trip(text in tricky_text()) {
        let index = LineIndex::new(&text);
        let first = if text.starts_with('\u{feff}') { 3 } else { 0 };
        for offset in (first..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            if offset > 0 && text.as_bytes()[offset - 1] == b'\r' && text.as_bytes().get(offset) == Some(&b'\n') {
                continue;
            }
            for enc in ENCODINGS {
                let lc = index.line_col(&text, offset as u32, enc);
                prop_assert_eq!(index.offset(&text, lc, enc), offset as u32, "{:?} {} {:?} {:?}", text, offset, lc, enc);
            }
        }
    }

    /// A column counts the characters of its line that start before the
    /// offset, in the units of the encoding (an offset inside a character
    /// counts it).
    #[test]
    fn columns_count_the_line_before_the_offset(text in tricky_text()) {
        let index = LineIndex::new(&text);
        for offset in 0..=text.len() as u32 {
            for enc in ENCODINGS {
                let lc = index.line_col(&text, offset, enc);
                let line = index.line_range(lc.line);
                let end = offset.clamp(line.start, line.end);
                let expected: u32 = line
                    .slice(&text)
                    .char_indices()
                    .take_while(|(i, _)| line.start + (*i as u32) < end)
                    .map(|(_, c)| match enc {
                        PositionEncoding::Utf8 => c.len_utf8() as u32,
                        PositionEncoding::Utf16 => c.len_utf16() as u32,
                        PositionEncoding::Utf32 => 1,
                    })
                    .sum();
                let expected = if enc == PositionEncoding::Utf8 { end - line.start } else { expected };
                prop_assert_eq!(lc.col, expected, "{:?} at {} in {:?}", text, offset, enc);
            }
        }
    }

    /// Counting on from an earlier offset gives the line and column
    /// counted from the line's start.
    #[test]
    fn columns_counted_on_from_an_earlier_offset_agree(text in tricky_text(), step in 1usize..6) {
        let index = LineIndex::new(&text);
        let len = text.len() as u32;
        for enc in ENCODINGS {
            for at in (0..=len + 1).step_by(step) {
                let known = (at, index.line_col(&text, at, enc));
                for offset in (0..=len + 1).step_by(step) {
                    let counted_on = index.line_col_from(&text, known, offset, enc);
                    prop_assert_eq!(counted_on, index.line_col(&text, offset, enc), "{:?} from {} to {} in {:?}", text, at, offset, enc);
                }
            }
        }
    }

    /// Positions past the end clamp: a column past a line's end to the
    /// line's end, a line past the last to the end of the text, an offset
    /// past the end to the end's line/col.
    #[test]
    fn positions_past_the_end_clamp(text in tricky_text(), extra in 0u32..1000) {
        let index = LineIndex::new(&text);
        let len = text.len() as u32;
        for enc in ENCODINGS {
            for line in 0..index.line_count() {
                let end = index.line_range(line).end;
                let far = LineCol { line, col: u32::MAX - extra };
                prop_assert_eq!(index.offset(&text, far, enc), end);
            }
            let below = LineCol { line: index.line_count() + extra, col: extra };
            prop_assert_eq!(index.offset(&text, below, enc), len);
            prop_assert_eq!(index.line_col(&text, len + 1 + extra, enc), index.line_col(&text, len, enc));
        }
    }
}

// ------------------------------------------------------------ workspaces

/// A workspace of `(path, text)` files, with every file's parse.
struct Ws {
    ws: Workspace,
    files: Vec<(FileId, String, Parse)>,
}

impl Ws {
    fn new(files: &[(String, String)]) -> Ws {
        let mut ws = Workspace::new(PathBuf::from("/ws"), Arc::new(Config::default()));
        let files = files
            .iter()
            .map(|(path, text)| {
                let parse = syntax::parse(text);
                let loaded = LoadedFile {
                    path: PathBuf::from(format!("/ws/{path}")),
                    display_path: path.clone(),
                    content: Ok(text.clone()),
                };
                (ws.set_file(loaded, Some(&parse)), path.clone(), parse)
            })
            .collect();
        Ws { ws, files }
    }

    fn text(&self, file: FileId) -> &str {
        self.ws.file(file).map_or("", |f| &f.text)
    }

    fn ctx(&self, i: usize) -> FileContext<'_> {
        let (file, _, parse) = &self.files[i];
        FileContext { ws: &self.ws, file: *file, parse, text: self.text(*file), texts: &self.ws, index_complete: true }
    }

    /// Every file's text with `change` applied.
    fn apply(&self, change: &SourceChange) -> Vec<(String, String)> {
        self.files.iter().map(|(id, path, _)| (path.clone(), change.apply(*id, self.text(*id)))).collect()
    }

    /// Diagnostics as a multiset of (file, code, text under the range).
    fn diagnostics(&self) -> BTreeMap<(String, Code, String), usize> {
        let mut out = BTreeMap::new();
        for (id, path, parse) in &self.files {
            for d in file_diagnostics(&self.ws, *id, parse, CheckOptions::default()) {
                *out.entry((path.clone(), d.code, d.range.slice(self.text(*id)).to_string())).or_default() += 1;
            }
        }
        out
    }
}

/// The entities a generated registry can hold: id, display name, an aka.
const ENTITIES: [(&str, &str, &str); 4] = [
    ("alice-ames", "Alice Ames", "Ames"),
    ("bob-birch", "Bob Birch", "Birch"),
    ("carol-chu", "Carol Chu", "Chu"),
    ("dan-dorn", "Dan Dorn", "Dorn"),
];

/// A registry with the `count` first entities (the second one with a
/// misspelt kind when `bad_kind`), an org `part-of` the first, and a source
/// `by` the first.
fn registry(count: usize, bad_kind: bool) -> String {
    let mut out = String::from("<!-- registry -->\n\n");
    for (i, (id, name, aka)) in ENTITIES.iter().take(count).enumerate() {
        let kind = if bad_kind && i == 1 { "persn" } else { "person" };
        out.push_str(&format!("@{id}: {kind} \"{name}\"\n  aka: {aka}\n\n"));
    }
    out.push_str("@acme-corp: org \"Acme Corp\"\n  part-of: @alice-ames\n\n");
    out.push_str("^ames-remarks: remarks \"Remarks\"\n  by: @alice-ames\n  date: 2020-01-02\n");
    out
}

/// Pieces of prose, each at most once in an article. `E` is replaced by an
/// entity index chosen by the generator.
const PIECES: &[&str] = &[
    "[NAME]{@ID} said",
    "[AKA]{@ID} spoke",
    "according to [the statement]{^ames-remarks}",
    "[Acme Corp]{@acme-corp} wrote",
    "the report by NAME",
    "[Zed Zulu]{@zed-zulu} replied",
    "[Quinn]{^quinn-notes} noted",
    "[the boss]{@ID} left",
    "a misspelt [NAME]{@IDX}",
    "[Acme Corp]{@acme-crop} again",
];

fn article() -> impl Strategy<Value = String> {
    let piece = (0..PIECES.len(), 0usize..2);
    (prop::collection::vec(piece, 1..7), prop::bool::ANY).prop_map(|(pieces, crlf)| {
        let mut seen = Vec::new();
        let mut sentences = Vec::new();
        for (p, e) in pieces {
            if seen.contains(&p) {
                continue;
            }
            seen.push(p);
            let (id, name, aka) = ENTITIES[e];
            let idx = format!("{id}x");
            let s = PIECES[p].replace("NAME", name).replace("AKA", aka).replace("IDX", &idx).replace("ID", id);
            sentences.push(s);
        }
        let nl = if crlf { "\r\n" } else { "\n" };
        format!("---{nl}title: Generated{nl}---{nl}{nl}Today {}.{nl}", sentences.join(&format!(",{nl}")))
    })
}

fn workspace() -> impl Strategy<Value = Vec<(String, String)>> {
    (2usize..=4, prop::bool::ANY, prop::collection::vec(article(), 1..3)).prop_map(|(count, bad_kind, articles)| {
        let mut files = vec![("registry/people.nmk".to_string(), registry(count, bad_kind))];
        for (i, a) in articles.into_iter().enumerate() {
            files.push((format!("articles/a{i}.nmk"), a));
        }
        files
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Renaming an id from its definition changes exactly the occurrences
    /// of that id in every file and adds no diagnostic.
    #[test]
    fn rename_changes_exactly_the_renamed_id(files in workspace(), pick in 0usize..3) {
        let before = Ws::new(&files);
        let registry = &files[0].1;
        let (sigil, old) = [('@', "alice-ames"), ('@', "bob-birch"), ('^', "ames-remarks")][pick];
        let needle = format!("\n{sigil}{old}:");
        let offset = registry.find(&needle).unwrap() as u32 + 2;
        let change = ide::rename(before.ctx(0), offset, "renamed-id").unwrap();
        let after_files = before.apply(&change);

        for ((path, old_text), (_, new_text)) in files.iter().zip(&after_files) {
            // The expected text, computed without the index: every
            // `sigil + old` token replaced (no generated id extends another
            // except the misspelt `IDx`, which is kept).
            let mut expected = String::new();
            let mut rest = old_text.as_str();
            let token = format!("{sigil}{old}");
            while let Some(at) = rest.find(&token) {
                let after = &rest[at + token.len()..];
                let whole = !after.starts_with(|c: char| c.is_alphanumeric() || c == '-');
                expected.push_str(&rest[..at]);
                if whole {
                    expected.push(sigil);
                    expected.push_str("renamed-id");
                } else {
                    expected.push_str(&token);
                }
                rest = after;
            }
            expected.push_str(rest);
            prop_assert_eq!(new_text, &expected, "{}", path);
        }

        let after = Ws::new(&after_files);
        let (diags_before, diags_after) = (before.diagnostics(), after.diagnostics());
        let by_code = |m: &BTreeMap<(String, Code, String), usize>| {
            let mut out: BTreeMap<(String, Code), usize> = BTreeMap::new();
            for ((path, code, _), n) in m {
                *out.entry((path.clone(), *code)).or_default() += n;
            }
            out
        };
        prop_assert_eq!(by_code(&diags_before), by_code(&diags_after));
    }

    /// Each quick fix, applied, removes the diagnostic it is for and leaves
    /// every other diagnostic as it was. Allowed side effects: a suppression
    /// silences its code elsewhere on the line or in the file, a created
    /// definition or alias also fixes the same diagnostic in other files, a
    /// created source has no `by` yet (`missing-attribution`), and a
    /// reference redirected to an existing definition makes it used.
    #[test]
    fn code_actions_fix_their_diagnostic_and_nothing_else(files in workspace()) {
        let before = Ws::new(&files);
        let diags_before = before.diagnostics();
        for i in 0..before.files.len() {
            let ctx = before.ctx(i);
            let diagnostics = file_diagnostics(&before.ws, ctx.file, ctx.parse, CheckOptions::default());
            for (k, d) in diagnostics.iter().enumerate() {
                for action in ide::code_actions(ctx, d.range, &diagnostics) {
                    if action.diagnostic != Some(k) {
                        continue;
                    }
                    let after = Ws::new(&before.apply(&action.change));
                    let mut expected = diags_before.clone();
                    let slice = d.range.slice(ctx.text).to_string();
                    let key = (before.files[i].1.clone(), d.code, slice.clone());
                    match expected.get_mut(&key) {
                        Some(1) => { expected.remove(&key); }
                        Some(n) => *n -= 1,
                        None => prop_assert!(false, "{:?} not in {:?}", key, expected),
                    }
                    // A created definition or a new alias is seen by every
                    // file: the same diagnostic elsewhere goes too.
                    if action.title.starts_with("Create") || action.title.starts_with("Add") {
                        expected.retain(|(_, code, s), _| !(*code == d.code && *s == slice));
                    }
                    let mut got = after.diagnostics();
                    let creates_source = action.title.starts_with("Create `^");
                    got.retain(|(_, code, _), _| !(creates_source && *code == Code::MissingAttribution));
                    if action.title.starts_with("Change to") {
                        expected.retain(|(_, code, _), _| *code != Code::UnusedDefinition);
                        got.retain(|(_, code, _), _| *code != Code::UnusedDefinition);
                    }
                    // A suppression silences its code on a line or in the
                    // whole file: this diagnostic goes, others of the same
                    // code in that file may go too, nothing else changes.
                    if action.title.starts_with("Suppress") {
                        prop_assert!(got.get(&key).copied().unwrap_or(0) < diags_before[&key], "not silenced: {:?}", key);
                        let same = |(f, code, _): &(String, Code, String)| *f == key.0 && *code == d.code;
                        expected.retain(|k, _| !same(k));
                        got.retain(|k, _| !same(k));
                    }
                    prop_assert_eq!(
                        &got, &expected,
                        "after “{}” for {:?} at {:?}", action.title, d.code, d.range
                    );
                }
            }
        }
    }
}

/// The generated workspaces do hold every code the quick-fix property is
/// about (so that it does not pass vacuously).
#[test]
fn generated_workspaces_reach_every_fixable_code() {
    let mut files = vec![("registry/people.nmk".to_string(), registry(4, true))];
    let all: String = PIECES
        .iter()
        .map(|p| {
            p.replace("NAME", "Bob Birch")
                .replace("IDX", "bob-birchx")
                .replace("AKA", "Birch")
                .replace("ID", "bob-birch")
        })
        .collect::<Vec<_>>()
        .join(",\n");
    // And a suppression with nothing to suppress, whose fix removes it.
    let unused = "<!-- newsmark-disable-next-line unknown-kind -->\nNothing to suppress.\n";
    files.push(("articles/a0.nmk".to_string(), format!("Today {all}.\n\n{unused}")));
    let ws = Ws::new(&files);
    let codes: Vec<Code> = ws.diagnostics().keys().map(|(_, code, _)| *code).collect();
    for code in [
        Code::UndefinedReference,
        Code::UnknownAlias,
        Code::UntaggedMention,
        Code::UnknownKind,
        Code::UnusedSuppression,
    ] {
        assert!(codes.contains(&code), "{code:?} not in {codes:?}");
    }

    // Without fixes (the server's published diagnostics), the same
    // diagnostics, none with a fix.
    let mut fixed = 0;
    for (id, _, parse) in &ws.files {
        let with = file_diagnostics(&ws.ws, *id, parse, CheckOptions::default());
        let without = file_diagnostics(&ws.ws, *id, parse, CheckOptions { fixes: false, ..CheckOptions::default() });
        assert!(without.iter().all(|d| d.fix.is_none()), "{without:?}");
        let unfixed: Vec<_> = with.iter().cloned().map(|d| newsmark::analysis::Diagnostic { fix: None, ..d }).collect();
        assert_eq!(without, unfixed);
        fixed += with.iter().filter(|d| d.fix.is_some()).count();
    }
    assert!(fixed > 0);
}

/// Pieces an edit inserts: paragraph breaks, comment and tag delimiters,
/// quotation marks, registered names and aliases, plain letters.
fn edit_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "\n\n",
        "\n",
        "<!--",
        "-->",
        "[",
        "]",
        "]{@barack-obama}",
        "{^",
        "“",
        "”",
        "\"",
        "Barack Obama",
        "Mr. Xi",
        "Trump",
        "\\",
        "x",
        " ",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The server's paragraph cache of prose diagnostics gives, edit after
    /// edit, exactly what a whole check gives, also when a registry changes.
    #[test]
    fn cached_prose_diagnostics_match_a_whole_check(
        edits in prop::collection::vec((0usize..5000, 0usize..8, edit_piece(), 0usize..12), 1..24),
    ) {
        use newsmark::analysis::diagnostics::{DiagnosticsCache, file_diagnostics_cached};
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/newsroom");
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
        let people = read("registry/people.nmk");
        let mut text = read("articles/2015-11-dhs-beijing-cyber.nmk");
        let mut ws = Workspace::new(PathBuf::from("/ws"), Arc::new(Config::default()));
        let set_people = |ws: &mut Workspace, people: &str| {
            let parse = syntax::parse(people);
            ws.set_parsed_file(PathBuf::from("/ws/people.nmk"), "people.nmk".into(), Arc::from(people), &parse);
        };
        set_people(&mut ws, &people);
        let mut cache = DiagnosticsCache::default();
        for (at, delete, piece, registry_edit) in edits {
            let mut start = at.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + delete).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, piece);
            if registry_edit == 0 {
                // A new alias of an entity the article names.
                set_people(&mut ws, &people.replace("aka: Obama;", "aka: Obama; Barack;"));
            } else if registry_edit == 1 {
                set_people(&mut ws, &people);
            }
            let parse = syntax::parse(&text);
            let file = ws.set_parsed_file(PathBuf::from("/ws/a.nmk"), "a.nmk".into(), Arc::from(text.as_str()), &parse);
            let whole = file_diagnostics(&ws, file, &parse, CheckOptions::default());
            let cached = file_diagnostics_cached(&ws, file, &parse, CheckOptions::default(), &mut cache);
            prop_assert_eq!(format!("{cached:?}"), format!("{whole:?}"));
        }
    }
}
