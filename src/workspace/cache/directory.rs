//! The directory of definitions kept beside a cache file (`ws-….defs`):
//! every definition of the workspace under its id, and, per name key, the
//! entities a check of prose against part of the workspace must hold
//! (`NameIndex::first_holders`). A run that checks a few edited articles
//! finds here the definitions they can meet, reading a few small blocks,
//! instead of reading every file's summary: a large archive holds a
//! million and a half definitions, and an article's prose names people by
//! surnames that thousands of them share.
//!
//! The file: a magic, a head (the table's checksum and length, the
//! tables' length and checksum, the blocks' length), the table (postcard,
//! zstd: the program, the generation and number of entries of the cache
//! file it describes, and the heads of the blocks), the tables
//! (little-endian arrays read in place: the name keys sorted, where each
//! key's holders start, the holders as ordinals of entity ids; then per
//! entry of the cache file whether it is a registry and its publication
//! date), then the blocks of definitions sorted by sigil then id, cut
//! between ids (zstd, each with its checksum in the table). Written
//! atomically after the cache file, and used only with the cache file of
//! the same generation and number of entries: a stale, damaged or foreign
//! directory is not read, and the run reads the summaries instead.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::{DefInfo, FileId, PlacedDef, Workspace};
use crate::syntax::Sigil;

use super::store;

const MAGIC: &[u8; 8] = b"NMKDEFS1";
/// Blocks hold at least this many bytes of definitions (cut at the next
/// id): a lookup decompresses one, a few microseconds.
const BLOCK: usize = 16 << 10;
/// How blocks are compressed: zstd, a third smaller than LZ4 (a run reads
/// a few hundred blocks, or all of them for "did you mean").
const BLOCK_CODEC: store::Codec = store::Codec::Zstd;

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
    /// How many keys and holders the name table holds, and the bytes of
    /// publication dates.
    keys: u64,
    holders: u64,
    dates: u64,
}

#[derive(Serialize, Deserialize)]
struct BlockHead {
    /// The sigil (entity?) and id of its first id.
    first_entity: bool,
    first_id: String,
    /// The ordinal of its first id among all ids (sorted).
    first_ordinal: u32,
    /// Where it lies after the tables, its compressed length, its length
    /// and the checksum of its compressed bytes.
    at: u64,
    len: u64,
    raw: u64,
    sum: u64,
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

/// (entity?, id): the order of the blocks.
fn order_key(sigil: Sigil, id: &str) -> (bool, &str) {
    (sigil == Sigil::Entity, id)
}

/// The first eight bytes of `id` as a number that sorts as they do: most
/// ids are told apart by them, without comparing strings.
fn prefix(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = id.len().min(8);
    bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
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

/// A definition to store: (entity?, the first bytes of its id, id, entry,
/// place, definition).
type Row<'w> = (bool, u64, &'w str, u32, u32, &'w DefInfo);

/// The file's bytes, in parts.
fn build(
    ws: &Workspace,
    entry_of: &[Option<u32>],
    entries: usize,
    program: &str,
    generation: u64,
) -> Option<Vec<Vec<u8>>> {
    // Every definition of a file with an entry, sorted by sigil and id
    // (their first bytes compared as a number first: comparing strings,
    // the sort took a third of a second), then entry and place.
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
                    (d.sigil == Sigil::Entity, prefix(text), text, *entry, place as u32, d)
                })
                .collect()
        })
        .collect();
    let mut defs: Vec<Row> = per_file.into_iter().flatten().collect();
    defs.par_sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3, a.4).cmp(&(b.0, b.1, b.2, b.3, b.4)));

    // Ids in order, each with its definitions; an entity's ordinal by the
    // number of its symbol.
    let mut ids: Vec<(bool, &str, std::ops::Range<usize>)> = Vec::new();
    let mut ordinal_of = vec![u32::MAX; ws.interner().len() + 1];
    let mut start = 0;
    for i in 1..=defs.len() {
        if i == defs.len() || (defs[i].0, defs[i].2) != (defs[start].0, defs[start].2) {
            let (entity, _, id, ..) = defs[start];
            if entity && let Some(slot) = ordinal_of.get_mut(defs[start].5.id.index()) {
                *slot = ids.len() as u32;
            }
            ids.push((entity, id, start..i));
            start = i;
        }
    }

    // Blocks cut between ids past `BLOCK` bytes (estimated), then
    // serialized and compressed on every thread.
    let mut cuts = vec![0];
    let mut size = 0;
    for (i, (_, id, range)) in ids.iter().enumerate() {
        size += id.len() + 8 + defs[range.clone()].iter().map(|d| d.5.text_len() + 24).sum::<usize>();
        if size >= BLOCK {
            cuts.push(i + 1);
            size = 0;
        }
    }
    if cuts.last() != Some(&ids.len()) {
        cuts.push(ids.len());
    }
    let blocks: Vec<(Vec<u8>, u64)> = cuts
        .par_windows(2)
        .map(|w| {
            let stored: Vec<StoredId> = ids[w[0]..w[1]]
                .iter()
                .map(|(entity, id, range)| StoredId {
                    entity: *entity,
                    id,
                    defs: defs[range.clone()].iter().map(|d| PlacedDef::of(d.5, d.3, d.4)).collect(),
                })
                .collect();
            let raw = postcard::to_stdvec(&stored).ok()?;
            Some((BLOCK_CODEC.compress(&raw).ok()?, raw.len() as u64))
        })
        .collect::<Option<_>>()?;
    let mut heads = Vec::with_capacity(blocks.len());
    let mut at = 0u64;
    for (w, (bytes, raw)) in cuts.windows(2).zip(&blocks) {
        let (entity, id, _) = ids[w[0]];
        heads.push(BlockHead {
            first_entity: entity,
            first_id: id.to_owned(),
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

    // Per entry, whether it is a registry (a bit) and its publication date
    // (where it ends among the dates; a bit says whether it has one).
    let mut registry = vec![0u8; entries.div_ceil(8)];
    let mut dated = vec![0u8; entries.div_ceil(8)];
    let mut published: Vec<Option<&str>> = vec![None; entries];
    for (id, file) in ws.files() {
        if let Some(Some(entry)) = entry_of.get(id.0 as usize)
            && let Some(slot) = published.get_mut(*entry as usize)
        {
            let e = *entry as usize;
            registry[e / 8] |= u8::from(file.summary.is_registry) << (e % 8);
            dated[e / 8] |= u8::from(file.summary.published.is_some()) << (e % 8);
            *slot = file.summary.published.as_deref();
        }
    }
    let mut date_ends = Vec::with_capacity(entries * 4);
    let mut dates = Vec::new();
    for date in &published {
        dates.extend_from_slice(date.unwrap_or("").as_bytes());
        date_ends.extend_from_slice(&u32::try_from(dates.len()).ok()?.to_le_bytes());
    }

    let mut tables = keys;
    for part in [&starts, &holders, &registry, &dated, &date_ends, &dates] {
        tables.extend_from_slice(part);
    }
    let table = Table {
        program: program.to_owned(),
        generation,
        entries: entries as u64,
        blocks: heads,
        keys: names.len() as u64,
        holders: u64::from(count),
        dates: dates.len() as u64,
    };
    let blocks_len: u64 = blocks.iter().map(|(b, _)| b.len() as u64).sum();
    let fields = [tables.len() as u64, xxhash_rust::xxh3::xxh3_64(&tables), blocks_len];
    let head = store::side_head(MAGIC, &fields, &table).ok()?;
    let mut parts = vec![head, tables];
    parts.extend(blocks.into_iter().map(|(b, _)| b));
    Some(parts)
}

/// Where each array of the tables starts (in bytes), in the order they
/// are written, and where the last ends.
struct Layout {
    starts: usize,
    holders: usize,
    registry: usize,
    dated: usize,
    date_ends: usize,
    dates: usize,
    end: usize,
}

impl Layout {
    fn of(keys: usize, holders: usize, entries: usize, dates: usize) -> Option<Layout> {
        let starts = keys.checked_mul(8)?;
        let holders_at = starts.checked_add(keys.checked_add(1)?.checked_mul(4)?)?;
        let registry = holders_at.checked_add(holders.checked_mul(4)?)?;
        let dated = registry.checked_add(entries.div_ceil(8))?;
        let date_ends = dated.checked_add(entries.div_ceil(8))?;
        let dates_at = date_ends.checked_add(entries.checked_mul(4)?)?;
        let end = dates_at.checked_add(dates)?;
        Some(Layout { starts, holders: holders_at, registry, dated, date_ends, dates: dates_at, end })
    }
}

/// A directory read back: its table and tables; blocks are read as they
/// are asked for.
pub struct Directory {
    blocks: Vec<BlockHead>,
    tables: Vec<u8>,
    layout: Layout,
    keys: usize,
    holders: usize,
    entries: usize,
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
        let (fields, table, tables_at): (_, Table, _) = store::read_side_head(&file, MAGIC, 3)?;
        let [tables_len, tables_sum, blocks_len] = fields[..] else { return None };
        let blocks_at = tables_at.checked_add(tables_len)?;
        if blocks_at.checked_add(blocks_len)? != size {
            return None;
        }
        if table.program != program || table.generation != generation || table.entries != entries as u64 {
            return None;
        }
        let keys = usize::try_from(table.keys).ok()?;
        let holders = usize::try_from(table.holders).ok()?;
        let layout = Layout::of(keys, holders, entries, usize::try_from(table.dates).ok()?)?;
        if tables_len != layout.end as u64 {
            return None;
        }
        let mut tables = Vec::with_capacity(layout.end);
        (&mut file).take(tables_len).read_to_end(&mut tables).ok()?;
        if tables.len() != layout.end || xxhash_rust::xxh3::xxh3_64(&tables) != tables_sum {
            return None;
        }
        let in_bounds = table.blocks.iter().all(|b| b.at.checked_add(b.len).is_some_and(|end| end <= blocks_len));
        if !in_bounds {
            return None;
        }
        Some(Directory {
            blocks: table.blocks,
            tables,
            layout,
            keys,
            holders,
            entries,
            file: Mutex::new(file),
            blocks_at,
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(*self.tables.get(at..at + 4)?.first_chunk::<4>()?))
    }

    fn key(&self, i: usize) -> Option<u64> {
        Some(u64::from_le_bytes(*self.tables.get(8 * i..8 * i + 8)?.first_chunk::<8>()?))
    }

    fn bit(&self, at: usize, entry: usize) -> Option<bool> {
        Some(self.tables.get(at + entry / 8)? >> (entry % 8) & 1 == 1)
    }

    /// Whether the file of entry `entry` is a registry, and its
    /// publication date: what its summary says besides its definitions.
    pub fn facts(&self, entry: usize) -> Option<(bool, Option<&str>)> {
        if entry >= self.entries {
            return None;
        }
        let layout = &self.layout;
        let end = self.u32_at(layout.date_ends + 4 * entry)? as usize;
        let start = match entry {
            0 => 0,
            _ => self.u32_at(layout.date_ends + 4 * (entry - 1))? as usize,
        };
        let date = match self.bit(layout.dated, entry)? {
            true => {
                let bytes = self.tables.get(layout.dates.checked_add(start)?..layout.dates.checked_add(end)?)?;
                Some(std::str::from_utf8(bytes).ok()?)
            }
            false => None,
        };
        Some((self.bit(layout.registry, entry)?, date))
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
                    let starts = self.layout.starts;
                    let (from, to) = (self.u32_at(starts + 4 * mid)?, self.u32_at(starts + 4 * mid + 4)?);
                    if from > to || to as usize > self.holders {
                        return None;
                    }
                    for h in from..to {
                        out.push(self.u32_at(self.layout.holders + 4 * h as usize)?);
                    }
                    return Some(());
                }
            }
        }
        Some(())
    }

    /// The block that would hold the id `id` of `sigil`.
    pub fn block_of_id(&self, sigil: Sigil, id: &str) -> Option<usize> {
        let key = order_key(sigil, id);
        self.blocks.partition_point(|b| (b.first_entity, b.first_id.as_str()) <= key).checked_sub(1)
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
            .map(|(bytes, &k)| BLOCK_CODEC.decompress(bytes, usize::try_from(self.blocks.get(k)?.raw).ok()?))
            .collect()
    }
}

/// The ids of a block read back, in order.
pub fn decode_block(bytes: &[u8]) -> Option<Vec<StoredId<'_>>> {
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
        ("articles/a.nmk", "---\ntitle: A\npublished: 2016-05-03\n---\n\nWords.\n\n^talk: interview\n  date: 2016\n"),
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
        let ids = decode_block(&bytes[0]).unwrap();
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
        // Each file's facts by its entry.
        for (id, file) in ws.files() {
            let (is_registry, published) = directory.facts(entry_of()[id.0 as usize].unwrap() as usize).unwrap();
            assert_eq!(is_registry, file.summary.is_registry, "{}", file.display_path);
            assert_eq!(published, file.summary.published.as_deref(), "{}", file.display_path);
        }
        assert!(ws.files().any(|(_, f)| f.summary.published.is_some()), "a dated article");
        assert_eq!(directory.facts(FILES.len()), None);
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
                let stored = decode_block(&bytes[0]).unwrap();
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
