//! What a result depends on, and what an update of the workspace changed:
//! the one notion behind every cache of results (prose diagnostics per
//! paragraph, diagnostics per open document).
//!
//! A file's diagnostics read, besides its own text and the config:
//! * the definitions of the ids it references (resolution, names, dates)
//!   and of the ids it defines (duplicates elsewhere, with their places);
//! * whether the ids it defines are referenced anywhere (`unused-definition`);
//! * the set of defined ids, when one of its references is undefined ("did
//!   you mean");
//! * the definitions of `@id` for a `^id` written where an entity is
//!   expected (the `invalid-value` suggests it when it exists);
//! * the entity names that can match a word of its prose (`untagged-mention`).
//!
//! Each update of a [`Workspace`](super::Workspace) records a [`Change`]
//! saying which of those it touched, under a new revision; a cached result
//! keeps the revision it was computed at and its [`Deps`], and stands as
//! long as no later change meets them. A workspace loaded again (or with
//! another config) draws its revisions from a range no cache has seen.

use smallvec::SmallVec;

use super::summary::Symbol;
use crate::syntax::Sigil;

/// What one update of the workspace changed.
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// Ids whose definitions changed (sorted): added, removed, edited, or moved
    /// while defined more than once (duplicates show each other's place).
    pub defs: Vec<(Sigil, Symbol)>,
    /// Of `defs`, those whose definitions were added, removed or edited
    /// (sorted): what a reference to them reads (names, dates) changed,
    /// not only where they stand.
    pub content: Vec<(Sigil, Symbol)>,
    /// Ids that became referenced or unreferenced (sorted).
    pub referenced: Vec<(Sigil, Symbol)>,
    /// Ids whose definition kept its content but not its place (sorted):
    /// what a fix that edits the definition (an `aka` added) must know.
    pub moved: Vec<(Sigil, Symbol)>,
    /// The set of defined ids changed ("did you mean" may answer otherwise).
    pub defined_set: bool,
    /// First-word hashes (see [`WordFilter`]) of entity names added or
    /// removed.
    pub names: Vec<u64>,
    /// Anything may have changed (a file removed, a whole file replaced
    /// without a comparison).
    pub everything: bool,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        !self.everything
            && self.defs.is_empty()
            && self.referenced.is_empty()
            && self.moved.is_empty()
            && !self.defined_set
            && self.names.is_empty()
    }
}

/// What a result read from the rest of the workspace.
#[derive(Clone, Debug, Default)]
pub struct Deps {
    /// Ids whose definitions it read (referenced or defined).
    pub ids: SmallVec<[(Sigil, Symbol); 4]>,
    /// Ids whose being referenced it read (its own definitions).
    pub referenced: SmallVec<[(Sigil, Symbol); 2]>,
    /// Ids whose definition's place it holds (the edit of a fix).
    pub places: SmallVec<[(Sigil, Symbol); 2]>,
    /// It read the set of defined ids (an undefined reference).
    pub defined_set: bool,
    /// The words of its prose, for names that can match them.
    pub words: WordFilter,
}

impl Deps {
    /// Whether `change` can change the result.
    /// Whether `change` can change the result. `ids` and `referenced` are
    /// sorted (see [`Deps::sort`]); so are the change's lists.
    pub fn met_by(&self, change: &Change) -> bool {
        change.everything
            || (change.defined_set && self.defined_set)
            || meet(&change.defs, &self.ids)
            || meet(&change.referenced, &self.referenced)
            || meet(&change.moved, &self.places)
            || change.names.iter().any(|&w| self.words.may_contain(w))
    }

    /// Adds what `other` reads: the result of a computation that kept
    /// part of an earlier one reads what both read (more than it needs
    /// when the earlier part lost some ids, never less).
    /// Both must be sorted; `other` is small (one region's), so its ids are
    /// inserted one by one rather than everything sorted again.
    pub fn merge(&mut self, other: Deps) {
        fn insert<A: smallvec::Array<Item = (Sigil, Symbol)>>(into: &mut SmallVec<A>, from: &[(Sigil, Symbol)]) {
            for &id in from {
                if let Err(at) = into.binary_search(&id) {
                    into.insert(at, id);
                }
            }
        }
        insert(&mut self.ids, &other.ids);
        insert(&mut self.referenced, &other.referenced);
        insert(&mut self.places, &other.places);
        self.defined_set |= other.defined_set;
        if other.words.all {
            self.words = other.words;
        }
    }

    /// Sorts and dedups the id lists, as [`Deps::met_by`] needs.
    pub fn sort(&mut self) {
        self.ids.sort_unstable();
        self.ids.dedup();
        self.referenced.sort_unstable();
        self.referenced.dedup();
        self.places.sort_unstable();
        self.places.dedup();
    }
}

/// Whether two sorted lists share an element: each element of the shorter
/// is looked up in the longer.
fn meet(a: &[(Sigil, Symbol)], b: &[(Sigil, Symbol)]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.iter().any(|x| long.binary_search(x).is_ok())
}

/// A Bloom filter of the lowercased words of some prose (hashed as the
/// name index hashes the first word of a name): "may contain" is exact
/// for words it holds and rarely true for others, which costs a needless
/// check, never a missed one.
#[derive(Clone, Debug)]
pub struct WordFilter {
    bits: Box<[u64]>,
    /// Holds every word: prose too long to be worth filtering.
    all: bool,
}

impl Default for WordFilter {
    fn default() -> WordFilter {
        WordFilter { bits: Box::new([]), all: false }
    }
}

impl WordFilter {
    /// A filter that may contain every word.
    pub fn everything() -> WordFilter {
        WordFilter { bits: Box::new([]), all: true }
    }

    /// A filter sized for about `words` words (16 bits each, four probes:
    /// about 0.25 % false positives).
    pub fn with_capacity(words: usize) -> WordFilter {
        let len = (words * 16).div_ceil(64).next_power_of_two().max(1);
        WordFilter { bits: vec![0; len].into_boxed_slice(), all: false }
    }

    fn probes(&self, hash: u64) -> [(usize, u64); PROBES] {
        probe_bits(hash, self.bits.len() * 64).map(|b| (b / 64, 1 << (b % 64)))
    }

    pub fn insert(&mut self, hash: u64) {
        if self.bits.is_empty() {
            return;
        }
        for (i, bit) in self.probes(hash) {
            self.bits[i] |= bit;
        }
    }

    pub fn may_contain(&self, hash: u64) -> bool {
        self.all || (!self.bits.is_empty() && self.probes(hash).iter().all(|&(i, bit)| self.bits[i] & bit != 0))
    }
}

/// How many bits of a Bloom filter each word sets.
pub const PROBES: usize = 4;

/// The bits of a Bloom filter of `bits` bits (a power of two) that a
/// word's hash sets: from the hash mixed again (splitmix64's finalizer),
/// by double hashing. Articles share their common words, and so the bits
/// those set: with two probes a few names in a hundred matched a tenth
/// of the articles or more (one of a large archive's benchmark names a
/// seventh, the worst seven in ten); with four, in the same room, the
/// rate fell about fivefold, and its tail ninefold.
pub fn probe_bits(hash: u64, bits: usize) -> [usize; PROBES] {
    let mut z = hash;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    let mask = bits as u64 - 1;
    // An odd step visits distinct bits of a power-of-two filter.
    let (start, step) = (z, (z >> 32) | 1);
    std::array::from_fn(|i| (start.wrapping_add(step.wrapping_mul(i as u64)) & mask) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_filter_holds_what_was_inserted_and_little_else() {
        let mut filter = WordFilter::with_capacity(1000);
        let hash = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (0..1000).for_each(|i| filter.insert(hash(i)));
        assert!((0..1000).all(|i| filter.may_contain(hash(i))));
        let false_positives = (1000..101_000).filter(|&i| filter.may_contain(hash(i))).count();
        assert!(false_positives < 5_000, "{false_positives}");
        assert!(!WordFilter::default().may_contain(hash(1)));
    }

    #[test]
    fn deps_meet_only_what_they_read() {
        let interner = crate::analysis::Interner::new();
        let (a, b) = (interner.get_or_intern("a"), interner.get_or_intern("b"));
        let mut deps = Deps { words: WordFilter::with_capacity(10), ..Deps::default() };
        deps.ids.push((Sigil::Entity, a));
        deps.sort();
        deps.words.insert(42);
        let change = |f: &dyn Fn(&mut Change)| {
            let mut c = Change::default();
            f(&mut c);
            c
        };
        assert!(deps.met_by(&change(&|c| c.defs.push((Sigil::Entity, a)))));
        assert!(!deps.met_by(&change(&|c| c.defs.push((Sigil::Source, a)))));
        assert!(!deps.met_by(&change(&|c| c.defs.push((Sigil::Entity, b)))));
        assert!(deps.met_by(&change(&|c| c.names.push(42))));
        assert!(!deps.met_by(&change(&|c| c.defined_set = true)));
        assert!(deps.met_by(&change(&|c| c.everything = true)));
        assert!(!deps.met_by(&Change::default()));
    }
}
