//! Which files reference the ids of one sigil, and how often: a slot per
//! id number pointing into a vector of the ids ever referenced.
//!
//! Ids are dense numbers from 0 (`Symbol::index`). A map of the 600,000
//! entity ids and 480,000 source ids the large corpus references took a
//! table of 2^20 slots of 40 bytes for each sigil, and a hash for every
//! reference the load counted; the slots take 4 bytes an id, and the
//! lists only as many entries as ids were referenced.

use super::FileId;
use super::multimap::{place, unplace};
use super::summary::Symbol;

/// Marks an id never referenced in [`RefTable::slots`].
const NONE: u32 = u32::MAX;

/// The files that reference one id (sorted by file), and how often in all.
#[derive(Clone, Copy, Debug)]
pub(super) struct Referrers<'a> {
    pub(super) total: u32,
    pub(super) files: &'a [(FileId, u32)],
}

/// Who references one id ever referenced, in [`RefTable::lists`]: 12
/// bytes. Most ids of a large archive are referenced from one file (a
/// source from the article that quotes it); a list of their own for those
/// took 32 bytes an id and an allocation.
#[derive(Clone, Copy, Debug)]
enum Listed {
    /// No file (any more).
    Nobody,
    /// One file, and how many times.
    One((FileId, u32)),
    /// Two files or more: their list's place in [`RefTable::many`], and
    /// how many references they make in all.
    Many { at: u32, total: u32 },
}

/// The files of an id referenced from two or more: sorted by file, counts
/// above 0.
type Several = Vec<(FileId, u32)>;

/// The referrers of every id of one sigil.
#[derive(Default)]
pub(super) struct RefTable {
    /// Each id's place in `lists`, by [`Symbol::index`]; [`NONE`] for an
    /// id never referenced (and past the end).
    slots: Vec<u32>,
    /// Who references each id ever referenced (nobody once it no longer
    /// is referenced: its slot stays, as the interner keeps its number).
    lists: Vec<Listed>,
    /// The lists of ids referenced from several files (an emptied place
    /// is listed in `free`).
    many: Vec<Several>,
    free: Vec<u32>,
}

impl RefTable {
    /// Room for ids numbered below `ids`.
    pub(super) fn reserve(&mut self, ids: usize) {
        if self.slots.len() < ids {
            self.slots.resize(ids, NONE);
        }
    }

    /// The referrers of `id`, if it is referenced.
    pub(super) fn get(&self, id: Symbol) -> Option<Referrers<'_>> {
        self.referenced(*self.slots.get(id.index())?)
    }

    /// The referrers in `slot`, if they still reference their id (a slot
    /// stays once its id is no longer referenced).
    fn referenced(&self, slot: u32) -> Option<Referrers<'_>> {
        match self.lists.get(slot as usize)? {
            Listed::Nobody => None,
            Listed::One(one) => Some(Referrers { total: one.1, files: std::slice::from_ref(one) }),
            Listed::Many { at, total } => Some(Referrers { total: *total, files: self.many.get(*at as usize)? }),
        }
    }

    /// Counts `n` references to `id` in `file`.
    pub(super) fn add(&mut self, id: Symbol, file: FileId, n: u32) {
        if n == 0 {
            return;
        }
        let i = id.index();
        self.reserve(i + 1);
        if self.slots[i] == NONE {
            self.slots[i] = self.lists.len() as u32;
            self.lists.push(Listed::Nobody);
        }
        let slot = self.slots[i] as usize;
        self.lists[slot] = match self.lists[slot] {
            Listed::Nobody => Listed::One((file, n)),
            Listed::One((f, count)) if f == file => Listed::One((f, count + n)),
            Listed::One(one) => {
                let mut files = vec![one, (file, n)];
                files.sort_unstable_by_key(|&(f, _)| f);
                Listed::Many { at: place(&mut self.many, &mut self.free, files), total: one.1 + n }
            }
            Listed::Many { at, total } => {
                let files = &mut self.many[at as usize];
                match files.binary_search_by_key(&file, |&(f, _)| f) {
                    Ok(k) => files[k].1 += n,
                    Err(k) => files.insert(k, (file, n)),
                }
                Listed::Many { at, total: total + n }
            }
        };
    }

    /// Takes back `n` references to `id` in `file` (no more than it
    /// counted there).
    pub(super) fn remove(&mut self, id: Symbol, file: FileId, n: u32) {
        let Some(&slot) = self.slots.get(id.index()) else { return };
        let Some(&listed) = self.lists.get(slot as usize) else { return };
        self.lists[slot as usize] = match listed {
            Listed::One((f, count)) if f == file => {
                if count > n {
                    Listed::One((f, count - n))
                } else {
                    Listed::Nobody
                }
            }
            Listed::Many { at, mut total } => {
                let files = &mut self.many[at as usize];
                if let Ok(k) = files.binary_search_by_key(&file, |&(f, _)| f) {
                    let taken = n.min(files[k].1);
                    total -= taken;
                    files[k].1 -= taken;
                    if files[k].1 == 0 {
                        files.remove(k);
                    }
                }
                let left = match files.as_slice() {
                    [] => Listed::Nobody,
                    [one] => Listed::One(*one),
                    _ => Listed::Many { at, total },
                };
                if !matches!(left, Listed::Many { .. }) {
                    unplace(&mut self.many, &mut self.free, at);
                }
                left
            }
            other => other,
        };
    }

    /// Gives back the room the lists grew beyond their length (after a
    /// bulk build, which added to them file by file).
    pub(super) fn shrink_lists(&mut self) {
        for files in &mut self.many {
            files.shrink_to_fit();
        }
        self.many.shrink_to_fit();
        self.lists.shrink_to_fit();
    }

    /// Every referenced id with its referrers, in the order of their
    /// numbers.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Symbol, Referrers<'_>)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, &slot)| Some((Symbol::from_index(i)?, self.referenced(slot)?)))
    }
}

const _: () = assert!(std::mem::size_of::<Listed>() == 12);

#[cfg(test)]
mod tests {
    use rustc_hash::FxHashMap;

    use super::*;

    /// Runs `steps` (add or not, id, file, count) on a table and on a map
    /// of counts by id and file, and compares them after every step.
    fn replay(steps: &[(bool, usize, u32, u32)]) {
        let sym = |i: usize| Symbol::from_index(i).unwrap();
        let mut table = RefTable::default();
        let mut model: FxHashMap<usize, FxHashMap<u32, u32>> = FxHashMap::default();
        let mut ids: Vec<usize> = steps.iter().map(|s| s.1).chain([0, 1, 999]).collect();
        ids.sort();
        ids.dedup();
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
                }
            }
            for files in model.values_mut() {
                files.retain(|_, c| *c > 0);
            }
            model.retain(|_, files| !files.is_empty());
            for &id in &ids {
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
            let mut referenced: Vec<usize> = model.keys().copied().collect();
            referenced.sort();
            assert_eq!(listed, referenced, "step {step}");
            // A list of its own only for an id of two files or more; every
            // other place of `many` is free.
            let several = model.values().filter(|files| files.len() > 1).count();
            assert_eq!(table.many.iter().filter(|files| !files.is_empty()).count(), several, "step {step}");
            assert_eq!(table.many.len(), several + table.free.len(), "step {step}");
        }
        table.shrink_lists();
        for (&id, files) in &model {
            assert_eq!(table.get(sym(id)).map(|r| r.files.len()), Some(files.len()));
        }
    }

    /// Adds and removals that leave ids referenced, no longer referenced
    /// and referenced again, with ids far past the table's end.
    #[test]
    fn the_table_counts_what_a_map_would() {
        replay(&[
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
        ]);
    }

    proptest::proptest! {
        /// The same on random steps over a few ids and files: ids going
        /// from one file to several and back, removals of more than was
        /// counted, counts of nothing.
        #[test]
        fn random_steps_count_what_a_map_would(
            steps in proptest::collection::vec((proptest::bool::weighted(0.6), 0..4usize, 0..4u32, 0..3u32), 0..120)
        ) {
            replay(&steps);
        }
    }
}
