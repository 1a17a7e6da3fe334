//! Renderers for `newsmark check --format
//! human|json|github|sarif|gitlab|junit` (spec §11). All take the same [`Report`] and write to any
//! `io::Write`; a write error (a closed pipe) is returned, never a panic.
//!
//! Positions everywhere are 1-based lines and 1-based columns counted in
//! Unicode scalar values, the end exclusive — the unit of spec §11's JSON.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use std::io;
use std::path::Path;

use rayon::prelude::*;

use crate::analysis::{Diagnostic, FileId};
use crate::text::{LineIndex, PositionEncoding, TextRange};

/// How every format, and every message, shows a file path (§11): relative
/// to the current folder `cwd`, `/`-separated, `../` where the file lies
/// outside it, whatever `--root` says; so a GitHub annotation or a SARIF
/// result lands on the right file. `path` and `cwd` are canonical.
pub fn shown_path(path: &Path, cwd: &Path) -> String {
    crate::workspace::load::display_path(path, cwd)
}

/// [`shown_path`] for a folder, `.` for the current folder itself.
pub fn shown_folder(path: &Path, cwd: &Path) -> String {
    Some(shown_path(path, cwd)).filter(|p| !p.is_empty()).unwrap_or_else(|| ".".to_string())
}

/// One file a diagnostic (or its related information) points into.
#[derive(Clone, Copy, Debug)]
pub struct ReportFile<'a> {
    /// The path as every format shows it: [`shown_path`].
    pub rel_path: &'a str,
    pub text: &'a str,
    pub line_index: &'a LineIndex,
    /// Positions already known (from the cache), by offset, sorted: an
    /// offset found here needs neither `text` nor `line_index`, so a
    /// report that shows no source lines need not read the file.
    pub positions: &'a [(u32, Position)],
}

/// Everything a renderer needs. `Diagnostic::file` and `Related::file`
/// index `files`; an index out of bounds renders as `?` at 1:1.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    pub files: &'a [ReportFile<'a>],
    /// In any order; renderers sort them (file, line, column, code).
    pub diagnostics: &'a [Diagnostic],
    /// How many files were checked, for the human closing line.
    pub files_checked: usize,
    /// The path of every file checked, shown as `rel_path` is (JUnit has a
    /// test case per file, passed or not); may be empty for the others.
    pub checked_paths: &'a [String],
}

/// The `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
    Gitlab,
    Junit,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::Human, Format::Json, Format::Github, Format::Sarif, Format::Gitlab, Format::Junit];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
            Format::Gitlab => "gitlab",
            Format::Junit => "junit",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A rendered piece of a report, and where each file's part of it ends.
type Piece = (Vec<u8>, Vec<(FileId, usize)>);

/// Receives rendered text with the file it belongs to.
pub type Each<'e> = dyn FnMut(FileId, &[u8]) -> io::Result<()> + 'e;

/// Whether `format` is lines (or blocks) per diagnostic with nothing
/// around them but a closing line ([`write_closing`]), so that a file's
/// lines can be kept and given again as they are (the cache's kept
/// rendering).
pub fn lines_per_file(format: Format) -> bool {
    matches!(format, Format::Json | Format::Github | Format::Human)
}

/// Renders `report` in `format`, one with [`lines_per_file`] (`None` for
/// the others), handing `each` the lines of each file in output order,
/// as [`Report::write_each_by_file`] does.
pub fn render_by_file(format: Format, report: &Report<'_>, color: bool, each: &mut Each<'_>) -> Option<io::Result<()>> {
    match format {
        Format::Json => Some(json::render_by_file(report, each)),
        Format::Github => Some(github::render_by_file(report, each)),
        Format::Human => Some(human::render_by_file(report, color, each)),
        Format::Sarif | Format::Gitlab | Format::Junit => None,
    }
}

/// What follows the lines of every file in `format`: the closing count
/// line of `human`, for `counts` over `files_checked` files.
pub fn write_closing(
    format: Format,
    counts: &super::Counts,
    files_checked: usize,
    color: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::write_closing(counts, files_checked, color, out),
        _ => Ok(()),
    }
}

/// The human closing line (`2 errors, 1 warning emitted`) for `counts`
/// over `files_checked` files, printed to the terminal when the report
/// goes to `--output-file`.
pub fn summary_of(counts: &super::Counts, files_checked: usize) -> String {
    human::summary_of(counts, files_checked)
}

/// Writes `report` in `format`. `color` only affects `human`; compute it
/// with [`color_wanted`].
pub fn render(format: Format, report: &Report<'_>, color: bool, out: &mut dyn io::Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, color, out),
        Format::Json => json::render(report, out),
        Format::Github => github::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Gitlab => gitlab::render(report, out),
        Format::Junit => junit::render(report, out),
    }
}

/// Whether human output should be coloured: only on a terminal, and never
/// when `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn color_wanted(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A 1-based line and 1-based column in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// A range resolved to a path and positions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Location<'a> {
    pub path: &'a str,
    pub start: Position,
    pub end: Position,
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.start.line, self.start.column)
    }
}

const UNKNOWN_PATH: &str = "?";

impl<'a> Report<'a> {
    pub(crate) fn file(&self, id: FileId) -> Option<&ReportFile<'a>> {
        self.files.get(id.0 as usize)
    }

    pub(crate) fn locate(&self, id: FileId, range: TextRange) -> Location<'a> {
        let Some(file) = self.file(id) else {
            let origin = Position { line: 1, column: 1 };
            return Location { path: UNKNOWN_PATH, start: origin, end: origin };
        };
        // A reversed range (never expected) is read as its two ends in order.
        let (lo, hi) = (range.start.min(range.end), range.start.max(range.end));
        let pos = |offset| {
            if let Ok(i) = file.positions.binary_search_by_key(&offset, |(o, _)| *o) {
                return file.positions[i].1;
            }
            let lc = file.line_index.line_col(file.text, offset, PositionEncoding::Utf32);
            Position { line: lc.line + 1, column: lc.col + 1 }
        };
        Location { path: file.rel_path, start: pos(lo), end: pos(hi) }
    }

    /// The text a diagnostic covers, as the baseline and fingerprints
    /// identify it.
    pub(crate) fn covered_text(&self, d: &Diagnostic) -> &'a str {
        self.file(d.file).and_then(|f| f.text.get(d.range.as_usize())).unwrap_or("")
    }

    /// The diagnostics with their locations, in output order: file, line,
    /// column, code, then end and message so the order is total.
    pub(crate) fn sorted(&self) -> Vec<(&'a Diagnostic, Location<'a>)> {
        let mut items: Vec<_> = self.diagnostics.par_iter().map(|d| (d, self.locate(d.file, d.range))).collect();
        items.par_sort_by(|(da, la), (db, lb)| {
            (la.path, la.start, da.code.as_str(), la.end, &da.message).cmp(&(
                lb.path,
                lb.start,
                db.code.as_str(),
                lb.end,
                &db.message,
            ))
        });
        items
    }

    /// Hands `each` the text `render` gives each diagnostic, in output
    /// order, with the file it is located in: the text of one file comes
    /// in one call or several in a row. Batches are rendered on every core
    /// and handed over in order, so memory holds one batch's text: a large
    /// corpus has hundreds of thousands of diagnostics (340 MB of JSON),
    /// which one thread took seconds to write.
    pub(crate) fn write_each_by_file<F>(&self, each: &mut Each<'_>, render: F) -> io::Result<()>
    where
        F: Fn(&Diagnostic, &Location<'a>, &mut Vec<u8>) -> io::Result<()> + Sync,
    {
        const BATCH: usize = 1 << 14;
        const PIECE: usize = 1 << 9;
        let items = self.sorted();
        for batch in items.chunks(BATCH) {
            // Each piece's text, and where each file's part of it ends.
            let pieces: Vec<io::Result<Piece>> = batch
                .par_chunks(PIECE)
                .map(|piece| {
                    let mut text = Vec::new();
                    let mut ends: Vec<(FileId, usize)> = Vec::new();
                    for (d, loc) in piece {
                        render(d, loc, &mut text)?;
                        match ends.last_mut() {
                            Some((file, end)) if *file == d.file => *end = text.len(),
                            _ => ends.push((d.file, text.len())),
                        }
                    }
                    Ok((text, ends))
                })
                .collect();
            for piece in pieces {
                let (text, ends) = piece?;
                let mut start = 0;
                for (file, end) in ends {
                    each(file, text.get(start..end).unwrap_or_default())?;
                    start = end;
                }
            }
        }
        Ok(())
    }
}
