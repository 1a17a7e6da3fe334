//! The name index behind `untagged-mention`: every display name and `aka` of
//! every entity, normalized (§7) and hashed, looked up at each word start of
//! prose. Building it for a million entities is a hash insert per name; a
//! lookup costs a few hashes per word (no automaton to build).

use rustc_hash::FxHashMap;

use super::FileId;
use super::multimap::{self, MultiMap};
use super::summary::{DefInfo, FileSummary, Symbol};
use super::values::normalize_name_into;
use crate::syntax::{Sigil, is_word_char};

/// Names longer than this many words are not looked for in prose. Words
/// joined only by `.` count as one (`U.S.` is one word, like `US`, since
/// name matching removes `.`, §7).
const MAX_NAME_WORDS: usize = 12;

/// At most this many words as the text splits them (`U.S.A.` is three) make
/// a span looked up, and at most this many make a lead key: a bound on the
/// work at one word start whatever the dots.
const MAX_RAW_WORDS: usize = 4 * MAX_NAME_WORDS;

/// A name found in text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameMatch {
    /// Byte range in the scanned text.
    pub start: usize,
    pub end: usize,
    /// The entity whose name it is (the first indexed, when several share
    /// it).
    pub entity: Symbol,
    /// Whether other entities have this name too (no automatic tag then).
    pub ambiguous: bool,
}

/// A normalized name reduced to hashes: the index stores no strings (its
/// entries, [`NameEntry`], keep 16 bytes of each name). Two different
/// names sharing a 64-bit hash is as likely as a cosmic-ray bit flip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NameKey {
    /// Hash of the lowercased form (`NormalizedName::key`).
    key: u64,
    /// Hash of the case-kept form (`NormalizedName::cased`).
    cased: u64,
    short: bool,
}

impl NameKey {
    /// §7: short names (on either side) compare keeping case.
    pub(crate) fn matches(&self, other: &NameKey) -> bool {
        if self.short || other.short { self.cased == other.cased } else { self.key == other.key }
    }
}

/// One name of one entity in one file, stored in the bucket of its
/// lowercased key ([`NameKey::key`]), which it does not repeat: 12 bytes
/// where the whole key made 32, for 2.4 million names on the large corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NameEntry {
    /// The form of the name: the low 31 bits of [`NameKey::cased`], then
    /// whether the name is short ([`form_of`]). The cased hash is compared
    /// only with the forms of names of the same lowercased key (`Webb`,
    /// `WEBB`), a handful, so 31 bits tell them apart as surely as 64
    /// tell names.
    form: u32,
    file: FileId,
    entity: Symbol,
}

/// [`NameEntry::form`] of a name.
fn form_of(name: &NameKey) -> u32 {
    ((name.cased as u32) << 1) | u32::from(name.short)
}

// 2.4 million names on the large corpus, a million keys: the table's
// slot holds one entry inline beside its key.
const _: () = assert!(multimap::slot_bytes::<NameEntry>() == 20);

impl NameEntry {
    fn new(name: &NameKey, file: FileId, entity: Symbol) -> NameEntry {
        NameEntry { form: form_of(name), file, entity }
    }

    fn is_short(&self) -> bool {
        self.form & 1 == 1
    }

    /// [`NameKey::matches`] for a key of the entry's bucket.
    fn matches(&self, key: &NameKey) -> bool {
        !(self.is_short() || key.short) || self.form >> 1 == form_of(key) >> 1
    }

    /// Whether the entry is this form of the name (of its bucket's key).
    fn is_form(&self, key: &NameKey) -> bool {
        self.form == form_of(key)
    }
}

/// Reusable buffers for normalizing many names without allocating.
#[derive(Default)]
pub(crate) struct Normalizer {
    cased: String,
    key: String,
}

impl Normalizer {
    pub(crate) fn key(&mut self, name: &str) -> Option<NameKey> {
        let short = normalize_name_into(name, &mut self.cased);
        if self.cased.is_empty() {
            return None;
        }
        self.key.clear();
        if self.cased.is_ascii() {
            self.key.push_str(&self.cased);
            self.key.make_ascii_lowercase();
        } else {
            self.key.extend(self.cased.chars().flat_map(char::to_lowercase));
        }
        Some(NameKey { key: hash(&self.key), cased: hash(&self.cased), short })
    }

    /// The hashes of the lowercased key of the last name normalized
    /// ([`key`](Self::key)) cut before each of its spaces: `john` and
    /// `john f` of `john f kennedy` (see [`NameIndex::prefix_bits`]).
    fn key_prefixes(&self, found: &mut dyn FnMut(u64)) {
        for (at, _) in self.key.match_indices(' ') {
            found(hash(&self.key[..at]));
        }
    }
}

fn hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Hash of a word in lowercase (the first-word filter). Prose is mostly
/// ASCII words of a few letters: those are lowercased on the stack.
fn lower_hash(word: &str, buf: &mut String) -> u64 {
    let bytes = word.as_bytes();
    if bytes.len() <= 32 && word.is_ascii() {
        let mut low = [0u8; 32];
        let low = &mut low[..bytes.len()];
        low.copy_from_slice(bytes);
        low.make_ascii_lowercase();
        // ASCII stays UTF-8; hashing a `str` keeps the hash equal to the
        // one of the same word lowercased into a `String` below.
        if let Ok(s) = std::str::from_utf8(low) {
            return hash(s);
        }
    }
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(word.chars().flat_map(char::to_lowercase));
    }
    hash(buf)
}

/// All entity names of a workspace, in shards by hash so that building
/// the index for a million entities runs on every thread.
pub struct NameIndex {
    shards: Box<[Shard]>,
    /// One bit per lead key (low bits): most words of prose start
    /// no name, and this 2 MB set answers that without touching the much
    /// larger shard maps. Bits are never cleared, like `first_words`.
    first_word_bits: Box<[u64]>,
    /// One bit per (name, entity, file) ([`pair_bit`]): whether an entity
    /// has a name in a file, answered "no" without scanning the name's
    /// bucket, which for a surname thousands of people share is thousands
    /// of entries (`unknown-alias` asks it of every entity tag). Never
    /// cleared either: a stale bit costs a scan.
    pair_bits: Box<[u64]>,
    /// One bit per key of a name cut before one of its spaces
    /// ([`Normalizer::key_prefixes`]): a span of prose whose key has no bit
    /// here and is followed by a space is no name's start, so no longer
    /// span from the same word is looked up (most spans tried led nowhere:
    /// "The" leads names of five words). Never cleared either.
    prefix_bits: Box<[u64]>,
}

/// log2 of the bits in [`NameIndex::pair_bits`] (8 MB): a few percent of
/// false positives with a million entities' names.
const PAIR_BITS: u32 = 26;

/// A bucket longer than this is not scanned for one entity's name
/// ([`NameIndex::names_entity`]).
const LONG_BUCKET: usize = 16;

fn pair_bit(name: u64, entity: Symbol, file: FileId) -> (usize, u64) {
    let mixed = (name ^ (entity.index() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(u64::from(file.0))
        .wrapping_mul(0xff51_afd7_ed55_8ccd);
    let bit = (mixed >> (64 - PAIR_BITS)) as usize;
    (bit / 64, 1 << (bit % 64))
}

/// log2 of the bits in [`NameIndex::first_word_bits`].
const FIRST_WORD_BITS: u32 = 24;

fn bit_of(hash: u64) -> (usize, u64) {
    let bit = (hash as usize) & ((1 << FIRST_WORD_BITS) - 1);
    (bit / 64, 1 << (bit % 64))
}

/// Sets the bit of `hash` in a set of [`empty_bits`].
fn set_bit(bits: &mut [u64], hash: u64) {
    let (i, bit) = bit_of(hash);
    if let Some(word) = bits.get_mut(i) {
        *word |= bit;
    }
}

/// Whether the bit of `hash` is set in a set of [`empty_bits`].
fn has_bit(bits: &[u64], hash: u64) -> bool {
    let (i, bit) = bit_of(hash);
    bits.get(i).is_some_and(|b| b & bit != 0)
}

/// How many shards (a power of two): the top bits of a hash pick one.
const SHARD_BITS: u32 = 6;

fn shard_of(hash: u64) -> usize {
    (hash >> (64 - SHARD_BITS)) as usize
}

#[derive(Default)]
struct Shard {
    /// Keyed by the hash of the lowercased name; a bucket is filtered with
    /// [`NameKey::matches`] (the short-name case rule).
    by_key: MultiMap<NameEntry>,
    /// Lead key of every name ([`lead_keys`]) → the most words a name
    /// led by it has. Only a filter: entries are never removed,
    /// so a stale one costs a lookup, never a wrong match.
    first_words: FxHashMap<u64, u8>,
}

impl Shard {
    fn insert(&mut self, key: u64, entry: NameEntry) {
        self.by_key.push(key, entry, |bucket| bucket.contains(&entry));
    }

    /// [`insert`](Self::insert) for a build that deals each file's
    /// entries at once: an equal entry can only be among the last ones of
    /// its bucket, those of the same file. (Scanning the whole bucket for
    /// a surname thousands of people share was a tenth of a server's start.)
    fn push_dealt(&mut self, key: u64, entry: NameEntry) {
        self.by_key
            .push(key, entry, |bucket| bucket.iter().rev().take_while(|e| e.file == entry.file).any(|e| *e == entry));
    }

    fn first_word(&mut self, word: u64, count: u8) {
        let max = self.first_words.entry(word).or_insert(0);
        *max = (*max).max(count);
    }
}

impl Default for NameIndex {
    fn default() -> NameIndex {
        NameIndex {
            shards: (0..1 << SHARD_BITS).map(|_| Shard::default()).collect(),
            first_word_bits: empty_bits(),
            pair_bits: empty_pair_bits(),
            prefix_bits: empty_bits(),
        }
    }
}

type FirstWord = Option<(u64, u8)>;

fn empty_bits() -> Box<[u64]> {
    vec![0; (1 << FIRST_WORD_BITS) / 64].into_boxed_slice()
}

fn empty_pair_bits() -> Box<[u64]> {
    vec![0; (1 << PAIR_BITS) / 64].into_boxed_slice()
}

impl NameIndex {
    /// Builds the index for many files at once: names are normalized per
    /// file in parallel, dealt to their shards in file order (so each
    /// bucket keeps the order of sequential inserts), and the shards are
    /// filled in parallel. Each file comes once.
    pub fn build<'a>(files: impl Iterator<Item = (FileId, &'a FileSummary)>) -> NameIndex {
        use rayon::prelude::*;
        let files: Vec<(FileId, &FileSummary)> = files.collect();
        let entries: Vec<FileNames> = files.par_iter().map(|(id, summary)| file_entries(*id, summary)).collect();
        let shard_count = 1 << SHARD_BITS;
        let mut keyed: Vec<Vec<(u64, NameEntry)>> = (0..shard_count).map(|_| Vec::new()).collect();
        let mut words: Vec<Vec<(u64, u8)>> = (0..shard_count).map(|_| Vec::new()).collect();
        let mut first_word_bits = empty_bits();
        let mut pair_bits = empty_pair_bits();
        let mut prefix_bits = empty_bits();
        for &prefix in entries.iter().flat_map(|f| &f.prefixes) {
            set_bit(&mut prefix_bits, prefix);
        }
        for (key, entry, first) in entries.into_iter().flat_map(|f| f.names) {
            let (i, bit) = pair_bit(key, entry.entity, entry.file);
            pair_bits[i] |= bit;
            keyed[shard_of(key)].push((key, entry));
            if let Some((word, count)) = first {
                words[shard_of(word)].push((word, count));
                set_bit(&mut first_word_bits, word);
            }
        }
        let shards = keyed
            .into_par_iter()
            .zip(words)
            .map(|(keyed, words)| {
                let mut shard = Shard::default();
                for (key, entry) in keyed {
                    shard.push_dealt(key, entry);
                }
                for (word, count) in words {
                    shard.first_word(word, count);
                }
                shard.by_key.shrink_lists();
                shard
            })
            .collect();
        NameIndex { shards, first_word_bits, pair_bits, prefix_bits }
    }

    pub fn add_file(&mut self, file: FileId, summary: &FileSummary) {
        self.insert_all(file_entries(file, summary));
    }

    pub fn remove_file(&mut self, file: FileId, summary: &FileSummary) {
        let mut normalizer = Normalizer::default();
        for def in summary.defs.iter().filter(|d| d.sigil == Sigil::Entity) {
            for name in def.names() {
                let Some(key) = normalizer.key(name) else { continue };
                self.shards[shard_of(key.key)].by_key.retain(key.key, |e| e.file != file);
            }
        }
    }

    /// Applies the difference a reparse made to one file's entity
    /// definitions: the names of `removed` go (unless `kept` says that
    /// another definition of the same entity in the file still has that
    /// name), the names of `added` come.
    pub fn update_defs(
        &mut self,
        file: FileId,
        removed: &[DefInfo],
        added: &[DefInfo],
        kept: &dyn Fn(Symbol, &str) -> bool,
    ) {
        let mut normalizer = Normalizer::default();
        for def in removed.iter().filter(|d| d.sigil == Sigil::Entity) {
            for name in def.names() {
                if kept(def.id, name) {
                    continue;
                }
                let Some(key) = normalizer.key(name) else { continue };
                let by_key = &mut self.shards[shard_of(key.key)].by_key;
                by_key.retain(key.key, |e| !(e.file == file && e.entity == def.id && e.is_form(&key)));
            }
        }
        self.insert_all(def_entries(file, added));
    }

    fn insert_all(&mut self, names: FileNames) {
        for prefix in names.prefixes {
            set_bit(&mut self.prefix_bits, prefix);
        }
        for (key, entry, first) in names.names {
            self.insert(key, entry, first);
        }
    }

    /// Whether some name's key starts with the key hashed `key` followed
    /// by a space; true may be wrong, false never is.
    fn may_lead_longer(&self, key: u64) -> bool {
        has_bit(&self.prefix_bits, key)
    }

    fn insert(&mut self, key: u64, entry: NameEntry, first: FirstWord) {
        if let Some((word, count)) = first {
            self.shards[shard_of(word)].first_word(word, count);
            set_bit(&mut self.first_word_bits, word);
        }
        let (i, bit) = pair_bit(key, entry.entity, entry.file);
        self.pair_bits[i] |= bit;
        self.shards[shard_of(key)].insert(key, entry);
    }

    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| s.by_key.is_empty())
    }

    /// The entity a name (as written) belongs to, if any.
    pub fn lookup(&self, name: &str) -> Option<Symbol> {
        self.lookup_key(&Normalizer::default().key(name)?).map(|(entity, _)| entity)
    }

    /// Whether `key` is one of the names `entity` has in `file` (what
    /// `unknown-alias` asks of a tag's text): one bucket lookup instead of
    /// normalizing every name of the entity again. `None` when only a
    /// long bucket would tell (a name many entities share): the entity's
    /// own few names, normalized, answer that faster.
    pub(crate) fn names_entity(&self, key: &NameKey, entity: Symbol, file: FileId) -> Option<bool> {
        let (i, bit) = pair_bit(key.key, entity, file);
        if self.pair_bits.get(i).is_none_or(|b| b & bit == 0) {
            return Some(false);
        }
        let bucket = self.shards[shard_of(key.key)].by_key.get(key.key);
        if bucket.len() > LONG_BUCKET {
            return None;
        }
        Some(bucket.iter().any(|e| e.entity == entity && e.file == file && e.matches(key)))
    }

    /// Every `(file, entity)` that has the name `key`, in no set order.
    pub(crate) fn holders(&self, key: &NameKey) -> impl Iterator<Item = (FileId, Symbol)> + '_ {
        let key = *key;
        let bucket = self.shards[shard_of(key.key)].by_key.get(key.key);
        bucket.iter().filter(move |e| e.matches(&key)).map(|e| (e.file, e.entity))
    }

    /// Every entity with this name (as written), in index order.
    pub fn entities_named(&self, name: &str) -> Vec<Symbol> {
        let Some(key) = Normalizer::default().key(name) else { return Vec::new() };
        let mut out = Vec::new();
        for e in self.shards[shard_of(key.key)].by_key.get(key.key).iter().filter(|e| e.matches(&key)) {
            if !out.contains(&e.entity) {
                out.push(e.entity);
            }
        }
        out
    }

    /// The first entity with the name `key`, and whether another has it too.
    fn lookup_key(&self, key: &NameKey) -> Option<(Symbol, bool)> {
        let mut matching = self.shards[shard_of(key.key)].by_key.get(key.key).iter().filter(|e| e.matches(key));
        let first = matching.next()?.entity;
        Some((first, matching.any(|e| e.entity != first)))
    }

    /// Finds names in `text[from..to]` on word boundaries of the whole
    /// `text`; overlapping matches keep the earliest, then the longest.
    pub fn find(&self, text: &str, from: usize, to: usize, found: &mut dyn FnMut(NameMatch)) {
        self.find_pruned(text, from, to, true, found);
    }

    /// [`find`](Self::find); `prune`: stop lengthening a span that leads
    /// no name ([`prefix_bits`](Self::prefix_bits)), which changes no
    /// match (the tests compare both ways).
    fn find_pruned(&self, text: &str, from: usize, to: usize, prune: bool, found: &mut dyn FnMut(NameMatch)) {
        if self.is_empty() {
            return;
        }
        let to = to.min(text.len());
        let mut pos = from;
        let mut normalizer = Normalizer::default();
        let mut lower = String::new();
        while pos < to {
            let Some(start) = next_word_start(text, pos, to) else { break };
            let first_end = word_end(text, start);
            // The most (merged) words a name led by a key of this word has;
            // 0 when no name starts so (most words of prose).
            let mut max_words = 0u8;
            lead_keys(text, start, &mut lower, &mut |key| {
                if has_bit(&self.first_word_bits, key)
                    && let Some(&most) = self.shards[shard_of(key)].first_words.get(&key)
                {
                    max_words = max_words.max(most);
                }
            });
            if max_words == 0 {
                pos = first_end;
                continue;
            }
            let max_words = usize::from(max_words).min(MAX_NAME_WORDS);
            let mut best = None;
            spans_from(text, start, to, max_words, |end, last| {
                let Some(span) = text.get(start..end) else { return false };
                let key = normalizer.key(span);
                if let Some((entity, ambiguous)) = key.and_then(|k| self.lookup_key(&k)) {
                    best = Some(NameMatch { start, end, entity, ambiguous });
                }
                !(prune && key.is_some_and(|k| !self.may_lead_longer(k.key)) && spaced_after(text, last, end, to))
            });
            match best {
                Some(m) => {
                    found(m);
                    pos = m.end;
                }
                None => pos = first_end,
            }
        }
    }
}

impl NameIndex {
    /// Per lowercased name key (in no set order), the entities a check of
    /// prose against part of the workspace must hold for a mention of that
    /// name to read as against the whole: for the entries of each form the
    /// key's lookups can match (every long name of the key, and each
    /// form), the entities of the files that rank first by `rank` (their
    /// paths' order) until two distinct entities are met, ties kept.
    /// `untagged-mention` reads of a name's holders only the first by
    /// place (`first_holder`, among those files) and whether another
    /// exists, so any superset of these answers as all of them do; the
    /// first two of a union of groups are among the first two of each.
    pub(crate) fn first_holders(&self, rank: &(dyn Fn(FileId) -> u32 + Sync)) -> Vec<(u64, Vec<Symbol>)> {
        use rayon::prelude::*;
        self.shards
            .par_iter()
            .flat_map_iter(|shard| shard.by_key.iter().map(|(key, bucket)| (key, holders_to_keep(bucket, rank))))
            .collect()
    }
}

/// [`NameIndex::first_holders`] of one bucket.
fn holders_to_keep(bucket: &[NameEntry], rank: &dyn Fn(FileId) -> u32) -> Vec<Symbol> {
    let Some(first) = bucket.first() else { return Vec::new() };
    if bucket.iter().all(|e| e.entity == first.entity) {
        return vec![first.entity];
    }
    let mut out = Vec::new();
    let mut group: Vec<(u32, Symbol)> = Vec::new();
    let mut forms: Vec<u32> = bucket.iter().map(|e| e.form).collect();
    forms.sort_unstable();
    forms.dedup();
    // `None`: every long name; `Some(form)`: that form.
    for only in std::iter::once(None).chain(forms.into_iter().map(Some)) {
        group.clear();
        group.extend(
            bucket
                .iter()
                .filter(|e| only.map_or(!e.is_short(), |form| e.form == form))
                .map(|e| (rank(e.file), e.entity)),
        );
        group.sort_unstable_by_key(|&(r, _)| r);
        let mut distinct: Vec<Symbol> = Vec::new();
        let mut last_rank = None;
        for &(r, entity) in &group {
            // Past the file in which the second entity was met.
            if distinct.len() >= 2 && last_rank != Some(r) {
                break;
            }
            if !distinct.contains(&entity) {
                distinct.push(entity);
            }
            last_rank = Some(r);
        }
        for entity in distinct {
            if !out.contains(&entity) {
                out.push(entity);
            }
        }
    }
    out
}

/// Every lowercased key ([`NameKey`]'s) that [`NameIndex::find`] may look
/// up in `text[from..to]`, whatever names the index holds (and in any
/// part of that range it is asked about): the spans of up to the most
/// words a name has, from every word start. A check against part of the
/// workspace takes the holders of these keys.
pub(crate) fn candidate_keys(text: &str, from: usize, to: usize, found: &mut dyn FnMut(u64)) {
    let to = to.min(text.len());
    let mut pos = from;
    let mut normalizer = Normalizer::default();
    while pos < to {
        let Some(start) = next_word_start(text, pos, to) else { break };
        spans_from(text, start, to, MAX_NAME_WORDS, |end, _| {
            let Some(span) = text.get(start..end) else { return false };
            if let Some(key) = normalizer.key(span) {
                found(key.key);
            }
            true
        });
        pos = word_end(text, start);
    }
}

/// The spans of `text` a name of up to `max_words` (merged) words may
/// take from the word start `start`, ending by `to`, shortest first: each
/// given to `each` with the start of its last word, until `each` says
/// false. (What [`NameIndex::find`] looks up, and [`candidate_keys`]
/// gives.)
fn spans_from(text: &str, start: usize, to: usize, max_words: usize, mut each: impl FnMut(usize, usize) -> bool) {
    let mut end = word_end(text, start);
    let mut last = start;
    let mut words = 1;
    for raw_words in 1..=MAX_RAW_WORDS {
        if raw_words > 1 {
            let Some(next) = next_word_start(text, end, to) else { break };
            last = next;
            if is_possessive_s(text, end, next) {
                break;
            }
            if !joined_by_dots(text, end, next) {
                words += 1;
                if words > max_words {
                    break;
                }
            }
            end = word_end(text, next);
        }
        if end > to || !each(end, last) {
            break;
        }
    }
}

/// The lead keys ([`lead_keys`]) at every word start of `text`: a name can
/// be found in a text only when the text holds its lead key. What a cache
/// keeps of a file's prose to tell whether a changed name may occur in it.
pub fn word_keys(text: &str, found: &mut dyn FnMut(u64)) {
    let mut lower = String::new();
    let mut pos = 0;
    while let Some(start) = next_word_start(text, pos, text.len()) {
        lead_keys(text, start, &mut lower, found);
        pos = word_end(text, start).max(start + 1);
    }
}

/// What [`word_keys`] must hold for `name` to be found in a text: its
/// lead key, and the key of each later word that is a plain word (letters
/// and digits only), since wherever the name occurs such a word starts a
/// word too. `None` for a name with no word.
pub fn name_probe(name: &str) -> Option<NameProbe> {
    Some(NameProbe { lead: lead_key(name)?, rest: later_word_keys(name).collect() })
}

/// The keys of `name`'s plain words after the first (see [`name_probe`]).
pub fn later_word_keys(name: &str) -> impl Iterator<Item = u64> + '_ {
    // Pieces of only dots are no words.
    name.split(char::is_whitespace)
        .filter(|w| w.chars().any(|c| c != '.'))
        .skip(1)
        .filter(|w| w.chars().all(char::is_alphanumeric))
        .filter_map(lead_key)
}

/// The keys a text's words must hold for a name to occur in it (see
/// [`name_probe`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NameProbe {
    pub lead: u64,
    pub rest: Vec<u64>,
}

impl NameProbe {
    /// Whether a text whose word keys `has_key` may hold may hold the name.
    pub fn may_match(&self, has_key: impl Fn(u64) -> bool) -> bool {
        has_key(self.lead) && self.rest.iter().all(|&k| has_key(k))
    }
}

/// The probe of each of `def`'s names that has one.
pub fn name_probes(def: super::DefParts<'_>, found: &mut dyn FnMut(NameProbe)) {
    for probe in def.names().filter_map(name_probe) {
        found(probe);
    }
}

/// Whether `name` may occur in a text whose word keys ([`word_keys`])
/// `has_key` may hold (see [`name_probe`]); true for a name with no word.
/// Never false where the name occurs: it only rules texts out.
pub fn may_occur_in(name: &str, has_key: &dyn Fn(u64) -> bool) -> bool {
    // The first word first: most names are ruled out by it.
    lead_key(name).is_none_or(|lead| has_key(lead) && later_word_keys(name).all(has_key))
}

/// The keys under which a name may start at the word start `start`: the
/// first word, lowercased, joined with the words that follow it across
/// nothing but `.` (which name matching removes, §7), cut at each of their
/// ends. `U.S.A` gives the keys of `u`, `us` and `usa`, so it is looked up
/// for the names `U`, `US`, `U.S.` and `USA`; a plain word gives one key.
fn lead_keys(text: &str, start: usize, lower: &mut String, found: &mut dyn FnMut(u64)) {
    let mut end = word_end(text, start);
    let Some(word) = text.get(start..end) else { return };
    found(lower_hash(word, lower));
    if !text.get(end..).is_some_and(|rest| rest.starts_with('.')) {
        return;
    }
    let mut joined = String::from(word);
    for _ in 1..MAX_RAW_WORDS {
        let Some(next) = next_word_start(text, end, text.len()) else { break };
        if !joined_by_dots(text, end, next) {
            break;
        }
        end = word_end(text, next);
        joined.push_str(text.get(next..end).unwrap_or(""));
        found(lower_hash(&joined, lower));
    }
}

/// Whether the key of every longer span that [`NameIndex::find`] would try
/// after the span of `text` ending at `end` (its last word starting at
/// `last`) is the key of that span, a space, then more: the next word
/// comes after white space (dots before it are dropped by normalizing),
/// and neither word is a lone `s`, which an apostrophe before it would
/// make a possessive that normalizing cuts off.
fn spaced_after(text: &str, last: usize, end: usize, to: usize) -> bool {
    let lone_s = |at: usize| matches!(text.get(at..word_end(text, at)), Some("s" | "S"));
    let Some(next) = next_word_start(text, end, to) else { return false };
    let gap = text.get(end..next).unwrap_or("");
    gap.trim_start_matches('.').starts_with(char::is_whitespace) && !lone_s(last) && !lone_s(next)
}

/// Whether only `.` separates the word ending at `end` from the one
/// starting at `next` (so that name matching reads them as one word).
fn joined_by_dots(text: &str, end: usize, next: usize) -> bool {
    text.get(end..next).is_some_and(|gap| !gap.is_empty() && gap.bytes().all(|b| b == b'.'))
}

/// The lead key of a name: the longest of [`lead_keys`] at its first word,
/// the one a prose span equal to it under name matching has among its own
/// (what a change of names reports, see `deps`).
pub fn lead_key(name: &str) -> Option<u64> {
    let start = next_word_start(name, 0, name.len())?;
    let mut key = None;
    lead_keys(name, start, &mut String::new(), &mut |k| key = Some(k));
    key
}

/// What the names of one file's definitions put in the index.
struct FileNames {
    /// Each name's key, entry and lead word.
    names: Vec<(u64, NameEntry, FirstWord)>,
    /// Their keys' prefixes ([`Normalizer::key_prefixes`]).
    prefixes: Vec<u64>,
}

fn file_entries(file: FileId, summary: &FileSummary) -> FileNames {
    def_entries(file, &summary.defs)
}

fn def_entries(file: FileId, defs: &[DefInfo]) -> FileNames {
    let mut normalizer = Normalizer::default();
    let mut out = FileNames { names: Vec::new(), prefixes: Vec::new() };
    // A registry names half its entities with a name another of its
    // entities has too (a surname is an alias of each person who bears
    // it): each distinct name is normalized once per file, and its
    // prefixes given once. (Normalizing every name was a fifth of a warm
    // server start.)
    let mut normalized: FxHashMap<&str, Option<(NameKey, FirstWord)>> = FxHashMap::default();
    for def in defs.iter().filter(|d| d.sigil == Sigil::Entity) {
        for name in def.names() {
            let known = *normalized.entry(name).or_insert_with(|| {
                let key = normalizer.key(name)?;
                normalizer.key_prefixes(&mut |prefix| out.prefixes.push(prefix));
                let first = lead_key(name).map(|lead| (lead, word_count(name).min(usize::from(u8::MAX)) as u8));
                Some((key, first))
            });
            let Some((key, first)) = known else { continue };
            out.names.push((key.key, NameEntry::new(&key, file, def.id), first));
        }
    }
    out
}

/// The start of the next word at or after `pos` (and before `to`) that is a
/// word start in the whole text.
///
/// ASCII bytes are classified on the spot; only the other characters are
/// decoded (prose is mostly ASCII).
fn next_word_start(text: &str, pos: usize, to: usize) -> Option<usize> {
    let mut prev_is_word = text.get(..pos)?.chars().next_back().is_some_and(is_word_char);
    let rest = text.get(pos..to)?;
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (w, len) = if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            match rest.get(i..).and_then(|r| r.chars().next()) {
                Some(c) => (is_word_char(c), c.len_utf8()),
                None => return None,
            }
        };
        if w && !prev_is_word {
            return Some(pos + i);
        }
        prev_is_word = w;
        i += len;
    }
    None
}

fn word_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if !b.is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            match rest.get(i..).and_then(|r| r.chars().next()) {
                Some(c) if is_word_char(c) => i += c.len_utf8(),
                _ => break,
            }
        }
    }
    start + i
}

/// The word at `next` is an `s` right after an apostrophe: extending a name
/// over it adds nothing, since normalization drops a trailing `'s`.
fn is_possessive_s(text: &str, end: usize, next: usize) -> bool {
    let gap = text.get(end..next).unwrap_or("");
    (gap == "'" || gap == "’") && matches!(text.get(next..word_end(text, next)), Some("s" | "S"))
}

/// The words of a name as [`NameIndex::find`] counts them: words joined
/// only by `.` count once.
fn word_count(name: &str) -> usize {
    let mut count = 0;
    let mut pos = 0;
    let mut last_end = None;
    while let Some(start) = next_word_start(name, pos, name.len()) {
        if !last_end.is_some_and(|end| joined_by_dots(name, end, start)) {
            count += 1;
        }
        pos = word_end(name, start);
        last_end = Some(pos);
    }
    count
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::Interner;

    /// Pieces of names and of the prose around them: dots, apostrophes
    /// (both), a possessive, digits and letters beyond ASCII.
    fn token() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "Liu",
            "liu",
            "L.iu",
            "Li",
            "U.S.",
            "US",
            "U.S",
            "O’Brien",
            "O'Brien",
            "Jr.",
            "Jr",
            "Zoë",
            "ZOË",
            "Macy's",
            "Macy’s",
            "'s",
            "R2D2",
            "Dan",
            "(Dan)",
            "Daniel",
            "D.C.",
            "DC",
            ".",
            "-",
            "Smith-Jones",
            "Ünal",
        ])
        .prop_map(str::to_owned)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Wherever the name index finds a name in a text, `may_occur_in`
        /// says the name may occur there: ruling a text out is safe. The
        /// text holds the name written another way (case, dots,
        /// apostrophes, a possessive), mostly found.
        #[test]
        fn a_name_found_in_a_text_may_occur_in_it(
            name in prop::collection::vec(token(), 1..4),
            ways in prop::collection::vec(0..6u8, 4),
            possessive in any::<bool>(),
            before in prop::collection::vec(token(), 0..3),
            after in prop::collection::vec(token(), 0..3),
        ) {
            let written: Vec<String> = name
                .iter()
                .zip(ways.iter().cycle())
                .map(|(t, way)| match way {
                    0 => t.to_uppercase(),
                    1 => t.replace('.', ""),
                    2 => format!("{t}."),
                    3 => t.replace('\'', "’"),
                    4 => t.replace('’', "'"),
                    _ => t.clone(),
                })
                .collect();
            let mut variant = written.join(" ");
            if possessive {
                variant.push_str("’s");
            }
            let name = name.join(" ");
            let text = format!("{} {variant} {}", before.join(" "), after.join(" "));
            let registry = format!("@x: person \"{name}\"\n");
            let interner = Interner::new();
            let summary = FileSummary::new(&crate::syntax::parse(&registry), &registry, &interner);
            prop_assume!(summary.defs.len() == 1 && summary.defs[0].name() == Some(name.as_str()));
            let index = NameIndex::build([(FileId(0), &summary)].into_iter());
            let mut keys = rustc_hash::FxHashSet::default();
            word_keys(&text, &mut |k| { keys.insert(k); });
            let mut found = false;
            index.find(&text, 0, text.len(), &mut |_| found = true);
            if found {
                prop_assert!(may_occur_in(&name, &|k| keys.contains(&k)), "{name:?} found in {text:?}");
            }
        }
    }

    /// Separators of prose: white space of several kinds, dots before
    /// it, apostrophes (a lone `s` after one is a possessive), hyphens.
    fn separator() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            " ", "  ", ". ", ".", "\t", "\u{a0}", " '", "' ", "’", " ’", "'", "-", ", ", " (", "\n",
        ])
        .prop_map(str::to_owned)
    }

    fn words_apart(words: Vec<String>, separators: Vec<String>) -> String {
        let mut out = String::new();
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                out.push_str(&separators[i % separators.len()]);
            }
            out.push_str(word);
        }
        out
    }

    /// Names of several words (and lone `s` words, possessives, dots and
    /// hyphens between them), and prose with some of them cut into it here
    /// and there.
    fn names_in_prose() -> impl Strategy<Value = (Vec<String>, String)> {
        let name = (
            prop::collection::vec(prop_oneof![token(), Just("s".to_owned()), Just("S".to_owned())], 1..5),
            prop::collection::vec(separator(), 1..3),
        );
        (
            prop::collection::vec(name, 1..4),
            prop::collection::vec(prop_oneof![token(), Just("s".to_owned()), Just("The".to_owned())], 1..14),
            prop::collection::vec(separator(), 1..5),
            prop::collection::vec((0..14usize, 0..4usize), 0..3),
        )
            .prop_map(|(names, mut words, separators, inserted)| {
                let names: Vec<String> =
                    names.into_iter().map(|(w, s)| words_apart(w, s)).filter(|n| !n.contains(['"', '\n'])).collect();
                for (at, which) in inserted {
                    if let Some(name) = names.get(which % names.len().max(1)) {
                        words.insert(at.min(words.len()), name.clone());
                    }
                }
                (names, words_apart(words, separators))
            })
    }

    /// The name index of a registry that gives each of `names` to an entity.
    fn index_of(names: &[String]) -> NameIndex {
        let registry: String = names.iter().enumerate().map(|(i, n)| format!("@x{i}: person \"{n}\"\n")).collect();
        let interner = Interner::new();
        let summary = FileSummary::new(&crate::syntax::parse(&registry), &registry, &interner);
        NameIndex::build([(FileId(0), &summary)].into_iter())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Spans stopped early because no name starts with their key and
        /// a space hide no match: names of several words (and lone `s`
        /// words, possessives, dots and hyphens between them) are found in
        /// the same places with and without the pruning.
        #[test]
        fn pruned_spans_hide_no_name(
            (names, text) in names_in_prose(),
        ) {
            let index = index_of(&names);
            let mut pruned = Vec::new();
            index.find_pruned(&text, 0, text.len(), true, &mut |m| pruned.push(m));
            let mut whole = Vec::new();
            index.find_pruned(&text, 0, text.len(), false, &mut |m| whole.push(m));
            prop_assert_eq!(pruned, whole, "names {:?} in {:?}", names, text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Every key `find` looks up, in the whole text or in a part of it,
        /// is among the candidate keys of the whole text.
        #[test]
        fn every_key_looked_up_is_a_candidate(
            (names, text) in names_in_prose(),
            cut in 0..40usize,
        ) {
            let index = index_of(&names);
            let mut candidates = rustc_hash::FxHashSet::default();
            candidate_keys(&text, 0, text.len(), &mut |k| { candidates.insert(k); });
            let from = (0..=cut.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let mut found = Vec::new();
            index.find(&text, 0, text.len(), &mut |m| found.push(m));
            index.find(&text, from, text.len(), &mut |m| found.push(m));
            for m in found {
                let key = Normalizer::default().key(&text[m.start..m.end]).map(|k| k.key);
                prop_assert!(key.is_some_and(|k| candidates.contains(&k)), "{:?} in {:?}", &text[m.start..m.end], text);
            }
        }

        /// The holders kept of each name answer as all of its holders do:
        /// for every way a name is written, the first definition (by its
        /// file's rank, then its place) of an entity with a matching name
        /// is one of theirs, and whether another entity has it too.
        #[test]
        fn the_holders_kept_answer_as_all_holders(
            files in prop::collection::vec(
                prop::collection::vec((0..6u8, prop::sample::select(vec![
                    "Li", "LI", "li", "Liu", "Dan Li", "DAN LI", "US", "us", "Smith", "John Smith", "Zoë", "ZOË",
                ])), 1..6),
                1..5),
            ranks in Just((0..5u32).collect::<Vec<u32>>()).prop_shuffle(),
        ) {
            let interner = Interner::new();
            let summaries: Vec<FileSummary> = files
                .iter()
                .map(|defs| {
                    let text: String = defs.iter().map(|(e, n)| format!("@e{e}: person \"{n}\"\n")).collect();
                    FileSummary::new(&crate::syntax::parse(&text), &text, &interner)
                })
                .collect();
            let index = NameIndex::build(summaries.iter().enumerate().map(|(i, s)| (FileId(i as u32), s)));
            let rank = |f: FileId| ranks[f.0 as usize];
            let kept: FxHashMap<u64, Vec<Symbol>> = index.first_holders(&rank).into_iter().collect();
            let mut normalizer = Normalizer::default();
            for query in ["Li", "LI", "li", "Liu", "Dan Li", "dan li", "US", "us", "Us", "Smith", "John Smith", "Zoë", "zoë"] {
                let Some(q) = normalizer.key(query) else { continue };
                // (rank, place, entity) of every definition with a matching name.
                let mut all = Vec::new();
                for (f, summary) in summaries.iter().enumerate() {
                    for (place, def) in summary.defs.iter().enumerate() {
                        if def.names().any(|n| Normalizer::default().key(n).is_some_and(|k| k.matches(&q))) {
                            all.push((rank(FileId(f as u32)), place, def.id));
                        }
                    }
                }
                all.sort_unstable();
                let Some(first) = all.first().copied() else { continue };
                let holders = kept.get(&q.key).cloned().unwrap_or_default();
                let among: Vec<_> = all.iter().filter(|(_, _, e)| holders.contains(e)).copied().collect();
                prop_assert_eq!(among.first().copied(), Some(first), "{}", query);
                let others = |list: &[(u32, usize, Symbol)]| list.iter().any(|(_, _, e)| *e != first.2);
                prop_assert_eq!(others(&among), others(&all), "{}", query);
            }
        }
    }

    #[test]
    fn a_span_that_leads_no_name_is_not_lengthened() {
        let registry = "@a: person \"John Fitzgerald Kennedy\"\n@b: person \"New York\"\n";
        let interner = Interner::new();
        let summary = FileSummary::new(&crate::syntax::parse(registry), registry, &interner);
        let index = NameIndex::build([(FileId(0), &summary)].into_iter());
        let key = |name: &str| Normalizer::default().key(name).map(|k| k.key);
        for lead in ["john", "John Fitzgerald", "NEW"] {
            assert!(key(lead).is_some_and(|k| index.may_lead_longer(k)), "{lead}");
        }
        // The whole names, and what no name starts with.
        for other in ["John Fitzgerald Kennedy", "New York", "York", "John Smith"] {
            assert!(!key(other).is_some_and(|k| index.may_lead_longer(k)), "{other}");
        }
        let text = "Then John Fitzgerald Kennedy flew to New. York, and John's s friend.";
        let mut found = Vec::new();
        index.find(text, 0, text.len(), &mut |m| found.push(&text[m.start..m.end]));
        assert_eq!(found, ["John Fitzgerald Kennedy", "New. York"]);
    }

    /// §7 through the index, whose entries keep only part of a name's
    /// hashes: a short name matches only as cased, a longer one in any
    /// case; the short forms of one key (`US`, `Us`) stay apart, also
    /// when one of them is removed from an entity that has both.
    #[test]
    fn short_names_match_keeping_case_and_one_form_goes_alone() {
        let interner = Interner::new();
        let text = "@usa: place \"US\"\n  aka: Us; United States\n\n@us-weekly: org \"Us\"\n  aka: Us Weekly\n\n@webb: person \"Daniel Webb\"\n  aka: WEBB\n";
        let summary = FileSummary::new(&crate::syntax::parse(text), text, &interner);
        let mut index = NameIndex::build([(FileId(0), &summary)].into_iter());
        let sym = |id: &str| interner.get(id).unwrap();
        assert_eq!(index.entities_named("US"), vec![sym("usa")]);
        assert_eq!(index.entities_named("Us"), vec![sym("usa"), sym("us-weekly")]);
        assert_eq!(index.lookup("us"), None);
        assert_eq!(index.entities_named("U.S."), vec![sym("usa")]);
        assert_eq!(index.lookup("united states"), Some(sym("usa")));
        assert_eq!(index.lookup("DANIEL WEBB"), Some(sym("webb")));
        assert_eq!(index.lookup("webb"), Some(sym("webb")), "four letters are no short name");
        // `@usa`'s names go but `US`, which another of its definitions
        // still has: its `Us` goes, its `US` (the same key) stays.
        index.update_defs(FileId(0), &summary.defs[..1], &[], &|_, name| name == "US");
        assert_eq!(index.entities_named("US"), vec![sym("usa")]);
        assert_eq!(index.entities_named("Us"), vec![sym("us-weekly")]);
        assert_eq!(index.lookup("United States"), None);
    }

    #[test]
    fn a_bulk_build_holds_the_entries_one_file_at_a_time_would() {
        let interner = Interner::new();
        let registries = [
            // One name twice for one entity, a name two entities share.
            "@webb: person \"Daniel Webb\"\n  aka: Webb; Daniel Webb; WEBB\n\n@webb-2: person \"Anna Webb\"\n  aka: Webb\n",
            "@webb-3: person \"Webb\"\n  aka: Webb\n",
            "@webb: person \"Webb\"\n  aka: Daniel Webb\n",
        ];
        let summaries: Vec<FileSummary> =
            registries.iter().map(|text| FileSummary::new(&crate::syntax::parse(text), text, &interner)).collect();
        let files = || summaries.iter().enumerate().map(|(i, s)| (FileId(i as u32), s));
        let built = NameIndex::build(files());
        let mut added = NameIndex::default();
        for (id, summary) in files() {
            added.add_file(id, summary);
        }
        let buckets = |index: &NameIndex| {
            let mut all: Vec<(u64, Vec<NameEntry>)> = index
                .shards
                .iter()
                .flat_map(|shard| shard.by_key.iter())
                .map(|(key, bucket)| (key, bucket.to_vec()))
                .collect();
            all.sort_by_key(|(key, _)| *key);
            all
        };
        let webb = buckets(&built);
        assert_eq!(webb, buckets(&added));
        // "Webb" and "WEBB" are one key: in it, each (entity, file) pair
        // once per form of the name.
        let longest = webb.iter().map(|(_, b)| b.len()).max();
        assert_eq!(longest, Some(5), "{webb:?}");
    }

    #[test]
    fn a_name_whose_later_word_is_absent_may_not_occur() {
        let keys = |text: &str| {
            let mut keys = rustc_hash::FxHashSet::default();
            word_keys(text, &mut |k| {
                keys.insert(k);
            });
            keys
        };
        let text = keys("Daniel Webb met the press.");
        assert!(!may_occur_in("Daniel Liu", &|k| text.contains(&k)));
        assert!(may_occur_in("Daniel Webb", &|k| text.contains(&k)));
        assert!(may_occur_in("Daniel", &|k| text.contains(&k)));
        assert!(!may_occur_in("Liu", &|k| text.contains(&k)));
        // A middle word too.
        assert!(!may_occur_in("Daniel Liu Webb", &|k| text.contains(&k)));
        assert!(may_occur_in("Daniel Webb", &|k| text.contains(&k)));
        let text = keys("The Benchmark Holdings met the press.");
        assert!(may_occur_in("The Benchmark Holdings", &|k| text.contains(&k)));
        assert!(!may_occur_in("The Benchmarkia Holdings", &|k| text.contains(&k)));
    }
}
