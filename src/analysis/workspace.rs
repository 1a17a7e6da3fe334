//! One workspace (§7) in memory: its files with their summaries, its config
//! and its index. The CLI builds it once; the server keeps it and replaces
//! files one at a time as they are edited or change on disk.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::FileId;
use super::deps::Change;
use super::index::{DefLoc, WorkspaceIndex};
use super::names::{NameIndex, NameKey, Normalizer, lead_key};
use super::path_ids::PathIds;
use super::summary::{DefInfo, FileSummary, Interner, RefSite, Symbol};
use crate::config::Config;
use crate::syntax::{self, Parse, Reparsed, Sigil};
use crate::text::LineIndex;

/// A file of the workspace as the index knows it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Path shown to the user: relative to the root the command resolved,
    /// `/` separators.
    pub display_path: String,
    /// The text ("" when the file could not be read, or when the workspace
    /// was built without texts: see [`Workspace::build_with`]).
    pub text: Arc<str>,
    /// Why the file could not be read (`unreadable`).
    pub read_error: Option<String>,
    pub summary: FileSummary,
}

/// A file to load: where it is, how to show it, and its content.
pub struct LoadedFile {
    pub path: PathBuf,
    pub display_path: String,
    pub content: Result<String, String>,
}

/// How many distinct ids a workspace interned: a cache keeps it so that
/// the next load reserves the interner's room at once, where growing it
/// to a million ids rehashes its tables again and again. Only a hint: it
/// changes no result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InternerSize {
    pub ids: u64,
}

impl InternerSize {
    /// Beyond this, a hint is taken for damage and ignored.
    const MAX_IDS: u64 = 1 << 28;

    fn capacity(self) -> usize {
        if self.ids > Self::MAX_IDS { 0 } else { usize::try_from(self.ids).unwrap_or(0) }
    }
}

pub struct Workspace {
    pub root: PathBuf,
    pub config: Arc<Config>,
    interner: Arc<Interner>,
    files: Vec<Option<Arc<SourceFile>>>,
    by_path: PathIds,
    index: WorkspaceIndex,
    names: NameIndex,
    /// Files set later keep their texts (see [`Workspace::build_with`]).
    keep_texts: bool,
    /// Changes whenever what the prose checks read from the workspace may
    /// have changed (entity definitions, hence names and resolution), so a
    /// cache of prose diagnostics knows when to start over. Counts within
    /// this workspace only: see [`ProseEpoch`].
    prose_generation: u64,
    /// This workspace's identity for [`ProseEpoch`]: a cache holds a clone,
    /// so the address cannot be reused by another workspace meanwhile.
    identity: Arc<()>,
    /// The revision the workspace is at (see `deps`): the first is drawn
    /// from one counter for all workspaces, so a workspace loaded again
    /// never repeats the revisions of the one it replaces.
    base_revision: u64,
    revision: u64,
    /// The last changes, each with the revision it led to.
    journal: VecDeque<(u64, Arc<Change>)>,
    /// The entity each name shared by several entities stands for when
    /// found in prose, once ranked (see [`Workspace::shared_name_holder`]).
    /// Emptied by every change.
    holders: parking_lot::Mutex<FxHashMap<NameKey, Option<Symbol>>>,
}

static REVISIONS: AtomicU64 = AtomicU64::new(1);

/// A fresh revision: workspaces draw 2^32 each.
fn next_base_revision() -> u64 {
    REVISIONS.fetch_add(1, Ordering::Relaxed) << 32
}

/// What prose diagnostics computed against a workspace hold for: that
/// workspace (by identity), its entity definitions (by generation) and its
/// config.
#[derive(Clone, Debug)]
pub struct ProseEpoch {
    identity: Arc<()>,
    generation: u64,
    config: Arc<Config>,
}

impl ProseEpoch {
    pub fn same(&self, other: &ProseEpoch) -> bool {
        Arc::ptr_eq(&self.identity, &other.identity)
            && self.generation == other.generation
            && Arc::ptr_eq(&self.config, &other.config)
    }
}

/// The texts of a workspace's files, from whoever holds them: the
/// workspace itself when it kept them, else the caller (the server's open
/// documents and disk reader). The one way the analysis and the ide
/// functions get at the text of a file other than the one they work on.
pub trait FileTexts {
    /// `None` for a file the workspace does not hold.
    fn text(&self, file: FileId) -> Option<Arc<str>>;
}

impl FileTexts for Workspace {
    fn text(&self, file: FileId) -> Option<Arc<str>> {
        Some(self.file(file)?.text.clone())
    }
}

/// How many changes the journal keeps: a cache older than that starts over.
const JOURNAL: usize = 256;

impl Workspace {
    pub fn new(root: PathBuf, config: Arc<Config>) -> Workspace {
        Workspace {
            root,
            config,
            interner: Arc::new(Interner::new()),
            files: Vec::new(),
            by_path: PathIds::default(),
            index: WorkspaceIndex::default(),
            names: NameIndex::default(),
            keep_texts: true,
            base_revision: 0,
            revision: 0,
            journal: VecDeque::new(),
            prose_generation: 0,
            identity: Arc::new(()),
            holders: parking_lot::Mutex::new(FxHashMap::default()),
        }
        .with_fresh_revision()
    }

    fn with_fresh_revision(mut self) -> Workspace {
        self.base_revision = next_base_revision();
        self.revision = self.base_revision;
        self
    }

    /// The current revision: results computed now hold until a change met
    /// by what they depend on (see `deps`).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The changes after revision `since`, oldest first; `None` when
    /// `since` is not a revision of this workspace the journal still
    /// reaches (then everything must be computed again).
    pub fn changes_since(&self, since: u64) -> Option<impl Iterator<Item = &Arc<Change>> + '_> {
        let known = since == self.base_revision || self.journal.iter().any(|(r, _)| *r == since);
        let reaches = self.journal.len() < JOURNAL || self.journal.front().is_some_and(|(r, _)| *r <= since);
        (known && reaches && since <= self.revision)
            .then(|| self.journal.iter().filter(move |(r, _)| *r > since).map(|(_, c)| c))
    }

    fn record(&mut self, change: Change) -> Arc<Change> {
        self.holders.get_mut().clear();
        let change = Arc::new(change);
        if change.is_empty() {
            return change;
        }
        self.revision += 1;
        if self.journal.len() >= JOURNAL {
            self.journal.pop_front();
        }
        self.journal.push_back((self.revision, change.clone()));
        change
    }

    /// The entity a name held by several entities stands for in prose:
    /// `rank`'s answer, computed once per name until the workspace
    /// changes. In a large workspace a surname can be held by thousands of
    /// entities, and ranking them again in every article that mentions it
    /// was most of a whole `check`.
    pub(crate) fn shared_name_holder(&self, key: NameKey, rank: impl FnOnce() -> Option<Symbol>) -> Option<Symbol> {
        if let Some(known) = self.holders.lock().get(&key) {
            return *known;
        }
        // Ranked without the lock: another thread may rank the same name
        // meanwhile, to the same answer.
        let holder = rank();
        self.holders.lock().insert(key, holder);
        holder
    }

    /// Equal epochs mean the same entity definitions and config.
    pub fn prose_epoch(&self) -> ProseEpoch {
        ProseEpoch { identity: self.identity.clone(), generation: self.prose_generation, config: self.config.clone() }
    }

    /// Builds a workspace from `paths` (sorted), reading and parsing them in
    /// parallel with `load`. `on_file_done` is called once per file (from any
    /// thread), for progress reports.
    pub fn build<L>(
        root: PathBuf,
        config: Arc<Config>,
        paths: &[PathBuf],
        load: L,
        on_file_done: &(dyn Fn() + Sync),
    ) -> Workspace
    where
        L: Fn(&Path) -> LoadedFile + Sync,
    {
        Workspace::build_with(root, config, paths, load, true, on_file_done)
    }

    /// [`build`](Self::build), keeping the texts of the files only when
    /// `keep_texts`. Without them every [`SourceFile::text`] is empty and
    /// the workspace holds summaries only: a batch run that reads each file
    /// again when it needs it saves the memory of the whole tree (400 MB
    /// for 100,000 articles).
    pub fn build_with<L>(
        root: PathBuf,
        config: Arc<Config>,
        paths: &[PathBuf],
        load: L,
        keep_texts: bool,
        on_file_done: &(dyn Fn() + Sync),
    ) -> Workspace
    where
        L: Fn(&Path) -> LoadedFile + Sync,
    {
        let mut ws = Workspace::build_from(root, config, paths.len(), InternerSize::default(), |i, interner| {
            let file = paths.get(i).map(|path| source_file(load(path), None, interner, keep_texts));
            on_file_done();
            file
        });
        ws.keep_texts = keep_texts;
        ws
    }

    /// Builds a workspace of `count` files that `make(i, interner)` hands
    /// over ready (summaries included), in path order, called in parallel:
    /// a persistent cache gives back the summaries of unchanged files this
    /// way without parsing them. `None` leaves a file out. Texts are not kept.
    pub fn build_from<M>(root: PathBuf, config: Arc<Config>, count: usize, reserve: InternerSize, make: M) -> Workspace
    where
        M: Fn(usize, &Interner) -> Option<SourceFile> + Sync,
    {
        let interner = Workspace::new_interner(reserve);
        let files = Workspace::make_files(count, &interner, make);
        Workspace::from_files(root, config, interner, files)
    }

    /// An interner for [`make_files`](Self::make_files), with the room
    /// `reserve` says.
    pub fn new_interner(reserve: InternerSize) -> Arc<Interner> {
        Arc::new(Interner::with_capacity(reserve.capacity()))
    }

    /// The first half of [`build_from`](Self::build_from): every file
    /// made, in parallel. A caller that needed a large buffer to make them
    /// (a cache's summaries) frees it before the second half builds the
    /// index.
    pub fn make_files<M>(count: usize, interner: &Interner, make: M) -> Vec<Arc<SourceFile>>
    where
        M: Fn(usize, &Interner) -> Option<SourceFile> + Sync,
    {
        // Split to single files: a registry costs a hundred articles, and
        // rayon does not split a piece a thread has started, so a run of
        // registries at the end of the list (their paths sort last) kept
        // one thread busy for seconds while the others waited.
        // (Collected by position, then the gaps left out: a parallel
        // `filter_map` would gather a list of pieces to join instead.)
        let made: Vec<Option<Arc<SourceFile>>> =
            (0..count).into_par_iter().with_max_len(1).map(|i| make(i, interner).map(Arc::new)).collect();
        made.into_iter().flatten().collect()
    }

    /// The second half of [`build_from`](Self::build_from): the workspace
    /// of `files`, made with `interner`, in path order.
    pub fn from_files(
        root: PathBuf,
        config: Arc<Config>,
        interner: Arc<Interner>,
        files: Vec<Arc<SourceFile>>,
    ) -> Workspace {
        let mut ws = Workspace::new(root, config);
        ws.keep_texts = false;
        ws.interner = interner;
        // A new workspace: ids start at 0. Files arrive sorted by path, so
        // ids in order keep definitions in path order without comparing
        // paths. Names and the index are built side by side.
        let summaries: Vec<(FileId, &FileSummary)> =
            files.iter().enumerate().map(|(i, f)| (FileId(i as u32), &f.summary)).collect();
        // The map of paths too (hashing 100,000 paths took a tenth of a
        // second on one thread after the rest).
        let by_path = || PathIds::of_paths(&files.iter().map(|f| f.path.as_path()).collect::<Vec<_>>());
        let (names, (index, by_path)) = rayon::join(
            || NameIndex::build(summaries.iter().copied()),
            || rayon::join(|| WorkspaceIndex::build(&summaries), by_path),
        );
        drop(summaries);
        ws.names = names;
        ws.index = index;
        ws.by_path = by_path;
        ws.files = files.into_iter().map(Some).collect();
        ws
    }

    /// How many ids the workspace interned.
    pub fn interner_size(&self) -> InternerSize {
        InternerSize { ids: self.interner.len() as u64 }
    }

    /// Adds or replaces a file. `parse` may be given when the caller already
    /// parsed `content` (the server does, for open documents).
    /// What it changed: [`changes_since`](Self::changes_since) the revision
    /// before.
    pub fn set_file(&mut self, loaded: LoadedFile, parse: Option<&Parse>) -> FileId {
        let file = Arc::new(source_file(loaded, parse, &self.interner, self.keep_texts));
        self.insert_file(file)
    }

    /// [`set_file`](Self::set_file) for a text the caller already holds
    /// and has parsed (an open document in the server): the text is
    /// shared, not copied.
    pub fn set_parsed_file(&mut self, path: PathBuf, display_path: String, text: Arc<str>, parse: &Parse) -> FileId {
        let summary = FileSummary::new(parse, &text, &self.interner);
        self.insert_file(Arc::new(SourceFile { path, display_path, text, read_error: None, summary }))
    }

    /// Updates file `id`, last set with the parse that `reparse` turned
    /// into `parse` (the parse of `text`), by the difference: its summary,
    /// index entries and names change in the reparsed region only.
    /// `lines` are the lines of `text`.
    pub fn update_parsed_file(
        &mut self,
        id: FileId,
        text: Arc<str>,
        parse: &Parse,
        at: Reparsed,
        lines: &LineIndex,
    ) -> Arc<Change> {
        let Some(slot) = self.files.get_mut(id.0 as usize) else { return Arc::new(Change::default()) };
        let Some(file) = slot.as_mut() else { return Arc::new(Change::default()) };
        // In place when no snapshot holds the file; else on a copy.
        let file = Arc::make_mut(file);
        let diff = file.summary.splice(parse, at, &self.interner, &text, lines);
        file.text = text;
        let file = self.files[id.0 as usize].clone();
        let Some(file) = file else { return Arc::new(Change::default()) };
        let summary = &file.summary;
        let region = diff.first_def..diff.first_def + diff.added_defs;
        let added = summary.defs.get(region.clone()).unwrap_or(&[]);
        let tracked =
            ChangeTracker::before(&self.index, &diff.removed_defs, added, &diff.removed_refs, &diff.added_refs);
        let files = &self.files;
        let order = |a: FileId, b: FileId| path_of(files, a).cmp(&path_of(files, b));
        self.index.update_file(id, summary, &diff, &order);
        let index = &self.index;
        let kept = |entity: Symbol, name: &str| {
            index
                .definitions(Sigil::Entity, entity)
                .iter()
                .filter(|l| l.file == id)
                .any(|l| summary.defs.get(l.def as usize).is_some_and(|d| d.names().any(|n| names_equal(n, name))))
        };
        self.names.update_defs(id, &diff.removed_defs, added, &kept);
        let moved = if at.delta() != 0 { summary.defs.get(region.end..).unwrap_or(&[]) } else { &[] };
        let files = &self.files;
        let def_of = |loc: DefLoc| files.get(loc.file.0 as usize)?.as_ref()?.summary.defs.get(loc.def as usize);
        let change = tracked.after(&self.index, &def_of, &diff.removed_defs, added, moved);
        if change.everything || !change.names.is_empty() || change.defs.iter().any(|(s, _)| *s == Sigil::Entity) {
            self.prose_generation += 1;
        }
        self.record(change)
    }

    fn insert_file(&mut self, file: Arc<SourceFile>) -> FileId {
        let (id, old) = match self.file_id(&file.path) {
            Some(id) => (id, self.files.get(id.0 as usize).and_then(|f| f.clone())),
            None => {
                let id = FileId(self.files.len() as u32);
                self.by_path.insert(&file.path, id);
                self.files.push(None);
                (id, None)
            }
        };
        let empty = FileSummary::default();
        let old_summary = old.as_ref().map_or(&empty, |f| &f.summary);
        let new = &file.summary;
        let tracked = ChangeTracker::before(&self.index, &old_summary.defs, &new.defs, &old_summary.refs, &new.refs);
        let files = &self.files;
        // The new file is not in `files` yet: its path comes from `file`.
        let path = |f: FileId| if f == id { Some(file.path.as_path()) } else { path_of(files, f) };
        let order = |a: FileId, b: FileId| path(a).cmp(&path(b));
        match &old {
            Some(old) => {
                self.names.remove_file(id, &old.summary);
                self.index.replace_file(id, &old.summary, new, &order);
            }
            None => self.index.add_file(id, new, &order),
        }
        self.names.add_file(id, new);
        let files = &self.files;
        let def_of = |loc: DefLoc| {
            if loc.file == id {
                return new.defs.get(loc.def as usize);
            }
            files.get(loc.file.0 as usize)?.as_ref()?.summary.defs.get(loc.def as usize)
        };
        let mut change = tracked.after(&self.index, &def_of, &old_summary.defs, &new.defs, &[]);
        change.everything |= old.as_ref().is_some_and(|o| o.read_error.is_some() != file.read_error.is_some());
        if change.everything || !change.names.is_empty() || change.defs.iter().any(|(s, _)| *s == Sigil::Entity) {
            self.prose_generation += 1;
        }
        self.files[id.0 as usize] = Some(file);
        self.record(change);
        id
    }

    /// Forgets a file (deleted on disk). Its id is not reused.
    pub fn remove_file(&mut self, path: &Path) -> Option<FileId> {
        let files = &self.files;
        let id = self.by_path.remove(path, |id| path_of(files, id))?;
        self.unindex(id);
        self.files[id.0 as usize] = None;
        Some(id)
    }

    fn unindex(&mut self, id: FileId) {
        self.record(Change { everything: true, ..Change::default() });
        self.prose_generation += 1;
        if let Some(old) = self.files.get(id.0 as usize).and_then(|f| f.clone()) {
            self.index.remove_file(id, &old.summary);
            self.names.remove_file(id, &old.summary);
        }
    }

    pub fn file(&self, id: FileId) -> Option<&Arc<SourceFile>> {
        self.files.get(id.0 as usize).and_then(|f| f.as_ref())
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path, |id| path_of(&self.files, id))
    }

    /// Every file, in id order (path order for a freshly built workspace).
    pub fn files(&self) -> impl Iterator<Item = (FileId, &Arc<SourceFile>)> + '_ {
        self.files.iter().enumerate().filter_map(|(i, f)| Some((FileId(i as u32), f.as_ref()?)))
    }

    pub fn file_count(&self) -> usize {
        self.by_path.len()
    }

    pub fn index(&self) -> &WorkspaceIndex {
        &self.index
    }

    pub fn names(&self) -> &NameIndex {
        &self.names
    }

    pub fn interner(&self) -> &Interner {
        &self.interner
    }

    /// The interner, to resolve ids after the workspace's lock is released
    /// (it only grows, so a symbol resolves the same later).
    pub fn shared_interner(&self) -> Arc<Interner> {
        self.interner.clone()
    }

    /// The definition behind a [`DefLoc`].
    pub fn def(&self, loc: DefLoc) -> Option<&DefInfo> {
        self.file(loc.file)?.summary.defs.get(loc.def as usize)
    }

    /// Every definition of `sigil` + `id`, the one references resolve to
    /// first.
    pub fn definitions(&self, sigil: Sigil, id: &str) -> &[DefLoc] {
        match self.interner.get(id) {
            Some(sym) => self.index.definitions(sigil, sym),
            None => &[],
        }
    }

    /// The definition references to `sigil` + `id` resolve to.
    pub fn resolve(&self, sigil: Sigil, id: &str) -> Option<(DefLoc, &DefInfo)> {
        let loc = *self.definitions(sigil, id).first()?;
        Some((loc, self.def(loc)?))
    }

    /// [`resolve`](Self::resolve) for an interned id.
    pub fn resolve_symbol(&self, sigil: Sigil, id: super::Symbol) -> Option<(DefLoc, &DefInfo)> {
        let loc = *self.index.definitions(sigil, id).first()?;
        Some((loc, self.def(loc)?))
    }

    /// How many references to `sigil` + `id` the workspace holds.
    pub fn ref_count(&self, sigil: Sigil, id: &str) -> u32 {
        self.interner.get(id).map_or(0, |sym| self.index.ref_count(sigil, sym))
    }

    /// Resolves an interned id to its text.
    pub fn id_text(&self, sym: super::Symbol) -> &str {
        self.interner.resolve(&sym)
    }
}

/// Two names that normalize alike (the name index holds one entry for both).
fn names_equal(a: &str, b: &str) -> bool {
    let mut normalizer = Normalizer::default();
    let a = normalizer.key(a);
    a.is_some() && a == normalizer.key(b)
}

/// Builds the [`Change`] of one update: what is read before the index
/// changes, then compared after.
struct ChangeTracker {
    /// Whether each id of the old and new definitions was defined.
    defined: Vec<((Sigil, Symbol), bool)>,
    /// Reference counts, before, of each id of the old and new references.
    counts: Vec<((Sigil, Symbol), u32)>,
}

impl ChangeTracker {
    fn before(
        index: &WorkspaceIndex,
        old_defs: &[DefInfo],
        new_defs: &[DefInfo],
        old_refs: &[RefSite],
        new_refs: &[RefSite],
    ) -> ChangeTracker {
        let mut ids: Vec<(Sigil, Symbol)> = old_defs.iter().chain(new_defs).map(|d| (d.sigil, d.id)).collect();
        ids.sort_unstable();
        ids.dedup();
        let defined = ids.into_iter().map(|k| (k, index.is_defined(k.0, k.1))).collect();
        let mut refs: Vec<(Sigil, Symbol)> = old_refs.iter().chain(new_refs).map(|r| (r.sigil, r.id)).collect();
        refs.sort_unstable();
        refs.dedup();
        let counts = refs.into_iter().map(|k| (k, index.ref_count(k.0, k.1))).collect();
        ChangeTracker { defined, counts }
    }

    /// `moved`: definitions that kept their content but not their place.
    /// `def_of` reads a definition after the update.
    fn after<'a>(
        self,
        index: &WorkspaceIndex,
        def_of: &dyn Fn(DefLoc) -> Option<&'a DefInfo>,
        old_defs: &[DefInfo],
        new_defs: &[DefInfo],
        moved: &[DefInfo],
    ) -> Change {
        let mut change = Change::default();
        let mut changed: FxHashSet<(Sigil, Symbol)> = FxHashSet::default();
        let mut content: FxHashSet<(Sigil, Symbol)> = FxHashSet::default();
        let same = old_defs.len() == new_defs.len();
        for (i, def) in old_defs.iter().chain(new_defs).enumerate() {
            let key = (def.sigil, def.id);
            let twin = if i < old_defs.len() { new_defs.get(i) } else { old_defs.get(i - old_defs.len()) };
            let unchanged = same && twin.is_some_and(|t| t.same_content(def));
            if unchanged && twin.is_some_and(|t| t.range != def.range) {
                change.moved.push(key);
            }
            let moved = twin.is_some_and(|t| t.id_range != def.id_range) && index.is_duplicated(key.0, key.1);
            if unchanged && !moved {
                continue;
            }
            let first_time = changed.insert(key);
            if !unchanged {
                content.insert(key);
            }
            if !unchanged && def.sigil == Sigil::Entity {
                change.names.extend(def.names().filter_map(lead_key));
            }
            if !unchanged && first_time && def.sigil == Sigil::Entity {
                // Its names, and those of every definition of the entity
                // now: a mention found by any of them shows the display
                // name of the first.
                for loc in index.definitions(Sigil::Entity, def.id) {
                    change.names.extend(def_of(*loc).into_iter().flat_map(|d| d.names()).filter_map(lead_key));
                }
            }
        }
        for def in moved {
            change.moved.push((def.sigil, def.id));
            if index.is_duplicated(def.sigil, def.id) {
                changed.insert((def.sigil, def.id));
            }
        }
        change.moved.sort_unstable();
        change.moved.dedup();
        change.defs = changed.into_iter().collect();
        change.defs.sort_unstable();
        change.content = content.into_iter().collect();
        change.content.sort_unstable();
        change.defined_set = self.defined.iter().any(|&((sigil, id), was)| was != index.is_defined(sigil, id));
        change.referenced = self
            .counts
            .into_iter()
            .filter(|&((sigil, id), was)| (was == 0) != (index.ref_count(sigil, id) == 0))
            .map(|(k, _)| k)
            .collect();
        change.referenced.sort_unstable();
        change.names.sort_unstable();
        change.names.dedup();
        change
    }
}

fn path_of(files: &[Option<Arc<SourceFile>>], id: FileId) -> Option<&Path> {
    files.get(id.0 as usize)?.as_ref().map(|f| f.path.as_path())
}

fn source_file(loaded: LoadedFile, parse: Option<&Parse>, interner: &Interner, keep_text: bool) -> SourceFile {
    let LoadedFile { path, display_path, content } = loaded;
    match content {
        Ok(text) => {
            let summary = match parse {
                Some(p) => FileSummary::new(p, &text, interner),
                None => FileSummary::new(&syntax::parse(&text), &text, interner),
            };
            let text = if keep_text { text.into() } else { "".into() };
            SourceFile { path, display_path, text, read_error: None, summary }
        }
        Err(e) => {
            SourceFile { path, display_path, text: "".into(), read_error: Some(e), summary: FileSummary::default() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(path: &str, text: &str) -> LoadedFile {
        LoadedFile { path: PathBuf::from(path), display_path: path.into(), content: Ok(text.into()) }
    }

    #[test]
    fn a_reserved_interner_builds_the_same_workspace() {
        let texts = ["@a: person \"Ann\"\n\n^s: statement\n  by: @a\n", "[Ann]{@a} and [B]{@b}.\n"];
        let build = |reserve: InternerSize| {
            Workspace::build_from(
                PathBuf::from("/w"),
                Arc::new(Config::default()),
                texts.len(),
                reserve,
                |i, interner| Some(source_file(loaded(&format!("/w/{i}.nmk"), texts[i]), None, interner, false)),
            )
        };
        let plain = build(InternerSize::default());
        let size = plain.interner_size();
        assert_eq!(size, InternerSize { ids: 3 });
        // Exact, too small, too large, or absurd (damage): the same result.
        for reserve in [size, InternerSize { ids: 1 }, InternerSize { ids: 1000 }, InternerSize { ids: u64::MAX }] {
            let ws = build(reserve);
            let stored = |w: &Workspace| w.files().map(|(_, f)| f.summary.to_stored(w.interner())).collect::<Vec<_>>();
            assert_eq!(stored(&ws), stored(&plain), "{reserve:?}");
            assert_eq!(ws.interner_size(), size, "{reserve:?}");
        }
        assert_eq!(InternerSize { ids: u64::MAX }.capacity(), 0);
        assert_eq!(InternerSize::default().capacity(), 0);
    }

    /// Built ahead for a sigil with an undefined reference only: an id
    /// defined under the other sigil needs no "did you mean".
    #[test]
    fn suggestions_are_prepared_for_undefined_references_only() {
        let prepared = |text: &str| {
            let mut ws = Workspace::new(PathBuf::from("/w"), Arc::new(Config::default()));
            ws.set_file(loaded("/w/r.nmk", text), None);
            ws.index().prepare_suggestions(ws.interner());
            [Sigil::Entity, Sigil::Source].map(|s| ws.index().has_sorted_ids(s))
        };
        assert_eq!(prepared("@a: person \"A\"\n\nSee [A]{@a}.\n"), [false, false]);
        assert_eq!(prepared("@a: person \"A\"\n\nSee [A]{@b}.\n"), [true, false]);
        assert_eq!(prepared("^a: data \"A\"\n\nSee [A]{@a} and [B]{^b}.\n"), [false, true]);
    }

    #[test]
    fn sorted_ids_survive_an_edit_that_keeps_the_defined_ids() {
        let mut ws = Workspace::new(PathBuf::from("/w"), Arc::new(Config::default()));
        ws.set_file(loaded("/w/r.nmk", "@a: person \"A\"\n\n@b: person \"B\"\n"), None);
        let before = ws.index().sorted_ids(Sigil::Entity, ws.interner());
        ws.set_file(loaded("/w/r.nmk", "@a: person \"A A\"\n\n\n@b: person \"B\"\n"), None);
        let kept = ws.index().sorted_ids(Sigil::Entity, ws.interner());
        assert!(Arc::ptr_eq(&before, &kept));
        ws.set_file(loaded("/w/r.nmk", "@a: person \"A\"\n\n@c: person \"C\"\n"), None);
        let rebuilt = ws.index().sorted_ids(Sigil::Entity, ws.interner());
        assert!(!Arc::ptr_eq(&before, &rebuilt));
        assert_eq!(rebuilt.with_prefix("c").len(), 1);
        assert_eq!(rebuilt.with_prefix("b").len(), 0);
    }

    #[test]
    fn a_keystroke_in_a_name_keeps_the_sorted_ids() {
        let mut ws = Workspace::new(PathBuf::from("/w"), Arc::new(Config::default()));
        let mut text = "@a: person \"A\"\n\n@b: person \"B\"\n".to_string();
        let mut parse = syntax::parse(&text);
        let id = ws.set_parsed_file(PathBuf::from("/w/r.nmk"), "r.nmk".into(), Arc::from(text.as_str()), &parse);
        let before = ws.index().sorted_ids(Sigil::Entity, ws.interner());
        let mut edit = |ws: &mut Workspace, at: usize, insert: &str| {
            text.insert_str(at, insert);
            let edit =
                crate::text::TextEdit { start: at as u32, old_end: at as u32, new_end: (at + insert.len()) as u32 };
            let reparsed = syntax::reparse(&mut parse, &text, edit);
            ws.update_parsed_file(id, Arc::from(text.as_str()), &parse, reparsed, &LineIndex::new(&text))
        };
        let change = edit(&mut ws, 13, "x");
        assert!(Arc::ptr_eq(&before, &ws.index().sorted_ids(Sigil::Entity, ws.interner())));
        assert!(!change.defined_set && change.defs.len() == 1 && !change.names.is_empty());
        let change = edit(&mut ws, 2, "c");
        assert!(change.defined_set);
        let after = ws.index().sorted_ids(Sigil::Entity, ws.interner());
        assert!(!Arc::ptr_eq(&before, &after));
        assert_eq!(after.all().collect::<Vec<_>>(), ["ac", "b"]);
    }

    #[test]
    fn texts_not_kept_are_empty_and_come_from_the_caller() {
        let paths = [PathBuf::from("/w/a.nmk")];
        let load =
            |p: &Path| LoadedFile { path: p.into(), display_path: "a.nmk".into(), content: Ok("@a: person\n".into()) };
        let mut ws =
            Workspace::build_with(PathBuf::from("/w"), Arc::new(Config::default()), &paths, load, false, &|| {});
        let id = ws.file_id(&paths[0]).unwrap();
        assert_eq!(ws.file(id).unwrap().text.as_ref(), "");
        assert_eq!(FileTexts::text(&ws, id).as_deref(), Some(""));
        // A file set later does not keep its text either.
        let b = ws.set_file(loaded("/w/b.nmk", "@b: person\n"), None);
        assert_eq!(ws.file(b).unwrap().text.as_ref(), "");
    }

    #[test]
    fn the_prose_epoch_moves_with_entity_definitions_only() {
        let mut ws = Workspace::new(PathBuf::from("/w"), Arc::new(Config::default()));
        ws.set_file(loaded("/w/r.nmk", "@a: person \"A\"\n"), None);
        let before = ws.prose_epoch();
        ws.set_file(loaded("/w/x.nmk", "Prose [x]{@a}.\n"), None);
        assert!(before.same(&ws.prose_epoch()), "a file without entity definitions");
        ws.set_file(loaded("/w/r.nmk", "@a: person \"B\"\n"), None);
        assert!(!before.same(&ws.prose_epoch()));
        let other = Workspace::new(PathBuf::from("/w"), Arc::new(Config::default()));
        assert!(
            !other.prose_epoch().same(&Workspace::new(PathBuf::from("/w"), Arc::new(Config::default())).prose_epoch())
        );
    }
}
