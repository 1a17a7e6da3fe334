//! Conversions between the engine (byte offsets, file ids, paths) and LSP
//! (lines and columns in the negotiated encoding, URIs, protocol types).

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{
    self as lsp, ClientCapabilities, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, PositionEncodingKind, Range, Uri,
};

use crate::analysis::{Diagnostic, Severity};
use crate::text::{LineCol, LineIndex, PositionEncoding, TextRange};

/// UTF-8 or UTF-32 when the client offers either (the first of them in its
/// list), else UTF-16, which every client must accept. Both are cheaper than
/// UTF-16 for a server whose offsets are UTF-8 bytes.
pub fn negotiate_encoding(caps: &ClientCapabilities) -> PositionEncoding {
    let offered = caps.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    for kind in offered.into_iter().flatten() {
        if *kind == PositionEncodingKind::UTF8 {
            return PositionEncoding::Utf8;
        }
        if *kind == PositionEncodingKind::UTF32 {
            return PositionEncoding::Utf32;
        }
    }
    PositionEncoding::Utf16
}

pub fn encoding_kind(enc: PositionEncoding) -> PositionEncodingKind {
    match enc {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// One document's text with its line index: everything needed to convert
/// positions of that text.
#[derive(Clone, Copy)]
pub struct LineMap<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub enc: PositionEncoding,
}

impl LineMap<'_> {
    /// The byte offset of an LSP position, clamped into the text.
    pub fn offset(&self, pos: Position) -> u32 {
        self.index.offset(self.text, LineCol { line: pos.line, col: pos.character }, self.enc)
    }

    pub fn position(&self, offset: u32) -> Position {
        let lc = self.index.line_col(self.text, offset, self.enc);
        Position::new(lc.line, lc.col)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// Converts offsets met mostly in increasing order (see
    /// [`LineIndex::line_col_from`]).
    pub fn cursor(&self) -> PositionCursor<'_> {
        PositionCursor { map: self, last: None }
    }

    /// A byte range of an LSP range; a reversed range is put in order.
    pub fn text_range(&self, range: Range) -> TextRange {
        let (a, b) = (self.offset(range.start), self.offset(range.end));
        TextRange::new(a.min(b), a.max(b))
    }
}

/// Positions of offsets converted one after the other, each counted on
/// from the one before when it lies after it on the same line.
pub struct PositionCursor<'a> {
    map: &'a LineMap<'a>,
    last: Option<(u32, LineCol)>,
}

impl PositionCursor<'_> {
    pub fn position(&mut self, offset: u32) -> Position {
        let map = self.map;
        let lc = match self.last {
            Some(known) => map.index.line_col_from(map.text, known, offset, map.enc),
            None => map.index.line_col(map.text, offset, map.enc),
        };
        self.last = Some((offset, lc));
        Position::new(lc.line, lc.col)
    }
}

/// The length of `text` in columns of `enc`.
pub fn width(text: &str, enc: PositionEncoding) -> u32 {
    match enc {
        PositionEncoding::Utf8 => text.len() as u32,
        PositionEncoding::Utf16 => text.encode_utf16().count() as u32,
        PositionEncoding::Utf32 => text.chars().count() as u32,
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// An engine diagnostic as LSP. `related` turns the place of a related
/// information (in any file of the workspace) into a location.
pub fn diagnostic(
    d: &Diagnostic,
    map: &LineMap<'_>,
    related: &dyn Fn(&crate::analysis::Related) -> Option<Location>,
) -> lsp::Diagnostic {
    let related_information: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| Some(DiagnosticRelatedInformation { location: related(r)?, message: r.message.clone() }))
        .collect();
    lsp::Diagnostic {
        range: map.range(d.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: if related_information.is_empty() { None } else { Some(related_information) },
        tags: None,
        data: d.suggestion.as_ref().map(|s| serde_json::json!({ "suggestion": s })),
    }
}

/// The params of `textDocument/publishDiagnostics` for engine diagnostics,
/// serialized exactly as `lsp::PublishDiagnosticsParams` holding
/// [`diagnostic`] of each would be, without building those values: a large
/// article has thousands, each with strings to copy.
pub struct PublishParams<'a> {
    pub uri: &'a Uri,
    pub version: i32,
    pub diagnostics: &'a [Diagnostic],
    pub map: LineMap<'a>,
    pub related: &'a dyn Fn(&crate::analysis::Related) -> Option<Location>,
}

impl PublishParams<'_> {
    /// The JSON bytes, written field by field: the keys are constants, so
    /// only the strings that vary go through JSON escaping (through
    /// serde_json's, one call each). Writing every key through serde was a
    /// tenth of a keystroke in a large article.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.diagnostics.len() * 320);
        out.extend_from_slice(b"{\"uri\":");
        json(&mut out, self.uri);
        out.extend_from_slice(b",\"diagnostics\":[");
        // Diagnostics come sorted by start: each line is scanned once for
        // the starts and about once for the ends.
        let (mut starts, mut ends) = (self.map.cursor(), self.map.cursor());
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let range = Range::new(starts.position(d.range.start), ends.position(d.range.end));
            self.write_diagnostic(&mut out, d, range);
        }
        out.extend_from_slice(b"],\"version\":");
        json(&mut out, &self.version);
        out.push(b'}');
        out
    }

    /// One diagnostic as [`diagnostic`] would give it, serialized.
    fn write_diagnostic(&self, out: &mut Vec<u8>, d: &Diagnostic, range: Range) {
        let position = |out: &mut Vec<u8>, p: Position| {
            out.extend_from_slice(b"{\"line\":");
            json(out, &p.line);
            out.extend_from_slice(b",\"character\":");
            json(out, &p.character);
            out.push(b'}');
        };
        out.extend_from_slice(b"{\"range\":{\"start\":");
        position(out, range.start);
        out.extend_from_slice(b",\"end\":");
        position(out, range.end);
        out.extend_from_slice(b"},\"severity\":");
        json(out, &severity(d.severity));
        out.extend_from_slice(b",\"code\":");
        json(out, d.code.as_str());
        out.extend_from_slice(b",\"source\":");
        json(out, SOURCE);
        out.extend_from_slice(b",\"message\":");
        crate::text::write_json_string(out, &d.message);
        let related: Vec<DiagnosticRelatedInformation> = d
            .related
            .iter()
            .filter_map(|r| {
                Some(DiagnosticRelatedInformation { location: (self.related)(r)?, message: r.message.clone() })
            })
            .collect();
        if !related.is_empty() {
            out.extend_from_slice(b",\"relatedInformation\":");
            json(out, &related);
        }
        if let Some(suggestion) = &d.suggestion {
            out.extend_from_slice(b",\"data\":{\"suggestion\":");
            json(out, suggestion);
            out.push(b'}');
        }
        out.push(b'}');
    }
}

/// Appends the JSON of `value` (serializing to memory cannot fail for
/// these types: strings, numbers, protocol values).
fn json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = serde_json::to_writer(out, value);
}

/// The `source` of every diagnostic.
const SOURCE: &str = "newsmark";

/// The path of a `file:` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.as_str().starts_with("file:") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

#[cfg(test)]
mod tests;
