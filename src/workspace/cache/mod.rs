//! The persistent cache of spec §16, shared by `check` and the server:
//! per file, its summary, its diagnostics and a filter of its prose words,
//! keyed by the file's bytes (metadata trusted as git trusts its index,
//! see `stamp`), the config and the program. A run takes from it what no
//! change can have touched (see `delta`) and computes the rest; the output
//! is the same with or without it.
//!
//! The cache lives in `.newsmark_cache/` in the root (or `--cache-dir`,
//! `NEWSMARK_CACHE_DIR`), one file per workspace (`store`). Anything wrong
//! with it (corrupt, another version, not writable) costs at most a note
//! on stderr and a cold run.

mod delta;
mod diagnose;
mod directory;
mod moves;
mod narrowed;
mod rendered;
mod run;
mod seed;
mod stamp;
mod store;

use std::path::{Path, PathBuf};

pub use diagnose::{Diagnosed, Positions, diagnose_file};
pub use rendered::{Fragment, Keep, LinesReader, Rendering, Writer as RenderingWriter};
pub use run::{CheckedFile, CheckedWorkspace, Replayed, RunCache, RunStats, Unverified, check_plan, load_workspace};
pub use seed::SeedCache;
pub use stamp::{RACY_WINDOW, Stamp};

/// The default cache folder, in the workspace root.
pub const DEFAULT_DIR: &str = ".newsmark_cache";
/// Environment variable naming the cache folder.
pub const DIR_ENV: &str = "NEWSMARK_CACHE_DIR";

/// Where the cache is, if it is used at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheSettings {
    /// `None`: neither read nor written (`--no-cache`).
    pub dir: Option<PathBuf>,
}

impl CacheSettings {
    /// `--no-cache` wins, then `--cache-dir`, then `NEWSMARK_CACHE_DIR`,
    /// then `.newsmark_cache` in `root`. A relative folder is taken from
    /// the current folder.
    pub fn resolve(no_cache: bool, cache_dir: Option<&Path>, root: &Path) -> CacheSettings {
        if no_cache {
            return CacheSettings { dir: None };
        }
        let chosen = cache_dir
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(DIR_ENV).filter(|v| !v.is_empty()).map(PathBuf::from));
        let dir = match chosen {
            Some(d) => std::path::absolute(&d).unwrap_or(d),
            None => root.join(DEFAULT_DIR),
        };
        CacheSettings { dir: Some(dir) }
    }

    pub fn disabled() -> CacheSettings {
        CacheSettings { dir: None }
    }
}
