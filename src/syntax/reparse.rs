//! Incremental reparsing: after an edit, only the region it can affect is
//! parsed again, and the result is spliced into the old parse. The outcome
//! is always equal to a fresh [`parse`](super::parse) of the new text.
//!
//! Why a region is enough: paragraphs and definition blocks end at blank
//! lines, and nothing the parser carries from one line to the next survives
//! a blank line — except a comment (which may span it) and the front matter
//! (whose blank lines are inside it). So the region runs from the line after
//! the last blank line before the edit to the first blank line after it,
//! where neither blank line lies inside a comment or the front matter. An
//! edit that may open or close a comment, or change what the front matter
//! holds beyond the region, falls back to a whole parse.

use memchr::{memchr2, memmem, memrchr2};

use super::ast::{Document, Parse};
use super::blocks::parse_part;
use super::lines::is_blank;
use super::remap::{RangeMap, Shift, remap, remap_definition, remap_tag};
use crate::text::{TextEdit, TextRange};

/// The region a reparse replaced: `old` in the old text, `new` in the new
/// one. Before `old.start` nothing moved; from `old.end` on everything moved
/// by `new.end - old.end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reparsed {
    pub old: TextRange,
    pub new: TextRange,
}

impl Reparsed {
    pub fn delta(self) -> i64 {
        i64::from(self.new.end) - i64::from(self.old.end)
    }

    /// This reparse followed by `next` (a reparse of the text this one
    /// gave) as one: the region of the first text that changed, and what
    /// it became. Both regions start where the texts start to differ, so
    /// the union of `self.new` and `next.old` maps back by `self`'s shift
    /// and forward by `next`'s.
    pub fn then(self, next: Reparsed) -> Reparsed {
        let start = self.new.start.min(next.old.start);
        let end = self.new.end.max(next.old.end);
        let old_end = i64::from(end) - self.delta();
        let new_end = i64::from(end) + next.delta();
        Reparsed {
            old: TextRange::new(start, old_end.clamp(i64::from(start), i64::from(u32::MAX)) as u32),
            new: TextRange::new(start, new_end.clamp(i64::from(start), i64::from(u32::MAX)) as u32),
        }
    }

    /// The whole text was parsed again.
    fn whole(old_len: u32, new_len: u32) -> Reparsed {
        Reparsed { old: TextRange::new(0, old_len), new: TextRange::new(0, new_len) }
    }
}

/// Updates `parse`, the parse of the text before `edit`, into the parse of
/// `new_text` (the text after it). Costs the size of the affected region
/// plus a shift of the ranges after it.
pub fn reparse(parse: &mut Parse, new_text: &str, edit: TextEdit) -> Reparsed {
    let new_len = new_text.len() as u32;
    let old_len = (i64::from(new_len) - edit.delta()).clamp(0, i64::from(u32::MAX)) as u32;
    let consistent = edit.start <= edit.old_end
        && edit.start <= edit.new_end
        && edit.new_end <= new_len
        && edit.old_end <= old_len
        && new_text.is_char_boundary(edit.start as usize)
        && new_text.is_char_boundary(edit.new_end as usize);
    let region = if consistent { region(&parse.doc, new_text, edit) } else { None };
    let Some(new) = region else {
        *parse = super::parse(new_text);
        return Reparsed::whole(old_len, new_len);
    };
    let old = TextRange::new(new.start, (i64::from(new.end) - edit.delta()) as u32);
    let reparsed = Reparsed { old, new };
    let Some(text) = new_text.get(new.as_usize()) else {
        *parse = super::parse(new_text);
        return Reparsed::whole(old_len, new_len);
    };
    let mut part = parse_part(text, new.start == 0);
    let to_end = new.end == new_len;
    if part.doc.front_matter.as_ref().is_some_and(|fm| !fm.closed) && !to_end {
        // The front matter no longer closes inside the region: it runs on.
        *parse = super::parse(new_text);
        return Reparsed::whole(old_len, new_len);
    }
    if new.start > 0 {
        let shift = Shift(i64::from(new.start));
        remap(&mut part, &shift);
        // Comments are found in the original text, so `remap` leaves them.
        for range in part.doc.comments.iter_mut().chain(&mut part.doc.transparent_lines) {
            *range = shift.range(*range);
        }
    }
    splice(parse, part, reparsed, to_end);
    reparsed
}

/// The region of the new text to parse again, or `None` for the whole.
fn region(doc: &Document, text: &str, edit: TextEdit) -> Option<TextRange> {
    let bytes = text.as_bytes();
    if may_change_comments(doc, bytes, edit) {
        return None;
    }
    let delta = edit.delta();
    // Blank lines inside the front matter do not end anything; an unclosed
    // one runs to the end of the text.
    // An edit in the front matter (or on the line after it) reparses it
    // from the start; the region then ends after where it ended, and the
    // reparse checks that it still closes there.
    let (in_front_matter, front_matter_end) = match &doc.front_matter {
        Some(fm) if !fm.closed => return None,
        Some(fm) if fm.range.end.saturating_add(2) >= edit.start => {
            (true, (i64::from(fm.range.end) + delta).max(0) as usize)
        }
        Some(fm) => (false, fm.range.end as usize),
        None => (false, 0),
    };
    let in_comment = |at: usize, old: usize| {
        let at = if at >= edit.new_end as usize { old } else { at };
        let i = doc.comments.partition_point(|c| (c.end as usize) <= at);
        doc.comments.get(i).is_some_and(|c| (c.start as usize) <= at)
    };
    let to_old = |at: usize| (at as i64 - delta) as usize;

    // Backwards: a line start after a blank line, before the edit's line
    // (a byte of margin: a `\n` typed after a `\r` joins two line ends).
    let mut start = if in_front_matter { 0 } else { line_start(bytes, (edit.start as usize).saturating_sub(1)) };
    loop {
        if start == 0 {
            break;
        }
        let (line_start, blank) = previous_line(bytes, start);
        if blank && line_start >= front_matter_end && !in_comment(line_start, line_start) {
            break;
        }
        start = line_start;
    }

    // Forwards: the start of a blank line after the edit's line.
    let mut at = next_line_start(bytes, (edit.new_end as usize + 1).min(bytes.len()));
    let end = loop {
        if at >= bytes.len() {
            break bytes.len();
        }
        let line_end = memchr2(b'\n', b'\r', bytes.get(at..)?).map_or(bytes.len(), |i| at + i);
        let blank = is_blank(bytes.get(at..line_end)?);
        if blank && at >= front_matter_end && !in_comment(at, to_old(at)) {
            break at;
        }
        at = next_line_start(bytes, line_end);
    };
    Some(TextRange::new(start as u32, end as u32))
}

/// True when the edit may open, close or escape a comment, or lies in or
/// next to one: then comments elsewhere may change, and only a whole parse
/// knows.
fn may_change_comments(doc: &Document, bytes: &[u8], edit: TextEdit) -> bool {
    let (start, old_end) = (edit.start, edit.old_end);
    // An edit touching a comment (a byte of margin) changes it; one near a
    // comment can only make or unmake a delimiter, which the window below
    // finds in the new text. (A wider margin sent typing at the end of a
    // line just before a comment line to a whole parse.)
    let i = doc.comments.partition_point(|c| c.end.saturating_add(1) < start);
    if doc.comments.get(i).is_some_and(|c| c.start <= old_end.saturating_add(1)) {
        return true;
    }
    // A run of backslashes right after the edit decides whether a `<!--`
    // after it is escaped.
    let mut after = edit.new_end as usize;
    while bytes.get(after) == Some(&b'\\') {
        after += 1;
    }
    let window = bytes.get((start as usize).saturating_sub(4)..(after + 4).min(bytes.len())).unwrap_or(&[]);
    memmem::find(window, b"<!--").is_some() || memmem::find(window, b"-->").is_some()
}

/// The start of the line holding byte `at` (a `\r\n` counts as one end).
fn line_start(bytes: &[u8], at: usize) -> usize {
    match memrchr2(b'\n', b'\r', bytes.get(..at).unwrap_or(&[])) {
        Some(i) if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') => i + 2,
        Some(i) => i + 1,
        None => 0,
    }
}

/// The start of the line after the one holding byte `at`.
fn next_line_start(bytes: &[u8], at: usize) -> usize {
    let Some(i) = bytes.get(at..).and_then(|rest| memchr2(b'\n', b'\r', rest)).map(|i| at + i) else {
        return bytes.len();
    };
    if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 }
}

/// The line ending right before line start `start`: its start, and whether
/// it is blank.
fn previous_line(bytes: &[u8], start: usize) -> (usize, bool) {
    let eol = if start >= 2 && bytes.get(start - 2..start) == Some(b"\r\n") { 2 } else { 1 };
    let content_end = start.saturating_sub(eol);
    let line_start = line_start(bytes, content_end);
    (line_start, is_blank(bytes.get(line_start..content_end).unwrap_or(&[])))
}

/// Replaces what `parse` holds in `at.old` by `part` (already at its place in
/// the new text) and moves what follows. `to_end`: the region runs to the
/// end of the text, so whatever starts at its end belongs to it too.
fn splice(parse: &mut Parse, part: Parse, at: Reparsed, to_end: bool) {
    let shift = Shift(at.delta());
    let (rs, re) = (at.old.start, at.old.end);
    let bounds = |len: usize, start_of: &dyn Fn(usize) -> u32| {
        let first = partition(len, |i| start_of(i) < rs);
        let last = if to_end { len } else { partition(len, |i| start_of(i) < re) };
        (first, last.max(first))
    };
    let doc = &mut parse.doc;
    let new = part.doc;
    if at.new.start == 0 {
        doc.bom = new.bom;
        doc.front_matter = new.front_matter;
    }

    let (a, b) = bounds(doc.paragraphs.len(), &|i| doc.paragraphs[i].range.start);
    let count = new.paragraphs.len();
    doc.paragraphs.splice(a..b, new.paragraphs);
    for paragraph in doc.paragraphs.get_mut(a + count..).unwrap_or(&mut []) {
        paragraph.range = shift.range(paragraph.range);
    }

    let new_count = new.tags.len();
    let (a, b) = bounds(doc.tags.len(), &|i| doc.tags[i].range.start);
    let tag_delta = new_count as i64 - (b - a) as i64;
    let region_tags = new.tags.into_iter().map(|mut tag| {
        tag.parent = tag.parent.map(|p| p + a as u32);
        tag
    });
    doc.tags.splice(a..b, region_tags);
    for tag in doc.tags.get_mut(a + new_count..).unwrap_or(&mut []) {
        remap_tag(tag, &shift);
        tag.parent = tag.parent.map(|p| (i64::from(p) + tag_delta) as u32);
    }

    let (a, b) = bounds(doc.definitions.len(), &|i| doc.definitions[i].range.start);
    let count = new.definitions.len();
    doc.definitions.splice(a..b, new.definitions);
    doc.definitions.get_mut(a + count..).unwrap_or(&mut []).iter_mut().for_each(|d| remap_definition(d, &shift));

    splice_ranges(&mut doc.comments, new.comments, rs, re, to_end, &shift);
    splice_ranges(&mut doc.transparent_lines, new.transparent_lines, rs, re, to_end, &shift);

    let (a, b) = bounds(doc.escapes.len(), &|i| doc.escapes[i]);
    let count = new.escapes.len();
    doc.escapes.splice(a..b, new.escapes);
    doc.escapes.get_mut(a + count..).unwrap_or(&mut []).iter_mut().for_each(|e| *e = shift.start(*e));

    let errors = &mut parse.errors;
    let (a, b) = bounds(errors.len(), &|i| errors[i].range.start);
    let count = part.errors.len();
    errors.splice(a..b, part.errors);
    errors.get_mut(a + count..).unwrap_or(&mut []).iter_mut().for_each(|e| e.range = shift.range(e.range));
}

/// [`splice`] for a sorted list of ranges.
fn splice_ranges(list: &mut Vec<TextRange>, new: Vec<TextRange>, rs: u32, re: u32, to_end: bool, shift: &Shift) {
    let a = list.partition_point(|r| r.start < rs);
    let b = if to_end { list.len() } else { list.partition_point(|r| r.start < re) }.max(a);
    let count = new.len();
    list.splice(a..b, new);
    list.get_mut(a + count..).unwrap_or(&mut []).iter_mut().for_each(|r| *r = shift.range(*r));
}

/// The first index in `0..len` where `below` turns false (it must be true
/// then false).
fn partition(len: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
