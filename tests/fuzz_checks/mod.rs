//! The checks behind the fuzz targets of `fuzz/`, shared with the regression
//! tests of `tests/fuzz_regressions.rs`: each takes the raw input bytes of
//! its target and panics when an invariant breaks.
//!
//! The fuzz targets include this file with `#[path]`, so it must only use
//! `newsmark` and its dependencies (no dev-dependencies).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use newsmark::analysis::diagnostics::{CheckOptions, file_diagnostics};
use newsmark::analysis::{FileId, LoadedFile, Workspace};
use newsmark::config::Config;
use newsmark::ide::{self, FileContext, SourceChange};
use newsmark::lsp::EditableText;
use newsmark::syntax::{self, Parse, PlainText};
use newsmark::text::{LineCol, LineIndex, PositionEncoding, TextRange};

/// Asserts that `range` is ordered, within `text` and on char boundaries.
#[track_caller]
fn in_text(text: &str, range: TextRange, what: &str) {
    assert!(
        range.start <= range.end && text.get(range.as_usize()).is_some(),
        "{what} {range:?} is not a range of chars of a text of {} bytes",
        text.len()
    );
}

// ---------------------------------------------------------------- parse

/// `parse`: any bytes, read as lossy UTF-8, parse and give a plain text
/// consistent with the parse.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parse = syntax::parse(&text);
    let plain = syntax::plain_text(&text, &parse);
    check_parse(&text, &parse);
    check_plain(&text, &parse, &plain);
    // Deterministic: the same text gives the same tree.
    assert!(syntax::parse(&text) == parse, "parse is not deterministic");
}

pub fn check_parse(text: &str, parse: &Parse) {
    let doc = &parse.doc;
    assert_eq!(doc.bom, text.starts_with('\u{feff}'));
    for error in &parse.errors {
        in_text(text, error.range, "syntax error");
        assert!(!error.message.is_empty());
    }
    if let Some(fm) = &doc.front_matter {
        in_text(text, fm.range, "front matter");
        in_text(text, fm.open, "front matter fence");
        assert!(fm.range.contains_range(fm.open));
        for a in &fm.attributes {
            check_attribute(text, a);
            assert!(fm.range.contains_range(a.range), "front matter attribute outside the front matter");
        }
    }
    let mut last = 0;
    for p in &doc.paragraphs {
        in_text(text, p.range, "paragraph");
        assert!(p.range.start >= last, "paragraphs overlap or are out of order");
        last = p.range.end;
    }
    doc.comments.iter().for_each(|&c| in_text(text, c, "comment"));
    doc.transparent_lines.iter().for_each(|&c| in_text(text, c, "transparent line"));
    for &at in &doc.escapes {
        assert_eq!(text.as_bytes().get(at as usize), Some(&b'\\'), "escape at {at} is not a backslash");
    }
    for (index, tag) in doc.tags.iter().enumerate() {
        in_text(text, tag.range, "tag");
        in_text(text, tag.text_range, "tag text");
        in_text(text, tag.refs_range, "tag refs");
        assert!(tag.range.contains_range(tag.text_range) && tag.range.contains_range(tag.refs_range));
        assert_eq!(tag.range.end, tag.refs_range.end);
        assert!(tag.text_range.end < tag.refs_range.start, "text and refs of a tag overlap");
        assert!(!tag.refs.is_empty(), "a well-formed tag has a reference");
        for r in &tag.refs {
            in_text(text, r.range, "reference");
            assert!(tag.refs_range.contains_range(r.range));
            let written = without_comments(text, r.range, &doc.comments);
            assert_eq!(written, format!("{}{}", r.sigil.char(), r.id), "reference text");
        }
        assert!(
            doc.paragraphs.iter().any(|p| p.range.contains_range(tag.range)),
            "tag {:?} outside every paragraph",
            tag.range
        );
        if let Some(parent) = tag.parent {
            assert!((parent as usize) < index, "parent after child");
            assert!(doc.tags[parent as usize].text_range.contains_range(tag.range), "child outside its parent");
        }
        if index > 0 {
            assert!(doc.tags[index - 1].range.start < tag.range.start, "tags not sorted");
        }
    }
    for d in &doc.definitions {
        for (range, what) in [
            (d.id_range, "definition id"),
            (d.kind_range, "definition kind"),
            (d.header_range, "definition header"),
            (d.range, "definition"),
        ] {
            in_text(text, range, what);
        }
        if let Some(r) = d.name_range {
            in_text(text, r, "definition name");
        }
        let written = without_comments(text, d.id_range, &doc.comments);
        assert_eq!(written, format!("{}{}", d.sigil.char(), d.id), "definition id text");
        assert!(d.range.contains_range(d.header_range));
        for a in &d.attributes {
            check_attribute(text, a);
            assert!(d.range.contains_range(a.range), "attribute outside its definition");
        }
    }
}

/// The text of `range` with the comments inside it removed: comments go
/// first, so `@a<!-- c -->b` is the id `ab` (rename refuses to edit it).
fn without_comments(text: &str, range: TextRange, comments: &[TextRange]) -> String {
    let mut out = String::new();
    let mut at = range.start;
    for c in comments.iter().filter(|c| range.contains_range(**c)) {
        out.push_str(TextRange::new(at, c.start.max(at)).slice(text));
        at = at.max(c.end);
    }
    out.push_str(TextRange::new(at, range.end.max(at)).slice(text));
    out
}

fn check_attribute(text: &str, a: &syntax::Attribute) {
    in_text(text, a.range, "attribute");
    in_text(text, a.key_range, "attribute key");
    in_text(text, a.value_range, "attribute value");
    assert!(a.range.contains_range(a.key_range) && a.range.contains_range(a.value_range));
    for item in &a.items {
        in_text(text, item.range, "value item");
        assert!(a.value_range.contains_range(item.range), "value item outside its value");
        assert!(!item.text.is_empty(), "empty value item");
    }
}

pub fn check_plain(text: &str, parse: &Parse, plain: &PlainText) {
    let doc = &parse.doc;
    let out = &plain.text;
    assert_eq!(plain.tags.len(), doc.tags.len());
    assert_eq!(plain.paragraphs.len(), doc.paragraphs.len());
    assert_eq!(out.ends_with('\n'), !doc.paragraphs.is_empty(), "plain text ends with \\n iff there is prose");
    assert!(!out.contains('\r'), "a \\r in the plain text");
    // Segments: sorted, disjoint, verbatim copies.
    let (mut plain_end, mut source_end) = (0, 0);
    for s in &plain.segments {
        assert!(s.len > 0, "empty segment");
        assert!(s.plain >= plain_end && s.source >= source_end, "segments out of order or overlapping");
        (plain_end, source_end) = (s.plain + s.len, s.source + s.len);
        let p = out.get(s.plain as usize..plain_end as usize).expect("segment within the plain text");
        let t = text.get(s.source as usize..source_end as usize).expect("segment within the source");
        assert_eq!(p, t, "segment not verbatim");
    }
    for r in &plain.paragraphs {
        in_text(out, *r, "plain paragraph");
    }
    for (index, (span, tag)) in plain.tags.iter().zip(&doc.tags).enumerate() {
        let range = TextRange::new(span.byte_start, span.byte_end);
        in_text(out, range, "plain tag span");
        let inner = range.slice(out);
        assert_eq!(inner.chars().count() as u32, span.end - span.start, "span char length");
        assert_eq!(out[..span.byte_start as usize].chars().count() as u32, span.start, "span char start");
        if let Some(parent) = tag.parent {
            let p = plain.tags[parent as usize];
            assert!(p.byte_start <= span.byte_start && span.byte_end <= p.byte_end, "child span outside parent");
        }
        // A tag whose text holds no markup keeps it verbatim.
        let source = tag.text_range.slice(text);
        let has_child = doc.tags.get(index + 1).is_some_and(|next| tag.text_range.contains_range(next.range));
        if !has_child && !source.contains(['\\', '<', '\r']) {
            assert_eq!(inner, source, "tag text changed in the plain text");
        }
    }
    // Mapping back: every plain range maps to a range of chars of the source.
    let mut boundaries: Vec<u32> = (0..=out.len() as u32).filter(|&i| out.is_char_boundary(i as usize)).collect();
    if boundaries.len() > 200 {
        let step = boundaries.len() / 100;
        boundaries = boundaries.into_iter().step_by(step).collect();
    }
    for w in boundaries.windows(2) {
        in_text(text, plain.source_range(TextRange::new(w[0], w[1])), "source range of a plain range");
        in_text(text, TextRange::empty(plain.source_offset(w[0])), "source offset");
    }
}

// ---------------------------------------------------------------- config

/// `config`: any text as `newsmark.toml`; an error points into the text.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match newsmark::config::parse(&text) {
        Ok(config) => {
            // Accepted globs build a matcher (`exclude_matcher` only fails
            // for a config built by hand).
            assert!(config.exclude_matcher(std::path::Path::new("/ws")).is_ok(), "accepted exclude globs fail");
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            if let Some(range) = e.range {
                in_text(&text, range, "config error");
            }
        }
    }
}

// ---------------------------------------------------------------- analysis

/// The registry every `analysis` input is checked against.
pub const REGISTRY: &str = "\
<!-- the fixed registry of the analysis fuzz target -->
@xi-jinping: person \"Xi Jinping\"
  aka: Mr. Xi; President Xi; 习近平
  role: President of the People's Republic of China
  wikidata: Q15031

@china: place \"China\"
  aka: PRC

@beijing: place \"Beijing\"
  part-of: @china

@white-house: org \"White House\"

^xi-remarks: remarks \"Remarks after meeting President Obama\"
  by: @xi-jinping
  date: 2015-09-25

^leak: anonymous \"Unnamed officials\"
";

/// `analysis`: any text as an article next to [`REGISTRY`]: diagnostics and
/// the ide features at char boundaries never panic and return ranges
/// within the files they name.
pub fn analysis(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut ws = Workspace::new(PathBuf::from("/ws"), Arc::new(Config::default()));
    let registry_parse = syntax::parse(REGISTRY);
    let load = |path: &str, text: &str| LoadedFile {
        path: PathBuf::from(format!("/ws/{path}")),
        display_path: path.to_string(),
        content: Ok(text.to_string()),
    };
    let registry = ws.set_file(load("registry/people.nmk", REGISTRY), Some(&registry_parse));
    let parse = syntax::parse(&text);
    let article = ws.set_file(load("articles/a.nmk", &text), Some(&parse));
    let text_of =
        |ws: &Workspace, file: FileId| -> String { ws.file(file).map(|f| f.text.to_string()).unwrap_or_default() };
    let check_file_range = |ws: &Workspace, r: ide::FileRange, what: &str| {
        assert!(r.file == article || r.file == registry, "{what} in an unknown file");
        in_text(&text_of(ws, r.file), r.range, what);
    };
    let check_change = |ws: &Workspace, change: &SourceChange, what: &str| {
        for (file, edits) in &change.edits {
            let file_text = text_of(ws, *file);
            let mut end = 0;
            for e in edits {
                in_text(&file_text, e.range, what);
                assert!(e.range.start >= end, "{what}: edits overlap or are unsorted");
                end = e.range.end;
            }
        }
    };

    for opts in [CheckOptions::default(), CheckOptions { index_complete: false, ..CheckOptions::default() }] {
        for (file, file_parse) in [(article, &parse), (registry, &registry_parse)] {
            let file_text = text_of(&ws, file);
            for d in file_diagnostics(&ws, file, file_parse, opts) {
                assert_eq!(d.file, file);
                in_text(&file_text, d.range, "diagnostic");
                for r in &d.related {
                    check_file_range(&ws, ide::FileRange { file: r.file, range: r.range }, "related information");
                }
            }
        }
    }

    let ctx = FileContext { ws: &ws, file: article, parse: &parse, text: &text, texts: &ws, index_complete: true };
    let diagnostics = file_diagnostics(&ws, article, &parse, CheckOptions::default());
    for d in &diagnostics {
        for action in ide::code_actions(ctx, d.range, &diagnostics) {
            check_change(&ws, &action.change, "code action edit");
            assert!(action.diagnostic.is_none_or(|k| k < diagnostics.len()), "code action for no diagnostic");
        }
    }
    for t in ide::semantic_tokens(ctx, None) {
        in_text(&text, t.range, "semantic token");
    }
    for f in ide::folding_ranges(ctx) {
        in_text(&text, f.range, "fold");
    }
    let mut symbols = ide::document_symbols(ctx);
    while let Some(s) = symbols.pop() {
        in_text(&text, s.range, "symbol");
        in_text(&text, s.selection_range, "symbol selection");
        symbols.extend(s.children);
    }

    // Cursor features at char boundaries (what the server's conversion
    // gives): every one for short texts, a sample for long ones.
    let boundaries: Vec<u32> = (0..=text.len() as u32).filter(|&i| text.is_char_boundary(i as usize)).collect();
    let step = (boundaries.len() / 32).max(1);
    for &offset in boundaries.iter().step_by(step).chain(boundaries.last()) {
        if let Some(h) = ide::hover(ctx, offset) {
            in_text(&text, h.range, "hover");
        }
        if let Some(list) = ide::completion(ctx, offset) {
            for item in list.items {
                in_text(&text, item.edit.range, "completion edit");
            }
        }
        for t in ide::semantic_tokens(ctx, Some(TextRange::new(offset, text.len() as u32))) {
            in_text(&text, t.range, "semantic token in a range");
        }
        if let Some(r) = ide::goto_definition(ctx, offset) {
            check_file_range(&ws, r, "definition");
        }
        for r in ide::references(ctx, offset, true) {
            check_file_range(&ws, ide::FileRange { file: r.file, range: r.range }, "reference");
        }
        for h in ide::document_highlight(ctx, offset) {
            in_text(&text, h.range, "highlight");
        }
        if let Ok((range, _)) = ide::prepare_rename(ctx, offset) {
            in_text(&text, range, "prepare rename");
        }
        if let Ok(change) = ide::rename(ctx, offset, "renamed-id") {
            check_change(&ws, &change, "rename edit");
        }
        let at = TextRange::empty(offset);
        for action in ide::code_actions(ctx, at, &diagnostics) {
            check_change(&ws, &action.change, "code action edit at a cursor");
        }
    }
}

// ---------------------------------------------------------------- incremental

/// Reads an input as a sequence of small decisions; zeros when exhausted.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A piece of text: mostly from a table of troublemakers, else raw
    /// bytes read as lossy UTF-8.
    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "\n",
            "\r\n",
            "\r",
            "😀",
            "é",
            "a",
            "x y",
            "[",
            "]",
            "]{@xi}",
            "{^q}",
            "\\",
            "<!--",
            "-->",
            "---\n",
            "@a: person \"A\"\n",
            "  aka: A\n",
            "\u{feff}",
            "\u{2028}",
            "\t",
            "中",
            "\u{85}",
            "\"",
        ];
        let count = self.byte() % 6;
        let mut out = String::new();
        for _ in 0..count {
            let b = self.byte();
            match PIECES.get(b as usize % 32) {
                Some(piece) => out.push_str(piece),
                None => {
                    let n = (self.byte() % 8) as usize;
                    let raw: Vec<u8> = (0..n).map(|_| self.byte()).collect();
                    out.push_str(&String::from_utf8_lossy(&raw));
                }
            }
        }
        out
    }

    /// A position near the text: mostly within a line or two of the end,
    /// sometimes far past it.
    fn position(&mut self, lines: u32) -> LineCol {
        let (l, c) = (self.byte(), self.byte());
        let line = if l == 255 { u32::MAX } else { u32::from(l) % (lines + 2) };
        let character = match c {
            255 => u32::MAX,
            240..=254 => u32::from(c) * 97,
            _ => u32::from(c) % 24,
        };
        LineCol { line, col: character }
    }
}

/// `incremental`: a document edited by a sequence of `didChange` changes
/// the way the server applies them (rope, positions in the negotiated
/// encoding) holds the same text as a plain string edited through the line
/// index the server uses for every other position.
pub fn incremental(data: &[u8]) {
    let mut input = Reader(data);
    let enc = match input.byte() % 3 {
        0 => PositionEncoding::Utf16,
        1 => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf32,
    };
    let mut model = input.text();
    let mut doc = EditableText::new(&model);
    let mut edits = 0;
    while !input.is_empty() && edits < 64 {
        edits += 1;
        let kind = input.byte();
        let lines = LineIndex::new(&model).line_count();
        let range = if kind % 16 == 0 { None } else { Some((input.position(lines), input.position(lines))) };
        let new_text = input.text();

        // The model: convert with the line index, as the server converts
        // every other position of the same text.
        match range {
            None => model = new_text.clone(),
            Some((start, end)) => {
                let index = LineIndex::new(&model);
                let (a, b) = (index.offset(&model, start, enc), index.offset(&model, end, enc));
                let (start, end) = (a.min(b) as usize, a.max(b) as usize);
                model.replace_range(start..end, &new_text);
            }
        }

        // The server (`Document::apply`): the rope, and the text of the
        // version spliced from the last one and the rope.
        let before = doc.contents();
        let edit = doc.replace(range, &new_text, enc);
        let text = doc.contents();
        assert_eq!(text, model, "rope and model differ after {range:?} {new_text:?} ({enc:?})");
        if let Some(edit) = edit {
            assert_eq!(&*doc.spliced(&before, edit), model, "spliced text after {range:?} {new_text:?}");
        }
        assert_eq!(doc.len_chars(), model.chars().count());
        assert_eq!(doc.len_lines() as u32, LineIndex::new(&model).line_count(), "line count of the rope");
    }
    // The final text parses like any text.
    let parse = syntax::parse(&model);
    check_parse(&model, &parse);
    check_plain(&model, &parse, &syntax::plain_text(&model, &parse));
}
