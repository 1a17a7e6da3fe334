//! The workspace on disk (spec §7): finding the root, discovering its
//! `.nmk` files, and reading them in parallel.
//!
//! Discovery rules beyond the spec's words, decided here:
//! * Hidden files and folders (name starting with `.`) are skipped: `.git`,
//!   editor lock files such as Emacs' `.#article.nmk`, and trash folders are
//!   never articles. The root itself may be hidden.
//! * Only the extension `.nmk` counts, case-sensitively.
//! * Symbolic links to folders are never followed: one whose target is in
//!   the root would list its files twice (and report every definition in
//!   them as a duplicate), one whose target is outside would leave the root;
//!   and loops cannot arise.
//! * A symbolic link to a file is taken when its resolved target is inside
//!   the root and is not itself a discovered file (then the link would be a
//!   second copy); among links to one target the first by path is kept. A
//!   link whose target is outside the root, or inside a nested workspace, is
//!   skipped silently (its target is not a file of this workspace); a link that cannot be resolved (dangling, or a loop)
//!   is reported in `errors`, as a file that cannot be read;
//!   `load::plan` turns it (and a folder that cannot be listed) into an
//!   `unreadable` diagnostic, while `.gitignore` problems stay warnings.
//! * A folder ignored by `.gitignore` or `exclude` is not entered, so a
//!   nested workspace inside it is not reported either.

mod membership;
mod read;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::config::{Config, FILE_NAME};

pub use membership::{Membership, Skip, changes_membership};
pub use read::{ReadError, par_read_map, read_text, read_text_of};

/// The nearest folder from `start` upwards (`start` itself first, or its
/// folder when it is a file) that holds `newsmark.toml`. A relative `start`
/// is taken from the current folder; symbolic links are not resolved, so
/// the answer is spelled like `start`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let first = if start.is_file() { start.parent()? } else { &start };
    first.ancestors().find(|dir| dir.join(FILE_NAME).is_file()).map(Path::to_path_buf)
}

/// What `discover` found under a root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// Every `.nmk` file of the workspace, sorted by path (the order §7's
    /// "first by path" refers to). Paths start with the `root` given.
    pub files: Vec<PathBuf>,
    /// Folders below the root holding their own `newsmark.toml`, sorted:
    /// each is a workspace of its own, left out of this one.
    pub nested_roots: Vec<PathBuf>,
    /// Folders or files that could not be read or resolved, and ignore files
    /// that could not be parsed, with a message; sorted by path.
    pub errors: Vec<(PathBuf, String)>,
}

/// Lists the workspace under `root` per §7 and the rules above. Walks in
/// parallel; the result does not depend on thread timing.
pub fn discover(root: &Path, config: &Config) -> Discovery {
    let mut out = Discovery::default();
    let canonical_root = match std::fs::canonicalize(root) {
        Ok(p) => p,
        Err(e) => {
            out.errors.push((root.to_path_buf(), format!("cannot read the workspace folder: {e}")));
            return out;
        }
    };
    let membership = match Membership::new(root, config) {
        Ok(m) => m,
        Err(message) => {
            out.errors.push((root.join(FILE_NAME), message));
            return out;
        }
    };
    let shared = Arc::new(Mutex::new(Found::default()));
    let mut builder = VisitorBuilder { root, membership: &membership, shared: &shared };
    WalkBuilder::new(root)
        .standard_filters(false)
        // Hidden entries are left out by `Membership::skips`.
        .hidden(false)
        .git_ignore(true)
        .parents(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .ignore(false)
        .follow_links(false)
        .build_parallel()
        .visit(&mut builder);
    let found = std::mem::take(&mut *shared.lock().unwrap_or_else(|e| e.into_inner()));

    out.files = found.files;
    sort_walked(&mut out.files);
    // A regular file's canonical path is the canonical root joined with its
    // relative path, since no symlinked folder is ever entered.
    let canonical_of = |p: &Path| p.strip_prefix(root).ok().map(|rel| canonical_root.join(rel));
    // Built only when there are links to check: 100,000 paths hashed
    // component by component cost a tenth of a second.
    let mut links = found.links;
    let mut taken: std::collections::HashSet<PathBuf> =
        if links.is_empty() { Default::default() } else { out.files.iter().filter_map(|p| canonical_of(p)).collect() };
    out.nested_roots = found.nested_roots;
    out.nested_roots.sort();
    let nested: Vec<PathBuf> = out.nested_roots.iter().filter_map(|p| canonical_of(p)).collect();
    links.sort();
    let walked = out.files.len();
    for link in links {
        match std::fs::canonicalize(&link) {
            Err(e) => out.errors.push((link, format!("cannot resolve the symbolic link: {e}"))),
            Ok(target) => {
                let inside = target.starts_with(&canonical_root) && !nested.iter().any(|n| target.starts_with(n));
                if inside && target.is_file() && taken.insert(target) {
                    out.files.push(link);
                }
            }
        }
    }
    // Comparing paths component by component is slow: a tree of 100,000
    // files took tens of milliseconds to sort again for no link.
    if out.files.len() > walked {
        sort_walked(&mut out.files);
    }
    out.errors.extend(found.errors);
    out.errors.sort();
    out
}

/// Sorts paths from the walk in `Path`'s order. Comparing paths component
/// by component took a quarter of a second for 100,000 files, most of a
/// warm `check`'s discovery, and comparing their bytes one by one still
/// took 75 ms on one thread. The walk yields paths that share their start
/// and go on with plain names joined by single `/`: for those, `Path`'s
/// order is their bytes compared with `/` below every other byte (a name
/// that is the start of another comes first). Each path's key is made
/// once, its bytes with `/` turned into the lowest byte (no path holds a
/// NUL), and the keys are compared as plain bytes, on every thread.
#[cfg(unix)]
fn sort_walked(paths: &mut [PathBuf]) {
    use rayon::prelude::*;
    use std::os::unix::ffi::OsStrExt;
    let key =
        |p: &PathBuf| -> Vec<u8> { p.as_os_str().as_bytes().iter().map(|&c| if c == b'/' { 0 } else { c }).collect() };
    paths.par_sort_by_cached_key(key);
}

#[cfg(not(unix))]
fn sort_walked(paths: &mut [PathBuf]) {
    paths.sort_unstable();
}

/// What the walker threads collect before sorting.
#[derive(Default)]
struct Found {
    files: Vec<PathBuf>,
    /// Symbolic links named `*.nmk`, resolved after the walk.
    links: Vec<PathBuf>,
    nested_roots: Vec<PathBuf>,
    errors: Vec<(PathBuf, String)>,
}

struct VisitorBuilder<'s> {
    root: &'s Path,
    membership: &'s Membership,
    shared: &'s Arc<Mutex<Found>>,
}

impl<'s> ParallelVisitorBuilder<'s> for VisitorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor { root: self.root, membership: self.membership, shared: self.shared, found: Found::default() })
    }
}

/// One walker thread's collector; it hands its findings over when dropped,
/// so threads do not contend on a lock per file.
struct Visitor<'s> {
    root: &'s Path,
    membership: &'s Membership,
    shared: &'s Arc<Mutex<Found>>,
    found: Found,
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        let found = std::mem::take(&mut self.found);
        shared.files.extend(found.files);
        shared.links.extend(found.links);
        shared.nested_roots.extend(found.nested_roots);
        shared.errors.extend(found.errors);
    }
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let (path, message) = describe(&err);
                self.found.errors.push((path.unwrap_or_else(|| self.root.to_path_buf()), message));
                return WalkState::Continue;
            }
        };
        // A `.gitignore` that could not be read or parsed in part.
        if let Some(err) = entry.error() {
            let (path, message) = describe(err);
            self.found.errors.push((path.unwrap_or_else(|| entry.path().to_path_buf()), message));
        }
        if entry.depth() == 0 {
            return WalkState::Continue;
        }
        let path = entry.path();
        let Some(file_type) = entry.file_type() else {
            return WalkState::Continue;
        };
        match self.membership.skips(path, file_type.is_dir()) {
            Some(Skip::NestedRoot) => {
                self.found.nested_roots.push(path.to_path_buf());
                return WalkState::Skip;
            }
            Some(Skip::Hidden | Skip::Excluded) => return WalkState::Skip,
            None => {}
        }
        if !file_type.is_dir() && path.extension().is_some_and(|e| e == "nmk") {
            if file_type.is_file() {
                self.found.files.push(path.to_path_buf());
            } else if file_type.is_symlink() {
                self.found.links.push(path.to_path_buf());
            }
        }
        WalkState::Continue
    }
}

/// The path an `ignore` error is about, and a message without that path.
fn describe(err: &ignore::Error) -> (Option<PathBuf>, String) {
    use ignore::Error as E;
    match err {
        E::WithPath { path, err } => (Some(path.clone()), describe(err).1),
        E::WithDepth { err, .. } => describe(err),
        E::WithLineNumber { line, err } => {
            let (path, message) = describe(err);
            (path, format!("line {line}: {message}"))
        }
        E::Partial(errs) => {
            let parts: Vec<_> = errs.iter().map(describe).collect();
            let path = parts.iter().find_map(|(p, _)| p.clone());
            let messages: Vec<_> = parts.into_iter().map(|(_, m)| m).collect();
            (path, messages.join("; "))
        }
        E::Loop { child, .. } => (Some(child.clone()), "symbolic link loop".to_string()),
        E::Io(e) => (None, format!("cannot read: {e}")),
        other => (None, other.to_string()),
    }
}
pub mod cache;
pub mod load;
pub mod open;
