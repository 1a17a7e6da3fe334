//! A kept rendering of a workspace's diagnostics in one report format
//! (`check --format json` or `github`): each file's lines as they were
//! printed, by entry of the cache file whose diagnostics they render. A
//! later run that takes a file's diagnostics from that cache file copies
//! its lines from here instead of decoding and rendering them again: with
//! nothing changed in a large archive, that was most of a warm run.
//!
//! One file per workspace and format beside the cache file
//! (`ws-….json.report`): a head (the lengths of the table and the body,
//! the body's checksum, and a checksum of its own that also covers the
//! table), the table (postcard, zstd: the program, the generation of the
//! cache file it renders, the format, and per entry its lines' place,
//! severity counts and the entries they point into), then the lines of
//! every file end to end (zstd in frames, as the cache's sections).
//! Written atomically like the cache file. It is used only with the cache
//! file of the same generation, so a stale or foreign one is never read
//! as current.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::store::{self, FRAME, LEVEL};

const MAGIC: &[u8; 8] = b"NMKREPRT";
/// The head's fields after the magic: its checksum, the table's length,
/// the body's length and the body's checksum.
const HEAD: usize = 4 * 8;
/// More than this many bytes of lines per byte stored is not a body this
/// program wrote.
const MAX_RATIO: usize = 4096;

/// One file's lines in the body, and what they say.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fragment {
    pub start: u64,
    pub len: u64,
    /// How many of its diagnostics are errors, warnings, infos and hints.
    pub counts: [u32; 4],
    /// The entries (of the same cache file) its lines show positions in
    /// besides its own (related places, fix edits): the lines stand only
    /// while those files keep their bytes.
    pub elsewhere: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
struct Table {
    program: String,
    /// The cache file's `Header::generation`.
    generation: u64,
    /// The format (`json`, `github`).
    format: String,
    /// By entry of that cache file; `None` for a file that was not
    /// reported (not selected).
    files: Vec<Option<Fragment>>,
}

/// Where the rendering in `format` of the cache file `cache_file` lives.
pub fn path_for(cache_file: &Path, format: &str) -> PathBuf {
    cache_file.with_extension(format!("{format}.report"))
}

/// A rendering read back: its table, and its body when it is used.
pub struct Rendering {
    files: Vec<Option<Fragment>>,
    file: Mutex<File>,
    body_at: (u64, u64, u64),
    body: OnceLock<Option<Body>>,
}

/// The body as stored, checked, with where each frame lies.
struct Body {
    compressed: Vec<u8>,
    /// Per frame: its bytes in `compressed`, and where its lines start
    /// and how many there are, in the lines end to end.
    frames: Vec<(std::ops::Range<usize>, u64, usize)>,
}

impl Rendering {
    /// Reads the head and the table of `path`: `None` when it is absent,
    /// damaged, another program's, or renders another generation or
    /// format than those asked for.
    pub fn load(path: &Path, program: &str, generation: u64, format: &str) -> Option<Rendering> {
        let file = File::open(path).ok()?;
        let size = file.metadata().ok()?.len();
        let mut head = Vec::with_capacity(MAGIC.len() + HEAD);
        (&file).take((MAGIC.len() + HEAD) as u64).read_to_end(&mut head).ok()?;
        let head = head.strip_prefix(MAGIC.as_slice())?;
        let field = |i: usize| Some(u64::from_le_bytes(*head.get(8 * i..8 * i + 8)?.first_chunk::<8>()?));
        let (head_sum, table_len, body_len, body_sum) = (field(0)?, field(1)?, field(2)?, field(3)?);
        let table_start = (MAGIC.len() + HEAD) as u64;
        let body_start = table_start.checked_add(table_len)?;
        if body_start.checked_add(body_len)? != size {
            return None;
        }
        let mut checked = head.get(8..)?.to_vec();
        (&file).take(table_len).read_to_end(&mut checked).ok()?;
        if xxhash_rust::xxh3::xxh3_64(&checked) != head_sum {
            return None;
        }
        let table = store::decompress(checked.get(HEAD - 8..)?)?;
        let table: Table = postcard::from_bytes(&table).ok()?;
        if table.program != program || table.generation != generation || table.format != format {
            return None;
        }
        Some(Rendering {
            files: table.files,
            file: Mutex::new(file),
            body_at: (body_start, body_len, body_sum),
            body: OnceLock::new(),
        })
    }

    /// The fragment of `entry`, if that file was reported.
    pub fn fragment(&self, entry: usize) -> Option<&Fragment> {
        self.files.get(entry)?.as_ref()
    }

    /// Whether the body reads: read and checked on first use (not
    /// decompressed: [`LinesReader`] does that as it goes), its frames
    /// found, and every fragment within them. Nothing may be taken from a
    /// rendering for which this is false.
    pub fn sound(&self) -> bool {
        self.body().is_some()
    }

    fn body(&self) -> Option<&Body> {
        self.body.get_or_init(|| self.read_body()).as_ref()
    }

    fn read_body(&self) -> Option<Body> {
        let (start, len, sum) = self.body_at;
        let mut compressed = Vec::with_capacity(usize::try_from(len).ok()?);
        {
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            file.seek(SeekFrom::Start(start)).ok()?;
            (&mut *file).take(len).read_to_end(&mut compressed).ok()?;
        }
        if compressed.len() as u64 != len || xxhash_rust::xxh3::xxh3_64(&compressed) != sum {
            return None;
        }
        let mut frames = Vec::new();
        let (mut at, mut lines) = (0usize, 0u64);
        while at < compressed.len() {
            let rest = compressed.get(at..)?;
            let size = zstd::zstd_safe::find_frame_compressed_size(rest).ok().filter(|&n| n > 0)?;
            let frame = rest.get(..size)?;
            let content = zstd::zstd_safe::get_frame_content_size(frame).ok()??;
            // Checked by its checksum first. Report lines repeat far more
            // than the cache's sections (the same diagnostic in many
            // files), so the bound on sizes is looser.
            if content > (size as u64).saturating_mul(MAX_RATIO as u64) || content > FRAME as u64 {
                return None;
            }
            frames.push((at..at + size, lines, content as usize));
            lines += content;
            at += size;
        }
        let within = self.files.iter().flatten().all(|f| f.start.checked_add(f.len).is_some_and(|end| end <= lines));
        within.then_some(Body { compressed, frames })
    }

    /// A reader of the lines, front to back; `None` when the body does
    /// not read ([`Rendering::sound`]).
    pub fn reader(&self) -> Option<LinesReader<'_>> {
        Some(LinesReader { body: self.body()?, window: Vec::new(), spare: Vec::new() })
    }
}

/// Writes kept lines, decompressing the frames they lie in a few at a
/// time on the thread pool into buffers used again, so the lines of a
/// large archive are never all in memory; fastest when asked for in the
/// order they were written (the report's).
pub struct LinesReader<'r> {
    body: &'r Body,
    /// Frames decompressed: (index, lines).
    window: Vec<(usize, Vec<u8>)>,
    spare: Vec<Vec<u8>>,
}

impl LinesReader<'_> {
    /// Writes the lines of `fragment` to `out`.
    pub fn write(&mut self, fragment: &Fragment, out: &mut dyn Write) -> std::io::Result<()> {
        let mut at = fragment.start;
        let end = fragment.start.saturating_add(fragment.len);
        while at < end {
            let frame = self.body.frames.partition_point(|&(_, start, _)| start <= at).saturating_sub(1);
            let (_, start, len) = self.body.frames.get(frame).cloned().ok_or_else(damaged)?;
            let lines = self.frame(frame)?;
            let from = usize::try_from(at - start).map_err(|_| damaged())?;
            let to = usize::try_from(end.min(start + len as u64) - start).map_err(|_| damaged())?;
            out.write_all(lines.get(from..to).ok_or_else(damaged)?)?;
            at = start + to as u64;
        }
        Ok(())
    }

    /// The lines of frame `index`, with the frames after it decompressed
    /// alongside when it is not at hand.
    fn frame(&mut self, index: usize) -> std::io::Result<&[u8]> {
        if !self.window.iter().any(|(i, _)| *i == index) {
            self.spare.extend(self.window.drain(..).map(|(_, buffer)| buffer));
            let ahead = 2 * rayon::current_num_threads().max(1);
            let wanted: Vec<usize> = (index..self.body.frames.len().min(index + ahead)).collect();
            let mut buffers: Vec<Vec<u8>> = wanted.iter().map(|_| self.spare.pop().unwrap_or_default()).collect();
            let body = self.body;
            let done = buffers.par_iter_mut().zip(&wanted).all(|(buffer, &i)| {
                let Some((at, _, len)) = body.frames.get(i).cloned() else { return false };
                let Some(frame) = body.compressed.get(at) else { return false };
                buffer.clear();
                buffer.reserve(len);
                let mut decompressor = zstd::bulk::Decompressor::new().ok();
                decompressor.as_mut().and_then(|d| d.decompress_to_buffer(frame, buffer).ok()) == Some(len)
            });
            if !done {
                return Err(damaged());
            }
            self.window = wanted.into_iter().zip(buffers).collect();
        }
        let found = self.window.iter().find(|(i, _)| *i == index).map(|(_, lines)| lines.as_slice());
        found.ok_or_else(damaged)
    }
}

fn damaged() -> std::io::Error {
    std::io::Error::other("the report lines kept with the cache do not decompress (run with --no-cache)")
}

/// Where and for what a run's rendering of a workspace may be kept.
#[derive(Clone, Debug)]
pub struct Keep {
    pub(super) path: PathBuf,
    pub(super) program: String,
    pub(super) generation: u64,
    pub(super) format: String,
    /// How many entries the cache file has.
    pub(super) entries: usize,
    /// Per file of the run (its index), its entry in the cache file.
    pub entry_of: Vec<Option<u32>>,
}

/// A rendering being written: lines arrive file by file in report order
/// and are compressed in frames on the thread pool as they fill, so the
/// lines of a whole archive (hundreds of MB) are never held at once.
pub struct Writer {
    keep: Keep,
    files: Vec<Option<Fragment>>,
    current: Option<u32>,
    written: u64,
    buffer: Vec<u8>,
    frames: usize,
    sender: mpsc::Sender<(usize, std::io::Result<Vec<u8>>)>,
    receiver: mpsc::Receiver<(usize, std::io::Result<Vec<u8>>)>,
}

impl Writer {
    pub fn new(keep: Keep) -> Writer {
        let (sender, receiver) = mpsc::channel();
        Writer {
            files: vec![None; keep.entries],
            keep,
            current: None,
            written: 0,
            buffer: Vec::new(),
            frames: 0,
            sender,
            receiver,
        }
    }

    /// `entry` was reported, with these counts and pointing into those
    /// entries; its lines (none if it has no diagnostics) come through
    /// [`Writer::lines`].
    pub fn reported(&mut self, entry: u32, counts: [u32; 4], elsewhere: Vec<u32>) {
        if let Some(slot) = self.files.get_mut(entry as usize) {
            let fragment = slot.get_or_insert_with(Fragment::default);
            fragment.counts = counts;
            fragment.elsewhere = elsewhere;
        }
    }

    /// More lines of `entry`, in report order: the lines of one file come
    /// together, in one call or several in a row.
    pub fn lines(&mut self, entry: u32, bytes: &[u8]) {
        let Some(slot) = self.files.get_mut(entry as usize) else { return };
        let fragment = slot.get_or_insert_with(Fragment::default);
        if self.current != Some(entry) {
            self.current = Some(entry);
            fragment.start = self.written;
            fragment.len = 0;
        }
        fragment.len += bytes.len() as u64;
        self.written += bytes.len() as u64;
        self.buffer.extend_from_slice(bytes);
        while self.buffer.len() >= FRAME {
            let rest = self.buffer.split_off(FRAME);
            let full = std::mem::replace(&mut self.buffer, rest);
            self.compress(full);
        }
    }

    fn compress(&mut self, frame: Vec<u8>) {
        let (index, sender) = (self.frames, self.sender.clone());
        self.frames += 1;
        rayon::spawn(move || {
            let _ = sender.send((index, zstd::bulk::compress(&frame, LEVEL)));
        });
    }

    /// Writes the file (atomically).
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            let last = std::mem::take(&mut self.buffer);
            self.compress(last);
        }
        drop(self.sender);
        let mut frames: Vec<(usize, std::io::Result<Vec<u8>>)> = self.receiver.iter().collect();
        if frames.len() != self.frames {
            return Err(std::io::Error::other("a frame was not compressed"));
        }
        frames.sort_unstable_by_key(|(i, _)| *i);
        let body: Vec<Vec<u8>> = frames.into_iter().map(|(_, f)| f).collect::<std::io::Result<_>>()?;
        let body = body.concat();
        let table = Table {
            program: self.keep.program,
            generation: self.keep.generation,
            format: self.keep.format,
            files: self.files,
        };
        let table = postcard::to_stdvec(&table).map_err(std::io::Error::other)?;
        let table = zstd::bulk::compress(&table, LEVEL)?;
        let fields = [table.len() as u64, body.len() as u64, xxhash_rust::xxh3::xxh3_64(&body)];
        let mut checked: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
        checked.extend_from_slice(&table);
        let head_sum = xxhash_rust::xxh3::xxh3_64(&checked);
        store::prepare_dir(&self.keep.path)?;
        store::write_atomically(&self.keep.path, |out| {
            out.write_all(MAGIC)?;
            out.write_all(&head_sum.to_le_bytes())?;
            out.write_all(&checked)?;
            out.write_all(&body)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(dir: &Path, entries: usize) -> Keep {
        Keep {
            path: dir.join("ws-1.json.report"),
            program: "p".into(),
            generation: 7,
            format: "json".into(),
            entries,
            entry_of: Vec::new(),
        }
    }

    #[test]
    fn lines_written_file_by_file_read_back_by_entry() {
        let dir = tempfile::tempdir().unwrap();
        let keep = keep(dir.path(), 4);
        let mut w = Writer::new(keep.clone());
        // Entry 2 has lines over several calls and frames; 0 none; 3 not
        // reported.
        w.reported(0, [0; 4], vec![]);
        w.reported(2, [1, 2, 0, 0], vec![1]);
        w.reported(1, [0, 1, 0, 0], vec![]);
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let big: Vec<u8> = (0..FRAME + 100)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                b"abcdefghij {}\"\n"[(state % 15) as usize]
            })
            .collect();
        w.lines(2, b"first\n");
        w.lines(2, &big);
        w.lines(1, b"second\n");
        w.finish().unwrap();
        let r = Rendering::load(&keep.path, "p", 7, "json").expect("loads");
        let lines = |f: &Fragment| {
            let mut out = Vec::new();
            r.reader().unwrap().write(f, &mut out).ok().map(|()| out)
        };
        let two = r.fragment(2).unwrap().clone();
        assert_eq!((two.counts, two.elsewhere.clone()), ([1, 2, 0, 0], vec![1]));
        let mut expected = b"first\n".to_vec();
        expected.extend_from_slice(&big);
        assert!(lines(&two) == Some(expected), "the lines of entry 2 differ");
        assert_eq!(lines(r.fragment(1).unwrap()), Some(b"second\n".to_vec()));
        assert_eq!(lines(r.fragment(0).unwrap()), Some(Vec::new()));
        // Asked for out of order, by one reader.
        let mut reader = r.reader().unwrap();
        let mut out = Vec::new();
        for entry in [1, 2, 1, 0] {
            reader.write(r.fragment(entry).unwrap(), &mut out).unwrap();
        }
        assert!(out.starts_with(b"second\nfirst\n") && out.ends_with(b"second\n"));
        assert_eq!(out.len(), 2 * 7 + 6 + FRAME + 100);
        assert!(r.fragment(3).is_none());
        // Another generation, format or program: not this rendering.
        assert!(Rendering::load(&keep.path, "p", 8, "json").is_none());
        assert!(Rendering::load(&keep.path, "p", 7, "github").is_none());
        assert!(Rendering::load(&keep.path, "q", 7, "json").is_none());
    }

    #[test]
    fn a_damaged_rendering_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let keep = keep(dir.path(), 1);
        let mut w = Writer::new(keep.clone());
        w.reported(0, [1, 0, 0, 0], vec![]);
        w.lines(0, &[b'x'; 1000]);
        w.finish().unwrap();
        let good = std::fs::read(&keep.path).unwrap();
        // Any byte flipped: refused by its head or, in the body, before any
        // line is given.
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x20;
            std::fs::write(&keep.path, &bad).unwrap();
            if let Some(r) = Rendering::load(&keep.path, "p", 7, "json") {
                assert!(!r.sound(), "byte {at} went unnoticed");
            }
        }
        // Cut short anywhere: refused.
        for len in [0, 8, 20, good.len() - 1] {
            std::fs::write(&keep.path, &good[..len]).unwrap();
            assert!(Rendering::load(&keep.path, "p", 7, "json").is_none(), "{len} bytes");
        }
    }
}
