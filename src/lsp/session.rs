//! The server's shared state and the operations that combine documents with
//! workspaces: building a document's snapshot, bringing a workspace up to
//! date with the open documents, and the view a request works on.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Location, Uri};

use super::convert::{self, LineMap};
use super::diagnostics::DiagQueue;
use super::document::Snapshot;
use super::state::{Settings, Slot, SlotData, State, apply_snapshots, lock};
use crate::analysis::FileId;
use crate::analysis::diagnostics::DiagnosticsCache;
use crate::text::{LineIndex, PositionEncoding, TextRange};

pub struct Session {
    pub client: Client,
    pub state: Mutex<State>,
    pub queue: DiagQueue,
    /// Per open document (by URI), what its last diagnostics computation
    /// keeps for the next one.
    pub diag_caches: Mutex<FxHashMap<String, DiagnosticsCache>>,
}

/// An open document at one version, with its workspace.
pub struct DocView {
    pub uri: Uri,
    pub path: PathBuf,
    pub slot: Arc<Slot>,
    pub snap: Arc<Snapshot>,
}

impl Session {
    pub fn new(client: Client) -> Session {
        Session {
            client,
            state: Mutex::new(State::default()),
            queue: DiagQueue::default(),
            diag_caches: Mutex::new(FxHashMap::default()),
        }
    }

    pub fn settings(&self) -> Settings {
        lock(&self.state).settings.clone()
    }

    /// The snapshot of an open document's current text. The text and parse
    /// are built outside the lock, once per version.
    pub fn snapshot(&self, uri: &str) -> Option<DocView> {
        let (rope, seq, version, base, view) = {
            let mut state = lock(&self.state);
            let slot = state.slot_of_doc(uri)?;
            let doc = state.doc_mut(uri)?;
            if let Some(snap) = doc.current_snapshot() {
                return Some(DocView { uri: doc.uri.clone(), path: doc.path.clone(), slot, snap });
            }
            let base = doc.take_base();
            (doc.rope.clone(), doc.seq, doc.version, base, (doc.uri.clone(), doc.path.clone(), slot))
        };
        let text: Arc<str> = Arc::from(rope.to_string());
        let snap = Arc::new(match base {
            Some((base, edit)) => Snapshot::after_edit(seq, version, text, base, edit),
            None => Snapshot::new(seq, version, text),
        });
        let mut state = lock(&self.state);
        if let Some(doc) = state.doc_mut(uri) {
            doc.store(&snap);
        }
        Some(DocView { uri: view.0, path: view.1, slot: view.2, snap })
    }

    /// Sets every open document of `slot` into its workspace; when that
    /// changes what other files can see, schedules the diagnostics of every
    /// open document of the workspace.
    pub fn flush(&self, slot: &Arc<Slot>) {
        let uris = lock(&self.state).open_docs_in(slot);
        let views: Vec<DocView> = uris.iter().filter_map(|u| self.snapshot(u)).collect();
        let snaps: Vec<(PathBuf, Arc<Snapshot>)> = views.iter().map(|v| (v.path.clone(), v.snap.clone())).collect();
        let flushed = apply_snapshots(slot, &snaps);
        if flushed.changes.iter().all(|c| c.is_empty()) {
            return;
        }
        // Only the documents whose last diagnostics read something that
        // changed (or that have none yet) are checked again.
        let caches = lock(&self.diag_caches);
        let met = |uri: &String| {
            caches.get(uri).is_none_or(|cache| flushed.changes.iter().any(|change| cache.met_by(change)))
        };
        // A document just set was scheduled by its own change.
        let just_set = |uri: &String| views.iter().any(|v| v.uri.as_str() == uri && flushed.set.contains(&v.path));
        let affected: Vec<String> = uris.into_iter().filter(|u| !just_set(u) && met(u)).collect();
        drop(caches);
        self.queue.schedule(affected);
    }

    /// The current view of an open document, with the workspace holding
    /// exactly that text (so the parse matches the index).
    pub fn view(&self, uri: &str) -> Option<DocView> {
        for _ in 0..8 {
            let view = self.snapshot(uri)?;
            self.flush(&view.slot);
            if view.slot.read().holds(&view.path, view.snap.seq) {
                return Some(view);
            }
        }
        None
    }

    /// Schedules the diagnostics of every open document of `slot`.
    pub fn schedule_slot(&self, slot: &Slot) {
        let uris = lock(&self.state).open_docs_in(slot);
        self.queue.schedule(uris);
    }
}

/// A file's text with its line index.
type TextAndLines = (Arc<str>, Arc<LineIndex>);

/// What a request reads: the document, its workspace (read-locked) and the
/// encoding; converts ranges of any file of the workspace.
pub struct FileCtx<'a> {
    pub view: &'a DocView,
    pub data: &'a SlotData,
    pub file: FileId,
    pub enc: PositionEncoding,
    /// Texts and line indexes of other files, read once per request.
    other: Mutex<FxHashMap<FileId, TextAndLines>>,
}

impl<'a> FileCtx<'a> {
    pub fn new(view: &'a DocView, data: &'a SlotData, enc: PositionEncoding) -> Option<FileCtx<'a>> {
        let file = data.ws.file_id(&view.path)?;
        Some(FileCtx { view, data, file, enc, other: Mutex::new(FxHashMap::default()) })
    }

    pub fn ide(&self) -> crate::ide::FileContext<'_> {
        crate::ide::FileContext {
            ws: &self.data.ws,
            file: self.file,
            parse: &self.view.snap.parse,
            text: &self.view.snap.text,
            index_complete: self.view.slot.is_indexed(),
        }
    }

    /// Positions of the document itself.
    pub fn map(&self) -> LineMap<'_> {
        LineMap { text: &self.view.snap.text, index: &self.view.snap.line_index, enc: self.enc }
    }

    /// The URI of any file of the workspace.
    pub fn uri(&self, file: FileId) -> Option<Uri> {
        if file == self.file {
            return Some(self.view.uri.clone());
        }
        convert::path_to_uri(&self.data.ws.file(file)?.path)
    }

    /// A range of any file of the workspace as LSP, converted with that
    /// file's text (an open document's text is the workspace's).
    pub fn lsp_range(&self, file: FileId, range: TextRange) -> Option<tower_lsp_server::ls_types::Range> {
        if file == self.file {
            return Some(self.map().range(range));
        }
        let cached = lock(&self.other).get(&file).cloned();
        let (text, index) = match cached {
            Some(c) => c,
            None => {
                let text = self.data.ws.text(file)?;
                let entry = (text.clone(), Arc::new(LineIndex::new(&text)));
                lock(&self.other).insert(file, entry.clone());
                entry
            }
        };
        Some(LineMap { text: &text, index: &index, enc: self.enc }.range(range))
    }

    pub fn location(&self, file: FileId, range: TextRange) -> Option<Location> {
        Some(Location { uri: self.uri(file)?, range: self.lsp_range(file, range)? })
    }
}
