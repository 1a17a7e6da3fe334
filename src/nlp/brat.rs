//! `export --format brat`: brat standoff. Per article a `.txt` (the plain
//! text) and a `.ann`; per collection an `annotation.conf` and a
//! `tools.conf` (the normalization DBs), so that brat's server accepts it.
//!
//! Per tag and reference, in the order start ascending, end descending,
//! entities before sources (so that nested tags of equal extent come out
//! the same however they were nested):
//! * entity: `T` (type = the entity kind) and one `N` line
//!   `Reference Tn Wikidata:Q…` when the entity has a `wikidata` key, else
//!   `Reference Tn Newsmark:ID`; its text is the display name (the id when
//!   there is none);
//! * source: `T` of type `Attribution`, `A` lines `Source Tn ID` and
//!   `SourceKind Tn KIND`, and a `#` `AnnotatorNotes` line with the source's
//!   display name when it has one.
//!
//! A span that covers line breaks is written as discontinuous fragments
//! `start end;start end`, one per line, the `\n`s left out (brat refuses a
//! text-bound annotation over a newline); the text field joins the fragments
//! with a space, as brat does. An empty tag gives an empty span `s s`.

use std::fmt::Write as _;

use super::document::{ExportDoc, TagSpan};
use crate::analysis::schema::{ENTITY_KINDS, SOURCE_KINDS};

/// The `T` type of source attributions.
pub const ATTRIBUTION: &str = "Attribution";
/// The normalization DB of entities without a Wikidata id.
pub const NEWSMARK_DB: &str = "Newsmark";
pub const WIKIDATA_DB: &str = "Wikidata";

/// The `.ann` of one document.
pub fn render_ann(doc: &ExportDoc) -> String {
    // (span, reference index, is source), in output order.
    let mut items: Vec<(&TagSpan, usize, bool)> = Vec::new();
    for span in &doc.spans {
        items.extend((0..span.entities.len()).map(|i| (span, i, false)));
        items.extend((0..span.sources.len()).map(|i| (span, i, true)));
    }
    items.sort_by_key(|(span, _, is_source)| (span.start, std::cmp::Reverse(span.end), *is_source));
    let mut out = String::new();
    let (mut t, mut n, mut a, mut notes) = (0, 0, 0, 0);
    for (span, index, is_source) in items {
        t += 1;
        let (fragments, text) = fragments(doc, span);
        if is_source {
            let Some(source) = span.sources.get(index) else { continue };
            let _ = writeln!(out, "T{t}\t{ATTRIBUTION} {fragments}\t{text}");
            a += 1;
            let _ = writeln!(out, "A{a}\tSource T{t} {}", source.id);
            a += 1;
            let _ = writeln!(out, "A{a}\tSourceKind T{t} {}", source.kind);
            if let Some(name) = &source.name {
                notes += 1;
                let _ = writeln!(out, "#{notes}\tAnnotatorNotes T{t}\t{}", one_line(name));
            }
        } else {
            let Some(entity) = span.entities.get(index) else { continue };
            let _ = writeln!(out, "T{t}\t{} {fragments}\t{text}", entity.kind);
            n += 1;
            let target = match &entity.wikidata {
                Some(q) => format!("{WIKIDATA_DB}:{q}"),
                None => format!("{NEWSMARK_DB}:{}", entity.id),
            };
            let name = entity.name.as_deref().unwrap_or(&entity.id);
            let _ = writeln!(out, "N{n}\tReference T{t} {target}\t{}", one_line(name));
        }
    }
    out
}

/// The fragments of a span (`s e;s e`, one per line) and its brat text.
fn fragments(doc: &ExportDoc, span: &TagSpan) -> (String, String) {
    let covered = doc.slice(span);
    let mut parts: Vec<(usize, usize, &str)> = Vec::new();
    let mut start = span.start;
    for line in covered.split('\n') {
        let len = line.chars().count();
        if len > 0 {
            parts.push((start, start + len, line));
        }
        start += len + 1;
    }
    if parts.is_empty() {
        return (format!("{} {}", span.start, span.start), String::new());
    }
    let offsets: Vec<String> = parts.iter().map(|(s, e, _)| format!("{s} {e}")).collect();
    let texts: Vec<&str> = parts.iter().map(|(_, _, t)| *t).collect();
    (offsets.join(";"), texts.join(" "))
}

fn one_line(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

/// `annotation.conf` for a collection: every built-in and configured kind
/// and every kind used, `Attribution`, overlaps allowed (tags nest), and
/// the `Source` / `SourceKind` attributes with every source id and kind used.
pub fn annotation_conf(docs: &[ExportDoc], entity_kinds: &[String], source_kinds: &[String]) -> String {
    let mut entities: Vec<String> = ENTITY_KINDS.iter().map(|k| k.to_string()).collect();
    let mut kinds: Vec<String> = SOURCE_KINDS.iter().map(|k| k.to_string()).collect();
    let mut ids: Vec<String> = Vec::new();
    add_all(&mut entities, entity_kinds.iter().cloned());
    add_all(&mut kinds, source_kinds.iter().cloned());
    for span in docs.iter().flat_map(|d| &d.spans) {
        add_all(&mut entities, span.entities.iter().map(|e| e.kind.clone()));
        add_all(&mut kinds, span.sources.iter().map(|s| s.kind.clone()));
        add_all(&mut ids, span.sources.iter().map(|s| s.id.clone()));
    }
    ids.sort();
    let mut out = String::from("# Entity kinds and source attributions of a Newsmark export.\n\n[entities]\n");
    for kind in &entities {
        let _ = writeln!(out, "{kind}");
    }
    let _ = writeln!(out, "{ATTRIBUTION}");
    out.push_str("\n[relations]\n\n# Tags nest and may share their extent.\n");
    out.push_str("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n[events]\n\n[attributes]\n\n");
    if !ids.is_empty() {
        let _ = writeln!(out, "Source\tArg:{ATTRIBUTION}, Value:{}", ids.join("|"));
    }
    let _ = writeln!(out, "SourceKind\tArg:{ATTRIBUTION}, Value:{}", kinds.join("|"));
    out
}

fn add_all(into: &mut Vec<String>, items: impl Iterator<Item = String>) {
    for item in items {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// `tools.conf`: the two normalization DBs the `N` lines name.
pub fn tools_conf() -> String {
    format!(
        "# Normalization DBs of a Newsmark export.\n\n[normalization]\n\n\
         {WIKIDATA_DB}\t<URL>:https://www.wikidata.org/, <URLBASE>:https://www.wikidata.org/wiki/%s\n\
         {NEWSMARK_DB}\t<URL>:urn:newsmark:entity:, <URLBASE>:urn:newsmark:entity:%s\n"
    )
}
