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
use crate::analysis::apply::compatible_fixes;
use crate::analysis::diagnostics::line_ending;
use crate::analysis::values::normalize_name;
use crate::analysis::{Applicability, Code, Diagnostic, FileId, Fix, parse_reference};
use crate::syntax::{Parse, Sigil};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeActionKind {
    QuickFix,
    Refactor,
    /// `source.fixAll.newsmark`: every safe fix of the file at once.
    SourceFixAll,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub kind: CodeActionKind,
    /// Index into the diagnostics given to [`code_actions`] that this fixes.
    pub diagnostic: Option<usize>,
    pub change: SourceChange,
    /// Only safe fixes (§14) are preferred: an editor may apply a preferred
    /// fix with one key, without showing it.
    pub is_preferred: bool,
}

/// Said after the title of a fix a person should look at.
pub const UNSAFE_SUFFIX: &str = " (unsafe fix: review it)";

/// The fixes for those of `diagnostics` (of this file) that touch `range`:
/// the engine's fix of §14 (its title saying when it is unsafe), other
/// choices where there is no single obvious one, and a suppression comment
/// (§13) for the line or the file.
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
        if d.code == Code::UndefinedReference
            && let Some((sigil, id)) = parse_reference(d.range.slice(ctx.text))
        {
            let block = new_definition(ctx, sigil, id, d.range);
            fix(format!("Create `{}{id}` in this file", sigil.char()), append(ctx.file, ctx.text, &block), false);
            if let Some((file, path)) = main_registry(ctx, sigil) {
                let text = ctx.texts.text(file).unwrap_or_default();
                fix(format!("Create `{}{id}` in {path}", sigil.char()), append(file, &text, &block), false);
            }
        }
        match &d.fix {
            Some(f) => {
                let safe = f.applicability == Applicability::Safe;
                let title = if safe { f.title.clone() } else { format!("{}{UNSAFE_SUFFIX}", f.title) };
                fix(title, change_of(f), safe);
            }
            None if d.code == Code::UntaggedMention => {
                // A name several entities share: each is a choice.
                let written = d.range.slice(ctx.text);
                for id in ctx.ws.names().entities_named(written) {
                    let id = ctx.ws.id_text(id);
                    let edit = TextEdit { range: d.range, new_text: format!("[{written}]{{@{id}}}") };
                    fix(
                        format!("Tag “{}” as `@{id}`{UNSAFE_SUFFIX}", one_line(written)),
                        SourceChange::single(ctx.file, edit),
                        false,
                    );
                }
            }
            None => {}
        }
        if d.code.is_suppressible() {
            let code = d.code.as_str();
            if let Some(edit) = suppress_line(ctx.text, ctx.parse, d.range.start, code) {
                fix(format!("Suppress `{code}` on this line"), SourceChange::single(ctx.file, edit), false);
            }
            fix(
                format!("Suppress `{code}` in this file"),
                SourceChange::single(ctx.file, suppress_file(ctx.text, ctx.parse, code)),
                false,
            );
        }
    }
    out
}

/// `source.fixAll.newsmark`: the safe fixes of `diagnostics` that edit
/// only this file, as many as can go together (one round of `check
/// --fix`; an editor that fixes on save runs it again next time).
pub fn fix_all(ctx: FileContext, diagnostics: &[Diagnostic]) -> Option<CodeAction> {
    let fixes =
        compatible_fixes(diagnostics.iter().filter(|d| d.file == ctx.file), Applicability::Safe, &|f| f == ctx.file);
    if fixes.is_empty() {
        return None;
    }
    let mut change = SourceChange::default();
    for f in &fixes {
        for e in &f.edits {
            change.push(e.file, TextEdit { range: e.range, new_text: e.new_text.clone() });
        }
    }
    Some(CodeAction {
        title: "Fix all safe Newsmark problems".to_string(),
        kind: CodeActionKind::SourceFixAll,
        diagnostic: None,
        change,
        is_preferred: false,
    })
}

fn change_of(fix: &Fix) -> SourceChange {
    let mut change = SourceChange::default();
    for e in &fix.edits {
        change.push(e.file, TextEdit { range: e.range, new_text: e.new_text.clone() });
    }
    change
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A `newsmark-disable-next-line` comment on a line of its own above the
/// line holding `at` (a comment-only line is transparent, §5, so the
/// paragraph or block around it is unchanged). On the first line, where a
/// front matter's `---` must stay first, a `newsmark-disable-line` at the
/// end of the line instead, unless that line ends in a backslash (which
/// would escape the `<`).
fn suppress_line(text: &str, parse: &Parse, at: u32, code: &str) -> Option<TextEdit> {
    let body_start = if parse.doc.bom { 3 } else { 0 };
    let line_start = text.get(..at as usize)?.rfind(['\n', '\r']).map_or(body_start, |i| i + 1);
    let nl = line_ending(text);
    if line_start > body_start {
        let new_text = format!("<!-- newsmark-disable-next-line {code} -->{nl}");
        return Some(TextEdit { range: TextRange::empty(line_start as u32), new_text });
    }
    let line_end = text.get(line_start..)?.find(['\n', '\r']).map_or(text.len(), |i| line_start + i);
    if text.get(..line_end)?.ends_with('\\') {
        return None;
    }
    let new_text = format!("<!-- newsmark-disable-line {code} -->");
    Some(TextEdit { range: TextRange::empty(line_end as u32), new_text })
}

/// A `newsmark-disable-file` comment on a line of its own: after the front
/// matter when there is one (its `---` must stay first), else at the top.
fn suppress_file(text: &str, parse: &Parse, code: &str) -> TextEdit {
    let nl = line_ending(text);
    let body_start = if parse.doc.bom { 3 } else { 0 };
    let at = match &parse.doc.front_matter {
        Some(fm) if fm.closed => {
            let end = fm.range.end as usize;
            match text.get(end..).and_then(|rest| rest.find(['\n', '\r'])) {
                Some(i) => end + i + if text[end + i..].starts_with("\r\n") { 2 } else { 1 },
                None => end,
            }
        }
        _ => body_start,
    };
    let lead = if at == text.len() && !text.ends_with(['\n', '\r']) && at > body_start { nl } else { "" };
    let new_text = format!("{lead}<!-- newsmark-disable-file {code} -->{nl}");
    TextEdit { range: TextRange::empty(at as u32), new_text }
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
