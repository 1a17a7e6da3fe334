//! Hover (spec §12): what a reference or definition id stands for, what a
//! key means, or why a reference resolves to nothing.

use std::fmt::Write;

use super::cursor::{CursorTarget, all_refs, classify};
use super::{FileContext, line_number};
use crate::analysis::schema::{self, KeyContext};
use crate::analysis::{DefInfo, DefLoc, Workspace};
use crate::syntax::Sigil;
use crate::text::TextRange;

/// Markdown to show for `range`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// Attributes shown in a hover, in this order.
const SHOWN_KEYS: &[&str] = &["role", "aka", "by", "via", "part-of", "date", "wikidata", "url", "note"];

pub fn hover(ctx: FileContext, offset: u32) -> Option<Hover> {
    let target = classify(ctx, offset)?;
    let (range, markdown) = match target {
        CursorTarget::Reference { sigil, id, range, .. } | CursorTarget::Definition { sigil, id, range, .. } => {
            (range, symbol_markdown(ctx, sigil, id))
        }
        CursorTarget::Key { context, key, range } => (range, key_markdown(context, key)?),
        CursorTarget::Kind { def, range } => {
            let d = ctx.parse.doc.definitions.get(def)?;
            (range, kind_markdown(ctx.ws, d.sigil, &d.kind))
        }
    };
    Some(Hover { range, markdown })
}

fn symbol_markdown(ctx: FileContext, sigil: Sigil, id: &str) -> String {
    let ws = ctx.ws;
    let sig = sigil.char();
    let locs = ws.definitions(sigil, id);
    let Some((&loc, def)) = locs.first().and_then(|l| Some((l, ws.def(*l)?))) else {
        if !ctx.index_complete {
            return format!(
                "`{sig}{id}`: not among the definitions read so far; the workspace is still being indexed."
            );
        }
        return undefined_markdown(ws, sigil, id);
    };
    let mut md = String::new();
    let name = def.name().filter(|n| !n.trim().is_empty());
    match name {
        Some(n) => {
            let _ = write!(md, "**{}** · {} · `{sig}{id}`", escape(n), escape(def.kind()));
        }
        None => {
            let _ = write!(md, "**`{sig}{id}`** · {} (no display name)", escape(def.kind()));
        }
    }
    md.push_str("\n\n");
    let mut lines = Vec::new();
    for &key in SHOWN_KEYS {
        if let Some(line) = attribute_line(ws, def, key) {
            lines.push(line);
        }
    }
    for line in &lines {
        let _ = writeln!(md, "- {line}");
    }
    if !lines.is_empty() {
        md.push('\n');
    }
    let _ = write!(md, "Defined in {}", place(&ctx, loc, def));
    if locs.len() > 1 {
        let _ = write!(md, " (also defined in {} other place{})", locs.len() - 1, plural(locs.len() - 1));
    }
    md.push_str("\n\n");
    let here = all_refs(ctx.parse).filter(|(s, i, _)| *s == sigil && *i == id).count();
    let total = ws.ref_count(sigil, id);
    let _ = write!(md, "{here} reference{} in this document, {total} in the workspace", plural(here));
    md
}

fn attribute_line(ws: &Workspace, def: &DefInfo, key: &str) -> Option<String> {
    let spec = schema::key_spec(KeyContext::of_definition(def.sigil), key)?;
    if spec.value.is_list() {
        let items: Vec<&str> = def.list(key).collect();
        if items.is_empty() {
            return None;
        }
        let shown: Vec<String> = if spec.value.is_reference() {
            items.iter().map(|i| reference_name(ws, i)).collect()
        } else {
            items.iter().map(|i| escape(i)).collect()
        };
        return Some(format!("{key}: {}", shown.join("; ")));
    }
    let value = def.attr(key).map(str::trim).filter(|v| !v.is_empty())?;
    let shown = match key {
        _ if spec.value.is_reference() => reference_name(ws, value),
        "wikidata" => format!("[{value}](https://www.wikidata.org/wiki/{value})"),
        "url" => format!("<{value}>"),
        _ => escape(value),
    };
    Some(format!("{key}: {shown}"))
}

/// A reference item shown by its display name when it resolves.
fn reference_name(ws: &Workspace, item: &str) -> String {
    match crate::analysis::parse_reference(item) {
        Some((sigil, id)) => match ws.resolve(sigil, id).and_then(|(_, d)| d.name()) {
            Some(name) => format!("{} (`{item}`)", escape(name)),
            None => format!("`{item}`"),
        },
        None => escape(item),
    }
}

/// "`path`, line N".
fn place(ctx: &FileContext, loc: DefLoc, def: &DefInfo) -> String {
    match ctx.ws.file(loc.file) {
        Some(f) => {
            let text = ctx.texts.text(loc.file).unwrap_or_default();
            format!("`{}`, line {}", f.display_path, line_number(&text, def.id_range.start))
        }
        None => "an unknown file".to_string(),
    }
}

fn undefined_markdown(ws: &Workspace, sigil: Sigil, id: &str) -> String {
    let sig = sigil.char();
    let mut md = format!("`{sig}{id}` is **undefined**: no {} of this id in the workspace.", sigil.noun());
    let other = sigil.other();
    if !ws.definitions(other, id).is_empty() {
        let article = if other == Sigil::Entity { "an" } else { "a" };
        let _ = write!(md, "\n\n`{}{id}` exists as {article} {}.", other.char(), other.noun());
    } else if let Some(s) = ws.index().sorted_ids(sigil, ws.interner()).closest(id) {
        let _ = write!(md, "\n\nDid you mean `{sig}{s}`?");
    }
    md
}

fn key_markdown(context: KeyContext, key: &str) -> Option<String> {
    let place = match context {
        KeyContext::FrontMatter => "front-matter key",
        KeyContext::Entity => "entity key",
        KeyContext::Source => "source key",
    };
    if schema::is_private_key(key) {
        return Some(format!("**`{key}`** · {place}\n\nA private key: holds anything and is never checked."));
    }
    let spec = schema::key_spec(context, key)?;
    Some(format!("**`{key}`** · {place}\n\n{}", spec.doc))
}

fn kind_markdown(ws: &Workspace, sigil: Sigil, kind: &str) -> String {
    let known = match sigil {
        Sigil::Entity => ws.config.is_entity_kind(kind),
        Sigil::Source => ws.config.is_source_kind(kind),
    };
    let builtin = schema::builtin_kinds(sigil).contains(&kind);
    let what = match (known, builtin) {
        (true, true) => "built-in",
        (true, false) => "added in `newsmark.toml`",
        _ => "unknown",
    };
    format!("**{}** · {} kind ({what})", escape(kind), sigil.noun())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Escapes the characters that Markdown would take as markup in user text.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
