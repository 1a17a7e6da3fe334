//! Front matter (spec §2): `---` on line 1, non-indented `key: value` lines,
//! a closing `---`.

use super::ast::{FrontMatter, SyntaxError};
use super::attribute::parse_attribute;
use super::expected::shortened;
use super::lines::{Line, Lines, is_blank, is_space, malformed_line_range};
use crate::text::TextRange;

const FENCE: &[u8] = b"---";

/// True when `line` opens a front matter (the caller checks it is line 1).
pub(crate) fn is_fence(text: &str, line: Line) -> bool {
    text.as_bytes().get(line.start..line.end) == Some(FENCE)
}

/// Parses the front matter opened by `open` (line 1), consuming its lines
/// from `lines` up to and including the closing `---`. A front matter that
/// never closes takes the rest of the text and is one error on its opening
/// line: nothing after it is checked (§2), so it keeps no attributes and
/// the errors of its lines are dropped.
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
    let errors_before = errors.len();
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
        let indented = content.first().is_some_and(|&b| is_space(b));
        match parse_attribute(text, line) {
            Some(attribute) if !indented => front_matter.attributes.push(attribute),
            _ => errors.push(SyntaxError {
                range: malformed_line_range(text, line),
                message: malformed_line_message(text, line, indented),
            }),
        }
    }
    errors.truncate(errors_before);
    front_matter.attributes.clear();
    errors.push(SyntaxError {
        range: open_range,
        message: "expected a line '---' closing the front matter opened here, found the end of the file, so the whole file is read as front matter (an article whose first line must read '---' starts with a blank line)".to_string(),
    });
    front_matter
}

fn malformed_line_message(text: &str, line: Line, indented: bool) -> String {
    let content = text.get(line.start..line.end).unwrap_or("");
    let trimmed = content.trim_matches(|c| c == ' ' || c == '\t');
    if trimmed.as_bytes() == FENCE {
        "expected exactly '---' to close the front matter, found '---' with white space around it".to_string()
    } else if indented {
        format!(
            "expected 'key: value' at the start of the line in the front matter, found an indented line '{}'",
            shortened(trimmed)
        )
    } else {
        format!(
            "expected 'key: value' in the front matter (a key without spaces, directly followed by ':'), found '{}'",
            shortened(trimmed)
        )
    }
}
