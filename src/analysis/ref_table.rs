//! Which files reference the ids of one sigil, and how often: a slot per
//! id number pointing into a vector of the ids ever referenced.
//!
//! Ids are dense numbers from 0 (`Symbol::index`). A map of the 600,000
//! entity ids and 480,000 source ids the large corpus references took a
//! table of 2^20 slots of 40 bytes for each sigil, and a hash for every
//! reference the load counted; the slots take 4 bytes an id, and the
//! lists only as many entries as ids were referenced.

use smallvec::SmallVec;

use super::FileId;
use super::summary::Symbol;

/// Marks an id never referenced in [`RefTable::slots`].
const NONE: u32 = u32::MAX;

/// The files that reference one id, and how often.
#[derive(Clone, Debug, Default)]
pub(super) struct Referrers {
    pub(super) total: u32,
    /// Sorted by file.
    pub(super) files: SmallVec<[(FileId, u32); 1]>,
}

impl Referrers {
    fn add(&mut self, file: FileId, n: u32) {
        self.total += n;
        match self.files.binary_search_by_key(&file, |&(f, _)| f) {
            Ok(i) => self.files[i].1 += n,
            Err(i) => self.files.insert(i, (file, n)),
        }
    }

    fn remove(&mut self, file: FileId, n: u32) {
        if let Ok(i) = self.files.binary_search_by_key(&file, |&(f, _)| f) {
            let taken = n.min(self.files[i].1);
            self.total -= taken;
            self.files[i].1 -= taken;
            if self.files[i].1 == 0 {
                self.files.remove(i);
            }
        }
    }
}

/// The referrers of every id of one sigil.
#[derive(Default)]
pub(super) struct RefTable {
    /// Each id's place in `lists`, by [`Symbol::index`]; [`NONE`] for an
    /// id never referenced (and past the end).
    slots: Vec<u32>,
    /// The referrers of each id ever referenced (empty once it no longer
    /// is: its slot stays, as the interner keeps its number).
    lists: Vec<Referrers>,
}

impl RefTable {
    /// Room for ids numbered below `ids`.
    pub(super) fn reserve(&mut self, ids: usize) {
        if self.slots.len() < ids {
            self.slots.resize(ids, NONE);
        }
    }

    /// The referrers of `id`, if it is referenced.
    pub(super) fn get(&self, id: Symbol) -> Option<&Referrers> {
        self.referenced(*self.slots.get(id.index())?)
    }

    /// The referrers in `slot`, if they still reference their id (a slot
    /// stays once its id is no longer referenced).
    fn referenced(&self, slot: u32) -> Option<&Referrers> {
        self.lists.get(slot as usize).filter(|r| r.total > 0)
    }

    /// Counts `n` references to `id` in `file`.
    pub(super) fn add(&mut self, id: Symbol, file: FileId, n: u32) {
        let i = id.index();
        self.reserve(i + 1);
        if self.slots[i] == NONE {
            self.slots[i] = self.lists.len() as u32;
            self.lists.push(Referrers::default());
        }
        self.lists[self.slots[i] as usize].add(file, n);
    }

    /// Takes back `n` references to `id` in `file` (no more than it
    /// counted there).
    pub(super) fn remove(&mut self, id: Symbol, file: FileId, n: u32) {
        let Some(&slot) = self.slots.get(id.index()) else { return };
        let Some(referrers) = self.lists.get_mut(slot as usize) else { return };
        referrers.remove(file, n);
        if referrers.total == 0 {
            // A list that spilled to the heap is given back.
            *referrers = Referrers::default();
        }
    }

    /// Every referenced id with its referrers, in the order of their
    /// numbers.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Symbol, &Referrers)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, &slot)| Some((Symbol::from_index(i)?, self.referenced(slot)?)))
    }
}

#[cfg(test)]
mod tests {
    use rustc_hash::FxHashMap;

    use super::*;

    /// The table against a map of counts by id and file, through adds and
    /// removals that leave ids referenced, no longer referenced and
    /// referenced again, with ids far past the table's end.
    #[test]
    fn the_table_counts_what_a_map_would() {
        let sym = |i: usize| Symbol::from_index(i).unwrap();
        let mut table = RefTable::default();
        let mut model: FxHashMap<usize, FxHashMap<u32, u32>> = FxHashMap::default();
        let steps: &[(bool, usize, u32, u32)] = &[
            (true, 5, 1, 2),
            (true, 5, 0, 1),
            (true, 900, 3, 1),
            (true, 5, 7, 4),
            (false, 5, 1, 2),
            (false, 900, 3, 1),
            (false, 5, 0, 5),
            (true, 900, 2, 3),
            (false, 77, 1, 1),
            (false, 5, 7, 4),
            (true, 5, 9, 1),
            (true, 0, 0, 1),
        ];
        for (step, &(add, id, file, n)) in steps.iter().enumerate() {
            if add {
                table.add(sym(id), FileId(file), n);
                *model.entry(id).or_default().entry(file).or_default() += n;
            } else {
                table.remove(sym(id), FileId(file), n);
                if let Some(files) = model.get_mut(&id) {
                    if let Some(count) = files.get_mut(&file) {
                        *count -= n.min(*count);
                    }
                    files.retain(|_, c| *c > 0);
                }
            }
            model.retain(|_, files| !files.is_empty());
            for id in 0..1000 {
                let want: Option<Vec<(FileId, u32)>> = model.get(&id).map(|files| {
                    let mut files: Vec<_> = files.iter().map(|(&f, &c)| (FileId(f), c)).collect();
                    files.sort();
                    files
                });
                let got = table.get(sym(id));
                assert_eq!(got.map(|r| r.files.to_vec()), want, "step {step}, id {id}");
                let total = want.as_ref().map(|f| f.iter().map(|(_, c)| c).sum::<u32>());
                assert_eq!(got.map(|r| r.total), total, "step {step}, id {id}");
            }
            let listed: Vec<usize> = table.iter().map(|(id, _)| id.index()).collect();
            let mut ids: Vec<usize> = model.keys().copied().collect();
            ids.sort();
            assert_eq!(listed, ids, "step {step}");
        }
    }
}
