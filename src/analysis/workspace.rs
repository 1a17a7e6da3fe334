//! One workspace (§7) in memory: its files with their summaries, its config
//! and its index. The CLI builds it once; the server keeps it and replaces
//! files one at a time as they are edited or change on disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::FileId;
use super::index::{DefLoc, WorkspaceIndex};
use super::names::NameIndex;
use super::summary::{DefInfo, FileSummary, Interner};
use crate::config::Config;
use crate::syntax::{self, Parse, Sigil};

/// A file of the workspace as the index knows it.
#[derive(Debug)]
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

pub struct Workspace {
    pub root: PathBuf,
    pub config: Arc<Config>,
    interner: Arc<Interner>,
    files: Vec<Option<Arc<SourceFile>>>,
    by_path: FxHashMap<PathBuf, FileId>,
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

/// True when two summaries define the same entities in the same order with
/// the same contents (positions aside): the names and every entity
/// resolution stay as they were.
fn same_entities(a: &FileSummary, b: &FileSummary) -> bool {
    let mut a = a.defs.iter().filter(|d| d.sigil == Sigil::Entity);
    let mut b = b.defs.iter().filter(|d| d.sigil == Sigil::Entity);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.same_content(y) => {}
            _ => return false,
        }
    }
}

impl Workspace {
    pub fn new(root: PathBuf, config: Arc<Config>) -> Workspace {
        Workspace {
            root,
            config,
            interner: Arc::new(Interner::with_hasher(Default::default())),
            files: Vec::new(),
            by_path: FxHashMap::default(),
            index: WorkspaceIndex::default(),
            names: NameIndex::default(),
            keep_texts: true,
            prose_generation: 0,
            identity: Arc::new(()),
        }
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
        let mut ws = Workspace::new(root, config);
        ws.keep_texts = keep_texts;
        let interner = ws.interner.clone();
        let files: Vec<Arc<SourceFile>> = paths
            .par_iter()
            .map(|path| {
                let loaded = load(path);
                let file = Arc::new(source_file(loaded, None, &interner, keep_texts));
                on_file_done();
                file
            })
            .collect();
        ws.names = NameIndex::build(files.iter().enumerate().map(|(i, f)| (FileId(i as u32), &f.summary)));
        for file in files {
            let id = FileId(ws.files.len() as u32);
            ws.by_path.insert(file.path.clone(), id);
            // Files arrive sorted by path, so appending keeps definitions in
            // path order without comparing paths.
            ws.index.add_file(id, &file.summary, &|a, b| a.cmp(&b));
            ws.files.push(Some(file));
        }
        ws
    }

    /// Adds or replaces a file. `parse` may be given when the caller already
    /// parsed `content` (the server does, for open documents).
    pub fn set_file(&mut self, loaded: LoadedFile, parse: Option<&Parse>) -> FileId {
        let file = Arc::new(source_file(loaded, parse, &self.interner, self.keep_texts));
        self.insert_file(file)
    }

    /// [`set_file`](Self::set_file) for a text the caller already holds
    /// and has parsed (an open document in the server): the text is
    /// shared, not copied.
    pub fn set_parsed_file(&mut self, path: PathBuf, display_path: String, text: Arc<str>, parse: &Parse) -> FileId {
        let summary = FileSummary::new(parse, &self.interner);
        self.insert_file(Arc::new(SourceFile { path, display_path, text, read_error: None, summary }))
    }

    fn insert_file(&mut self, file: Arc<SourceFile>) -> FileId {
        let (id, old) = match self.by_path.get(&file.path) {
            Some(&id) => (id, self.files.get(id.0 as usize).and_then(|f| f.clone())),
            None => {
                let id = FileId(self.files.len() as u32);
                self.by_path.insert(file.path.clone(), id);
                self.files.push(None);
                (id, None)
            }
        };
        let unchanged = match &old {
            Some(old) => same_entities(&old.summary, &file.summary),
            None => !file.summary.defs.iter().any(|d| d.sigil == Sigil::Entity),
        };
        if !unchanged {
            self.prose_generation += 1;
        }
        let files = &self.files;
        let order = |a: FileId, b: FileId| path_of(files, a).cmp(&path_of(files, b));
        match &old {
            Some(old) => {
                self.names.remove_file(id, &old.summary);
                self.index.replace_file(id, &old.summary, &file.summary, &order);
            }
            None => self.index.add_file(id, &file.summary, &order),
        }
        self.names.add_file(id, &file.summary);
        self.files[id.0 as usize] = Some(file);
        id
    }

    /// Forgets a file (deleted on disk). Its id is not reused.
    pub fn remove_file(&mut self, path: &Path) -> Option<FileId> {
        let id = self.by_path.remove(path)?;
        self.unindex(id);
        self.files[id.0 as usize] = None;
        Some(id)
    }

    fn unindex(&mut self, id: FileId) {
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
        self.by_path.get(path).copied()
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

fn path_of(files: &[Option<Arc<SourceFile>>], id: FileId) -> Option<&Path> {
    files.get(id.0 as usize)?.as_ref().map(|f| f.path.as_path())
}

fn source_file(loaded: LoadedFile, parse: Option<&Parse>, interner: &Interner, keep_text: bool) -> SourceFile {
    let LoadedFile { path, display_path, content } = loaded;
    match content {
        Ok(text) => {
            let summary = match parse {
                Some(p) => FileSummary::new(p, interner),
                None => FileSummary::new(&syntax::parse(&text), interner),
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
