//! The interner of ids: each id a small `Symbol`, shared by every file of a
//! workspace and used from parallel threads.
//!
//! Loading a large archive interns a million and a half ids and looks up
//! two million more on every thread at once. The ids' texts are appended
//! to concurrent vectors (`boxcar`) and read back without a lock; the map
//! from string to symbol is split in shards, each a `hashbrown` table of
//! symbol numbers behind its own lock, so that one id costs one hash, one
//! probe and one string comparison.
//!
//! The ids a load interns together are kept end to end, in blocks of
//! text, rather than in an allocation each: a million and a half small
//! allocations took 12 bytes an id more (a 16-byte pointer where an id's
//! place takes 12, and the rounding of each to the allocator's sizes), and
//! were made between the load's short-lived ones.

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

    pub(crate) fn from_index(index: usize) -> Option<Symbol> {
        u32::try_from(index + 1).ok().and_then(NonZeroU32::new).map(Symbol)
    }
}

/// How many shards (a power of two): many more than threads, so that two
/// threads rarely wait for one lock.
const SHARDS: usize = 64;

/// The bits of a hash that pick a shard: its high half, so that the ids of
/// one shard still spread over its table, which places them by the low
/// half ([`placed`]).
fn shard_of(hash: u64) -> usize {
    (hash >> 32) as usize % SHARDS
}

/// Ids interned, each to one [`Symbol`]; safe to share between threads.
pub struct Interner {
    /// Where each id's text is, by symbol number.
    texts: boxcar::Vec<TextAt>,
    /// The ids' texts: a block for the new ids of each shard in a bulk
    /// interning ([`Interner::intern_lists`]), one for an id interned
    /// alone. Never changed once pushed.
    blocks: boxcar::Vec<Box<str>>,
    /// Symbol numbers, each in the shard its string's hash picks.
    shards: Box<[Shard]>,
    hasher: FxBuildHasher,
}

/// One lock's worth of the map, on a cache line of its own.
#[repr(align(64))]
#[derive(Default)]
struct Shard(RwLock<HashTable<Slot>>);

/// A symbol number and the low half of its string's hash: the table
/// grows (a cold run interns a million and a half ids from none) without
/// reading and hashing every string again, and a probe whose tag matched
/// by chance is told apart without reading the string.
#[derive(Clone, Copy)]
struct Slot {
    index: u32,
    hash: u32,
}

/// Where an id's text is: a range of a block (12 bytes).
#[derive(Clone, Copy)]
struct TextAt {
    block: u32,
    start: u32,
    end: u32,
}

/// At most this many bytes of ids in one block (an id longer than that
/// has one of its own): a bulk interning allocates no huge blocks.
const BLOCK_BYTES: usize = 1 << 20;

/// A new id found by a bulk interning: its hash and text.
type Fresh<'a> = (u64, &'a str);

/// What a bulk interning found for one id: its symbol, or its place
/// among the new ids of its shard.
#[derive(Clone, Copy)]
enum Found {
    Known(Symbol),
    Fresh(u32),
}

/// The hash the shard tables place a slot by: the low half of the
/// string's hash, in both halves (`hashbrown` takes the slot's position
/// from the low bits and its tag from the top seven). The high half picks
/// the shard ([`shard_of`]).
fn placed(low: u32) -> u64 {
    (u64::from(low) << 32) | u64::from(low)
}

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
            texts: boxcar::Vec::with_capacity(ids),
            blocks: boxcar::Vec::new(),
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
        self.insert(&mut table, hash, id)
    }

    /// Adds `id`, known to be absent from `table`, its shard's.
    fn insert(&self, table: &mut HashTable<Slot>, hash: u64, id: &str) -> Symbol {
        // A block of its own (no list of places to allocate for one id).
        let end = u32::try_from(id.len()).unwrap_or(u32::MAX);
        let block = u32::try_from(self.blocks.push(id.into())).unwrap_or(u32::MAX);
        self.insert_at(table, hash, TextAt { block, start: 0, end })
    }

    /// Adds the ids of `fresh`, absent from `table` (their shard's) and
    /// distinct, their texts end to end in blocks: their symbols, in
    /// order.
    fn insert_all(&self, table: &mut HashTable<Slot>, fresh: &[Fresh]) -> Vec<Symbol> {
        let mut symbols = Vec::with_capacity(fresh.len());
        let mut rest = fresh;
        while !rest.is_empty() {
            // As many ids as fit in a block (at least one).
            let mut bytes = 0;
            let count = rest
                .iter()
                .take_while(|(_, id)| {
                    bytes += id.len();
                    bytes <= BLOCK_BYTES
                })
                .count()
                .max(1);
            let (some, more) = rest.split_at(count);
            for (&(hash, _), at) in some.iter().zip(self.push_block(some)) {
                symbols.push(self.insert_at(table, hash, at));
            }
            rest = more;
        }
        symbols
    }

    /// Pushes a block of the texts of `ids` end to end: where each is.
    fn push_block(&self, ids: &[Fresh]) -> Vec<TextAt> {
        let mut text = String::with_capacity(ids.iter().map(|(_, id)| id.len()).sum());
        let mut spans = Vec::with_capacity(ids.len());
        for (_, id) in ids {
            // Texts are read with `u32` offsets everywhere (a file of 4
            // GB is not parsed), so no id reaches past them.
            let start = u32::try_from(text.len()).unwrap_or(u32::MAX);
            text.push_str(id);
            spans.push((start, u32::try_from(text.len()).unwrap_or(u32::MAX)));
        }
        let block = u32::try_from(self.blocks.push(text.into_boxed_str())).unwrap_or(u32::MAX);
        spans.into_iter().map(|(start, end)| TextAt { block, start, end }).collect()
    }

    /// Numbers the id of `hash` whose text is at `at`, and adds it to
    /// `table`.
    fn insert_at(&self, table: &mut HashTable<Slot>, hash: u64, at: TextAt) -> Symbol {
        let index = self.texts.push(at);
        let Some(symbol) = Symbol::from_index(index) else {
            // Four billion ids: no workspace comes near, and a symbol that
            // resolves to another id would be worse than stopping.
            panic!("more ids than a symbol can number");
        };
        let low = hash as u32;
        table.insert_unique(placed(low), Slot { index: index as u32, hash: low }, |slot| placed(slot.hash));
        symbol
    }

    /// Interns the ids of many lists at once (the ids of every file a
    /// workspace loads from a cache): their symbols, list by list. The
    /// ids are dealt to their shards first, then each shard takes its own
    /// in one go, under one lock, while its table is in the processor's
    /// cache; one by one from every thread, each id cost a few cache
    /// misses and a lock taken from another core.
    pub fn intern_lists(&self, lists: &[Vec<&str>]) -> Interned {
        use rayon::prelude::*;
        let mut ends = Vec::with_capacity(lists.len());
        let mut total = 0;
        for list in lists {
            total += list.len();
            ends.push(total);
        }
        let starts = |i: usize| if i == 0 { 0 } else { ends[i - 1] };
        // (hash, position in all lists end to end, id), by shard, in
        // chunks of lists dealt on every thread.
        type Dealt<'a> = Vec<Vec<(u64, u32, &'a str)>>;
        let dealt: Vec<Dealt> = lists
            .par_chunks(1024)
            .enumerate()
            .map(|(chunk, some)| {
                let mut shards: Dealt = vec![Vec::new(); SHARDS];
                for (i, list) in some.iter().enumerate() {
                    let start = starts(chunk * 1024 + i);
                    for (j, id) in list.iter().enumerate() {
                        let hash = self.hasher.hash_one(*id);
                        shards[shard_of(hash)].push((hash, (start + j) as u32, id));
                    }
                }
                shards
            })
            .collect();
        let found: Vec<Vec<(u32, Symbol)>> = (0..SHARDS)
            .into_par_iter()
            .map(|shard| {
                let ids = dealt.iter().flat_map(|d| &d[shard]).copied();
                self.intern_in_shard(shard, ids, dealt.iter().map(|d| d[shard].len()).sum())
            })
            .collect();
        drop(dealt);
        let mut symbols = vec![None; total];
        for (at, symbol) in found.into_iter().flatten() {
            symbols[at as usize] = Some(symbol);
        }
        Interned { symbols, ends }
    }

    /// Interns the `count` ids of `ids`, each with its hash and a place of
    /// the caller's, all of shard `shard`, under one lock: each place with
    /// its symbol. The new ones go end to end in blocks.
    fn intern_in_shard<'a>(
        &self,
        shard: usize,
        ids: impl Iterator<Item = (u64, u32, &'a str)>,
        count: usize,
    ) -> Vec<(u32, Symbol)> {
        let mut table = self.shards[shard].0.write();
        let mut found = Vec::with_capacity(count);
        // The ids not interned yet, each once, in the order met.
        let mut fresh: Vec<Fresh> = Vec::new();
        let mut fresh_places: HashTable<u32> = HashTable::new();
        for (hash, at, id) in ids {
            let it = match self.find(&table, hash, id) {
                Some(symbol) => Found::Known(symbol),
                None => {
                    let place = fresh_places.entry(hash, |&k| fresh[k as usize].1 == id, |&k| fresh[k as usize].0);
                    let place = place.or_insert_with(|| {
                        fresh.push((hash, id));
                        (fresh.len() - 1) as u32
                    });
                    Found::Fresh(*place.get())
                }
            };
            found.push((at, it));
        }
        let symbols = self.insert_all(&mut table, &fresh);
        found
            .into_iter()
            .filter_map(|(at, it)| match it {
                Found::Known(symbol) => Some((at, symbol)),
                Found::Fresh(k) => Some((at, *symbols.get(k as usize)?)),
            })
            .collect()
    }

    /// The symbols of `ids` (of one file: the definitions of a registry),
    /// interned as a bulk load's are ([`intern_lists`](Self::intern_lists)):
    /// each shard's lock taken once and the new ids' texts end to end,
    /// where interning each alone takes two locks and a block of its own.
    pub fn intern_many(&self, ids: &[&str]) -> Vec<Symbol> {
        let interned = self.intern_lists(std::slice::from_ref(&ids.to_vec()));
        // Every id is given a symbol; should one lack it, interning it
        // alone gives the same.
        interned.of(0).iter().zip(ids).map(|(s, id)| s.unwrap_or_else(|| self.get_or_intern(id))).collect()
    }

    /// The symbol of `id`, if it was interned.
    pub fn get(&self, id: impl AsRef<str>) -> Option<Symbol> {
        let id = id.as_ref();
        let hash = self.hasher.hash_one(id);
        self.find(&self.shards[shard_of(hash)].0.read(), hash, id)
    }

    fn find(&self, table: &HashTable<Slot>, hash: u64, id: &str) -> Option<Symbol> {
        let low = hash as u32;
        let slot = table.find(placed(low), |slot| slot.hash == low && self.text(slot.index as usize) == Some(id))?;
        Symbol::from_index(slot.index as usize)
    }

    /// The id of `symbol` (empty for a symbol of another interner that
    /// this one has not reached: never a panic).
    pub fn resolve(&self, symbol: &Symbol) -> &str {
        self.text(symbol.index()).unwrap_or("")
    }

    /// The text of the id numbered `index`, if there is one.
    fn text(&self, index: usize) -> Option<&str> {
        let at = self.texts.get(index)?;
        self.blocks.get(at.block as usize)?.get(at.start as usize..at.end as usize)
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.texts.count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every id, in the order they were first interned.
    pub fn strings(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.texts.count()).map(|i| self.text(i).unwrap_or(""))
    }
}

/// The symbols [`Interner::intern_lists`] gave, list by list.
pub struct Interned {
    /// Every list's, end to end (each position is given one).
    symbols: Vec<Option<Symbol>>,
    ends: Vec<usize>,
}

impl Interned {
    /// The symbols of list `i`, in its order (none past the last list).
    pub fn of(&self, i: usize) -> &[Option<Symbol>] {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.symbols.get(start..end).unwrap_or(&[])
    }
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
        // Lists interned at once agree with one by one, with ids known
        // before, ids repeated within and across lists, and empty lists.
        let lists: Vec<Vec<String>> = (0..3_000)
            .map(|i| (0..i % 7).map(|j| format!("id-{}", (i * 31 + j * 977) % 9_000)).chain(["id-1".into()]).collect())
            .chain([Vec::new(), vec!["id-1".into(), "id-1".into()]])
            .collect();
        let borrowed: Vec<Vec<&str>> = lists.iter().map(|l| l.iter().map(String::as_str).collect()).collect();
        let known = interner.len();
        let interned = interner.intern_lists(&borrowed);
        for (i, list) in lists.iter().enumerate() {
            let expected: Vec<Option<Symbol>> = list.iter().map(|id| interner.get(id)).collect();
            assert_eq!(interned.of(i), expected.as_slice());
            assert!(expected.iter().all(Option::is_some));
        }
        assert_eq!(interned.of(lists.len()), []);
        let distinct: std::collections::HashSet<&str> =
            ids.iter().map(String::as_str).chain(lists.iter().flatten().map(String::as_str)).collect();
        assert_eq!(interner.len(), distinct.len());
        assert!(interner.len() > known);
        assert_eq!(interner.strings().collect::<std::collections::HashSet<_>>(), distinct);
        // A symbol of a larger interner resolves to nothing here.
        let other = Interner::new();
        assert_eq!(other.resolve(&symbols[0][0]), "");
        assert!(other.is_empty());
    }

    /// Ids interned together take several blocks when they are many, and
    /// one of its own when one is longer than a block; every one resolves
    /// to its text and is found again, alone or in a later bulk.
    #[test]
    fn ids_interned_in_bulk_span_blocks_and_resolve() {
        let interner = Interner::new();
        let alone = interner.get_or_intern("alone");
        let long = "x".repeat(BLOCK_BYTES + 3);
        let lists: Vec<Vec<String>> = (0..40)
            .map(|i| (0..1_000).map(|j| format!("source-{i}-{j}-with-a-long-tail-of-text")).collect())
            .chain([vec![long.clone(), "alone".into(), "source-0-0-with-a-long-tail-of-text".into()]])
            .collect();
        let borrowed: Vec<Vec<&str>> = lists.iter().map(|l| l.iter().map(String::as_str).collect()).collect();
        let interned = interner.intern_lists(&borrowed);
        assert!(interner.blocks.count() > 3, "{} blocks", interner.blocks.count());
        for (i, list) in lists.iter().enumerate() {
            for (id, symbol) in list.iter().zip(interned.of(i)) {
                let symbol = symbol.expect("every id is given a symbol");
                assert_eq!(interner.resolve(&symbol), id);
                assert_eq!(interner.get(id), Some(symbol));
            }
        }
        assert_eq!(interned.of(40)[1], Some(alone));
        assert_eq!(interned.of(40)[2], interned.of(0)[0]);
        assert_eq!(interner.len(), 1 + 40_000 + 1);
        let again = interner.intern_lists(&borrowed);
        assert_eq!(
            (0..41).map(|i| again.of(i).to_vec()).collect::<Vec<_>>(),
            (0..41).map(|i| interned.of(i).to_vec()).collect::<Vec<_>>()
        );
        assert_eq!(interner.len(), 1 + 40_000 + 1);
    }

    /// One file's ids interned together: each place gets the symbol of
    /// its own id (ids of every shard, in no order of theirs), one id
    /// twice gets one symbol, an id known before keeps its symbol, and
    /// the new ones are found one by one afterwards.
    #[test]
    fn one_files_ids_interned_together_are_each_their_own() {
        let interner = Interner::new();
        let known = interner.get_or_intern("org-17");
        let ids: Vec<String> = (0..3_000).rev().map(|i| format!("org-{i}")).chain(["org-5".into()]).collect();
        let borrowed: Vec<&str> = ids.iter().map(String::as_str).collect();
        let symbols = interner.intern_many(&borrowed);
        assert_eq!(symbols.len(), ids.len());
        for (id, symbol) in ids.iter().zip(&symbols) {
            assert_eq!(interner.resolve(symbol), id);
            assert_eq!(interner.get(id), Some(*symbol));
        }
        assert_eq!(symbols[3_000 - 1 - 17], known);
        assert_eq!(symbols[3_000], symbols[3_000 - 1 - 5]);
        assert_eq!(interner.len(), 3_000);
        assert_eq!(interner.intern_many(&borrowed), symbols);
    }
}
