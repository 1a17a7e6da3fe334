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
//! every file end to end, in frames of LZ4 blocks (the sizes of each in
//! the table). LZ4, not the zstd of the cache's sections: a run that
//! changed nothing writes every line again (hundreds of MB on a large
//! archive), and LZ4 gives them back twice as fast, for a body half as
//! large again.
//! Written atomically like the cache file. It is used only with the cache
//! file of the same generation, so a stale or foreign one is never read
//! as current.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use serde::{Deserialize, Serialize};

use super::store::{self, FRAME};

/// Its head: the magic, then the fields of `store::side_head` (the body's
/// length and checksum).
const MAGIC: &[u8; 8] = b"NMKREPR2";
/// More than this many bytes of lines per byte stored is not a body this
/// program wrote (LZ4 gives at most 255).
const MAX_RATIO: u64 = 256;

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
    /// The body's frames in order: the bytes stored, the bytes of lines.
    frames: Vec<(u64, u64)>,
}

/// Where the rendering in `format` of the cache file `cache_file` lives.
pub fn path_for(cache_file: &Path, format: &str) -> PathBuf {
    cache_file.with_extension(format!("{format}.report"))
}

/// A rendering read back: its table, and its body when it is used.
pub struct Rendering {
    files: Vec<Option<Fragment>>,
    /// The body's frames, as the table gives them.
    frames: Vec<(u64, u64)>,
    file: Mutex<File>,
    body_at: (u64, u64, u64),
    body: OnceLock<Option<Body>>,
}

/// The body as stored, checked, with where each frame lies.
struct Body {
    /// Shared with the frames being decompressed.
    compressed: Arc<Vec<u8>>,
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
        let (fields, table, body_start): (_, Table, _) = store::read_side_head(&file, MAGIC, 2)?;
        let [body_len, body_sum] = fields[..] else { return None };
        if body_start.checked_add(body_len)? != size {
            return None;
        }
        if table.program != program || table.generation != generation || table.format != format {
            return None;
        }
        Some(Rendering {
            files: table.files,
            frames: table.frames,
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
        let mut frames = Vec::with_capacity(self.frames.len());
        let (mut at, mut lines) = (0usize, 0u64);
        for &(size, content) in &self.frames {
            // Checked by its checksum first; a table that does not add up
            // is not one this program wrote.
            if content > size.saturating_mul(MAX_RATIO) || content > FRAME as u64 {
                return None;
            }
            let size = usize::try_from(size).ok()?;
            let end = at.checked_add(size).filter(|&end| end <= compressed.len())?;
            frames.push((at..end, lines, content as usize));
            lines += content;
            at = end;
        }
        if at != compressed.len() {
            return None;
        }
        let within = self.files.iter().flatten().all(|f| f.start.checked_add(f.len).is_some_and(|end| end <= lines));
        within.then_some(Body { compressed: Arc::new(compressed), frames })
    }

    /// A reader of the lines, front to back; `None` when the body does
    /// not read ([`Rendering::sound`]).
    pub fn reader(&self) -> Option<LinesReader<'_>> {
        Some(LinesReader { body: self.body()?, current: None, pending: Default::default(), spare: Default::default() })
    }
}

/// Writes kept lines, the frames they lie in decompressed ahead on the
/// thread pool while earlier ones are written, into buffers used again, so
/// the lines of a large archive are never all in memory; fastest when
/// asked for in the order they were written (the report's).
pub struct LinesReader<'r> {
    body: &'r Body,
    /// The frame whose lines are at hand: (index, lines).
    current: Option<(usize, Vec<u8>)>,
    /// Frames asked for, in order, each arriving when decompressed
    /// (`None` when it does not decompress).
    pending: VecDeque<(usize, mpsc::Receiver<Option<Vec<u8>>>)>,
    /// Buffers written out, for the next frames.
    spare: Arc<Mutex<Vec<Vec<u8>>>>,
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

    /// The lines of frame `index`. The frames after it are decompressed
    /// meanwhile, a few on each thread of the pool.
    fn frame(&mut self, index: usize) -> std::io::Result<&[u8]> {
        if self.current.as_ref().is_none_or(|(i, _)| *i != index) {
            if let Some((_, done)) = self.current.take() {
                self.spare.lock().unwrap_or_else(|e| e.into_inner()).push(done);
            }
            // Frames asked for before this one are not wanted any more;
            // when it was not asked for, neither are the others.
            while self.pending.front().is_some_and(|(i, _)| *i < index) {
                self.pending.pop_front();
            }
            if self.pending.front().is_none_or(|(i, _)| *i != index) {
                self.pending.clear();
            }
            let ahead = 2 * rayon::current_num_threads().max(1);
            let mut next = self.pending.back().map_or(index, |(i, _)| i + 1);
            while next < self.body.frames.len().min(index + 1 + ahead) {
                self.pending.push_back((next, self.decompress(next)));
                next += 1;
            }
            let (_, arriving) = self.pending.pop_front().ok_or_else(damaged)?;
            let lines = arriving.recv().ok().flatten().ok_or_else(damaged)?;
            self.current = Some((index, lines));
        }
        Ok(self.current.as_ref().map_or(&[][..], |(_, lines)| lines.as_slice()))
    }

    /// Frame `index` decompressed on the pool, or here when this is a
    /// thread of the pool (waiting there for the pool could wait forever).
    fn decompress(&self, index: usize) -> mpsc::Receiver<Option<Vec<u8>>> {
        let (send, arriving) = mpsc::sync_channel(1);
        let compressed = Arc::clone(&self.body.compressed);
        let frame = self.body.frames.get(index).cloned();
        let spare = Arc::clone(&self.spare);
        let work = move || {
            let mut buffer = spare.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
            let lines = frame.and_then(|(at, _, len)| {
                let frame = compressed.get(at)?;
                // Zeroed only where it grows: the buffers are used again.
                buffer.resize(len, 0);
                (lz4_flex::block::decompress_into(frame, &mut buffer).ok() == Some(len)).then_some(buffer)
            });
            let _ = send.send(lines);
        };
        if rayon::current_thread_index().is_some() {
            work()
        } else {
            rayon::spawn(work)
        }
        arriving
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
    /// Bytes of lines per frame ([`FRAME`]; fewer in tests).
    frame_len: usize,
    frames: usize,
    /// Frames compressed: (index, bytes stored, bytes of lines).
    sender: mpsc::Sender<(usize, Vec<u8>, usize)>,
    receiver: mpsc::Receiver<(usize, Vec<u8>, usize)>,
}

impl Writer {
    pub fn new(keep: Keep) -> Writer {
        Writer::with_frames_of(keep, FRAME)
    }

    fn with_frames_of(keep: Keep, frame_len: usize) -> Writer {
        let (sender, receiver) = mpsc::channel();
        Writer {
            files: vec![None; keep.entries],
            keep,
            current: None,
            written: 0,
            buffer: Vec::new(),
            frame_len,
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
        while self.buffer.len() >= self.frame_len {
            let rest = self.buffer.split_off(self.frame_len);
            let full = std::mem::replace(&mut self.buffer, rest);
            self.compress(full);
        }
    }

    fn compress(&mut self, frame: Vec<u8>) {
        let (index, sender) = (self.frames, self.sender.clone());
        self.frames += 1;
        rayon::spawn(move || {
            let _ = sender.send((index, lz4_flex::block::compress(&frame), frame.len()));
        });
    }

    /// Writes the file (atomically).
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            let last = std::mem::take(&mut self.buffer);
            self.compress(last);
        }
        drop(self.sender);
        let mut frames: Vec<(usize, Vec<u8>, usize)> = self.receiver.iter().collect();
        if frames.len() != self.frames {
            return Err(std::io::Error::other("a frame was not compressed"));
        }
        frames.sort_unstable_by_key(|(i, _, _)| *i);
        let sizes = frames.iter().map(|(_, stored, lines)| (stored.len() as u64, *lines as u64)).collect();
        let body = frames.into_iter().map(|(_, stored, _)| stored).collect::<Vec<_>>().concat();
        let table = Table {
            program: self.keep.program,
            generation: self.keep.generation,
            format: self.keep.format,
            files: self.files,
            frames: sizes,
        };
        let head = store::side_head(MAGIC, &[body.len() as u64, xxhash_rust::xxh3::xxh3_64(&body)], &table)?;
        store::prepare_dir(&self.keep.path)?;
        store::write_atomically(&self.keep.path, |out| {
            out.write_all(&head)?;
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
    fn lines_of_many_frames_come_back_in_any_order_asked() {
        let dir = tempfile::tempdir().unwrap();
        let files = 60;
        let keep = keep(dir.path(), files);
        // Frames of 50 bytes: each file's lines span frames, and there are
        // many more frames than are decompressed ahead.
        let mut w = Writer::with_frames_of(keep.clone(), 50);
        let lines: Vec<Vec<u8>> =
            (0..files).map(|i| format!("{i}: {}\n", "line of the file ".repeat(i % 7 + 1)).into_bytes()).collect();
        for (i, l) in lines.iter().enumerate() {
            w.reported(i as u32, [0; 4], vec![]);
            w.lines(i as u32, l);
        }
        w.finish().unwrap();
        let r = Rendering::load(&keep.path, "p", 7, "json").expect("loads");
        assert!(r.frames.len() > 4 * rayon::current_num_threads() + 10, "{} frames", r.frames.len());
        // In order, in a scattered order (forward and back, skipping
        // ahead), and backwards: one reader each, every line as written.
        let scattered: Vec<usize> = (0..files).map(|i| i * 37 % files).collect();
        for order in [(0..files).collect::<Vec<_>>(), scattered, (0..files).rev().collect()] {
            let mut reader = r.reader().unwrap();
            for &i in &order {
                let mut out = Vec::new();
                reader.write(r.fragment(i).unwrap(), &mut out).unwrap();
                assert!(out == lines[i], "file {i} in order {order:?}");
            }
        }
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
