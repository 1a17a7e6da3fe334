//! Contract checks of the report formats that golden files do not show
//! directly: JSON fields and order, SARIF's required structure, colour,
//! the empty run, broken pipes and bad file ids.

use std::io;

use newsmark::analysis::{Code, Diagnostic, FileId, Related, Severity};
use newsmark::cli::report::{Format, Report, ReportFile, render};
use newsmark::text::{LineIndex, TextRange};
use serde_json::Value;

const TEXT: &str = "a😀b [x]{@y}\r\nsecond line\r\n";

fn diag(code: Code, severity: Severity, range: TextRange, file: u32) -> Diagnostic {
    Diagnostic {
        file: FileId(file),
        range,
        code,
        severity,
        message: format!("{} here", code.as_str()),
        related: Vec::new(),
        suggestion: None,
        fix: None,
    }
}

fn run(format: Format, diags: &[Diagnostic], color: bool) -> io::Result<String> {
    let index = LineIndex::new(TEXT);
    let files = [
        ReportFile { rel_path: "z.nmk", text: TEXT, line_index: &index, positions: &[] },
        ReportFile { rel_path: "a.nmk", text: TEXT, line_index: &index, positions: &[] },
    ];
    let report = Report { files: &files, diagnostics: diags, files_checked: 4, checked_paths: &[] };
    let mut out = Vec::new();
    render(format, &report, color, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn json_fields_units_and_order() {
    let diags = [
        diag(Code::UnknownKey, Severity::Warning, TextRange::new(16, 22), 0),
        diag(Code::UndefinedReference, Severity::Error, TextRange::new(11, 13), 0),
        diag(Code::Syntax, Severity::Error, TextRange::new(11, 12), 0),
        diag(Code::Syntax, Severity::Error, TextRange::new(0, 0), 1),
    ];
    let out = run(Format::Json, &diags, false).unwrap();
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["file", "line", "column", "end_line", "end_column", "severity", "code", "message"]);
    let order: Vec<(String, u64, u64, String)> = lines
        .iter()
        .map(|l| {
            (
                l["file"].as_str().unwrap().into(),
                l["line"].as_u64().unwrap(),
                l["column"].as_u64().unwrap(),
                l["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    // `@y` is at byte 11 but scalar column 9 (1-based) after the emoji.
    assert_eq!(
        order,
        [
            ("a.nmk".into(), 1, 1, "syntax".into()),
            ("z.nmk".into(), 1, 9, "syntax".into()),
            ("z.nmk".into(), 1, 9, "undefined-reference".into()),
            ("z.nmk".into(), 2, 1, "unknown-key".into()),
        ]
    );
    assert_eq!(lines[2]["end_column"], 11);
}

#[test]
fn sarif_structure() {
    let mut dup = diag(Code::DuplicateDefinition, Severity::Error, TextRange::new(11, 13), 0);
    dup.related.push(Related { file: FileId(1), range: TextRange::new(16, 22), message: "also defined".into() });
    let diags = [dup, diag(Code::UntaggedMention, Severity::Hint, TextRange::new(16, 22), 1)];
    let log: Value = serde_json::from_str(&run(Format::Sarif, &diags, false).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().starts_with("https://"));
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "newsmark");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Code::ALL.len());
    for (rule, code) in rules.iter().zip(Code::ALL) {
        assert_eq!(rule["id"], code.as_str());
        assert_eq!(rule["fullDescription"]["text"], code.help());
        assert!(!rule["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(["error", "warning", "note"].contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(r["message"]["text"].is_string());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key}");
        }
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    }
    // Sorted: a.nmk first; the hint is a note.
    assert_eq!(results[0]["level"], "note");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "a.nmk");
    let related = &results[1]["relatedLocations"][0];
    assert_eq!(related["physicalLocation"]["artifactLocation"]["uri"], "a.nmk");
    assert_eq!(related["message"]["text"], "also defined");
}

#[test]
fn human_colour_and_empty_run() {
    let diags = [diag(Code::Syntax, Severity::Error, TextRange::new(0, 1), 0)];
    assert!(run(Format::Human, &diags, true).unwrap().contains('\u{1b}'));
    assert!(!run(Format::Human, &diags, false).unwrap().contains('\u{1b}'));
    assert_eq!(run(Format::Human, &[], false).unwrap(), "checked 4 files: no problems\n");
    for format in [Format::Json, Format::Github] {
        assert_eq!(run(format, &[], false).unwrap(), "");
    }
}

#[test]
fn hostile_input_does_not_panic() {
    let diags = [
        // Unknown file, reversed range, offsets past the end and inside a
        // character and inside a CRLF.
        diag(Code::Syntax, Severity::Error, TextRange::new(3, 1), 7),
        diag(Code::Syntax, Severity::Error, TextRange::new(900, 1000), 0),
        diag(Code::Syntax, Severity::Error, TextRange::new(2, 4), 0),
        diag(Code::Syntax, Severity::Error, TextRange::new(3, 15), 0),
        diag(Code::Syntax, Severity::Error, TextRange::new(15, 15), 0),
    ];
    for format in Format::ALL {
        run(format, &diags, false).unwrap();
    }
    let json = run(Format::Json, &diags, false).unwrap();
    assert!(json.starts_with("{\"file\":\"?\",\"line\":1,\"column\":1,"), "{json}");
}

/// A writer whose reader went away: every format must return the error.
struct ClosedPipe;

impl io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn closed_output_is_an_error_not_a_panic() {
    let index = LineIndex::new(TEXT);
    let files = [ReportFile { rel_path: "z.nmk", text: TEXT, line_index: &index, positions: &[] }];
    let diags = [diag(Code::Syntax, Severity::Error, TextRange::new(0, 1), 0)];
    let report = Report { files: &files, diagnostics: &diags, files_checked: 1, checked_paths: &[] };
    for format in Format::ALL {
        let err = render(format, &report, false, &mut ClosedPipe).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{format:?}");
    }
}

#[test]
fn json_ties_are_ordered_by_end_then_message() {
    let mut diags = [
        diag(Code::Syntax, Severity::Error, TextRange::new(7, 9), 0),
        diag(Code::Syntax, Severity::Error, TextRange::new(7, 8), 0),
        diag(Code::Syntax, Severity::Error, TextRange::new(7, 8), 0),
    ];
    diags[1].message = "b".into();
    diags[2].message = "a".into();
    let out = run(Format::Json, &diags, false).unwrap();
    let order: Vec<(u64, String)> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|l| (l["end_column"].as_u64().unwrap(), l["message"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(order, [(6, "a".into()), (6, "b".into()), (7, "syntax here".into())]);
}

/// Lines are rendered in parallel batches: the order and the lines are
/// those of one sorted pass, across batch and piece boundaries.
#[test]
fn many_diagnostics_come_out_whole_and_in_order() {
    let text: String = (0..40_000).map(|i| format!("line {i}\n")).collect();
    let index = LineIndex::new(&text);
    let files = [ReportFile { rel_path: "big.nmk", text: &text, line_index: &index, positions: &[] }];
    let after_newline: Vec<u32> = text.match_indices('\n').map(|(o, _)| o as u32 + 1).collect();
    // Reversed, so the sort has work to do.
    let diags: Vec<Diagnostic> = (0..40_000u32)
        .rev()
        .map(|i| {
            let start = after_newline[i as usize];
            let mut d = diag(Code::UntaggedMention, Severity::Hint, TextRange::new(start, start + 4), 0);
            d.message = format!("number {i}");
            d
        })
        .collect();
    let report = Report { files: &files, diagnostics: &diags, files_checked: 1, checked_paths: &[] };
    for format in [Format::Json, Format::Github] {
        let mut out = Vec::new();
        render(format, &report, false, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 40_000, "{format:?}");
        for (n, line) in lines.iter().enumerate() {
            // Diagnostic i starts line i + 2 (after the (i + 1)-th newline).
            assert!(
                line.ends_with(&format!("number {n}")) || line.contains(&format!("\"number {n}\"")),
                "{format:?} {n}: {line}"
            );
            let at = if format == Format::Json { format!("\"line\":{},", n + 2) } else { format!("line={},", n + 2) };
            assert!(line.contains(&at), "{format:?} {n}: {line}");
        }
    }
}
