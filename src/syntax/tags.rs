//! Tags inside a paragraph (spec §3): escapes, bracket pairing with an
//! explicit stack, reference lists, failed tags.

use memchr::memchr3;

use super::ast::{Reference, Sigil, SyntaxError, Tag};
use super::definition::ID_RULE;
use super::id::is_valid_id;
use super::lines::{is_space, line_end_from};
use crate::text::TextRange;

/// Bytes the scanner stops at; everything else is copied through.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'\\' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table[b'{' as usize] = true;
    table
};

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
                        message: "a reference list must directly follow a tag's text in brackets: write `[text]{@id}` (or `\\{` for a literal brace)".to_string(),
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

/// Reads the reference list whose `{` is at `open`, up to the first `}` on
/// the same line. Returns the references and the offset of the `}`.
fn read_references(bytes: &[u8], text: &str, open: usize) -> Result<(Vec<Reference>, usize), Failed> {
    let after = open + 1;
    let close = match bytes.get(after..).and_then(|rest| memchr3(b'}', b'\n', b'\r', rest)) {
        Some(offset) if bytes.get(after + offset) == Some(&b'}') => after + offset,
        found => {
            let line_end = found.map_or_else(|| line_end_from(bytes, after), |offset| after + offset);
            return Err(Failed {
                error: SyntaxError {
                    range: TextRange::new(open as u32, line_end as u32),
                    message: "reference list is not closed: add `}` on the same line (write `\\{` for a literal brace)"
                        .to_string(),
                },
                resume: line_end,
            });
        }
    };
    let fail = |message: String| Failed {
        error: SyntaxError { range: TextRange::new(open as u32, (close + 1) as u32), message },
        resume: close + 1,
    };
    let mut refs = Vec::new();
    let mut pos = after;
    while pos < close {
        let token_len = bytes.get(pos..close).unwrap_or(&[]).iter().take_while(|&&b| !is_space(b)).count();
        if token_len == 0 {
            pos += 1;
            continue;
        }
        let token = text.get(pos..pos + token_len).unwrap_or("");
        let mut chars = token.chars();
        let sigil = chars.next().and_then(Sigil::from_char);
        let id = chars.as_str();
        match sigil {
            None => {
                return Err(fail(format!(
                    "`{token}` has no sigil: write `@{token}` for an entity or `^{token}` for a source"
                )));
            }
            Some(sigil) if id.is_empty() => {
                return Err(fail(format!("`{}` must be followed by an id, as in `{}id`", sigil.char(), sigil.char())));
            }
            Some(_) if !is_valid_id(id) => {
                return Err(fail(format!("`{id}` in `{token}` is not a valid id: {ID_RULE}")));
            }
            Some(sigil) => refs.push(Reference {
                sigil,
                id: id.into(),
                range: TextRange::new(pos as u32, (pos + token_len) as u32),
            }),
        }
        pos += token_len;
    }
    if refs.is_empty() {
        return Err(fail("empty reference list: write `{@id}` for an entity or `{^id}` for a source".to_string()));
    }
    Ok((refs, close))
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
