//! `Workspace` (every workspace under a root, loaded from disk as `check`
//! loads it) and `Registry` (the definitions of those workspaces, in memory
//! and picklable, shipped to the workers of a distributed export).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use newsmark::analysis::{FileId, LoadedFile, SourceFile, Workspace as EngineWorkspace};
use newsmark::cli::export::{definition_json, document_json};
use newsmark::config;
use newsmark::syntax::{self, Sigil};
use newsmark::text::{LineIndex, PositionEncoding};
use newsmark::workspace::{self, load};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;
use rayon::prelude::*;

use crate::convert::{DiagnosticRow, DocumentRow, diagnostic_rows, document_row, document_row_of_parse, sort_rows};
use crate::pool;

/// `(definition as JSON, file, line, column)`
type DefinitionRow = (String, String, u32, u32);
/// What a registry is made of: for each workspace, its root relative to the
/// registry's root, its `newsmark.toml` text and its files that define
/// something, as (path relative to the registry's root, text).
type RegistryParts = Vec<(String, Option<String>, Vec<(String, String)>)>;
/// An export record: the JSON line of `newsmark export --format jsonl`, or
/// why the document was skipped.
type Record = (Option<String>, Option<String>);

/// Every workspace under a root (nested ones included), files and texts in
/// memory.
#[pyclass(frozen, module = "newsmark._native")]
pub struct Workspace {
    root: PathBuf,
    workspaces: Vec<EngineWorkspace>,
}

#[pymethods]
impl Workspace {
    #[new]
    fn new(py: Python<'_>, root: PathBuf) -> PyResult<Workspace> {
        let root = std::fs::canonicalize(&root).map_err(|e| PyOSError::new_err(format!("{}: {e}", root.display())))?;
        if !root.is_dir() {
            return Err(PyValueError::new_err(format!("{}: not a folder", root.display())));
        }
        let workspaces = py.detach(|| {
            pool::run(|| {
                let plan = load::plan(&root).map_err(|e| e.to_string())?;
                Ok::<_, String>(plan.build(&root, &|| {}))
            })
        });
        let workspaces = workspaces.map_err(PyValueError::new_err)?;
        Ok(Workspace { root, workspaces })
    }

    /// The root, absolute.
    #[getter]
    fn root(&self) -> PathBuf {
        self.root.clone()
    }

    /// Every article (a file with prose), parsed and diagnosed, in path
    /// order.
    fn documents(&self, py: Python<'_>) -> Vec<DocumentRow> {
        py.detach(|| {
            pool::run(|| {
                self.articles()
                    .par_iter()
                    .filter_map(|&(w, file)| {
                        let ws = &self.workspaces[w];
                        let source = ws.file(file)?;
                        Some(document_row(ws, Some(file), Some(source.display_path.clone()), &source.text))
                    })
                    .collect()
            })
        })
    }

    /// Every diagnostic of every file, in the order of `newsmark check`.
    fn check(&self, py: Python<'_>) -> Vec<DiagnosticRow> {
        py.detach(|| {
            pool::run(|| {
                let mut rows: Vec<DiagnosticRow> = self
                    .workspaces
                    .par_iter()
                    .flat_map(|ws| {
                        let files: Vec<(FileId, Arc<SourceFile>)> = ws.files().map(|(id, f)| (id, f.clone())).collect();
                        files
                            .into_par_iter()
                            .flat_map_iter(|(id, file)| {
                                let parse = syntax::parse(&file.text);
                                let found = newsmark::analysis::diagnostics::file_diagnostics(
                                    ws,
                                    id,
                                    &parse,
                                    Default::default(),
                                );
                                diagnostic_rows(&found, &mut |f| {
                                    let f = ws.file(f)?;
                                    Some((f.display_path.clone(), &f.text))
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                sort_rows(&mut rows);
                rows
            })
        })
    }

    /// The definition references to `id` resolve to: `@id` an entity, `^id`
    /// a source, a bare id an entity first, then a source.
    fn definition(&self, id: &str) -> Option<DefinitionRow> {
        let wanted: &[(Sigil, &str)] = match id.chars().next() {
            Some('@') => &[(Sigil::Entity, &id[1..])],
            Some('^') => &[(Sigil::Source, &id[1..])],
            _ => &[(Sigil::Entity, id), (Sigil::Source, id)],
        };
        for &(sigil, id) in wanted {
            for ws in &self.workspaces {
                if let Some((loc, def)) = ws.resolve(sigil, id) {
                    let file = ws.file(loc.file)?;
                    let at =
                        LineIndex::new(&file.text).line_col(&file.text, def.id_range.start, PositionEncoding::Utf32);
                    let json = definition_json(ws, def).to_string();
                    return Some((json, file.display_path.clone(), at.line + 1, at.col + 1));
                }
            }
        }
        None
    }

    /// The paths of the articles, as (absolute path, path shown).
    fn article_paths(&self) -> Vec<(PathBuf, String)> {
        self.articles()
            .into_iter()
            .filter_map(|(ws, file)| self.workspaces[ws].file(file))
            .map(|f| (f.path.clone(), f.display_path.clone()))
            .collect()
    }

    /// The JSON lines of `newsmark export --format jsonl` for every article,
    /// in path order.
    fn export(&self, py: Python<'_>) -> Vec<Record> {
        py.detach(|| {
            pool::run(|| {
                self.articles()
                    .par_iter()
                    .map(|&(ws, file)| {
                        let ws = &self.workspaces[ws];
                        match ws.file(file) {
                            Some(f) => record(ws, &f.display_path, &f.text),
                            None => (None, None),
                        }
                    })
                    .collect()
            })
        })
    }

    /// The definitions of these workspaces as a [`Registry`].
    fn registry(&self) -> Registry {
        let parts: RegistryParts = self
            .workspaces
            .iter()
            .map(|ws| {
                let config = std::fs::read_to_string(ws.root.join(config::FILE_NAME)).ok();
                let files = ws
                    .files()
                    .filter(|(_, f)| !f.summary.defs.is_empty())
                    .map(|(_, f)| (f.display_path.clone(), f.text.to_string()))
                    .collect();
                (load::display_path(&ws.root, &self.root), config, files)
            })
            .collect();
        Registry::new(self.root.to_string_lossy().into_owned(), parts)
    }

    fn __len__(&self) -> usize {
        self.workspaces.iter().map(|ws| ws.file_count()).sum()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (PathBuf,)) {
        (slf.get_type(), (slf.get().root.clone(),))
    }
}

impl Workspace {
    /// (workspace, file) of every file with prose, in path order.
    fn articles(&self) -> Vec<(usize, FileId)> {
        let mut out: Vec<(usize, FileId, &Path)> = Vec::new();
        for (w, ws) in self.workspaces.iter().enumerate() {
            for (id, f) in ws.files() {
                if f.read_error.is_none() && is_article(&f.text) {
                    out.push((w, id, &f.path));
                }
            }
        }
        out.sort_by(|a, b| a.2.cmp(b.2));
        out.into_iter().map(|(w, id, _)| (w, id)).collect()
    }
}

/// A file with prose (not a registry file). Comments and definitions alone
/// make no article.
fn is_article(text: &str) -> bool {
    !syntax::parse(text).doc.is_registry()
}

/// The export record of one article text.
fn record(ws: &EngineWorkspace, shown: &str, text: &str) -> Record {
    let parse = syntax::parse(text);
    if !parse.errors.is_empty() {
        // The command's words (it also lists the errors; `check` reports them).
        return (None, Some(format!("{shown}: not exported, as it has syntax errors")));
    }
    let plain = syntax::plain_text(text, &parse);
    let file = SourceFile {
        path: PathBuf::from(shown),
        display_path: shown.to_owned(),
        text: "".into(),
        read_error: None,
        summary: Default::default(),
    };
    (Some(document_json(ws, &file, &parse, &plain).to_string()), None)
}

/// How many registries this process has built (a registry is built on its
/// first use): a distributed export checks that each worker built exactly one.
static REGISTRIES_BUILT: AtomicUsize = AtomicUsize::new(0);

#[pyfunction]
pub fn registries_built() -> usize {
    REGISTRIES_BUILT.load(Ordering::Relaxed)
}

/// The definitions of a set of workspaces, without their articles: enough
/// to resolve and check any article against them. Pickles as the texts of
/// its files, so a worker needs no access to the disk it came from.
#[pyclass(frozen, module = "newsmark._native")]
pub struct Registry {
    root: String,
    parts: RegistryParts,
    /// One per part, with its root; locked for writing only to check a text
    /// (which adds it to the workspace for the time of the check). Built on
    /// first use, so a registry made to be shipped is built where it is used.
    workspaces: OnceLock<Vec<(PathBuf, RwLock<EngineWorkspace>)>>,
}

#[pymethods]
impl Registry {
    #[new]
    fn new(root: String, parts: RegistryParts) -> Registry {
        Registry { root, parts, workspaces: OnceLock::new() }
    }

    /// The export record of the article at `path` (absolute, read from
    /// disk), shown as `shown`.
    fn export_file(&self, py: Python<'_>, path: PathBuf, shown: String) -> Record {
        py.detach(|| match workspace::read_text(&path) {
            Ok(text) => self.with_workspace(&path, |ws| record(ws, &shown, &text)),
            Err(e) => (None, Some(format!("{shown}: {e}"))),
        })
    }

    /// The export record of an article text at `path` (relative to the
    /// registry's root).
    fn export_text(&self, py: Python<'_>, text: &str, path: String) -> Record {
        let at = PathBuf::from(&self.root).join(&path);
        py.detach(|| self.with_workspace(&at, |ws| record(ws, &path, text)))
    }

    /// `text` as a document of these workspaces at `path` (relative to the
    /// registry's root): references resolved, diagnostics as `check` would
    /// give them for a file with this text.
    fn document(&self, py: Python<'_>, text: &str, path: String) -> DocumentRow {
        let at = PathBuf::from(&self.root).join(&path);
        py.detach(|| {
            let Some((_, lock)) = self.workspace_of(&at) else {
                return document_row(&EngineWorkspace::new(at.clone(), Default::default()), None, Some(path), text);
            };
            let mut ws = lock.write().unwrap_or_else(|e| e.into_inner());
            let parse = syntax::parse(text);
            let old = ws.file_id(&at).and_then(|id| ws.file(id)).map(|f| f.text.to_string());
            let loaded = LoadedFile { path: at.clone(), display_path: path.clone(), content: Ok(text.to_owned()) };
            let id = ws.set_file(loaded, Some(&parse));
            let row = document_row_of_parse(&ws, Some(id), Some(path.clone()), text, &parse);
            match old {
                Some(old) => {
                    ws.set_file(LoadedFile { path: at, display_path: path, content: Ok(old) }, None);
                }
                None => {
                    ws.remove_file(&at);
                }
            }
            row
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (String, RegistryParts)) {
        let this = slf.get();
        (slf.get_type(), (this.root.clone(), this.parts.clone()))
    }
}

impl Registry {
    fn workspaces(&self) -> &[(PathBuf, RwLock<EngineWorkspace>)] {
        self.workspaces.get_or_init(|| {
            REGISTRIES_BUILT.fetch_add(1, Ordering::Relaxed);
            pool::run(|| build_registry(&self.root, &self.parts))
        })
    }

    /// The workspace whose root is the nearest above `path`.
    fn workspace_of(&self, path: &Path) -> Option<&(PathBuf, RwLock<EngineWorkspace>)> {
        self.workspaces()
            .iter()
            .filter(|(root, _)| path.starts_with(root))
            .max_by_key(|(root, _)| root.components().count())
    }

    fn with_workspace<R>(&self, path: &Path, f: impl FnOnce(&EngineWorkspace) -> R) -> R {
        match self.workspace_of(path) {
            Some((_, lock)) => f(&lock.read().unwrap_or_else(|e| e.into_inner())),
            None => f(&EngineWorkspace::new(path.to_path_buf(), Default::default())),
        }
    }
}

/// The workspaces of a registry's parts. A part whose config does not parse
/// (it parsed where the registry was made) gets the default config.
fn build_registry(root: &str, parts: &RegistryParts) -> Vec<(PathBuf, RwLock<EngineWorkspace>)> {
    let base = PathBuf::from(root);
    parts
        .iter()
        .map(|(ws_root, config_text, files)| {
            let ws_root = base.join(ws_root);
            let config = config_text.as_deref().and_then(|text| config::parse(text).ok()).unwrap_or_default();
            let by_path: HashMap<PathBuf, &(String, String)> =
                files.iter().map(|file| (base.join(&file.0), file)).collect();
            let mut paths: Vec<PathBuf> = by_path.keys().cloned().collect();
            paths.sort();
            let load = |path: &Path| {
                let (shown, text) = by_path.get(path).map_or(("", ""), |(s, t)| (s.as_str(), t.as_str()));
                LoadedFile { path: path.to_path_buf(), display_path: shown.to_owned(), content: Ok(text.to_owned()) }
            };
            let ws = EngineWorkspace::build(ws_root.clone(), Arc::new(config), &paths, load, &|| {});
            (ws_root, RwLock::new(ws))
        })
        .collect()
}
