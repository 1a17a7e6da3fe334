//! The fixture harness: writes a multi-file fixture into a temporary
//! workspace, loads it from disk as `check` does (config, discovery, nested
//! workspaces) and renders every diagnostic as annotated source.
//!
//! A fixture is a list of files, each introduced by a `//- /path` line:
//!
//! ```text
//! //- /newsmark.toml
//! [rules]
//! untagged-mention = "off"
//! //- /articles/a.nmk
//! Hello [world]{@wrld}.
//! ```
//!
//! The fixture text is un-indented by its common indentation first, so it
//! can be written indented in the test. The output lists every file in path
//! order, and under each line on which a diagnostic starts, a caret line:
//!
//! ```text
//! Hello [world]{@wrld}.
//!               ^^^^^ error[undefined-reference]: …
//!                     suggestion: `@world`
//! ```
//!
//! Columns are Unicode scalar values (as in the CLI's JSON), counted here
//! independently of the crate's line index; a tab before the range is kept
//! so the carets line up. An empty range is drawn as `|`; a range that goes
//! on past its first line says where it ends: `(to 4:7)`. Related places
//! follow as `related: path:line:col: message`.

use std::fmt::Write as _;
use std::path::Path;

use expect_test::Expect;
use newsmark::analysis::diagnostics::{CheckOptions, file_diagnostics};
use newsmark::analysis::{Diagnostic, Workspace};
use newsmark::syntax;
use newsmark::workspace::load;

/// One file of a fixture: a path below the root (with a leading `/`) and
/// its bytes.
pub type FixtureFile = (String, Vec<u8>);

/// Splits fixture text into files.
pub fn parse_fixture(fixture: &str) -> Vec<FixtureFile> {
    let text = trim_indent(fixture);
    let mut files: Vec<FixtureFile> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- ") {
            files.push((path.trim().to_owned(), Vec::new()));
        } else if let Some((_, content)) = files.last_mut() {
            content.extend_from_slice(line.as_bytes());
        } else {
            assert!(line.trim().is_empty(), "fixture text before the first `//- /path` line: {line:?}");
        }
    }
    files
}

/// Removes the indentation common to every non-blank line, and a leading
/// newline.
fn trim_indent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        out.push_str(line.get(indent..).unwrap_or(line.trim_start_matches(' ')));
    }
    out
}

/// Checks `fixture` and compares the annotated output with `expect`.
pub fn check(fixture: &str, expect: Expect) {
    check_files(parse_fixture(fixture), expect);
}

/// Like [`check`], with the files given as bytes (CRLF, invalid UTF-8…).
pub fn check_files(files: Vec<FixtureFile>, expect: Expect) {
    expect.assert_eq(&annotate_workspace(&files));
}

/// Writes `files` under `root`.
pub fn write_files(root: &Path, files: &[FixtureFile]) {
    for (path, bytes) in files {
        let full = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }
}

/// One checked file.
pub struct Checked {
    /// Relative to the root, `/` separators.
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Per diagnostic, its related places as `path:line:col: message`.
    pub related: Vec<Vec<String>>,
}

/// Loads the workspaces under `root` as `check` does, with the
/// diagnostics of every file, sorted by display path.
pub fn diagnose_root(root: &Path) -> Result<Vec<Checked>, String> {
    let plan = load::plan(root).map_err(|e| e.to_string())?;
    let workspaces = plan.build(root, &|| {});
    let mut out = Vec::new();
    for ws in &workspaces {
        for (id, file) in ws.files() {
            let diags = file_diagnostics(ws, id, &syntax::parse(&file.text), CheckOptions::default());
            let related = related_places(ws, &diags);
            out.push(Checked {
                path: file.display_path.clone(),
                text: file.text.to_string(),
                diagnostics: diags,
                related,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// For each diagnostic, its related places as `path:line:col: message`.
fn related_places(ws: &Workspace, diags: &[Diagnostic]) -> Vec<Vec<String>> {
    diags
        .iter()
        .map(|d| {
            d.related
                .iter()
                .map(|r| {
                    let file = ws.file(r.file).unwrap();
                    let (line, col) = line_col(&file.text, r.range.start as usize);
                    format!("{}:{}:{}: {}", file.display_path, line + 1, col + 1, r.message)
                })
                .collect()
        })
        .collect()
}

/// The annotated output of a fixture's workspace.
pub fn annotate_workspace(files: &[FixtureFile]) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    annotate_root(dir.path())
}

/// The annotated output of the workspace already on disk at `root`.
pub fn annotate_root(root: &Path) -> String {
    let root = std::fs::canonicalize(root).unwrap();
    let checked = match diagnose_root(&root) {
        Ok(c) => c,
        Err(e) => return format!("workspace not loaded: {}\n", e.replace(&root.display().to_string(), "<root>")),
    };
    let mut out = String::new();
    for c in &checked {
        writeln!(out, "//- /{}", c.path).unwrap();
        out.push_str(&annotate(&c.text, &c.diagnostics, &c.related));
    }
    out
}

/// 0-based line and column (Unicode scalar values, BOM not counted) of a
/// byte offset; lines end at `\n`, `\r\n` or a lone `\r`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let lines = split_lines(text);
    let line = lines.iter().rposition(|&(start, _)| start <= offset).unwrap_or(0);
    let (start, end) = lines[line];
    let col = text[start..offset.min(end).max(start)].chars().count();
    (line, col)
}

/// Content ranges (no line end, no BOM) of every line; at least one.
fn split_lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                lines.push((start, i));
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push((start, bytes.len()));
    lines
}

fn annotate(text: &str, diags: &[Diagnostic], related: &[Vec<String>]) -> String {
    let lines = split_lines(text);
    // The last "line" after a final line end is empty: not shown unless a
    // diagnostic points there.
    let shown = |i: usize| i + 1 < lines.len() || lines[i].0 < lines[i].1;
    let mut out = String::new();
    for (i, &(start, end)) in lines.iter().enumerate() {
        let here: Vec<(usize, &Diagnostic)> =
            diags.iter().enumerate().filter(|(_, d)| line_col(text, d.range.start as usize).0 == i).collect();
        if !shown(i) && here.is_empty() {
            continue;
        }
        let line = &text[start..end];
        writeln!(out, "{line}").unwrap();
        for (k, d) in here {
            let (s, e) = (d.range.start as usize, d.range.end as usize);
            let (_, col) = line_col(text, s);
            let (end_line, end_col) = line_col(text, e);
            let pad: String = line.chars().take(col).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            let marks = if s == e {
                "|".to_owned()
            } else if end_line == i {
                "^".repeat(end_col - col)
            } else {
                "^".repeat((line.chars().count() - col).max(1))
            };
            let to = if end_line != i { format!(" (to {}:{})", end_line + 1, end_col + 1) } else { String::new() };
            writeln!(out, "{pad}{marks} {}[{}]{to}: {}", d.severity.as_str(), d.code.as_str(), d.message).unwrap();
            let indent = format!("{pad}{}", " ".repeat(marks.chars().count() + 1));
            if let Some(s) = &d.suggestion {
                writeln!(out, "{indent}suggestion: `{s}`").unwrap();
            }
            for r in &related[k] {
                writeln!(out, "{indent}related: {r}").unwrap();
            }
        }
    }
    if diags.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}
