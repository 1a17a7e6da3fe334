//! `--format gitlab`: a GitLab Code Quality report — a JSON array of
//! issues with `description`, `check_name`, `fingerprint`, `severity`
//! (`info`, `minor`, `major`, `critical`, `blocker`) and `location.path`
//! with `location.lines.begin`.
//!
//! GitLab compares fingerprints between the base and the head of a merge
//! request to tell new issues from old, so a fingerprint must not change
//! when lines move: it hashes the path, the code, the text under the range
//! and the occurrence among equal ones, as a baseline entry does.

use std::io;

use rustc_hash::FxHashMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Report;
use crate::analysis::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "minor",
        Severity::Hint => "info",
    }
}

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    let mut seen: FxHashMap<(&str, &str, &str), u32> = FxHashMap::default();
    let mut issues = Vec::new();
    for (d, loc) in report.sorted() {
        let text = report.covered_text(d);
        let n = seen.entry((loc.path, d.code.as_str(), text)).or_insert(0);
        *n += 1;
        let mut hash = Sha256::new();
        for part in [loc.path, d.code.as_str(), text, &n.to_string()] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let fingerprint = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        issues.push(Issue {
            description: format!("{}: {}", d.code.as_str(), d.message),
            check_name: d.code.as_str(),
            fingerprint,
            severity: severity(d.severity),
            location: IssueLocation { path: loc.path, lines: Lines { begin: loc.start.line, end: loc.end.line } },
        });
    }
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(io::Error::from)?;
    out.write_all(b"\n")
}
