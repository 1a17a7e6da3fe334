//! The workspace index: where each id is defined and which files reference
//! it how often, updated file by file or by the difference a reparse made
//! (so the server re-indexes what an edit changed, not the other 100,000
//! files, nor the rest of a 10 MB registry).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashSet;

use super::FileId;
use super::def_table::{self, DefTable};
use super::ref_table::RefTable;
use super::summary::{FileSummary, Interner, RefSite, SummaryDiff, Symbol};
use crate::codes::suggest::Closest;
use crate::syntax::Sigil;

/// A definition: the file and its index in that file's summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DefLoc {
    pub file: FileId,
    pub def: u32,
}

/// Definitions and reference counts of one workspace, per sigil.
#[derive(Default)]
pub struct WorkspaceIndex {
    /// Every definition of an id, first by path then position (the first
    /// is the one references resolve to, §7).
    defs: [DefTable; 2],
    refs: [RefTable; 2],
    /// The ids defined more than once: a set small enough to stay in
    /// cache, asked about every definition of a registry on each keystroke
    /// (where `defs`, a million entries, costs a cache miss per question).
    duplicated: [FxHashSet<Symbol>; 2],
    /// Sorted ids, built on first use after a change of the defined ids.
    sorted: [OnceLock<Arc<SortedIds>>; 2],
}

pub(super) fn slot(sigil: Sigil) -> usize {
    match sigil {
        Sigil::Entity => 0,
        Sigil::Source => 1,
    }
}

impl WorkspaceIndex {
    /// The index of whole files given in path order, ids ascending (as a
    /// workspace is first built): definitions and reference counts are
    /// built side by side, on two threads, since neither reads the other.
    pub fn build(files: &[(FileId, &FileSummary)]) -> WorkspaceIndex {
        let (mut index, counted) = rayon::join(
            || {
                let mut index = WorkspaceIndex::default();
                // Room for every id at once (not grown step by step).
                let defined = files.iter().flat_map(|(_, summary)| summary.defs.iter().map(|d| (d.sigil, d.id)));
                for (table, n) in index.defs.iter_mut().zip(ids_below(defined)) {
                    table.reserve(n);
                }
                for (file, summary) in files {
                    index.add_defs(*file, summary, &|a, b| a.cmp(&b));
                }
                index
            },
            || {
                let mut counted = WorkspaceIndex::default();
                let referenced = files.iter().flat_map(|(_, summary)| summary.refs.iter().map(|r| (r.sigil, r.id)));
                for (table, n) in counted.refs.iter_mut().zip(ids_below(referenced)) {
                    table.reserve(n);
                }
                for (file, summary) in files {
                    counted.add_refs(*file, &summary.refs);
                }
                for table in &mut counted.refs {
                    table.shrink_lists();
                }
                counted
            },
        );
        index.refs = counted.refs;
        index
    }

    /// Adds a file's definitions and references. `order` compares two
    /// files by path, so that duplicate definitions stay sorted.
    pub fn add_file(&mut self, file: FileId, summary: &FileSummary, order: &dyn Fn(FileId, FileId) -> Ordering) {
        self.add_defs(file, summary, order);
        self.add_refs(file, &summary.refs);
    }

    fn add_defs(&mut self, file: FileId, summary: &FileSummary, order: &dyn Fn(FileId, FileId) -> Ordering) {
        for (i, def) in summary.defs.iter().enumerate() {
            self.insert_def(def.sigil, def.id, DefLoc { file, def: i as u32 }, order);
        }
    }

    fn add_refs(&mut self, file: FileId, refs: &[RefSite]) {
        for (sigil, id, n) in counted(refs) {
            self.refs[slot(sigil)].add(id, file, n);
        }
    }

    fn remove_refs(&mut self, file: FileId, refs: &[RefSite]) {
        for (sigil, id, n) in counted(refs) {
            self.refs[slot(sigil)].remove(id, file, n);
        }
    }

    fn insert_def(&mut self, sigil: Sigil, id: Symbol, loc: DefLoc, order: &dyn Fn(FileId, FileId) -> Ordering) {
        let s = slot(sigil);
        match self.defs[s].insert(id, loc, def_table::before(order, loc)) {
            1 => self.sorted[s] = OnceLock::new(),
            2 => {
                self.duplicated[s].insert(id);
            }
            _ => {}
        }
    }

    /// Removes the definitions of `id` that `gone` says, keeping
    /// [`duplicated`](Self::duplicated) and the sorted ids right.
    fn remove_defs(&mut self, s: usize, id: Symbol, gone: impl Fn(&DefLoc) -> bool) {
        let left = self.defs[s].remove(id, gone);
        if left == Some(0) {
            self.sorted[s] = OnceLock::new();
        }
        if left.is_none_or(|left| left < 2) {
            self.duplicated[s].remove(&id);
        }
    }

    /// Removes what [`add_file`](Self::add_file) added for this summary.
    pub fn remove_file(&mut self, file: FileId, summary: &FileSummary) {
        for def in &summary.defs {
            self.remove_defs(slot(def.sigil), def.id, |l| l.file == file);
        }
        self.remove_refs(file, &summary.refs);
    }

    /// Applies the difference a reparse made to a file's summary (`new`
    /// is the summary after it): removes the region's old definitions and
    /// references, renumbers the definitions after the region when their
    /// number changed, and adds the region's new ones.
    pub fn update_file(
        &mut self,
        file: FileId,
        new: &FileSummary,
        diff: &SummaryDiff,
        order: &dyn Fn(FileId, FileId) -> Ordering,
    ) {
        // The sorted ids stay valid when the set of defined ids does: an id
        // whose last definition goes and comes back (a keystroke in a name)
        // does not cost a re-sort of a million ids.
        let saved = [0, 1].map(|s| self.sorted[s].get().cloned());
        let first = diff.first_def;
        for (i, def) in diff.removed_defs.iter().enumerate() {
            let loc = DefLoc { file, def: (first + i) as u32 };
            self.remove_defs(slot(def.sigil), def.id, |l| *l == loc);
        }
        let (removed, added) = (diff.removed_defs.len(), diff.added_defs);
        if removed != added {
            for (i, def) in new.defs.iter().enumerate().skip(first + added) {
                let old = DefLoc { file, def: (i + removed - added) as u32 };
                self.defs[slot(def.sigil)].renumber(def.id, old, i as u32);
            }
        }
        for (i, def) in new.defs.iter().enumerate().skip(first).take(added) {
            self.insert_def(def.sigil, def.id, DefLoc { file, def: i as u32 }, order);
        }
        let region = new.defs.get(first..first + added).unwrap_or(&[]);
        for (s, sorted) in saved.into_iter().enumerate() {
            let Some(sorted) = sorted else { continue };
            let sigil = if s == 0 { Sigil::Entity } else { Sigil::Source };
            let outside = |l: &DefLoc| l.file != file || !(first..first + added).contains(&(l.def as usize));
            let was_defined = |id: Symbol| {
                diff.removed_defs.iter().any(|r| r.sigil == sigil && r.id == id)
                    || self.definitions(sigil, id).iter().any(outside)
            };
            let same_set = diff.removed_defs.iter().all(|d| d.sigil != sigil || self.is_defined(sigil, d.id))
                && region.iter().all(|d| d.sigil != sigil || was_defined(d.id));
            if same_set && self.sorted[s].get().is_none() {
                self.sorted[s] = OnceLock::from(sorted);
            }
        }
        self.remove_refs(file, &diff.removed_refs);
        self.add_refs(file, &diff.added_refs);
    }

    /// Replaces a file's summary `old` by `new`. When both define the same
    /// ids the workspace's set of defined ids is unchanged, so the sorted
    /// ids stay valid: the server re-sets an edited file on every
    /// keystroke, and re-sorting a million ids each time would cost more
    /// than everything else it does.
    pub fn replace_file(
        &mut self,
        file: FileId,
        old: &FileSummary,
        new: &FileSummary,
        order: &dyn Fn(FileId, FileId) -> Ordering,
    ) {
        let keep = [Sigil::Entity, Sigil::Source].map(|sigil| same_defined_ids(old, new, sigil));
        let saved = [0, 1].map(|s| if keep[s] { self.sorted[s].get().cloned() } else { None });
        self.remove_file(file, old);
        self.add_file(file, new, order);
        for (s, sorted) in saved.into_iter().enumerate() {
            if let Some(sorted) = sorted {
                self.sorted[s] = OnceLock::from(sorted);
            }
        }
    }

    /// Every id with more than one definition, in no set order.
    pub fn duplicated(&self, sigil: Sigil) -> impl ExactSizeIterator<Item = Symbol> + '_ {
        self.duplicated[slot(sigil)].iter().copied()
    }

    /// Whether `id` has more than one definition.
    pub fn is_duplicated(&self, sigil: Sigil, id: Symbol) -> bool {
        self.duplicated[slot(sigil)].contains(&id)
    }

    /// Every definition of `id`, the one references resolve to first.
    pub fn definitions(&self, sigil: Sigil, id: Symbol) -> &[DefLoc] {
        self.defs[slot(sigil)].get(id)
    }

    pub fn is_defined(&self, sigil: Sigil, id: Symbol) -> bool {
        self.defs[slot(sigil)].contains(id)
    }

    /// How many references to `id` the workspace holds.
    pub fn ref_count(&self, sigil: Sigil, id: Symbol) -> u32 {
        self.refs[slot(sigil)].get(id).map_or(0, |r| r.total)
    }

    /// The files referencing `id`, with their counts.
    pub fn referrers(&self, sigil: Sigil, id: Symbol) -> &[(FileId, u32)] {
        self.refs[slot(sigil)].get(id).map_or(&[], |r| r.files)
    }

    /// How many distinct ids are defined.
    pub fn defined_count(&self, sigil: Sigil) -> usize {
        self.defs[slot(sigil)].len()
    }

    /// The defined ids, sorted (built once per change of the id set).
    pub fn sorted_ids(&self, sigil: Sigil, interner: &Interner) -> Arc<SortedIds> {
        let s = slot(sigil);
        self.sorted[s].get_or_init(|| Arc::new(SortedIds::new(self.defs[s].ids(), interner))).clone()
    }

    /// Builds now the sorted ids "did you mean" is going to need: those of
    /// each sigil with a reference to an id defined under neither. For a
    /// caller about to check many files in parallel: built lazily inside
    /// that pass, the first file to need them sorted them alone while the
    /// threads that needed them next waited (1.3 s of a cold `check` of
    /// 100,000 articles, one core idle).
    pub fn prepare_suggestions(&self, interner: &Interner) {
        for sigil in [Sigil::Entity, Sigil::Source] {
            let undefined =
                self.refs[slot(sigil)].iter().any(|(id, _)| self.defs.iter().all(|defs| !defs.contains(id)));
            if undefined {
                self.sorted_ids(sigil, interner);
            }
        }
    }

    /// Whether [`sorted_ids`](Self::sorted_ids) of `sigil` are built.
    pub fn has_sorted_ids(&self, sigil: Sigil) -> bool {
        self.sorted[slot(sigil)].get().is_some()
    }

    /// The defined ids of `sigil`, in no order: what [`SortedIds::new`]
    /// sorts when it runs away from the workspace's lock.
    pub fn defined_ids(&self, sigil: Sigil) -> Vec<Symbol> {
        self.defs[slot(sigil)].ids().collect()
    }

    /// Takes `sorted`, built from [`defined_ids`](Self::defined_ids) of
    /// the index as it is now, unless it has its own already.
    pub fn offer_sorted_ids(&self, sigil: Sigil, sorted: Arc<SortedIds>) {
        let _ = self.sorted[slot(sigil)].set(sorted);
    }
}

/// For each sigil (by [`slot`]), one past the highest id number of it in
/// `ids`.
fn ids_below(ids: impl Iterator<Item = (Sigil, Symbol)>) -> [usize; 2] {
    let mut below = [0, 0];
    for (sigil, id) in ids {
        let s = slot(sigil);
        below[s] = below[s].max(id.index() + 1);
    }
    below
}

/// Each distinct `(sigil, id)` of `refs` with how often it occurs.
fn counted(refs: &[RefSite]) -> impl Iterator<Item = (Sigil, Symbol, u32)> {
    let mut keys: Vec<(Sigil, Symbol)> = refs.iter().map(|r| (r.sigil, r.id)).collect();
    keys.sort_unstable();
    keys.chunk_by(|a, b| a == b).map(|run| (run[0].0, run[0].1, run.len() as u32)).collect::<Vec<_>>().into_iter()
}

/// Both summaries define the same set of `sigil` ids.
fn same_defined_ids(old: &FileSummary, new: &FileSummary, sigil: Sigil) -> bool {
    let ids = |summary: &FileSummary| {
        let mut ids: Vec<Symbol> = summary.defs.iter().filter(|d| d.sigil == sigil).map(|d| d.id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    ids(old) == ids(new)
}

/// Defined ids sorted forwards and by their reversed text: prefix queries
/// for completion, and candidate windows for "did you mean" that stay small
/// with a million ids. The ids are one contiguous text in forward order, so
/// that a forward window of neighbours is a few cache lines rather than a
/// pointer chase per id; the reversed order is their places in it (4 bytes
/// an id, where a second text of the ids reversed took 40 MB of the
/// server's memory on the large corpus).
pub struct SortedIds {
    forward: PackedStrs,
    /// The places in `forward` of the ids, in the order of their texts
    /// reversed character by character ([`reversed_cmp`]).
    backward: Vec<u32>,
}

/// The first 16 bytes of `id` reversed character by character, as a
/// number, zeros after a shorter one: two keys that differ order their ids
/// as [`reversed_cmp`] does (a shorter text reversed is a prefix of those
/// it sorts before); equal keys say nothing.
fn reversed_key(id: &str) -> u128 {
    let mut key = [0u8; 16];
    let mut at = 0;
    for c in id.chars().rev() {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            if at == key.len() {
                return u128::from_be_bytes(key);
            }
            key[at] = b;
            at += 1;
        }
    }
    u128::from_be_bytes(key)
}

/// The order of two ids' texts reversed character by character (UTF-8
/// keeps the order of characters, so this is the order of the reversed
/// strings), without reversing them.
pub(crate) fn reversed_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.chars().rev().cmp(b.chars().rev())
}

/// Strings stored end to end, with their end offsets (4 bytes each: the
/// ids of a workspace are far from 4 GB of text; strings past that are not
/// kept).
struct PackedStrs {
    text: String,
    ends: Vec<u32>,
}

impl PackedStrs {
    fn new<'a>(sorted: impl Iterator<Item = &'a str>) -> PackedStrs {
        let mut packed = PackedStrs { text: String::new(), ends: Vec::new() };
        for s in sorted {
            let Ok(end) = u32::try_from(packed.text.len() + s.len()) else { break };
            packed.text.push_str(s);
            packed.ends.push(end);
        }
        packed.text.shrink_to_fit();
        packed.ends.shrink_to_fit();
        packed
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// String `i`; `None` past the last.
    fn get(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? as usize };
        self.text.get(start..*self.ends.get(i)? as usize)
    }

    /// The number of strings that sort before `key`.
    fn partition_point(&self, below: impl Fn(&str) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).is_some_and(&below) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn range(&self, range: std::ops::Range<usize>) -> Ids<'_> {
        Ids { packed: self, range }
    }
}

/// A run of sorted ids.
#[derive(Clone)]
pub struct Ids<'a> {
    packed: &'a PackedStrs,
    range: std::ops::Range<usize>,
}

impl<'a> Iterator for Ids<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.packed.get(self.range.next()?)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl DoubleEndedIterator for Ids<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.packed.get(self.range.next_back()?)
    }
}

impl ExactSizeIterator for Ids<'_> {}

/// Up to this many ids, "did you mean" compares against every id.
pub(crate) const EXHAUSTIVE_SUGGESTION_LIMIT: usize = 2_000;

/// How many ids on each side of the written id, in forward and in
/// backward sorted order, "did you mean" compares in a large workspace.
pub(crate) const SUGGESTION_NEIGHBOURS: usize = 64;

impl SortedIds {
    pub fn new(ids: impl Iterator<Item = Symbol>, interner: &Interner) -> SortedIds {
        SortedIds::of_distinct(ids.map(|s| interner.resolve(&s)))
    }

    /// The sorted ids of `ids`, each given once.
    pub fn of_distinct<'a>(ids: impl Iterator<Item = &'a str>) -> SortedIds {
        use rayon::prelude::*;
        // Built on the first undefined reference while every other thread
        // waits for it: sort on all of them.
        let mut forward: Vec<&str> = ids.collect();
        forward.par_sort_unstable();
        let forward = PackedStrs::new(forward.into_iter());
        // Sorted by the first 16 bytes of each id reversed, then (ties
        // only) by the whole: comparing the texts themselves, a cache
        // miss each in a text of 40 MB, took a tenth of a cold `check`.
        let text = |i: u32| forward.get(i as usize).unwrap_or("");
        let mut keyed: Vec<(u128, u32)> =
            (0..forward.len() as u32).into_par_iter().map(|i| (reversed_key(text(i)), i)).collect();
        keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| reversed_cmp(text(a.1), text(b.1))));
        let backward = keyed.into_iter().map(|(_, i)| i).collect();
        SortedIds { forward, backward }
    }

    pub fn len(&self) -> usize {
        self.forward.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forward.len() == 0
    }

    pub fn all(&self) -> Ids<'_> {
        self.forward.range(0..self.forward.len())
    }

    /// The ids starting with `prefix`, in order.
    pub fn with_prefix(&self, prefix: &str) -> Ids<'_> {
        let start = self.forward.partition_point(|s| s < prefix);
        let end = self.forward.partition_point(|s| s < prefix || s.starts_with(prefix));
        self.forward.range(start..end.max(start))
    }

    /// The closest id by edit distance, when the distance is at most
    /// max(2, n/3) (§9); ties go to the id that sorts first.
    ///
    /// Exhaustive up to 2,000 ids. Above that, the candidates are the 64
    /// ids on each side of where the written id would sort, forwards and by
    /// reversed text: a typo leaves either the part before it or the part
    /// after it intact, and ids sharing a long prefix or suffix sort next to
    /// each other. That keeps a lookup among a million ids to a few hundred
    /// bounded comparisons (microseconds), where a full scan would take
    /// tens of milliseconds per undefined reference.
    pub fn closest(&self, written: &str) -> Option<String> {
        self.closest_and_tie(written).map(|(s, _)| s)
    }

    /// [`closest`](Self::closest) when no other id is as close (a fix may
    /// apply it without a person choosing, §14).
    pub fn closest_unique(&self, written: &str) -> Option<String> {
        self.closest_and_tie(written).filter(|(_, tied)| !tied).map(|(s, _)| s)
    }

    /// The closest id, and whether another is as close (then a person
    /// chooses: no fix, §14).
    pub fn closest_and_tie(&self, written: &str) -> Option<(String, bool)> {
        let w: Vec<char> = written.chars().collect();
        if self.forward.len() <= EXHAUSTIVE_SUGGESTION_LIMIT {
            let mut search = Closest::new(&w);
            for cand in self.all() {
                search.offer(cand, || Cow::Borrowed(cand));
            }
            return search.best.map(|(_, s)| (s.into_owned(), search.tied));
        }
        let mut search = Closest::new(&w);
        for cand in neighbours(&self.forward, written) {
            search.offer(cand, || Cow::Borrowed(cand));
        }
        for cand in self.reversed_neighbours(written) {
            search.offer(cand, || Cow::Borrowed(cand));
        }
        search.best.map(|(_, s)| (s.into_owned(), search.tied))
    }

    /// The ids around the place where `key` would sort by reversed text.
    fn reversed_neighbours<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let text = |i: u32| self.forward.get(i as usize).unwrap_or("");
        let at = self.backward.partition_point(|&i| reversed_cmp(text(i), key).is_lt());
        let window = at.saturating_sub(SUGGESTION_NEIGHBOURS)..(at + SUGGESTION_NEIGHBOURS).min(self.backward.len());
        // Gathered, and each text's first byte read, before any is
        // compared: the window's ids lie apart in the forward text, and
        // reads that do not wait on each other overlap (a loop that
        // compares each as it reads it waits for every one in turn).
        let window: Vec<&str> = self.backward[window].iter().map(|&i| text(i)).collect();
        let touched = window.iter().fold(0u8, |acc, id| acc ^ id.as_bytes().first().copied().unwrap_or(0));
        std::hint::black_box(touched);
        window.into_iter()
    }
}

/// The ids around the place where `key` would sort.
fn neighbours<'a>(sorted: &'a PackedStrs, key: &str) -> Ids<'a> {
    let at = sorted.partition_point(|s| s < key);
    sorted.range(at.saturating_sub(SUGGESTION_NEIGHBOURS)..(at + SUGGESTION_NEIGHBOURS).min(sorted.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::suggest::levenshtein_within;

    #[test]
    fn large_sets_use_prefix_and_suffix_windows() {
        let interner = Interner::new();
        let syms: Vec<Symbol> = (0..60_000).map(|i| interner.get_or_intern(format!("person-{i:05}"))).collect();
        assert_eq!(levenshtein_within(&['a', 'b'], &['a', 'c'], 2), Some(1));
        assert_eq!(levenshtein_within(&['a'; 5], &['b'; 5], 2), None);
        let extra = interner.get_or_intern("barack-obama");
        let ids = SortedIds::new(syms.into_iter().chain([extra]), &interner);
        assert_eq!(ids.closest("barack-obma").as_deref(), Some("barack-obama"));
        assert_eq!(ids.closest("xarack-obama").as_deref(), Some("barack-obama"));
        assert_eq!(ids.with_prefix("person-0000").len(), 10);
    }

    /// `build` (definitions and counts on two threads) gives the index
    /// that adding the same files one by one gives.
    #[test]
    fn a_built_index_is_the_one_added_file_by_file() {
        let interner = Interner::new();
        let texts = [
            "@a: person \"A\"\n\n@b: person \"B\"\n\n^s: statement \"S\"\n  by: @a\n",
            "[x]{@a} and [y]{@b} and [z]{@a}; [q]{^s} and [w]{@missing}\n\n@b: person \"B again\"\n",
            "[x]{@a}\n\n@c: org \"C\"\n",
        ];
        let summaries: Vec<FileSummary> =
            texts.iter().map(|t| FileSummary::new(&crate::syntax::parse(t), t, &interner)).collect();
        let files: Vec<(FileId, &FileSummary)> =
            summaries.iter().enumerate().map(|(i, s)| (FileId(i as u32), s)).collect();
        let built = WorkspaceIndex::build(&files);
        let mut added = WorkspaceIndex::default();
        for (id, summary) in &files {
            added.add_file(*id, summary, &|a, b| a.cmp(&b));
        }
        let mut checked = 0;
        for sigil in [Sigil::Entity, Sigil::Source] {
            for name in ["a", "b", "c", "s", "missing"] {
                let Some(id) = interner.get(name) else { continue };
                assert_eq!(built.definitions(sigil, id), added.definitions(sigil, id), "{name}");
                assert_eq!(built.referrers(sigil, id), added.referrers(sigil, id), "{name}");
                assert_eq!(built.ref_count(sigil, id), added.ref_count(sigil, id), "{name}");
                assert_eq!(built.is_duplicated(sigil, id), added.is_duplicated(sigil, id), "{name}");
                checked += usize::from(!built.definitions(sigil, id).is_empty() || built.ref_count(sigil, id) > 0);
            }
            assert_eq!(built.defined_count(sigil), added.defined_count(sigil));
        }
        // Both kinds of id, defined and referenced, duplicated and not.
        assert_eq!(checked, 5);
        let b = interner.get("b").unwrap();
        assert!(built.is_duplicated(Sigil::Entity, b));
        // Three tags and the `by:` of `^s`.
        assert_eq!(built.ref_count(Sigil::Entity, interner.get("a").unwrap()), 4);
    }

    proptest::proptest! {
        /// The reversed window read through the places of the forward
        /// text is the window of the ids reversed into strings and sorted
        /// (the order "did you mean" has always used), non-ASCII included.
        #[test]
        fn the_reversed_window_is_that_of_the_reversed_strings(
            ids in proptest::collection::btree_set(
                // Some ending in 16 bytes the same, which the sort's key
                // cannot tell apart.
                proptest::strategy::Strategy::prop_map(
                    ("[abÿĀ-]{1,6}", proptest::sample::select(vec!["", "ĀĀĀĀĀĀĀĀ", "-jenkins-jenkins"])),
                    |(head, tail)| format!("{head}{tail}"),
                ),
                0..400,
            ),
            written in "[abÿĀ-]{0,7}(ĀĀĀĀĀĀĀĀ)?",
        ) {
            let sorted = SortedIds::of_distinct(ids.iter().map(String::as_str));
            let mut reversed: Vec<String> = ids.iter().map(|id| id.chars().rev().collect()).collect();
            reversed.sort();
            let key: String = written.chars().rev().collect();
            let at = reversed.partition_point(|r| *r < key);
            let expected: Vec<String> = reversed
                [at.saturating_sub(SUGGESTION_NEIGHBOURS)..(at + SUGGESTION_NEIGHBOURS).min(reversed.len())]
                .iter()
                .map(|r| r.chars().rev().collect())
                .collect();
            let window: Vec<&str> = sorted.reversed_neighbours(&written).collect();
            proptest::prop_assert_eq!(window, expected);
        }

        #[test]
        fn bit_parallel_distance_is_levenshtein(a in "[abé-]{0,70}", b in "[abé-]{0,70}") {
            let w: Vec<char> = a.chars().collect();
            let search = Closest::new(&w);
            let expected = strsim::levenshtein(&a, &b);
            if w.len() <= 64 {
                proptest::prop_assert_eq!(search.bit_parallel(&b), expected);
            }
            let bv: Vec<char> = b.chars().collect();
            proptest::prop_assert_eq!(levenshtein_within(&w, &bv, usize::MAX), Some(expected));
        }
    }
}
