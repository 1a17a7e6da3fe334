//! Splitting text into lines: `\n`, `\r\n` and a lone `\r` all end a line.

use memchr::memchr2;

use crate::text::TextRange;

/// One line: `start..end` is its content, `end..next` its line end
/// (empty on the last line when the text does not end with a line end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// The lines of a text, in order.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        Lines { bytes: text.as_bytes(), pos: 0 }
    }
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        let start = self.pos;
        let rest = self.bytes.get(start..).filter(|rest| !rest.is_empty())?;
        let line = match memchr2(b'\n', b'\r', rest) {
            Some(offset) => {
                let end = start + offset;
                let crlf = rest.get(offset) == Some(&b'\r') && rest.get(offset + 1) == Some(&b'\n');
                Line { start, end, next: end + if crlf { 2 } else { 1 } }
            }
            None => Line { start, end: self.bytes.len(), next: self.bytes.len() },
        };
        self.pos = line.next;
        Some(line)
    }
}

/// Spaces and tabs: the white space of line structure (blank lines,
/// indentation, separators in reference lists).
pub(crate) fn is_space(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// A blank line holds only spaces and tabs.
pub(crate) fn is_blank(content: &[u8]) -> bool {
    content.iter().all(|&b| is_space(b))
}

/// The range of a malformed attribute or front-matter line (§9): from its
/// first character that is not white space to the end of its content.
pub(crate) fn malformed_line_range(text: &str, line: Line) -> TextRange {
    let content = text.get(line.start..line.end).unwrap_or("");
    let indent = content.len() - content.trim_start().len();
    TextRange::new((line.start + indent) as u32, line.end as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(&str, &str)> {
        Lines::new(text).map(|l| (&text[l.start..l.end], &text[l.end..l.next])).collect()
    }

    #[test]
    fn every_line_end_kind() {
        assert_eq!(
            split("a\nb\r\nc\rd\r\r\ne"),
            [("a", "\n"), ("b", "\r\n"), ("c", "\r"), ("d", "\r"), ("", "\r\n"), ("e", "")]
        );
        assert_eq!(split(""), []);
        assert_eq!(split("\n"), [("", "\n")]);
    }
}
