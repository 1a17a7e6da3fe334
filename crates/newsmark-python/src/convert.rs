//! The engine's results as plain tuples for the Python layer
//! (`python/newsmark/_types.py` turns them into dataclasses). Offsets into
//! a text are counted in Unicode scalar values, which is how Python indexes
//! a `str`.

use newsmark::analysis::diagnostics::{CheckOptions, file_diagnostics_of_text};
use newsmark::analysis::{Diagnostic, FileId, Workspace};
use newsmark::nlp::document::{Entity, ExportDoc, Source, export_doc};
use newsmark::syntax::{self, Parse};
use newsmark::text::{LineIndex, PositionEncoding};

/// `(id, kind, name, wikidata, resolved)`
pub type EntityRow = (String, String, Option<String>, Option<String>, bool);
/// `(id, kind, name, by, date, resolved)`
pub type SourceRow = (String, String, Option<String>, Vec<String>, Option<String>, bool);
/// `(start, end, text, parent, entities, sources)`
pub type TagRow = (usize, usize, String, Option<usize>, Vec<EntityRow>, Vec<SourceRow>);
/// `(file, start, end, line, column, end_line, end_column, severity, code,
/// message)`: `start`/`end` index the file's source text; lines and columns
/// are 1-based, columns in Unicode scalar values, as `check --format json`.
pub type DiagnosticRow = (String, usize, usize, u32, u32, u32, u32, &'static str, &'static str, String);
/// `(path, source, text, tags, diagnostics)`
pub type DocumentRow = (Option<String>, String, String, Vec<TagRow>, Vec<DiagnosticRow>);

fn entity_row(e: &Entity) -> EntityRow {
    (e.id.clone(), e.kind.clone(), e.name.clone(), e.wikidata.clone(), e.resolved)
}

fn source_row(s: &Source) -> SourceRow {
    (s.id.clone(), s.kind.clone(), s.name.clone(), s.by.clone(), s.date.clone(), s.resolved)
}

/// The tags of an exported document.
pub fn tag_rows(doc: &ExportDoc) -> Vec<TagRow> {
    doc.spans
        .iter()
        .map(|span| {
            (
                span.start,
                span.end,
                doc.slice(span).to_owned(),
                span.parent,
                span.entities.iter().map(entity_row).collect(),
                span.sources.iter().map(source_row).collect(),
            )
        })
        .collect()
}

/// A document: `text` parsed, its references resolved in `ws`, and, when
/// it is the text of file `file` of `ws`, its diagnostics.
pub fn document_row(ws: &Workspace, file: Option<FileId>, path: Option<String>, text: &str) -> DocumentRow {
    let parse = syntax::parse(text);
    document_row_of_parse(ws, file, path, text, &parse)
}

pub fn document_row_of_parse(
    ws: &Workspace,
    file: Option<FileId>,
    path: Option<String>,
    text: &str,
    parse: &Parse,
) -> DocumentRow {
    let doc = export_doc(ws, path.clone().unwrap_or_default(), text, parse);
    let diagnostics = match file {
        Some(id) => {
            let found = file_diagnostics_of_text(ws, id, text, parse, CheckOptions::default());
            let shown = path.clone().unwrap_or_default();
            diagnostic_rows(&found, &mut |_| Some((shown.clone(), text)))
        }
        None => Vec::new(),
    };
    (path, text.to_owned(), doc.text.clone(), tag_rows(&doc), diagnostics)
}

/// Diagnostics as rows; `file_of` gives the shown path and text of a file
/// (`None`: the diagnostic is left out).
pub fn diagnostic_rows<'t>(
    diagnostics: &[Diagnostic],
    file_of: &mut dyn FnMut(FileId) -> Option<(String, &'t str)>,
) -> Vec<DiagnosticRow> {
    let mut rows = Vec::with_capacity(diagnostics.len());
    let mut current: Option<(FileId, String, &str, LineIndex)> = None;
    for d in diagnostics {
        if current.as_ref().is_none_or(|(id, ..)| *id != d.file) {
            let Some((shown, text)) = file_of(d.file) else { continue };
            current = Some((d.file, shown, text, LineIndex::new(text)));
        }
        let Some((_, shown, text, index)) = &current else { continue };
        let (lo, hi) = (d.range.start.min(d.range.end), d.range.start.max(d.range.end));
        let at = |offset: u32| {
            let lc = index.line_col(text, offset, PositionEncoding::Utf32);
            (lc.line + 1, lc.col + 1)
        };
        let (line, column) = at(lo);
        let (end_line, end_column) = at(hi);
        rows.push((
            shown.clone(),
            char_index(text, lo),
            char_index(text, hi),
            line,
            column,
            end_line,
            end_column,
            d.severity.as_str(),
            d.code.as_str(),
            d.message.clone(),
        ));
    }
    rows
}

/// The Python index of a byte offset (clamped to the text, rounded down to
/// a character boundary).
pub fn char_index(text: &str, offset: u32) -> usize {
    let mut at = (offset as usize).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    text[..at].chars().count()
}

/// The rows in the order of `check`'s reports: file, line, column, code,
/// then end and message.
pub fn sort_rows(rows: &mut [DiagnosticRow]) {
    rows.sort_by(|a, b| (&a.0, a.3, a.4, a.8, a.5, a.6, &a.9).cmp(&(&b.0, b.3, b.4, b.8, b.5, b.6, &b.9)));
}
