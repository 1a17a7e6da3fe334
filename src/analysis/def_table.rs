//! Where the ids of one sigil are defined: a vector indexed by id for the
//! first definition of each, and the whole list of an id defined more
//! than once in a map beside it.
//!
//! Ids are dense numbers from 0 (`Symbol::index`) and almost every id has
//! one definition. A map of a million ids to lists took 32 bytes a slot at
//! half load (a million is just past what a table of 2^20 slots holds); the
//! vector takes 8 bytes an id and no hash to find one.

use std::cmp::Ordering;

use rustc_hash::FxHashMap;

use super::FileId;
use super::index::DefLoc;
use super::summary::Symbol;

/// Marks an id with no definition in [`DefTable::first`] (no file has
/// four billion definitions).
const NONE: DefLoc = DefLoc { file: FileId(u32::MAX), def: u32::MAX };

/// Every definition of each id of one sigil, in the order `insert` keeps.
#[derive(Default)]
pub(super) struct DefTable {
    /// The first definition of each id, by [`Symbol::index`]; [`NONE`]
    /// for an id without one (and past the end).
    first: Vec<DefLoc>,
    /// Every definition, in order, of each id defined more than once
    /// (its first is in `first` too).
    more: FxHashMap<Symbol, Vec<DefLoc>>,
    /// How many ids have a definition.
    defined: usize,
}

impl DefTable {
    /// Room for ids numbered below `ids`.
    pub(super) fn reserve(&mut self, ids: usize) {
        if self.first.len() < ids {
            self.first.resize(ids, NONE);
        }
    }

    /// Every definition of `id`, the first first.
    pub(super) fn get(&self, id: Symbol) -> &[DefLoc] {
        if let Some(all) = self.more.get(&id) {
            return all;
        }
        match self.first.get(id.index()) {
            Some(first) if *first != NONE => std::slice::from_ref(first),
            _ => &[],
        }
    }

    pub(super) fn contains(&self, id: Symbol) -> bool {
        self.first.get(id.index()).is_some_and(|first| *first != NONE)
    }

    /// How many ids have a definition.
    pub(super) fn len(&self) -> usize {
        self.defined
    }

    /// The ids with a definition, in the order of their numbers.
    pub(super) fn ids(&self) -> impl Iterator<Item = Symbol> + '_ {
        self.first.iter().enumerate().filter(|(_, first)| **first != NONE).filter_map(|(i, _)| Symbol::from_index(i))
    }

    /// Adds a definition of `id`, after those `before` puts before it;
    /// how many definitions `id` has now.
    pub(super) fn insert(&mut self, id: Symbol, loc: DefLoc, before: impl Fn(&DefLoc) -> bool) -> usize {
        let i = id.index();
        self.reserve(i + 1);
        let first = self.first[i];
        if first == NONE {
            self.first[i] = loc;
            self.defined += 1;
            return 1;
        }
        let all = self.more.entry(id).or_insert_with(|| vec![first]);
        let at = all.partition_point(&before);
        all.insert(at, loc);
        self.first[i] = all[0];
        all.len()
    }

    /// Removes the definitions of `id` that `gone` says; how many it has
    /// now, or `None` when it had none.
    pub(super) fn remove(&mut self, id: Symbol, gone: impl Fn(&DefLoc) -> bool) -> Option<usize> {
        let i = id.index();
        let first = self.first.get(i).copied().filter(|first| *first != NONE)?;
        let left = match self.more.get_mut(&id) {
            Some(all) => {
                all.retain(|l| !gone(l));
                let left = all.len();
                match all.first().copied() {
                    Some(now) if left > 1 => self.first[i] = now,
                    now => {
                        self.first[i] = now.unwrap_or(NONE);
                        self.more.remove(&id);
                    }
                }
                left
            }
            None if gone(&first) => {
                self.first[i] = NONE;
                0
            }
            None => 1,
        };
        if left == 0 {
            self.defined -= 1;
        }
        Some(left)
    }

    /// Renumbers the definition `old` of `id` to `def` (its position in
    /// its file changed; the order among the id's definitions does not).
    pub(super) fn renumber(&mut self, id: Symbol, old: DefLoc, def: u32) {
        let i = id.index();
        if let Some(all) = self.more.get_mut(&id)
            && let Some(loc) = all.iter_mut().find(|l| **l == old)
        {
            loc.def = def;
        }
        if let Some(first) = self.first.get_mut(i)
            && *first == old
        {
            first.def = def;
        }
    }
}

/// The order `insert` keeps: by file as `order` compares them, then by
/// position in the file.
pub(super) fn before(order: &dyn Fn(FileId, FileId) -> Ordering, loc: DefLoc) -> impl Fn(&DefLoc) -> bool + '_ {
    move |l: &DefLoc| match order(l.file, loc.file) {
        Ordering::Less => true,
        Ordering::Equal => l.def < loc.def,
        Ordering::Greater => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Interner;

    /// The table against a map of sorted lists, through inserts, removals
    /// and renumbering of ids defined once, many times and not at all.
    #[test]
    fn the_table_holds_what_a_map_of_lists_would() {
        let interner = Interner::new();
        let ids: Vec<Symbol> = (0..6).map(|i| interner.get_or_intern(format!("id-{i}"))).collect();
        let order = |a: FileId, b: FileId| a.0.cmp(&b.0);
        let mut table = DefTable::default();
        let mut model: std::collections::BTreeMap<Symbol, Vec<DefLoc>> = Default::default();
        let check = |table: &DefTable, model: &std::collections::BTreeMap<Symbol, Vec<DefLoc>>| {
            for &id in &ids {
                let expected = model.get(&id).map(Vec::as_slice).unwrap_or(&[]);
                assert_eq!(table.get(id), expected, "{id:?}");
                assert_eq!(table.contains(id), !expected.is_empty());
            }
            assert_eq!(table.len(), model.values().filter(|l| !l.is_empty()).count());
            let listed: Vec<Symbol> = table.ids().collect();
            let defined: Vec<Symbol> = model.iter().filter(|(_, l)| !l.is_empty()).map(|(id, _)| *id).collect();
            assert_eq!(listed, defined);
            assert!(table.more.values().all(|all| all.len() > 1), "a list of one stays in `first` alone");
        };
        // Inserted out of order, one id five times, one twice, one once.
        let inserts = [(0, 3, 0), (0, 1, 2), (0, 1, 0), (1, 2, 0), (2, 0, 4), (0, 5, 1), (1, 0, 1), (0, 0, 9)];
        for (id, file, def) in inserts {
            let loc = DefLoc { file: FileId(file), def };
            let n = table.insert(ids[id], loc, before(&order, loc));
            let list = model.entry(ids[id]).or_default();
            list.push(loc);
            list.sort_by_key(|l| (l.file.0, l.def));
            assert_eq!(n, list.len());
            check(&table, &model);
        }
        table.renumber(ids[0], DefLoc { file: FileId(0), def: 9 }, 7);
        model.get_mut(&ids[0]).unwrap()[0].def = 7;
        check(&table, &model);
        table.renumber(ids[0], DefLoc { file: FileId(5), def: 1 }, 3);
        model.get_mut(&ids[0]).unwrap()[4].def = 3;
        check(&table, &model);
        // Removed: file 1 from the first id (the list stays long), the
        // first of the second (one left), the only one of the third, and
        // nothing from an id with no definition.
        let removals = [(0, 1), (1, 0), (2, 0), (4, 0), (0, 0), (0, 3), (0, 5), (1, 2)];
        for (id, file) in removals {
            let n = table.remove(ids[id], |l| l.file == FileId(file));
            let list = model.entry(ids[id]).or_default();
            let had = !list.is_empty();
            list.retain(|l| l.file != FileId(file));
            assert_eq!(n, had.then_some(list.len()));
            check(&table, &model);
        }
        assert_eq!(table.len(), 0);
    }
}
