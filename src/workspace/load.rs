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
    /// Paths discovery could not read — a `.nmk` symbolic link that is
    /// dangling or loops, a folder that cannot be listed — with why. Each
    /// becomes a file of the workspace with a read error, so it is reported
    /// as `unreadable` (§9: "a file that cannot be read") like a file that
    /// is not UTF-8: an error by default, configurable in `[rules]`, and a
    /// CI run cannot pass while articles went unread.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// What discovery found under a root, nested workspaces included.
pub struct Plan {
    pub workspaces: Vec<PlannedWorkspace>,
    /// `.gitignore` files that could not be read or parsed in part: not
    /// Newsmark files, so no diagnostic; `check` prints them as warnings.
    pub problems: Vec<(PathBuf, String)>,
}

/// Discovers `root` and every nested workspace below it. An invalid
/// `newsmark.toml` anywhere is an error: a workspace is never checked with
/// a config that was silently dropped.
pub fn plan(root: &Path) -> Result<Plan, LoadError> {
    plan_with(root, &mut |dir| Ok(Arc::new(config::load(dir)?.unwrap_or_default())))
}

/// [`plan`], with the caller deciding the config of each workspace folder
/// (the server keeps the last good config when a `newsmark.toml` is
/// invalid, where `check` stops).
pub fn plan_with(
    root: &Path,
    config_for: &mut dyn FnMut(&Path) -> Result<Arc<Config>, LoadError>,
) -> Result<Plan, LoadError> {
    let mut plan = Plan { workspaces: Vec::new(), problems: Vec::new() };
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let config = config_for(&dir)?;
        let found = discover(&dir, &config);
        let (problems, unreadable): (Vec<_>, Vec<_>) = found.errors.into_iter().partition(|(p, _)| is_ignore_file(p));
        plan.problems.extend(problems);
        pending.extend(found.nested_roots);
        plan.workspaces.push(PlannedWorkspace { root: dir, config, files: found.files, unreadable });
    }
    plan.workspaces.sort_by(|a, b| a.root.cmp(&b.root));
    Ok(plan)
}

impl Plan {
    pub fn file_count(&self) -> usize {
        self.workspaces.iter().map(|w| w.files.len() + w.unreadable.len()).sum()
    }

    /// Reads, parses and indexes every file. Paths are shown relative to
    /// `display_base`; `on_file_done` is called once per file from any
    /// thread.
    pub fn build(self, display_base: &Path, on_file_done: &(dyn Fn() + Sync)) -> Vec<Workspace> {
        self.build_with(display_base, true, on_file_done)
    }

    /// [`build`](Self::build), keeping the file texts only when
    /// `keep_texts` (see [`Workspace::build_with`]).
    pub fn build_with(self, display_base: &Path, keep_texts: bool, on_file_done: &(dyn Fn() + Sync)) -> Vec<Workspace> {
        self.workspaces
            .into_iter()
            .map(|p| {
                let load = |path: &Path| load_file(path, display_base);
                let mut ws = Workspace::build_with(p.root, p.config, &p.files, load, keep_texts, on_file_done);
                for (path, message) in p.unreadable {
                    // The root itself (unreadable) would show as "".
                    let display_path = Some(display_path(&path, display_base))
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| ".".to_owned());
                    ws.set_file(LoadedFile { path, display_path, content: Err(message) }, None);
                    on_file_done();
                }
                ws
            })
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

/// `path` relative to `base`, `/`-separated, with `../` for each folder of
/// `base` it lies outside of (`../desk/a.nmk`), as ruff, eslint and rustc
/// print paths; `""` for `base` itself. Both are taken as spelled (the
/// callers pass canonical paths); a path that shares nothing with `base`
/// (another drive) is shown whole.
pub fn display_path(path: &Path, base: &Path) -> String {
    // Most paths lie under `base` with nothing to normalize: the rest of
    // the path as it is (a warm check shows 100,000 of them).
    if let Some(rest) = plain_rest(path, base) {
        return rest.to_owned();
    }
    display_path_by_components(path, base)
}

/// The part of `path` after `base` and a `/`, when that part is UTF-8 and
/// all plain names (no empty or `.` component), so that it is already
/// what [`display_path_by_components`] would make of it.
#[cfg(unix)]
fn plain_rest<'p>(path: &'p Path, base: &Path) -> Option<&'p str> {
    use std::os::unix::ffi::OsStrExt;
    let base = base.as_os_str().as_bytes();
    let rest = path.as_os_str().as_bytes().strip_prefix(base)?.strip_prefix(b"/")?;
    let rest = std::str::from_utf8(rest).ok()?;
    let plain = !base.is_empty() && !base.ends_with(b"/") && !rest.split('/').any(|c| c.is_empty() || c == ".");
    plain.then_some(rest)
}

#[cfg(not(unix))]
fn plain_rest<'p>(_path: &'p Path, _base: &Path) -> Option<&'p str> {
    None
}

/// [`display_path`] the long way: component by component.
pub(crate) fn display_path_by_components(path: &Path, base: &Path) -> String {
    let path_parts: Vec<_> = path.components().collect();
    let base_parts: Vec<_> = base.components().collect();
    let common = path_parts.iter().zip(&base_parts).take_while(|(a, b)| a == b).count();
    if common == 0 && !path_parts.is_empty() && path.is_absolute() {
        return path.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/");
    }
    let ups = std::iter::repeat_n("..".to_string(), base_parts.len() - common);
    let downs = path_parts.iter().skip(common).map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}

/// A problem with an ignore file (`.gitignore`, or the `exclude` globs of
/// `newsmark.toml`) rather than with a path of the workspace.
fn is_ignore_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == ".gitignore" || n == crate::config::FILE_NAME)
}
