//! `--format json`: one JSON object per line, in the fields and order of
//! spec §11, sorted by file, line, column, code.

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
}

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    for (d, loc) in report.sorted() {
        let line = Line {
            file: loc.path,
            line: loc.start.line,
            column: loc.start.column,
            end_line: loc.end.line,
            end_column: loc.end.column,
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            message: &d.message,
        };
        // serde_json reports an io failure as its own error type; hand the
        // io::Error back so the caller can tell a closed pipe apart.
        serde_json::to_writer(&mut *out, &line).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
