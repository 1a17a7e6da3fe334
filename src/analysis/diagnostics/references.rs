//! Checks of references against the workspace: `undefined-reference` (with
//! "did you mean") and `source-after-publication`.

use super::{Context, Sink, with_suggestion};
use crate::analysis::Code;
use crate::analysis::values::parse_date;
use crate::syntax::Sigil;

pub(super) fn check(ctx: &Context, sink: &mut Sink) {
    let ws = ctx.ws;
    let index = ws.index();
    let published = ctx.summary.published.as_deref().and_then(|p| parse_date(p).ok());
    for r in &ctx.summary.refs {
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
                with_suggestion(d, Some(format!("{}{id}", other.char())));
            } else {
                let suggestion = index.sorted_ids(r.sigil, ws.interner()).closest(id);
                let d = sink.emit(Code::UndefinedReference, r.range, || {
                    format!("undefined {} `{sig}{id}`: no definition in the workspace", r.sigil.noun())
                });
                with_suggestion(d, suggestion.map(|s| format!("{sig}{s}")));
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
