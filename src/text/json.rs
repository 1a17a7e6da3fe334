//! JSON strings written fast: the one escaper behind the hand-written JSON
//! of the server's diagnostics and of `check --format json`.

/// Appends `s` as a JSON string, byte for byte as serde_json writes it:
/// copied whole when nothing in it needs escaping, which is what messages,
/// paths and titles almost always are. The test looks at every byte
/// without an early exit, so it vectorizes, where serde_json's escaping
/// goes byte by byte (a tenth of a warm `check --format json` of a large
/// archive, and of a keystroke in a large article).
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    let escapes = s.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if escapes {
        // Writing to memory cannot fail.
        let _ = serde_json::to_writer(out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Appends a number as serde_json writes it.
pub fn write_json_number(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Strings with and without quotes, backslashes, control characters
        /// (U+0000 to U+001F and U+007F) and wide characters come out as
        /// serde_json's.
        #[test]
        fn strings_are_written_as_serde_json_writes_them(
            s in proptest::string::string_regex("[a-z “”é😀\"\\\\\u{0}-\u{1f}\u{7f}]{0,40}").unwrap(),
        ) {
            let mut mine = Vec::new();
            write_json_string(&mut mine, &s);
            proptest::prop_assert_eq!(String::from_utf8(mine).unwrap(), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn numbers_are_written_as_serde_json_writes_them(n in proptest::num::u32::ANY) {
            let mut mine = Vec::new();
            write_json_number(&mut mine, n);
            proptest::prop_assert_eq!(String::from_utf8(mine).unwrap(), serde_json::to_string(&n).unwrap());
        }
    }
}
