//! The plain text of a document (spec §8): its paragraphs with the markup
//! removed, and the maps between plain-text and source offsets.

use memchr::memchr;

use super::ast::Parse;
use crate::text::TextRange;

/// The article text of a document, as §8 defines it: paragraphs in order,
/// tag brackets and reference lists of well-formed tags, escape
/// backslashes, comments and transparent lines removed, line breaks written
/// `\n`, paragraphs joined by `\n\n`, ending with `\n` (empty without prose).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlainText {
    pub text: String,
    /// One span per tag, at the same index as in `Document::tags`.
    pub tags: Vec<PlainTagSpan>,
    /// The byte range of each paragraph (`Document::paragraphs`) in `text`,
    /// its final line end excluded.
    pub paragraphs: Vec<TextRange>,
    /// The runs of `text` copied verbatim from the source, sorted and
    /// disjoint. Bytes of `text` outside every run were written by the
    /// conversion: the `\n` of a lone `\r` line end and the `\n\n` between
    /// paragraphs.
    pub segments: Vec<PlainSegment>,
}

/// Where a tag's text (between its brackets) lies in the plain text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlainTagSpan {
    /// Offsets in Unicode scalar values (what §8 and the NLP exports count).
    pub start: u32,
    pub end: u32,
    /// Byte offsets into `PlainText::text`.
    pub byte_start: u32,
    pub byte_end: u32,
}

/// `len` bytes at `plain` in the plain text are the same bytes as at
/// `source` in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainSegment {
    pub plain: u32,
    pub source: u32,
    pub len: u32,
}

impl PlainText {
    /// The source offset of plain-text byte offset `plain`, taken as the
    /// start of a range: on the boundary of two runs, the later run's start.
    /// A written byte maps to the end of the run before it.
    pub fn source_offset(&self, plain: u32) -> u32 {
        let after = self.segments.partition_point(|s| s.plain <= plain);
        self.resolve(after, plain)
    }

    /// The source offset of `plain` taken as the end of a range: on the
    /// boundary of two runs, the earlier run's end.
    pub fn source_end(&self, plain: u32) -> u32 {
        let after = self.segments.partition_point(|s| s.plain < plain).max(1);
        self.resolve(after, plain)
    }

    /// The source range of a plain-text byte range (e.g. an untagged
    /// mention found by scanning `text`).
    pub fn source_range(&self, plain: TextRange) -> TextRange {
        let start = self.source_offset(plain.start);
        if plain.is_empty() {
            return TextRange::empty(start);
        }
        TextRange::new(start, self.source_end(plain.end).max(start))
    }

    fn resolve(&self, after: usize, plain: u32) -> u32 {
        match self.segments.get(after.wrapping_sub(1)) {
            Some(segment) => segment.source.saturating_add(plain.saturating_sub(segment.plain).min(segment.len)),
            None => 0,
        }
    }
}

/// Builds the plain text of `text`, which `parse` is the parse of.
pub fn plain_text(text: &str, parse: &Parse) -> PlainText {
    build(text, parse, &|_| true)
}

/// The plain text of the paragraphs for which `wanted` holds, for checks
/// that read only some paragraphs (the region of an edit in a large
/// article): each wanted paragraph's text, segments and tag spans are
/// those of [`plain_text`], at other offsets. Every other paragraph is left
/// out: its range is empty, its tags' spans are empty at `u32::MAX` (past
/// the text), and the offsets in Unicode scalar values count only what
/// was built.
pub fn plain_text_of(text: &str, parse: &Parse, wanted: &dyn Fn(usize) -> bool) -> PlainText {
    build(text, parse, wanted)
}

fn build(text: &str, parse: &Parse, wanted: &dyn Fn(usize) -> bool) -> PlainText {
    let doc = &parse.doc;
    // A tag of a paragraph left out keeps this span; the others get theirs.
    let left_out = match (0..doc.paragraphs.len()).all(wanted) {
        true => PlainTagSpan::default(),
        false => PlainTagSpan { start: u32::MAX, end: u32::MAX, byte_start: u32::MAX, byte_end: u32::MAX },
    };
    let mut builder = Builder {
        source: text,
        out: PlainText { tags: vec![left_out; doc.tags.len()], ..PlainText::default() },
        chars: 0,
        cursor: 0,
    };
    let mut events = Vec::new();
    let mut built_any = false;
    // Each paragraph applies the events from the end of the one before it
    // to its own end: markup skipped between paragraphs can reach into the
    // next one. Tags lie inside their paragraph.
    let mut window_start = 0;
    for (index, paragraph) in doc.paragraphs.iter().enumerate() {
        let window = TextRange::new(window_start, paragraph.range.end.max(window_start));
        window_start = window.end;
        if !wanted(index) {
            let at = builder.out.text.len() as u32;
            builder.out.paragraphs.push(TextRange::empty(at));
            continue;
        }
        if built_any {
            builder.write_newlines(2);
        }
        built_any = true;
        events.clear();
        window_events(doc, window, &mut events);
        let plain_start = builder.out.text.len() as u32;
        builder.cursor = paragraph.range.start as usize;
        for event in &events {
            builder.apply(*event);
        }
        builder.copy_to(paragraph.range.end as usize);
        builder.out.paragraphs.push(TextRange::new(plain_start, builder.out.text.len() as u32));
    }
    if built_any {
        builder.write_newlines(1);
    }
    builder.out
}

/// The indices of the items of a list sorted by `start` that start inside
/// `window`.
fn in_window<T>(items: &[T], window: TextRange, start: impl Fn(&T) -> u32) -> std::ops::Range<usize> {
    let first = items.partition_point(|item| start(item) < window.start);
    let end = first + items.get(first..).unwrap_or(&[]).partition_point(|item| start(item) < window.end);
    first..end
}

/// The events at offsets inside `window`, in the order of their offsets.
fn window_events(doc: &super::ast::Document, window: TextRange, events: &mut Vec<Event>) {
    for ranges in [&doc.comments, &doc.transparent_lines] {
        let found = in_window(ranges, window, |range| range.start);
        events.extend(ranges.get(found).unwrap_or(&[]).iter().map(|&range| Event::Skip(range)));
    }
    let escapes = in_window(&doc.escapes, window, |&at| at);
    let escapes = doc.escapes.get(escapes).unwrap_or(&[]);
    events.extend(escapes.iter().map(|&at| Event::Skip(TextRange::new(at, at.saturating_add(1)))));
    let tags = in_window(&doc.tags, window, |tag| tag.range.start);
    for (tag, index) in doc.tags.get(tags.clone()).unwrap_or(&[]).iter().zip(tags.start as u32..) {
        events.push(Event::TagStart(tag.range.start, index));
        events.push(Event::Skip(TextRange::new(tag.range.start, tag.text_range.start)));
        events.push(Event::TagEnd(tag.text_range.end, index));
        events.push(Event::Skip(TextRange::new(tag.text_range.end, tag.range.end)));
    }
    events.sort_unstable_by_key(|event| event.offset());
}

/// What happens at a source offset while copying.
#[derive(Clone, Copy)]
enum Event {
    /// These source bytes are markup: not copied.
    Skip(TextRange),
    /// The tag with this index starts / its text ends here.
    TagStart(u32, u32),
    TagEnd(u32, u32),
}

impl Event {
    fn offset(self) -> u32 {
        match self {
            Event::Skip(range) => range.start,
            Event::TagStart(at, _) | Event::TagEnd(at, _) => at,
        }
    }
}

struct Builder<'a> {
    source: &'a str,
    out: PlainText,
    /// Unicode scalar values in `out.text`.
    chars: u32,
    /// Source offset up to which the source has been copied or skipped.
    cursor: usize,
}

impl Builder<'_> {
    fn apply(&mut self, event: Event) {
        match event {
            Event::Skip(range) => {
                self.copy_to(range.start as usize);
                self.cursor = self.cursor.max(range.end as usize);
            }
            Event::TagStart(at, index) => {
                self.copy_to(at as usize);
                let (chars, bytes) = (self.chars, self.out.text.len() as u32);
                if let Some(span) = self.out.tags.get_mut(index as usize) {
                    span.start = chars;
                    span.byte_start = bytes;
                }
            }
            Event::TagEnd(at, index) => {
                self.copy_to(at as usize);
                let (chars, bytes) = (self.chars, self.out.text.len() as u32);
                if let Some(span) = self.out.tags.get_mut(index as usize) {
                    span.end = chars;
                    span.byte_end = bytes;
                }
            }
        }
    }

    /// Copies the source from the cursor up to `to`, writing each `\r\n`
    /// and lone `\r` as `\n`.
    fn copy_to(&mut self, to: usize) {
        let bytes = self.source.as_bytes();
        while self.cursor < to {
            let chunk = bytes.get(self.cursor..to).unwrap_or(&[]);
            let Some(cr) = memchr(b'\r', chunk) else {
                self.copy_verbatim(to);
                return;
            };
            let at = self.cursor + cr;
            self.copy_verbatim(at);
            self.cursor = at + 1;
            // Of `\r\n` the `\n` is copied with what follows; a lone `\r`
            // is written as `\n`.
            if !(self.cursor < to && bytes.get(self.cursor) == Some(&b'\n')) {
                self.write_newlines(1);
            }
        }
    }

    fn copy_verbatim(&mut self, to: usize) {
        if to <= self.cursor {
            return;
        }
        let chunk = self.source.get(self.cursor..to).unwrap_or("");
        let plain = self.out.text.len() as u32;
        let source = self.cursor as u32;
        match self.out.segments.last_mut() {
            Some(last) if last.plain + last.len == plain && last.source + last.len == source => {
                last.len += chunk.len() as u32;
            }
            _ => self.out.segments.push(PlainSegment { plain, source, len: chunk.len() as u32 }),
        }
        self.out.text.push_str(chunk);
        self.chars += count_chars(chunk.as_bytes());
        self.cursor = to;
    }

    fn write_newlines(&mut self, count: u32) {
        for _ in 0..count {
            self.out.text.push('\n');
        }
        self.chars += count;
    }
}

/// Unicode scalar values in UTF-8 bytes: the bytes that are not
/// continuation bytes.
fn count_chars(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u32
}
