//! Definition headers (spec §4): `@id: kind "Display Name"` or `^id: …`.

use super::ast::{Definition, Sigil};
use super::expected::{ID_RULE, found, shortened};
use super::id::is_valid_id;
use super::lines::{Line, is_space};
use crate::text::TextRange;

/// Parses the header line `line` (it starts with `@` or `^`) into a
/// definition without attributes, or says what is wrong with it.
pub(crate) fn parse_header(text: &str, line: Line) -> Result<Definition, String> {
    let bytes = text.as_bytes();
    let sigil_char = bytes.get(line.start).copied().map(char::from);
    let sigil = sigil_char.and_then(Sigil::from_char).ok_or_else(|| shape_message('@'))?;
    let s = sigil.char();

    let id_start = line.start + 1;
    let id_end = id_start + count_while(bytes, id_start, line.end, |b| b != b':' && !is_space(b));
    let id = text.get(id_start..id_end).unwrap_or("");
    let rest_of_line = |from: usize| text.get(from..line.end).unwrap_or("");
    if id.is_empty() {
        return Err(format!(
            "expected an id after '{s}', found {}; {}",
            found(rest_of_line(id_start)),
            shape_message(s)
        ));
    }
    if bytes.get(id_end) != Some(&b':') || id_end >= line.end {
        return Err(format!(
            "expected ':' right after '{s}{}', found {}; {}",
            shortened(id),
            found(rest_of_line(id_end)),
            shape_message(s)
        ));
    }
    if !is_valid_id(id) {
        return Err(format!("'{}' after '{s}' is not a valid id: {ID_RULE}", shortened(id)));
    }

    let kind_start = id_end + 1 + count_while(bytes, id_end + 1, line.end, is_space);
    let kind_end = kind_start + count_while(bytes, kind_start, line.end, |b| b != b'"' && !is_space(b));
    let kind = text.get(kind_start..kind_end).unwrap_or("");
    if kind.is_empty() {
        return Err(format!(
            "expected a kind after '{s}{id}:', found {}, as in '{s}{id}: {} \"Display Name\"'",
            match rest_of_line(kind_start) {
                quoted if quoted.starts_with('"') => "a display name".to_string(),
                rest => found(rest),
            },
            if sigil == Sigil::Entity { "person" } else { "statement" }
        ));
    }
    // A kind is a run of non-white-space characters: Unicode white space
    // (a no-break space, say) ends it like a space does.
    if let Some((offset, _)) = kind.char_indices().find(|&(_, c)| c.is_whitespace()) {
        let kind_word = kind.get(..offset).unwrap_or("");
        return Err(format!(
            "expected a space, a tab or '\"' after the kind '{kind_word}', found {}; {}",
            found(kind.get(offset..).unwrap_or("")),
            shape_message(s)
        ));
    }

    let mut pos = kind_end + count_while(bytes, kind_end, line.end, is_space);
    let mut name = None;
    let mut name_range = None;
    if bytes.get(pos) == Some(&b'"') && pos < line.end {
        let (value, close) = read_display_name(text, pos + 1, line.end).ok_or_else(|| {
            "expected '\"' to close the display name, found the end of the line (write '\\\"' for a quote inside it)"
                .to_string()
        })?;
        name = Some(value.into_boxed_str());
        name_range = Some(TextRange::new(pos as u32, (close + 1) as u32));
        pos = close + 1;
    }
    let rest = text.get(pos..line.end).unwrap_or("");
    if !rest.trim().is_empty() {
        let extra = shortened(rest.trim());
        return Err(if name.is_some() {
            format!("expected the end of the line after the display name, found '{extra}'")
        } else {
            format!(
                "expected a display name in double quotes or the end of the line after the kind '{kind}', found '{extra}', as in '{kind} \"Display Name\"'"
            )
        });
    }

    let header_range = TextRange::new(line.start as u32, line.end as u32);
    Ok(Definition {
        sigil,
        id: id.into(),
        id_range: TextRange::new(line.start as u32, id_end as u32),
        kind: kind.into(),
        kind_range: TextRange::new(kind_start as u32, kind_end as u32),
        name,
        name_range,
        header_range,
        range: header_range,
        attributes: Vec::new(),
    })
}

fn shape_message(s: char) -> String {
    format!(
        "a line starting with '{s}' is a definition header, '{s}id: kind \"Display Name\"'; write '\\{s}' to start a prose line with '{s}'"
    )
}

fn count_while(bytes: &[u8], from: usize, to: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes.get(from..to).unwrap_or(&[]).iter().take_while(|&&b| keep(b)).count()
}

/// Reads a display name whose text starts at `from` (after the opening
/// quote): `\"` and `\\` are escapes, other backslashes literal. Returns the
/// unescaped name and the offset of the closing quote.
fn read_display_name(text: &str, from: usize, to: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut name = String::new();
    let mut copied = from;
    let mut pos = from;
    while pos < to {
        match bytes.get(pos)? {
            b'"' => {
                name.push_str(text.get(copied..pos)?);
                return Some((name, pos));
            }
            b'\\' if matches!(bytes.get(pos + 1), Some(b'"' | b'\\')) && pos + 1 < to => {
                name.push_str(text.get(copied..pos)?);
                copied = pos + 1;
                pos += 2;
            }
            _ => pos += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lines::Lines;

    fn header(text: &str) -> Result<Definition, String> {
        parse_header(text, Lines::new(text).next().unwrap())
    }

    #[test]
    fn full_header() {
        let d = header("@xi-jinping:person \"Xi \\\"Big\\\" \\\\ Jinping \\n\"  \t").unwrap();
        assert_eq!((d.sigil, &*d.id, &*d.kind), (Sigil::Entity, "xi-jinping", "person"));
        assert_eq!(d.name.as_deref(), Some("Xi \"Big\" \\ Jinping \\n"));
        assert_eq!(d.id_range, TextRange::new(0, 11));
        assert_eq!(d.kind_range, TextRange::new(12, 18));
        assert_eq!(d.name_range, Some(TextRange::new(19, 45)));
    }

    #[test]
    fn kind_only_and_quote_right_after_kind() {
        let d = header("^s: statement").unwrap();
        assert_eq!((d.sigil, &*d.kind, d.name.as_deref()), (Sigil::Source, "statement", None));
        assert_eq!(header("@a: person\"A\"").unwrap().name.as_deref(), Some("A"));
    }

    #[test]
    fn malformed_headers() {
        let cases = [
            ("@ Obama said", "expected an id after '@', found a space"),
            ("@obama said", "expected ':' right after '@obama', found a space"),
            ("@obama", "expected ':' right after '@obama', found the end of the line"),
            ("@-x: person", "'-x' after '@' is not a valid id"),
            ("@x:", "expected a kind after '@x:', found the end of the line"),
            ("@x:   ", "expected a kind after '@x:', found the end of the line"),
            ("^x: \"Name\"", "expected a kind after '^x:', found a display name"),
            ("@x: person \"Open", "expected '\"' to close the display name"),
            ("@x: person \"A\" extra", "after the display name, found 'extra'"),
            ("@x: person Name", "after the kind 'person', found 'Name'"),
            ("@x: person\u{a0}\"A\"", "found the white space character U+00A0"),
        ];
        for (text, fragment) in cases {
            let message = header(text).unwrap_err();
            assert!(message.contains(fragment), "{text:?}: {message}");
        }
    }
}
