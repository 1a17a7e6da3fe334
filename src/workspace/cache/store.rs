//! The cache file of one workspace: a checksum, then the header and entry
//! table (postcard, zstd), then each file's diagnostics end to end (zstd),
//! then its summaries end to end (zstd). The table holds only what tells
//! whether a file changed and where its parts lie: a run decompresses the
//! diagnostics when it reports some, the summaries only when something
//! changed, and decodes each file's part (in parallel) only for the files
//! it needs. Written to a temporary file and renamed over the old one,
//! so a reader sees the old file or the new one whole, never a mix; a run
//! killed while writing leaves at most a stale temporary file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::stamp::{Nanos, Stamp};

const MAGIC: &[u8; 8] = b"NMKCACHE";
/// Bumped whenever the layout below changes.
const FORMAT: u32 = 5;
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

/// Line and column (1-based, Unicode scalar values) of offsets into one
/// file, sorted by offset: `(offset, line, column)`.
pub type StoredPositions = Vec<(u32, u32, u32)>;

/// What the cache keeps of a diagnosed file, in the diagnostics section.
/// Strings borrow from the decompressed section: a run copies each once,
/// into the `Diagnostic` it reports.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StoredFile<'a> {
    #[serde(borrow)]
    pub diagnostics: Vec<StoredDiagnostic<'a>>,
    /// Where those diagnostics' offsets into the file itself are
    /// (`diagnose::Positions`).
    pub positions: StoredPositions,
    /// Where their offsets into other files are (fix edits in a registry,
    /// related places), by path relative to the workspace root: those
    /// files need not be read to report them. Valid while those files
    /// keep their bytes, which is also when the diagnostics stand.
    #[serde(borrow)]
    pub elsewhere: Vec<(&'a str, StoredPositions)>,
    /// A Bloom filter of its prose words (`analysis::word_keys`): which
    /// changed names may occur in it.
    pub words: Vec<u64>,
}

/// A diagnostic as stored: offsets in its own file; related places by
/// path relative to the workspace root.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredDiagnostic<'a> {
    pub start: u32,
    pub end: u32,
    pub code: u8,
    pub severity: u8,
    pub message: &'a str,
    #[serde(borrow)]
    pub related: Vec<(&'a str, u32, u32, &'a str)>,
    pub suggestion: Option<&'a str>,
    #[serde(borrow)]
    pub fix: Option<StoredFix<'a>>,
}

/// A fix as stored: its edits by path relative to the workspace root.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredFix<'a> {
    pub title: &'a str,
    pub safe: bool,
    #[serde(borrow)]
    pub edits: Vec<(&'a str, u32, u32, &'a str)>,
}

/// Where a part lies in its section: (start, length).
pub type Span = (u64, u32);

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
    pub summary: Span,
    /// Where its `StoredFile` lies in the diagnostics section, when its
    /// diagnostics were computed.
    pub diagnosed: Option<Span>,
}

#[derive(Serialize, Deserialize)]
struct Table {
    header: Header,
    entries: Vec<Entry>,
}

/// A compressed section of a cache file read back, decompressed on first
/// use; empty when it does not decompress (every part of it is then
/// missing, and computed again).
struct Section {
    compressed: std::ops::Range<usize>,
    raw: OnceLock<Vec<u8>>,
}

impl Section {
    fn raw<'a>(&'a self, file: &[u8]) -> &'a [u8] {
        self.raw.get_or_init(|| file.get(self.compressed.clone()).map(decompress).unwrap_or_default())
    }

    fn part<'a>(&'a self, file: &[u8], (start, len): Span) -> Option<&'a [u8]> {
        let start = usize::try_from(start).ok()?;
        self.raw(file).get(start..start.checked_add(len as usize)?)
    }
}

/// A cache file read back.
pub struct Loaded {
    pub header: Header,
    pub entries: Vec<Entry>,
    pub by_path: FxHashMap<String, usize>,
    /// The whole file as read.
    file: Vec<u8>,
    diagnosed: Section,
    summaries: Section,
}

impl Loaded {
    /// The sections as stored (compressed), for writing them back unchanged.
    pub fn compressed_sections(&self) -> Sections {
        let copy = |s: &Section| Part::Compressed(self.file.get(s.compressed.clone()).unwrap_or_default().to_vec());
        Sections { diagnosed: copy(&self.diagnosed), summaries: copy(&self.summaries) }
    }

    /// How many bytes the summaries take decompressed (0 before their
    /// first use): room to reserve when writing them back.
    pub fn summaries_len(&self) -> usize {
        self.summaries.raw.get().map_or(0, Vec::len)
    }

    /// How many bytes the diagnostics take decompressed (0 before their
    /// first use).
    pub fn diagnosed_len(&self) -> usize {
        self.diagnosed.raw.get().map_or(0, Vec::len)
    }

    /// An entry's summary as stored (postcard).
    pub fn summary_bytes(&self, entry: &Entry) -> Option<&[u8]> {
        self.summaries.part(&self.file, entry.summary)
    }

    /// An entry's `StoredFile` as stored (postcard).
    pub fn diagnosed_bytes(&self, entry: &Entry) -> Option<&[u8]> {
        self.diagnosed.part(&self.file, entry.diagnosed?)
    }

    /// An entry's diagnostics and what goes with them; `None` when they
    /// were not computed or do not decode.
    pub fn diagnosed(&self, entry: &Entry) -> Option<StoredFile<'_>> {
        postcard::from_bytes(self.diagnosed_bytes(entry)?).ok()
    }

    /// Decompresses the diagnostics now (on the calling thread), so that
    /// parallel readers do not wait on one another for it.
    pub fn prepare_diagnosed(&self) {
        self.diagnosed.raw(&self.file);
    }
}

/// A section to write: raw bytes to compress, or a section read from the
/// previous file to copy as it is.
pub enum Part {
    Raw(Vec<u8>),
    Compressed(Vec<u8>),
}

/// The sections of a cache file to write.
pub struct Sections {
    pub diagnosed: Part,
    pub summaries: Part,
}

fn decompress(compressed: &[u8]) -> Vec<u8> {
    // The frame says how large it is (written by `zstd::bulk`): one
    // allocation of the right size instead of a buffer grown by doubling.
    match zstd::zstd_safe::get_frame_content_size(compressed) {
        Ok(Some(size)) => usize::try_from(size)
            .ok()
            .and_then(|size| zstd::bulk::decompress(compressed, size).ok())
            .unwrap_or_default(),
        _ => zstd::decode_all(compressed).unwrap_or_default(),
    }
}

/// Where the cache of the workspace at `root` lives in `dir`.
pub fn file_for(dir: &Path, top_root: &Path, root: &Path) -> PathBuf {
    let rel = root.strip_prefix(top_root).unwrap_or(root).to_string_lossy();
    dir.join(format!("ws-{:016x}.bin", xxhash_rust::xxh3::xxh3_64(rel.as_bytes())))
}

/// Reads a cache file; `Err` says why it is not usable (absent, corrupt,
/// truncated, another program's).
pub fn load(path: &Path, program: &str) -> Result<Loaded, String> {
    let file = std::fs::read(path).map_err(|e| e.to_string())?;
    let rest = file.strip_prefix(MAGIC.as_slice()).ok_or("not a cache file")?;
    let (sum, rest) = rest.split_first_chunk::<8>().ok_or("truncated")?;
    if xxhash_rust::xxh3::xxh3_64(rest) != u64::from_le_bytes(*sum) {
        return Err("checksum mismatch (corrupt or truncated)".into());
    }
    let lengths = |rest: &[u8]| -> Option<(usize, usize)> {
        let (table, rest) = rest.split_first_chunk::<8>()?;
        let (diagnosed, _) = rest.split_first_chunk::<8>()?;
        Some((usize::try_from(u64::from_le_bytes(*table)).ok()?, usize::try_from(u64::from_le_bytes(*diagnosed)).ok()?))
    };
    let (table_len, diagnosed_len) = lengths(rest).ok_or("truncated")?;
    let table_start = MAGIC.len() + 8 + 16;
    let diagnosed_start = table_start.checked_add(table_len).ok_or("truncated")?;
    let summaries_start = diagnosed_start.checked_add(diagnosed_len).filter(|&e| e <= file.len()).ok_or("truncated")?;
    let table = decompress(&file[table_start..diagnosed_start]);
    let table: Table = postcard::from_bytes(&table).map_err(|e| e.to_string())?;
    if table.header.program != program {
        return Err("written by another version".into());
    }
    let by_path = table.entries.iter().enumerate().map(|(i, e)| (e.path.clone(), i)).collect();
    let section = |compressed| Section { compressed, raw: OnceLock::new() };
    Ok(Loaded {
        header: table.header,
        entries: table.entries,
        by_path,
        diagnosed: section(diagnosed_start..summaries_start),
        summaries: section(summaries_start..file.len()),
        file,
    })
}

/// Writes a cache file atomically. Creates `dir` (with a `.gitignore` of
/// `*`) when missing.
pub fn save(path: &Path, header: Header, entries: Vec<Entry>, sections: Sections) -> std::io::Result<()> {
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
    let compressed = |part: Part| match part {
        Part::Compressed(bytes) => Ok(bytes),
        Part::Raw(bytes) => zstd::bulk::compress(&bytes, LEVEL),
    };
    let diagnosed = compressed(sections.diagnosed)?;
    let summaries = compressed(sections.summaries)?;
    let table_len = (table.len() as u64).to_le_bytes();
    let diagnosed_len = (diagnosed.len() as u64).to_le_bytes();
    let parts = [&table_len[..], &diagnosed_len[..], &table, &diagnosed, &summaries];
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
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
        for part in parts {
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
