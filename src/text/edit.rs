//! One edit of a text, as byte offsets: what an incremental consumer needs
//! to know about a change (the replaced range and the length of what
//! replaced it), and the composition of several into one that covers them.

/// `old[start..old_end]` was replaced; the replacement is
/// `new[start..new_end]`. Everything before `start` is unchanged, and
/// everything from `old_end` on moved by `new_end - old_end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: u32,
    pub old_end: u32,
    pub new_end: u32,
}

impl TextEdit {
    /// How far the text after the edit moved.
    pub fn delta(self) -> i64 {
        i64::from(self.new_end) - i64::from(self.old_end)
    }

    /// One edit covering `self` followed by `next` (whose offsets are in
    /// the text `self` produced).
    pub fn then(self, next: TextEdit) -> TextEdit {
        // In the text between the two edits, `self` covers
        // start..new_end; `next` covers next.start..next.old_end.
        let start = self.start.min(next.start);
        // The end of both, in the intermediate text.
        let mid_end = self.new_end.max(next.old_end);
        // Back to the original text: after `self`'s range, offsets moved
        // by self's delta.
        let old_end = (i64::from(mid_end) - self.delta()).max(i64::from(self.old_end));
        // Forward to the final text: after `next`'s range, offsets moved by
        // next's delta.
        let new_end = (i64::from(mid_end) + next.delta()).max(i64::from(next.new_end));
        TextEdit {
            start,
            old_end: old_end.clamp(0, i64::from(u32::MAX)) as u32,
            new_end: new_end.clamp(0, i64::from(u32::MAX)) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TextEdit;

    fn apply(text: &str, start: usize, end: usize, insert: &str) -> (String, TextEdit) {
        let new = format!("{}{insert}{}", &text[..start], &text[end..]);
        (new, TextEdit { start: start as u32, old_end: end as u32, new_end: (start + insert.len()) as u32 })
    }

    /// The composed edit leaves the same prefix and suffix unchanged.
    fn check(text: &str, a: (usize, usize, &str), b: (usize, usize, &str)) {
        let (mid, e1) = apply(text, a.0, a.1, a.2);
        let (end, e2) = apply(&mid, b.0, b.1, b.2);
        let e = e1.then(e2);
        let (s, oe, ne) = (e.start as usize, e.old_end as usize, e.new_end as usize);
        assert_eq!(text[..s], end[..s], "{e:?}");
        assert_eq!(text[oe..], end[ne..], "{e:?}");
        assert!(s <= oe && s <= ne);
    }

    #[test]
    fn composition_covers_both_edits() {
        check("abcdefghij", (2, 4, "XYZ"), (0, 1, ""));
        check("abcdefghij", (2, 4, "XYZ"), (8, 9, "QQ"));
        check("abcdefghij", (2, 4, ""), (1, 6, "Q"));
        check("abcdefghij", (5, 5, "x"), (6, 6, "y"));
        check("abcdefghij", (5, 5, "x"), (5, 6, ""));
        check("abcdefghij", (0, 10, ""), (0, 0, "new"));
        for i in 0..10 {
            for j in i..10 {
                check("abcdefghij", (3, 6, "12"), (i.min(9), j.min(9), "w"));
            }
        }
    }
}
