//! The interner of ids: each id a small `Symbol`, shared by every file of a
//! workspace and used from parallel threads.
//!
//! Loading a large archive interns a million and a half ids and looks up
//! two million more on every thread at once. The strings are appended to
//! a concurrent vector (`boxcar`) and read back without a lock; the map
//! from string to symbol is split in shards, each a `hashbrown` table of
//! symbol numbers behind its own lock, so that one id costs one hash, one
//! probe and one string comparison.

use std::hash::BuildHasher;
use std::num::NonZeroU32;

use hashbrown::HashTable;
use parking_lot::RwLock;
use rustc_hash::FxBuildHasher;

/// An interned id: the number of its string in its [`Interner`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(NonZeroU32);

impl Symbol {
    /// Its number, from 0 in the order ids were first interned.
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    fn from_index(index: usize) -> Option<Symbol> {
        u32::try_from(index + 1).ok().and_then(NonZeroU32::new).map(Symbol)
    }
}

/// How many shards (a power of two): many more than threads, so that two
/// threads rarely wait for one lock.
const SHARDS: usize = 64;

/// The bits of a hash that pick a shard: above those `hashbrown` uses for
/// a slot in a shard's table and below the seven it keeps as the tag, so
/// that the ids of one shard still spread over its table.
fn shard_of(hash: u64) -> usize {
    (hash >> 32) as usize % SHARDS
}

/// Ids interned, each to one [`Symbol`]; safe to share between threads.
pub struct Interner {
    /// Every id's string, by symbol number.
    strings: boxcar::Vec<Box<str>>,
    /// Symbol numbers, each in the shard its string's hash picks.
    shards: Box<[Shard]>,
    hasher: FxBuildHasher,
}

/// One lock's worth of the map, on a cache line of its own.
#[repr(align(64))]
#[derive(Default)]
struct Shard(RwLock<HashTable<u32>>);

impl Default for Interner {
    fn default() -> Interner {
        Interner::with_capacity(0)
    }
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// Room for `ids` ids without growing (what a cache says its last run
    /// interned).
    pub fn with_capacity(ids: usize) -> Interner {
        let per_shard = ids.div_ceil(SHARDS);
        Interner {
            strings: boxcar::Vec::with_capacity(ids),
            shards: (0..SHARDS).map(|_| Shard(RwLock::new(HashTable::with_capacity(per_shard)))).collect(),
            hasher: FxBuildHasher,
        }
    }

    /// The symbol of `id`, interned now if it was not.
    pub fn get_or_intern(&self, id: impl AsRef<str>) -> Symbol {
        let id = id.as_ref();
        let hash = self.hasher.hash_one(id);
        let shard = &self.shards[shard_of(hash)].0;
        if let Some(symbol) = self.find(&shard.read(), hash, id) {
            return symbol;
        }
        let mut table = shard.write();
        // Another thread may have interned it between the two locks.
        if let Some(symbol) = self.find(&table, hash, id) {
            return symbol;
        }
        let index = self.strings.push(id.into());
        let Some(symbol) = Symbol::from_index(index) else {
            // Four billion ids: no workspace comes near, and a symbol that
            // resolves to another id would be worse than stopping.
            panic!("more ids than a symbol can number");
        };
        let strings = &self.strings;
        table.insert_unique(hash, index as u32, |&i| self.hasher.hash_one(resolve_in(strings, i)));
        symbol
    }

    /// The symbol of `id`, if it was interned.
    pub fn get(&self, id: impl AsRef<str>) -> Option<Symbol> {
        let id = id.as_ref();
        let hash = self.hasher.hash_one(id);
        self.find(&self.shards[shard_of(hash)].0.read(), hash, id)
    }

    fn find(&self, table: &HashTable<u32>, hash: u64, id: &str) -> Option<Symbol> {
        let index = *table.find(hash, |&i| resolve_in(&self.strings, i) == id)?;
        Symbol::from_index(index as usize)
    }

    /// The id of `symbol` (empty for a symbol of another interner that
    /// this one has not reached: never a panic).
    pub fn resolve(&self, symbol: &Symbol) -> &str {
        self.strings.get(symbol.index()).map_or("", |s| s)
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.strings.count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every id, in the order they were first interned.
    pub fn strings(&self) -> impl Iterator<Item = &str> + '_ {
        self.strings.iter().map(|(_, s)| &**s)
    }
}

fn resolve_in(strings: &boxcar::Vec<Box<str>>, index: u32) -> &str {
    strings.get(index as usize).map_or("", |s| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_id_one_symbol_across_threads() {
        let interner = Interner::with_capacity(10);
        let ids: Vec<String> = (0..20_000).map(|i| format!("id-{}", i % 5_000)).collect();
        let symbols: Vec<Vec<Symbol>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|t| {
                    let (ids, interner) = (&ids, &interner);
                    scope.spawn(move || {
                        let mut order: Vec<&String> = ids.iter().collect();
                        order.rotate_left(t * 3_000);
                        order.iter().map(|id| interner.get_or_intern(id)).collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(interner.len(), 5_000);
        for id in &ids {
            let symbol = interner.get(id).unwrap();
            assert_eq!(interner.resolve(&symbol), id);
        }
        // Every thread got the same symbol for an id; numbers are dense.
        for thread in &symbols {
            for symbol in thread {
                assert_eq!(Some(*symbol), interner.get(interner.resolve(symbol)));
                assert!(symbol.index() < 5_000);
            }
        }
        let mut all: Vec<&str> = interner.strings().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 5_000);
        assert_eq!(interner.get("id-5000"), None);
        // A symbol of a larger interner resolves to nothing here.
        let other = Interner::new();
        assert_eq!(other.resolve(&symbols[0][0]), "");
        assert!(other.is_empty());
    }
}
