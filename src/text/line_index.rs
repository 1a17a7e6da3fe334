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
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let first = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut line_starts = vec![first as u32];
        let mut line_ends = Vec::new();
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        let mut i = first;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'\n' || b == b'\r' {
                line_ends.push(i as u32);
                ascii.push(line_ascii);
                line_ascii = true;
                i += if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                line_starts.push(i as u32);
                continue;
            }
            if b >= 0x80 {
                line_ascii = false;
            }
            i += 1;
        }
        line_ends.push(bytes.len() as u32);
        ascii.push(line_ascii);
        LineIndex { line_starts, line_ends, ascii, len: bytes.len() as u32 }
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
        let mut col = 0u32;
        let slice = text.get(start as usize..).unwrap_or("");
        for (i, ch) in slice.char_indices() {
            if start + i as u32 >= end {
                break;
            }
            col += match enc {
                PositionEncoding::Utf16 => ch.len_utf16() as u32,
                _ => 1,
            };
        }
        LineCol { line, col }
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
            // Saturating: a client may send any column up to `u32::MAX`
            // (found by the `positions_past_the_end_clamp` property; a plain
            // `+` overflowed, a panic in debug and a wrong offset in release).
            return start.saturating_add(pos.col).min(end);
        }
        let line_text = text.get(start as usize..end as usize).unwrap_or("");
        let mut col = 0u32;
        for (i, ch) in line_text.char_indices() {
            let w = match enc {
                PositionEncoding::Utf8 => ch.len_utf8() as u32,
                PositionEncoding::Utf16 => ch.len_utf16() as u32,
                PositionEncoding::Utf32 => 1,
            };
            if col + w > pos.col {
                return start + i as u32;
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

    #[test]
    fn past_end_clamps() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 99 }, Utf16), 2);
        assert_eq!(idx.offset(text, LineCol { line: 9, col: 0 }, Utf16), 5);
        assert_eq!(idx.line_col(text, 99, Utf16), LineCol { line: 1, col: 2 });
        assert_eq!(idx.offset(text, LineCol { line: 1, col: u32::MAX }, Utf16), 5);
        // Inside a surrogate pair: the character's start.
        let text = "😀x";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 1 }, Utf16), 0);
    }
}
