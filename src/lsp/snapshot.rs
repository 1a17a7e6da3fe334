//! What a request reads: an immutable snapshot of one document (or of a
//! workspace file that is not open) and of its workspace, taken in wire
//! order and read on a blocking thread; and the texts of other files of the
//! workspace, supplied to the analysis through its one narrow interface.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::lock_api::ArcRwLockReadGuard;
use parking_lot::{Mutex, RawRwLock};
use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::{Location, Range, Uri};

use super::convert::{self, LineMap};
use super::document::DocText;
use crate::analysis::{FileId, FileTexts, LinePos, Symbol, Workspace};
use crate::ide::Occurrence;
use crate::text::{LineIndex, PositionEncoding, TextRange};

/// A flag that work in progress checks: set when its result can no longer
/// be used (the document changed, the client cancelled, a newer run of the
/// same diagnostics started).
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Cancels a token when dropped: the future of a request the client
/// cancelled is dropped, and the blocking work it started sees that.
pub struct CancelOnDrop(pub CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// A workspace as a request sees it: the writer waits for this read guard
/// to go before it changes the workspace.
pub type WorkspaceGuard = ArcRwLockReadGuard<RawRwLock, Workspace>;

/// The text a request is about.
pub enum Source {
    /// An open document at one version.
    Open(Arc<DocText>),
    /// A workspace file that is not open: its disk text, read and parsed
    /// on the blocking thread.
    Disk,
}

pub struct Snapshot {
    pub uri: Uri,
    pub path: PathBuf,
    pub source: Source,
    pub ws: WorkspaceGuard,
    /// False while the workspace is still being indexed.
    pub index_complete: bool,
    pub enc: PositionEncoding,
    /// Set when the document changes after the snapshot was taken.
    pub modified: CancelToken,
    /// Set when a change of the workspace waits for this snapshot to go.
    pub interrupted: CancelToken,
    /// Texts of the workspace's files read from disk by earlier requests.
    pub recent: Arc<RecentTexts>,
    /// URIs of the workspace's files built by earlier requests.
    pub uris: Arc<Uris>,
}

/// A file's text with its line index.
pub type TextAndLines = (Arc<str>, Arc<LineIndex>);

/// A snapshot resolved on the blocking thread: the document's text, its
/// file id, and the texts of other files as they are asked for.
pub struct FileCtx<'a> {
    pub snap: &'a Snapshot,
    pub doc: Arc<DocText>,
    pub file: FileId,
    pub enc: PositionEncoding,
    pub texts: DiskTexts<'a>,
}

impl<'a> FileCtx<'a> {
    /// `None` when the file is not in its workspace (any more).
    pub fn new(snap: &'a Snapshot) -> Option<FileCtx<'a>> {
        let file = snap.ws.file_id(&snap.path)?;
        let texts = DiskTexts::new(&snap.ws, &snap.recent);
        let doc = match &snap.source {
            Source::Open(doc) => doc.clone(),
            Source::Disk => Arc::new(DocText::new(0, texts.text(file)?)),
        };
        Some(FileCtx { snap, doc, file, enc: snap.enc, texts })
    }

    pub fn ws(&self) -> &Workspace {
        &self.snap.ws
    }

    pub fn ide(&self) -> crate::ide::FileContext<'_> {
        crate::ide::FileContext {
            ws: &self.snap.ws,
            file: self.file,
            parse: &self.doc.parse,
            text: &self.doc.text,
            texts: &self.texts,
            index_complete: self.snap.index_complete,
        }
    }

    /// Positions of the document itself.
    pub fn map(&self) -> LineMap<'_> {
        LineMap { text: &self.doc.text, index: self.doc.line_index(), enc: self.enc }
    }

    /// The URI of any file of the workspace.
    pub fn uri(&self, file: FileId) -> Option<Uri> {
        if file == self.file {
            return Some(self.snap.uri.clone());
        }
        self.snap.uris.of(file, || Some(self.snap.ws.file(file)?.path.clone()))
    }

    /// A range of any file of the workspace as LSP, converted with that
    /// file's text (an open document's text is the workspace's).
    pub fn lsp_range(&self, file: FileId, range: TextRange) -> Option<Range> {
        if file == self.file {
            return Some(self.map().range(range));
        }
        if let Some(range) = self.range_in_reference(file, range) {
            return Some(range);
        }
        let (text, index) = self.lines_of(file)?;
        Some(LineMap { text: &text, index: &index, enc: self.enc }.range(range))
    }

    /// A range within a reference of a file whose text the workspace does
    /// not hold, from the position its summary keeps: references and
    /// rename over ten thousand files read none of them. `None` (read the
    /// text) in UTF-32, whose columns the summary does not keep.
    pub fn range_in_reference(&self, file: FileId, range: TextRange) -> Option<Range> {
        if !self.positions_from_summary(file) {
            return None;
        }
        let site = self.snap.ws.file(file)?.summary.reference_at(range)?;
        self.range_in_site(site.range, site.at()?, site.id, range)
    }

    /// Whether positions in `file` may come from its summary (see
    /// [`FileCtx::range_in_reference`]).
    fn positions_from_summary(&self, file: FileId) -> bool {
        file != self.file
            && self.enc != PositionEncoding::Utf32
            && self.snap.ws.file(file).is_some_and(|source| source.text.is_empty())
    }

    /// `range`, within the reference at `site` that starts at `at` and
    /// names `id`, as LSP.
    fn range_in_site(&self, site: TextRange, at: LinePos, id: Symbol, range: TextRange) -> Option<Range> {
        let id = self.snap.ws.id_text(id);
        let (base, utf16) = match self.enc {
            PositionEncoding::Utf16 => (at.col16, true),
            _ => (at.col8, false),
        };
        // The reference is its sigil (one ASCII byte), then its id.
        let column = |offset: u32| -> Option<u32> {
            let into = offset.checked_sub(site.start)?;
            if into == 0 {
                return Some(base);
            }
            let id_part = id.get(..into as usize - 1)?;
            let units = if utf16 { id_part.encode_utf16().count() as u32 } else { id_part.len() as u32 };
            Some(base + 1 + units)
        };
        Some(Range {
            start: tower_lsp_server::ls_types::Position { line: at.line, character: column(range.start)? },
            end: tower_lsp_server::ls_types::Position { line: at.line, character: column(range.end)? },
        })
    }

    /// The text and line index of any file of the workspace.
    pub fn lines_of(&self, file: FileId) -> Option<TextAndLines> {
        self.texts.lines(file)
    }

    pub fn location(&self, file: FileId, range: TextRange) -> Option<Location> {
        Some(Location { uri: self.uri(file)?, range: self.lsp_range(file, range)? })
    }

    /// The location of an occurrence; a reference in a file that is not
    /// open is placed by the position found with it, without looking the
    /// reference up again.
    pub fn occurrence_location(&self, occ: &Occurrence) -> Option<Location> {
        let placed = match occ.at {
            Some(at) if self.positions_from_summary(occ.file) => self.range_in_site(occ.range, at, occ.id, occ.range),
            _ => None,
        };
        Some(Location { uri: self.uri(occ.file)?, range: placed.or_else(|| self.lsp_range(occ.file, occ.range))? })
    }
}

/// The texts of a workspace's files for a request: the text the workspace
/// holds (open documents, files loaded with their texts), else the file
/// read from disk, through the workspace's [`RecentTexts`]. The server keeps
/// summaries only for files that are not open, which for 100,000 articles
/// spares 400 MB.
pub struct DiskTexts<'a> {
    ws: &'a Workspace,
    recent: &'a RecentTexts,
    /// Line indexes of texts the workspace holds, built once per request.
    lines: RefCell<FxHashMap<FileId, TextAndLines>>,
}

impl<'a> DiskTexts<'a> {
    pub fn new(ws: &'a Workspace, recent: &'a RecentTexts) -> DiskTexts<'a> {
        DiskTexts { ws, recent, lines: RefCell::default() }
    }

    /// The text of a file with its line index.
    pub fn lines(&self, file: FileId) -> Option<TextAndLines> {
        let source = self.ws.file(file)?;
        if !source.text.is_empty() || source.read_error.is_some() {
            let mut lines = self.lines.borrow_mut();
            let entry =
                lines.entry(file).or_insert_with(|| (source.text.clone(), Arc::new(LineIndex::new(&source.text))));
            return Some(entry.clone());
        }
        let read = self.read(file)?;
        Some((read.text.clone(), read.lines.get_or_init(|| Arc::new(LineIndex::new(&read.text))).clone()))
    }

    /// A file's text read from disk, through the recent texts.
    fn read(&self, file: FileId) -> Option<Arc<DiskText>> {
        if let Some(hit) = self.recent.get(file) {
            return Some(hit);
        }
        let path = &self.ws.file(file)?.path;
        // A file that cannot be read again reads as "".
        let text: Arc<str> = crate::workspace::read_text(path).map_or_else(|_| Arc::from(""), Arc::from);
        let entry = Arc::new(DiskText { text, lines: OnceLock::new() });
        self.recent.put(file, entry.clone());
        Some(entry)
    }
}

impl FileTexts for DiskTexts<'_> {
    fn text(&self, file: FileId) -> Option<Arc<str>> {
        let source = self.ws.file(file)?;
        if !source.text.is_empty() || source.read_error.is_some() {
            return Some(source.text.clone());
        }
        self.read(file).map(|read| read.text.clone())
    }
}

/// A text read from disk, with its line index once a request needs it
/// (a hover only counts lines up to one offset).
pub struct DiskText {
    text: Arc<str>,
    lines: OnceLock<Arc<LineIndex>>,
}

/// The URIs of a workspace's files, built once each: a reference list over
/// 10,000 files spent more on building URIs (percent-encoding, parsing)
/// than on finding the references. Indexed by file id, which within one
/// workspace always names the same path (ids are never reused); a slot
/// that gets a new workspace gets new `Uris` with it.
#[derive(Default)]
pub struct Uris(Mutex<Vec<Option<Uri>>>);

impl Uris {
    pub fn of(&self, file: FileId, path: impl FnOnce() -> Option<PathBuf>) -> Option<Uri> {
        let at = file.0 as usize;
        if let Some(Some(uri)) = self.0.lock().get(at) {
            return Some(uri.clone());
        }
        let uri = convert::path_to_uri(&path()?)?;
        let mut uris = self.0.lock();
        if uris.len() <= at {
            uris.resize(at + 1, None);
        }
        if let Some(slot) = uris.get_mut(at) {
            *slot = Some(uri.clone());
        }
        Some(uri)
    }
}

/// The last few texts of a workspace's files that requests read from disk,
/// with their line indexes: a hover, a definition or a rename asks for the
/// same registry file again and again. Its lock is a leaf: taken briefly by
/// readers to look up or add an entry, and by the writer to drop the entry
/// of a file it changes.
#[derive(Default)]
pub struct RecentTexts {
    entries: Mutex<Vec<(FileId, Arc<DiskText>)>>,
}

/// How many texts read from disk are kept for the next requests: enough
/// for the registry files of a large newsroom (about 500 KB each).
const RECENT_TEXTS: usize = 32;

impl RecentTexts {
    fn get(&self, file: FileId) -> Option<Arc<DiskText>> {
        let mut entries = self.entries.lock();
        let at = entries.iter().position(|(f, _)| *f == file)?;
        let hit = entries.remove(at);
        entries.push(hit.clone());
        Some(hit.1)
    }

    fn put(&self, file: FileId, entry: Arc<DiskText>) {
        let mut entries = self.entries.lock();
        entries.retain(|(f, _)| *f != file);
        if entries.len() >= RECENT_TEXTS {
            entries.remove(0);
        }
        entries.push((file, entry));
    }

    /// Drops a file whose content the workspace no longer holds.
    pub fn forget(&self, file: FileId) {
        self.entries.lock().retain(|(f, _)| *f != file);
    }
}
