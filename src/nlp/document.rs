//! The exportable form of an article, shared by every NLP format: its plain
//! text (§8), its tag spans in Unicode scalar values and bytes, and the
//! entities and sources each tag references, resolved in its workspace.
//! Also finds the articles under the PATHs given on the command line.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use crate::analysis::{DefInfo, Workspace};
use crate::syntax::{self, Sigil};
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::load;
use crate::workspace::open::Opener;

/// Kind given to an entity whose definition is missing.
pub const UNRESOLVED_ENTITY_KIND: &str = "other";
/// Kind given to a source whose definition is missing.
pub const UNRESOLVED_SOURCE_KIND: &str = "anonymous";

/// One article, ready for export.
#[derive(Clone, Debug, Default)]
pub struct ExportDoc {
    /// The article's path relative to its workspace root, `/` separators.
    pub path: String,
    /// The plain text of §8.
    pub text: String,
    /// One span per tag, in document order (by start, outer tags first).
    pub spans: Vec<TagSpan>,
}

/// Where one tag's text lies in the plain text, and what it references.
#[derive(Clone, Debug, Default)]
pub struct TagSpan {
    /// Offsets in Unicode scalar values.
    pub start: usize,
    pub end: usize,
    /// Offsets in bytes of `ExportDoc::text`.
    pub byte_start: usize,
    pub byte_end: usize,
    /// Index of the innermost tag containing this one.
    pub parent: Option<usize>,
    pub entities: Vec<Entity>,
    pub sources: Vec<Source>,
}

/// An entity reference, resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    pub kind: String,
    pub name: Option<String>,
    /// `Q…` when the definition has a `wikidata` key.
    pub wikidata: Option<String>,
    pub resolved: bool,
}

/// A source reference, resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Source {
    pub id: String,
    pub kind: String,
    pub name: Option<String>,
    /// Entity ids of `by`, without `@`.
    pub by: Vec<String>,
    pub date: Option<String>,
    pub resolved: bool,
}

impl ExportDoc {
    /// The covered text of a span.
    pub fn slice(&self, span: &TagSpan) -> &str {
        self.text.get(span.byte_start..span.byte_end).unwrap_or("")
    }

    /// Length of the plain text in Unicode scalar values.
    pub fn char_len(&self) -> usize {
        self.text.chars().count()
    }
}

impl Entity {
    fn resolve(ws: &Workspace, id: &str) -> Entity {
        match ws.resolve(Sigil::Entity, id) {
            Some((_, def)) => Entity {
                id: id.to_owned(),
                kind: def.kind().to_string(),
                name: display_name(def),
                wikidata: def.attr("wikidata").map(str::trim).filter(|q| is_wikidata(q)).map(str::to_owned),
                resolved: true,
            },
            None => Entity { id: id.to_owned(), kind: UNRESOLVED_ENTITY_KIND.to_owned(), ..Entity::default() },
        }
    }
}

impl Source {
    fn resolve(ws: &Workspace, id: &str) -> Source {
        match ws.resolve(Sigil::Source, id) {
            Some((_, def)) => Source {
                id: id.to_owned(),
                kind: def.kind().to_string(),
                name: display_name(def),
                by: def.list("by").filter_map(|r| r.strip_prefix('@')).map(str::to_owned).collect(),
                date: def.attr("date").map(str::to_owned).filter(|d| !d.is_empty()),
                resolved: true,
            },
            None => Source { id: id.to_owned(), kind: UNRESOLVED_SOURCE_KIND.to_owned(), ..Source::default() },
        }
    }
}

fn display_name(def: &DefInfo) -> Option<String> {
    def.name().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned)
}

/// `Q` and digits without a leading zero (§4).
pub fn is_wikidata(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('Q') else { return false };
    !digits.is_empty() && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What `collect` found.
#[derive(Default)]
pub struct Collected {
    pub docs: Vec<ExportDoc>,
    /// Kinds configured in the workspaces (§10), beyond the built-in ones.
    pub entity_kinds: Vec<String>,
    pub source_kinds: Vec<String>,
    /// Problems already reported on stderr: 1 for a skipped document, 2 for
    /// a PATH that does not exist or a workspace that cannot be loaded.
    pub code: i32,
}

/// Finds the articles under `paths` (files, or folders meaning every `.nmk`
/// article below them; registry files are skipped), loads their workspaces
/// and builds each article. A document with syntax errors is reported on
/// stderr and left out.
pub fn collect(paths: &[PathBuf]) -> Collected {
    let mut out = Collected::default();
    let mut opener = Opener::default();
    let mut seen: FxHashSet<PathBuf> = FxHashSet::default();
    for path in paths {
        let is_dir = path.is_dir();
        let mut kinds = |workspaces: &[Workspace]| {
            for ws in workspaces {
                push_new(&mut out.entity_kinds, &ws.config.entity_kinds_extra);
                push_new(&mut out.source_kinds, &ws.config.source_kinds_extra);
            }
        };
        let opened = match opener.open(path, &mut kinds) {
            Ok(opened) => opened,
            Err(e) => {
                eprintln!("error: {e}");
                out.code = out.code.max(2);
                continue;
            }
        };
        let workspaces = opener.workspaces(opened.root);
        for (w, file) in opened.files {
            if !seen.insert(file.clone()) {
                continue;
            }
            let Some(ws) = workspaces.get(w) else { continue };
            match build(ws, &file, !is_dir) {
                Ok(Some(doc)) => out.docs.push(doc),
                Ok(None) => {}
                Err(message) => {
                    eprintln!("error: {message}");
                    out.code = out.code.max(1);
                }
            }
        }
    }
    out
}

fn push_new(into: &mut Vec<String>, kinds: &[String]) {
    for kind in kinds {
        if !into.contains(kind) {
            into.push(kind.clone());
        }
    }
}

/// One article of `ws`; `None` for a registry file (said on stderr when the
/// file was named explicitly); an error message for an unreadable file or
/// one with syntax errors.
fn build(ws: &Workspace, path: &Path, explicit: bool) -> Result<Option<ExportDoc>, String> {
    let Some(file) = ws.file_id(path).and_then(|id| ws.file(id)) else {
        return Err(format!("{}: not in its workspace", path.display()));
    };
    let shown = load::display_path(&file.path, &ws.root);
    if let Some(e) = &file.read_error {
        return Err(format!("{shown}: {e}"));
    }
    let parse = syntax::parse(&file.text);
    if let Some(first) = parse.errors.first() {
        let at = LineIndex::new(&file.text).line_col(&file.text, first.range.start, PositionEncoding::Utf32);
        return Err(format!(
            "{shown}: skipped: {} syntax error(s), the first at {}:{}: {}",
            parse.errors.len(),
            at.line + 1,
            at.col + 1,
            first.message
        ));
    }
    if parse.doc.is_registry() {
        if explicit {
            eprintln!("note: {shown}: a registry file (no prose), nothing to export");
        }
        return Ok(None);
    }
    Ok(Some(export_doc(ws, shown, &file.text, &parse)))
}

/// The exportable form of `text` (whose parse is `parse`), its references
/// resolved in `ws`; `path` is the path to show. Syntax errors are not
/// checked here: the text of a malformed construct is kept as literal text.
pub fn export_doc(ws: &Workspace, path: String, text: &str, parse: &syntax::Parse) -> ExportDoc {
    let plain = syntax::plain_text(text, parse);
    let spans = parse
        .doc
        .tags
        .iter()
        .zip(&plain.tags)
        .map(|(tag, span)| TagSpan {
            start: span.start as usize,
            end: span.end as usize,
            byte_start: span.byte_start as usize,
            byte_end: span.byte_end as usize,
            parent: tag.parent.map(|p| p as usize),
            entities: tag
                .refs
                .iter()
                .filter(|r| r.sigil == Sigil::Entity)
                .map(|r| Entity::resolve(ws, &r.id))
                .collect(),
            sources: tag.refs.iter().filter(|r| r.sigil == Sigil::Source).map(|r| Source::resolve(ws, &r.id)).collect(),
        })
        .collect();
    ExportDoc { path, text: plain.text, spans }
}
