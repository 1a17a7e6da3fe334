//! Comment removal (spec §5): the first step of parsing. Produces the
//! "cleaned" text that every later step reads, and the map from cleaned
//! offsets back to offsets in the original text.
//!
//! A line holding only comments and white space is transparent: it is
//! removed together with one line end, so that it neither ends a paragraph
//! nor a definition block.

use std::borrow::Cow;

use memchr::{memchr3, memmem};

use super::ast::SyntaxError;
use crate::text::TextRange;

/// The text with comments and transparent lines removed.
pub(crate) struct Cleaned<'a> {
    pub text: Cow<'a, str>,
    pub map: OffsetMap,
    pub comments: Vec<TextRange>,
    pub transparent_lines: Vec<TextRange>,
    pub errors: Vec<SyntaxError>,
}

/// Maps offsets in the cleaned text to offsets in the original text.
///
/// The cleaned text is a concatenation of runs copied verbatim from the
/// original; `segments` holds `(cleaned_start, original_start)` of each run,
/// sorted, the first starting at cleaned offset 0. An offset on the boundary
/// of two runs is ambiguous: as the start of a range it belongs to the later
/// run, as the end of a range to the earlier one.
pub(crate) struct OffsetMap {
    segments: Vec<(u32, u32)>,
}

impl OffsetMap {
    fn shifted(shift: usize) -> OffsetMap {
        OffsetMap { segments: vec![(0, shift as u32)] }
    }

    /// True when cleaned and original offsets are the same.
    pub fn is_identity(&self) -> bool {
        self.segments == [(0, 0)]
    }

    /// The original offset of a cleaned offset that starts a range.
    pub fn start(&self, cleaned: u32) -> u32 {
        let after = self.segments.partition_point(|&(start, _)| start <= cleaned);
        self.resolve(after, cleaned)
    }

    /// The original offset of a cleaned offset that ends a range.
    pub fn end(&self, cleaned: u32) -> u32 {
        let after = self.segments.partition_point(|&(start, _)| start < cleaned).max(1);
        self.resolve(after, cleaned)
    }

    fn resolve(&self, after: usize, cleaned: u32) -> u32 {
        match self.segments.get(after.wrapping_sub(1)) {
            Some(&(cleaned_start, original_start)) => {
                original_start.saturating_add(cleaned.saturating_sub(cleaned_start))
            }
            None => cleaned,
        }
    }

    pub fn range(&self, range: TextRange) -> TextRange {
        let start = self.start(range.start);
        if range.is_empty() { TextRange::empty(start) } else { TextRange::new(start, self.end(range.end).max(start)) }
    }
}

const OPEN: &[u8] = b"<!--";
const CLOSE: &[u8] = b"-->";

/// Removes the comments of `text[body_start..]` (`body_start` skips a BOM).
pub(crate) fn remove_comments(text: &str, body_start: usize) -> Cleaned<'_> {
    let body = text.get(body_start..).unwrap_or("");
    if memmem::find(body.as_bytes(), OPEN).is_none() {
        // The common case: no copy at all.
        return Cleaned {
            text: Cow::Borrowed(body),
            map: OffsetMap::shifted(body_start),
            comments: Vec::new(),
            transparent_lines: Vec::new(),
            errors: Vec::new(),
        };
    }
    Cleaner::new(text, body_start).run()
}

struct Cleaner<'a> {
    text: &'a str,
    out: String,
    segments: Vec<(u32, u32)>,
    /// Original offset of the first byte neither copied to `out` nor dropped.
    copy_from: usize,
    comments: Vec<TextRange>,
    transparent_lines: Vec<TextRange>,
    errors: Vec<SyntaxError>,
}

impl<'a> Cleaner<'a> {
    fn new(text: &'a str, body_start: usize) -> Cleaner<'a> {
        Cleaner {
            text,
            out: String::with_capacity(text.len()),
            segments: Vec::new(),
            copy_from: body_start,
            comments: Vec::new(),
            transparent_lines: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Copies the original text up to `upto` into the cleaned text.
    fn flush(&mut self, upto: usize) {
        if upto <= self.copy_from {
            return;
        }
        let chunk = self.text.get(self.copy_from..upto).unwrap_or("");
        let out_len = self.out.len() as u32;
        let contiguous = self
            .segments
            .last()
            .is_some_and(|&(cleaned, original)| original as usize + (out_len - cleaned) as usize == self.copy_from);
        if !contiguous && !chunk.is_empty() {
            self.segments.push((out_len, self.copy_from as u32));
        }
        self.out.push_str(chunk);
        self.copy_from = upto;
    }

    /// Drops the end of the cleaned text from `len` on.
    fn truncate(&mut self, len: usize) {
        if len >= self.out.len() {
            return;
        }
        // `len` is always a line start or line end: a char boundary.
        if self.out.is_char_boundary(len) {
            self.out.truncate(len);
        }
        while self.segments.last().is_some_and(|&(cleaned, _)| cleaned as usize >= len) {
            self.segments.pop();
        }
    }

    /// Where original offset `at` (not yet copied) lands in the cleaned text.
    fn cleaned_offset(&self, at: usize) -> usize {
        self.out.len() + at.saturating_sub(self.copy_from)
    }

    /// True when the current line, from cleaned offset `line_start_out`
    /// up to original offset `upto`, holds nothing but spaces and tabs.
    fn line_is_blank(&self, line_start_out: usize, upto: usize) -> bool {
        let copied = self.out.as_bytes().get(line_start_out..).unwrap_or(&[]);
        let pending = self.text.as_bytes().get(self.copy_from..upto).unwrap_or(&[]);
        copied.iter().chain(pending).all(|&b| b == b' ' || b == b'\t')
    }

    fn run(mut self) -> Cleaned<'a> {
        let bytes = self.text.as_bytes();
        let close_finder = memmem::Finder::new(CLOSE);
        let mut pos = self.copy_from;
        let mut line_start = pos;
        let mut line_start_out = 0usize;
        let mut prev_line_end_out: Option<usize> = None;
        let mut line_has_comment = false;
        // Backslashes before an opener are counted back to here only.
        let mut backslash_floor = pos;

        while let Some(found) = bytes.get(pos..).and_then(|rest| memchr3(b'<', b'\n', b'\r', rest)) {
            let at = pos + found;
            match bytes.get(at) {
                Some(b'<') => {
                    let opens = bytes.get(at..).is_some_and(|rest| rest.starts_with(OPEN))
                        && even_backslashes_before(bytes, at, backslash_floor);
                    if !opens {
                        pos = at + 1;
                        continue;
                    }
                    self.flush(at);
                    let body = at + OPEN.len();
                    let end = match bytes.get(body..).and_then(|rest| close_finder.find(rest)) {
                        Some(offset) => body + offset + CLOSE.len(),
                        None => {
                            self.errors.push(SyntaxError {
                                range: TextRange::new(at as u32, body as u32),
                                message: "expected '-->' closing the comment opened here, found the end of the file, so the rest of the file is a comment (write '\\<!--' for the literal text)".to_string(),
                            });
                            bytes.len()
                        }
                    };
                    self.comments.push(TextRange::new(at as u32, end as u32));
                    self.copy_from = end;
                    backslash_floor = end;
                    line_has_comment = true;
                    pos = end;
                }
                Some(&first) => {
                    let eol_len = if first == b'\r' && bytes.get(at + 1) == Some(&b'\n') { 2 } else { 1 };
                    let next = at + eol_len;
                    if line_has_comment && self.line_is_blank(line_start_out, at) {
                        self.transparent_lines.push(TextRange::new(line_start as u32, next as u32));
                        match prev_line_end_out {
                            // Drop the previous line end and the line's
                            // content, keep this line's end: a line end that
                            // follows stays a line of its own.
                            Some(prev_end) => {
                                self.truncate(prev_end);
                                self.copy_from = at;
                            }
                            None => {
                                self.truncate(line_start_out);
                                self.copy_from = next;
                            }
                        }
                    } else {
                        prev_line_end_out = Some(self.cleaned_offset(at));
                    }
                    line_start_out = self.cleaned_offset(next);
                    line_has_comment = false;
                    line_start = next;
                    pos = next;
                }
                None => break,
            }
        }

        if line_has_comment && self.line_is_blank(line_start_out, bytes.len()) {
            self.transparent_lines.push(TextRange::new(line_start as u32, bytes.len() as u32));
            self.truncate(prev_line_end_out.unwrap_or(line_start_out));
            self.copy_from = bytes.len();
        }
        self.flush(bytes.len());
        if self.segments.is_empty() {
            self.segments.push((0, self.copy_from as u32));
        }
        Cleaned {
            text: Cow::Owned(self.out),
            map: OffsetMap { segments: self.segments },
            comments: self.comments,
            transparent_lines: self.transparent_lines,
            errors: self.errors,
        }
    }
}

/// False when the byte at `at` follows an odd run of backslashes.
fn even_backslashes_before(bytes: &[u8], at: usize, floor: usize) -> bool {
    let before = bytes.get(floor..at).unwrap_or(&[]);
    before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
}
