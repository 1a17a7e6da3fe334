//! Reading workspace files as UTF-8 text, one at a time or in parallel with
//! a caller's function applied to each (read and parse in one pass).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Why a file could not be read as text; `Display` is the message of the
/// `unreadable` diagnostic.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// The text is not UTF-8: `offset` is the byte where the first invalid
    /// sequence starts.
    NotUtf8 {
        offset: usize,
    },
    /// Offsets are `u32`, so a file must stay below 4 GiB.
    TooLarge {
        len: u64,
    },
    /// A FIFO, socket, device or folder: opening a FIFO blocks until a
    /// writer comes, and a device may never end, so only regular files
    /// (or links to them) are read.
    NotAFile,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read the file: {e}"),
            ReadError::NotUtf8 { offset } => write!(
                f,
                "the file is not valid UTF-8: invalid byte sequence at byte offset {offset}; save it as UTF-8"
            ),
            ReadError::TooLarge { len } => {
                write!(f, "the file is too large to check: {len} bytes (at most 4 GiB)")
            }
            ReadError::NotAFile => write!(f, "cannot read the file: it is not a regular file"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads `path` as UTF-8 text (a BOM is kept; the parser skips it).
/// Only a regular file is opened (a FIFO named `x.nmk` would block the
/// reader forever); what is read is bounded by 4 GiB even if the file grows.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    read_text_of(path, &meta)
}

/// [`read_text`] of a file whose metadata `meta` was just read (by a
/// caller that also wants it: the cache's stamp). A file's read is then
/// one `statx`, one `open`, two `read`s and one `close`: on a cold run
/// over 100,000 files, system calls are a tenth of the CPU.
pub fn read_text_of(path: &Path, meta: &std::fs::Metadata) -> Result<String, ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    let len = meta.len();
    if len > u64::from(u32::MAX) {
        return Err(ReadError::TooLarge { len });
    }
    let mut file = open_without_blocking(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::with_capacity(len as usize);
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, u64::from(u32::MAX) + 1), &mut bytes)
        .map_err(ReadError::Io)?;
    // More than the metadata said: the file grew, or the path was swapped
    // for something else (a device) since: the handle says which.
    if bytes.len() as u64 > len && !file.metadata().map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    if bytes.len() as u64 > u64::from(u32::MAX) {
        return Err(ReadError::TooLarge { len: bytes.len() as u64 });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 { offset: e.utf8_error().valid_up_to() })
}

/// Opens `path` for reading; on Linux without waiting for a writer, should
/// the path have become a FIFO since its metadata was read (the flag
/// changes nothing for a regular file).
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// Reads every path on rayon's pool and applies `f` to each result there;
/// the output is in the order of `paths`.
pub fn par_read_map<T, F>(paths: &[PathBuf], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(&Path, Result<String, ReadError>) -> T + Sync,
{
    paths.par_iter().with_max_len(1).map(|p| f(p, read_text(p))).collect()
}
