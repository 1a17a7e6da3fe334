//! Character classes of the markup: what an id may look like (spec §3) and
//! what a word character is (§9: Unicode letters, marks and numbers).

use unicode_general_category::{GeneralCategory as Gc, get_general_category};

/// True when `s` is a valid id: a letter (L*) or decimal digit (Nd), then
/// letters, marks (M*), decimal digits, `-`, `_` or `.`.
pub fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_id_start) && chars.all(is_id_continue)
}

fn is_id_start(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_letter(get_general_category(c)) || get_general_category(c) == Gc::DecimalNumber
    }
}

/// True when `c` may stand after the first character of an id.
pub fn is_id_continue(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
    } else {
        let category = get_general_category(c);
        is_letter(category)
            || category == Gc::DecimalNumber
            || matches!(category, Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark)
    }
}

/// A word character (§9): a Unicode letter, mark or number. Words bound
/// name matches (`untagged-mention`) and NLP tokens.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let category = get_general_category(c);
    is_letter(category)
        || matches!(
            category,
            Gc::NonspacingMark
                | Gc::SpacingMark
                | Gc::EnclosingMark
                | Gc::DecimalNumber
                | Gc::LetterNumber
                | Gc::OtherNumber
        )
}

fn is_letter(category: Gc) -> bool {
    matches!(
        category,
        Gc::UppercaseLetter | Gc::LowercaseLetter | Gc::TitlecaseLetter | Gc::ModifierLetter | Gc::OtherLetter
    )
}

#[cfg(test)]
mod tests {
    use super::is_valid_id;

    #[test]
    fn ids() {
        for good in ["a", "xi-jinping", "Q76", "2015-11", "a.b_c", "習近平", "café", "cafe\u{301}", "दिल्ली", "٣"]
        {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["", "-a", "_a", ".a", "\u{301}a", "a b", "a@b", "a:b", "a,", "a/b", "①"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
