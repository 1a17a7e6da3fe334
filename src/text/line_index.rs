//! Line index: converts byte offsets to line/column and back, in UTF-8,
//! UTF-16 or UTF-32 (Unicode scalar values) columns.
//!
//! Line ends are `\n`, `\r\n` and a lone `\r`, as in LSP (U+2028 and friends
//! are not line ends). A leading BOM is not counted in columns of line 0.
//! Out-of-range positions are clamped, never a panic.

/// The unit in which a column is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
    /// Unicode scalar values (what the CLI reports and Python indexes).
    Utf32,
}

/// A 0-based line and a 0-based column in some [`PositionEncoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Start offsets of every line of one text, plus which lines hold
/// non-ASCII characters (so ASCII lines convert in O(1)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line's content starts (after the BOM on line 0).
    line_starts: Vec<u32>,
    /// Byte offset where each line's content ends (before its line end).
    line_ends: Vec<u32>,
    /// Lines that are pure ASCII: columns equal bytes in every encoding.
    ascii: Vec<bool>,
    /// On non-ASCII lines longer than `CHECKPOINT_STEP` bytes, a column
    /// checkpoint about every `CHECKPOINT_STEP` bytes, sorted by offset: a
    /// conversion scans from the nearest one instead of the line's start.
    /// Without them, converting every tag of a 1 MB non-ASCII line was
    /// quadratic (minutes for `check` and the server).
    checkpoints: Vec<Checkpoint>,
    len: u32,
}

const CHECKPOINT_STEP: u32 = 1024;

/// The columns of the characters that start in `bytes` (UTF-8 from a
/// character boundary, possibly ending inside a character), in `enc`
/// (not UTF-8): one per byte that is not a continuation byte, and in UTF-16
/// one more per four-byte character (a surrogate pair). Counted byte by
/// byte rather than decoded: the loop vectorizes, and converting the
/// diagnostics of a large article was mostly this count.
fn columns_in(bytes: &[u8], enc: PositionEncoding) -> u32 {
    let starts = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
    let pairs = match enc {
        PositionEncoding::Utf16 => bytes.iter().filter(|&&b| b >= 0xF0).count(),
        _ => 0,
    };
    (starts + pairs) as u32
}

/// Columns, from the start of its line, of a character boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Checkpoint {
    offset: u32,
    utf16: u32,
    utf32: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let first = if text.starts_with('\u{feff}') { 3 } else { 0 };
        LineIndex::of_region(text, first, text.len())
    }

    /// Updates the index of the text before `edit` into the index of
    /// `text`, the text after it: the lines around the edit are indexed
    /// again, the others move by the edit's shift. Equal to
    /// [`LineIndex::new`] of `text`.
    pub fn splice(&mut self, text: &str, edit: super::TextEdit) {
        let delta = edit.delta();
        let consistent = i64::from(self.len) + delta == text.len() as i64 && edit.old_end <= self.len;
        // A line of margin on each side: a `\r` and a `\n` typed apart
        // make one line end.
        let first_line = self.line_of(edit.start.saturating_sub(1)) as usize;
        let last_line = self.line_of(edit.old_end) as usize + 1;
        if !consistent || first_line == 0 || edit.start < 4 {
            *self = LineIndex::new(text);
            return;
        }
        let start = self.line_starts[first_line];
        let to_end = last_line + 1 >= self.line_starts.len();
        let old_end = if to_end { self.len } else { self.line_starts[last_line + 1] };
        let new_end = (i64::from(old_end) + delta) as u32;
        let region = LineIndex::of_region(text, start as usize, new_end as usize);
        let lines = if to_end { region.line_starts.len() } else { region.line_starts.len() - 1 };
        let end_line = if to_end { self.line_starts.len() } else { last_line + 1 };
        let moved = |o: &u32| (i64::from(*o) + delta) as u32;
        let shifted_starts: Vec<u32> = self.line_starts[end_line..].iter().map(moved).collect();
        let shifted_ends: Vec<u32> = self.line_ends[end_line..].iter().map(moved).collect();
        self.line_starts.truncate(first_line);
        self.line_starts.extend_from_slice(&region.line_starts[..lines]);
        self.line_starts.extend(shifted_starts);
        self.line_ends.truncate(first_line);
        self.line_ends.extend_from_slice(&region.line_ends[..lines]);
        self.line_ends.extend(shifted_ends);
        let ascii_after = self.ascii.split_off(end_line);
        self.ascii.truncate(first_line);
        self.ascii.extend_from_slice(&region.ascii[..lines]);
        self.ascii.extend(ascii_after);
        let a = self.checkpoints.partition_point(|c| c.offset < start);
        let b = self.checkpoints.partition_point(|c| c.offset < old_end);
        let after: Vec<Checkpoint> =
            self.checkpoints[b..].iter().map(|c| Checkpoint { offset: moved(&c.offset), ..*c }).collect();
        self.checkpoints.truncate(a);
        self.checkpoints.extend(region.checkpoints);
        self.checkpoints.extend(after);
        self.len = text.len() as u32;
    }

    /// The index of the lines of `text[first..end]`, in offsets of `text`
    /// (`first` is a line start; `end` the end of the text or a line start,
    /// where the region's last, empty line then starts).
    fn of_region(text: &str, first: usize, end: usize) -> LineIndex {
        let bytes = text.as_bytes().get(..end).unwrap_or(text.as_bytes());
        let mut line_starts = vec![first as u32];
        let mut line_ends = Vec::new();
        let mut ascii = Vec::new();
        // Line ends found with memchr and each line checked for ASCII in
        // one go: a byte-at-a-time loop was a millisecond per keystroke in a
        // 1 MB article.
        let mut line_start = first;
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes.get(first..).unwrap_or(&[])).map(|i| i + first) {
            if at < line_start {
                // The `\n` of a `\r\n`, already taken with its `\r`.
                continue;
            }
            line_ends.push(at as u32);
            ascii.push(bytes.get(line_start..at).is_some_and(<[u8]>::is_ascii));
            let crlf = bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n');
            line_start = at + if crlf { 2 } else { 1 };
            line_starts.push(line_start as u32);
        }
        line_ends.push(bytes.len() as u32);
        ascii.push(bytes.get(line_start..).is_some_and(<[u8]>::is_ascii));
        let mut checkpoints = Vec::new();
        for l in 0..line_starts.len() {
            let (start, end) = (line_starts[l], line_ends[l]);
            if ascii[l] || end - start <= CHECKPOINT_STEP {
                continue;
            }
            let (mut utf16, mut utf32, mut next) = (0u32, 0u32, start + CHECKPOINT_STEP);
            for (i, ch) in text.get(start as usize..end as usize).unwrap_or("").char_indices() {
                let at = start + i as u32;
                if at >= next {
                    checkpoints.push(Checkpoint { offset: at, utf16, utf32 });
                    next = at + CHECKPOINT_STEP;
                }
                utf16 += ch.len_utf16() as u32;
                utf32 += 1;
            }
        }
        LineIndex { line_starts, line_ends, ascii, checkpoints, len: bytes.len() as u32 }
    }

    /// The checkpoints of the line spanning `start..end`.
    fn checkpoints_in(&self, start: u32, end: u32) -> &[Checkpoint] {
        let a = self.checkpoints.partition_point(|c| c.offset < start);
        let b = self.checkpoints.partition_point(|c| c.offset <= end);
        &self.checkpoints[a..b.max(a)]
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// Byte length of the indexed text.
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Byte range of a line's content, without its line end; clamped.
    pub fn line_range(&self, line: u32) -> super::TextRange {
        let l = (line as usize).min(self.line_starts.len() - 1);
        super::TextRange::new(self.line_starts[l], self.line_ends[l])
    }

    /// The line holding `offset` (an offset inside a `\r\n` belongs to the
    /// line it ends).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(l) => l as u32,
            Err(l) => (l.max(1) - 1) as u32,
        }
    }

    /// The line of a byte offset and its column in UTF-8 and in UTF-16 code
    /// units, with one line lookup (a line of ASCII needs no counting).
    pub fn line_col_utf8_utf16(&self, text: &str, offset: u32) -> (u32, u32, u32) {
        let line = self.line_of(offset);
        let l = line as usize;
        let start = self.line_starts[l];
        let col8 = offset.min(self.line_ends[l]).max(start) - start;
        let col16 = if self.ascii[l] { col8 } else { self.line_col(text, offset, PositionEncoding::Utf16).col };
        (line, col8, col16)
    }

    /// Line and column of a byte offset. An offset past the end clamps to the
    /// end; an offset inside a character or a line end counts up to it.
    pub fn line_col(&self, text: &str, offset: u32, enc: PositionEncoding) -> LineCol {
        let line = self.line_of(offset);
        let l = line as usize;
        let start = self.line_starts[l];
        let end = offset.min(self.line_ends[l]).max(start);
        if self.ascii[l] || enc == PositionEncoding::Utf8 {
            return LineCol { line, col: end - start };
        }
        let cps = self.checkpoints_in(start, self.line_ends[l]);
        let (from, mut col) = match cps.partition_point(|c| c.offset <= end).checked_sub(1) {
            Some(k) => (cps[k].offset, if enc == PositionEncoding::Utf16 { cps[k].utf16 } else { cps[k].utf32 }),
            None => (start, 0),
        };
        col += columns_in(text.as_bytes().get(from as usize..end as usize).unwrap_or(&[]), enc);
        LineCol { line, col }
    }

    /// Line and column of `offset` given `known`, those of an earlier
    /// offset `at`: on the same line and not before it, only the text
    /// between them is counted, so converting offsets in increasing order
    /// (a sorted list's) scans each line once instead of once per offset.
    /// Anywhere else, as [`LineIndex::line_col`].
    pub fn line_col_from(
        &self,
        text: &str,
        (at, known): (u32, LineCol),
        offset: u32,
        enc: PositionEncoding,
    ) -> LineCol {
        let l = known.line as usize;
        let (Some(&start), Some(&end)) = (self.line_starts.get(l), self.line_ends.get(l)) else {
            return self.line_col(text, offset, enc);
        };
        let next_line = self.line_starts.get(l + 1).copied().unwrap_or(u32::MAX);
        if at < start || offset < at || offset >= next_line {
            return self.line_col(text, offset, enc);
        }
        let (from, to) = (at.min(end), offset.min(end));
        let between = match self.ascii.get(l) == Some(&true) || enc == PositionEncoding::Utf8 {
            true => to - from,
            false => columns_in(text.as_bytes().get(from as usize..to as usize).unwrap_or(&[]), enc),
        };
        LineCol { line: known.line, col: known.col + between }
    }

    /// Byte offset of a line and column. A line past the end clamps to the
    /// end of the text, a column past the line's end to the line's end, and
    /// a column inside a character (a UTF-16 surrogate pair, a UTF-8
    /// sequence) to that character's start.
    pub fn offset(&self, text: &str, pos: LineCol, enc: PositionEncoding) -> u32 {
        let l = pos.line as usize;
        if l >= self.line_starts.len() {
            return self.len;
        }
        let start = self.line_starts[l];
        let end = self.line_ends[l];
        if self.ascii[l] {
            // Saturating: a client may send `character: u32::MAX` (a plain
            // add overflowed: a panic in debug, a wrong line in release).
            return start.saturating_add(pos.col).min(end);
        }
        let col_of = |c: &Checkpoint| match enc {
            PositionEncoding::Utf8 => c.offset - start,
            PositionEncoding::Utf16 => c.utf16,
            PositionEncoding::Utf32 => c.utf32,
        };
        let cps = self.checkpoints_in(start, end);
        let (from, mut col) = match cps.partition_point(|c| col_of(c) <= pos.col).checked_sub(1) {
            Some(k) => (cps[k].offset, col_of(&cps[k])),
            None => (start, 0),
        };
        let line_text = text.get(from as usize..end as usize).unwrap_or("");
        for (i, ch) in line_text.char_indices() {
            let w = match enc {
                PositionEncoding::Utf8 => ch.len_utf8() as u32,
                PositionEncoding::Utf16 => ch.len_utf16() as u32,
                PositionEncoding::Utf32 => 1,
            };
            if col + w > pos.col {
                return from + i as u32;
            }
            col += w;
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    /// (text, offset, utf8 col, utf16 col, utf32 col, line)
    #[test]
    fn conversion_table() {
        let cases: &[(&str, u32, u32, u32, u32, u32)] = &[
            ("abc", 2, 2, 2, 2, 0),
            ("éa", 2, 2, 1, 1, 0),
            ("中文x", 6, 6, 2, 2, 0),
            ("😀x", 4, 4, 2, 1, 0),
            ("a\r\nb", 3, 0, 0, 0, 1),
            ("a\rb", 2, 0, 0, 0, 1),
            ("a\nb\r\nc\rd", 7, 0, 0, 0, 3),
            ("\u{feff}ab", 4, 1, 1, 1, 0),
        ];
        for &(text, offset, c8, c16, c32, line) in cases {
            let idx = LineIndex::new(text);
            for (enc, col) in [(Utf8, c8), (Utf16, c16), (Utf32, c32)] {
                let lc = idx.line_col(text, offset, enc);
                assert_eq!(lc, LineCol { line, col }, "{text:?} {offset} {enc:?}");
                assert_eq!(idx.offset(text, lc, enc), offset, "{text:?} {lc:?} {enc:?}");
            }
        }
    }

    /// Long non-ASCII lines go through checkpoints: every conversion agrees
    /// with a plain count from the line's start.
    #[test]
    fn long_lines_match_a_plain_count() {
        let unit = "ab é😀 中\r\n";
        let text = format!("x\n{}\n{}", unit.replace("\r\n", "").repeat(700), "é".repeat(3000));
        let idx = LineIndex::new(&text);
        assert!(!idx.checkpoints.is_empty());
        for enc in [Utf8, Utf16, Utf32] {
            for line in 0..idx.line_count() {
                let r = idx.line_range(line);
                let mut col = 0;
                for (i, ch) in text[r.start as usize..r.end as usize].char_indices() {
                    let at = r.start + i as u32;
                    let lc = LineCol { line, col };
                    assert_eq!(idx.line_col(&text, at, enc), lc, "{at} {enc:?}");
                    assert_eq!(idx.offset(&text, lc, enc), at, "{lc:?} {enc:?}");
                    col += match enc {
                        Utf8 => ch.len_utf8() as u32,
                        Utf16 => ch.len_utf16() as u32,
                        Utf32 => 1,
                    };
                }
                assert_eq!(idx.line_col(&text, r.end, enc), LineCol { line, col });
                assert_eq!(idx.offset(&text, LineCol { line, col: col + 5 }, enc), r.end);
            }
        }
        // Inside a surrogate pair far into a long line: the character's start.
        let text = "😀".repeat(2000);
        let idx = LineIndex::new(&text);
        assert_eq!(idx.offset(&text, LineCol { line: 0, col: 3001 }, Utf16), 6000);
    }

    #[test]
    fn past_end_clamps() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 99 }, Utf16), 2);
        assert_eq!(idx.offset(text, LineCol { line: 9, col: 0 }, Utf16), 5);
        assert_eq!(idx.line_col(text, 99, Utf16), LineCol { line: 1, col: 2 });
        // The largest column a client can send, on a line that is not the first.
        assert_eq!(idx.offset(text, LineCol { line: 1, col: u32::MAX }, Utf16), 5);
        assert_eq!(idx.offset(text, LineCol { line: u32::MAX, col: u32::MAX }, Utf8), 5);
        // Inside a surrogate pair: the character's start.
        let text = "😀x";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 1 }, Utf16), 0);
    }
}
