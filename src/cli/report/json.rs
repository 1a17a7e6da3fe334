//! `--format json`: one JSON object per line, in the fields and order of
//! spec §11 (with the `fix` of §14 where there is one), sorted by file,
//! line, column, code.

use std::io;

use super::{Each, Location, Report};
use crate::analysis::Diagnostic;
use crate::text::{write_json_number, write_json_string};

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    render_by_file(report, &mut |_, text| out.write_all(text))
}

pub(super) fn render_by_file(report: &Report<'_>, each: &mut Each<'_>) -> io::Result<()> {
    report.write_each_by_file(each, |d, loc, out| {
        write_line(report, d, loc, out);
        Ok(())
    })
}

/// One diagnostic's line, written field by field: the keys are constant
/// bytes and the strings go through the one escaper, which copies a string
/// that needs no escaping whole. Through serde, escaping every key and
/// string byte by byte was a tenth of a warm run of a large archive. The
/// bytes are those of the `serde` structs of the tests.
fn write_line(report: &Report<'_>, d: &Diagnostic, loc: &Location<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"file\":");
    write_location(out, loc);
    out.extend_from_slice(b",\"severity\":");
    write_json_string(out, d.severity.as_str());
    out.extend_from_slice(b",\"code\":");
    write_json_string(out, d.code.as_str());
    out.extend_from_slice(b",\"message\":");
    write_json_string(out, &d.message);
    if let Some(fix) = &d.fix {
        out.extend_from_slice(b",\"fix\":{\"applicability\":");
        write_json_string(out, fix.applicability.as_str());
        out.extend_from_slice(b",\"title\":");
        write_json_string(out, &fix.title);
        out.extend_from_slice(b",\"edits\":[");
        for (i, edit) in fix.edits.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"file\":");
            write_location(out, &report.locate(edit.file, edit.range));
            out.extend_from_slice(b",\"new_text\":");
            write_json_string(out, &edit.new_text);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"}\n");
}

/// The path and the positions, from the value of `file` on.
fn write_location(out: &mut Vec<u8>, loc: &Location<'_>) {
    write_json_string(out, loc.path);
    let fields: [(&[u8], u32); 4] = [
        (b",\"line\":", loc.start.line),
        (b",\"column\":", loc.start.column),
        (b",\"end_line\":", loc.end.line),
        (b",\"end_column\":", loc.end.column),
    ];
    for (key, n) in fields {
        out.extend_from_slice(key);
        write_json_number(out, n);
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;
    use crate::analysis::{Applicability, Code, FileId, Fix, FixEdit, Severity};
    use crate::cli::report::{Position, ReportFile};
    use crate::text::{LineIndex, TextRange};

    /// The lines as §11 defines them, serialized by serde.
    #[derive(Serialize)]
    struct Line<'a> {
        file: &'a str,
        line: u32,
        column: u32,
        end_line: u32,
        end_column: u32,
        severity: &'static str,
        code: &'static str,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        fix: Option<FixOut<'a>>,
    }

    #[derive(Serialize)]
    struct FixOut<'a> {
        applicability: &'static str,
        title: &'a str,
        edits: Vec<EditOut<'a>>,
    }

    #[derive(Serialize)]
    struct EditOut<'a> {
        file: &'a str,
        line: u32,
        column: u32,
        end_line: u32,
        end_column: u32,
        new_text: &'a str,
    }

    fn by_serde(report: &Report<'_>, d: &Diagnostic, loc: &Location<'_>) -> String {
        let line = Line {
            file: loc.path,
            line: loc.start.line,
            column: loc.start.column,
            end_line: loc.end.line,
            end_column: loc.end.column,
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            message: &d.message,
            fix: d.fix.as_ref().map(|f| FixOut {
                applicability: f.applicability.as_str(),
                title: &f.title,
                edits: f
                    .edits
                    .iter()
                    .map(|e| {
                        let at = report.locate(e.file, e.range);
                        EditOut {
                            file: at.path,
                            line: at.start.line,
                            column: at.start.column,
                            end_line: at.end.line,
                            end_column: at.end.column,
                            new_text: &e.new_text,
                        }
                    })
                    .collect(),
            }),
        };
        serde_json::to_string(&line).unwrap() + "\n"
    }

    proptest::proptest! {
        /// Random diagnostics, with and without fixes of several edits
        /// into two files, messages and paths that need escaping or not:
        /// the line written by hand is serde's.
        #[test]
        fn a_line_is_written_as_serde_writes_it(
            message in "[a-z “”\"\\\\\n\t]{0,30}",
            path in "[a-z/ \"é]{1,12}",
            start in 0u32..60,
            len in 0u32..20,
            severity in 0usize..4,
            edits in proptest::collection::vec((0u32..2, 0u32..60, "[a-z\"\n{}@]{0,8}"), 0..3),
            has_fix in proptest::bool::ANY,
        ) {
            let text = "line one\nline “two” 😀\n\nfour\r\nfive and more and more and more and more\n";
            let index = LineIndex::new(text);
            let paths = [path.clone(), format!("{path}2")];
            let files: Vec<ReportFile> = paths
                .iter()
                .map(|p| ReportFile { rel_path: p, text, line_index: &index, positions: &[(3, Position { line: 9, column: 9 })] })
                .collect();
            let severities = [Severity::Error, Severity::Warning, Severity::Info, Severity::Hint];
            let fix = has_fix.then(|| Fix {
                title: format!("Fix “{message}”"),
                applicability: if edits.len() % 2 == 0 { Applicability::Safe } else { Applicability::Unsafe },
                edits: edits
                    .iter()
                    .map(|(file, at, new_text)| FixEdit {
                        file: FileId(*file),
                        range: TextRange::new(*at, *at + 1),
                        new_text: new_text.clone(),
                    })
                    .collect(),
            });
            let d = Diagnostic {
                file: FileId(0),
                range: TextRange::new(start, start + len),
                code: Code::ALL[start as usize % Code::ALL.len()],
                severity: severities[severity],
                message,
                related: Vec::new(),
                suggestion: None,
                fix,
            };
            let diagnostics = [d];
            let report = Report { files: &files, diagnostics: &diagnostics, files_checked: 1, checked_paths: &[] };
            let loc = report.locate(diagnostics[0].file, diagnostics[0].range);
            let mut mine = Vec::new();
            write_line(&report, &diagnostics[0], &loc, &mut mine);
            proptest::prop_assert_eq!(String::from_utf8(mine).unwrap(), by_serde(&report, &diagnostics[0], &loc));
        }
    }
}
