//! `--format json`: one JSON object per line, in the fields and order of
//! spec §11 (with the `fix` of §14 where there is one), sorted by file,
//! line, column, code.

use std::io;

use serde::Serialize;

use super::Report;

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

/// §14: a diagnostic's fix, its edits in the positions of the other fields.
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

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    report.write_each(out, |d, loc, out| {
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
        // serde_json reports an io failure as its own error type; hand the
        // io::Error back so the caller can tell a closed pipe apart.
        serde_json::to_writer(&mut *out, &line).map_err(io::Error::from)?;
        out.push(b'\n');
        Ok(())
    })
}
