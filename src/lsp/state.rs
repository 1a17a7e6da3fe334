//! The server's state and its one writer: the open documents, the
//! workspaces (one per root, spec §7, plus one per lone file) and the
//! indexing jobs. Every mutation is a method of [`State`], called under the
//! session's one mutex, synchronously, from a notification handler (in wire
//! order) or from the step that swaps a freshly indexed workspace in. Each
//! method brings documents *and* workspace index up to date before it
//! returns, and says what follows from it in [`Effects`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::RwLock;
use rustc_hash::{FxHashMap, FxHashSet};
use tower_lsp_server::ls_types::{FileChangeType, TextDocumentContentChangeEvent, Uri};

use super::convert;
use super::document::{DocText, Document};
use super::snapshot::{CancelToken, RecentTexts, Snapshot, Source, Uris, WorkspaceGuard};
use crate::analysis::Workspace;
use crate::analysis::deps::Change;
use crate::config::{self, Config};
use crate::text::PositionEncoding;
use crate::workspace::{self, Membership, load};

/// A workspace shared between the writer and the snapshots of requests.
/// The writer takes the write lock only while holding the state's mutex.
pub type SharedWorkspace = Arc<RwLock<Workspace>>;

type WorkspaceWriteGuard = parking_lot::lock_api::ArcRwLockWriteGuard<parking_lot::RawRwLock, Workspace>;

/// One workspace and what the server tracks about it.
pub struct Slot {
    pub root: PathBuf,
    /// A workspace root loaded from disk; false for a lone file (no root,
    /// or a file its workspace leaves out) and for a root that must never
    /// be indexed (the home folder, the file system root).
    pub indexable: bool,
    /// Every file of the workspace has been loaded.
    pub indexed: bool,
    /// Which files belong (for a lone file: none but itself).
    pub membership: Option<Membership>,
    /// The config of `ws` (the same `Arc`), readable without its lock.
    config: Arc<Config>,
    pub ws: SharedWorkspace,
    /// The text (its `DocText::seq`) last set into `ws` of each open
    /// document: the next version, reparsed from it, updates the file by
    /// difference.
    applied: FxHashMap<PathBuf, u64>,
    /// Held by every snapshot of `ws`; cancelled when a change has to wait
    /// for readers, so that long ones (diagnostics) stop early.
    pub interrupt: CancelToken,
    /// Texts that requests read from disk; a file's entry goes when the
    /// file changes in `ws`.
    recent: Arc<RecentTexts>,
    /// The URIs of the files requests answered about.
    uris: Arc<Uris>,
}

impl Slot {
    fn new(root: PathBuf, indexable: bool, config: Arc<Config>) -> Slot {
        Slot::with(Workspace::new(root, config), indexable, !indexable)
    }

    fn with(ws: Workspace, indexable: bool, indexed: bool) -> Slot {
        let membership = if indexable { Membership::new(&ws.root, &ws.config).ok() } else { None };
        Slot {
            root: ws.root.clone(),
            config: ws.config.clone(),
            ws: Arc::new(RwLock::new(ws)),
            indexable,
            indexed,
            membership,
            applied: FxHashMap::default(),
            interrupt: CancelToken::default(),
            recent: Arc::default(),
            uris: Arc::default(),
        }
    }

    /// A read guard of the workspace, for a snapshot (taken under the state
    /// mutex, so never behind a waiting writer).
    fn reader(&self) -> WorkspaceGuard {
        self.ws.read_arc()
    }

    /// The workspace for writing: at once when no request reads it, else
    /// after telling the readers to stop (they check now and then).
    fn write(&mut self) -> WorkspaceWriteGuard {
        if let Some(guard) = self.ws.try_write_arc() {
            return guard;
        }
        self.interrupt.cancel();
        self.interrupt = CancelToken::default();
        self.ws.write_arc()
    }

    fn admits(&self, path: &Path) -> bool {
        self.membership.as_ref().is_some_and(|m| m.admits(path))
    }

    /// Sets a document's text into the workspace: by difference when the
    /// workspace holds the text it was reparsed from, else whole. Returns
    /// what changed for other files.
    fn set_text(&mut self, path: &Path, doc: &DocText) -> Changes {
        let applied = self.applied.get(path).copied();
        let mut ws = self.write();
        let file = ws.file_id(path);
        let changes = match (doc.reparsed, file) {
            (Some((base, region)), Some(id)) if applied == Some(base) => {
                vec![ws.update_parsed_file(id, doc.text.clone(), &doc.parse, region, doc.line_index())]
            }
            _ => {
                let before = ws.revision();
                let display = load::display_path(path, &self.root);
                ws.set_parsed_file(path.to_path_buf(), display, doc.text.clone(), &doc.parse);
                changes_since(&ws, before)
            }
        };
        if let Some(id) = ws.file_id(path) {
            self.recent.forget(id);
        }
        self.applied.insert(path.to_path_buf(), doc.seq);
        changes
    }

    /// Sets a file's disk content into the workspace, or forgets it when
    /// it is gone or no longer belongs. Returns what changed.
    fn set_from_disk(&mut self, path: &Path) -> Changes {
        if !self.admits(path) {
            return self.forget(path);
        }
        self.applied.remove(path);
        let loaded = load::load_file(path, &self.root);
        let mut ws = self.write();
        let before = ws.revision();
        let id = ws.set_file(loaded, None);
        self.recent.forget(id);
        changes_since(&ws, before)
    }

    fn forget(&mut self, path: &Path) -> Changes {
        self.applied.remove(path);
        let mut ws = self.write();
        let before = ws.revision();
        if let Some(id) = ws.remove_file(path) {
            self.recent.forget(id);
        }
        changes_since(&ws, before)
    }
}

/// What one mutation changed in a workspace, for the diagnostics of the
/// open documents that read it (see `analysis::deps`).
type Changes = Vec<Arc<Change>>;

/// The changes of `ws` after revision `before`; everything when its
/// journal no longer reaches that far.
fn changes_since(ws: &Workspace, before: u64) -> Changes {
    match ws.changes_since(before) {
        Some(changes) => changes.cloned().collect(),
        None => vec![Arc::new(Change { everything: true, ..Change::default() })],
    }
}

/// Session settings fixed at `initialize`.
#[derive(Clone, Debug)]
pub struct Settings {
    pub encoding: PositionEncoding,
    /// How long a document must stay unchanged before its diagnostics run.
    pub diagnostic_delay_ms: u64,
    /// The client declared pull support and opted in with the
    /// initialization option `pullDiagnostics`: the server answers
    /// `textDocument/diagnostic` and does not push.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub work_done_progress: bool,
    pub watch_registration: bool,
    /// Whether indexing reads and writes the cache of §16 (the
    /// initialization option `cache`, true unless `false`): `false` is
    /// `check --no-cache`'s.
    pub cache: bool,
    /// The cache folder (the initialization option `cacheDir`, relative
    /// to the workspace root): `check --cache-dir`'s.
    pub cache_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            encoding: PositionEncoding::Utf16,
            diagnostic_delay_ms: 50,
            pull_diagnostics: false,
            diagnostic_refresh: false,
            work_done_progress: false,
            watch_registration: false,
            cache: true,
            cache_dir: None,
        }
    }
}

/// A running indexing job of a top root (the workspaces nested below it
/// included).
struct Job {
    id: u64,
    /// Files changed on disk since the job started walking: read again when
    /// its result is swapped in, since the job may have read them before.
    dirty: FxHashSet<PathBuf>,
}

/// What follows from a mutation, done by the session before it releases
/// the state.
#[derive(Default)]
pub struct Effects {
    /// Open documents (by URI) whose diagnostics must be computed again.
    pub diagnose: Vec<String>,
    /// Top roots to index (again); each gets a new job.
    pub index: Vec<PathBuf>,
    /// Documents closed: their published diagnostics are cleared.
    pub clear: Vec<Uri>,
}

/// A workspace loaded by an indexing job, ready to be swapped in.
pub struct Indexed {
    pub ws: Workspace,
}

#[derive(Default)]
pub struct State {
    pub settings: Settings,
    pub folders: Vec<PathBuf>,
    docs: FxHashMap<String, Document>,
    slots: FxHashMap<PathBuf, Slot>,
    jobs: FxHashMap<PathBuf, Job>,
    next_job: u64,
    pub shutdown: bool,
}

impl State {
    pub fn doc(&self, uri: &str) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn doc_mut(&mut self, uri: &str) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }

    /// The workspace holding a file on disk that is not open (for requests
    /// about it): the slot of its root, if that slot holds the file.
    fn slot_of_disk_file(&self, path: &Path) -> Option<&Slot> {
        let (root, _) = self.root_for(path)?;
        self.slots.get(&root).filter(|s| s.ws.read().file_id(path).is_some())
    }

    /// What a request about `uri` reads: an open document, or a workspace
    /// file that is not open; `None` when it is neither.
    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let (path, source, slot, modified) = match self.docs.get(uri.as_str()) {
            Some(doc) => {
                (doc.path.clone(), Source::Open(doc.current.clone()), self.slots.get(&doc.slot)?, doc.changed.clone())
            }
            None => {
                let path = convert::uri_to_path(uri)?;
                let slot = self.slot_of_disk_file(&path)?;
                (path, Source::Disk, slot, CancelToken::default())
            }
        };
        Some(Snapshot {
            uri: uri.clone(),
            path,
            source,
            ws: slot.reader(),
            index_complete: slot.indexed,
            enc: self.settings.encoding,
            modified,
            interrupted: slot.interrupt.clone(),
            recent: slot.recent.clone(),
            uris: slot.uris.clone(),
        })
    }

    /// Read guards of every workspace (workspace symbols), by root.
    pub fn all_workspaces(&self) -> Vec<(WorkspaceGuard, Arc<RecentTexts>)> {
        let mut slots: Vec<&Slot> = self.slots.values().collect();
        slots.sort_by(|a, b| a.root.cmp(&b.root));
        slots.into_iter().map(|s| (s.reader(), s.recent.clone())).collect()
    }

    /// Opens (or re-opens) a document; the client's text overrides the disk.
    pub fn open(&mut self, uri: Uri, version: i32, text: &str) -> Effects {
        let mut fx = Effects::default();
        let key = uri.as_str().to_string();
        if self.docs.contains_key(&key) {
            fx.merge(self.close(&uri, false));
        }
        let path = convert::uri_to_path(&uri).unwrap_or_else(|| PathBuf::from(uri.as_str()));
        let slot = self.home_of(&path, &mut fx);
        let doc = Document::new(path, slot, version, text);
        self.docs.insert(key.clone(), doc);
        fx.diagnose.push(key.clone());
        self.set_doc_into_slot(&key, &mut fx);
        fx
    }

    /// Applies a `didChange`. `None` when the document is not open.
    pub fn change(&mut self, uri: &Uri, version: i32, changes: &[TextDocumentContentChangeEvent]) -> Option<Effects> {
        let enc = self.settings.encoding;
        let doc = self.docs.get_mut(uri.as_str())?;
        let started = std::time::Instant::now();
        doc.apply(changes, version, enc);
        let applied = started.elapsed();
        let mut fx = Effects { diagnose: vec![uri.as_str().to_string()], ..Effects::default() };
        self.set_doc_into_slot(uri.as_str(), &mut fx);
        if timings() {
            let whole = self.docs.get(uri.as_str()).is_none_or(|d| d.current.reparsed.is_none());
            eprintln!(
                "timing: change of {} v{version}: parse {:.2} ms ({}), index {:.2} ms, {} other documents to check",
                uri.as_str(),
                applied.as_secs_f64() * 1e3,
                if whole { "whole" } else { "region" },
                (started.elapsed() - applied).as_secs_f64() * 1e3,
                fx.diagnose.len() - 1
            );
        }
        Some(fx)
    }

    /// Forgets an open document: the disk is in force again for its file
    /// if its workspace holds it, else the file leaves the workspace.
    pub fn close(&mut self, uri: &Uri, clear: bool) -> Effects {
        let mut fx = Effects::default();
        let Some(doc) = self.docs.remove(uri.as_str()) else { return fx };
        if clear {
            fx.clear.push(uri.clone());
        }
        let Some(slot) = self.slots.get_mut(&doc.slot) else { return fx };
        if !slot.indexable {
            // A lone file's workspace goes with it.
            if !self.docs.values().any(|d| d.slot == doc.slot) {
                self.slots.remove(&doc.slot);
            }
            return fx;
        }
        let changes = slot.set_from_disk(&doc.path);
        fx.diagnose.extend(self.met_in(&doc.slot, &changes, None));
        fx
    }

    /// Applies watched-file events (also a saved `newsmark.toml`): `.nmk`
    /// files update their workspace unless open; a `.gitignore` or
    /// `newsmark.toml` re-plans the workspaces around it.
    pub fn file_events(&mut self, events: &[(PathBuf, FileChangeType)]) -> Effects {
        let mut fx = Effects::default();
        for (path, typ) in events {
            for job in self.jobs.iter_mut().filter(|(top, _)| path.starts_with(top)).map(|(_, j)| j) {
                job.dirty.insert(path.clone());
            }
            if workspace::changes_membership(path) {
                if let Some(dir) = path.parent() {
                    fx.index.push(self.top_root(dir));
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "nmk") || self.docs.values().any(|d| d.path == *path) {
                continue;
            }
            let Some((root, _)) = self.root_for(path) else { continue };
            let Some(slot) = self.slots.get_mut(&root).filter(|s| s.indexable) else { continue };
            let changes = if *typ == FileChangeType::DELETED { slot.forget(path) } else { slot.set_from_disk(path) };
            fx.diagnose.extend(self.met_in(&root, &changes, None));
        }
        fx.index.sort();
        fx.index.dedup();
        fx
    }

    /// Workspace folders added or removed: the added ones are indexed.
    pub fn folders_changed(&mut self, added: Vec<PathBuf>, removed: &[PathBuf]) -> Effects {
        self.folders.retain(|f| !removed.contains(f));
        let mut fx = Effects::default();
        for folder in added {
            let root = workspace::find_root(&folder).unwrap_or_else(|| folder.clone());
            self.folders.push(folder);
            if indexable(&root) {
                fx.index.push(root);
            }
        }
        fx
    }

    /// Starts a job for `top`; a job already running for it will find its
    /// result stale. Returns the job's id and the configs currently in
    /// force (kept when a `newsmark.toml` turns invalid).
    pub fn start_job(&mut self, top: &Path) -> (u64, FxHashMap<PathBuf, Arc<Config>>) {
        if !self.slots.contains_key(top) {
            self.add_root_slot(top);
        }
        self.next_job += 1;
        let id = self.next_job;
        self.jobs.insert(top.to_path_buf(), Job { id, dirty: FxHashSet::default() });
        let configs = self
            .slots
            .values()
            .filter(|s| s.indexable && s.root.starts_with(top))
            .map(|s| (s.root.clone(), s.config.clone()))
            .collect();
        (id, configs)
    }

    /// The workspace loaded at `root`, if one is.
    pub fn workspace_at(&self, root: &Path) -> Option<SharedWorkspace> {
        self.slots.get(root).map(|s| s.ws.clone())
    }

    /// Swaps the workspaces an indexing job loaded in, unless a newer job
    /// for the same top root started meanwhile. Files changed on disk while
    /// the job ran are read again, open documents are set in again (they
    /// override the disk), documents are re-homed by the new membership.
    pub fn finish_job(&mut self, top: &Path, id: u64, loaded: Vec<Indexed>) -> Effects {
        let mut fx = Effects::default();
        if self.jobs.get(top).is_none_or(|j| j.id != id) {
            return fx;
        }
        let dirty = self.jobs.remove(top).map(|j| j.dirty).unwrap_or_default();
        let roots: FxHashSet<PathBuf> = loaded.iter().map(|l| l.ws.root.clone()).collect();
        // Nested workspaces that are gone.
        self.slots.retain(|key, s| !(s.indexable && s.root.starts_with(top) && !roots.contains(key)));
        for Indexed { ws } in loaded {
            let root = ws.root.clone();
            let mut slot = Slot::with(ws, true, true);
            for path in dirty.iter().filter(|p| p.starts_with(&root) && p.extension().is_some_and(|e| e == "nmk")) {
                slot.set_from_disk(path);
            }
            self.slots.insert(root, slot);
        }
        // Every open document below `top` finds its home again.
        let uris: Vec<String> =
            self.docs.iter().filter(|(_, d)| d.path.starts_with(top)).map(|(u, _)| u.clone()).collect();
        for uri in uris {
            let Some(path) = self.docs.get(&uri).map(|d| d.path.clone()) else { continue };
            let old = self.docs.get(&uri).map(|d| d.slot.clone());
            let home = self.home_of(&path, &mut fx);
            if let Some(old) = old.filter(|o| *o != home && !self.slots.get(o).is_some_and(|s| s.indexable)) {
                if !self.docs.iter().any(|(u, d)| *u != uri && d.slot == old) {
                    self.slots.remove(&old);
                }
            }
            if let Some(doc) = self.docs.get_mut(&uri) {
                doc.slot = home;
            }
            self.set_doc_into_slot(&uri, &mut fx);
        }
        for key in roots {
            fx.diagnose.extend(self.open_in(&key));
        }
        fx
    }

    /// Sets an open document's current text into its workspace; when that
    /// changes what other files see, their diagnostics are due too.
    fn set_doc_into_slot(&mut self, uri: &str, fx: &mut Effects) {
        let Some(doc) = self.docs.get(uri) else { return };
        let (key, path, text) = (doc.slot.clone(), doc.path.clone(), doc.current.clone());
        let Some(slot) = self.slots.get_mut(&key) else { return };
        let changes = slot.set_text(&path, &text);
        fx.diagnose.extend(self.met_in(&key, &changes, Some(uri)));
    }

    /// The open documents of a workspace (but `except`) whose last
    /// diagnostics read something `changes` changed, by URI.
    fn met_in(&self, key: &Path, changes: &[Arc<Change>], except: Option<&str>) -> Vec<String> {
        if changes.iter().all(|c| c.is_empty()) {
            return Vec::new();
        }
        self.docs
            .iter()
            .filter(|(u, d)| d.slot == key && except != Some(u.as_str()) && d.diag.met_by(changes))
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// Every open document of a workspace, by URI.
    pub fn open_in(&self, key: &Path) -> Vec<String> {
        self.docs.iter().filter(|(_, d)| d.slot == key).map(|(u, _)| u.clone()).collect()
    }

    /// The workspace a document at `path` belongs to, created when missing
    /// (a new indexable root is queued for indexing): its root's when the
    /// root's membership rule admits it, else a lone workspace of its own.
    fn home_of(&mut self, path: &Path, fx: &mut Effects) -> PathBuf {
        if let Some((root, true)) = self.root_for(path) {
            if !self.slots.contains_key(&root) {
                self.add_root_slot(&root);
                // Unless a job that covers it runs already.
                if !self.jobs.keys().any(|top| root.starts_with(top)) {
                    fx.index.push(root.clone());
                }
            }
            let admitted = |s: &Slot| {
                let rule = s.membership.as_ref();
                rule.is_some_and(|m| m.admits(path) || m.admits_resolved(path)) || !path.exists()
            };
            if self.slots.get(&root).is_some_and(admitted) {
                return root;
            }
        }
        if !self.slots.contains_key(path) {
            // The rules of the workspace around it still apply to it.
            let config = self
                .root_for(path)
                .and_then(|(root, _)| self.slots.get(&root).map(|s| s.config.clone()))
                .unwrap_or_default();
            let folder = path.parent().unwrap_or(path).to_path_buf();
            let slot = Slot::new(folder, false, config);
            self.slots.insert(path.to_path_buf(), slot);
        }
        path.to_path_buf()
    }

    /// An empty workspace for a root, with its config, until it is indexed.
    fn add_root_slot(&mut self, root: &Path) {
        let config = Arc::new(config::load(root).ok().flatten().unwrap_or_default());
        self.slots.insert(root.to_path_buf(), Slot::new(root.to_path_buf(), true, config));
    }

    /// The root a file belongs to (§7): the nearest folder upwards holding
    /// `newsmark.toml`, else the innermost workspace folder holding the
    /// file; with whether it may be indexed. `None`: a lone file.
    fn root_for(&self, path: &Path) -> Option<(PathBuf, bool)> {
        if let Some(root) = workspace::find_root(path) {
            let ok = indexable(&root);
            return Some((root, ok));
        }
        let folder = self.folders.iter().filter(|f| path.starts_with(f)).max_by_key(|f| f.as_os_str().len())?;
        Some((folder.clone(), indexable(folder)))
    }

    /// The outermost indexed root holding `dir`, or `dir`'s own root:
    /// indexing it again re-discovers nested workspaces that appeared or
    /// went away.
    fn top_root(&self, dir: &Path) -> PathBuf {
        self.slots
            .values()
            .filter(|s| s.indexable && dir.starts_with(&s.root))
            .map(|s| s.root.clone())
            .min_by_key(|r| r.as_os_str().len())
            .unwrap_or_else(|| dir.to_path_buf())
    }
}

impl Effects {
    fn merge(&mut self, other: Effects) {
        self.diagnose.extend(other.diagnose);
        self.index.extend(other.index);
        self.clear.extend(other.clear);
    }
}

/// Whether `NEWSMARK_TIMINGS` asks for the time of each step on stderr
/// (for profiling and the benchmark; as for `check`).
pub fn timings() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NEWSMARK_TIMINGS").is_some())
}

/// Never index the home folder or the file system root: a client that opens
/// a stray file there must not make the server read every file below it.
pub fn indexable(root: &Path) -> bool {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    root.parent().is_some() && home.as_deref() != Some(root)
}
