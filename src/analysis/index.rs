//! The workspace index: where each id is defined and how often it is
//! referenced, updated file by file (so the server can re-index one edited
//! file without touching the other 100,000).

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::FileId;
use super::summary::{FileSummary, Interner, Symbol};
use super::values::closest;
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
    defs: [FxHashMap<Symbol, SmallVec<[DefLoc; 1]>>; 2],
    ref_counts: [FxHashMap<Symbol, u32>; 2],
    /// Sorted ids, built on first use after a change of the defined ids.
    sorted: [OnceLock<Arc<SortedIds>>; 2],
}

fn slot(sigil: Sigil) -> usize {
    match sigil {
        Sigil::Entity => 0,
        Sigil::Source => 1,
    }
}

impl WorkspaceIndex {
    /// Adds a file's definitions and references. `order` compares two
    /// files by path, so that duplicate definitions stay sorted.
    pub fn add_file(&mut self, file: FileId, summary: &FileSummary, order: &dyn Fn(FileId, FileId) -> Ordering) {
        for (i, def) in summary.defs.iter().enumerate() {
            let s = slot(def.sigil);
            let loc = DefLoc { file, def: i as u32 };
            let list = self.defs[s].entry(def.id).or_default();
            if list.is_empty() {
                self.sorted[s] = OnceLock::new();
            }
            let at = list.partition_point(|l| match order(l.file, file) {
                Ordering::Less => true,
                Ordering::Equal => l.def < loc.def,
                Ordering::Greater => false,
            });
            list.insert(at, loc);
        }
        for r in &summary.refs {
            *self.ref_counts[slot(r.sigil)].entry(r.id).or_insert(0) += 1;
        }
    }

    /// Removes what [`add_file`](Self::add_file) added for this summary.
    pub fn remove_file(&mut self, file: FileId, summary: &FileSummary) {
        for def in &summary.defs {
            let s = slot(def.sigil);
            if let Some(list) = self.defs[s].get_mut(&def.id) {
                list.retain(|l| l.file != file);
                if list.is_empty() {
                    self.defs[s].remove(&def.id);
                    self.sorted[s] = OnceLock::new();
                }
            }
        }
        for r in &summary.refs {
            let counts = &mut self.ref_counts[slot(r.sigil)];
            if let Some(n) = counts.get_mut(&r.id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.remove(&r.id);
                }
            }
        }
    }

    /// Every definition of `id`, the one references resolve to first.
    pub fn definitions(&self, sigil: Sigil, id: Symbol) -> &[DefLoc] {
        self.defs[slot(sigil)].get(&id).map(|l| &l[..]).unwrap_or(&[])
    }

    pub fn is_defined(&self, sigil: Sigil, id: Symbol) -> bool {
        self.defs[slot(sigil)].contains_key(&id)
    }

    /// How many references to `id` the workspace holds.
    pub fn ref_count(&self, sigil: Sigil, id: Symbol) -> u32 {
        self.ref_counts[slot(sigil)].get(&id).copied().unwrap_or(0)
    }

    /// How many distinct ids are defined.
    pub fn defined_count(&self, sigil: Sigil) -> usize {
        self.defs[slot(sigil)].len()
    }

    /// The defined ids, sorted (built once per change of the id set).
    pub fn sorted_ids(&self, sigil: Sigil, interner: &Interner) -> Arc<SortedIds> {
        let s = slot(sigil);
        self.sorted[s].get_or_init(|| Arc::new(SortedIds::new(self.defs[s].keys().copied(), interner))).clone()
    }
}

/// Defined ids sorted forwards and by their reversed text: prefix queries
/// for completion, and candidate windows for "did you mean" that stay small
/// with a million ids.
pub struct SortedIds {
    forward: Vec<Box<str>>,
    /// Each id reversed (by chars), sorted.
    backward: Vec<Box<str>>,
}

/// Below this many ids, "did you mean" compares against every id.
const EXHAUSTIVE_SUGGESTION_LIMIT: usize = 50_000;

impl SortedIds {
    fn new(ids: impl Iterator<Item = Symbol>, interner: &Interner) -> SortedIds {
        let mut forward: Vec<Box<str>> = ids.map(|s| Box::from(interner.resolve(&s))).collect();
        forward.sort_unstable();
        let mut backward: Vec<Box<str>> = forward.iter().map(|s| s.chars().rev().collect::<String>().into()).collect();
        backward.sort_unstable();
        SortedIds { forward, backward }
    }

    pub fn len(&self) -> usize {
        self.forward.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forward.is_empty()
    }

    pub fn all(&self) -> &[Box<str>] {
        &self.forward
    }

    /// The ids starting with `prefix`, in order.
    pub fn with_prefix(&self, prefix: &str) -> &[Box<str>] {
        prefix_window(&self.forward, prefix)
    }

    /// The closest id by edit distance, when the distance is at most
    /// max(2, n/3) (§9). Exhaustive up to 50,000 ids; above that, only ids
    /// sharing the first or the last two characters are candidates, which
    /// keeps a lookup in a million ids in microseconds and still finds the
    /// usual typo (one wrong, missing or extra character inside the id).
    pub fn closest(&self, written: &str) -> Option<String> {
        if self.forward.len() <= EXHAUSTIVE_SUGGESTION_LIMIT {
            return closest(written, self.forward.iter().map(|s| &**s)).map(str::to_string);
        }
        let head: String = written.chars().take(2).collect();
        let tail: String = written.chars().rev().take(2).collect();
        let front = prefix_window(&self.forward, &head).iter().map(|s| s.to_string());
        let back = prefix_window(&self.backward, &tail).iter().map(|s| s.chars().rev().collect::<String>());
        let candidates: Vec<String> = front.chain(back).collect();
        closest(written, candidates.iter().map(|s| s.as_str())).map(str::to_string)
    }
}

fn prefix_window<'a>(sorted: &'a [Box<str>], prefix: &str) -> &'a [Box<str>] {
    let start = sorted.partition_point(|s| &**s < prefix);
    let len = sorted[start..].partition_point(|s| s.starts_with(prefix));
    &sorted[start..start + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_sets_use_prefix_and_suffix_windows() {
        let interner = Interner::default();
        let syms: Vec<Symbol> = (0..60_000).map(|i| interner.get_or_intern(format!("person-{i:05}"))).collect();
        let extra = interner.get_or_intern("barack-obama");
        let ids = SortedIds::new(syms.into_iter().chain([extra]), &interner);
        assert_eq!(ids.closest("barack-obma").as_deref(), Some("barack-obama"));
        assert_eq!(ids.closest("xarack-obama").as_deref(), Some("barack-obama"));
        assert_eq!(ids.with_prefix("person-0000").len(), 10);
    }
}
