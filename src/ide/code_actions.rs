//! Quick fixes for the diagnostics with an obvious fix: create a missing
//! definition (here or in the main registry), use the suggested id, kind,
//! key or value, add a tag's text to an entity's `aka`, tag an untagged
//! mention.
//!
//! A created entity gets kind `person`, its id title-cased as display name
//! (`barack-obama` → "Barack Obama": ids are usually slugs of the name),
//! and the tag's text as `aka` when it is another name. A
//! created source gets kind `statement` and, when an entity is tagged inside
//! the source's tag, `by:` that entity; otherwise no `by`, and
//! `missing-attribution` reminds the user to add one (an empty `by:` would
//! be an `invalid-value` error instead).

use super::{FileContext, SourceChange, TextEdit};
use crate::analysis::values::normalize_name;
use crate::analysis::{Code, Diagnostic, FileId, parse_reference};
use crate::syntax::{self, Parse, Sigil, plain_text};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeActionKind {
    QuickFix,
    Refactor,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub kind: CodeActionKind,
    /// Index into the diagnostics given to [`code_actions`] that this fixes.
    pub diagnostic: Option<usize>,
    pub change: SourceChange,
    pub is_preferred: bool,
}

/// The fixes for those of `diagnostics` (of this file) that touch `range`.
pub fn code_actions(ctx: FileContext, range: TextRange, diagnostics: &[Diagnostic]) -> Vec<CodeAction> {
    let mut out = Vec::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if d.file != ctx.file || d.range.start > range.end || range.start > d.range.end {
            continue;
        }
        let mut fix = |title: String, change: SourceChange, preferred: bool| {
            out.push(CodeAction {
                title,
                kind: CodeActionKind::QuickFix,
                diagnostic: Some(i),
                change,
                is_preferred: preferred,
            })
        };
        let replace = |s: &str| SourceChange::single(ctx.file, TextEdit { range: d.range, new_text: s.to_string() });
        match (d.code, d.suggestion.as_deref()) {
            (Code::UndefinedReference, suggestion) => {
                if let Some((sigil, id)) = parse_reference(d.range.slice(ctx.text)) {
                    let block = new_definition(ctx, sigil, id, d.range);
                    fix(
                        format!("Create `{}{id}` in this file", sigil.char()),
                        append(ctx.file, ctx.text, &block),
                        false,
                    );
                    if let Some((file, path)) = main_registry(ctx, sigil) {
                        let text = ctx.texts.text(file).unwrap_or_default();
                        fix(format!("Create `{}{id}` in {path}", sigil.char()), append(file, &text, &block), false);
                    }
                }
                if let Some(s) = suggestion {
                    fix(format!("Change to `{s}`"), replace(s), true);
                }
            }
            (Code::UnknownAlias, _) => {
                if let Some((title, change)) = add_alias(ctx, d.range) {
                    fix(title, change, true);
                }
            }
            (Code::UntaggedMention, Some(s)) => {
                let id = s.rsplit_once('{').map_or(s, |(_, r)| r).trim_end_matches('}');
                fix(format!("Tag “{}” as `{id}`", d.range.slice(ctx.text)), replace(s), true);
            }
            (Code::UnknownKind, Some(s)) => fix(format!("Change kind to `{s}`"), replace(s), true),
            (Code::UnknownKey, Some(s)) => fix(format!("Change key to `{s}`"), replace(s), true),
            (Code::InvalidValue, Some(s)) => fix(format!("Change to `{s}`"), replace(s), true),
            _ => {}
        }
    }
    out
}

/// The definition block to create for an undefined `sigil` + `id`
/// referenced at `at`, with the file's line ending added by [`append`].
fn new_definition(ctx: FileContext, sigil: Sigil, id: &str, at: TextRange) -> Vec<String> {
    let doc = &ctx.parse.doc;
    let tag = doc.tags.iter().position(|t| t.refs.iter().any(|r| r.range == at));
    match sigil {
        Sigil::Entity => {
            let text = tag.and_then(|t| doc.tags.get(t)).map(|t| t.text_range.slice(ctx.text)).unwrap_or("");
            let simple = !text.trim().is_empty() && !text.contains(['[', ']', '{', '}', '\\', '<', '"', '\n', '\r']);
            let name = title_case(id);
            let mut lines = vec![format!("@{id}: person \"{name}\"")];
            // The tag's text becomes an alias when it is not the name, so
            // the new definition raises no `unknown-alias` either.
            let written = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if simple && !written.contains(';') && !normalize_name(&written).matches(&normalize_name(&name)) {
                lines.push(format!("  aka: {written}"));
            }
            lines
        }
        Sigil::Source => {
            let by = tag.and_then(|t| author_in(ctx.parse, t));
            let mut lines = vec![format!("^{id}: statement")];
            if let Some(by) = by {
                lines.push(format!("  by: @{by}"));
            }
            lines
        }
    }
}

/// The first entity referenced by the tag at `index` or a tag inside it.
fn author_in(parse: &Parse, index: usize) -> Option<&str> {
    let tags = &parse.doc.tags;
    let outer = tags.get(index)?;
    tags.iter()
        .skip(index)
        .take_while(|t| outer.range.contains_range(t.range))
        .flat_map(|t| t.refs.iter())
        .find(|r| r.sigil == Sigil::Entity)
        .map(|r| &*r.id)
}

/// `barack-obama` → `Barack Obama`.
fn title_case(id: &str) -> String {
    id.split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Appends `lines` as a block at the end of `text`, after a blank line.
fn append(file: FileId, text: &str, lines: &[String]) -> SourceChange {
    let nl = line_ending(text);
    let ends_blank = text.ends_with(&format!("{nl}{nl}")) || text.ends_with("\n\n");
    let lead = if text.trim().is_empty() || ends_blank {
        ""
    } else if text.ends_with(['\n', '\r']) {
        nl
    } else {
        if nl == "\r\n" { "\r\n\r\n" } else { "\n\n" }
    };
    let mut new_text = lead.to_string();
    for l in lines {
        new_text.push_str(l);
        new_text.push_str(nl);
    }
    let end = text.len() as u32;
    SourceChange::single(file, TextEdit { range: TextRange::empty(end), new_text })
}

fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text[i..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

/// The registry file holding the most definitions of `sigil` (first by id
/// on a tie), unless that is the current file.
fn main_registry(ctx: FileContext, sigil: Sigil) -> Option<(FileId, String)> {
    let mut best: Option<(usize, FileId)> = None;
    for (id, f) in ctx.ws.files() {
        if !f.summary.is_registry {
            continue;
        }
        let n = f.summary.defs.iter().filter(|d| d.sigil == sigil).count();
        if n > 0 && best.is_none_or(|(m, _)| n > m) {
            best = Some((n, id));
        }
    }
    let (_, file) = best.filter(|(_, f)| *f != ctx.file)?;
    Some((file, ctx.ws.file(file)?.display_path.clone()))
}

/// "Add “text” to the `aka` of `@x`" for the `unknown-alias` at `at`.
fn add_alias(ctx: FileContext, at: TextRange) -> Option<(String, SourceChange)> {
    let doc = &ctx.parse.doc;
    let index = doc.tags.iter().position(|t| t.refs.iter().any(|r| r.range == at))?;
    let reference = doc.tags.get(index)?.refs.iter().find(|r| r.range == at)?;
    let plain = plain_text(ctx.text, ctx.parse);
    let span = plain.tags.get(index)?;
    let raw = plain.text.get(span.byte_start as usize..span.byte_end as usize)?;
    let alias = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    // A `;` would split the alias into two list items.
    if alias.is_empty() || alias.contains(';') {
        return None;
    }
    let (loc, info) = ctx.ws.resolve(Sigil::Entity, &reference.id)?;
    let other;
    let other_text;
    let (parse, text) = if loc.file == ctx.file {
        (ctx.parse, ctx.text)
    } else {
        other_text = ctx.texts.text(loc.file)?;
        other = syntax::parse(&other_text);
        (&other, &*other_text)
    };
    let def = parse.doc.definitions.iter().find(|d| d.id_range == info.id_range)?;
    let edit = match def.attributes.iter().rev().find(|a| &*a.key == "aka") {
        Some(aka) if aka.value.trim().is_empty() => {
            let after_colon = text.get(..aka.value_range.start as usize).is_some_and(|s| s.ends_with(':'));
            let new_text = if after_colon { format!(" {alias}") } else { alias.clone() };
            TextEdit { range: aka.value_range, new_text }
        }
        Some(aka) => TextEdit { range: TextRange::empty(aka.value_range.end), new_text: format!("; {alias}") },
        None => {
            let indent = def.attributes.first().map_or("  ", |a| {
                let line = a.range.slice(text);
                &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
            });
            let nl = line_ending(text);
            TextEdit { range: TextRange::empty(def.range.end), new_text: format!("{nl}{indent}aka: {alias}") }
        }
    };
    let title = format!("Add “{alias}” to the `aka` of `@{}`", reference.id);
    Some((title, SourceChange::single(loc.file, edit)))
}
