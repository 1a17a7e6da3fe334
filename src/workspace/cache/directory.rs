//! The directory of definitions kept beside a cache file (`ws-….defs`):
//! every definition of the workspace under its id, and, per name key, the
//! entities a check of prose against part of the workspace must hold
//! (`NameIndex::first_holders`). A run that checks a few edited articles
//! finds here the definitions they can meet, reading a few small blocks,
//! instead of reading every file's summary: a large archive holds a
//! million and a half definitions, and an article's prose names people by
//! surnames that thousands of them share.
//!
//! The file: a magic, a head (the table's checksum and length, the name
//! table's length and checksum, the blocks' length), the table (postcard,
//! zstd: the program, the generation and number of entries of the cache
//! file it describes, and the heads of the blocks), the name table (little-endian arrays read
//! in place: the keys sorted, where each key's holders start, the holders
//! as ordinals of entity ids), then the blocks of definitions sorted by
//! the hash of their id, cut between ids of different hashes, each with
//! whether the files of its definitions are registries and their
//! publication dates (LZ4, each with its checksum in the
//! table). Written atomically after the cache file, and used only with
//! the cache file of the same generation and number of entries: a stale,
//! damaged or foreign directory is not read, and the run reads the
//! summaries instead.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::{FileId, PlacedDef, Workspace};
use crate::syntax::Sigil;

use super::store;

const MAGIC: &[u8; 8] = b"NMKDEFS1";
/// The head's fields after the magic.
const HEAD: usize = 5 * 8;
/// Blocks hold at least this many bytes of definitions (cut at the next
/// id): a lookup decompresses one, a few microseconds.
const BLOCK: usize = 16 << 10;

/// Where the directory of the cache file `cache_file` lives.
pub fn path_for(cache_file: &Path) -> PathBuf {
    cache_file.with_extension("defs")
}

#[derive(Serialize, Deserialize)]
struct Table {
    program: String,
    generation: u64,
    /// How many entries the cache file has.
    entries: u64,
    blocks: Vec<BlockHead>,
    /// How many keys and holders the name table holds.
    keys: u64,
    holders: u64,
}

/// What a file's summary says of it besides its definitions.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FileFacts {
    pub is_registry: bool,
    pub published: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct BlockHead {
    /// The hash of its first id ([`id_hash`]).
    first_hash: u64,
    /// The ordinal of its first id among all ids (sorted).
    first_ordinal: u32,
    /// Where it lies after the name table, its compressed length, its
    /// length and the checksum of its compressed bytes.
    at: u64,
    len: u64,
    raw: u64,
    sum: u64,
}

/// A block: its ids in order, and what the summaries of the files their
/// definitions are in say besides (by entry).
#[derive(Serialize, Deserialize)]
pub struct StoredBlock<'a> {
    #[serde(borrow)]
    pub ids: Vec<StoredId<'a>>,
    pub files: Vec<(u32, FileFacts)>,
}

/// The definitions of one id, as a block stores them.
#[derive(Serialize, Deserialize)]
pub struct StoredId<'a> {
    pub entity: bool,
    #[serde(borrow)]
    pub id: &'a str,
    #[serde(borrow)]
    pub defs: Vec<PlacedDef<'a>>,
}

impl StoredId<'_> {
    pub fn sigil(&self) -> Sigil {
        if self.entity { Sigil::Entity } else { Sigil::Source }
    }
}

/// The hash of an id under its sigil: the order of the blocks (ids of
/// one hash are never cut apart).
fn id_hash(sigil: Sigil, id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(id.as_bytes(), u64::from(sigil == Sigil::Entity))
}

/// Writes the directory of `ws` for the cache file `cache_file` of
/// generation `generation`, whose entries are `entry_of` (by file id) of
/// `entries`. Nothing is written when a name's holder has no entry (a
/// file left out of the cache file: never expected).
pub fn save(
    cache_file: &Path,
    ws: &Workspace,
    entry_of: &[Option<u32>],
    entries: usize,
    program: &str,
    generation: u64,
) -> std::io::Result<()> {
    let Some(built) = build(ws, entry_of, entries, program, generation) else { return Ok(()) };
    let path = path_for(cache_file);
    store::write_atomically(&path, |out| {
        for part in &built {
            out.write_all(part)?;
        }
        Ok(())
    })
}

/// A definition to store: (hash of its id, entity?, id, entry, place,
/// definition).
type Row<'w> = (u64, bool, &'w str, u32, u32, &'w crate::analysis::DefInfo);

/// The file's bytes, in parts.
fn build(
    ws: &Workspace,
    entry_of: &[Option<u32>],
    entries: usize,
    program: &str,
    generation: u64,
) -> Option<Vec<Vec<u8>>> {
    // Every definition of a file with an entry, sorted by the hash of its
    // id (sorting a million and a half ids by their text took a third of a
    // second), then id, entry and place.
    let per_file: Vec<Vec<Row>> = ws
        .files()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|(id, file)| {
            let Some(Some(entry)) = entry_of.get(id.0 as usize) else { return Vec::new() };
            file.summary
                .defs
                .iter()
                .enumerate()
                .map(|(place, d)| {
                    let text = ws.id_text(d.id);
                    (id_hash(d.sigil, text), d.sigil == Sigil::Entity, text, *entry, place as u32, d)
                })
                .collect()
        })
        .collect();
    let mut defs: Vec<Row> = per_file.into_iter().flatten().collect();
    defs.par_sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3, a.4).cmp(&(b.0, b.1, b.2, b.3, b.4)));

    // Ids in order, each with its definitions; an entity's ordinal by the
    // number of its symbol.
    let mut ids: Vec<(u64, bool, &str, std::ops::Range<usize>)> = Vec::new();
    let mut ordinal_of = vec![u32::MAX; ws.interner().len() + 1];
    let mut start = 0;
    for i in 1..=defs.len() {
        if i == defs.len() || (defs[i].0, defs[i].1, defs[i].2) != (defs[start].0, defs[start].1, defs[start].2) {
            let (hash, entity, id, ..) = defs[start];
            if entity && let Some(slot) = ordinal_of.get_mut(defs[start].5.id.index()) {
                *slot = ids.len() as u32;
            }
            ids.push((hash, entity, id, start..i));
            start = i;
        }
    }

    // Blocks cut between ids of different hashes past `BLOCK` bytes
    // (estimated), then serialized and compressed on every thread.
    let mut cuts = vec![0];
    let mut size = 0;
    for (i, (hash, _, id, range)) in ids.iter().enumerate() {
        size += id.len() + 8 + defs[range.clone()].iter().map(|d| d.5.text_len() + 24).sum::<usize>();
        if size >= BLOCK && ids.get(i + 1).is_some_and(|next| next.0 != *hash) {
            cuts.push(i + 1);
            size = 0;
        }
    }
    if cuts.last() != Some(&ids.len()) {
        cuts.push(ids.len());
    }
    // What each entry's summary says besides its definitions.
    let mut facts = vec![FileFacts::default(); entries];
    for (id, file) in ws.files() {
        if let Some(Some(entry)) = entry_of.get(id.0 as usize)
            && let Some(slot) = facts.get_mut(*entry as usize)
        {
            *slot = FileFacts {
                is_registry: file.summary.is_registry,
                published: file.summary.published.as_deref().map(str::to_owned),
            };
        }
    }
    let blocks: Vec<(Vec<u8>, u64)> = cuts
        .par_windows(2)
        .map(|w| {
            let ids: Vec<StoredId> = ids[w[0]..w[1]]
                .iter()
                .map(|(_, entity, id, range)| StoredId {
                    entity: *entity,
                    id,
                    defs: defs[range.clone()].iter().map(|d| PlacedDef::of(d.5, d.3, d.4)).collect(),
                })
                .collect();
            let mut entries: Vec<u32> = ids.iter().flat_map(|i| i.defs.iter().map(|d| d.entry)).collect();
            entries.sort_unstable();
            entries.dedup();
            let files =
                entries.into_iter().map(|e| Some((e, facts.get(e as usize)?.clone()))).collect::<Option<_>>()?;
            let raw = postcard::to_stdvec(&StoredBlock { ids, files }).ok()?;
            Some((lz4_flex::block::compress(&raw), raw.len() as u64))
        })
        .collect::<Option<_>>()?;
    let mut heads = Vec::with_capacity(blocks.len());
    let mut at = 0u64;
    for (w, (bytes, raw)) in cuts.windows(2).zip(&blocks) {
        heads.push(BlockHead {
            first_hash: ids[w[0]].0,
            first_ordinal: w[0] as u32,
            at,
            len: bytes.len() as u64,
            raw: *raw,
            sum: xxhash_rust::xxh3::xxh3_64(bytes),
        });
        at += bytes.len() as u64;
    }

    // The name table: each key's holders kept, as ordinals, keys sorted.
    let mut by_path: Vec<(FileId, &Path)> = ws.files().map(|(id, f)| (id, f.path.as_path())).collect();
    by_path.par_sort_unstable_by(|a, b| a.1.cmp(b.1));
    let mut rank = vec![u32::MAX; by_path.iter().map(|(id, _)| id.0 as usize + 1).max().unwrap_or(0)];
    for (r, (id, _)) in by_path.iter().enumerate() {
        rank[id.0 as usize] = r as u32;
    }
    let rank_of = |f: FileId| rank.get(f.0 as usize).copied().unwrap_or(u32::MAX);
    let mut names = ws.names().first_holders(&rank_of);
    names.par_sort_unstable_by_key(|(key, _)| *key);
    let mut keys = Vec::with_capacity(names.len() * 8);
    let mut starts = Vec::with_capacity((names.len() + 1) * 4);
    let mut holders = Vec::new();
    let mut count = 0u32;
    for (key, entities) in &names {
        keys.extend_from_slice(&key.to_le_bytes());
        starts.extend_from_slice(&count.to_le_bytes());
        for entity in entities {
            let ordinal = *ordinal_of.get(entity.index()).filter(|&&o| o != u32::MAX)?;
            holders.extend_from_slice(&ordinal.to_le_bytes());
            count += 1;
        }
    }
    starts.extend_from_slice(&count.to_le_bytes());
    let mut name_table = keys;
    name_table.extend_from_slice(&starts);
    name_table.extend_from_slice(&holders);

    let table = Table {
        program: program.to_owned(),
        generation,
        entries: entries as u64,
        blocks: heads,
        keys: names.len() as u64,
        holders: u64::from(count),
    };
    let table = zstd::bulk::compress(&postcard::to_stdvec(&table).ok()?, store::LEVEL).ok()?;
    let blocks_len: u64 = blocks.iter().map(|(b, _)| b.len() as u64).sum();
    let fields = [0, table.len() as u64, name_table.len() as u64, xxhash_rust::xxh3::xxh3_64(&name_table), blocks_len];
    let mut head: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
    // The head's checksum covers its other fields and the table.
    let mut summed = head[8..].to_vec();
    summed.extend_from_slice(&table);
    head[..8].copy_from_slice(&xxhash_rust::xxh3::xxh3_64(&summed).to_le_bytes());
    let mut parts = vec![MAGIC.to_vec(), head, table, name_table];
    parts.extend(blocks.into_iter().map(|(b, _)| b));
    Some(parts)
}

/// A directory read back: its table and name table; blocks are read as
/// they are asked for.
pub struct Directory {
    blocks: Vec<BlockHead>,
    /// The name table: keys, starts, holders.
    names: Vec<u8>,
    keys: usize,
    holders: usize,
    file: Mutex<File>,
    /// Where the blocks start in the file.
    blocks_at: u64,
}

impl Directory {
    /// The directory beside `cache_file`, when it describes the cache file
    /// of `generation` with `entries` entries, as `program` wrote it, and
    /// is whole.
    pub fn load(cache_file: &Path, program: &str, generation: u64, entries: usize) -> Option<Directory> {
        let mut file = File::open(path_for(cache_file)).ok()?;
        let size = file.metadata().ok()?.len();
        let mut head = [0u8; MAGIC.len() + HEAD];
        file.read_exact(&mut head).ok()?;
        let head = head.strip_prefix(MAGIC.as_slice())?;
        let field = |i: usize| Some(u64::from_le_bytes(*head.get(8 * i..8 * i + 8)?.first_chunk::<8>()?));
        let (head_sum, table_len, names_len, names_sum, blocks_len) =
            (field(0)?, field(1)?, field(2)?, field(3)?, field(4)?);
        let blocks_at = ((MAGIC.len() + HEAD) as u64).checked_add(table_len)?.checked_add(names_len)?;
        if blocks_at.checked_add(blocks_len)? != size {
            return None;
        }
        let mut summed = head.get(8..)?.to_vec();
        (&mut file).take(table_len).read_to_end(&mut summed).ok()?;
        if xxhash_rust::xxh3::xxh3_64(&summed) != head_sum {
            return None;
        }
        let table = store::decompress(summed.get(HEAD - 8..)?)?;
        let table: Table = postcard::from_bytes(&table).ok()?;
        if table.program != program || table.generation != generation || table.entries != entries as u64 {
            return None;
        }
        let (keys, holders) = (usize::try_from(table.keys).ok()?, usize::try_from(table.holders).ok()?);
        let expected = keys.checked_mul(12)?.checked_add(4)?.checked_add(holders.checked_mul(4)?)?;
        if names_len != expected as u64 {
            return None;
        }
        let mut names = Vec::with_capacity(expected);
        (&mut file).take(names_len).read_to_end(&mut names).ok()?;
        if names.len() != expected || xxhash_rust::xxh3::xxh3_64(&names) != names_sum {
            return None;
        }
        let in_bounds = table.blocks.iter().all(|b| b.at.checked_add(b.len).is_some_and(|end| end <= blocks_len));
        if !in_bounds {
            return None;
        }
        Some(Directory { blocks: table.blocks, names, keys, holders, file: Mutex::new(file), blocks_at })
    }

    fn key(&self, i: usize) -> Option<u64> {
        Some(u64::from_le_bytes(*self.names.get(8 * i..8 * i + 8)?.first_chunk::<8>()?))
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(*self.names.get(at..at + 4)?.first_chunk::<4>()?))
    }

    /// The ordinals of the entities kept for the name key `key` (none when
    /// no entity has that name); `None` when the table is inconsistent.
    pub fn holders(&self, key: u64, out: &mut Vec<u32>) -> Option<()> {
        // Keys are sorted: a binary search over them in place.
        let (mut lo, mut hi) = (0, self.keys);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid)?.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let starts = 8 * self.keys;
                    let (from, to) = (self.u32_at(starts + 4 * mid)?, self.u32_at(starts + 4 * mid + 4)?);
                    if from > to || to as usize > self.holders {
                        return None;
                    }
                    let holders = starts + 4 * (self.keys + 1);
                    for h in from..to {
                        out.push(self.u32_at(holders + 4 * h as usize)?);
                    }
                    return Some(());
                }
            }
        }
        Some(())
    }

    /// The block that would hold the id `id` of `sigil`.
    pub fn block_of_id(&self, sigil: Sigil, id: &str) -> Option<usize> {
        let hash = id_hash(sigil, id);
        self.blocks.partition_point(|b| b.first_hash <= hash).checked_sub(1)
    }

    /// The block holding the id of ordinal `ordinal`.
    pub fn block_of_ordinal(&self, ordinal: u32) -> Option<usize> {
        self.blocks.partition_point(|b| b.first_ordinal <= ordinal).checked_sub(1)
    }

    /// The ordinal of the first id of block `block`.
    pub fn first_ordinal(&self, block: usize) -> Option<u32> {
        self.blocks.get(block).map(|b| b.first_ordinal)
    }

    /// How many blocks there are.
    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }

    /// The bytes of the blocks `wanted` (in that order), decompressed on
    /// every thread; `None` when one is damaged.
    pub fn read_blocks(&self, wanted: &[usize]) -> Option<Vec<Box<[u8]>>> {
        let compressed: Vec<Vec<u8>> = {
            let mut file = self.file.lock().ok()?;
            wanted
                .iter()
                .map(|&k| {
                    let head = self.blocks.get(k)?;
                    file.seek(SeekFrom::Start(self.blocks_at.checked_add(head.at)?)).ok()?;
                    let mut bytes = vec![0; usize::try_from(head.len).ok()?];
                    file.read_exact(&mut bytes).ok()?;
                    (xxhash_rust::xxh3::xxh3_64(&bytes) == head.sum).then_some(bytes)
                })
                .collect::<Option<_>>()?
        };
        compressed
            .par_iter()
            .zip(wanted)
            .map(|(bytes, &k)| {
                let raw = usize::try_from(self.blocks.get(k)?.raw).ok()?;
                // Bounds-checked: damaged bytes are refused, never read
                // out of bounds.
                let mut out = vec![0; raw];
                let written = lz4_flex::block::decompress_into(bytes, &mut out).ok()?;
                (written == raw).then(|| out.into_boxed_slice())
            })
            .collect()
    }
}

/// A block read back.
pub fn decode_block(bytes: &[u8]) -> Option<StoredBlock<'_>> {
    postcard::from_bytes(bytes).ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustc_hash::FxHashSet;

    use super::*;
    use crate::analysis::{FileSummary, InternerSize, SourceFile};
    use crate::config::Config;

    const PROGRAM: &str = "newsmark test";

    /// Two registries whose people share surnames, and articles that
    /// define sources (one id defined twice).
    const FILES: [(&str, &str); 4] = [
        ("articles/a.nmk", "# A\n\nWords.\n\n^talk: interview\n  date: 2024-01-02\n"),
        ("articles/b.nmk", "# B\n\nMore words.\n\n^talk: interview\n\n^memo: document\n"),
        (
            "registry/one.nmk",
            "@ann-li: person \"Ann Li\"\n  aka: Li; A. Li\n\n@bo-li: person \"Bo Li\"\n  aka: Li\n\n@us: org \"US\"\n",
        ),
        ("registry/two.nmk", "@cy-li: person \"Cy Li\"\n  aka: Li\n\n@ann-li: person \"Ann Li\"\n"),
    ];

    fn workspace() -> Workspace {
        Workspace::build_from(
            PathBuf::from("/ws"),
            Arc::new(Config::default()),
            FILES.len(),
            InternerSize::default(),
            |i, interner| {
                let (path, text) = FILES[i];
                let parse = crate::syntax::parse(text);
                Some(SourceFile {
                    path: Path::new("/ws").join(path),
                    display_path: path.into(),
                    text: "".into(),
                    read_error: None,
                    summary: FileSummary::new(&parse, text, interner),
                })
            },
        )
    }

    /// Each file's entry in the cache file: the files in reverse, so that
    /// entries and file ids differ.
    fn entry_of() -> Vec<Option<u32>> {
        (0..FILES.len() as u32).rev().map(Some).collect()
    }

    fn saved(ws: &Workspace, generation: u64) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let cache_file = dir.path().join("ws-0.bin");
        save(&cache_file, ws, &entry_of(), FILES.len(), PROGRAM, generation).unwrap();
        (dir, cache_file)
    }

    /// The definitions the directory gives for the block `block`, as
    /// (entity?, id, entry, place, text of the definition).
    fn block_defs(directory: &Directory, block: usize) -> Vec<(bool, String, u32, u32, String)> {
        let bytes = directory.read_blocks(&[block]).unwrap();
        let ids = decode_block(&bytes[0]).unwrap().ids;
        let mut out = Vec::new();
        let interner = crate::analysis::Interner::new();
        for stored in ids {
            let sigil = stored.sigil();
            for def in stored.defs {
                let info = def.info(sigil, interner.get_or_intern(stored.id)).unwrap();
                out.push((stored.entity, stored.id.to_owned(), def.entry, def.place, info.kind().to_owned()));
            }
        }
        out
    }

    #[test]
    fn every_definition_is_found_under_its_id_with_its_entry_and_place() {
        let ws = workspace();
        let (_dir, cache_file) = saved(&ws, 7);
        let directory = Directory::load(&cache_file, PROGRAM, 7, FILES.len()).unwrap();
        let mut expected = Vec::new();
        for (id, file) in ws.files() {
            let entry = entry_of()[id.0 as usize].unwrap();
            for (place, def) in file.summary.defs.iter().enumerate() {
                expected.push((
                    def.sigil == Sigil::Entity,
                    ws.id_text(def.id).to_owned(),
                    entry,
                    place as u32,
                    def.kind().to_owned(),
                ));
            }
        }
        for (entity, id, ..) in &expected {
            let sigil = if *entity { Sigil::Entity } else { Sigil::Source };
            let block = directory.block_of_id(sigil, id).unwrap();
            let found: Vec<_> =
                block_defs(&directory, block).into_iter().filter(|d| d.0 == *entity && d.1 == *id).collect();
            let wanted: Vec<_> = expected.iter().filter(|d| d.0 == *entity && d.1 == *id).cloned().collect();
            let (mut found, mut wanted) = (found, wanted);
            found.sort();
            wanted.sort();
            assert_eq!(found, wanted, "{id}");
        }
        // Each file's facts by its entry, in the blocks of its definitions.
        let all: Vec<usize> = (0..directory.block_count()).collect();
        let blocks = directory.read_blocks(&all).unwrap();
        let facts: Vec<(u32, FileFacts)> = blocks.iter().flat_map(|b| decode_block(b).unwrap().files).collect();
        for (id, file) in ws.files() {
            let entry = entry_of()[id.0 as usize].unwrap();
            let of = facts.iter().find(|(e, _)| *e == entry).map(|(_, f)| f).unwrap();
            assert_eq!(of.is_registry, file.summary.is_registry, "{}", file.display_path);
            assert_eq!(of.published.as_deref(), file.summary.published.as_deref(), "{}", file.display_path);
        }
        // An id defined nowhere is not found.
        let block = directory.block_of_id(Sigil::Entity, "nobody");
        assert!(block.is_none_or(|b| block_defs(&directory, b).iter().all(|d| d.1 != "nobody")));
    }

    #[test]
    fn each_name_key_gives_the_holders_kept_by_the_name_index() {
        let ws = workspace();
        let (_dir, cache_file) = saved(&ws, 7);
        let directory = Directory::load(&cache_file, PROGRAM, 7, FILES.len()).unwrap();
        let mut by_path: Vec<(FileId, &Path)> = ws.files().map(|(id, f)| (id, f.path.as_path())).collect();
        by_path.sort_by(|a, b| a.1.cmp(b.1));
        let rank = |f: FileId| by_path.iter().position(|(id, _)| *id == f).unwrap() as u32;
        let kept = ws.names().first_holders(&rank);
        assert!(kept.iter().any(|(_, holders)| holders.len() >= 2), "a name several entities share");
        for (key, holders) in kept {
            let mut ordinals = Vec::new();
            directory.holders(key, &mut ordinals).unwrap();
            let mut ids = FxHashSet::default();
            for ordinal in ordinals {
                let block = directory.block_of_ordinal(ordinal).unwrap();
                let bytes = directory.read_blocks(&[block]).unwrap();
                let stored = decode_block(&bytes[0]).unwrap().ids;
                let first = directory.first_ordinal(block).unwrap();
                let at = &stored[(ordinal - first) as usize];
                assert!(at.entity);
                ids.insert(at.id.to_owned());
            }
            let expected: FxHashSet<String> = holders.iter().map(|h| ws.id_text(*h).to_owned()).collect();
            assert_eq!(ids, expected);
        }
        // A key no name has holds none.
        let mut none = Vec::new();
        directory.holders(0x1234_5678, &mut none).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn a_stale_foreign_or_damaged_directory_is_not_used() {
        let ws = workspace();
        let (_dir, cache_file) = saved(&ws, 7);
        assert!(Directory::load(&cache_file, PROGRAM, 8, FILES.len()).is_none(), "another generation");
        assert!(Directory::load(&cache_file, "another program", 7, FILES.len()).is_none());
        assert!(Directory::load(&cache_file, PROGRAM, 7, FILES.len() + 1).is_none(), "other entries");
        let path = path_for(&cache_file);
        let bytes = std::fs::read(&path).unwrap();
        let blocks_start = {
            let directory = Directory::load(&cache_file, PROGRAM, 7, FILES.len()).unwrap();
            directory.blocks_at as usize
        };
        // Every byte before the blocks flipped in turn: the head, the
        // table and the name table are checked whole when loaded.
        for at in 0..blocks_start {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x41;
            std::fs::write(&path, &damaged).unwrap();
            assert!(Directory::load(&cache_file, PROGRAM, 7, FILES.len()).is_none(), "byte {at}");
        }
        // A block's byte flipped: that block is refused when read.
        for at in [blocks_start, blocks_start + 5, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x41;
            std::fs::write(&path, &damaged).unwrap();
            let directory = Directory::load(&cache_file, PROGRAM, 7, FILES.len()).unwrap();
            let all: Vec<usize> = (0..directory.block_count()).collect();
            assert!(directory.read_blocks(&all).is_none(), "byte {at}");
        }
        // Cut short.
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(Directory::load(&cache_file, PROGRAM, 7, FILES.len()).is_none());
        std::fs::write(&path, &bytes).unwrap();
        assert!(Directory::load(&cache_file, PROGRAM, 7, FILES.len()).is_some());
    }
}
