//! Completion of ids (after `{@`, `{^`, inside a reference list, in
//! reference attribute values), of kinds (in a header) and of keys (in a
//! definition block or the front matter).
//!
//! It reads the raw line around the cursor, not only the parse: while the
//! user types `{@`, there is no `}` yet, so the parse holds a failed tag.
//! Ids come from the index's sorted id list by binary search on the typed
//! prefix, so a keystroke costs the same with a million ids as with ten.

use super::{FileContext, TextEdit};
use crate::analysis::schema::{self, KeyContext};
use crate::syntax::{Sigil, is_id_continue};
use crate::text::TextRange;

/// At most this many ids per answer; the list is then marked incomplete so
/// the editor asks again as the user types on.
pub const MAX_ITEMS: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Entity,
    Source,
    Kind,
    Key,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// The id (without sigil), kind or key.
    pub label: String,
    pub kind: CompletionKind,
    /// For ids: "Display Name · kind".
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// What the item replaces and with what.
    pub edit: TextEdit,
    pub filter_text: Option<String>,
    /// Keeps the editor in our order (sorted ids, table order of keys).
    pub sort_text: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompletionList {
    pub items: Vec<CompletionItem>,
    /// More items match than were sent.
    pub is_incomplete: bool,
}

/// Where an attribute line being typed stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    FrontMatter,
    Definition(usize),
}

pub fn completion(ctx: FileContext, offset: u32) -> Option<CompletionList> {
    let text = ctx.text;
    let at = offset as usize;
    if !text.is_char_boundary(at) {
        return None;
    }
    let mut line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    if line_start == 0 && text.starts_with('\u{feff}') {
        line_start = 3.min(at);
    }
    let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    let before = &text[line_start..at];
    let after = &text[at..line_end];
    let word_start = at - trailing_len(before, is_id_continue);
    let word_end = at + leading_len(after, is_id_continue);
    let head = &text[line_start..word_start];
    let prefix = &text[word_start..at];
    let word = TextRange::new(word_start as u32, word_end as u32);

    if let Some(sigil) = head.chars().next_back().and_then(Sigil::from_char) {
        let before_sigil = &head[..head.len() - 1];
        let in_list = in_reference_list(before_sigil);
        let in_value = sigil == Sigil::Entity
            && block_of_line(ctx, line_start).is_some_and(|b| in_reference_value(ctx, b, before_sigil));
        return (in_list || in_value).then(|| ids(ctx, sigil, prefix, word));
    }
    if let Some(list) = kinds(ctx, line_start, at, line_end) {
        return Some(list);
    }
    keys(ctx, line_start, at, line_end)
}

/// True when `s` (the line up to a sigil) ends inside an open `{…}` list of
/// references, right after the `{` or after a space.
fn in_reference_list(s: &str) -> bool {
    let Some(brace) = s.rfind('{') else { return false };
    let rest = &s[brace + 1..];
    if rest.contains('}') || s[..brace].ends_with('\\') {
        return false;
    }
    (rest.is_empty() || rest.ends_with([' ', '\t']))
        && rest.split([' ', '\t']).filter(|t| !t.is_empty()).all(|t| t.starts_with(['@', '^']))
}

/// True when `s` (the line up to a `@`) is `key:` of a reference key, then
/// nothing or earlier items each closed by `;`.
fn in_reference_value(ctx: FileContext, block: Block, s: &str) -> bool {
    let Some((key, value)) = s.trim_start().split_once(':') else { return false };
    let context = key_context(ctx, block);
    let is_ref = context.and_then(|c| schema::key_spec(c, key)).is_some_and(|k| k.value.is_reference());
    let value = value.trim_end();
    is_ref && (value.is_empty() || value.ends_with(';'))
}

fn key_context(ctx: FileContext, block: Block) -> Option<KeyContext> {
    match block {
        Block::FrontMatter => Some(KeyContext::FrontMatter),
        Block::Definition(i) => ctx.parse.doc.definitions.get(i).map(|d| KeyContext::of_definition(d.sigil)),
    }
}

fn ids(ctx: FileContext, sigil: Sigil, prefix: &str, replace: TextRange) -> CompletionList {
    let ws = ctx.ws;
    let sorted = ws.index().sorted_ids(sigil, ws.interner());
    let window = sorted.with_prefix(prefix);
    let kind = match sigil {
        Sigil::Entity => CompletionKind::Entity,
        Sigil::Source => CompletionKind::Source,
    };
    let total = window.len();
    let items = window
        .take(MAX_ITEMS)
        .enumerate()
        .map(|(i, id)| {
            let def = ws.resolve(sigil, id);
            let detail = def.map(|(_, d)| match d.name() {
                Some(name) => format!("{name} · {}", d.kind()),
                None => d.kind().to_string(),
            });
            let documentation = def.and_then(|(loc, d)| {
                let role = d.attr("role").map(|r| format!("{r}\n\n")).unwrap_or_default();
                Some(format!("{role}Defined in `{}`", ws.file(loc.file)?.display_path))
            });
            CompletionItem {
                label: id.to_string(),
                kind,
                detail,
                documentation,
                edit: TextEdit { range: replace, new_text: id.to_string() },
                filter_text: None,
                sort_text: Some(format!("{i:03}")),
            }
        })
        .collect();
    CompletionList { items, is_incomplete: total > MAX_ITEMS }
}

/// Kinds after `@id:` in a header line.
fn kinds(ctx: FileContext, line_start: usize, at: usize, line_end: usize) -> Option<CompletionList> {
    let before = &ctx.text[line_start..at];
    let sigil = before.chars().next().and_then(Sigil::from_char)?;
    let (id, rest) = before[1..].split_once(':')?;
    if !crate::syntax::is_valid_id(id) {
        return None;
    }
    let prefix = rest.trim_start_matches([' ', '\t']);
    if prefix.contains(|c: char| c.is_whitespace() || c == '"') {
        return None;
    }
    let not_kind = |c: char| !c.is_whitespace() && c != '"';
    let end = at + leading_len(&ctx.text[at..line_end], not_kind);
    let range = TextRange::new((at - prefix.len()) as u32, end as u32);
    let config = &ctx.ws.config;
    let all: Vec<&str> = match sigil {
        Sigil::Entity => config.entity_kinds().collect(),
        Sigil::Source => config.source_kinds().collect(),
    };
    let items = all
        .into_iter()
        .filter(|k| k.starts_with(prefix))
        .enumerate()
        .map(|(i, k)| CompletionItem {
            label: k.to_string(),
            kind: CompletionKind::Kind,
            detail: Some(format!("{} kind", sigil.noun())),
            documentation: None,
            edit: TextEdit { range, new_text: k.to_string() },
            filter_text: None,
            sort_text: Some(format!("{i:03}")),
        })
        .collect();
    Some(CompletionList { items, is_incomplete: false })
}

/// Keys at the start of an attribute line of a definition block or of the
/// front matter; single-value keys already present are left out.
fn keys(ctx: FileContext, line_start: usize, at: usize, line_end: usize) -> Option<CompletionList> {
    let before = &ctx.text[line_start..at];
    let block = block_of_line(ctx, line_start)?;
    let prefix = before.trim_start_matches([' ', '\t']);
    let indented = prefix.len() < before.len();
    if indented != matches!(block, Block::Definition(_)) || prefix.contains(|c: char| c.is_whitespace() || c == ':') {
        return None;
    }
    let is_key_char = |c: char| !c.is_whitespace() && c != ':';
    let rest = &ctx.text[at..line_end];
    let word_len = leading_len(rest, is_key_char);
    let has_colon = rest[word_len..].starts_with(':');
    let range = TextRange::new((at - prefix.len()) as u32, (at + word_len) as u32);
    let context = key_context(ctx, block)?;
    let doc = &ctx.parse.doc;
    let present = match block {
        Block::FrontMatter => doc.front_matter.as_ref().map(|f| &f.attributes[..]),
        Block::Definition(i) => doc.definitions.get(i).map(|d| &d.attributes[..]),
    }
    .unwrap_or(&[]);
    let taken = |key: &str| present.iter().any(|a| &*a.key == key && !a.range.contains_inclusive(line_start as u32));
    let place = match context {
        KeyContext::FrontMatter => "front-matter key",
        KeyContext::Entity => "entity key",
        KeyContext::Source => "source key",
    };
    let items = schema::keys(context)
        .iter()
        .filter(|k| k.key.starts_with(prefix) && (k.value.is_list() || !taken(k.key)))
        .enumerate()
        .map(|(i, k)| CompletionItem {
            label: k.key.to_string(),
            kind: CompletionKind::Key,
            detail: Some(if k.value.is_list() { format!("{place} (list)") } else { place.to_string() }),
            documentation: Some(k.doc.to_string()),
            edit: TextEdit { range, new_text: if has_colon { k.key.to_string() } else { format!("{}: ", k.key) } },
            filter_text: None,
            sort_text: Some(format!("{i:03}")),
        })
        .collect();
    Some(CompletionList { items, is_incomplete: false })
}

/// The front matter or definition block that the line at `line_start`
/// belongs to (or would, once typed: an indented line right below a block).
fn block_of_line(ctx: FileContext, line_start: usize) -> Option<Block> {
    let doc = &ctx.parse.doc;
    let pos = line_start as u32;
    if let Some(fm) = &doc.front_matter
        && fm.range.contains_inclusive(pos)
        && pos > fm.open.start
    {
        // The closing `---` line takes no keys.
        let on_close = fm.closed && pos + 3 >= fm.range.end;
        return if on_close { None } else { Some(Block::FrontMatter) };
    }
    let i = doc.definitions.partition_point(|d| d.header_range.start < pos).checked_sub(1)?;
    let def = doc.definitions.get(i)?;
    if def.range.contains_inclusive(pos) {
        return Some(Block::Definition(i));
    }
    // Lines between the block's end and this one must all be indented and
    // not blank (lines the parser rejected), or the block has ended.
    let gap = ctx.text.get(def.range.end as usize..line_start)?;
    let gap = gap.strip_prefix("\r\n").or_else(|| gap.strip_prefix(['\n', '\r'])).unwrap_or(gap);
    let lines: Vec<&str> =
        gap.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).flat_map(|l| l.split('\r')).collect();
    // The gap ends with a line end, so its last piece is empty.
    let complete = &lines[..lines.len().saturating_sub(1)];
    let continues = complete.iter().all(|l| l.starts_with([' ', '\t']) && !l.trim().is_empty());
    (continues && ctx.text[line_start..].starts_with([' ', '\t'])).then_some(Block::Definition(i))
}

fn trailing_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.chars().rev().take_while(|&c| pred(c)).map(char::len_utf8).sum()
}

fn leading_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.chars().take_while(|&c| pred(c)).map(char::len_utf8).sum()
}
