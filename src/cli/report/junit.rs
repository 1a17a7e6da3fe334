//! `--format junit`: JUnit XML with one test case per checked file, as CI
//! systems (GitLab, Jenkins, Azure) show test reports. A file fails when
//! it has an error-severity diagnostic — the exit code's rule — and every
//! diagnostic of it is listed in its failure (or, when it passes, in its
//! `system-out`), one `path:line:column: severity[code]: message` a line.

use std::io;

use rustc_hash::FxHashMap;

use super::{Location, Report};
use crate::analysis::{Diagnostic, Severity};

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    let mut by_file: FxHashMap<&str, Vec<(&Diagnostic, Location<'_>)>> = FxHashMap::default();
    for (d, loc) in report.sorted() {
        by_file.entry(loc.path).or_default().push((d, loc));
    }
    let mut paths: Vec<&str> = report.checked_paths.iter().map(String::as_str).collect();
    paths.extend(by_file.keys().copied());
    paths.sort_unstable();
    paths.dedup();
    let failing = |p: &str| by_file.get(p).is_some_and(|ds| ds.iter().any(|(d, _)| d.severity == Severity::Error));
    let failures = paths.iter().filter(|p| failing(p)).count();

    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="newsmark check" tests="{}" failures="{failures}">"#, paths.len())?;
    writeln!(
        out,
        r#"  <testsuite name="newsmark check" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
        paths.len()
    )?;
    for path in paths {
        let lines: Vec<String> = by_file
            .get(path)
            .into_iter()
            .flatten()
            .map(|(d, loc)| format!("{loc}: {}[{}]: {}", d.severity.as_str(), d.code.as_str(), d.message))
            .collect();
        let name = escape(path);
        write!(out, r#"    <testcase name="{name}" classname="newsmark" file="{name}">"#)?;
        if failing(path) {
            let errors =
                by_file.get(path).map_or(0, |ds| ds.iter().filter(|(d, _)| d.severity == Severity::Error).count());
            let message = format!("{errors} {}", if errors == 1 { "error" } else { "errors" });
            write!(
                out,
                "\n      <failure message=\"{message}\" type=\"newsmark\">{}</failure>\n    ",
                escape(&lines.join("\n"))
            )?;
        } else if !lines.is_empty() {
            write!(out, "\n      <system-out>{}</system-out>\n    ", escape(&lines.join("\n")))?;
        }
        writeln!(out, "</testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Text for XML 1.0 content or an attribute: the five special characters
/// as entities, and the characters XML 1.0 does not allow as U+FFFD.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;\u{FFFD}");
    }
}
