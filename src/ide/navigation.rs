//! Go to definition, find references and document highlight: where an id is
//! defined and used, from the workspace summaries (no file is re-parsed).

use super::cursor::{CursorTarget, all_refs, classify};
use super::{FileContext, FileRange};
use crate::analysis::{FileId, LinePos, Symbol, Workspace};
use crate::syntax::Sigil;
use crate::text::TextRange;

/// The definition's sigil and id in its header (the first definition, the
/// one references resolve to); on a header, that header itself.
pub fn goto_definition(ctx: FileContext, offset: u32) -> Option<FileRange> {
    match classify(ctx, offset)? {
        CursorTarget::Definition { range, .. } => Some(FileRange { file: ctx.file, range }),
        CursorTarget::Reference { sigil, id, .. } => {
            let (loc, def) = ctx.ws.resolve(sigil, id)?;
            Some(FileRange { file: loc.file, range: def.id_range })
        }
        _ => None,
    }
}

/// One place an id occurs: a reference, or a definition header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub file: FileId,
    pub range: TextRange,
    /// The id that occurs.
    pub id: Symbol,
    /// Where a reference starts, as its file's summary keeps it; `None` for
    /// a definition header. A client's positions for a file that is not
    /// open come from it without reading the file (and without looking the
    /// reference up again, which for 10,000 files is a cache miss each).
    pub at: Option<LinePos>,
}

/// Every reference to the id under the cursor in the workspace (tags and
/// attribute values), plus every definition header of it when
/// `include_declaration`; sorted by file, then position.
pub fn references(ctx: FileContext, offset: u32, include_declaration: bool) -> Vec<Occurrence> {
    let Some((sigil, id, _)) = classify(ctx, offset).and_then(|t| t.symbol().map(|(s, i, r)| (s, i.to_string(), r)))
    else {
        return Vec::new();
    };
    symbol_occurrences(ctx.ws, sigil, &id, include_declaration)
}

/// References (and optionally definition headers) of `sigil` + `id` across
/// the workspace, sorted by file then position. The index names the files
/// that reference the id, so this reads those files' summaries only.
pub(crate) fn symbol_occurrences(ws: &Workspace, sigil: Sigil, id: &str, with_defs: bool) -> Vec<Occurrence> {
    let Some(sym) = ws.interner().get(id) else { return Vec::new() };
    let index = ws.index();
    let mut out = Vec::with_capacity(index.ref_count(sigil, sym) as usize);
    for &(file, count) in index.referrers(sigil, sym) {
        let Some(source) = ws.file(file) else { continue };
        let refs = source.summary.refs.iter().filter(|r| r.sigil == sigil && r.id == sym);
        out.extend(refs.take(count as usize).map(|r| Occurrence { file, range: r.range, id: sym, at: r.at() }));
    }
    if with_defs {
        for &loc in index.definitions(sigil, sym) {
            if let Some(def) = ws.def(loc) {
                out.push(Occurrence { file: loc.file, range: def.id_range, id: sym, at: None });
            }
        }
    }
    out.sort_by_key(|r| (r.file, r.range.start, r.range.end));
    out.dedup_by_key(|r| (r.file, r.range));
    out
}

/// How a highlighted occurrence uses the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HighlightKind {
    /// A reference.
    Read,
    /// The definition header.
    Write,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub range: TextRange,
    pub kind: HighlightKind,
}

/// The occurrences of the id under the cursor in this file, sorted.
pub fn document_highlight(ctx: FileContext, offset: u32) -> Vec<Highlight> {
    let Some((sigil, id, _)) = classify(ctx, offset).and_then(|t| t.symbol()) else { return Vec::new() };
    let refs = all_refs(ctx.parse)
        .filter(|(s, i, _)| *s == sigil && *i == id)
        .map(|(_, _, range)| Highlight { range, kind: HighlightKind::Read });
    let defs = ctx
        .parse
        .doc
        .definitions
        .iter()
        .filter(|d| d.sigil == sigil && &*d.id == id)
        .map(|d| Highlight { range: d.id_range, kind: HighlightKind::Write });
    let mut out: Vec<Highlight> = refs.chain(defs).collect();
    out.sort_by_key(|h| (h.range.start, h.range.end));
    out
}
