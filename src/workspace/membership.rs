//! The one membership rule (spec §7 and the discovery rules of this
//! module's parent): whether a path is a file of the workspace under a
//! root. The walk applies it entry by entry ([`Membership::skips`], with
//! the `ignore` crate applying `.gitignore`); a path that comes from
//! elsewhere (a watched-file event, a document opened or closed in the
//! editor) is judged whole by [`Membership::admits`], which applies the
//! same entry rule to each of its components and the same `.gitignore`
//! files, deepest first.

use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::config::{Config, FILE_NAME};

/// The rule for one workspace root and its config.
pub struct Membership {
    root: PathBuf,
    exclude: Gitignore,
}

/// Why the walk leaves an entry out (`None` from [`Membership::skips`]:
/// it goes on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// A hidden file or folder (name starting with `.`).
    Hidden,
    /// Matched by the config's `exclude` globs.
    Excluded,
    /// A folder holding its own `newsmark.toml`: a workspace of its own.
    NestedRoot,
}

impl Membership {
    /// Fails only for a config whose `exclude` globs are invalid (which
    /// parsing the config already rejects).
    pub fn new(root: &Path, config: &Config) -> Result<Membership, String> {
        Ok(Membership { root: root.to_path_buf(), exclude: config.exclude_matcher(root)? })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The rule for one entry below the root, `.gitignore` aside: `path`
    /// is the entry, `is_dir` whether it is a folder (not a link to one).
    pub fn skips(&self, path: &Path, is_dir: bool) -> Option<Skip> {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            return Some(Skip::Hidden);
        }
        if self.exclude.matched(rel, is_dir).is_ignore() {
            return Some(Skip::Excluded);
        }
        if is_dir && path.join(FILE_NAME).is_file() {
            return Some(Skip::NestedRoot);
        }
        None
    }

    /// Whether the walk would list `path` as a file of this workspace:
    /// a `.nmk` file below the root, reached without a hidden, excluded,
    /// ignored or linked folder or a nested workspace on the way, itself
    /// neither hidden, excluded nor ignored, and a regular file or a link
    /// to a regular file inside the root. A FIFO, a folder or a link out of
    /// the root is never admitted, so it is never read. (The walk's finer
    /// rule for two links to one target is left to the next full walk.)
    pub fn admits(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else { return false };
        if path.extension().is_none_or(|e| e != "nmk") || rel.as_os_str().is_empty() {
            return false;
        }
        let mut at = self.root.clone();
        let mut parts = rel.components().peekable();
        while let Some(part) = parts.next() {
            at.push(part);
            let Ok(meta) = std::fs::symlink_metadata(&at) else { return false };
            let last = parts.peek().is_none();
            if !last && !meta.is_dir() {
                return false;
            }
            if self.skips(&at, !last).is_some() || self.gitignored(&at, !last) {
                return false;
            }
            if last {
                return if meta.file_type().is_symlink() { self.link_inside(&at) } else { meta.is_file() };
            }
        }
        false
    }

    /// Whether `path` names a file of the workspace through symbolic links
    /// to folders inside the root (an editor may open it by that name):
    /// its resolved path, taken below the root, is admitted.
    pub fn admits_resolved(&self, path: &Path) -> bool {
        let (Ok(real), Ok(root)) = (std::fs::canonicalize(path), std::fs::canonicalize(&self.root)) else {
            return false;
        };
        match real.strip_prefix(&root) {
            Ok(rel) => self.root.join(rel) != path && self.admits(&self.root.join(rel)),
            Err(_) => false,
        }
    }

    /// A link to a regular file inside the root (the walk's rule for links).
    fn link_inside(&self, link: &Path) -> bool {
        let (Ok(target), Ok(root)) = (std::fs::canonicalize(link), std::fs::canonicalize(&self.root)) else {
            return false;
        };
        target.starts_with(root) && target.is_file()
    }

    /// Whether the `.gitignore` files of the root and the folders down to
    /// `path` ignore it: the deepest file that says anything decides, as in
    /// the walk (and in git).
    fn gitignored(&self, path: &Path, is_dir: bool) -> bool {
        let Some(parent) = path.parent() else { return false };
        for dir in parent.ancestors().take_while(|d| d.starts_with(&self.root)) {
            let file = dir.join(".gitignore");
            if !file.is_file() {
                continue;
            }
            let mut builder = GitignoreBuilder::new(dir);
            // A line that cannot be parsed is skipped, as the walk skips it.
            let _ = builder.add(&file);
            let Ok(rules) = builder.build() else { continue };
            match rules.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

/// Whether a change to `path` can change which files a workspace holds:
/// a `.gitignore` or a `newsmark.toml` (its `exclude`, or a new nested
/// workspace).
pub fn changes_membership(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == ".gitignore" || n == FILE_NAME)
}
