//! Server state: the workspaces (one per root, spec §7), the open documents,
//! and the fallback for files outside every workspace folder.
//!
//! Locking: `State` sits behind one std `Mutex` that is never held across an
//! `.await`, so document changes are applied in wire order. Each workspace
//! sits behind its own `RwLock`; requests read it on blocking threads.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::document::{Document, Snapshot};
use crate::analysis::Workspace;
use crate::analysis::deps::Change;
use crate::config::Config;
use crate::text::PositionEncoding;
use crate::workspace::{self, load};

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One workspace and what the server tracks about it.
pub struct Slot {
    /// The root folder; for a lone file (no root found), the file itself.
    pub key: PathBuf,
    pub root: PathBuf,
    /// False for a lone file and for a root that must never be indexed
    /// (the home folder, the file system root): only open files count.
    pub indexable: bool,
    /// Every file of the workspace has been loaded.
    pub indexed: AtomicBool,
    /// An indexing job has taken this workspace.
    claimed: AtomicBool,
    data: RwLock<SlotData>,
}

pub struct SlotData {
    pub ws: Workspace,
    /// The document edit sequence number last set into `ws`, per open file.
    applied: FxHashMap<PathBuf, u64>,
}

impl SlotData {
    /// True when the open file `path` is in `ws` with the text of `seq`.
    pub fn holds(&self, path: &Path, seq: u64) -> bool {
        self.applied.get(path) == Some(&seq)
    }
}

impl Slot {
    fn new(key: PathBuf, root: PathBuf, indexable: bool, config: Arc<Config>) -> Slot {
        let ws = Workspace::new(root.clone(), config);
        Slot {
            key,
            root,
            indexable,
            indexed: AtomicBool::new(!indexable),
            claimed: AtomicBool::new(false),
            data: RwLock::new(SlotData { ws, applied: FxHashMap::default() }),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, SlotData> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, SlotData> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_indexed(&self) -> bool {
        self.indexed.load(Ordering::Acquire)
    }

    /// Takes the workspace for an indexing job; false when one already has.
    pub fn claim(&self) -> bool {
        self.indexable && !self.claimed.swap(true, Ordering::AcqRel)
    }

    /// Replaces the workspace by one freshly loaded from disk; open files
    /// are set into it again by the next flush.
    pub fn replace(&self, ws: Workspace) {
        let mut data = self.write();
        data.ws = ws;
        data.applied.clear();
        drop(data);
        self.indexed.store(true, Ordering::Release);
    }
}

/// Session settings fixed at `initialize`.
#[derive(Clone, Debug)]
pub struct Settings {
    pub encoding: PositionEncoding,
    pub debounce_ms: u64,
    /// The client declared pull support and opted in with the
    /// initialization option `pullDiagnostics`: the server answers
    /// `textDocument/diagnostic` and does not push.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub work_done_progress: bool,
    pub watch_registration: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            encoding: PositionEncoding::Utf16,
            debounce_ms: 50,
            pull_diagnostics: false,
            diagnostic_refresh: false,
            work_done_progress: false,
            watch_registration: false,
        }
    }
}

#[derive(Default)]
pub struct State {
    pub settings: Settings,
    pub folders: Vec<PathBuf>,
    docs: FxHashMap<String, Document>,
    /// The workspace of each open document, fixed when it is opened.
    doc_slots: FxHashMap<String, Arc<Slot>>,
    slots: FxHashMap<PathBuf, Arc<Slot>>,
    next_seq: u64,
    shutdown: bool,
}

/// What a newly opened document needs next.
pub struct Opened {
    pub slot: Arc<Slot>,
    /// The slot was just created and wants indexing.
    pub index: bool,
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn set_shutdown(&mut self) {
        self.shutdown = true;
    }

    pub fn is_shutdown(&self) -> bool {
        self.shutdown
    }

    /// Opens (or re-opens) a document; the client's text overrides the disk.
    pub fn open(&mut self, uri: Uri, version: i32, text: &str) -> Opened {
        let path = super::convert::uri_to_path(&uri);
        let (slot, index) = match &path {
            Some(p) => self.slot_for_path(p, true).unwrap_or_else(|| self.lone_slot(p)),
            None => self.lone_slot(Path::new(uri.as_str())),
        };
        let path = path.unwrap_or_else(|| PathBuf::from(uri.as_str()));
        let seq = self.next_seq();
        self.doc_slots.insert(uri.as_str().to_string(), slot.clone());
        self.docs.insert(uri.as_str().to_string(), Document::new(uri, path, version, text, seq));
        Opened { slot, index }
    }

    /// Applies a `didChange` in order. False when the document is not open.
    pub fn change(&mut self, uri: &Uri, version: i32, changes: &[TextDocumentContentChangeEvent]) -> bool {
        let enc = self.settings.encoding;
        let seq = self.next_seq();
        let Some(doc) = self.docs.get_mut(uri.as_str()) else { return false };
        for change in changes {
            doc.apply_change(change, enc);
        }
        doc.version = version;
        doc.seq = seq;
        true
    }

    /// Forgets an open document; returns its path and workspace.
    pub fn close(&mut self, uri: &Uri) -> Option<(PathBuf, Arc<Slot>)> {
        let doc = self.docs.remove(uri.as_str())?;
        let slot = self.doc_slots.remove(uri.as_str())?;
        Some((doc.path, slot))
    }

    pub fn doc(&self, uri: &str) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn doc_mut(&mut self, uri: &str) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }

    pub fn is_open(&self, path: &Path) -> bool {
        self.docs.values().any(|d| d.path == path)
    }

    /// The workspace of an open document.
    pub fn slot_of_doc(&self, uri: &str) -> Option<Arc<Slot>> {
        self.doc_slots.get(uri).cloned()
    }

    /// Every open document in `slot`, by URI.
    pub fn open_docs_in(&self, slot: &Slot) -> Vec<String> {
        self.doc_slots.iter().filter(|(_, s)| s.key == slot.key).map(|(u, _)| u.clone()).collect()
    }

    /// The root a file belongs to (§7): the nearest folder upwards holding
    /// `newsmark.toml`, else the innermost workspace folder holding the
    /// file. `None`: a lone file.
    fn root_for(&self, path: &Path) -> Option<(PathBuf, bool)> {
        if let Some(root) = workspace::find_root(path) {
            return Some((root.clone(), indexable(&root)));
        }
        let folder = self.folders.iter().filter(|f| path.starts_with(f)).max_by_key(|f| f.as_os_str().len())?;
        Some((folder.clone(), indexable(folder)))
    }

    /// The workspace of a root, created when `create`; `(slot, created)`.
    pub fn slot_for_root(&mut self, root: &Path, indexable: bool) -> (Arc<Slot>, bool) {
        if let Some(s) = self.slots.get(root) {
            return (s.clone(), false);
        }
        let config = Arc::new(crate::config::load(root).ok().flatten().unwrap_or_default());
        let slot = Arc::new(Slot::new(root.to_path_buf(), root.to_path_buf(), indexable, config));
        self.slots.insert(root.to_path_buf(), slot.clone());
        (slot, indexable)
    }

    fn slot_for_path(&mut self, path: &Path, create: bool) -> Option<(Arc<Slot>, bool)> {
        let (root, indexable) = self.root_for(path)?;
        if !create {
            return self.slots.get(&root).map(|s| (s.clone(), false));
        }
        Some(self.slot_for_root(&root, indexable))
    }

    fn slot_for_path_existing(&self, path: &Path) -> Option<Arc<Slot>> {
        let (root, _) = self.root_for(path)?;
        self.slots.get(&root).cloned()
    }

    /// The existing workspace that a file on disk belongs to.
    pub fn slot_for_disk_file(&self, path: &Path) -> Option<Arc<Slot>> {
        self.slot_for_path_existing(path)
    }

    fn lone_slot(&mut self, path: &Path) -> (Arc<Slot>, bool) {
        if let Some(s) = self.slots.get(path) {
            return (s.clone(), false);
        }
        let root = path.parent().unwrap_or(path).to_path_buf();
        let slot = Arc::new(Slot::new(path.to_path_buf(), root, false, Arc::new(Config::default())));
        self.slots.insert(path.to_path_buf(), slot.clone());
        (slot, false)
    }

    pub fn slots(&self) -> Vec<Arc<Slot>> {
        self.slots.values().cloned().collect()
    }
}

/// Never index the home folder or the file system root: a client that opens
/// a stray file there must not make the server read every file below it.
pub fn indexable(root: &Path) -> bool {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    root.parent().is_some() && home.as_deref() != Some(root)
}

/// What `flush` found.
pub struct Flushed {
    /// What setting the documents changed in the workspace, for the
    /// diagnostics of other open documents (see `analysis::deps`).
    pub changes: Vec<Arc<Change>>,
    /// The documents set (their own change already scheduled them).
    pub set: Vec<PathBuf>,
}

/// Sets every open document of `slot` whose text is newer than the
/// workspace's into the workspace. `snapshots` are the documents' current
/// snapshots. A snapshot reparsed from the text the workspace holds
/// updates the file by difference.
pub fn apply_snapshots(slot: &Slot, snapshots: &[(PathBuf, Arc<Snapshot>)]) -> Flushed {
    let mut flushed = Flushed { changes: Vec::new(), set: Vec::new() };
    {
        let data = slot.read();
        if snapshots.iter().all(|(p, s)| data.applied.get(p).is_some_and(|&a| a >= s.seq)) {
            return flushed;
        }
    }
    let mut data = slot.write();
    for (path, snap) in snapshots {
        let applied = data.applied.get(path).copied();
        if applied.is_some_and(|a| a >= snap.seq) {
            continue;
        }
        let file = data.ws.file_id(path);
        match (snap.reparsed, file) {
            (Some((base, reparsed)), Some(id)) if applied == Some(base) => {
                let change = data.ws.update_parsed_file(id, snap.text.clone(), &snap.parse, reparsed);
                flushed.changes.push(change);
            }
            _ => {
                let before = data.ws.revision();
                let display_path = load::display_path(path, &slot.root);
                data.ws.set_parsed_file(path.clone(), display_path, snap.text.clone(), &snap.parse);
                flushed.changes.extend(changes_since(&data.ws, before));
            }
        }
        data.applied.insert(path.clone(), snap.seq);
        flushed.set.push(path.clone());
    }
    flushed
}

/// The changes of `ws` after revision `before`.
fn changes_since(ws: &Workspace, before: u64) -> Vec<Arc<Change>> {
    match ws.changes_since(before) {
        Some(changes) => changes.map(|c| Arc::new(c.clone())).collect(),
        None => vec![Arc::new(Change { everything: true, ..Change::default() })],
    }
}

/// Sets a file's disk content into the workspace (a closed document, a
/// change on disk). Returns whether other files may be affected.
pub fn set_disk_file(slot: &Slot, path: &Path) -> bool {
    let loaded = load::load_file(path, &slot.root);
    let mut data = slot.write();
    data.applied.remove(path);
    let before = data.ws.revision();
    if loaded.content.is_err() && !path.exists() {
        return data.ws.remove_file(path).is_some();
    }
    data.ws.set_file(loaded, None);
    data.ws.revision() != before
}

/// Forgets a file deleted on disk. Returns whether it was known.
pub fn remove_disk_file(slot: &Slot, path: &Path) -> bool {
    let mut data = slot.write();
    data.applied.remove(path);
    data.ws.remove_file(path).is_some()
}
