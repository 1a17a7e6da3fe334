//! Folding ranges: front matter, definition blocks, comments (a multi-line
//! one, or a run of comment-only lines) and paragraphs of several lines.

use super::FileContext;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FoldKind {
    Comment,
    /// Front matter, definition blocks, paragraphs.
    Region,
}

/// A foldable range: it starts on its first line and ends on its last line
/// (never after the last line's end), so the server only converts both ends
/// to lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

pub fn folding_ranges(ctx: FileContext) -> Vec<Fold> {
    let text = ctx.text;
    let doc = &ctx.parse.doc;
    let mut out = Vec::new();
    let mut push = |range: TextRange, kind: FoldKind| {
        let range = trim_line_end(text, range);
        if range.slice(text).contains(['\n', '\r']) {
            out.push(Fold { range, kind });
        }
    };
    if let Some(fm) = &doc.front_matter {
        push(fm.range, FoldKind::Region);
    }
    for def in &doc.definitions {
        push(def.range, FoldKind::Region);
    }
    for para in &doc.paragraphs {
        push(para.range, FoldKind::Region);
    }
    // Runs of adjacent comment-only lines fold as one; a comment inside
    // such a run is not folded again.
    let mut runs: Vec<TextRange> = Vec::new();
    for line in &doc.transparent_lines {
        match runs.last_mut() {
            Some(last) if last.end == line.start => last.end = line.end,
            _ => runs.push(*line),
        }
    }
    for run in &runs {
        push(*run, FoldKind::Comment);
    }
    for comment in &doc.comments {
        if !runs.iter().any(|r| r.contains_range(*comment)) {
            push(*comment, FoldKind::Comment);
        }
    }
    out.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    out
}

/// Drops a trailing line end (a transparent line includes its own).
fn trim_line_end(text: &str, range: TextRange) -> TextRange {
    let s = range.slice(text);
    let trimmed = s.trim_end_matches(['\n', '\r']);
    TextRange::new(range.start, range.start + trimmed.len() as u32)
}
