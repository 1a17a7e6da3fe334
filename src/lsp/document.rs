//! An open document: its rope, edited in place by each change, and the
//! immutable text of its current version with the parse and line index
//! derived from it (built once per version, when the change is applied, by
//! reparsing only the region the change can affect).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use super::diagnostics::DiagState;
use super::snapshot::CancelToken;
use crate::syntax::{self, Parse, Reparsed};
use crate::text::{LineCol, LineIndex, PositionEncoding, TextEdit};

/// Identities of texts, unique in the process: what the workspace was last
/// given of a file is known by its `seq`, whichever document it came from.
static NEXT_SEQ: AtomicU64 = AtomicU64::new(1);

/// One version of a document's text, with what is derived from it.
pub struct DocText {
    pub version: i32,
    /// This text's identity (see [`NEXT_SEQ`]).
    pub seq: u64,
    pub text: Arc<str>,
    pub parse: Arc<Parse>,
    /// When `parse` was reparsed from the text of another `seq`: that seq
    /// and the region parsed again, which is what the workspace needs to
    /// update the file by difference.
    pub reparsed: Option<(u64, Reparsed)>,
    /// The region that changed since each of the last few earlier texts
    /// this one was reached from by reparses (their seq, oldest first):
    /// diagnostics computed on one of them are kept outside that region.
    pub history: Vec<(u64, Reparsed)>,
    /// Built by the first reader that converts positions, then spliced
    /// from version to version: a burst of keystrokes in a large document
    /// does not index its lines once per version.
    line_index: OnceLock<LineIndex>,
}

impl DocText {
    pub fn new(version: i32, text: Arc<str>) -> DocText {
        let parse = Arc::new(syntax::parse(&text));
        let seq = NEXT_SEQ.fetch_add(1, Ordering::Relaxed);
        DocText { version, seq, text, parse, reparsed: None, history: Vec::new(), line_index: OnceLock::new() }
    }

    /// The next version, reached from `base` by `edit` (byte offsets): only
    /// the region the edit can affect is parsed again. `base`'s parse and
    /// line index are taken over when nothing else holds them, else copied.
    fn after_edit(version: i32, text: Arc<str>, mut base: Arc<DocText>, edit: TextEdit) -> DocText {
        let (mut parse, lines) = match Arc::get_mut(&mut base) {
            Some(owned) => {
                let parse = match Arc::get_mut(&mut owned.parse) {
                    Some(parse) => std::mem::take(parse),
                    None => (*owned.parse).clone(),
                };
                (parse, owned.line_index.take())
            }
            None => ((*base.parse).clone(), base.line_index.get().cloned()),
        };
        let reparsed = syntax::reparse(&mut parse, &text, edit);
        let line_index = OnceLock::new();
        if let Some(mut lines) = lines {
            lines.splice(&text, edit);
            let _ = line_index.set(lines);
        }
        let seq = NEXT_SEQ.fetch_add(1, Ordering::Relaxed);
        let skip = base.history.len().saturating_sub(HISTORY - 1);
        let mut history: Vec<(u64, Reparsed)> =
            base.history.iter().skip(skip).map(|&(from, region)| (from, region.then(reparsed))).collect();
        history.push((base.seq, reparsed));
        DocText {
            version,
            seq,
            text,
            parse: Arc::new(parse),
            reparsed: Some((base.seq, reparsed)),
            history,
            line_index,
        }
    }

    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Stands in for a version while the next is derived from it.
    fn placeholder() -> DocText {
        DocText {
            version: 0,
            seq: 0,
            text: Arc::from(""),
            parse: Arc::default(),
            reparsed: None,
            history: Vec::new(),
            line_index: OnceLock::new(),
        }
    }
}

/// How many earlier texts [`DocText::history`] reaches back to: the
/// versions a burst of typing makes while one computation of diagnostics
/// runs.
const HISTORY: usize = 8;

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
    /// past the end clamp; a reversed range is put in order. Returns the
    /// edit in byte offsets; `None` when the whole text was replaced.
    pub fn replace(
        &mut self,
        range: Option<(LineCol, LineCol)>,
        text: &str,
        enc: PositionEncoding,
    ) -> Option<TextEdit> {
        match range {
            None => {
                self.rope = Rope::from_str(text);
                None
            }
            Some((start, end)) => {
                let a = char_index(&self.rope, start, enc);
                let b = char_index(&self.rope, end, enc);
                let (start, end) = (a.min(b), a.max(b));
                let (byte_start, byte_end) = (self.rope.char_to_byte(start), self.rope.char_to_byte(end));
                self.rope.remove(start..end);
                self.rope.insert(start, text);
                let new_end = byte_start + text.len();
                let offset = |n: usize| u32::try_from(n).ok();
                Some(TextEdit { start: offset(byte_start)?, old_end: offset(byte_end)?, new_end: offset(new_end)? })
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
    /// The text after `edit`, given the text `before` it: `before` outside
    /// the edit, this rope inside it. Equal to [`contents`](Self::contents)
    /// when `before` and `edit` are what this rope was and what was done
    /// to it; falls back to it when they cannot be.
    pub fn spliced(&self, before: &str, edit: TextEdit) -> Arc<str> {
        let (start, old_end, new_end) = (edit.start as usize, edit.old_end as usize, edit.new_end as usize);
        // `get` refuses offsets past the end or inside a character.
        let outside = before
            .get(..start)
            .zip(before.get(old_end..))
            .filter(|(_, tail)| start <= old_end && start <= new_end && new_end + tail.len() == self.rope.len_bytes());
        let inside = outside.and_then(|_| self.rope.get_byte_slice(start..new_end));
        let (Some((head, tail)), Some(inside)) = (outside, inside) else { return Arc::from(self.contents()) };
        let mut parts = vec![head];
        parts.extend(inside.chunks());
        parts.push(tail);
        concat_shared(&parts)
    }

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
    /// new version's text, parse and line index: from the previous
    /// version's, by the one edit that covers every change, unless a change
    /// replaced the whole text.
    pub fn apply(&mut self, changes: &[TextDocumentContentChangeEvent], version: i32, enc: PositionEncoding) {
        // `Some(None)`: the whole text was replaced.
        let mut covered: Option<Option<TextEdit>> = None;
        for change in changes {
            let range = change.range.map(|r| {
                (
                    LineCol { line: r.start.line, col: r.start.character },
                    LineCol { line: r.end.line, col: r.end.character },
                )
            });
            let edit = self.text.replace(range, &change.text, enc);
            covered = Some(match (covered, edit) {
                (_, None) | (Some(None), _) => None,
                (None, Some(edit)) => Some(edit),
                (Some(Some(before)), Some(edit)) => Some(before.then(edit)),
            });
        }
        // First, so that a request reading the old text lets go of its
        // workspace sooner (the writer waits for it).
        self.changed.cancel();
        self.changed = CancelToken::default();
        // Still one copy per version: the parse, the workspace and requests
        // read one contiguous `str`. It is made from the last version's
        // text around the edit and the rope inside it, straight into its
        // shared allocation: a keystroke in a 1 MB article once spent a
        // tenth of its time copying the rope out and then again.
        let text: Arc<str> = match covered {
            Some(Some(edit)) => self.text.spliced(&self.current.text, edit),
            _ => Arc::from(self.text.contents()),
        };
        let base = std::mem::replace(&mut self.current, Arc::new(DocText::placeholder()));
        self.current = Arc::new(match covered {
            // No change at all: the same text, a new version.
            None => DocText::after_edit(version, text, base, TextEdit { start: 0, old_end: 0, new_end: 0 }),
            Some(Some(edit)) => DocText::after_edit(version, text, base, edit),
            Some(None) => DocText::new(version, text),
        });
    }
}

/// `parts` joined, copied once, straight into a shared allocation
/// (`Arc::from(String)` would copy a second time).
fn concat_shared(parts: &[&str]) -> Arc<str> {
    let len = parts.iter().map(|p| p.len()).sum();
    let mut bytes = Arc::<[u8]>::new_uninit_slice(len);
    let Some(slots) = Arc::get_mut(&mut bytes) else { return Arc::from(parts.concat()) };
    let mut free = slots;
    for part in parts {
        // `len` is the sum of the parts' lengths: each has its room.
        let Some((room, rest)) = free.split_at_mut_checked(part.len()) else { break };
        // SAFETY: `room` is `part.len()` bytes of a fresh allocation, which
        // `part` cannot overlap; `MaybeUninit<u8>` has the layout of `u8`.
        unsafe { std::ptr::copy_nonoverlapping(part.as_ptr(), room.as_mut_ptr().cast::<u8>(), part.len()) };
        free = rest;
    }
    // SAFETY: every one of the `len` bytes was written just above.
    let bytes = unsafe { bytes.assume_init() };
    // SAFETY: the bytes are the concatenation of `str`s, so valid UTF-8,
    // and `str` has the layout of `[u8]`.
    unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) }
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
    fn ranged_changes_reparse_a_region_and_equal_a_fresh_parse() {
        let text = "[Ann]{@a} met Bo.\n\n<!-- c -->\n\nSecond 😀 line [x]{@b}.\n\n@a: person \"Ann\"\n";
        let mut doc = Document::new(PathBuf::from("/t.nmk"), PathBuf::from("/"), 1, text);
        let _ = doc.current.line_index();
        let change = |line, col, end: u32, text: &str| TextDocumentContentChangeEvent {
            range: Some(tower_lsp_server::ls_types::Range::new(
                tower_lsp_server::ls_types::Position::new(line, col),
                tower_lsp_server::ls_types::Position::new(line, end),
            )),
            range_length: None,
            text: text.into(),
        };
        // Two changes in one notification, then one after the emoji, then
        // one in the definition block.
        doc.apply(&[change(0, 16, 16, "b"), change(0, 0, 0, "Hi ")], 2, Utf16);
        doc.apply(&[change(4, 9, 9, "!")], 3, Utf16);
        doc.apply(&[change(6, 12, 15, "Anne")], 4, Utf16);
        let want = "Hi [Ann]{@a} met Bob.\n\n<!-- c -->\n\nSecond 😀! line [x]{@b}.\n\n@a: person \"Anne\"\n";
        let current = doc.current.clone();
        assert_eq!(&*current.text, want);
        assert_eq!(*current.parse, syntax::parse(want));
        assert_eq!(*current.line_index(), LineIndex::new(want));
        let (_, region) = current.reparsed.expect("reparsed from the previous version");
        assert!(region.new.start > 0, "only the definition block: {region:?}");
    }

    /// The text of a version is spliced from the last one and the rope:
    /// equal to the rope's contents after one edit or several composed,
    /// and made from the rope alone when the edit does not fit the text
    /// given.
    #[test]
    fn a_spliced_text_equals_the_rope() {
        let before = "é😀 ab\r\ncd\n";
        let mut rope = EditableText::new(before);
        let lc = |line, col| LineCol { line, col };
        let first = rope.replace(Some((lc(0, 3), lc(0, 4))), "XY", Utf16).unwrap();
        let second = rope.replace(Some((lc(1, 0), lc(1, 1))), "😀\n", Utf16).unwrap();
        let edit = first.then(second);
        assert_eq!(&*rope.spliced(before, edit), rope.contents());
        assert_eq!(rope.contents(), "é😀XYab\r\n😀\nd\n");
        // A text the edit does not fit (another length, or an offset in
        // the middle of a character): the rope decides.
        assert_eq!(&*rope.spliced("é", edit), rope.contents());
        let inside_a_char = TextEdit { start: 1, old_end: 1, new_end: 1 };
        assert_eq!(&*rope.spliced(&rope.contents(), inside_a_char), rope.contents());
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
