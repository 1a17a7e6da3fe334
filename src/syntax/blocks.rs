//! The parser's driver: classifies the lines of the cleaned text (front
//! matter, blank, definition header, attribute, prose) and builds the
//! document, then maps every range back to the original text.

use super::ast::{Document, Paragraph, Parse, SyntaxError};
use super::attribute::parse_attribute;
use super::comments::remove_comments;
use super::definition::parse_header;
use super::expected::shortened;
use super::front_matter::{is_fence, parse_front_matter};
use super::lines::{Line, Lines, is_blank, is_space, malformed_line_range};
use super::remap::remap;
use super::tags::{TagScanner, link_parents};
use crate::text::TextRange;

const BOM: &str = "\u{feff}";

/// Parses a Newsmark document. Never fails and never panics: whatever is
/// malformed becomes a [`SyntaxError`] and the rest is still read. Ranges
/// are byte ranges into `text` itself (BOM and comments included).
pub fn parse(text: &str) -> Parse {
    let bom = text.starts_with(BOM);
    let cleaned = remove_comments(text, if bom { BOM.len() } else { 0 });
    let mut parse = BlockParser::new(&cleaned.text).run();
    if !cleaned.map.is_identity() {
        remap(&mut parse, &cleaned.map);
    }
    parse.doc.bom = bom;
    parse.doc.comments = cleaned.comments;
    parse.doc.transparent_lines = cleaned.transparent_lines;
    // Nothing after the opening line of an unclosed front matter is checked
    // (§2), an unterminated comment there included.
    let unchecked_from = parse.doc.front_matter.as_ref().filter(|fm| !fm.closed).map(|fm| fm.open.end);
    parse.errors.extend(cleaned.errors.into_iter().filter(|e| unchecked_from.is_none_or(|from| e.range.start < from)));
    parse.errors.sort_by_key(|error| error.range.start);
    parse
}

/// What an indented line continues.
#[derive(Clone, Copy)]
enum Block {
    /// Nothing: an indented line is prose.
    None,
    /// The definition at this index of `Document::definitions`.
    Definition(usize),
    /// A malformed header, whose indented lines are skipped.
    Skipping,
}

struct BlockParser<'a> {
    text: &'a str,
    doc: Document,
    errors: Vec<SyntaxError>,
    tag_scanner: TagScanner<'a>,
    /// The open paragraph: its first line and the end of its last line.
    paragraph: Option<(Line, usize)>,
}

impl<'a> BlockParser<'a> {
    fn new(text: &'a str) -> BlockParser<'a> {
        BlockParser {
            text,
            doc: Document::default(),
            errors: Vec::new(),
            tag_scanner: TagScanner::new(text),
            paragraph: None,
        }
    }

    fn run(mut self) -> Parse {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut lines = Lines::new(text);
        let mut first = lines.next();
        if let Some(open) = first.filter(|&line| is_fence(text, line)) {
            self.doc.front_matter = Some(parse_front_matter(text, open, &mut lines, &mut self.errors));
            first = None;
        }
        let mut block = Block::None;
        for line in first.into_iter().chain(lines) {
            let content = bytes.get(line.start..line.end).unwrap_or(&[]);
            match content.first() {
                _ if is_blank(content) => {
                    self.end_paragraph();
                    block = Block::None;
                }
                Some(&b) if is_space(b) && !matches!(block, Block::None) => self.block_line(block, line),
                Some(b'@' | b'^') => {
                    self.end_paragraph();
                    block = self.header(line);
                }
                _ => {
                    block = Block::None;
                    self.prose(line);
                }
            }
        }
        self.end_paragraph();
        link_parents(&mut self.doc.tags);
        Parse { doc: self.doc, errors: self.errors }
    }

    fn header(&mut self, line: Line) -> Block {
        match parse_header(self.text, line) {
            Ok(definition) => {
                self.doc.definitions.push(definition);
                Block::Definition(self.doc.definitions.len() - 1)
            }
            Err(message) => {
                self.errors.push(SyntaxError { range: TextRange::new(line.start as u32, line.end as u32), message });
                Block::Skipping
            }
        }
    }

    /// An indented line right after a header or its attributes.
    fn block_line(&mut self, block: Block, line: Line) {
        let Block::Definition(index) = block else {
            return;
        };
        let Some(definition) = self.doc.definitions.get_mut(index) else {
            return;
        };
        match parse_attribute(self.text, line) {
            Some(attribute) => {
                definition.range.end = attribute.range.end;
                definition.attributes.push(attribute);
            }
            None => {
                let range = malformed_line_range(self.text, line);
                self.errors.push(SyntaxError {
                    range,
                    message: format!(
                        "expected 'key: value' on an indented line of a definition block, found '{}'; end the block with a blank line before prose",
                        shortened(range.slice(self.text))
                    ),
                });
            }
        }
    }

    fn prose(&mut self, line: Line) {
        match &mut self.paragraph {
            Some((_, end)) => *end = line.end,
            None => self.paragraph = Some((line, line.end)),
        }
    }

    fn end_paragraph(&mut self) {
        let Some((first, end)) = self.paragraph.take() else {
            return;
        };
        let doc = &mut self.doc;
        self.tag_scanner.scan(first.start, end, &mut doc.tags, &mut doc.escapes, &mut self.errors);
        let first_line = self.text.as_bytes().get(first.start..first.end).unwrap_or(&[]);
        doc.paragraphs.push(Paragraph {
            range: TextRange::new(first.start as u32, end as u32),
            heading_level: heading_level(first_line),
        });
    }
}

/// `Some(n)` when the line starts with 1–6 `#` and a space or tab.
fn heading_level(line: &[u8]) -> Option<u8> {
    let hashes = line.iter().take(7).take_while(|&&b| b == b'#').count();
    let followed_by_space = line.get(hashes).is_some_and(|&b| is_space(b));
    ((1..=6).contains(&hashes) && followed_by_space).then_some(hashes as u8)
}

#[cfg(test)]
mod tests {
    use super::heading_level;

    #[test]
    fn headings() {
        assert_eq!(heading_level(b"# Title"), Some(1));
        assert_eq!(heading_level(b"###### Six"), Some(6));
        assert_eq!(heading_level(b"####### Seven"), None);
        assert_eq!(heading_level(b"#hashtag"), None);
        assert_eq!(heading_level(b"#"), None);
        assert_eq!(heading_level(b"## \ttab"), Some(2));
    }
}
