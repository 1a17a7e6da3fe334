//! Front matter (spec §2): `---` on line 1, non-indented `key: value` lines,
//! a closing `---`.

use super::ast::{FrontMatter, SyntaxError};
use super::attribute::parse_attribute;
use super::lines::{Line, Lines, is_blank, is_space};
use crate::text::TextRange;

const FENCE: &[u8] = b"---";

/// True when `line` opens a front matter (the caller checks it is line 1).
pub(crate) fn is_fence(text: &str, line: Line) -> bool {
    text.as_bytes().get(line.start..line.end) == Some(FENCE)
}

/// Parses the front matter opened by `open` (line 1), consuming its lines
/// from `lines` up to and including the closing `---`.
pub(crate) fn parse_front_matter(
    text: &str,
    open: Line,
    lines: &mut Lines<'_>,
    errors: &mut Vec<SyntaxError>,
) -> FrontMatter {
    let open_range = TextRange::new(open.start as u32, open.end as u32);
    let mut front_matter = FrontMatter {
        range: TextRange::new(open_range.start, text.len() as u32),
        open: open_range,
        closed: false,
        attributes: Vec::new(),
    };
    for line in lines.by_ref() {
        let content = text.as_bytes().get(line.start..line.end).unwrap_or(&[]);
        if content == FENCE {
            front_matter.closed = true;
            front_matter.range.end = line.end as u32;
            return front_matter;
        }
        if is_blank(content) {
            continue;
        }
        let range = TextRange::new(line.start as u32, line.end as u32);
        let indented = content.first().is_some_and(|&b| is_space(b));
        match parse_attribute(text, line) {
            Some(attribute) if !indented => front_matter.attributes.push(attribute),
            _ => errors.push(SyntaxError {
                range,
                message: malformed_line_message(content, indented),
            }),
        }
    }
    errors.push(SyntaxError {
        range: open_range,
        message: "front matter is never closed: add a line `---` after its last `key: value` line (an article whose first line must read `---` starts with a blank line)".to_string(),
    });
    front_matter
}

fn malformed_line_message(content: &[u8], indented: bool) -> String {
    let trimmed = content.trim_ascii();
    if trimmed == FENCE {
        "the line closing the front matter must be exactly `---`, without white space around it"
            .to_string()
    } else if indented {
        "front matter lines must not be indented: write `key: value` at the start of the line"
            .to_string()
    } else {
        "front matter lines must look like `key: value` (a key without spaces, directly followed by `:`)".to_string()
    }
}
