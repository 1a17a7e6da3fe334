//! An open document: its rope, the client's version, and the text, parse
//! and line index of the current version, built once per version on demand.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent, Uri};

use crate::syntax::{self, Parse, Reparsed};
use crate::text::{LineIndex, PositionEncoding, TextEdit};

/// The text of one version of a document, with what is derived from it.
pub struct Snapshot {
    /// Server-wide edit sequence number of this text (see [`Document::seq`]).
    pub seq: u64,
    pub version: i32,
    pub text: Arc<str>,
    pub parse: Arc<Parse>,
    pub line_index: Arc<LineIndex>,
    /// When the parse was reparsed from the snapshot of another `seq`: that
    /// seq and the region reparsed (what the workspace needs to update the
    /// file by difference).
    pub reparsed: Option<(u64, Reparsed)>,
}

impl Snapshot {
    pub fn new(seq: u64, version: i32, text: Arc<str>) -> Snapshot {
        let parse = Arc::new(syntax::parse(&text));
        let line_index = Arc::new(LineIndex::new(&text));
        Snapshot { seq, version, text, parse, line_index, reparsed: None }
    }

    /// The snapshot of `text`, reached from `base` by `edit`: only the
    /// region the edit can affect is parsed again. The base's parse is
    /// taken over when nothing else holds it, else copied.
    pub fn after_edit(seq: u64, version: i32, text: Arc<str>, base: Arc<Snapshot>, edit: TextEdit) -> Snapshot {
        let base_seq = base.seq;
        let (mut parse, mut line_index) = match Arc::try_unwrap(base) {
            Ok(base) => (Arc::unwrap_or_clone(base.parse), Arc::unwrap_or_clone(base.line_index)),
            Err(shared) => ((*shared.parse).clone(), (*shared.line_index).clone()),
        };
        let reparsed = syntax::reparse(&mut parse, &text, edit);
        line_index.splice(&text, edit);
        Snapshot {
            seq,
            version,
            text,
            parse: Arc::new(parse),
            line_index: Arc::new(line_index),
            reparsed: Some((base_seq, reparsed)),
        }
    }
}

pub struct Document {
    pub uri: Uri,
    /// The file's path; for a URI that is not `file:`, the URI itself.
    pub path: PathBuf,
    pub version: i32,
    pub rope: Rope,
    /// Increases with every change of any document: tells an older text from
    /// a newer one even across a close and reopen.
    pub seq: u64,
    /// The snapshot of the current `seq`, once someone asked for it.
    pub snapshot: Option<Arc<Snapshot>>,
    /// The last snapshot built (of whatever seq), which the next one is
    /// reparsed from, and the edit from its text to the current text
    /// (`None`: no change since; see [`Document::take_base`]).
    base: Option<(Arc<Snapshot>, Option<TextEdit>)>,
    /// The seq of the text `since_base` starts from, while the snapshot
    /// being built for it is not stored yet.
    pending_base: Option<(u64, Option<TextEdit>)>,
}

impl Document {
    pub fn new(uri: Uri, path: PathBuf, version: i32, text: &str, seq: u64) -> Document {
        Document { uri, path, version, rope: Rope::from_str(text), seq, snapshot: None, base: None, pending_base: None }
    }

    /// What the snapshot of the current text can be reparsed from: the
    /// last snapshot and the edit since. Taken, so that its parse can be
    /// updated in place; edits from now on count from the current text
    /// (the one being built), whose snapshot [`Document::store`] keeps.
    pub fn take_base(&mut self) -> Option<(Arc<Snapshot>, TextEdit)> {
        let (base, edit) = self.base.take()?;
        self.pending_base = Some((self.seq, None));
        // The current snapshot is older than the text (else it would be
        // served): dropping it lets the base's parse be updated in place.
        if self.snapshot.as_ref().is_some_and(|s| s.seq != self.seq) {
            self.snapshot = None;
        }
        Some((base, edit?))
    }

    /// Keeps a snapshot just built: as the current one when it is still
    /// current, and as the base of the next when edits since count from it.
    pub fn store(&mut self, snap: &Arc<Snapshot>) {
        if self.seq == snap.seq {
            self.snapshot = Some(snap.clone());
        }
        match self.pending_base {
            Some((seq, edit)) if seq == snap.seq => {
                self.base = Some((snap.clone(), edit));
                self.pending_base = None;
            }
            None if self.base.is_none() && self.seq == snap.seq => self.base = Some((snap.clone(), None)),
            _ => {}
        }
    }

    /// Adds an edit (byte offsets) to the ones since the base; `None`: the
    /// whole text was replaced, so the next snapshot parses it whole.
    fn record_edit(&mut self, edit: Option<TextEdit>) {
        let compose = |since: Option<TextEdit>| match (since, edit) {
            (_, None) => None,
            (None, Some(e)) => Some(e),
            (Some(s), Some(e)) => Some(s.then(e)),
        };
        if let Some((_, since)) = &mut self.base {
            match compose(*since) {
                Some(e) => *since = Some(e),
                None => self.base = None,
            }
        }
        if let Some((_, since)) = &mut self.pending_base {
            match compose(*since) {
                Some(e) => *since = Some(e),
                None => self.pending_base = None,
            }
        }
    }

    /// The snapshot of the current text, when already built.
    pub fn current_snapshot(&self) -> Option<Arc<Snapshot>> {
        self.snapshot.as_ref().filter(|s| s.seq == self.seq).cloned()
    }

    /// Applies one change of a `didChange`, in order. Positions past the end
    /// clamp; a reversed range is put in order.
    pub fn apply_change(&mut self, change: &TextDocumentContentChangeEvent, enc: PositionEncoding) {
        match change.range {
            None => {
                self.rope = Rope::from_str(&change.text);
                self.record_edit(None);
            }
            Some(range) => {
                let a = char_index(&self.rope, range.start, enc);
                let b = char_index(&self.rope, range.end, enc);
                let (start, end) = (a.min(b), a.max(b));
                let (byte_start, byte_end) = (self.rope.char_to_byte(start), self.rope.char_to_byte(end));
                self.rope.remove(start..end);
                self.rope.insert(start, &change.text);
                let edit = TextEdit {
                    start: byte_start as u32,
                    old_end: byte_end as u32,
                    new_end: (byte_start + change.text.len()) as u32,
                };
                self.record_edit(Some(edit));
            }
        }
    }
}

/// The char index of an LSP position in a rope. A line past the end clamps
/// to the end of the text, a column past the line's end to the line's end
/// (before its line break), a column inside a character to its start; a
/// BOM at the start is not counted.
pub fn char_index(rope: &Rope, pos: Position, enc: PositionEncoding) -> usize {
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
        if col + w > pos.character {
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
    use tower_lsp_server::ls_types::Range;

    fn edit(text: &str, range: ((u32, u32), (u32, u32)), new: &str, enc: PositionEncoding) -> String {
        let uri: Uri = "file:///t.nmk".parse().unwrap();
        let mut doc = Document::new(uri, PathBuf::from("/t.nmk"), 1, text, 0);
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(range.0.0, range.0.1), Position::new(range.1.0, range.1.1))),
            range_length: None,
            text: new.to_string(),
        };
        doc.apply_change(&change, enc);
        doc.rope.to_string()
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
    fn full_change_replaces() {
        let uri: Uri = "file:///t.nmk".parse().unwrap();
        let mut doc = Document::new(uri, PathBuf::from("/t.nmk"), 1, "old", 0);
        let change = TextDocumentContentChangeEvent { range: None, range_length: None, text: "new".into() };
        doc.apply_change(&change, Utf16);
        assert_eq!(doc.rope.to_string(), "new");
    }
}
