//! The cache the server writes when it found none it could use (none yet,
//! another version's, a damaged one): the summaries of the files as it
//! read them from disk, and no diagnostics. The next start of the server
//! takes every unchanged file's summary from it, and the next `check`
//! takes the summaries too and diagnoses every file (then writes the
//! cache whole). A cache it could use is never written over: its
//! diagnostics must stay those of the summaries stored with them, and the
//! server computes no diagnostics of files that are not open.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis::{Interner, SourceFile};

use super::diagnose::rel_path;
use super::stamp::{Nanos, Stamp};
use super::store::{self, Entry, FramedSection, Header, Part, PartBuilder, Sections};

/// A cache file to write from the summaries of a workspace just loaded.
pub struct SeedCache {
    pub(super) path: PathBuf,
    /// The cache file's metadata when the load looked for it (`None`: no
    /// file). Another run that wrote it since wins: it is left as it is.
    pub(super) found: Option<Stamp>,
    pub(super) header: Header,
    pub(super) root: PathBuf,
    /// Each file read from disk, with its metadata as read and its hash:
    /// their summaries are those of those bytes. (The workspace may hold
    /// other ones by the time this is written, an open document's; these
    /// `Arc`s are never changed in place.)
    pub(super) files: Vec<(Arc<SourceFile>, Stamp, (u64, u64))>,
    pub(super) interner: Arc<Interner>,
    /// When the run that read the files started (`Entry::read_since`).
    pub(super) started: Nanos,
}

impl SeedCache {
    /// The cache file's metadata now (`None`: no such file).
    pub(super) fn stamp_of(path: &Path) -> Option<Stamp> {
        std::fs::metadata(path).ok().map(|m| Stamp::of(&m))
    }

    /// Writes the cache file (atomically, as `check` does), unless another
    /// run wrote it since the load looked: a line for the client's log.
    /// Never fails the server: an unwritable folder is a line too.
    pub fn write(self) -> String {
        if Self::stamp_of(&self.path) != self.found {
            return format!("the cache {} was written by another run meanwhile; kept as it is", self.path.display());
        }
        match self.save() {
            Ok(count) => format!("wrote the cache {}: the summaries of {count} files", self.path.display()),
            Err(e) => format!("note: cannot write the cache {}: {e}", self.path.display()),
        }
    }

    /// Writes the cache file; how many files it holds.
    fn save(&self) -> std::io::Result<usize> {
        let mut summaries = FramedSection::default();
        let mut entries = Vec::with_capacity(self.files.len());
        // Serialized in parallel a batch at a time (not all held twice),
        // laid end to end in path order.
        for batch in self.files.chunks(store::SERIALIZED_AT_ONCE) {
            let stored: Vec<Option<Vec<u8>>> =
                batch.par_iter().map(|(file, ..)| store::summary_bytes(&file.summary, &self.interner)).collect();
            for ((file, stamp, hash), bytes) in batch.iter().zip(stored) {
                // An error is never expected; the file is left out (parsed
                // again next time).
                let Some(bytes) = bytes else { continue };
                entries.push(Entry {
                    path: rel_path(&self.root, &file.path),
                    stamp: *stamp,
                    read_since: self.started,
                    hash: *hash,
                    summary: summaries.push(&bytes)?,
                    diagnosed: None,
                    words: None,
                });
            }
        }
        let count = entries.len();
        let sections = Sections {
            diagnosed: Part::Built(PartBuilder::new(None, store::DIAGNOSTICS)),
            summaries: summaries.finish()?,
        };
        store::save(&self.path, self.header.clone(), entries, sections)?;
        Ok(count)
    }
}
