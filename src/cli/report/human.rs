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

use std::io::{self, Write as _};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Location, Report, ReportFile};
use crate::analysis::{Code, Diagnostic, Severity};
use crate::cli::exit::Counts;
use crate::text::TextRange;

pub(super) fn render(report: &Report<'_>, color: bool, out: &mut dyn io::Write) -> io::Result<()> {
    render_by_file(report, color, &mut |_, text| out.write_all(text))?;
    write_closing(&Counts::of(report.diagnostics), report.files_checked, color, out)
}

/// The diagnostics of `report`, the lines of each file handed to `each`
/// in output order (the closing line is [`write_closing`]'s).
pub(super) fn render_by_file(report: &Report<'_>, color: bool, each: &mut super::Each<'_>) -> io::Result<()> {
    // Rendered on every core, in batches written in order: drawing a
    // snippet is the costly part of a report with many diagnostics.
    report.write_each_by_file(each, |d, loc, text| {
        let (group, drawn_column) = group(report, d, loc);
        let mut drawn = renderer(color).render(&[group]);
        if let Some(column) = drawn_column {
            set_column(&mut drawn, loc, column);
        }
        writeln!(&mut *text, "{drawn}\n")
    })
}

/// The closing line for `counts` over `files_checked` files, drawn as the
/// report is.
pub(crate) fn write_closing(
    counts: &Counts,
    files_checked: usize,
    color: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match counts.worst() {
        None => writeln!(out, "{}", summary_of(counts, files_checked)),
        Some(worst) => {
            let line = format!("{} emitted", count_phrase(counts));
            let title: &[Group<'_>] = &[Group::with_title(level(worst).primary_title(&line))];
            writeln!(out, "{}", renderer(color).render(title))
        }
    }
}

fn renderer(color: bool) -> Renderer {
    if color { Renderer::styled() } else { Renderer::plain() }
}

/// One diagnostic as the renderer draws it: title, source lines (or the
/// location alone), notes and help; with the column the renderer will
/// print in the location line when it is shown part of a line and counts
/// from there ([`set_column`] puts the right one back).
fn group<'a>(report: &Report<'a>, d: &'a Diagnostic, loc: &Location<'a>) -> (Group<'a>, Option<usize>) {
    let notes = d.related.iter().map(|r| related_note(&r.message, &report.locate(r.file, r.range)));
    let help = help_line(d);
    let title = level(d.severity).primary_title(&d.message).id(d.code.as_str());
    let origin = || Origin::path(loc.path).line(loc.start.line as usize).char_column(loc.start.column as usize);
    let mut drawn_column = None;
    let group = match report.file(d.file).filter(|f| !f.text.is_empty()) {
        Some(file) => match snippet(file, d) {
            Shown::Whole(snippet) => Group::with_title(title).element(snippet),
            Shown::Narrowed { snippet, column } => {
                drawn_column = Some(column);
                Group::with_title(title).element(snippet)
            }
            // A cut line: the location comes from the report, as the
            // renderer would count columns from the cut.
            Shown::Cut(snippet) => Group::with_title(title).element(origin()).element(snippet),
        },
        // Nothing to show (an unreadable file, an unknown id): the location
        // line alone.
        None => Group::with_title(title).element(origin()),
    };
    let group = group.elements(notes.map(|n| Level::NOTE.message(n))).elements(help.map(|h| Level::HELP.message(h)));
    (group, drawn_column)
}

/// Replaces the column the renderer printed after `-->` (`column`, counted
/// from the start of a narrowed part) with the column in the line.
fn set_column(drawn: &mut String, loc: &Location<'_>, column: usize) {
    let printed = format!("{}:{}:{column}", loc.path, loc.start.line);
    let at = drawn.find("-->").and_then(|arrow| Some(arrow + drawn.get(arrow..)?.find(&printed)?));
    if let Some(at) = at {
        drawn.replace_range(at..at + printed.len(), &loc.to_string());
    }
}

/// The closing line for `counts` over `files_checked` files, without
/// colour: `checked 3 files: no problems` or `error: 2 errors, 1 warning
/// emitted`.
pub(super) fn summary_of(counts: &Counts, files_checked: usize) -> String {
    match counts.worst() {
        None => format!("checked {}: no problems", plural(files_checked, "file", "files")),
        Some(worst) => format!("{}: {} emitted", worst.as_str(), count_phrase(counts)),
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

/// Lines a range touches are handed to the renderer whole (or narrowed, a
/// single line) up to this many bytes; beyond, a range that spans lines
/// or more than [`CONTEXT`] bytes is cut on its first line.
const MAX_WHOLE: u32 = 16 << 10;
/// Bytes shown on each side of a range (and of the range itself) in a cut.
const CONTEXT: u32 = 120;

enum Shown<'a> {
    /// The whole lines the range touches, with their path and location.
    Whole(Snippet<'a, annotate_snippets::Annotation<'a>>),
    /// The part of a long line the renderer shows ([`narrowed`]), with the
    /// column it will count for the range from the part's start.
    Narrowed { snippet: Snippet<'a, annotate_snippets::Annotation<'a>>, column: usize },
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
    let lines = window.slice(file.text);
    let (lo_in, hi_in) = ((lo - window.start) as usize, (hi - window.start) as usize);
    let long = window.end - window.start > MAX_WHOLE;
    // On a line of any length a short range is shown as the renderer
    // would show the whole line; a long range on a long line is cut, or
    // the renderer would draw all of it.
    if first == last
        && (!long || hi - lo <= CONTEXT)
        && let Some(part) = narrowed(lines, lo_in, hi_in)
    {
        let span = lo_in - part.start..hi_in - part.start;
        let column = lines[part.start..lo_in].chars().count() + 1;
        let source = renderable(&lines[part]);
        let snippet = Snippet::source(source)
            .line_start(first as usize + 1)
            .path(file.rel_path)
            .annotation(AnnotationKind::Primary.span(span));
        return Shown::Narrowed { snippet, column };
    }
    if long {
        return Shown::Cut(cut_snippet(file, first, lo, hi));
    }
    Shown::Whole(
        Snippet::source(renderable(lines))
            .line_start(first as usize + 1)
            .path(file.rel_path)
            .annotation(AnnotationKind::Primary.span(lo_in..hi_in)),
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

/// Display columns kept on each side of a range when a line is narrowed:
/// more than the renderer's widest window (140 columns, less the gutter)
/// plus its padding, so it trims the part exactly as it trims the line.
const KEEP: usize = 200;

/// The part of `line` (one line, no line break) that the renderer can show
/// around `lo..hi`, or `None` when the line is short enough to hand over
/// whole. The renderer measures and copies a whole line for each of its
/// diagnostics before it trims it to the terminal's width, which made the
/// human report of a large archive (600,000 diagnostics in paragraphs a
/// line each) ten times slower than the JSON one.
///
/// The part gives the same output because the renderer's window depends
/// only on columns relative to the range once the line is wider than the
/// window, as long as (a) at least [`KEEP`] columns are kept on each side
/// of the range, and after the line's leading whitespace, (b) the part
/// starts on a character that is not whitespace, and (c) the line has a
/// character that is not whitespace before the part: then the renderer
/// finds no leading whitespace to trim in the part, both are wider than
/// its window, and the window's left edge falls after the cut. Widths here are lower bounds of
/// the renderer's (it draws a tab as 4 columns and control characters as
/// 1), so "at least" holds.
fn narrowed(line: &str, lo: usize, hi: usize) -> Option<std::ops::Range<usize>> {
    const CHEAP: usize = 3 * KEEP;
    if line.len() <= CHEAP {
        return None;
    }
    let width = |c: char| if c == '\t' { 4 } else { unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) };
    let mut start = lo;
    let mut kept = 0;
    for (i, c) in line.get(..lo)?.char_indices().rev() {
        kept += width(c);
        start = i;
        // Only the first character that is not whitespace can fail the
        // last test, so this stays linear.
        if kept >= KEEP && !c.is_whitespace() && line[..i].chars().any(|c| !c.is_whitespace()) {
            break;
        }
    }
    // On the right, the columns are counted from the end of the leading
    // whitespace too: the renderer trims that before it looks at ranges,
    // and must still find the line wider than its window.
    let from = hi.max(line.len() - line.trim_start().len());
    let mut end = from;
    let mut kept = 0;
    for (i, c) in line.get(from..)?.char_indices() {
        if kept >= KEEP {
            break;
        }
        kept += width(c);
        end = from + i + c.len_utf8();
    }
    (start > 0 || end < line.len()).then_some(start..end)
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

/// Source as the renderer is given it. A lone `\r` ends a line for us (as
/// in LSP) but not for the renderer; `\n` has the same length, so offsets
/// stay valid.
fn renderable(s: &str) -> String {
    if s.contains('\r') { normalize_lone_cr(s) } else { s.to_owned() }
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

    use proptest::prelude::*;

    use crate::analysis::FileId;
    use crate::text::LineIndex;

    /// Pieces of a line: words, runs of spaces and tabs, wide, zero-width
    /// and control characters, so widths and leading whitespace vary.
    fn line() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            8 => "[a-z]{1,9}".prop_map(|w| w + " "),
            1 => Just(" ".repeat(25)),
            1 => Just(" ".repeat(170)),
            1 => Just("\t\t".to_owned()),
            1 => Just("中文字 ".to_owned()),
            1 => Just("e\u{301}\u{301}\u{200b}".to_owned()),
            1 => Just("\u{1}\u{202e}".to_owned()),
            1 => Just("😀[Mr. Xi]{@xi-jinping}".to_owned()),
        ];
        proptest::collection::vec(piece, 0..300).prop_map(|p| p.concat())
    }

    /// The report of one diagnostic on `line`, which sits on line 3.
    fn report_of(line: &str, lo: usize, hi: usize, color: bool) -> (String, String) {
        let text = format!("# t\n\n{line}\nend\n");
        let base = 5;
        let range = TextRange::new((base + lo) as u32, (base + hi) as u32);
        let diagnostic = Diagnostic {
            file: FileId(0),
            range,
            code: Code::UnknownAlias,
            severity: Severity::Info,
            message: "m".to_owned(),
            related: Vec::new(),
            suggestion: None,
            fix: None,
        };
        let index = LineIndex::new(&text);
        let files = [ReportFile { rel_path: "a.nmk", text: &text, line_index: &index, positions: &[] }];
        let diagnostics = [diagnostic];
        let report = Report { files: &files, diagnostics: &diagnostics, files_checked: 1, checked_paths: &[] };
        let mut out = Vec::new();
        render(&report, color, &mut out).unwrap();
        let got = String::from_utf8(out).unwrap();
        let got = got[..got.rfind("\n\n").unwrap() + 2].to_owned();

        // What the renderer draws from the whole line.
        let whole = Snippet::source(format!("{line}\n"))
            .line_start(3)
            .path("a.nmk")
            .annotation(AnnotationKind::Primary.span(lo..hi));
        let title = Level::INFO.primary_title("m").id("unknown-alias");
        let renderer = renderer(color);
        let want = format!("{}\n\n", renderer.render(&[Group::with_title(title).element(whole)]));
        (got, want)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// A line narrowed to what the renderer shows draws exactly as the
        /// whole line does.
        #[test]
        fn a_narrowed_line_draws_as_the_whole_line(
            line in line(), a in 0.0..1.0f64, len in 0usize..40, color: bool,
        ) {
            let floor = |mut i: usize| { while !line.is_char_boundary(i) { i -= 1; } i };
            let lo = floor((line.len() as f64 * a) as usize);
            let hi = floor((lo + len).min(line.len())).max(lo);
            let (got, want) = report_of(&line, lo, hi, color);
            prop_assert_eq!(got, want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Past the size of a line shown whole, a short range is still
        /// drawn as the whole line would be (with no `:::` line).
        #[test]
        fn a_short_range_on_a_very_long_line_draws_as_the_whole_line(
            tail in line(), a in 0.0..1.0f64, len in 0usize..40, color: bool,
        ) {
            let line = format!("{}{tail}", "filler words ".repeat(1400));
            let floor = |mut i: usize| { while !line.is_char_boundary(i) { i -= 1; } i };
            let lo = floor((line.len() as f64 * a) as usize);
            let hi = floor((lo + len).min(line.len())).max(lo);
            let (got, want) = report_of(&line, lo, hi, color);
            prop_assert!(!got.contains(":::"));
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn a_range_far_into_a_long_line_is_narrowed() {
        let line = "word ".repeat(400);
        assert_eq!(narrowed(&line, 1000, 1004), Some(800..1204));
        assert_eq!(narrowed(&line, 10, 14), Some(0..214));
        assert_eq!(narrowed(&line[..500], 10, 14), None);
        // Whitespace alone before the range: the renderer would trim it, so
        // the line keeps its start.
        let line = format!("{}{}", " ".repeat(1000), "word ".repeat(200));
        assert_eq!(narrowed(&line, 1500, 1504).map(|r| r.start), Some(1300));
        assert_eq!(narrowed(&line, 1100, 1104).map(|r| r.start), Some(0));
    }

    #[test]
    fn lone_cr() {
        assert_eq!(normalize_lone_cr("a\rb\r\nc\r"), "a\nb\r\nc\n");
    }
}
