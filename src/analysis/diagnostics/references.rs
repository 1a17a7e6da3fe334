//! Checks of references against the workspace: `undefined-reference` (with
//! "did you mean") and `source-after-publication`.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{Context, Sink, with_suggestion};
use crate::analysis::values::parse_date;
use crate::analysis::{Applicability, Code, Diagnostic, Fix, FixEdit, SortedIds, Symbol};
use crate::syntax::Sigil;

/// "Did you mean" answers for one document's undefined references, kept
/// while the sorted ids they were drawn from stay the same: a large article
/// asks for the same few hundred ids on every keystroke, and each answer
/// costs an edit-distance scan.
#[derive(Default)]
pub struct SuggestionCache {
    /// Per sigil, the sorted ids the answers come from (held, so that their
    /// address cannot be reused by other ids) and the answers.
    by_sigil: [Option<(Arc<SortedIds>, Answers)>; 2],
}

/// Gives an `undefined-reference` with a suggestion its fix, here, where
/// the closeness of the candidates is known (an unsafe one: another id
/// names another entity, §14), when the computation wants fixes.
fn change_to(ctx: &Context, d: Option<&mut Diagnostic>) {
    let Some(d) = d.filter(|_| ctx.opts.fixes) else { return };
    let Some(new_text) = d.suggestion.clone() else { return };
    let title = format!("Change to `{new_text}`");
    let edit = FixEdit { file: d.file, range: d.range, new_text };
    d.fix = Some(Fix { title, applicability: Applicability::Unsafe, edits: vec![edit] });
}

/// The closest defined id (or none) for each undefined id asked about, and
/// whether another is as close.
type Answers = FxHashMap<Symbol, Option<(String, bool)>>;

impl SuggestionCache {
    fn closest(&mut self, sorted: Arc<SortedIds>, sigil: Sigil, id: Symbol, text: &str) -> Option<(String, bool)> {
        let slot = &mut self.by_sigil[sigil as usize];
        if !slot.as_ref().is_some_and(|(s, _)| Arc::ptr_eq(s, &sorted)) {
            *slot = Some((sorted.clone(), FxHashMap::default()));
        }
        match slot {
            Some((_, answers)) => answers.entry(id).or_insert_with(|| sorted.closest_and_tie(text)).clone(),
            None => sorted.closest_and_tie(text),
        }
    }
}

pub(super) fn check(ctx: &Context, sink: &mut Sink, mut cache: Option<&mut SuggestionCache>) {
    let ws = ctx.ws;
    let index = ws.index();
    let published = ctx.summary.published.as_deref().and_then(|p| parse_date(p).ok());
    for (i, r) in ctx.references().enumerate() {
        if ctx.stopped_at(i) {
            return;
        }
        let sig = r.sigil.char();
        if !index.is_defined(r.sigil, r.id) {
            if !ctx.opts.index_complete || !sink.enabled(Code::UndefinedReference) {
                continue;
            }
            let id = ws.id_text(r.id);
            let other = r.sigil.other();
            if index.is_defined(other, r.id) {
                let d = sink.emit(Code::UndefinedReference, r.range, || {
                    format!(
                        "no {} `{sig}{id}` is defined, but `{}{id}` exists as {}",
                        r.sigil.noun(),
                        other.char(),
                        match other {
                            Sigil::Entity => "an entity",
                            Sigil::Source => "a source",
                        }
                    )
                });
                // The same id under the other sigil is no guess.
                change_to(ctx, with_suggestion(d, Some(format!("{}{id}", other.char()))));
            } else {
                let sorted = index.sorted_ids(r.sigil, ws.interner());
                let closest = match cache.as_deref_mut() {
                    Some(cache) => cache.closest(sorted, r.sigil, r.id, id),
                    None => sorted.closest_and_tie(id),
                };
                let d = sink.emit(Code::UndefinedReference, r.range, || {
                    format!("undefined {} `{sig}{id}`: no definition in the workspace", r.sigil.noun())
                });
                let tied = closest.as_ref().is_some_and(|(_, tied)| *tied);
                let d = with_suggestion(d, closest.map(|(s, _)| format!("{sig}{s}")));
                // Where two ids are as close, a person chooses: no fix.
                if !tied {
                    change_to(ctx, d);
                }
            }
            continue;
        }
        if r.sigil == Sigil::Source
            && let Some(published) = &published
            && let Some((_, def)) = ws.resolve_symbol(Sigil::Source, r.id)
            && let Some(date_text) = def.attr("date")
            && let Ok(date) = parse_date(date_text)
            && date.is_certainly_after(published)
        {
            let published_text = ctx.summary.published.as_deref().unwrap_or_default();
            let id = ws.id_text(r.id);
            sink.emit(Code::SourceAfterPublication, r.range, || {
                format!("source `^{id}` is dated {date_text}, after the article's publication ({published_text})")
            });
        }
    }
}
