//! Loading workspaces from disk: discover the files of a root and of every
//! nested workspace below it, load each one's config, then read and parse
//! all files in parallel into [`Workspace`]s. Used by `check` and the server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{LoadedFile, Workspace};
use crate::config::{self, Config, LoadError};

use super::{discover, read_text};

/// One workspace to build: its root, config and files.
pub struct PlannedWorkspace {
    pub root: PathBuf,
    pub config: Arc<Config>,
    pub files: Vec<PathBuf>,
}

/// What discovery found under a root, nested workspaces included.
pub struct Plan {
    pub workspaces: Vec<PlannedWorkspace>,
    /// Folders that could not be read, ignore files that did not parse.
    pub problems: Vec<(PathBuf, String)>,
}

/// Discovers `root` and every nested workspace below it. An invalid
/// `newsmark.toml` anywhere is an error: a workspace is never checked with
/// a config that was silently dropped.
pub fn plan(root: &Path) -> Result<Plan, LoadError> {
    let mut plan = Plan { workspaces: Vec::new(), problems: Vec::new() };
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let config = config::load(&dir)?.unwrap_or_default();
        let found = discover(&dir, &config);
        plan.problems.extend(found.errors);
        pending.extend(found.nested_roots);
        plan.workspaces.push(PlannedWorkspace { root: dir, config: Arc::new(config), files: found.files });
    }
    plan.workspaces.sort_by(|a, b| a.root.cmp(&b.root));
    Ok(plan)
}

impl Plan {
    pub fn file_count(&self) -> usize {
        self.workspaces.iter().map(|w| w.files.len()).sum()
    }

    /// Reads, parses and indexes every file. Paths are shown relative to
    /// `display_base`; `on_file_done` is called once per file from any
    /// thread.
    pub fn build(self, display_base: &Path, on_file_done: &(dyn Fn() + Sync)) -> Vec<Workspace> {
        self.workspaces
            .into_iter()
            .map(|p| Workspace::build(p.root, p.config, &p.files, |path| load_file(path, display_base), on_file_done))
            .collect()
    }
}

/// Reads one file for the workspace.
pub fn load_file(path: &Path, display_base: &Path) -> LoadedFile {
    LoadedFile {
        path: path.to_path_buf(),
        display_path: display_path(path, display_base),
        content: read_text(path).map_err(|e| e.to_string()),
    }
}

/// `path` relative to `base` with `/` separators, or the whole path when it
/// is not below `base`.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}
