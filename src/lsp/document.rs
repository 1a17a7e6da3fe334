//! An open document: its rope, edited in place by each change, and the
//! immutable text of its current version with the parse and line index
//! derived from it (built once per version, when the change is applied).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use super::diagnostics::DiagState;
use super::snapshot::CancelToken;
use crate::syntax::{self, Parse};
use crate::text::{LineCol, LineIndex, PositionEncoding};

/// One version of a document's text, with what is derived from it.
pub struct DocText {
    pub version: i32,
    pub text: Arc<str>,
    pub parse: Arc<Parse>,
    /// Built by the first reader that converts positions: a burst of
    /// keystrokes in a large document does not build one per version.
    line_index: OnceLock<LineIndex>,
}

impl DocText {
    pub fn new(version: i32, text: Arc<str>) -> DocText {
        let parse = Arc::new(syntax::parse(&text));
        DocText { version, text, parse, line_index: OnceLock::new() }
    }

    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// A text edited by LSP changes, in the negotiated encoding. Public (with
/// plain types only) for the `incremental` fuzz target.
pub struct EditableText {
    rope: Rope,
}

impl EditableText {
    pub fn new(text: &str) -> EditableText {
        EditableText { rope: Rope::from_str(text) }
    }

    /// Replaces `range` (the whole text when `None`) by `text`. Positions
    /// past the end clamp; a reversed range is put in order.
    pub fn replace(&mut self, range: Option<(LineCol, LineCol)>, text: &str, enc: PositionEncoding) {
        match range {
            None => self.rope = Rope::from_str(text),
            Some((start, end)) => {
                let a = char_index(&self.rope, start, enc);
                let b = char_index(&self.rope, end, enc);
                let (start, end) = (a.min(b), a.max(b));
                self.rope.remove(start..end);
                self.rope.insert(start, text);
            }
        }
    }

    pub fn len_chars(&self) -> usize {
        self.rope.len_chars()
    }

    /// Lines as LSP counts them (`\n`, `\r\n`, `\r`).
    pub fn len_lines(&self) -> usize {
        self.rope.len_lines()
    }
}

impl std::fmt::Display for EditableText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.contents())
    }
}

impl EditableText {
    /// The whole text, in one allocation.
    pub fn contents(&self) -> String {
        let mut out = String::with_capacity(self.rope.len_bytes());
        for chunk in self.rope.chunks() {
            out.push_str(chunk);
        }
        out
    }
}

pub struct Document {
    /// The file's path; for a URI that is not `file:`, the URI itself.
    pub path: PathBuf,
    /// The workspace the document belongs to (its key in the state).
    pub slot: PathBuf,
    text: EditableText,
    /// The current version's text: replaced, never mutated, so a request
    /// holding the previous one keeps a consistent view.
    pub current: Arc<DocText>,
    /// Cancelled by the next change: requests on `current` then answer
    /// `ContentModified`.
    pub changed: CancelToken,
    /// The document's diagnostics run (debounce, generation, memo).
    pub diag: DiagState,
}

impl Document {
    pub fn new(path: PathBuf, slot: PathBuf, version: i32, text: &str) -> Document {
        let current = Arc::new(DocText::new(version, Arc::from(text)));
        Document {
            path,
            slot,
            text: EditableText::new(text),
            current,
            changed: CancelToken::default(),
            diag: DiagState::default(),
        }
    }

    /// Applies the changes of one `didChange`, in order, and derives the
    /// new version's text, parse and line index.
    pub fn apply(&mut self, changes: &[TextDocumentContentChangeEvent], version: i32, enc: PositionEncoding) {
        for change in changes {
            let range = change.range.map(|r| {
                (
                    LineCol { line: r.start.line, col: r.start.character },
                    LineCol { line: r.end.line, col: r.end.character },
                )
            });
            self.text.replace(range, &change.text, enc);
        }
        // First, so that a request reading the old text lets go of its
        // workspace sooner (the writer waits for it).
        self.changed.cancel();
        self.changed = CancelToken::default();
        self.current = Arc::new(DocText::new(version, Arc::from(self.text.contents())));
    }
}

/// The char index of a position in a rope. A line past the end clamps to
/// the end of the text, a column past the line's end to the line's end
/// (before its line break), a column inside a character to its start; a
/// BOM at the start is not counted.
fn char_index(rope: &Rope, pos: LineCol, enc: PositionEncoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let line_slice = rope.line(line);
    let mut idx = start;
    let mut col = 0u32;
    let mut chars = line_slice.chars().peekable();
    if line == 0 && chars.peek() == Some(&'\u{feff}') {
        chars.next();
        idx += 1;
    }
    for ch in chars {
        if ch == '\n' || ch == '\r' {
            break;
        }
        let w = match enc {
            PositionEncoding::Utf8 => ch.len_utf8() as u32,
            PositionEncoding::Utf16 => ch.len_utf16() as u32,
            PositionEncoding::Utf32 => 1,
        };
        if col + w > pos.col {
            break;
        }
        col += w;
        idx += 1;
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    fn edit(text: &str, range: ((u32, u32), (u32, u32)), new: &str, enc: PositionEncoding) -> String {
        let mut doc = EditableText::new(text);
        let lc = |(line, col): (u32, u32)| LineCol { line, col };
        doc.replace(Some((lc(range.0), lc(range.1))), new, enc);
        doc.to_string()
    }

    #[test]
    fn incremental_changes() {
        assert_eq!(edit("abc", ((0, 1), (0, 2)), "X", Utf16), "aXc");
        assert_eq!(edit("é😀x", ((0, 3), (0, 4)), "", Utf16), "é😀");
        assert_eq!(edit("é😀x", ((0, 6), (0, 7)), "", Utf8), "é😀");
        assert_eq!(edit("é😀x", ((0, 2), (0, 3)), "", Utf32), "é😀");
        // Inside a surrogate pair: the character's start.
        assert_eq!(edit("😀x", ((0, 1), (0, 1)), "A", Utf16), "A😀x");
        // Past the end of a line and of the text.
        assert_eq!(edit("ab\ncd", ((0, 99), (0, 99)), "!", Utf16), "ab!\ncd");
        assert_eq!(edit("ab\r\ncd", ((0, 99), (1, 0)), "", Utf16), "abcd");
        assert_eq!(edit("ab\ncd", ((7, 0), (9, 9)), "!", Utf16), "ab\ncd!");
        // A lone CR ends a line; U+2028 does not.
        assert_eq!(edit("a\rb\u{2028}c", ((1, 2), (1, 2)), "!", Utf16), "a\rb\u{2028}!c");
        // A reversed range is put in order.
        assert_eq!(edit("abcd", ((0, 3), (0, 1)), "", Utf16), "ad");
        // A BOM is not counted in columns.
        assert_eq!(edit("\u{feff}ab", ((0, 1), (0, 1)), "!", Utf16), "\u{feff}a!b");
        // Line breaks typed one character at a time.
        assert_eq!(edit("ab", ((0, 1), (0, 1)), "\r", Utf16), "a\rb");
        assert_eq!(edit("a\rb", ((1, 0), (1, 0)), "\n", Utf16), "a\r\nb");
    }

    #[test]
    fn a_change_makes_a_new_version_and_keeps_the_old_one_whole() {
        let mut doc = Document::new(PathBuf::from("/t.nmk"), PathBuf::from("/"), 1, "old [x]{@a}");
        let before = doc.current.clone();
        let change = TextDocumentContentChangeEvent { range: None, range_length: None, text: "new".into() };
        let token = doc.changed.clone();
        doc.apply(&[change], 2, Utf16);
        assert_eq!(&*doc.current.text, "new");
        assert_eq!(doc.current.version, 2);
        assert!(token.is_cancelled(), "requests on the old text are told");
        assert_eq!(&*before.text, "old [x]{@a}");
        assert_eq!(before.parse.doc.tags.len(), 1);
    }
}
