//! A map from 64-bit keys (already hashes) to lists of small values, in
//! which a key with one value holds it inline: the buckets of the name
//! index.
//!
//! The large corpus has a million name keys, all but a few thousand with
//! one entity's name, and a few thousand (surnames, first names) with
//! hundreds each. A map of inline vectors took 32 bytes a slot, and a
//! vector that spilled kept the room it had doubled to; here a slot is 20
//! bytes (the key in two halves, and the index's 12-byte entry or the
//! place of a list), and the lists of the keys with several values are
//! kept apart, sized to fit after a bulk build.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// The values of one key.
#[derive(Clone, Copy)]
enum Bucket<T> {
    /// The key's only value.
    One(T),
    /// The key's values, two or more, in `MultiMap::lists` at this place.
    Many(u32),
}

/// Keys to lists of values, in insertion order.
pub(super) struct MultiMap<T> {
    table: HashTable<(Key, Bucket<T>)>,
    /// The values of every key with two or more (an emptied place is
    /// listed in `free`).
    lists: Vec<Vec<T>>,
    free: Vec<u32>,
}

impl<T> Default for MultiMap<T> {
    fn default() -> MultiMap<T> {
        MultiMap { table: HashTable::new(), lists: Vec::new(), free: Vec::new() }
    }
}

/// A key in two halves: a slot is aligned to 4 bytes, not 8, so that a
/// 12-byte value makes a 20-byte slot.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key([u32; 2]);

impl Key {
    fn new(key: u64) -> Key {
        Key([key as u32, (key >> 32) as u32])
    }

    fn get(self) -> u64 {
        u64::from(self.0[0]) | (u64::from(self.0[1]) << 32)
    }
}

/// Where the table places a key: the keys are hashes already, but the
/// name index picks its shard by their top bits, which `hashbrown` would
/// read for its tags; mixing spreads them again.
fn placed(key: u64) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// Puts `list` in a place of `lists` that `free` lists, else at the end:
/// its place. (The lists of several values here and in the reference
/// table, whose places other slots hold, so that a place is never moved.)
pub(super) fn place<T>(lists: &mut Vec<Vec<T>>, free: &mut Vec<u32>, list: Vec<T>) -> u32 {
    match free.pop() {
        Some(at) => {
            lists[at as usize] = list;
            at
        }
        None => {
            lists.push(list);
            (lists.len() - 1) as u32
        }
    }
}

/// Empties place `at` of `lists` (its room given back) and lists it in
/// `free` for [`place`].
pub(super) fn unplace<T>(lists: &mut [Vec<T>], free: &mut Vec<u32>, at: u32) {
    lists[at as usize] = Vec::new();
    free.push(at);
}

/// The bytes of one slot of the table for values of type `T`.
pub(super) const fn slot_bytes<T>() -> usize {
    std::mem::size_of::<(Key, Bucket<T>)>()
}

impl<T: Copy> MultiMap<T> {
    /// The values of `key` (empty when it has none).
    pub(super) fn get(&self, key: u64) -> &[T] {
        match self.table.find(placed(key), |(k, _)| *k == Key::new(key)) {
            None => &[],
            Some((_, Bucket::One(value))) => std::slice::from_ref(value),
            Some((_, Bucket::Many(at))) => self.lists.get(*at as usize).map_or(&[], Vec::as_slice),
        }
    }

    /// Adds `value` to the values of `key`, unless `has` says that they
    /// hold it already.
    pub(super) fn push(&mut self, key: u64, value: T, has: impl Fn(&[T]) -> bool) {
        let entry = self.table.entry(placed(key), |(k, _)| *k == Key::new(key), |(k, _)| placed(k.get()));
        let hashbrown::hash_table::Entry::Occupied(mut occupied) = entry else {
            entry.insert((Key::new(key), Bucket::One(value)));
            return;
        };
        match occupied.get().1 {
            Bucket::One(first) => {
                if has(std::slice::from_ref(&first)) {
                    return;
                }
                let at = place(&mut self.lists, &mut self.free, vec![first, value]);
                occupied.get_mut().1 = Bucket::Many(at);
            }
            Bucket::Many(at) => {
                let list = &mut self.lists[at as usize];
                if !has(list) {
                    list.push(value);
                }
            }
        }
    }

    /// Keeps only the values of `key` that `keep` accepts; a key left
    /// with none is removed.
    pub(super) fn retain(&mut self, key: u64, mut keep: impl FnMut(&T) -> bool) {
        let Ok(mut occupied) = self.table.find_entry(placed(key), |(k, _)| *k == Key::new(key)) else { return };
        match occupied.get_mut().1 {
            Bucket::One(value) => {
                if !keep(&value) {
                    occupied.remove();
                }
            }
            Bucket::Many(at) => {
                let list = &mut self.lists[at as usize];
                list.retain(|v| keep(v));
                let left = match list.as_slice() {
                    [] => None,
                    [one] => Some(Bucket::One(*one)),
                    _ => return,
                };
                // Back inline (or gone): the list's place is free again.
                unplace(&mut self.lists, &mut self.free, at);
                match left {
                    Some(one) => occupied.get_mut().1 = one,
                    None => {
                        occupied.remove();
                    }
                }
            }
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Gives back the room the lists of several values grew beyond their
    /// length (after a bulk build, which pushed them one by one).
    pub(super) fn shrink_lists(&mut self) {
        for list in &mut self.lists {
            list.shrink_to_fit();
        }
        self.lists.shrink_to_fit();
    }

    /// Every key with its values, in no set order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u64, &[T])> + '_ {
        self.table.iter().map(|(key, bucket)| {
            let values = match bucket {
                Bucket::One(value) => std::slice::from_ref(value),
                Bucket::Many(at) => self.lists[*at as usize].as_slice(),
            };
            (key.get(), values)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug)]
    enum Step {
        Push(u64, u16),
        Retain(u64, u16),
    }

    fn step() -> impl Strategy<Value = Step> {
        // Few keys, so that keys gather several values, lose them and
        // gain them again; values repeat, so that `has` refuses some.
        prop_oneof![
            3 => (0..6u64, 0..8u16).prop_map(|(k, v)| Step::Push(k, v)),
            1 => (0..6u64, 0..8u16).prop_map(|(k, v)| Step::Retain(k, v)),
        ]
    }

    proptest! {
        /// The map against a map of vectors, after every step: pushes
        /// that refuse values already there, and removals that leave a
        /// key with several values, one, or none.
        #[test]
        fn the_map_holds_what_a_map_of_vectors_would(steps in prop::collection::vec(step(), 0..200)) {
            let mut map = MultiMap::default();
            let mut model: BTreeMap<u64, Vec<u16>> = BTreeMap::new();
            for step in steps {
                match step {
                    Step::Push(k, v) => {
                        map.push(k, v, |values| values.contains(&v));
                        let values = model.entry(k).or_default();
                        if !values.contains(&v) {
                            values.push(v);
                        }
                    }
                    Step::Retain(k, v) => {
                        map.retain(k, |x| *x != v);
                        if let Some(values) = model.get_mut(&k) {
                            values.retain(|x| *x != v);
                            if values.is_empty() {
                                model.remove(&k);
                            }
                        }
                    }
                }
                for k in 0..6 {
                    prop_assert_eq!(map.get(k), model.get(&k).map_or(&[][..], Vec::as_slice));
                }
                let mut all: Vec<(u64, Vec<u16>)> = map.iter().map(|(k, v)| (k, v.to_vec())).collect();
                all.sort();
                prop_assert_eq!(all, model.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>());
                prop_assert_eq!(map.is_empty(), model.is_empty());
                // A list is kept only for a key with two values or more.
                let listed = map.lists.iter().filter(|l| !l.is_empty()).count();
                prop_assert_eq!(listed, model.values().filter(|v| v.len() > 1).count());
                prop_assert_eq!(map.lists.len(), listed + map.free.len());
            }
            map.shrink_lists();
            for (k, values) in &model {
                prop_assert_eq!(map.get(*k), values.as_slice());
            }
        }
    }
}
