//! `--format sarif`: a SARIF 2.1.0 log with one run, one rule per
//! diagnostic code (help text from `Code::help`) and one result per
//! diagnostic.
//!
//! Choices the SARIF spec leaves open:
//! - columns are Unicode scalar values, as in JSON output: the run says so
//!   with `columnKind: "unicodeCodePoints"` (SARIF's default is UTF-16);
//!   `endColumn` is exclusive, as SARIF defines it;
//! - levels: error → `error`, warning → `warning`, info and hint → `note`
//!   (SARIF has nothing below note but `none`, which viewers hide); the
//!   Newsmark severity is kept in the result's `properties.severity`;
//! - URIs are the paths as every format shows them (relative to the
//!   current folder, the checkout in CI), percent-encoded, with
//!   `uriBaseId: "%SRCROOT%"` (what code-scanning services expect);
//! - `informationUri` is the package's repository or homepage, left out when
//!   the manifest names neither (it must be an absolute URI).

use std::io;

use serde_json::{Value, json};

use super::{Location, Report};
use crate::analysis::{Code, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report)).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The whole log as a JSON value (exposed to tests through `render`).
fn log(report: &Report<'_>) -> Value {
    let results: Vec<Value> = report
        .sorted()
        .into_iter()
        .map(|(d, loc)| {
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = location(&report.locate(r.file, r.range));
                    l["id"] = json!(i);
                    if !r.message.is_empty() {
                        l["message"] = json!({ "text": r.message });
                    }
                    l
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index(d.code),
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [location(&loc)],
                "properties": { "severity": d.severity.as_str() },
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            if let Some(s) = &d.suggestion {
                result["properties"]["suggestion"] = json!(s);
            }
            result
        })
        .collect();

    let mut driver = json!({
        "name": "newsmark",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": Code::ALL.iter().map(|&c| rule(c)).collect::<Vec<_>>(),
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = json!(uri);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn information_uri() -> Option<&'static str> {
    [option_env!("CARGO_PKG_REPOSITORY"), option_env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": rule_name(code),
        "shortDescription": { "text": short_description(code) },
        "fullDescription": { "text": code.help() },
        "help": { "text": code.help() },
        "defaultConfiguration": { "level": level(code.default_severity()) },
        "properties": { "defaultSeverity": code.default_severity().as_str() },
    })
}

/// SARIF recommends a PascalCase `name` beside the opaque `id`.
fn rule_name(code: Code) -> String {
    code.as_str()
        .split('-')
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The first sentence of the help text.
fn short_description(code: Code) -> &'static str {
    let help = code.help();
    help.find(". ").map_or(help, |i| &help[..=i])
}

fn rule_index(code: Code) -> usize {
    Code::ALL.iter().position(|&c| c == code).unwrap_or(0)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn location(loc: &Location<'_>) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": encode_uri_path(loc.path), "uriBaseId": SRCROOT },
            "region": {
                "startLine": loc.start.line,
                "startColumn": loc.start.column,
                "endLine": loc.end.line,
                "endColumn": loc.end.column,
            },
        },
    })
}

/// Percent-encodes a relative path for a URI reference, keeping `/` and
/// RFC 3986 unreserved characters.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(rule_name(Code::SourceAfterPublication), "SourceAfterPublication");
        assert_eq!(encode_uri_path("a b/é%.nmk"), "a%20b/%C3%A9%25.nmk");
        assert_eq!(short_description(Code::Unreadable), "The file could not be read or is not valid UTF-8.");
        assert_eq!(rule_index(Code::UntaggedMention), 16);
    }
}
