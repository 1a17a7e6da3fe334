//! Tags inside a paragraph (spec §3): escapes, bracket pairing with an
//! explicit stack, reference lists, failed tags.

use super::ast::{Reference, Sigil, SyntaxError, Tag};
use super::expected::{ID_RULE, found, shortened};
use super::id::is_valid_id;
use super::lines::is_space;
use crate::text::TextRange;

/// Bytes the scanner stops at; everything else is copied through.
static SPECIAL: [bool; 256] = byte_set(b"\\[]{");

/// A lookup table holding `true` for each byte of `bytes`.
const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// Characters that a backslash escapes in prose.
fn is_escapable(byte: u8) -> bool {
    matches!(byte, b'[' | b']' | b'{' | b'}' | b'@' | b'^' | b'<' | b'\\')
}

/// Where the tags, escapes and errors of paragraphs go; keeps its bracket
/// stack between paragraphs to reuse the allocation.
pub(crate) struct TagScanner<'a> {
    text: &'a str,
    open_brackets: Vec<usize>,
}

impl<'a> TagScanner<'a> {
    pub fn new(text: &'a str) -> TagScanner<'a> {
        TagScanner { text, open_brackets: Vec::new() }
    }

    /// Scans the paragraph `start..end`, appending its tags (in the order
    /// they close), escapes and errors.
    pub fn scan(
        &mut self,
        start: usize,
        end: usize,
        tags: &mut Vec<Tag>,
        escapes: &mut Vec<u32>,
        errors: &mut Vec<SyntaxError>,
    ) {
        let bytes = self.text.as_bytes();
        let paragraph = bytes.get(..end).unwrap_or(bytes);
        self.open_brackets.clear();
        let mut pos = start;
        while let Some(offset) = paragraph.get(pos..).and_then(|rest| rest.iter().position(|&b| SPECIAL[b as usize])) {
            let at = pos + offset;
            pos = at + 1;
            match paragraph.get(at) {
                Some(b'\\') if paragraph.get(at + 1).is_some_and(|&b| is_escapable(b)) => {
                    escapes.push(at as u32);
                    pos = at + 2;
                }
                Some(b'[') => self.open_brackets.push(at),
                Some(b']') => {
                    let Some(open) = self.open_brackets.pop() else {
                        continue;
                    };
                    if paragraph.get(at + 1) != Some(&b'{') {
                        continue;
                    }
                    match read_references(paragraph, self.text, at + 1) {
                        Ok((refs, close)) => {
                            tags.push(Tag {
                                range: TextRange::new(open as u32, (close + 1) as u32),
                                text_range: TextRange::new((open + 1) as u32, at as u32),
                                refs_range: TextRange::new((at + 1) as u32, (close + 1) as u32),
                                refs,
                                parent: None,
                            });
                            pos = close + 1;
                        }
                        Err(failed) => {
                            errors.push(failed.error);
                            pos = failed.resume;
                        }
                    }
                }
                Some(b'{') => {
                    if !matches!(paragraph.get(at + 1), Some(b'@' | b'^')) {
                        continue;
                    }
                    // A reference list with no tag text before it.
                    let (range, resume) = match read_references(paragraph, self.text, at) {
                        Ok((_, close)) => (TextRange::new(at as u32, (close + 1) as u32), close + 1),
                        Err(failed) => (failed.error.range, failed.resume),
                    };
                    errors.push(SyntaxError {
                        range,
                        message: "expected a tag's text in brackets before this reference list, as in '[text]{@id}', found none; write '\\{' for a literal brace".to_string(),
                    });
                    pos = resume;
                }
                _ => {}
            }
        }
    }
}

/// A failed tag: its error, and where scanning resumes.
struct Failed {
    error: SyntaxError,
    resume: usize,
}

/// Bytes that end a reference list: `}` closes it; a line end fails it, and
/// so does `[`, `]` or `{` (§3, recovery: the list ends just before it and
/// the scanner reads it again, so one broken tag never swallows the tags
/// after it on a long line).
static ENDS_LIST: [bool; 256] = byte_set(b"}\n\r[]{");

/// Reads the reference list whose `{` is at `open`. Returns the references
/// and the offset of the closing `}`, or the error of a failed tag, which
/// names the first place where the list went wrong.
fn read_references(bytes: &[u8], text: &str, open: usize) -> Result<(Vec<Reference>, usize), Failed> {
    let after = open + 1;
    let rest = bytes.get(after..).unwrap_or(&[]);
    let stop = after + rest.iter().position(|&b| ENDS_LIST[b as usize]).unwrap_or(rest.len());
    let closed = bytes.get(stop) == Some(&b'}');
    let end = if closed { stop + 1 } else { stop };
    let fail = |message: String| Failed {
        error: SyntaxError { range: TextRange::new(open as u32, end as u32), message },
        resume: end,
    };
    let mut refs: Vec<Reference> = Vec::new();
    let mut pos = after;
    loop {
        pos += bytes.get(pos..stop).unwrap_or(&[]).iter().take_while(|&&b| is_space(b)).count();
        if pos >= stop {
            break;
        }
        let token_len = bytes.get(pos..stop).unwrap_or(&[]).iter().take_while(|&&b| !is_space(b)).count();
        let token = text.get(pos..pos + token_len).unwrap_or("");
        let mut chars = token.chars();
        let sigil = chars.next().and_then(Sigil::from_char);
        let id = chars.as_str();
        match sigil {
            None => return Err(fail(no_sigil_message(refs.last(), token))),
            Some(sigil) if id.is_empty() => {
                let what =
                    if pos + 1 < stop { found(text.get(pos + 1..stop).unwrap_or("")) } else { ending(bytes, stop) };
                return Err(fail(format!("expected an id after '{}', found {what}", sigil.char())));
            }
            Some(sigil) if !is_valid_id(id) => {
                return Err(fail(format!("'{}' after '{}' is not a valid id: {ID_RULE}", shortened(id), sigil.char())));
            }
            Some(sigil) => refs.push(Reference {
                sigil,
                id: id.into(),
                range: TextRange::new(pos as u32, (pos + token_len) as u32),
            }),
        }
        pos += token_len;
    }
    if !closed {
        let what = ending(bytes, stop);
        return Err(fail(match refs.last() {
            Some(last) => format!("expected '}}' after '{}{}', found {what}", last.sigil.char(), last.id),
            None => format!("expected a reference ('@id' or '^id') after '{{', found {what}"),
        }));
    }
    if refs.is_empty() {
        return Err(fail("empty reference list: expected a reference ('@id' or '^id') before '}'".to_string()));
    }
    Ok((refs, stop))
}

/// Describes the character that ends a reference list at `stop`.
fn ending(bytes: &[u8], stop: usize) -> String {
    match bytes.get(stop) {
        Some(&b @ (b'}' | b'[' | b']' | b'{')) => format!("'{}'", char::from(b)),
        _ => "the end of the line".to_string(),
    }
}

/// The message for a word without `@` or `^` in a reference list.
fn no_sigil_message(previous: Option<&Reference>, token: &str) -> String {
    match previous {
        Some(last) => {
            format!("expected '}}' after '{}{}', found '{}'", last.sigil.char(), last.id, shortened(token))
        }
        None if is_valid_id(token) => format!(
            "expected a reference after '{{', found '{token}' without a sigil: write '@{token}' for an entity or '^{token}' for a source"
        ),
        None => format!("expected a reference ('@id' or '^id') after '{{', found '{}'", shortened(token)),
    }
}

/// Sorts tags by start and sets each one's `parent` to the innermost tag
/// enclosing it (tags nest properly: bracket pairs do).
pub(crate) fn link_parents(tags: &mut [Tag]) {
    tags.sort_unstable_by_key(|tag| tag.range.start);
    let mut enclosing: Vec<(u32, u32)> = Vec::new(); // (index, end)
    for (index, tag) in tags.iter_mut().enumerate() {
        while enclosing.last().is_some_and(|&(_, end)| end <= tag.range.start) {
            enclosing.pop();
        }
        tag.parent = enclosing.last().map(|&(parent, _)| parent);
        enclosing.push((index as u32, tag.range.end));
    }
}
