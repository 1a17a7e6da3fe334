//! `--format human`: rustc-style reports drawn by `annotate-snippets`,
//! followed by a closing count line.
//!
//! ```text
//! error[undefined-reference]: no definition for `@xi-jinpin`
//!  --> articles/a.nmk:3:9
//!   |
//! 3 | Today [Mr. Xi]{@xi-jinpin} said
//!   |                ^^^^^^^^^^
//!   |
//!   = note: also defined at registry/people.nmk:3:1
//!   = help: did you mean `xi-jinping`?
//! ```
//!
//! Only the lines a range touches are handed to the renderer, so a report is
//! O(lines shown), not O(file), however many diagnostics a big file has.

use std::io;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Location, Report, ReportFile};
use crate::analysis::{Code, Diagnostic, Severity};
use crate::cli::exit::Counts;
use crate::text::TextRange;

pub(super) fn render(report: &Report<'_>, color: bool, out: &mut dyn io::Write) -> io::Result<()> {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    for (d, loc) in report.sorted() {
        let notes: Vec<String> =
            d.related.iter().map(|r| related_note(&r.message, &report.locate(r.file, r.range))).collect();
        let help = help_line(d);

        let title = level(d.severity).primary_title(&d.message).id(d.code.as_str());
        let mut group = match report.file(d.file).filter(|f| !f.text.is_empty()) {
            Some(file) => match snippet(file, d) {
                Shown::Whole(snippet) => Group::with_title(title).element(snippet),
                // A cut line: the location comes from the report, as the
                // renderer would count columns from the cut.
                Shown::Cut(snippet) => Group::with_title(title)
                    .element(
                        Origin::path(loc.path).line(loc.start.line as usize).char_column(loc.start.column as usize),
                    )
                    .element(snippet),
            },
            // Nothing to show (an unreadable file, an unknown id): the
            // location line alone.
            None => Group::with_title(title)
                .element(Origin::path(loc.path).line(loc.start.line as usize).char_column(loc.start.column as usize)),
        };
        group = group.elements(notes.iter().map(|n| Level::NOTE.message(n)));
        group = group.elements(help.iter().map(|h| Level::HELP.message(h)));
        writeln!(out, "{}\n", renderer.render(&[group]))?;
    }

    let counts = Counts::of(report.diagnostics);
    match counts.worst() {
        None => writeln!(out, "{}", summary_line(report)),
        Some(worst) => {
            let line = format!("{} emitted", count_phrase(&counts));
            let title: &[Group<'_>] = &[Group::with_title(level(worst).primary_title(&line))];
            writeln!(out, "{}", renderer.render(title))
        }
    }
}

/// The closing line without colour: `checked 3 files: no problems` or
/// `error: 2 errors, 1 warning emitted`.
pub(super) fn summary_line(report: &Report<'_>) -> String {
    let counts = Counts::of(report.diagnostics);
    match counts.worst() {
        None => format!("checked {}: no problems", plural(report.files_checked, "file", "files")),
        Some(worst) => format!("{}: {} emitted", worst.as_str(), count_phrase(&counts)),
    }
}

/// The `= help:` line for a suggestion. The message of every format is
/// self-contained, so most messages already end with "did you mean `x`?";
/// the help line is then left out rather than saying it twice. For an
/// untagged mention the suggestion is the tag to write, not a name the
/// user meant.
fn help_line(d: &Diagnostic) -> Option<String> {
    let s = d.suggestion.as_ref()?;
    if d.code == Code::UntaggedMention {
        return Some(format!("tag it: `{s}`"));
    }
    if d.message.contains(&format!("did you mean `{s}`")) {
        return None;
    }
    Some(format!("did you mean `{s}`?"))
}

/// A note for a related location: `also defined at registry/people.nmk:3:1`
/// when the analysis's message is "also defined"; `see …` when it is empty.
pub(super) fn related_note(message: &str, at: &Location<'_>) -> String {
    if message.is_empty() { format!("see {at}") } else { format!("{message} at {at}") }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        // annotate-snippets has no hint level: a help-coloured one named so.
        Severity::Hint => Level::HELP.with_name(Some("hint")),
    }
}

/// Lines a range touches are shown whole up to this many bytes (a long
/// paragraph on one line is common); beyond, the first line is cut.
const MAX_WHOLE: u32 = 16 << 10;
/// Bytes shown on each side of a range (and of the range itself) in a cut.
const CONTEXT: u32 = 120;

enum Shown<'a> {
    /// The whole lines the range touches, with their path and location.
    Whole(Snippet<'a, annotate_snippets::Annotation<'a>>),
    /// Part of the first line, cut at both ends with `…`, without a path.
    Cut(Snippet<'a, annotate_snippets::Annotation<'a>>),
}

/// The source lines `d.range` touches, with a primary annotation on it.
/// Lines too long to show (a minified 1 MB line) are cut around the range:
/// drawing the whole line for each of its diagnostics made a report
/// quadratic (gigabytes of output, minutes of rendering).
fn snippet<'a>(file: &ReportFile<'a>, d: &Diagnostic) -> Shown<'a> {
    let idx = file.line_index;
    let len = idx.len();
    let (mut lo, mut hi) = (d.range.start.min(d.range.end), d.range.start.max(d.range.end));
    lo = floor_char_boundary(file.text, lo.min(len));
    hi = floor_char_boundary(file.text, hi.min(len)).max(lo);
    let first = idx.line_of(lo);
    let mut last = idx.line_of(hi);
    // A range that ends right at a line start (it took the line end too)
    // is drawn up to the end of the line before, not onto an empty column.
    if hi > lo && last > first && idx.line_range(last).start == hi {
        last -= 1;
        hi = idx.line_range(last).end.max(lo);
    }
    let window = TextRange::new(idx.line_range(first).start, idx.line_range(last).end.max(hi));
    if window.end - window.start > MAX_WHOLE {
        return Shown::Cut(cut_snippet(file, first, lo, hi));
    }
    let source = window.slice(file.text);
    // A lone `\r` ends a line for us (as in LSP) but not for the renderer;
    // `\n` has the same length, so offsets stay valid.
    let source = if source.contains('\r') { normalize_lone_cr(source) } else { source.to_owned() };
    let span = (lo - window.start) as usize..(hi - window.start) as usize;
    Shown::Whole(
        Snippet::source(source)
            .line_start(first as usize + 1)
            .path(file.rel_path)
            .annotation(AnnotationKind::Primary.span(span)),
    )
}

/// Part of line `line` around `lo..hi` (the range cut to the line and to
/// `CONTEXT` bytes), with `…` where the line goes on.
fn cut_snippet<'a>(
    file: &ReportFile<'a>,
    line: u32,
    lo: u32,
    hi: u32,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let text = file.text;
    let bounds = file.line_index.line_range(line);
    let lo = lo.clamp(bounds.start, bounds.end);
    let hi = floor_char_boundary(text, hi.min(bounds.end).min(lo.saturating_add(CONTEXT))).max(lo);
    let from = ceil_char_boundary(text, lo.saturating_sub(CONTEXT).max(bounds.start)).min(lo);
    let to = floor_char_boundary(text, hi.saturating_add(CONTEXT).min(bounds.end)).max(hi);
    let mut source = String::new();
    if from > bounds.start {
        source.push('…');
    }
    let shift = source.len() as u32;
    source.push_str(TextRange::new(from, to).slice(text));
    if to < bounds.end {
        source.push('…');
    }
    let span = (shift + lo - from) as usize..(shift + hi - from) as usize;
    Snippet::source(source).line_start(line as usize + 1).annotation(AnnotationKind::Primary.span(span))
}

fn ceil_char_boundary(text: &str, mut offset: u32) -> u32 {
    while (offset as usize) < text.len() && !text.is_char_boundary(offset as usize) {
        offset += 1;
    }
    offset
}

fn floor_char_boundary(text: &str, mut offset: u32) -> u32 {
    while offset > 0 && !text.is_char_boundary(offset as usize) {
        offset -= 1;
    }
    offset
}

fn normalize_lone_cr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(if c == '\r' && chars.peek() != Some(&'\n') { '\n' } else { c });
    }
    out
}

/// `3 errors, 2 warnings, 1 info, 4 hints`, leaving out zero counts.
fn count_phrase(c: &Counts) -> String {
    let parts = [
        (c.errors, "error", "errors"),
        (c.warnings, "warning", "warnings"),
        (c.infos, "info", "info"),
        (c.hints, "hint", "hints"),
    ];
    let parts: Vec<String> = parts.into_iter().filter(|p| p.0 > 0).map(|(n, one, many)| plural(n, one, many)).collect();
    parts.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases() {
        let c = Counts { errors: 3, warnings: 2, infos: 1, hints: 4 };
        assert_eq!(count_phrase(&c), "3 errors, 2 warnings, 1 info, 4 hints");
        let c = Counts { errors: 0, warnings: 1, infos: 0, hints: 1 };
        assert_eq!(count_phrase(&c), "1 warning, 1 hint");
    }

    #[test]
    fn lone_cr() {
        assert_eq!(normalize_lone_cr("a\rb\r\nc\r"), "a\nb\r\nc\n");
    }
}
