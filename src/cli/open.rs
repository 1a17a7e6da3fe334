//! Opening the workspaces that given files belong to (for `export`): each
//! file's root is found as §7 says, each root is loaded once, and a file the
//! workspace leaves out (ignored, excluded) is added to it so it can still be
//! exported.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::analysis::{FileId, Workspace};
use crate::workspace::{self, load};

/// Loaded workspaces and, for each requested file, where it is.
pub struct Opened {
    pub workspaces: Vec<Workspace>,
    /// Per requested file: `(workspace index, file id)`, or the error that
    /// kept it from being opened.
    pub files: Vec<Result<(usize, FileId), String>>,
}

pub fn open_files(files: &[PathBuf]) -> Opened {
    let mut opened = Opened { workspaces: Vec::new(), files: Vec::new() };
    let mut by_root: FxHashMap<PathBuf, usize> = FxHashMap::default();
    for file in files {
        let canonical = match std::fs::canonicalize(file) {
            Ok(p) if p.is_file() => p,
            Ok(_) => {
                opened.files.push(Err(format!("{}: not a file", file.display())));
                continue;
            }
            Err(e) => {
                opened.files.push(Err(format!("{}: {e}", file.display())));
                continue;
            }
        };
        let folder = canonical.parent().unwrap_or(Path::new("/")).to_path_buf();
        let root = workspace::find_root(&folder).unwrap_or(folder);
        let ws_index = match by_root.get(&root) {
            Some(&i) => i,
            None => match load_root(&root) {
                Ok(ws) => {
                    opened.workspaces.push(ws);
                    by_root.insert(root.clone(), opened.workspaces.len() - 1);
                    opened.workspaces.len() - 1
                }
                Err(e) => {
                    opened.files.push(Err(e));
                    continue;
                }
            },
        };
        let ws = &mut opened.workspaces[ws_index];
        let id = match ws.file_id(&canonical) {
            Some(id) => id,
            None => {
                let display_root = ws.root.clone();
                ws.set_file(load::load_file(&canonical, &display_root), None)
            }
        };
        opened.files.push(Ok((ws_index, id)));
    }
    opened
}

/// The workspace whose own root is `root` (nested workspaces below it are
/// not needed: their files resolve in their own root).
fn load_root(root: &Path) -> Result<Workspace, String> {
    let plan = load::plan(root).map_err(|e| e.to_string())?;
    let mut workspaces = plan.build(root, &|| {});
    let at =
        workspaces.iter().position(|w| w.root == root).ok_or_else(|| format!("{}: no workspace", root.display()))?;
    Ok(workspaces.swap_remove(at))
}
