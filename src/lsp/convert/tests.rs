//! A table of positions in all three encodings, and encoding negotiation.

use super::*;
use crate::text::PositionEncoding::*;
use tower_lsp_server::ls_types::GeneralClientCapabilities;

/// (text, offset, (line, utf8 col), utf16 col, utf32 col)
type Row = (&'static str, u32, (u32, u32), u32, u32);

const TABLE: &[Row] = &[
    ("abc", 2, (0, 2), 2, 2),
    ("éa", 2, (0, 2), 1, 1),
    ("x中文y", 7, (0, 7), 3, 3),
    ("😀x", 4, (0, 4), 2, 1),
    ("😀x", 5, (0, 5), 3, 2),
    ("a\r\nb", 3, (1, 0), 0, 0),
    ("a\rb", 2, (1, 0), 0, 0),
    ("a\rb", 3, (1, 1), 1, 1),
    ("é\n😀é", 7, (1, 4), 2, 1),
];

#[test]
fn position_table() {
    for &(text, offset, (line, c8), c16, c32) in TABLE {
        let index = LineIndex::new(text);
        for (enc, col) in [(Utf8, c8), (Utf16, c16), (Utf32, c32)] {
            let map = LineMap { text, index: &index, enc };
            let pos = map.position(offset);
            assert_eq!(pos, Position::new(line, col), "{text:?} {offset} {enc:?}");
            assert_eq!(map.offset(pos), offset, "{text:?} {pos:?} {enc:?}");
        }
    }
}

#[test]
fn clamping() {
    let text = "ab\r\n😀c\rz";
    let index = LineIndex::new(text);
    for enc in [Utf8, Utf16, Utf32] {
        let map = LineMap { text, index: &index, enc };
        // Past the end of a line: the line's end, before its line break.
        assert_eq!(map.offset(Position::new(0, 99)), 2, "{enc:?}");
        assert_eq!(map.offset(Position::new(1, 99)), 9, "{enc:?}");
        // Past the end of the file.
        assert_eq!(map.offset(Position::new(9, 0)), text.len() as u32, "{enc:?}");
        assert_eq!(map.position(999), Position::new(2, 1), "{enc:?}");
    }
    // Inside a surrogate pair (UTF-16) or a UTF-8 sequence: the character's start.
    let map = LineMap { text, index: &index, enc: Utf16 };
    assert_eq!(map.offset(Position::new(1, 1)), 4);
    let map = LineMap { text, index: &index, enc: Utf8 };
    assert_eq!(map.offset(Position::new(1, 2)), 4);
    // A reversed range is put in order.
    assert_eq!(map.text_range(Range::new(Position::new(0, 2), Position::new(0, 0))), TextRange::new(0, 2));
}

fn caps(encodings: Option<Vec<PositionEncodingKind>>) -> ClientCapabilities {
    ClientCapabilities {
        general: Some(GeneralClientCapabilities { position_encodings: encodings, ..Default::default() }),
        ..Default::default()
    }
}

#[test]
fn negotiation() {
    assert_eq!(negotiate_encoding(&ClientCapabilities::default()), Utf16);
    assert_eq!(negotiate_encoding(&caps(None)), Utf16);
    assert_eq!(negotiate_encoding(&caps(Some(vec![PositionEncodingKind::UTF16]))), Utf16);
    assert_eq!(negotiate_encoding(&caps(Some(vec![PositionEncodingKind::UTF8, PositionEncodingKind::UTF16]))), Utf8);
    assert_eq!(negotiate_encoding(&caps(Some(vec![PositionEncodingKind::UTF32]))), Utf32);
    assert_eq!(negotiate_encoding(&caps(Some(vec![PositionEncodingKind::new("utf-7")]))), Utf16);
}

#[test]
fn negotiation_prefers_utf8_or_utf32() {
    let offered = vec![PositionEncodingKind::UTF16, PositionEncodingKind::UTF32];
    assert_eq!(negotiate_encoding(&caps(Some(offered))), Utf32);
}

#[test]
fn published_diagnostics_are_the_bytes_of_the_lsp_values() {
    use crate::analysis::{Code, FileId, Related};
    let text = "é [a]{@x} \"quoted\"\n😀 b\n";
    let index = LineIndex::new(text);
    let map = LineMap { text, index: &index, enc: Utf16 };
    let uri: Uri = "file:///ws/a.nmk".parse().unwrap();
    let diagnostic_at = |range: TextRange, code: Code, severity: Severity| crate::analysis::Diagnostic {
        file: FileId(0),
        range,
        code,
        severity,
        message: format!("{} with \"quotes\" and \\ and \n", code.as_str()),
        related: Vec::new(),
        suggestion: None,
        fix: None,
    };
    let mut with_all = diagnostic_at(TextRange::new(3, 4), Code::UnknownAlias, Severity::Warning);
    with_all.suggestion = Some("[a]{@y}".to_string());
    with_all.related = vec![
        Related { file: FileId(0), range: TextRange::new(22, 23), message: "here".to_string() },
        Related { file: FileId(9), range: TextRange::new(0, 1), message: "nowhere".to_string() },
    ];
    let mut unplaced = diagnostic_at(TextRange::new(0, 2), Code::UntaggedMention, Severity::Hint);
    unplaced.related = vec![Related { file: FileId(9), range: TextRange::new(0, 1), message: "lost".to_string() }];
    // Sorted by start, as the engine gives them, then out of order.
    let diagnostics = vec![
        with_all,
        diagnostic_at(TextRange::new(10, 18), Code::UnattributedQuote, Severity::Info),
        unplaced,
        diagnostic_at(TextRange::new(20, 27), Code::Syntax, Severity::Error),
        diagnostic_at(TextRange::empty(27), Code::UnattributedQuote, Severity::Info),
    ];
    // File 9 has no location: its related information is left out.
    let related = |r: &Related| (r.file == FileId(0)).then(|| Location { uri: uri.clone(), range: map.range(r.range) });
    let direct = PublishParams { uri: &uri, version: 7, diagnostics: &diagnostics, map, related: &related }.to_json();
    let direct = String::from_utf8(direct).unwrap();
    let values = lsp::PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics: diagnostics.iter().map(|d| diagnostic(d, &map, &related)).collect(),
        version: Some(7),
    };
    assert_eq!(direct, serde_json::to_string(&values).unwrap());
    assert!(direct.contains(r#""data":{"suggestion":"[a]{@y}"}"#), "{direct}");
    assert_eq!(direct.matches("relatedInformation").count(), 1, "{direct}");
}
