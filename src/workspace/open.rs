//! Opening the workspaces that given files or folders belong to (for the
//! exports): each path's root is found as §7 says, each root (with the
//! workspaces nested below it) is loaded once, and a file its workspace
//! leaves out (ignored, excluded) is added to it, so that naming a file
//! always exports it.

use std::path::{Path, PathBuf};

use super::load;
use crate::analysis::Workspace;

/// What a path stands for: the files it names, each as (workspace index in
/// [`Opener::workspaces`] of its root, absolute path), sorted.
pub struct Opened {
    pub root: usize,
    pub files: Vec<(usize, PathBuf)>,
}

/// The workspaces loaded so far, by root.
#[derive(Default)]
pub struct Opener {
    roots: Vec<(PathBuf, Vec<Workspace>)>,
}

impl Opener {
    /// Resolves a file or a folder (every file of the workspaces below it).
    /// Errors name the path and say what is wrong; `on_new_root` sees each
    /// root's workspaces once, when they are loaded.
    pub fn open(&mut self, path: &Path, on_new_root: &mut dyn FnMut(&[Workspace])) -> Result<Opened, String> {
        let canonical = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let is_dir = canonical.is_dir();
        let folder =
            if is_dir { canonical.clone() } else { canonical.parent().unwrap_or(Path::new("/")).to_path_buf() };
        let root = super::find_root(&folder).and_then(|r| std::fs::canonicalize(r).ok()).unwrap_or(folder);
        let at = match self.roots.iter().position(|(r, _)| *r == root) {
            Some(at) => at,
            None => {
                let workspaces = load_root(&root).map_err(|e| format!("{}: {e}", root.display()))?;
                on_new_root(&workspaces);
                self.roots.push((root, workspaces));
                self.roots.len() - 1
            }
        };
        let workspaces = &mut self.roots[at].1;
        let mut files = Vec::new();
        if is_dir {
            for (w, ws) in workspaces.iter().enumerate() {
                files.extend(
                    ws.files().map(|(_, f)| f.path.clone()).filter(|p| p.starts_with(&canonical)).map(|p| (w, p)),
                );
            }
            files.sort_by(|a, b| a.1.cmp(&b.1));
        } else {
            let w = match workspaces.iter().position(|ws| ws.file_id(&canonical).is_some()) {
                Some(w) => w,
                None => {
                    // Ignored or excluded: opened all the same, in the
                    // workspace whose root is nearest.
                    let w = workspaces
                        .iter()
                        .enumerate()
                        .filter(|(_, ws)| canonical.starts_with(&ws.root))
                        .max_by_key(|(_, ws)| ws.root.components().count())
                        .map_or(0, |(w, _)| w);
                    if let Some(ws) = workspaces.get_mut(w) {
                        let base = ws.root.clone();
                        ws.set_file(load::load_file(&canonical, &base), None);
                    }
                    w
                }
            };
            files.push((w, canonical));
        }
        Ok(Opened { root: at, files })
    }

    /// The workspaces of the `root`-th root opened.
    pub fn workspaces(&self, root: usize) -> &[Workspace] {
        self.roots.get(root).map_or(&[], |(_, w)| w)
    }
}

/// Every workspace whose root is `root` or a nested root below it.
fn load_root(root: &Path) -> Result<Vec<Workspace>, String> {
    let plan = load::plan(root).map_err(|e| e.to_string())?;
    for (path, problem) in &plan.problems {
        eprintln!("warning: {}: {problem}", path.display());
    }
    Ok(plan.build(root, &|| {}))
}
