//! `key: value` lines, shared by front matter (§2) and definition blocks (§4).

use super::ast::{Attribute, ValueItem};
use super::lines::{Line, is_space};
use crate::text::TextRange;

/// Parses the attribute line `line` of `text` (leading spaces and tabs
/// skipped). The key is a run without white space or `:` directly followed
/// by `:`; the value is the rest of the line, trimmed. `None` when the line
/// is not `key: value`.
pub(crate) fn parse_attribute(text: &str, line: Line) -> Option<Attribute> {
    let bytes = text.as_bytes();
    let content = bytes.get(line.start..line.end)?;
    let key_start = line.start + content.iter().take_while(|&&b| is_space(b)).count();
    let key_len = bytes.get(key_start..line.end)?.iter().take_while(|&&b| b != b':' && !is_space(b)).count();
    let key_end = key_start + key_len;
    if key_len == 0 || bytes.get(key_end) != Some(&b':') || key_end >= line.end {
        return None;
    }
    // A key made of Unicode white space is not a key either.
    let key = text.get(key_start..key_end)?;
    if key.chars().any(char::is_whitespace) {
        return None;
    }
    let raw_value = text.get(key_end + 1..line.end)?;
    let (value, value_start) = trimmed(raw_value, key_end + 1);
    let value_range = if value.is_empty() {
        TextRange::empty(line.end as u32)
    } else {
        TextRange::new(value_start as u32, (value_start + value.len()) as u32)
    };
    Some(Attribute {
        key: key.into(),
        key_range: TextRange::new(key_start as u32, key_end as u32),
        value: value.into(),
        value_range,
        items: split_items(value, value_start),
        range: TextRange::new(line.start as u32, line.end as u32),
    })
}

/// `s` trimmed of white space, and the offset where the trimmed text starts
/// (`s` itself starting at `offset`).
fn trimmed(s: &str, offset: usize) -> (&str, usize) {
    let start_trimmed = s.trim_start();
    (start_trimmed.trim_end(), offset + (s.len() - start_trimmed.len()))
}

/// Splits a value on `;`, trimming each item and dropping empty ones.
fn split_items(value: &str, offset: usize) -> Vec<ValueItem> {
    let mut items = Vec::new();
    let mut item_offset = offset;
    for raw in value.split(';') {
        let (text, start) = trimmed(raw, item_offset);
        if !text.is_empty() {
            items.push(ValueItem {
                text: text.into(),
                range: TextRange::new(start as u32, (start + text.len()) as u32),
            });
        }
        item_offset += raw.len() + 1;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lines::Lines;

    fn parse(text: &str) -> Option<Attribute> {
        parse_attribute(text, Lines::new(text).next().unwrap())
    }

    #[test]
    fn key_value_and_items() {
        let a = parse("  aka:  DHS ; ;Homeland  Security;  ").unwrap();
        assert_eq!(&*a.key, "aka");
        assert_eq!(a.key_range, TextRange::new(2, 5));
        assert_eq!(&*a.value, "DHS ; ;Homeland  Security;");
        let items: Vec<_> = a.items.iter().map(|i| (&*i.text, i.range)).collect();
        assert_eq!(items, [("DHS", TextRange::new(8, 11)), ("Homeland  Security", TextRange::new(15, 33))]);
    }

    #[test]
    fn empty_value_sits_at_line_end() {
        let a = parse("note:   ").unwrap();
        assert_eq!(&*a.value, "");
        assert_eq!(a.value_range, TextRange::empty(8));
        assert!(a.items.is_empty());
        assert_eq!(&*parse("url:https://x").unwrap().value, "https://x");
    }

    #[test]
    fn not_attributes() {
        for line in ["  ", "key value", ": value", "key :value", "  no colon here", "key"] {
            assert_eq!(parse(line), None, "{line:?}");
        }
    }
}
