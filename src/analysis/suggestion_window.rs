//! The defined ids "did you mean" compares for an undefined id, gathered
//! from a stream of ids in any order: a check that holds only some of a
//! workspace's definitions (the warm run of edited articles) gives its
//! suggestions the candidates they would have among all of them.
//!
//! [`SortedIds::closest_and_tie`] compares every id of a set of at most
//! [`EXHAUSTIVE_SUGGESTION_LIMIT`] ids, and otherwise the
//! [`SUGGESTION_NEIGHBOURS`] ids on each side of the written id in forward
//! and in reversed-text order. Its answer (the smallest distance, ties to
//! the id that sorts first, and whether another id is as close) does not
//! depend on the order the candidates are compared in, so comparing every
//! id of those windows gives the answer the whole set gives.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use rustc_hash::FxHashSet;

use super::index::{EXHAUSTIVE_SUGGESTION_LIMIT, SUGGESTION_NEIGHBOURS, SortedIds, slot};
use crate::syntax::Sigil;

/// An id ordered by its text reversed character by character (UTF-8
/// keeps the order of characters, so this is the order of the reversed
/// strings `SortedIds` sorts).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Reversed<'a>(&'a str);

impl Ord for Reversed<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.chars().rev().cmp(other.0.chars().rev())
    }
}

impl PartialOrd for Reversed<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Keeps the `SUGGESTION_NEIGHBOURS` largest distinct items offered.
fn keep_largest<T: Ord>(set: &mut BTreeSet<T>, item: T) {
    if set.len() < SUGGESTION_NEIGHBOURS {
        set.insert(item);
    } else if set.first().is_some_and(|least| item > *least) && set.insert(item) {
        set.pop_first();
    }
}

/// Keeps the `SUGGESTION_NEIGHBOURS` smallest distinct items offered.
fn keep_smallest<T: Ord>(set: &mut BTreeSet<T>, item: T) {
    if set.len() < SUGGESTION_NEIGHBOURS {
        set.insert(item);
    } else if set.last().is_some_and(|most| item < *most) && set.insert(item) {
        set.pop_last();
    }
}

/// The neighbours of one written id among the ids offered so far: those
/// sorting just before it and just from it on, forwards and reversed.
#[derive(Clone)]
struct Window<'a> {
    sigil: Sigil,
    written: &'a str,
    before: BTreeSet<&'a str>,
    from: BTreeSet<&'a str>,
    before_reversed: BTreeSet<Reversed<'a>>,
    from_reversed: BTreeSet<Reversed<'a>>,
}

impl<'a> Window<'a> {
    fn new(sigil: Sigil, written: &'a str) -> Window<'a> {
        Window {
            sigil,
            written,
            before: BTreeSet::new(),
            from: BTreeSet::new(),
            before_reversed: BTreeSet::new(),
            from_reversed: BTreeSet::new(),
        }
    }

    fn offer(&mut self, id: &'a str) {
        if id < self.written {
            keep_largest(&mut self.before, id);
        } else {
            keep_smallest(&mut self.from, id);
        }
        let reversed = Reversed(id);
        if reversed < Reversed(self.written) {
            keep_largest(&mut self.before_reversed, reversed);
        } else {
            keep_smallest(&mut self.from_reversed, reversed);
        }
    }

    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        let reversed = self.before_reversed.iter().chain(&self.from_reversed).map(|r| r.0);
        self.before.iter().chain(&self.from).copied().chain(reversed)
    }
}

/// The candidates of "did you mean" for some undefined ids, gathered from
/// every defined id of a workspace (offered in any order, repeats
/// allowed), in pieces that [`merge`](Self::merge) joins.
#[derive(Clone)]
pub struct SuggestionWindows<'a> {
    windows: Vec<Window<'a>>,
    /// Every distinct id of each sigil, while there are at most
    /// `EXHAUSTIVE_SUGGESTION_LIMIT` (then every id is compared).
    all: [Option<FxHashSet<&'a str>>; 2],
}

impl<'a> SuggestionWindows<'a> {
    /// Windows for the written ids `undefined`.
    pub fn new(undefined: &'a [(Sigil, String)]) -> SuggestionWindows<'a> {
        SuggestionWindows {
            windows: undefined.iter().map(|(sigil, id)| Window::new(*sigil, id)).collect(),
            all: [Some(FxHashSet::default()), Some(FxHashSet::default())],
        }
    }

    /// Offers one defined id.
    pub fn offer(&mut self, sigil: Sigil, id: &'a str) {
        for window in self.windows.iter_mut().filter(|w| w.sigil == sigil) {
            window.offer(id);
        }
        let all = &mut self.all[slot(sigil)];
        if let Some(set) = all {
            set.insert(id);
            if set.len() > EXHAUSTIVE_SUGGESTION_LIMIT {
                *all = None;
            }
        }
    }

    /// Joins what two parts of the stream found.
    pub fn merge(mut self, other: SuggestionWindows<'a>) -> SuggestionWindows<'a> {
        for (mine, theirs) in self.windows.iter_mut().zip(other.windows) {
            for id in theirs.ids() {
                mine.offer(id);
            }
        }
        for (mine, theirs) in self.all.iter_mut().zip(other.all) {
            *mine = match (mine.take(), theirs) {
                (Some(mut set), Some(theirs)) => {
                    set.extend(theirs);
                    (set.len() <= EXHAUSTIVE_SUGGESTION_LIMIT).then_some(set)
                }
                _ => None,
            };
        }
        self
    }

    /// Sorted ids of `sigil` that give every undefined id of that sigil
    /// the answer the whole stream's ids give; `None` when one set serving
    /// all of them cannot be shown to (rare: the windows of two undefined
    /// ids, compared together, hold a closer id than either window).
    pub fn sorted_ids(&self, sigil: Sigil) -> Option<SortedIds> {
        if let Some(all) = &self.all[slot(sigil)] {
            return Some(SortedIds::of_distinct(all.iter().copied()));
        }
        let windows: Vec<&Window> = self.windows.iter().filter(|w| w.sigil == sigil).collect();
        let union: BTreeSet<&str> = windows.iter().flat_map(|w| w.ids()).collect();
        let sorted = SortedIds::of_distinct(union.into_iter());
        let same_answer = |w: &&Window| {
            let own: BTreeSet<&str> = w.ids().collect();
            SortedIds::of_distinct(own.into_iter()).closest_and_tie(w.written) == sorted.closest_and_tie(w.written)
        };
        windows.iter().all(same_answer).then_some(sorted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids many enough that "did you mean" compares windows, not all.
    fn many_ids() -> Vec<String> {
        let mut ids: Vec<String> =
            (0..5_000).map(|i| format!("person-{:05}-{}", (i * 7919) % 10_007, i % 13)).collect();
        ids.extend(["jon-smith", "john-smyth", "jane-smith", "person-00042-x"].map(String::from));
        ids
    }

    fn whole(ids: &[String]) -> SortedIds {
        let distinct: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        SortedIds::of_distinct(distinct.into_iter())
    }

    /// Offered in pieces (one of them repeated, in reverse order), merged:
    /// the answers of every undefined id are those of the whole set.
    #[test]
    fn windows_gathered_in_pieces_answer_as_the_whole_set() {
        let ids = many_ids();
        let undefined: Vec<(Sigil, String)> =
            ["john-smith", "person-00042-", "persn-00100-3", "zzz", "a", "rson-01234-5"]
                .iter()
                .map(|w| (Sigil::Entity, w.to_string()))
                .collect();
        let (first, second) = ids.split_at(ids.len() / 3);
        let mut a = SuggestionWindows::new(&undefined);
        let mut b = SuggestionWindows::new(&undefined);
        first.iter().for_each(|id| a.offer(Sigil::Entity, id));
        second.iter().rev().chain(second).for_each(|id| b.offer(Sigil::Entity, id));
        b.offer(Sigil::Source, "jon-smith");
        let merged = a.merge(b);
        let whole = whole(&ids);
        let sorted = merged.sorted_ids(Sigil::Entity).expect("these windows serve every id");
        assert!(sorted.len() < 1_000, "windows, not every id: {}", sorted.len());
        for (_, w) in &undefined {
            assert_eq!(sorted.closest_and_tie(w), whole.closest_and_tie(w), "{w}");
        }
        // Two ids one edit away: the first in order, and a tie.
        assert_eq!(sorted.closest_and_tie("john-smith"), Some(("john-smyth".to_string(), true)));
        // The source sigil's ids are its own: a few, all compared.
        assert_eq!(merged.sorted_ids(Sigil::Source).map(|s| s.len()), Some(1));
    }

    /// A set small enough to be compared whole is kept whole.
    #[test]
    fn a_small_set_is_kept_whole() {
        let undefined = vec![(Sigil::Entity, "grase".to_string())];
        let mut w = SuggestionWindows::new(&undefined);
        for id in ["grace", "alan", "ada", "grace"] {
            w.offer(Sigil::Entity, id);
        }
        let sorted = w.sorted_ids(Sigil::Entity).unwrap();
        assert_eq!(sorted.len(), 3);
        assert_eq!(sorted.closest("grase").as_deref(), Some("grace"));
    }

    /// Two undefined ids whose windows, compared together, hold an id
    /// closer to one of them than its own windows do: no set is given.
    #[test]
    fn windows_that_would_answer_otherwise_together_give_no_set() {
        // 3,000 ids sort between "b" and the written "bz", forwards and
        // reversed: "b", one deletion away, is outside the windows of
        // "bz", but first in those of "a".
        let mut ids: Vec<String> = (0..3_000).map(|i| format!("b-{i:05}x")).collect();
        ids.push("b".to_string());
        let undefined = vec![(Sigil::Entity, "bz".to_string()), (Sigil::Entity, "a".to_string())];
        let mut w = SuggestionWindows::new(&undefined);
        ids.iter().for_each(|id| w.offer(Sigil::Entity, id));
        let whole = whole(&ids);
        assert_eq!(whole.closest("bz"), None);
        assert_eq!(whole.closest("a").as_deref(), Some("b"));
        assert!(w.sorted_ids(Sigil::Entity).is_none());
        // Alone, "bz" is served.
        let alone = vec![(Sigil::Entity, "bz".to_string())];
        let mut w = SuggestionWindows::new(&alone);
        ids.iter().for_each(|id| w.offer(Sigil::Entity, id));
        assert_eq!(w.sorted_ids(Sigil::Entity).map(|s| s.closest("bz")), Some(None));
    }

    #[test]
    fn reversed_order_is_the_order_of_reversed_strings() {
        let mut words = ["abc", "cba", "bca", "é", "zé", "ée", "", "a"];
        words.sort_by_key(|w| Reversed(w));
        let mut by_string = words;
        by_string.sort_by_key(|w| w.chars().rev().collect::<String>());
        assert_eq!(words, by_string);
    }
}
