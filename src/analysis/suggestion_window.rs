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

use super::index::{EXHAUSTIVE_SUGGESTION_LIMIT, SUGGESTION_NEIGHBOURS, SortedIds, reversed_cmp, slot};
use crate::syntax::Sigil;

/// An id ordered by its text reversed character by character (UTF-8
/// keeps the order of characters, so this is the order of the reversed
/// strings: the order of `SortedIds`' reversed window).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Reversed<'a>(&'a str);

impl Ord for Reversed<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        reversed_cmp(self.0, other.0)
    }
}

impl PartialOrd for Reversed<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Keeps the `SUGGESTION_NEIGHBOURS` largest distinct items offered;
/// false when `item` was not taken (too small, or already there).
fn keep_largest<T: Ord>(set: &mut BTreeSet<T>, item: T) -> bool {
    if set.len() < SUGGESTION_NEIGHBOURS {
        set.insert(item)
    } else if set.first().is_some_and(|least| item > *least) && set.insert(item) {
        set.pop_first();
        true
    } else {
        false
    }
}

/// Keeps the `SUGGESTION_NEIGHBOURS` smallest distinct items offered;
/// false when `item` was not taken.
fn keep_smallest<T: Ord>(set: &mut BTreeSet<T>, item: T) -> bool {
    if set.len() < SUGGESTION_NEIGHBOURS {
        set.insert(item)
    } else if set.last().is_some_and(|most| item < *most) && set.insert(item) {
        set.pop_last();
        true
    } else {
        false
    }
}

/// Offers `item` to the windows of `order` (sorted by `key`, their written
/// id in one order), nearest first on each side: windows whose written id
/// is at most `item` keep it on their `from` side, the others on their
/// `before` side. Each side's visit stops at the first window that turns
/// it away (see [`SuggestionWindows`]).
fn visit<'a, T: Ord + Copy>(
    windows: &mut [Window<'a>],
    order: &[usize],
    item: T,
    key: fn(&Window<'a>) -> T,
    from: for<'w> fn(&'w mut Window<'a>) -> &'w mut BTreeSet<T>,
    before: for<'w> fn(&'w mut Window<'a>) -> &'w mut BTreeSet<T>,
) {
    let at = order.partition_point(|&w| key(&windows[w]) <= item);
    let (at_most, above) = order.split_at(at);
    for &w in at_most.iter().rev() {
        if !keep_smallest(from(&mut windows[w]), item) {
            break;
        }
    }
    for &w in above {
        if !keep_largest(before(&mut windows[w]), item) {
            break;
        }
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

    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        let reversed = self.before_reversed.iter().chain(&self.from_reversed).map(|r| r.0);
        self.before.iter().chain(&self.from).copied().chain(reversed)
    }
}

/// The candidates of "did you mean" for some undefined ids, gathered from
/// every defined id of a workspace (offered in any order, repeats
/// allowed), in pieces that [`merge`](Self::merge) joins.
///
/// An id offered is given only to the windows it can enter. Of two
/// windows on the same side of it, the one whose written id is farther
/// keeps neighbours at least as close to that id as the nearer one does
/// (it was offered the same ids, and more of them lie on its side): when
/// the nearer window turns the id away, so would every farther one. So
/// the windows are visited nearest first, in the order of their written
/// ids (forwards, and reversed), and the visit stops at the first that
/// turns the id away: hundreds of undefined ids cost little more than one.
#[derive(Clone)]
pub struct SuggestionWindows<'a> {
    windows: Vec<Window<'a>>,
    /// Per sigil, the windows by written id, forwards and reversed.
    forward: [Vec<usize>; 2],
    reversed: [Vec<usize>; 2],
    /// Every distinct id of each sigil, while there are at most
    /// `EXHAUSTIVE_SUGGESTION_LIMIT` (then every id is compared).
    all: [Option<FxHashSet<&'a str>>; 2],
}

impl<'a> SuggestionWindows<'a> {
    /// Windows for the written ids `undefined` (distinct).
    pub fn new(undefined: &'a [(Sigil, String)]) -> SuggestionWindows<'a> {
        let windows: Vec<Window> = undefined.iter().map(|(sigil, id)| Window::new(*sigil, id)).collect();
        let by = |sigil: Sigil, reversed: bool| {
            let mut order: Vec<usize> = (0..windows.len()).filter(|&w| windows[w].sigil == sigil).collect();
            match reversed {
                false => order.sort_by_key(|&w| windows[w].written),
                true => order.sort_by_key(|&w| Reversed(windows[w].written)),
            }
            order
        };
        // Indexed by `slot`.
        let forward = [by(Sigil::Entity, false), by(Sigil::Source, false)];
        let reversed = [by(Sigil::Entity, true), by(Sigil::Source, true)];
        SuggestionWindows { windows, forward, reversed, all: [Some(FxHashSet::default()), Some(FxHashSet::default())] }
    }

    /// Offers one defined id.
    pub fn offer(&mut self, sigil: Sigil, id: &'a str) {
        self.offer_to_windows(sigil, id);
        let all = &mut self.all[slot(sigil)];
        if let Some(set) = all {
            set.insert(id);
            if set.len() > EXHAUSTIVE_SUGGESTION_LIMIT {
                *all = None;
            }
        }
    }

    /// Offers `id` to the windows it can enter (see the type's
    /// documentation).
    fn offer_to_windows(&mut self, sigil: Sigil, id: &'a str) {
        let Self { windows, forward, reversed, .. } = self;
        let s = slot(sigil);
        visit(windows, &forward[s], id, |w| w.written, |w| &mut w.from, |w| &mut w.before);
        let (key, item) = (|w: &Window<'a>| Reversed(w.written), Reversed(id));
        visit(windows, &reversed[s], item, key, |w| &mut w.from_reversed, |w| &mut w.before_reversed);
    }

    /// Joins what two parts of the stream found.
    pub fn merge(mut self, other: SuggestionWindows<'a>) -> SuggestionWindows<'a> {
        // Every id their windows kept, offered to every window here: each
        // window then holds the closest of both streams, and all of them
        // have been offered the same ids (what the visit's stop relies on).
        let mut theirs: Vec<(Sigil, &str)> =
            other.windows.iter().flat_map(|w| w.ids().map(move |id| (w.sigil, id))).collect();
        theirs.sort_unstable();
        theirs.dedup();
        for (sigil, id) in theirs {
            self.offer_to_windows(sigil, id);
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

    /// Hundreds of undefined ids, each id given only to the windows it
    /// can enter: every window holds exactly the neighbours it would hold
    /// had every id been offered to it, however the stream was split.
    #[test]
    fn each_window_holds_its_true_neighbours_among_many() {
        let ids = many_ids();
        let undefined: Vec<(Sigil, String)> = (0..300)
            .map(|i| (Sigil::Entity, format!("person-{:05}-{}", (i * 3301) % 10_007, (i * 7) % 17)))
            .chain(["", "a", "zzzz", "person-", "jon-smith"].map(|w| (Sigil::Entity, w.to_string())))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let pieces: Vec<&[String]> = ids.chunks(1_234).collect();
        let mut merged = SuggestionWindows::new(&undefined);
        for (k, piece) in pieces.iter().enumerate() {
            let mut part = SuggestionWindows::new(&undefined);
            // Forwards, backwards, and with repeats.
            match k % 3 {
                0 => piece.iter().for_each(|id| part.offer(Sigil::Entity, id)),
                1 => piece.iter().rev().for_each(|id| part.offer(Sigil::Entity, id)),
                _ => piece.iter().chain(piece.iter()).for_each(|id| part.offer(Sigil::Entity, id)),
            }
            merged = if k % 2 == 0 { merged.merge(part) } else { part.merge(merged) };
        }
        let distinct: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        let by_reversed: BTreeSet<Reversed> = distinct.iter().map(|id| Reversed(id)).collect();
        for w in &merged.windows {
            let before: BTreeSet<&str> =
                distinct.range(..w.written).rev().take(SUGGESTION_NEIGHBOURS).copied().collect();
            let from: BTreeSet<&str> = distinct.range(w.written..).take(SUGGESTION_NEIGHBOURS).copied().collect();
            let written = Reversed(w.written);
            let before_reversed: BTreeSet<Reversed> =
                by_reversed.range(..written).rev().take(SUGGESTION_NEIGHBOURS).copied().collect();
            let from_reversed: BTreeSet<Reversed> =
                by_reversed.range(written..).take(SUGGESTION_NEIGHBOURS).copied().collect();
            assert!(w.before == before && w.from == from, "{}", w.written);
            assert!(w.before_reversed == before_reversed && w.from_reversed == from_reversed, "{}", w.written);
        }
        assert!(merged.windows.len() > 250);
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
