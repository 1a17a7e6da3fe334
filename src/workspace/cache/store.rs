//! The cache file of one workspace: a head (the lengths and checksums of
//! the parts below, with a checksum of its own that also covers the
//! table), the header and entry table (postcard, zstd), then each file's
//! diagnostics end to end, then its summaries and prose word filters end
//! to end (each section in independent frames, cut only between parts:
//! 128 kB of diagnostics in zstd, 4 MB of summaries in LZ4, see
//! [`Codec`]). The table holds only
//! what tells whether a file changed and where its parts lie. A run reads
//! the head and the table, the diagnostics only when it reports some, the
//! summaries only when something changed, each section checked against
//! its own checksum when it is read, and decompresses only the frames of
//! the parts it asks for (all of them, on every thread, when it asks for
//! most), decoding each file's part only for the files it needs. Written to
//! a temporary file and renamed over the old one, so a reader sees the old
//! file or the new one whole, never a mix; a run killed while writing
//! leaves at most a stale temporary file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::analysis::InternerSize;

use super::stamp::{Nanos, Stamp};

const MAGIC: &[u8; 8] = b"NMKCACHE";
/// Bumped whenever the layout below changes, or what a part means (14:
/// each LZ4 frame with its own checksum).
const FORMAT: u32 = 14;
/// zstd level: text-like data shrinks about fourfold at level 1, at
/// several hundred MB/s.
pub(super) const LEVEL: i32 = 1;
/// The sections are compressed in frames of at least this many bytes (cut
/// at the first end of a part past it), so that they are compressed and
/// decompressed on every core (one frame of the 210 MB of diagnostics of a
/// large archive took 0.4 s on one).
pub(super) const FRAME: usize = 4 << 20;
/// The diagnostics' frames are smaller: a run after a registry edit reads
/// the diagnostics of the few hundred files whose fixes point into it,
/// spread over the whole section, and decompresses only their frames
/// (about 4 % more bytes than frames of [`FRAME`]).
pub(super) const DIAGNOSTICS_FRAME: usize = 128 << 10;

/// How the frames of a section are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// zstd frames that say their size: the diagnostics (read a few
    /// files at a time, where a smaller section matters more than speed),
    /// the table.
    Zstd,
    /// LZ4 blocks, each after a head of its compressed and decompressed
    /// lengths and the checksum of its compressed bytes (u64,
    /// little-endian; a run that needs one part reads its frame alone, see
    /// [`Section::part_alone`]): the summaries, which every run that
    /// finds a change and every server start decompresses whole (250 MB
    /// for a large archive). LZ4 gives them back in a third of zstd's
    /// time, for a section a quarter larger.
    Lz4,
}

/// The bytes of an LZ4 frame's head.
const LZ4_HEAD: usize = 24;

impl Codec {
    /// `bytes` compressed as one independent frame.
    pub(super) fn compress(self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Codec::Zstd => zstd::bulk::compress(bytes, LEVEL),
            Codec::Lz4 => {
                let mut out = vec![0; LZ4_HEAD + lz4_flex::block::get_maximum_output_size(bytes.len())];
                let len = lz4_flex::block::compress_into(bytes, &mut out[LZ4_HEAD..]).map_err(std::io::Error::other)?;
                out.truncate(LZ4_HEAD + len);
                let sum = xxhash_rust::xxh3::xxh3_64(&out[LZ4_HEAD..]);
                out[..8].copy_from_slice(&(len as u64).to_le_bytes());
                out[8..16].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
                out[16..LZ4_HEAD].copy_from_slice(&sum.to_le_bytes());
                Ok(out)
            }
        }
    }

    /// A frame's compressed bytes decompressed to the `len` bytes its head
    /// says; `None` when they do not.
    pub(super) fn decompress(self, compressed: &[u8], len: usize) -> Option<Box<[u8]>> {
        match self {
            Codec::Zstd => {
                let mut out = Vec::with_capacity(len);
                let mut decompressor = zstd::bulk::Decompressor::new().ok()?;
                let written = decompressor.decompress_to_buffer(compressed, &mut out).ok()?;
                (written == len && out.len() == len).then(|| out.into_boxed_slice())
            }
            Codec::Lz4 => {
                let mut out = vec![0; len];
                // Bounds-checked: damaged bytes are refused, never read
                // or written out of bounds.
                let written = lz4_flex::block::decompress_into(compressed, &mut out).ok()?;
                (written == len).then(|| out.into_boxed_slice())
            }
        }
    }
}

/// How a section is cut and compressed.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// The least size of a frame.
    pub frame: usize,
    pub codec: Codec,
}

/// The summaries section's layout.
pub(super) const SUMMARIES: Layout = Layout { frame: FRAME, codec: Codec::Lz4 };
/// The diagnostics section's layout.
pub(super) const DIAGNOSTICS: Layout = Layout { frame: DIAGNOSTICS_FRAME, codec: Codec::Zstd };
/// Files whose parts are serialized at a time (on every thread) when a
/// cache file is written: not every part held twice at once.
pub(super) const SERIALIZED_AT_ONCE: usize = 4096;
/// More than this many bytes out per byte in is not a section this program
/// wrote.
const MAX_RATIO: usize = 64;
/// Temporary files older than this were left by a killed run.
const STALE_TEMP_SECS: u64 = 3600;

/// Why [`load`] read nothing when there is no cache file (a first run,
/// which is worth no note).
pub const ABSENT: &str = "there is no cache file";

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
    /// Names the diagnostics section this file holds, and so its table:
    /// new whenever they are written anew, kept when they are copied over
    /// unchanged. A kept rendering of them (`rendered`) names it too.
    pub generation: u64,
    /// What the workspace of the run that wrote it interned: the next
    /// load reserves that room (see [`InternerSize`]).
    pub symbols: InternerSize,
}

/// A new [`Header::generation`]: the time, the process and a counter,
/// hashed. Two runs that write at once draw different ones.
pub fn new_generation() -> u64 {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let seed = format!("{} {} {n}", super::stamp::now(), std::process::id());
    xxhash_rust::xxh3::xxh3_64(seed.as_bytes())
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
}

impl StoredFile<'_> {
    /// Whether a fix edit or a related place of its diagnostics lies in a
    /// file `changed` accepts (by path relative to the workspace root):
    /// offsets into a file whose bytes changed may have moved.
    pub fn points_into(&self, changed: impl Fn(&str) -> bool) -> bool {
        self.diagnostics.iter().any(|d| {
            d.fix.as_ref().is_some_and(|f| f.edits.iter().any(|(path, ..)| changed(path)))
                || d.related.iter().any(|(path, ..)| changed(path))
        })
    }
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
    /// Where the Bloom filter of its prose words (`diagnose::Words`, as
    /// bytes) lies in the summaries section, when it was computed: which
    /// changed names may occur in it. Like the summary, it depends on the
    /// file's bytes alone, and is read without the diagnostics.
    pub words: Option<Span>,
    /// Where its `StoredFile` lies in the diagnostics section, when its
    /// diagnostics were computed.
    pub diagnosed: Option<Span>,
}

impl Entry {
    /// Whether its stamp may be trusted: the file's last change is
    /// clearly older than the run that read it (not racy).
    pub fn trusted(&self) -> bool {
        self.stamp.trusted_since(self.read_since)
    }
}

#[derive(Serialize, Deserialize)]
struct Table {
    header: Header,
    entries: Vec<Entry>,
}

/// The fixed part after the magic: the head's checksum (of the rest of
/// the head and the table), the lengths of the table, the diagnostics and
/// the summaries, and the checksums of the diagnostics and the summaries.
const HEAD: usize = 8 + 5 * 8;

/// Where a section lies in the file, and its checksum (xxh3 of its bytes
/// as stored).
#[derive(Clone, Copy)]
pub struct Extent {
    start: u64,
    len: u64,
    sum: u64,
}

/// A compressed section of a cache file, read and checked on first use,
/// its frames decompressed as their parts are asked for; empty when it
/// does not read (every part of it is then missing, and computed again).
struct Section {
    name: &'static str,
    extent: Extent,
    codec: Codec,
    /// Shared: the next cache file is written from its parts in the
    /// background, after the run that read it has ended.
    frames: OnceLock<Result<Arc<Frames>, String>>,
}

impl Section {
    fn frames<'a>(&'a self, file: &Mutex<File>) -> Option<&'a Frames> {
        self.frames.get_or_init(|| self.read(file).map(Arc::new)).as_deref().ok()
    }

    /// The section's frames, when it was read and is usable.
    fn shared(&self) -> Option<Arc<Frames>> {
        self.frames.get()?.as_ref().ok().cloned()
    }

    fn read(&self, file: &Mutex<File>) -> Result<Frames, String> {
        let Extent { start, len, sum } = self.extent;
        let compressed = {
            let file = file.lock().unwrap_or_else(|e| e.into_inner());
            read_extent(&file, start, len)?
        };
        if xxhash_rust::xxh3::xxh3_64(&compressed) != sum {
            return Err("checksum mismatch (corrupt)".into());
        }
        Frames::index(compressed, self.codec).ok_or_else(|| "does not decompress".into())
    }

    fn part<'a>(&'a self, file: &Mutex<File>, span: Span) -> Option<&'a [u8]> {
        self.frames(file)?.part(span)
    }

    /// The bytes of the part at `span`, read from the section when it was
    /// read, else (LZ4) from its frame alone, found by walking the frames'
    /// heads and checked against the frame's checksum: a run that needs
    /// one file's summary reads a few MB, not the whole section.
    fn part_alone(&self, file: &Mutex<File>, span: Span) -> Option<Vec<u8>> {
        if self.was_read() || self.codec != Codec::Lz4 {
            return self.part(file, span).map(<[u8]>::to_vec);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            let file = file.lock().unwrap_or_else(|e| e.into_inner());
            let (mut at, mut decompressed) = (0u64, 0u64);
            while at < self.extent.len {
                let mut head = [0u8; LZ4_HEAD];
                file.read_exact_at(&mut head, self.extent.start.checked_add(at)?).ok()?;
                let field = |i: usize| u64::from_le_bytes(*head[8 * i..].first_chunk::<8>().unwrap_or(&[0xff; 8]));
                let (len, size, sum) = (field(0), field(1), field(2));
                let body_at = at.checked_add(LZ4_HEAD as u64)?;
                if body_at.checked_add(len)? > self.extent.len || size > len.saturating_mul(MAX_RATIO as u64) {
                    return None;
                }
                if span.0 >= decompressed && span.0 - decompressed < size {
                    let mut compressed = vec![0; usize::try_from(len).ok()?];
                    file.read_exact_at(&mut compressed, self.extent.start.checked_add(body_at)?).ok()?;
                    if xxhash_rust::xxh3::xxh3_64(&compressed) != sum {
                        return None;
                    }
                    let body = self.codec.decompress(&compressed, usize::try_from(size).ok()?)?;
                    let from = usize::try_from(span.0 - decompressed).ok()?;
                    return body.get(from..from.checked_add(span.1 as usize)?).map(<[u8]>::to_vec);
                }
                decompressed = decompressed.checked_add(size)?;
                at = body_at + len;
            }
            None
        }
        #[cfg(not(unix))]
        self.part(file, span).map(<[u8]>::to_vec)
    }

    /// The section as it is stored, to copy into the next file.
    fn stored(&self, file: &Arc<Mutex<File>>) -> Part {
        Part::Stored { file: file.clone(), extent: self.extent }
    }

    /// Read (whether or not it was usable).
    fn was_read(&self) -> bool {
        self.frames.get().is_some()
    }

    fn failure(&self, path: &Path) -> Option<String> {
        let why = match self.frames.get()? {
            Err(why) => why.as_str(),
            Ok(frames) if frames.damaged() => "a frame does not decompress",
            Ok(_) => return None,
        };
        Some(format!("the {} section of the cache {}: {why}", self.name, path.display()))
    }
}

/// The frames of a section read from a cache file, each decompressed the
/// first time a part in it is asked for. The writer cuts frames only
/// between parts (see [`frame_ends`]): a part lies in one frame.
pub struct Frames {
    frames: Vec<Frame>,
    codec: Codec,
}

/// A frame's compressed bytes: those of its section, and where it lies.
type Compressed = (Arc<Vec<u8>>, std::ops::Range<usize>);

struct Frame {
    /// Where it starts in the decompressed section.
    start: u64,
    len: usize,
    /// The section's compressed bytes and where the frame lies in them,
    /// let go once it is decompressed (the bytes are freed with the last).
    compressed: Mutex<Option<Compressed>>,
    /// `None` when it does not decompress to the size its head gives.
    body: OnceLock<Option<Box<[u8]>>>,
}

/// Where each frame of `compressed` lies (its compressed bytes, head
/// aside for LZ4), and the size it says it decompresses to; `None` when a
/// frame's head does not read or does not say its size.
fn frame_heads(compressed: &[u8], codec: Codec) -> Option<Vec<(std::ops::Range<usize>, usize)>> {
    let (mut heads, mut at) = (Vec::new(), 0usize);
    while let Some(rest) = compressed.get(at..).filter(|rest| !rest.is_empty()) {
        match codec {
            Codec::Zstd => {
                let n = zstd::zstd_safe::find_frame_compressed_size(rest).ok().filter(|&n| n > 0 && n <= rest.len())?;
                let size = zstd::zstd_safe::get_frame_content_size(&rest[..n]).ok().flatten()?;
                heads.push((at..at + n, usize::try_from(size).ok()?));
                at += n;
            }
            Codec::Lz4 => {
                let (len, rest) = rest.split_first_chunk::<8>()?;
                let (size, rest) = rest.split_first_chunk::<8>()?;
                let (_sum, rest) = rest.split_first_chunk::<8>()?;
                let len = usize::try_from(u64::from_le_bytes(*len)).ok().filter(|&n| n <= rest.len())?;
                let start = at + LZ4_HEAD;
                heads.push((start..start + len, usize::try_from(u64::from_le_bytes(*size)).ok()?));
                at = start + len;
            }
        }
    }
    Some(heads)
}

impl Frames {
    /// The frames of `compressed`; `None` when a frame's head does not
    /// read or does not say its size, or when the sizes exceed what any
    /// section this program writes shrinks from.
    fn index(compressed: Vec<u8>, codec: Codec) -> Option<Frames> {
        let heads = frame_heads(&compressed, codec)?;
        Frames::of(compressed, heads, codec)
    }

    /// The frames of `compressed` whose heads are `heads` (see
    /// [`frame_heads`]); `None` when their sizes exceed what any section
    /// this program writes shrinks from.
    fn of(compressed: Vec<u8>, heads: Vec<(std::ops::Range<usize>, usize)>, codec: Codec) -> Option<Frames> {
        let total = heads.iter().try_fold(0usize, |sum, (_, size)| sum.checked_add(*size))?;
        // Sizes read from a damaged file must not make the run ask for
        // more memory than any section this program writes needs (they
        // shrink about fourfold).
        if total > compressed.len().saturating_mul(MAX_RATIO) {
            return None;
        }
        let compressed = Arc::new(compressed);
        let mut start = 0u64;
        let frames = heads
            .into_iter()
            .map(|(range, len)| {
                let place = Some((compressed.clone(), range));
                let frame = Frame { start, len, compressed: Mutex::new(place), body: OnceLock::new() };
                start += len as u64;
                frame
            })
            .collect();
        Some(Frames { frames, codec })
    }

    /// Every frame decompressed (on every thread), end to end; `None`
    /// when one does not decompress.
    fn whole(&self) -> Option<Vec<u8>> {
        self.prepare();
        let mut out = Vec::with_capacity(self.frames.iter().map(|f| f.len).sum());
        for k in 0..self.frames.len() {
            out.extend_from_slice(self.body(k)?);
        }
        Some(out)
    }

    /// Frame `k` decompressed (on the calling thread, once).
    fn body(&self, k: usize) -> Option<&[u8]> {
        let frame = self.frames.get(k)?;
        let body = frame.body.get_or_init(|| {
            let (bytes, range) = frame.compressed.lock().unwrap_or_else(|e| e.into_inner()).take()?;
            self.codec.decompress(bytes.get(range)?, frame.len)
        });
        body.as_deref()
    }

    /// The frame holding the part at `span`, and where the part starts in it.
    fn locate(&self, (start, len): Span) -> Option<(usize, usize)> {
        let k = self.frames.partition_point(|f| f.start <= start).checked_sub(1)?;
        let frame = &self.frames[k];
        let from = usize::try_from(start - frame.start).ok()?;
        (from.checked_add(len as usize)? <= frame.len).then_some((k, from))
    }

    /// The bytes of the part at `span`; `None` when no frame holds them
    /// whole, or it does not decompress.
    pub fn part(&self, span: Span) -> Option<&[u8]> {
        if span.1 == 0 {
            return Some(&[]);
        }
        let (k, from) = self.locate(span)?;
        self.body(k)?.get(from..from + span.1 as usize)
    }

    /// Decompresses every frame now, on every thread: for a run that
    /// reads most parts, so that its parallel readers do not decompress
    /// them one at a time.
    pub fn prepare(&self) {
        (0..self.frames.len()).into_par_iter().for_each(|k| {
            self.body(k);
        });
    }

    fn damaged(&self) -> bool {
        self.frames.iter().any(|f| matches!(f.body.get(), Some(None)))
    }
}

/// Where the frames of a section whose parts end at `part_ends` (in
/// order) end: at the first end of a part at least `frame` bytes after
/// the last cut (see [`frame_cuts`]), and at `len`.
fn frame_ends(part_ends: &[u64], len: u64, frame: usize) -> Vec<u64> {
    let mut ends = frame_cuts(part_ends, frame);
    if ends.last().copied().unwrap_or(0) < len {
        ends.push(len);
    }
    ends
}

/// The ends of the frames of at least `frame` bytes that parts ending at
/// `part_ends` (in order) fill, each cut at the first end of a part that
/// many bytes or more after the last cut.
fn frame_cuts(part_ends: &[u64], frame: usize) -> Vec<u64> {
    let mut cuts = Vec::new();
    let mut last = 0;
    for &end in part_ends {
        if end.saturating_sub(last) >= frame as u64 {
            cuts.push(end);
            last = end;
        }
    }
    cuts
}

/// The `len` bytes of `file` from `start`; an error when it is shorter.
/// Read in pieces on every thread: a section of a large archive is a
/// hundred MB, whose copy and fresh pages took a tenth of a second on one.
fn read_extent(file: &File, start: u64, len: u64) -> Result<Vec<u8>, String> {
    const PIECE: usize = 8 << 20;
    let size = usize::try_from(len).map_err(|e| e.to_string())?;
    if file.metadata().map_err(|e| e.to_string())?.len() < start.saturating_add(len) {
        return Err("truncated".into());
    }
    let mut bytes = vec![0; size];
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        bytes.par_chunks_mut(PIECE).enumerate().try_for_each(|(i, piece)| {
            file.read_exact_at(piece, start + (i * PIECE) as u64).map_err(|e| e.to_string())
        })?;
    }
    #[cfg(not(unix))]
    {
        let mut file = file;
        file.seek(SeekFrom::Start(start)).and_then(|_| file.read_exact(&mut bytes)).map_err(|e| e.to_string())?;
    }
    Ok(bytes)
}

/// A cache file read back: its table, and its sections when they are used.
pub struct Loaded {
    pub header: Header,
    pub entries: Vec<Entry>,
    /// Entries by path, built when first needed: a run over the same
    /// files finds each entry at the file's own position.
    by_path: OnceLock<FxHashMap<String, usize>>,
    path: PathBuf,
    /// The file the table was read from, kept open: its sections are read
    /// from it, never from its path again. Another run may rename a new
    /// cache over that path meanwhile; that replaces the directory entry,
    /// not the file open here, so the sections read are always those of
    /// the table read.
    file: Arc<Mutex<File>>,
    diagnosed: Section,
    summaries: Section,
}

impl Loaded {
    /// The entry of `path` (relative to the root), looked for first at
    /// `hint` (the file's position in the run, where it is when the files
    /// are those the cache was written for).
    pub fn entry_index(&self, path: &str, hint: usize) -> Option<usize> {
        if self.entries.get(hint).is_some_and(|e| e.path == path) {
            return Some(hint);
        }
        let by_path =
            self.by_path.get_or_init(|| self.entries.iter().enumerate().map(|(i, e)| (e.path.clone(), i)).collect());
        by_path.get(path).copied()
    }

    /// The sections as stored, to be copied unchanged (and unread) into
    /// the next file, with their checksums: a corrupt one stays detected.
    pub fn stored_sections(&self) -> Sections {
        Sections { diagnosed: self.diagnosed.stored(&self.file), summaries: self.summaries.stored(&self.file) }
    }

    /// A builder of the next file's summaries section, which may take
    /// parts of this one's as they are.
    pub fn summaries_builder(&self) -> PartBuilder {
        PartBuilder::new(self.summaries.shared(), SUMMARIES)
    }

    /// [`summaries_builder`](Self::summaries_builder) for the diagnostics.
    pub fn diagnosed_builder(&self) -> PartBuilder {
        PartBuilder::new(self.diagnosed.shared(), DIAGNOSTICS)
    }

    /// Whether the summaries section was read.
    pub fn summaries_read(&self) -> bool {
        self.summaries.was_read()
    }

    /// Which sections read turned out unusable (their parts were computed
    /// again), and why.
    pub fn failures(&self) -> impl Iterator<Item = String> {
        [&self.diagnosed, &self.summaries].into_iter().filter_map(|s| s.failure(&self.path))
    }

    /// An entry's summary as stored (postcard).
    pub fn summary_bytes(&self, entry: &Entry) -> Option<&[u8]> {
        self.summaries.part(&self.file, entry.summary)
    }

    /// [`summary_bytes`](Self::summary_bytes) read without reading the
    /// whole section when it was not read yet (see `Section::part_alone`).
    pub fn summary_alone(&self, entry: &Entry) -> Option<Vec<u8>> {
        self.summaries.part_alone(&self.file, entry.summary)
    }

    /// An entry's `StoredFile` as stored (postcard).
    pub fn diagnosed_bytes(&self, entry: &Entry) -> Option<&[u8]> {
        self.diagnosed.part(&self.file, entry.diagnosed?)
    }

    /// An entry's prose word filter, when it was computed (`Entry::words`).
    pub fn words(&self, entry: &Entry) -> Option<&[u8]> {
        self.summaries.part(&self.file, entry.words?)
    }

    /// An entry's diagnostics and what goes with them; `None` when they
    /// were not computed or do not decode.
    pub fn diagnosed(&self, entry: &Entry) -> Option<StoredFile<'_>> {
        postcard::from_bytes(self.diagnosed_bytes(entry)?).ok()
    }

    /// Reads the diagnostics and decompresses them now (on every
    /// thread), for a run that reads most of them: its parallel readers
    /// would otherwise decompress them a frame at a time.
    pub fn prepare_diagnosed(&self) {
        if let Some(frames) = self.diagnosed.frames(&self.file) {
            frames.prepare();
        }
    }

    /// [`prepare_diagnosed`](Self::prepare_diagnosed) for the summaries.
    pub fn prepare_summaries(&self) {
        if let Some(frames) = self.summaries.frames(&self.file) {
            frames.prepare();
        }
    }
}

/// A section to write: one built of pieces, to compress, or a section of
/// the previous file to copy as it is stored, checksum included.
pub enum Part {
    /// Parts of the previous file's section and new bytes, end to end.
    Built(PartBuilder),
    Stored {
        file: Arc<Mutex<File>>,
        extent: Extent,
    },
    /// New bytes compressed as they came ([`FramedSection`]).
    Framed(FramedSection),
}

/// A section of new bytes only, compressed a frame at a time as they are
/// appended: only the frames and less than a batch of frames' worth of
/// bytes are held, where a [`PartBuilder`] holds every byte until the
/// file is written (hundreds of MB of summaries for a large archive).
/// Its frames are those of [`SUMMARIES`], cut between parts.
#[derive(Default)]
pub struct FramedSection {
    /// Bytes not compressed yet.
    pending: Vec<u8>,
    /// Where the parts among them end.
    pending_ends: Vec<u64>,
    frames: Vec<Vec<u8>>,
    len: u64,
}

/// How many frames' worth of bytes a [`FramedSection`] gathers before it
/// compresses them (in parallel).
const FRAMES_AT_ONCE: usize = 8;

impl FramedSection {
    /// Appends the bytes of a part; its span.
    pub fn push(&mut self, bytes: &[u8]) -> std::io::Result<Span> {
        let at = self.len;
        self.pending.extend_from_slice(bytes);
        self.pending_ends.push(self.pending.len() as u64);
        self.len += bytes.len() as u64;
        if self.pending.len() >= FRAMES_AT_ONCE * SUMMARIES.frame {
            self.compress_pending(false)?;
        }
        Ok((at, bytes.len() as u32))
    }

    /// Compresses the whole frames pending (all the bytes with `all`), in
    /// parallel; the rest stays pending.
    fn compress_pending(&mut self, all: bool) -> std::io::Result<()> {
        let ends = match all {
            true => frame_ends(&self.pending_ends, self.pending.len() as u64, SUMMARIES.frame),
            false => frame_cuts(&self.pending_ends, SUMMARIES.frame),
        };
        let whole = ends.last().copied().unwrap_or(0) as usize;
        let starts = std::iter::once(0).chain(ends.iter().copied());
        let frames: Vec<Vec<u8>> = starts
            .zip(ends.iter().copied())
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(from, to)| SUMMARIES.codec.compress(&self.pending[from as usize..to as usize]))
            .collect::<std::io::Result<_>>()?;
        self.frames.extend(frames);
        self.pending.drain(..whole);
        self.pending_ends.retain(|&e| e > whole as u64);
        self.pending_ends.iter_mut().for_each(|e| *e -= whole as u64);
        Ok(())
    }

    /// The section, every byte compressed.
    pub fn finish(mut self) -> std::io::Result<Part> {
        self.compress_pending(true)?;
        Ok(Part::Framed(self))
    }
}

/// A section to write, made of the parts of the previous file's section
/// that stay and new bytes, never copied into one buffer: the frames are
/// compressed from the pieces. (Laying a large archive's 400 MB of
/// sections end to end took one thread about a second, most of it page
/// faults of the new buffer.)
pub struct PartBuilder {
    old: Option<Arc<Frames>>,
    /// New bytes in chunks of about [`CHUNK`] bytes: a buffer grown by
    /// doubling would copy the new bytes of a first run (hundreds of MB)
    /// again at every step.
    new: Vec<Vec<u8>>,
    /// (where from, start in its source, length), in order; neighbours
    /// from the same place merged.
    pieces: Vec<(Source, usize, usize)>,
    /// Where each part ends: frames are cut only there.
    part_ends: Vec<u64>,
    layout: Layout,
    len: u64,
}

/// Where a piece of a [`PartBuilder`] lies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A frame of the previous section.
    Old(usize),
    /// A chunk of the new bytes.
    New(usize),
}

/// The room of a chunk of new bytes (one larger piece gets a chunk of
/// its own size).
const CHUNK: usize = 4 << 20;

impl PartBuilder {
    /// A builder of a section of `layout`, which may copy parts of `old`
    /// (of the same layout). A builder copies most of the previous section:
    /// its frames are decompressed now, on every thread.
    pub fn new(old: Option<Arc<Frames>>, layout: Layout) -> PartBuilder {
        if let Some(old) = &old {
            old.prepare();
        }
        PartBuilder { old, new: Vec::new(), pieces: Vec::new(), part_ends: Vec::new(), layout, len: 0 }
    }

    /// Appends the bytes at `span` of the previous section; their span in
    /// this one, or `None` when the previous section has no such bytes.
    pub fn copy(&mut self, span: Span) -> Option<Span> {
        let old = self.old.as_ref()?;
        // An empty part (no prose: an empty word filter) is in no frame.
        if span.1 == 0 {
            return Some(self.piece(Source::New(0), 0, 0));
        }
        let (k, from) = old.locate(span)?;
        old.body(k)?;
        Some(self.piece(Source::Old(k), from, span.1 as usize))
    }

    /// Appends new bytes; their span.
    pub fn push(&mut self, bytes: &[u8]) -> Span {
        let fits = self.new.last().is_some_and(|chunk| chunk.capacity() - chunk.len() >= bytes.len());
        if !fits {
            self.new.push(Vec::with_capacity(CHUNK.max(bytes.len())));
        }
        let chunk = self.new.len() - 1;
        let start = self.new[chunk].len();
        self.new[chunk].extend_from_slice(bytes);
        self.piece(Source::New(chunk), start, bytes.len())
    }

    fn piece(&mut self, source: Source, start: usize, len: usize) -> Span {
        let at = self.len;
        match self.pieces.last_mut() {
            Some(last) if last.0 == source && last.1 + last.2 == start => last.2 += len,
            _ if len > 0 => self.pieces.push((source, start, len)),
            _ => {}
        }
        self.len += len as u64;
        self.part_ends.push(self.len);
        (at, len as u32)
    }

    /// The bytes of piece `(source, start, len)`.
    fn bytes(&self, (source, start, len): (Source, usize, usize)) -> &[u8] {
        let source = match source {
            Source::Old(k) => self.old.as_ref().and_then(|old| old.body(k)).unwrap_or_default(),
            Source::New(chunk) => self.new.get(chunk).map_or(&[][..], Vec::as_slice),
        };
        source.get(start..start + len).unwrap_or_default()
    }

    /// Compressed as independent frames of the pieces laid end to end,
    /// cut between parts (in zstd, written end to end, they are a valid
    /// stream), on every thread, each gathered from the pieces it spans
    /// (none copied when it lies in one).
    fn compress(&self) -> std::io::Result<Vec<Vec<u8>>> {
        let mut starts = Vec::with_capacity(self.pieces.len());
        let mut at = 0u64;
        for &(_, _, len) in &self.pieces {
            starts.push(at);
            at += len as u64;
        }
        let ends = frame_ends(&self.part_ends, self.len, self.layout.frame);
        let bounds: Vec<(u64, u64)> =
            std::iter::once(0).chain(ends.iter().copied()).zip(ends.iter().copied()).collect();
        bounds
            .into_par_iter()
            .map(|(from, to)| {
                let first = starts.partition_point(|&s| s <= from).saturating_sub(1);
                let mut gathered: Vec<&[u8]> = Vec::new();
                let (pieces, starts) =
                    (self.pieces.get(first..).unwrap_or_default(), starts.get(first..).unwrap_or_default());
                for (&piece, &start) in pieces.iter().zip(starts) {
                    if start >= to {
                        break;
                    }
                    let bytes = self.bytes(piece);
                    let lo = (from.saturating_sub(start)) as usize;
                    let hi = ((to - start) as usize).min(bytes.len());
                    gathered.push(bytes.get(lo..hi).unwrap_or_default());
                }
                match gathered.as_slice() {
                    [one] => self.layout.codec.compress(one),
                    many => self.layout.codec.compress(&many.concat()),
                }
            })
            .collect()
    }
}

/// The sections of a cache file to write.
pub struct Sections {
    pub diagnosed: Part,
    pub summaries: Part,
}

/// `compressed` decompressed whole (a table, small beside the sections);
/// `None` when it does not decompress. Frames that say their size are
/// read as a section's ([`Frames`]); a stream whose frames do not say
/// their size is decompressed as a stream.
pub(super) fn decompress(compressed: &[u8]) -> Option<Vec<u8>> {
    match frame_heads(compressed, Codec::Zstd) {
        Some(heads) => Frames::of(compressed.to_vec(), heads, Codec::Zstd)?.whole(),
        None => zstd::decode_all(compressed).ok(),
    }
}

/// Where the cache of the workspace at `root` lives in `dir`.
pub fn file_for(dir: &Path, top_root: &Path, root: &Path) -> PathBuf {
    let rel = root.strip_prefix(top_root).unwrap_or(root).to_string_lossy();
    dir.join(format!("ws-{:016x}.bin", xxhash_rust::xxh3::xxh3_64(rel.as_bytes())))
}

/// Reads the head and the table of a cache file; `Err` says why it is not
/// usable (absent, corrupt, truncated, another program's). Its sections
/// are read when they are first used.
pub fn load(path: &Path, program: &str) -> Result<Loaded, String> {
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ABSENT.to_owned(),
        _ => e.to_string(),
    })?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    let mut head = Vec::with_capacity(MAGIC.len() + HEAD);
    (&file).take((MAGIC.len() + HEAD) as u64).read_to_end(&mut head).map_err(|e| e.to_string())?;
    let mut head = head.strip_prefix(MAGIC.as_slice()).ok_or("not a cache file")?;
    let mut next = || -> Option<u64> {
        let (field, rest) = head.split_first_chunk::<8>()?;
        head = rest;
        Some(u64::from_le_bytes(*field))
    };
    let fields = [(); 6].map(|()| next());
    let [
        Some(head_sum),
        Some(table_len),
        Some(diagnosed_len),
        Some(summaries_len),
        Some(diagnosed_sum),
        Some(summaries_sum),
    ] = fields
    else {
        return Err("truncated".into());
    };
    // The head's fields after its checksum, then the table (no more than
    // the file holds, whatever a corrupt length says).
    let mut checked = head_fields([table_len, diagnosed_len, summaries_len, diagnosed_sum, summaries_sum]);
    checked.reserve(table_len.min(size) as usize);
    (&file).take(table_len).read_to_end(&mut checked).map_err(|e| e.to_string())?;
    if xxhash_rust::xxh3::xxh3_64(&checked) != head_sum {
        return Err("checksum mismatch (corrupt or truncated)".into());
    }
    let table_start = (MAGIC.len() + HEAD) as u64;
    let diagnosed_start = table_start.checked_add(table_len).ok_or("corrupt lengths")?;
    let summaries_start = diagnosed_start.checked_add(diagnosed_len).ok_or("corrupt lengths")?;
    let end = summaries_start.checked_add(summaries_len).ok_or("corrupt lengths")?;
    if end != size {
        return Err(format!("truncated ({size} bytes where its head says {end})"));
    }
    let table = decompress(&checked[HEAD - 8..]).ok_or("the table does not decompress")?;
    let table: Table = postcard::from_bytes(&table).map_err(|e| e.to_string())?;
    if table.header.program != program {
        return Err("written by another version".into());
    }
    let section = |name, start, len, sum, codec| Section {
        name,
        extent: Extent { start, len, sum },
        codec,
        frames: OnceLock::new(),
    };
    Ok(Loaded {
        header: table.header,
        entries: table.entries,
        by_path: OnceLock::new(),
        path: path.to_path_buf(),
        file: Arc::new(Mutex::new(file)),
        diagnosed: section("diagnostics", diagnosed_start, diagnosed_len, diagnosed_sum, DIAGNOSTICS.codec),
        summaries: section("summaries", summaries_start, summaries_len, summaries_sum, SUMMARIES.codec),
    })
}

/// The head's fields after its checksum, as written: the lengths of the
/// table, the diagnostics and the summaries, then the checksums of the
/// last two.
fn head_fields(fields: [u64; 5]) -> Vec<u8> {
    fields.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// A section ready to write: its bytes, or where to copy them from.
enum Ready {
    /// Compressed frames, written end to end.
    Frames(Vec<Vec<u8>>),
    Copy(Arc<Mutex<File>>, Extent),
}

impl Ready {
    fn of(part: Part) -> std::io::Result<Ready> {
        Ok(match part {
            Part::Built(built) => Ready::Frames(built.compress()?),
            Part::Stored { file, extent } => Ready::Copy(file, extent),
            // `finish` compressed every byte.
            Part::Framed(framed) => Ready::Frames(framed.frames),
        })
    }

    fn len_and_sum(&self) -> (u64, u64) {
        match self {
            Ready::Frames(frames) => {
                let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                frames.iter().for_each(|f| hasher.update(f));
                (frames.iter().map(|f| f.len() as u64).sum(), hasher.digest())
            }
            Ready::Copy(_, e) => (e.len, e.sum),
        }
    }

    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            Ready::Frames(frames) => frames.iter().try_for_each(|f| out.write_all(f)),
            Ready::Copy(file, e) => {
                // From file to file (in the kernel where it can): the
                // section is never held in memory.
                let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
                file.seek(SeekFrom::Start(e.start))?;
                let copied = std::io::copy(&mut (&mut *file).take(e.len), out)?;
                if copied != e.len {
                    return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the old cache is short"));
                }
                Ok(())
            }
        }
    }
}

/// A file's summary as the summaries section stores it (`None`: it does
/// not serialize, never expected).
pub(super) fn summary_bytes(
    summary: &crate::analysis::FileSummary,
    interner: &crate::analysis::Interner,
) -> Option<Vec<u8>> {
    postcard::to_stdvec(&summary.to_stored(interner)).ok()
}

/// Writes a cache file atomically. Creates `dir` (with a `.gitignore` of
/// `*`) when missing.
pub fn save(path: &Path, header: Header, entries: Vec<Entry>, sections: Sections) -> std::io::Result<()> {
    prepare_dir(path)?;
    let table = postcard::to_stdvec(&Table { header, entries }).map_err(std::io::Error::other)?;
    let table = zstd::bulk::compress(&table, LEVEL)?;
    let diagnosed = Ready::of(sections.diagnosed)?;
    let summaries = Ready::of(sections.summaries)?;
    let ((diagnosed_len, diagnosed_sum), (summaries_len, summaries_sum)) =
        (diagnosed.len_and_sum(), summaries.len_and_sum());
    let head = head_fields([table.len() as u64, diagnosed_len, summaries_len, diagnosed_sum, summaries_sum]);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&head);
    hasher.update(&table);
    write_atomically(path, |file| {
        file.write_all(MAGIC)?;
        file.write_all(&hasher.digest().to_le_bytes())?;
        file.write_all(&head)?;
        file.write_all(&table)?;
        diagnosed.write_to(file)?;
        summaries.write_to(file)
    })
}

/// Creates `path`'s folder (with a `.gitignore` of `*`) when missing, and
/// clears temporary files a killed run left there.
pub(super) fn prepare_dir(path: &Path) -> std::io::Result<()> {
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
    Ok(())
}

/// The head and table of a file kept beside a cache file (the kept report
/// lines, the directory of definitions): `magic`, the checksum of what
/// follows up to the table's end, the table's length, `fields`, then
/// `table` (postcard, zstd).
pub(super) fn side_head(magic: &[u8; 8], fields: &[u64], table: &impl Serialize) -> std::io::Result<Vec<u8>> {
    let table = zstd::bulk::compress(&postcard::to_stdvec(table).map_err(std::io::Error::other)?, LEVEL)?;
    let mut checked: Vec<u8> =
        std::iter::once(table.len() as u64).chain(fields.iter().copied()).flat_map(u64::to_le_bytes).collect();
    checked.extend_from_slice(&table);
    let mut out = magic.to_vec();
    out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&checked).to_le_bytes());
    out.extend(checked);
    Ok(out)
}

/// What [`side_head`] wrote at the start of `file` with `fields` fields:
/// those fields, the table, and where the table ends; `None` when the
/// file is not one of `magic`, is cut short, or its head or table is
/// damaged.
pub(super) fn read_side_head<T: serde::de::DeserializeOwned>(
    mut file: &File,
    magic: &[u8; 8],
    fields: usize,
) -> Option<(Vec<u64>, T, u64)> {
    let head_len = magic.len() + 16 + 8 * fields;
    let mut head = vec![0; head_len];
    file.read_exact(&mut head).ok()?;
    let head = head.strip_prefix(magic.as_slice())?;
    let field = |i: usize| Some(u64::from_le_bytes(*head.get(8 * i..8 * i + 8)?.first_chunk::<8>()?));
    let (sum, table_len) = (field(0)?, field(1)?);
    let mut checked = head.get(8..)?.to_vec();
    file.take(table_len).read_to_end(&mut checked).ok()?;
    if xxhash_rust::xxh3::xxh3_64(&checked) != sum {
        return None;
    }
    let table = decompress(checked.get(8 + 8 * fields..)?)?;
    let table = postcard::from_bytes(&table).ok()?;
    let rest = (2..2 + fields).map(field).collect::<Option<_>>()?;
    Some((rest, table, (head_len as u64).checked_add(table_len)?))
}

/// Writes `path` through `write` into a temporary file beside it, renamed
/// over `path` when complete: a reader sees the old file or the new one.
pub(super) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".{}.{}-{:x}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id(),
        super::stamp::now() as u64
    ));
    let written = (|| {
        let mut file = std::io::BufWriter::new(File::create(&temp)?);
        write(&mut file)?;
        // No fsync: a crash that leaves the renamed file short or empty
        // fails its length check or a checksum and is ignored.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Text-like bytes that do not repeat within a frame.
    fn sample(len: usize) -> Vec<u8> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                b"abcdefghij {}@^\n"[(state % 16) as usize]
            })
            .collect()
    }

    #[test]
    fn the_header_comes_back_as_it_was_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.bin");
        let symbols = InternerSize { ids: 1_502_625 };
        let header = Header { program: "p".into(), diagnostics_key: 7, generation: 9, symbols };
        let sections = Sections {
            diagnosed: Part::Built(PartBuilder::new(None, DIAGNOSTICS)),
            summaries: Part::Built(PartBuilder::new(None, SUMMARIES)),
        };
        save(&path, header, Vec::new(), sections).unwrap();
        let loaded = load(&path, "p").unwrap();
        assert_eq!((loaded.header.diagnostics_key, loaded.header.generation), (7, 9));
        assert_eq!(loaded.header.symbols, symbols);
        assert!(load(&path, "another").is_err());
    }

    /// A section compressed as it is made holds its bytes end to end,
    /// through a cache file written and read back: more than one batch of
    /// frames, parts larger than a frame, a short last frame; each part in
    /// one frame.
    #[test]
    fn a_section_compressed_as_it_is_made_holds_its_bytes_end_to_end() {
        let bytes = sample((FRAMES_AT_ONCE + 2) * FRAME + 1234);
        let mut framed = FramedSection::default();
        let mut entries = Vec::new();
        let mut at = 0;
        let mut compressed_before_the_end = 0;
        for (i, len) in [10, FRAME - 3, 7, 3 * FRAME + 1, 999, 0].into_iter().cycle().enumerate() {
            let len = len.min(bytes.len() - at);
            let span = framed.push(&bytes[at..at + len]).unwrap();
            assert_eq!(span, (at as u64, len as u32));
            entries.push(Entry { path: format!("{i}.nmk"), summary: span, ..Entry::default() });
            at += len;
            if at == bytes.len() {
                break;
            }
            compressed_before_the_end = framed.frames.len();
        }
        assert!(compressed_before_the_end > 0, "no batch was compressed before the end");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.bin");
        let header =
            Header { program: "p".into(), diagnostics_key: 0, generation: 1, symbols: InternerSize::default() };
        let diagnosed = Part::Built(PartBuilder::new(None, DIAGNOSTICS));
        let sections = Sections { diagnosed, summaries: framed.finish().unwrap() };
        save(&path, header, entries, sections).unwrap();
        let loaded = load(&path, "p").unwrap();
        let mut read = Vec::new();
        for entry in &loaded.entries {
            read.extend_from_slice(loaded.summary_bytes(entry).expect("a part across frames"));
        }
        assert_eq!(read.len(), bytes.len());
        assert!(read == bytes, "the bytes read back differ");
        let frames = loaded.summaries.shared().unwrap();
        assert!(frames.frames.len() >= 3, "{} frames", frames.frames.len());
        assert!(frames.frames.iter().rev().skip(1).all(|f| f.len >= FRAME), "a frame short of FRAME before the last");
    }

    /// A summary read alone (its frame found by walking the heads) is the
    /// part the whole section gives; a damaged frame is refused by its own
    /// checksum, whatever the section's says.
    #[test]
    fn a_part_read_alone_is_the_part_and_a_damaged_frame_is_refused() {
        let bytes = sample(3 * FRAME + 500);
        let parts = [100, FRAME, 7, FRAME + 1, 0, 20, FRAME - 200, 572];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.bin");
        let write = |damage: Option<usize>| {
            let mut builder = PartBuilder::new(None, SUMMARIES);
            let mut at = 0;
            let mut entries = Vec::new();
            for (i, &len) in parts.iter().enumerate() {
                let span = builder.push(&bytes[at..at + len]);
                entries.push(Entry { path: format!("{i}.nmk"), summary: span, ..Entry::default() });
                at += len;
            }
            let header =
                Header { program: "p".into(), diagnostics_key: 0, generation: 1, symbols: InternerSize::default() };
            let sections = Sections {
                diagnosed: Part::Built(PartBuilder::new(None, DIAGNOSTICS)),
                summaries: Part::Built(builder),
            };
            save(&path, header, entries, sections).unwrap();
            if let Some(from_end) = damage {
                let mut file = std::fs::read(&path).unwrap();
                let at = file.len() - from_end;
                file[at] ^= 0x10;
                std::fs::write(&path, file).unwrap();
            }
            load(&path, "p").unwrap()
        };
        let loaded = write(None);
        let alone: Vec<Vec<u8>> = loaded.entries.iter().map(|e| loaded.summary_alone(e).unwrap()).collect();
        assert!(!loaded.summaries_read(), "read alone, the section was not read whole");
        let mut at = 0;
        for (part, &len) in alone.iter().zip(&parts) {
            assert!(part[..] == bytes[at..at + len]);
            at += len;
        }
        for entry in &loaded.entries {
            assert_eq!(loaded.summary_bytes(entry).unwrap(), &loaded.summary_alone(entry).unwrap()[..]);
        }
        // A byte of the last frame's body flipped: the part read alone is
        // refused, and so is the whole section (its own checksum).
        let loaded = write(Some(10));
        let last = loaded.entries.last().unwrap();
        assert_eq!(loaded.summary_alone(last), None);
        assert_eq!(loaded.summary_bytes(last), None);
    }

    /// A built section of `parts` (each of the given length, from `bytes`),
    /// its frames at least [`FRAME`] bytes in `codec`: compressed, and the
    /// parts' spans.
    fn built(bytes: &[u8], parts: &[usize], codec: Codec) -> (Vec<u8>, Vec<Span>) {
        let mut builder = PartBuilder::new(None, Layout { frame: FRAME, codec });
        let mut at = 0;
        let spans = parts
            .iter()
            .map(|&len| {
                at += len;
                builder.push(&bytes[at - len..at])
            })
            .collect();
        (builder.compress().unwrap().concat(), spans)
    }

    const CODECS: [Codec; 2] = [Codec::Zstd, Codec::Lz4];

    #[test]
    fn frames_are_cut_only_between_parts_and_read_one_at_a_time() {
        for codec in CODECS {
            frames_of(codec);
        }
    }

    fn frames_of(codec: Codec) {
        let bytes = sample(5 * FRAME);
        // Small parts, one larger than a frame, an empty one, small again.
        let parts = [1000, FRAME - 500, 700, 2 * FRAME + 3, 0, 12, FRAME, 5];
        let (compressed, spans) = built(&bytes, &parts, codec);
        let frames = Frames::index(compressed.clone(), codec).unwrap();
        // Cut at the end of the second part, of the large one, of the
        // part of FRAME bytes; the last part alone in a short frame.
        let lens: Vec<usize> = frames.frames.iter().map(|f| f.len).collect();
        assert_eq!(lens, [1000 + FRAME - 500, 700 + 2 * FRAME + 3, 12 + FRAME, 5]);
        // In zstd, the section as a whole is a valid stream of those bytes.
        if codec == Codec::Zstd {
            assert_eq!(zstd::decode_all(&compressed[..]).unwrap(), &bytes[..parts.iter().sum::<usize>()]);
        }
        // One part read: only its frame is decompressed.
        let (at, len) = spans[3];
        assert_eq!(frames.part(spans[3]).unwrap(), &bytes[at as usize..at as usize + len as usize]);
        let decompressed = frames.frames.iter().filter(|f| f.body.get().is_some()).count();
        assert_eq!(decompressed, 1);
        for &(at, len) in &spans {
            assert_eq!(frames.part((at, len)).unwrap(), &bytes[at as usize..at as usize + len as usize]);
        }
        // A span across two frames, or past the end, is no part.
        assert_eq!(frames.part((spans[1].0, spans[1].1 + 1)), None);
        assert_eq!(frames.part((spans[7].0, spans[7].1 + 1)), None);
        assert!(!frames.damaged());
    }

    #[test]
    fn a_section_built_of_old_parts_and_new_bytes_holds_them_end_to_end() {
        for codec in CODECS {
            built_of_old_and_new(codec);
        }
    }

    fn built_of_old_and_new(codec: Codec) {
        let layout = Layout { frame: FRAME, codec };
        let old = sample(4 * FRAME);
        let old_parts = [1000, FRAME, 7, FRAME + 5, 10, FRAME - 17];
        let (compressed, old_spans) = built(&old, &old_parts, codec);
        let new = sample(FRAME + 77);
        let mut builder = PartBuilder::new(Some(Arc::new(Frames::index(compressed, codec).unwrap())), layout);
        let mut expected = Vec::new();
        let mut spans = Vec::new();
        // Old parts in order (merged into one piece where they follow
        // each other in a frame) and out of order, new bytes between them.
        let order: [(bool, usize); 7] = [(true, 0), (true, 1), (false, 0), (true, 3), (true, 2), (false, 1), (true, 5)];
        let new_parts = [(0, 10), (10, FRAME + 67)];
        for (from_old, k) in order {
            let (span, source) = if from_old {
                let (at, len) = old_spans[k];
                (builder.copy((at, len)).unwrap(), &old[at as usize..at as usize + len as usize])
            } else {
                let (start, len) = new_parts[k];
                (builder.push(&new[start..start + len]), &new[start..start + len])
            };
            expected.extend_from_slice(source);
            spans.push((span, source));
        }
        let frames = Frames::index(builder.compress().unwrap().concat(), codec).unwrap();
        for (span, source) in spans {
            assert_eq!(frames.part(span).unwrap(), source);
        }
        assert_eq!(frames.whole(), Some(expected));
        // New bytes over several chunks: small ones filling a chunk, then
        // one larger than a chunk.
        let mut chunked = PartBuilder::new(None, layout);
        let mut laid = Vec::new();
        let big = sample(CHUNK + 3);
        for piece in (0..300).map(|i| &new[i * 1000..i * 1000 + 999 + i % 7]).chain([&big[..]]) {
            let (at, len) = chunked.push(piece);
            assert_eq!((at, len as usize), (laid.len() as u64, piece.len()));
            laid.extend_from_slice(piece);
        }
        assert!(chunked.new.len() >= 2, "one chunk only");
        let frames = Frames::index(chunked.compress().unwrap().concat(), codec).unwrap();
        assert_eq!(frames.whole().unwrap(), laid);
        // Bytes the old section does not hold in one part are refused.
        let (last, len) = old_spans[5];
        assert_eq!(builder.copy((last, len + 1)), None);
        assert_eq!(builder.copy((old_spans[1].0, old_spans[1].1 + 7)), None);
        assert_eq!(PartBuilder::new(None, layout).copy((0, 1)), None);
    }

    #[test]
    fn a_section_of_several_frames_decompresses_to_its_bytes() {
        for len in [0, 1, FRAME - 1, FRAME, 2 * FRAME + 12_345] {
            let bytes = sample(len);
            let parts: Vec<usize> = bytes.chunks(FRAME / 3).map(<[u8]>::len).collect();
            let (compressed, _) = built(&bytes, &parts, Codec::Zstd);
            assert_eq!(decompress(&compressed).as_deref(), Some(&bytes[..]), "{len} bytes");
            let (compressed, _) = built(&bytes, &parts, Codec::Lz4);
            assert_eq!(Frames::index(compressed, Codec::Lz4).unwrap().whole().as_deref(), Some(&bytes[..]));
        }
        // One frame of a whole section, or a stream whose frame does not
        // say its size, still reads (the table and the kept report lines).
        let bytes = sample(FRAME + 7);
        assert_eq!(decompress(&zstd::bulk::compress(&bytes, LEVEL).unwrap()), Some(bytes.clone()));
        assert_eq!(decompress(&zstd::encode_all(&bytes[..], LEVEL).unwrap()), Some(bytes.clone()));
        // A section's frames must say their sizes.
        assert!(Frames::index(zstd::encode_all(&bytes[..], LEVEL).unwrap(), Codec::Zstd).is_none());
    }

    #[test]
    fn a_damaged_section_is_refused_and_never_panics() {
        let bytes = sample(2 * FRAME + 99);
        let parts = [FRAME, FRAME, 99];
        let (compressed, spans) = built(&bytes, &parts, Codec::Zstd);
        // Cut short inside the last frame, or ended early by a frame cut.
        assert_eq!(decompress(&compressed[..compressed.len() - 10]), None);
        assert!(Frames::index(compressed[..compressed.len() - 10].to_vec(), Codec::Zstd).is_none());
        // Every byte of the first frame's header flipped in turn: refused
        // or, where the header still reads, equal to the bytes. Read a
        // part at a time (the section's checksum is what refuses damage
        // there), a part is missing or of its length, never a panic.
        for at in 0..16 {
            let mut damaged = compressed.clone();
            damaged[at] ^= 0x5A;
            if let Some(out) = decompress(&damaged) {
                assert_eq!(out, bytes, "byte {at}");
            }
            if let Some(frames) = Frames::index(damaged, Codec::Zstd) {
                for &(start, len) in &spans {
                    assert!(frames.part((start, len)).is_none_or(|p| p.len() == len as usize), "byte {at}");
                }
            }
        }
        // A frame's body damaged past its header.
        let mut damaged = compressed.clone();
        let middle = compressed.len() / 4;
        damaged[middle..middle + 64].iter_mut().for_each(|b| *b ^= 0xA5);
        let frames = Frames::index(damaged, Codec::Zstd).unwrap();
        let first = frames.part(spans[0]);
        assert!(first.is_none_or(|p| p == &bytes[..FRAME]));
        assert_eq!(first.is_none(), frames.damaged());
        // Frames that say they hold far more than any section shrinks
        // from (8 MB of zeros in a few hundred bytes) are refused before
        // their size is allocated.
        let zeros = vec![0; 2 * FRAME];
        let (compressed, _) = built(&zeros, &[FRAME, FRAME], Codec::Zstd);
        assert_eq!(decompress(&compressed), None);
        assert!(Frames::index(compressed, Codec::Zstd).is_none());
    }

    /// LZ4 frames carry no check of their bytes (the section's checksum,
    /// tested with the cache's faults, is what refuses damage): damaged,
    /// they are refused or read as parts of their lengths, never a panic.
    #[test]
    fn a_damaged_lz4_section_is_refused_or_read_within_bounds() {
        let bytes = sample(2 * FRAME + 99);
        let parts = [FRAME, FRAME, 99];
        let (compressed, spans) = built(&bytes, &parts, Codec::Lz4);
        let within_bounds =
            |frames: &Frames| spans.iter().all(|&(s, l)| frames.part((s, l)).is_none_or(|p| p.len() == l as usize));
        // Cut short anywhere: the last frame's head says more than is left.
        for cut in [1, 10, LZ4_HEAD, compressed.len() / 2] {
            assert!(Frames::index(compressed[..compressed.len() - cut].to_vec(), Codec::Lz4).is_none(), "cut {cut}");
        }
        // A head says lengths of its own: every byte of the first one
        // flipped in turn, and bytes of the body.
        for at in (0..LZ4_HEAD).chain([LZ4_HEAD + 1, LZ4_HEAD + 4000, compressed.len() / 3]) {
            let mut damaged = compressed.clone();
            damaged[at] ^= 0x5A;
            if let Some(frames) = Frames::index(damaged, Codec::Lz4) {
                assert!(within_bounds(&frames), "byte {at}");
            }
        }
        // The body of a frame damaged past its head: the frame does not
        // decompress to its size, or does, to bytes of that size.
        let mut damaged = compressed.clone();
        damaged[LZ4_HEAD + 100..LZ4_HEAD + 164].iter_mut().for_each(|b| *b ^= 0xA5);
        let frames = Frames::index(damaged, Codec::Lz4).unwrap();
        assert!(within_bounds(&frames));
        // A head that says a frame holds far more than any section shrinks
        // from is refused before that size is allocated.
        let mut huge = compressed.clone();
        huge[8..16].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
        assert!(Frames::index(huge, Codec::Lz4).is_none());
        let zeros = vec![0; 2 * FRAME];
        let (compressed, _) = built(&zeros, &[FRAME, FRAME], Codec::Lz4);
        assert!(Frames::index(compressed, Codec::Lz4).is_none());
    }
}
