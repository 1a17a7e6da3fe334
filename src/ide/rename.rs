//! Rename of an id across the workspace: every reference (tags and attribute
//! values) and every definition header, in open and unopened files alike.

use super::cursor::classify;
use super::navigation::symbol_occurrences;
use super::{FileContext, SourceChange, TextEdit};
use crate::syntax::{Sigil, is_valid_id};
use crate::text::TextRange;

/// The range of the id under the cursor without its sigil, and the id.
pub fn prepare_rename(ctx: FileContext, offset: u32) -> Result<(TextRange, String), String> {
    let target = classify(ctx, offset).ok_or_else(not_on_id)?;
    let (sigil, id, range) = target.symbol().ok_or_else(not_on_id)?;
    id_part(ctx.text, sigil, id, range)
        .map(|r| (r, id.to_string()))
        .ok_or_else(|| format!("`{}{id}` cannot be renamed here: a comment or escape interrupts it", sigil.char()))
}

/// Renames the id under the cursor to `new_id` everywhere.
pub fn rename(ctx: FileContext, offset: u32, new_id: &str) -> Result<SourceChange, String> {
    let target = classify(ctx, offset).ok_or_else(not_on_id)?;
    let (sigil, id, _) = target.symbol().ok_or_else(not_on_id)?;
    let sig = sigil.char();
    let new_id = new_id.strip_prefix(sig).unwrap_or(new_id);
    if !is_valid_id(new_id) {
        return Err(format!(
            "`{new_id}` is not a valid id: it must start with a letter or digit and go on with letters, marks, digits, `-`, `_` or `.`"
        ));
    }
    if new_id == id {
        return Ok(SourceChange::default());
    }
    if let Some((loc, def)) = ctx.ws.resolve(sigil, new_id) {
        let place = ctx.ws.file(loc.file).map_or(String::new(), |f| {
            let text = ctx.texts.text(loc.file).unwrap_or_default();
            format!(" in {}, line {}", f.display_path, super::line_number(&text, def.id_range.start))
        });
        return Err(format!("`{sig}{new_id}` is already defined{place}; pick another id"));
    }
    let mut change = SourceChange::default();
    for occ in symbol_occurrences(ctx.ws, sigil, id, true) {
        let Some(file) = ctx.ws.file(occ.file) else { continue };
        // A range whose text is not exactly sigil + id (a comment inside the
        // id) cannot be edited safely; skipping it would leave a dangling
        // reference, so the whole rename is refused. The parse read the id
        // from that range leaving comments out, so the range is exactly
        // sigil + id when, and only when, its length is: the text of a file
        // that is not open is read (from disk) only to say where the comment
        // is.
        if occ.range.len() as usize != sig.len_utf8() + id.len() {
            let other;
            let text: &str = if occ.file == ctx.file {
                ctx.text
            } else {
                other = ctx.texts.text(occ.file).unwrap_or_default();
                &other
            };
            return Err(format!(
                "`{sig}{id}` in {}, line {} is interrupted by a comment; remove the comment, then rename",
                file.display_path,
                super::line_number(text, occ.range.start)
            ));
        }
        let range = TextRange::new(occ.range.start + sig.len_utf8() as u32, occ.range.end);
        change.push(occ.file, TextEdit { range, new_text: new_id.to_string() });
    }
    if change.edits.is_empty() {
        return Err(format!("found no occurrence of `{sig}{id}` to rename"));
    }
    Ok(change)
}

/// The id part of a `sigil + id` range, when the text there is exactly that.
fn id_part(text: &str, sigil: Sigil, id: &str, range: TextRange) -> Option<TextRange> {
    let s = range.slice(text);
    (s.strip_prefix(sigil.char()) == Some(id)).then(|| TextRange::new(range.start + 1, range.end))
}

fn not_on_id() -> String {
    "put the cursor on an `@id` or `^id` (a reference or a definition header) to rename it".to_string()
}
