//! "Did you mean" (spec §9): the closest candidate by edit distance within
//! max(2, n/3), with one matcher shared by ids, kinds, keys and config
//! names.

use std::borrow::Cow;

/// "Did you mean": the candidate closest to `written` by Levenshtein
/// distance over characters, if that distance is at most max(2, n/3) with n
/// the character count of `written` (§9). Ties go to the candidate that
/// sorts first, so the answer does not depend on iteration order.
///
/// Linear in the number of candidates, skipping those whose length alone
/// rules them out; a caller with a very large id set should prefilter (as
/// `SortedIds::closest` does).
pub fn closest<'a>(written: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    closest_and_tie(written, candidates).map(|(s, _)| s)
}

/// [`closest`] when no other candidate is as close: a fix may apply it
/// without a person choosing (§14).
pub fn closest_unique<'a>(written: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    closest_and_tie(written, candidates).filter(|(_, tied)| !tied).map(|(s, _)| s)
}

fn closest_and_tie<'a>(written: &str, candidates: impl Iterator<Item = &'a str>) -> Option<(&'a str, bool)> {
    let w: Vec<char> = written.chars().collect();
    let mut search = Closest::new(&w);
    for cand in candidates {
        search.offer(cand, || Cow::Borrowed(cand));
    }
    match search.best {
        Some((_, Cow::Borrowed(s))) => Some((s, search.tied)),
        _ => None,
    }
}

/// A running "closest id" search: the smallest edit distance within
/// max(2, n/3), ties to the id that sorts first. Each candidate costs one
/// bit-parallel pass over its characters (ids up to 64 characters), with no
/// allocation.
pub(crate) struct Closest<'w, 'c> {
    written: &'w [char],
    limit: usize,
    /// Match masks of the written id's characters (Myers/Hyyrö): ASCII in
    /// a table, anything else in a short list.
    ascii: [u64; 128],
    other: Vec<(char, u64)>,
    buf: Vec<char>,
    pub(crate) best: Option<(usize, Cow<'c, str>)>,
    /// Whether another candidate is as close as `best`.
    pub(crate) tied: bool,
}

impl<'w, 'c> Closest<'w, 'c> {
    pub(crate) fn new(written: &'w [char]) -> Self {
        let mut ascii = [0u64; 128];
        let mut other: Vec<(char, u64)> = Vec::new();
        if written.len() <= 64 {
            for (i, &c) in written.iter().enumerate() {
                let bit = 1u64 << i;
                if c.is_ascii() {
                    ascii[c as usize] |= bit;
                } else if let Some(e) = other.iter_mut().find(|e| e.0 == c) {
                    e.1 |= bit;
                } else {
                    other.push((c, bit));
                }
            }
        }
        Closest { written, limit: (written.len() / 3).max(2), ascii, other, buf: Vec::new(), best: None, tied: false }
    }

    /// Considers `cand` (compared as given); `original` gives the id as it
    /// is to be reported and compared for ties.
    pub(crate) fn offer(&mut self, cand: &'c str, original: impl FnOnce() -> Cow<'c, str>) {
        // A candidate further than the best so far (or the limit) can
        // neither win nor tie, and its length alone can say so: the
        // distance is at least the difference of the lengths.
        let bound = self.best.as_ref().map_or(self.limit, |(d, _)| (*d).min(self.limit));
        let len = cand.chars().count();
        if len.abs_diff(self.written.len()) > bound || cand.chars().eq(self.written.iter().copied()) {
            return;
        }
        let d = if self.written.len() <= 64 {
            Some(self.bit_parallel(cand)).filter(|&d| d <= bound)
        } else {
            self.buf.clear();
            self.buf.extend(cand.chars());
            levenshtein_within(self.written, &self.buf, bound)
        };
        let Some(d) = d else { return };
        let original = original();
        match &self.best {
            Some((bd, bc)) if d == *bd && original != *bc => self.tied = true,
            Some((bd, _)) if d < *bd => self.tied = false,
            _ => {}
        }
        if self.best.as_ref().is_none_or(|(bd, bc)| d < *bd || (d == *bd && original < *bc)) {
            self.best = Some((d, original));
        }
    }

    fn mask(&self, c: char) -> u64 {
        if c.is_ascii() { self.ascii[c as usize] } else { self.other.iter().find(|e| e.0 == c).map_or(0, |e| e.1) }
    }

    /// The Levenshtein distance of the written id (at most 64 characters)
    /// and `cand` (Hyyrö 2003, global distance).
    pub(crate) fn bit_parallel(&self, cand: &str) -> usize {
        let m = self.written.len();
        if m == 0 {
            return cand.chars().count();
        }
        let last = 1u64 << (m - 1);
        let (mut pv, mut mv, mut score) = (!0u64, 0u64, m);
        for c in cand.chars() {
            let eq = self.mask(c);
            let xv = eq | mv;
            let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & last != 0 {
                score += 1;
            } else if mh & last != 0 {
                score -= 1;
            }
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | !(xv | ph);
            mv = ph & xv;
        }
        score
    }
}

/// The Levenshtein distance of `a` and `b` if it is at most `limit`; stops
/// as soon as every entry of a row exceeds the limit.
pub(crate) fn levenshtein_within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        let mut row_min = row[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
            row_min = row_min.min(row[j + 1]);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut row);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::closest_and_tie;

    /// §9 said plainly: every candidate other than the written id itself,
    /// by Levenshtein distance within max(2, n/3); the closest, ties to
    /// the one that sorts first, and whether another text is as close.
    fn naive<'a>(written: &str, candidates: &[&'a str]) -> Option<(&'a str, bool)> {
        let limit = (written.chars().count() / 3).max(2);
        let mut within: Vec<(usize, &str)> = candidates
            .iter()
            .filter(|c| **c != written)
            .map(|c| (strsim::levenshtein(written, c), *c))
            .filter(|(d, _)| *d <= limit)
            .collect();
        within.sort_unstable();
        within.dedup();
        let &(best, text) = within.first()?;
        Some((text, within.get(1).is_some_and(|(d, _)| *d == best)))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn the_closest_is_that_of_the_plain_definition(
            written in "[abé-]{0,9}",
            candidates in proptest::collection::vec("[abé-]{0,12}", 0..24),
        ) {
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            prop_assert_eq!(closest_and_tie(&written, candidates.iter().copied()), naive(&written, &candidates));
        }
    }
}
