//! Document symbols (front matter, headings nested by level, definitions)
//! and workspace symbols (defined ids matching a query).

use super::{FileContext, FileRange};
use crate::analysis::Workspace;
use crate::syntax::Sigil;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    FrontMatter,
    /// A front-matter key.
    Key,
    Heading,
    Entity,
    Source,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole construct (a heading's range covers its section).
    pub range: TextRange,
    /// What to select when the symbol is picked (the id, the heading line).
    pub selection_range: TextRange,
    pub children: Vec<DocumentSymbol>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// `@id` / `^id`.
    pub name: String,
    pub kind: SymbolKind,
    /// The display name and kind ("Barack Obama · person").
    pub container: Option<String>,
    pub location: FileRange,
}

/// The outline of one document. Headings open sections: a heading of level
/// n holds the headings of deeper levels and the definitions after it, up
/// to the next heading of level n or less.
pub fn document_symbols(ctx: FileContext) -> Vec<DocumentSymbol> {
    let doc = &ctx.parse.doc;
    let text = ctx.text;
    // Items in document order: (start, level for headings, symbol).
    let mut items: Vec<(u32, Option<u8>, DocumentSymbol)> = Vec::new();
    if let Some(fm) = &doc.front_matter {
        let children = fm
            .attributes
            .iter()
            .map(|a| DocumentSymbol {
                name: a.key.to_string(),
                detail: Some(a.value.to_string()).filter(|v| !v.is_empty()),
                kind: SymbolKind::Key,
                range: a.range,
                selection_range: a.key_range,
                children: Vec::new(),
            })
            .collect();
        let sym = DocumentSymbol {
            name: "front matter".to_string(),
            detail: None,
            kind: SymbolKind::FrontMatter,
            range: fm.range,
            selection_range: fm.open,
            children,
        };
        items.push((fm.range.start, None, sym));
    }
    for para in doc.paragraphs.iter() {
        let Some(level) = para.heading_level else { continue };
        let first_line = para.range.slice(text).lines().next().unwrap_or("");
        let name = first_line.trim_start_matches('#').trim();
        let line = TextRange::new(para.range.start, para.range.start + first_line.len() as u32);
        let sym = DocumentSymbol {
            name: if name.is_empty() { "(empty heading)".to_string() } else { name.to_string() },
            detail: Some(format!("h{level}")),
            kind: SymbolKind::Heading,
            range: para.range,
            selection_range: line,
            children: Vec::new(),
        };
        items.push((para.range.start, Some(level), sym));
    }
    for def in &doc.definitions {
        let detail = match def.name.as_deref() {
            Some(n) => format!("{n} · {}", def.kind),
            None => def.kind.to_string(),
        };
        let sym = DocumentSymbol {
            name: format!("{}{}", def.sigil.char(), def.id),
            detail: Some(detail),
            kind: symbol_kind(def.sigil),
            range: def.range,
            selection_range: def.id_range,
            children: Vec::new(),
        };
        items.push((def.range.start, None, sym));
    }
    items.sort_by_key(|(start, _, _)| *start);
    nest(items)
}

/// Builds the tree with a stack of open headings (no recursion on depth).
fn nest(items: Vec<(u32, Option<u8>, DocumentSymbol)>) -> Vec<DocumentSymbol> {
    let mut roots = Vec::new();
    let mut stack: Vec<(u8, DocumentSymbol)> = Vec::new();
    fn close(stack: &mut Vec<(u8, DocumentSymbol)>, roots: &mut Vec<DocumentSymbol>) {
        if let Some((_, mut done)) = stack.pop() {
            if let Some(end) = done.children.iter().map(|c| c.range.end).max() {
                done.range.end = done.range.end.max(end);
            }
            match stack.last_mut() {
                Some((_, parent)) => parent.children.push(done),
                None => roots.push(done),
            }
        }
    }
    for (_, level, sym) in items {
        match level {
            Some(level) => {
                while stack.last().is_some_and(|(l, _)| *l >= level) {
                    close(&mut stack, &mut roots);
                }
                stack.push((level, sym));
            }
            None => match stack.last_mut() {
                Some((_, parent)) => parent.children.push(sym),
                None => roots.push(sym),
            },
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

fn symbol_kind(sigil: Sigil) -> SymbolKind {
    match sigil {
        Sigil::Entity => SymbolKind::Entity,
        Sigil::Source => SymbolKind::Source,
    }
}

/// Defined ids matching `query` (a leading `@` or `^` restricts to that
/// sigil): first those starting with it, then those containing it
/// (ASCII case-insensitively), at most `limit`.
pub fn workspace_symbols(ws: &Workspace, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let (sigils, query) = match query.chars().next().and_then(Sigil::from_char) {
        Some(s) => (vec![s], &query[1..]),
        None => (vec![Sigil::Entity, Sigil::Source], query),
    };
    let needle = query.to_lowercase();
    let mut out = Vec::new();
    for &sigil in &sigils {
        let sorted = ws.index().sorted_ids(sigil, ws.interner());
        for id in sorted.with_prefix(query) {
            if out.len() >= limit {
                return out;
            }
            push_symbol(ws, sigil, id, &mut out);
        }
    }
    if needle.is_empty() {
        return out;
    }
    for &sigil in &sigils {
        let sorted = ws.index().sorted_ids(sigil, ws.interner());
        for id in sorted.all() {
            if out.len() >= limit {
                return out;
            }
            if !id.starts_with(query) && contains_ignore_case(id, &needle) {
                push_symbol(ws, sigil, id, &mut out);
            }
        }
    }
    out
}

fn contains_ignore_case(haystack: &str, lower_needle: &str) -> bool {
    if haystack.is_ascii() && lower_needle.is_ascii() {
        let h = haystack.as_bytes();
        let n = lower_needle.as_bytes();
        return n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(lower_needle)
}

fn push_symbol(ws: &Workspace, sigil: Sigil, id: &str, out: &mut Vec<WorkspaceSymbol>) {
    let Some((loc, def)) = ws.resolve(sigil, id) else { return };
    let container = Some(match def.name() {
        Some(n) => format!("{n} · {}", def.kind()),
        None => def.kind().to_string(),
    });
    out.push(WorkspaceSymbol {
        name: format!("{}{id}", sigil.char()),
        kind: symbol_kind(sigil),
        container,
        location: FileRange { file: loc.file, range: def.id_range },
    });
}
