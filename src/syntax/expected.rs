//! Wording shared by syntax errors, which all say what was expected where
//! the text went wrong and what was found there instead.

/// What an id looks like (spec §3), for messages about invalid ids.
pub(crate) const ID_RULE: &str =
    "an id starts with a letter or digit and goes on with letters, marks, digits, '-', '_' or '.'";

/// Longest stretch of found text quoted in a message.
const QUOTE_LIMIT: usize = 30;

/// Describes the text `rest` that stands where something else was
/// expected: its first word in quotes, or what kind of character it starts
/// with.
pub(crate) fn found(rest: &str) -> String {
    match rest.chars().next() {
        None | Some('\n' | '\r') => "the end of the line".to_string(),
        Some(' ') => "a space".to_string(),
        Some('\t') => "a tab".to_string(),
        Some(c) if c.is_whitespace() => format!("the white space character U+{:04X}", c as u32),
        Some(_) => {
            // Only the first word, and at most what is quoted: the rest of
            // a long line is never scanned.
            let end = rest
                .char_indices()
                .take(QUOTE_LIMIT + 1)
                .find(|&(_, c)| c.is_whitespace())
                .map_or(rest.len(), |(at, _)| at);
            format!("'{}'", shortened(rest.get(..end).unwrap_or(rest)))
        }
    }
}

/// `text` cut to at most [`QUOTE_LIMIT`] characters, with `…` when cut.
pub(crate) fn shortened(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_what_was_found() {
        assert_eq!(found(""), "the end of the line");
        assert_eq!(found("\r\nx"), "the end of the line");
        assert_eq!(found(" said"), "a space");
        assert_eq!(found("\tx"), "a tab");
        assert_eq!(found("\u{a0}x"), "the white space character U+00A0");
        assert_eq!(found("this week"), "'this'");
        assert_eq!(found(&"x".repeat(40)), format!("'{}…'", "x".repeat(30)));
    }
}
