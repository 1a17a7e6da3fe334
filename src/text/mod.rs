//! Text primitives shared by every layer: byte ranges and the line index.
//!
//! All offsets inside the engine are UTF-8 byte offsets into the file's text
//! (`u32`: a single file is limited to 4 GiB). Conversion to line/column in
//! UTF-8, UTF-16 or UTF-32 happens only at the edges (CLI output, LSP).

mod edit;
mod json;
mod line_index;

pub use edit::TextEdit;
pub use json::{write_json_number, write_json_string};
pub use line_index::{LineCol, LineIndex, PositionEncoding};

/// A half-open byte range `start..end` into a file's text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub const fn new(start: u32, end: u32) -> TextRange {
        TextRange { start, end }
    }

    pub const fn empty(at: u32) -> TextRange {
        TextRange { start: at, end: at }
    }

    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// True when `offset` lies inside the range or touches its end
    /// (what a cursor placed right after an id expects).
    pub const fn contains_inclusive(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub const fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset < self.end
    }

    pub const fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn as_usize(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The slice of `text` this range covers, or "" when it is out of bounds
    /// or not on character boundaries (never panics).
    pub fn slice(self, text: &str) -> &str {
        text.get(self.as_usize()).unwrap_or("")
    }
}

impl std::fmt::Debug for TextRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}
