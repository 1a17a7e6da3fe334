//! `--format github`: GitHub Actions workflow commands, one per line
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`).
//!
//! Warnings stay warnings; info and hints become `::notice` (GitHub has no
//! lower level). Columns are Unicode scalar values as in JSON. GitHub only
//! honours columns on single-line annotations, so `col`/`endColumn` are left
//! out when a range spans lines. Related locations are appended to the
//! message, one per line.

use std::io::{self, Write};

use super::{Each, Report};
use crate::analysis::Severity;

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    render_by_file(report, &mut |_, text| out.write_all(text))
}

pub(super) fn render_by_file(report: &Report<'_>, each: &mut Each<'_>) -> io::Result<()> {
    report.write_each_by_file(each, |d, loc, out| {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let mut props = format!("file={},line={}", escape_property(loc.path), loc.start.line);
        if loc.start.line == loc.end.line {
            props += &format!(",col={}", loc.start.column);
        }
        props += &format!(",endLine={}", loc.end.line);
        if loc.start.line == loc.end.line {
            props += &format!(",endColumn={}", loc.end.column);
        }
        props += &format!(",title={}", escape_property(d.code.as_str()));

        let mut message = d.message.clone();
        for r in &d.related {
            let at = report.locate(r.file, r.range);
            message += &format!("\nnote: {}", super::human::related_note(&r.message, &at));
        }
        writeln!(out, "::{command} {props}::{}", escape_data(&message))
    })
}

/// Escapes a command's message (GitHub's `escapeData`).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (GitHub's `escapeProperty`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%d\n"), "a%3Ab%2Cc%25d%0A");
    }
}
