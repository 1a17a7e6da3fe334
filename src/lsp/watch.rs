//! Files changed on disk (`workspace/didChangeWatchedFiles`): `.nmk` files
//! update the index unless they are open (an open document overrides the
//! disk); a `newsmark.toml` reloads its workspace.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileEvent, FileSystemWatcher, GlobPattern, Registration,
};

use super::convert;
use super::session::Session;
use super::state::{lock, remove_disk_file, set_disk_file};
use crate::config::FILE_NAME;

/// The registration the server asks for when the client can watch files.
pub fn registration() -> Registration {
    let watchers = ["**/*.nmk", "**/newsmark.toml"]
        .into_iter()
        .map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String(g.to_string()), kind: None })
        .collect();
    Registration {
        id: "newsmark-watch".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions { watchers }).ok(),
    }
}

/// Applies file events; returns the roots whose config changed (to reload).
pub fn apply(session: &Session, events: &[FileEvent]) -> Vec<PathBuf> {
    let mut reload = Vec::new();
    for event in events {
        let Some(path) = convert::uri_to_path(&event.uri) else { continue };
        if path.file_name().is_some_and(|n| n == FILE_NAME) {
            if let Some(dir) = path.parent() {
                reload.push(top_root(session, dir));
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "nmk") {
            continue;
        }
        let (open, slot) = {
            let state = lock(&session.state);
            (state.is_open(&path), state.slot_for_disk_file(&path))
        };
        let Some(slot) = slot else { continue };
        if open || !slot.indexable || is_hidden(&slot.root, &path) || excluded(&slot.read().ws, &path) {
            continue;
        }
        let changed = if event.typ == FileChangeType::DELETED {
            remove_disk_file(&slot, &path)
        } else {
            set_disk_file(&slot, &path)
        };
        if changed {
            session.schedule_slot(&slot);
        }
    }
    reload.sort();
    reload.dedup();
    reload
}

/// The outermost loaded workspace root holding `dir`, or `dir`: reloading
/// it re-discovers nested workspaces that appeared or went away.
fn top_root(session: &Session, dir: &Path) -> PathBuf {
    let state = lock(&session.state);
    state
        .slots()
        .into_iter()
        .filter(|s| s.indexable && dir.starts_with(&s.root))
        .map(|s| s.root.clone())
        .min_by_key(|r| r.as_os_str().len())
        .unwrap_or_else(|| dir.to_path_buf())
}

/// Below `root`, a hidden file or folder (discovery skips those).
fn is_hidden(root: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')))
}

/// Left out by the workspace's `exclude` globs.
fn excluded(ws: &crate::analysis::Workspace, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(&ws.root) else { return true };
    match ws.config.exclude_matcher(&ws.root) {
        Ok(m) => m.matched_path_or_any_parents(rel, false).is_ignore(),
        Err(_) => false,
    }
}
