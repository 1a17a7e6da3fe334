//! The cache file of one workspace: a checksum, then the header and entry
//! table (postcard, zstd), then the summaries end to end (zstd), which a
//! run decompresses only when something changed and decodes only for the
//! files it needs. Written to a temporary file and renamed over the old one,
//! so a reader sees the old file or the new one whole, never a mix; a run
//! killed while writing leaves at most a stale temporary file.

use std::io::Write;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::stamp::{Nanos, Stamp};

const MAGIC: &[u8; 8] = b"NMKCACHE";
/// Bumped whenever the layout below changes.
const FORMAT: u32 = 4;
/// zstd level: text-like data shrinks about fourfold at level 1, at
/// several hundred MB/s.
const LEVEL: i32 = 1;
/// Temporary files older than this were left by a killed run.
const STALE_TEMP_SECS: u64 = 3600;

/// What this program is: a cache written by any other build is ignored.
pub fn program_id() -> String {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok());
    let build = exe.map(|m| Stamp::of(&m)).map(|s| format!("{}-{}", s.size, s.mtime)).unwrap_or_default();
    format!("newsmark {} format {FORMAT} build {build}", env!("CARGO_PKG_VERSION"))
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    pub program: String,
    /// Hash of what diagnostics depend on besides the files: the config
    /// and the folder paths are shown relative to.
    pub diagnostics_key: u64,
}

/// A diagnostic as stored: offsets in its own file; related places by
/// path relative to the workspace root.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredDiagnostic {
    pub start: u32,
    pub end: u32,
    pub code: u8,
    pub severity: u8,
    pub message: String,
    pub related: Vec<(String, u32, u32, String)>,
    pub suggestion: Option<String>,
    pub fix: Option<StoredFix>,
}

/// A fix as stored: its edits by path relative to the workspace root.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredFix {
    pub title: String,
    pub safe: bool,
    pub edits: Vec<(String, u32, u32, String)>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the workspace root, `/`-separated.
    pub path: String,
    pub stamp: Stamp,
    /// When the run that last read the file started (see `Stamp::trusted_since`).
    pub read_since: Nanos,
    /// xxh3-128 of the file's bytes.
    pub hash: (u64, u64),
    /// Where its `StoredSummary` lies in the summaries section.
    pub summary: (u64, u32),
    /// A Bloom filter of its prose words (`analysis::word_keys`), present
    /// with `diagnostics`: which changed names may occur in it.
    pub words: Vec<u64>,
    pub diagnostics: Option<Vec<StoredDiagnostic>>,
    /// Where those diagnostics are (`diagnose::Positions`).
    pub positions: Vec<(u32, u32, u32)>,
}

#[derive(Serialize, Deserialize)]
struct Table {
    header: Header,
    entries: Vec<Entry>,
}

/// A cache file read back.
pub struct Loaded {
    pub header: Header,
    pub entries: Vec<Entry>,
    pub by_path: FxHashMap<String, usize>,
    /// The summaries section as stored (compressed).
    compressed: Vec<u8>,
    summaries: std::sync::OnceLock<Vec<u8>>,
}

impl Loaded {
    /// The summaries section as stored, for writing it back unchanged.
    pub fn compressed_summaries(&self) -> &[u8] {
        &self.compressed
    }

    /// How many bytes the summaries take decompressed (0 before their
    /// first use): room to reserve when writing them back.
    pub fn summaries_len(&self) -> usize {
        self.summaries.get().map_or(0, Vec::len)
    }

    /// Decompresses the summaries on first use; an empty section when
    /// they do not decompress (every summary is then missing).
    pub fn summary_bytes(&self, entry: &Entry) -> Option<&[u8]> {
        let all = self.summaries.get_or_init(|| zstd::decode_all(self.compressed.as_slice()).unwrap_or_default());
        let start = usize::try_from(entry.summary.0).ok()?;
        all.get(start..start.checked_add(entry.summary.1 as usize)?)
    }
}

/// The summaries section to write: raw bytes to compress, or a section
/// read from the previous file to copy as it is.
pub enum Summaries {
    Raw(Vec<u8>),
    Compressed(Vec<u8>),
}

/// Where the cache of the workspace at `root` lives in `dir`.
pub fn file_for(dir: &Path, top_root: &Path, root: &Path) -> PathBuf {
    let rel = root.strip_prefix(top_root).unwrap_or(root).to_string_lossy();
    dir.join(format!("ws-{:016x}.bin", xxhash_rust::xxh3::xxh3_64(rel.as_bytes())))
}

/// Reads a cache file; `Err` says why it is not usable (absent, corrupt,
/// truncated, another program's).
pub fn load(path: &Path, program: &str) -> Result<Loaded, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or("not a cache file")?;
    let (sum, rest) = rest.split_first_chunk::<8>().ok_or("truncated")?;
    if xxhash_rust::xxh3::xxh3_64(rest) != u64::from_le_bytes(*sum) {
        return Err("checksum mismatch (corrupt or truncated)".into());
    }
    let (len, rest) = rest.split_first_chunk::<8>().ok_or("truncated")?;
    let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| "truncated")?;
    let table = rest.get(..len).ok_or("truncated")?;
    let compressed = rest.get(len..).ok_or("truncated")?.to_vec();
    let table = zstd::decode_all(table).map_err(|e| e.to_string())?;
    let table: Table = postcard::from_bytes(&table).map_err(|e| e.to_string())?;
    if table.header.program != program {
        return Err("written by another version".into());
    }
    let by_path = table.entries.iter().enumerate().map(|(i, e)| (e.path.clone(), i)).collect();
    Ok(Loaded { header: table.header, entries: table.entries, by_path, compressed, summaries: Default::default() })
}

/// Writes a cache file atomically. Creates `dir` (with a `.gitignore` of
/// `*`) when missing.
pub fn save(path: &Path, header: Header, entries: Vec<Entry>, summaries: Summaries) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
    }
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        // Best effort: the cache works without it.
        let _ = std::fs::write(&ignore, "*\n");
    }
    remove_stale_temps(dir);
    let table = postcard::to_stdvec(&Table { header, entries }).map_err(std::io::Error::other)?;
    let table = zstd::bulk::compress(&table, LEVEL)?;
    let summaries = match summaries {
        Summaries::Compressed(bytes) => bytes,
        Summaries::Raw(bytes) => zstd::bulk::compress(&bytes, LEVEL)?,
    };
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let len = (table.len() as u64).to_le_bytes();
    for part in [&len[..], &table, &summaries] {
        hasher.update(part);
    }
    let temp = dir.join(format!(
        ".{}.{}-{:x}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id(),
        super::stamp::now() as u64
    ));
    let written = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&temp)?);
        file.write_all(MAGIC)?;
        file.write_all(&hasher.digest().to_le_bytes())?;
        for part in [&len[..], &table, &summaries] {
            file.write_all(part)?;
        }
        // No fsync: a crash that leaves the renamed file short or empty
        // fails its checksum and is ignored.
        file.flush()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().ends_with(".tmp") {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > STALE_TEMP_SECS);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
