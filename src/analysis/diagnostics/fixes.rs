//! The fixes of spec §14, computed once for the CLI (`check --fix`) and
//! the editor (quick fixes, `source.fixAll`): which diagnostics have one,
//! its edits and whether it is safe. No fix edits prose text: they replace
//! markup (a kind, a key, a reference), wrap a mention in tag brackets, or
//! edit a definition block or a comment, so the plain text (§8) is kept.

use super::Context;
use crate::analysis::deps::Deps;
use crate::analysis::schema::{self, KeyContext, ValueType};
use crate::analysis::values::{check_language_tag, check_url, check_wikidata, closest_unique, parse_date};
use crate::analysis::workspace::FileTexts;
use crate::analysis::{Applicability, Code, Diagnostic, FileId, Fix, FixEdit, parse_reference};
use crate::syntax::{Definition, Document, Sigil, Tag};
use crate::text::TextRange;

/// Gives each diagnostic of `diags` (of the file of `ctx`) its fix, where
/// it has one and none was set while it was found. Returns what the fixes
/// read of the workspace (sorted): the ids whose definition's place a fix
/// holds (an `aka` added at a block's end), the ids whose being defined a
/// renamed key's value needs, and whether it read that an id is undefined.
pub(super) fn attach(ctx: &Context, diags: &mut [Diagnostic]) -> Deps {
    let mut reads = Deps::default();
    for d in diags.iter_mut().filter(|d| d.fix.is_none()) {
        d.fix = fix_for(ctx, d, &mut reads);
    }
    reads.sort();
    reads
}

fn fix_for(ctx: &Context, d: &Diagnostic, reads: &mut Deps) -> Option<Fix> {
    let replace = |title: String, applicability| {
        let new_text = d.suggestion.clone()?;
        let edit = FixEdit { file: ctx.file, range: d.range, new_text };
        Some(Fix { title, applicability, edits: vec![edit] })
    };
    let suggestion = d.suggestion.as_deref();
    // Where two candidates are as close, a person chooses: no fix.
    if !unique_suggestion(ctx, d)? {
        return None;
    }
    match d.code {
        Code::UnknownKind => replace(format!("Change kind to `{}`", suggestion?), Applicability::Safe),
        Code::UnknownKey if key_fits(ctx, d.range, suggestion?, reads) => {
            replace(format!("Change key to `{}`", suggestion?), Applicability::Safe)
        }
        Code::InvalidValue => replace(format!("Change to `{}`", suggestion?), Applicability::Safe),
        // Given where it is found (`references.rs`), which knows whether
        // another id is as close.
        Code::UndefinedReference => None,
        Code::UntaggedMention => {
            // `\[` would read as an escaped bracket: no tag, and a
            // changed plain text.
            if odd_backslashes_before(ctx.source_text, d.range.start as usize) {
                return None;
            }
            let id = suggestion?.rsplit_once("]{@")?.1.strip_suffix('}')?;
            let title = format!("Tag “{}” as `@{id}`", one_line(d.range.slice(ctx.source_text)));
            replace(title, Applicability::Unsafe)
        }
        Code::UnknownAlias => add_alias(ctx, d.range, reads),
        _ => None,
    }
}

/// Whether the suggestion of `d` (if it has one; `Some(true)` when it has
/// none, as nothing is to be chosen) is the only candidate that close:
/// `None` when the diagnostic's place cannot be found.
fn unique_suggestion(ctx: &Context, d: &Diagnostic) -> Option<bool> {
    let Some(suggestion) = d.suggestion.as_deref() else { return Some(true) };
    let written = d.range.slice(ctx.source_text);
    let doc = &ctx.parse.doc;
    Some(match d.code {
        Code::UnknownKind => {
            let def = definition_at(doc, d.range).filter(|def| def.kind_range == d.range)?;
            let config = &ctx.ws.config;
            let unique = match def.sigil {
                Sigil::Entity => closest_unique(written, config.entity_kinds()),
                Sigil::Source => closest_unique(written, config.source_kinds()),
            };
            unique == Some(suggestion)
        }
        Code::UnknownKey => {
            let key_context =
                definition_at(doc, d.range).map_or(KeyContext::FrontMatter, |def| KeyContext::of_definition(def.sigil));
            closest_unique(written, schema::keys(key_context).iter().map(|k| k.key)) == Some(suggestion)
        }
        _ => true,
    })
}

/// Whether renaming the key at `at` to `key` removes the diagnostic
/// without making another: the value suits the new key (`rle: boss` under
/// a source is not fixed to `url`), and a single-value key is not given
/// twice (also not by two lines renamed in the same round).
fn key_fits(ctx: &Context, at: TextRange, key: &str, reads: &mut Deps) -> bool {
    let doc = &ctx.parse.doc;
    let place = definition_at(doc, at).map_or_else(
        || doc.front_matter.as_ref().map(|f| (&f.attributes[..], KeyContext::FrontMatter)),
        |d| Some((&d.attributes[..], KeyContext::of_definition(d.sigil))),
    );
    let Some((attrs, key_context)) = place else { return false };
    let (Some(attr), Some(spec)) = (attrs.iter().find(|a| a.key_range == at), schema::key_spec(key_context, key))
    else {
        return false;
    };
    // Of several lines with the same unknown key, only the first is renamed
    // to a single-value key: renaming them all at once would give it twice.
    let renamed_before = || attrs.iter().take_while(|a| a.key_range != at).any(|a| a.key == attr.key);
    if !spec.value.is_list() && (attrs.iter().any(|a| &*a.key == key) || renamed_before()) {
        return false;
    }
    let value = attr.value.trim();
    match spec.value {
        ValueType::Text | ValueType::TextList => true,
        ValueType::Date => parse_date(value).is_ok(),
        ValueType::Url => check_url(value).is_ok(),
        ValueType::LanguageTag => check_language_tag(value).is_ok(),
        ValueType::Wikidata => check_wikidata(value).is_ok(),
        ValueType::EntityRef | ValueType::EntityRefList => {
            attr.items.iter().all(|i| match parse_reference(&i.text) {
                Some((Sigil::Entity, id)) => defined(ctx, id, reads),
                _ => false,
            }) && !(spec.value == ValueType::EntityRef && attr.items.len() > 1)
        }
    }
}

/// Whether the entity `id` is defined, noted in `reads`: the value of an
/// unknown key is no reference of the file, so its summary does not say
/// that the file's diagnostics read it.
fn defined(ctx: &Context, id: &str, reads: &mut Deps) -> bool {
    match ctx.ws.interner().get(id).filter(|sym| ctx.ws.index().is_defined(Sigil::Entity, *sym)) {
        Some(sym) => {
            reads.ids.push((Sigil::Entity, sym));
            true
        }
        None => {
            reads.defined_set = true;
            false
        }
    }
}

/// The definition block holding `at`. Blocks are in text order and never
/// overlap: a binary search, as a registry has a hundred thousand of them.
fn definition_at(doc: &Document, at: TextRange) -> Option<&Definition> {
    let after = doc.definitions.partition_point(|d| d.range.start <= at.start);
    doc.definitions[..after].last().filter(|d| d.range.contains_range(at))
}

/// The tag whose references hold `at`. Tags are sorted by start, so the
/// last one starting at or before `at` is that tag or one nested in its
/// text: its parents lead to it.
fn tag_with_reference_at(doc: &Document, at: TextRange) -> Option<&Tag> {
    let after = doc.tags.partition_point(|t| t.range.start <= at.start);
    let mut tag = doc.tags[..after].last()?;
    loop {
        if tag.refs_range.contains_range(at) {
            return Some(tag);
        }
        tag = doc.tags.get(tag.parent? as usize)?;
    }
}

fn odd_backslashes_before(text: &str, at: usize) -> bool {
    let before = text.as_bytes().get(..at).unwrap_or(&[]);
    before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "Add “text” to the `aka` of `@x`" for the `unknown-alias` on the
/// reference at `at`: appended to the block's last line when that is an
/// `aka` line, else a new `aka:` line closing the block (a list key may
/// repeat, §4). Only for a tag text without markup (a nested tag, an
/// escape or a comment would not be the name a reader sees) and without
/// `;`, which would split it in two.
fn add_alias(ctx: &Context, at: TextRange, reads: &mut Deps) -> Option<Fix> {
    let doc = &ctx.parse.doc;
    let tag = tag_with_reference_at(doc, at)?;
    let reference = tag.refs.iter().find(|r| r.range == at)?;
    let raw = tag.text_range.slice(ctx.source_text);
    if raw.contains(['[', ']', '{', '}', '\\', '<', ';']) {
        return None;
    }
    let alias = one_line(raw);
    if alias.is_empty() {
        return None;
    }
    let (loc, info) = ctx.ws.resolve(Sigil::Entity, &reference.id)?;
    reads.places.push((Sigil::Entity, info.id));
    let edit = aka_edit(ctx, loc.file, info.range, &alias)?;
    let title = format!("Add “{alias}” to the `aka` of `@{}`", reference.id);
    Some(Fix { title, applicability: Applicability::Unsafe, edits: vec![edit] })
}

fn aka_edit(ctx: &Context, file: FileId, block: TextRange, alias: &str) -> Option<FixEdit> {
    let other;
    let text: &str = if file == ctx.file {
        ctx.source_text
    } else {
        other = FileTexts::text(ctx.ws, file).unwrap_or_default();
        &other
    };
    let Some(block_text) = text.get(block.start as usize..block.end as usize) else {
        // A workspace that keeps summaries only (`check`): a new `aka`
        // line closes the block, whatever its last line holds.
        return Some(FixEdit { file, range: TextRange::empty(block.end), new_text: format!("\n  aka: {alias}") });
    };
    let last_line = block_text.rsplit(['\n', '\r']).next().unwrap_or("");
    let end = TextRange::empty(block.end);
    let new_text = match last_line.trim_start_matches([' ', '\t']).strip_prefix("aka:") {
        Some(value) if value.trim().is_empty() && value.contains("<!--") => return None,
        Some(value) if value.trim().is_empty() => format!(" {alias}"),
        Some(_) if last_line.contains("<!--") => return None,
        Some(_) => format!("; {alias}"),
        None => format!("{}  aka: {alias}", line_ending(text)),
    };
    Some(FixEdit { file, range: end, new_text })
}

/// The line ending a file uses first (`\n` when it has none), for lines a
/// fix adds.
pub fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text[i..].starts_with('\r') => "\r",
        _ => "\n",
    }
}
