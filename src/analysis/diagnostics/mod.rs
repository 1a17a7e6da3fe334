//! Every diagnostic of spec §9 for one file, computed from its parse and the
//! workspace index. The CLI and the server both call [`file_diagnostics`].

mod blocks;
mod fixes;
mod prose;
mod references;
mod suppress;

pub use fixes::line_ending;
pub use suppress::{Directive, Suppression, suppressions};

/// What [`file_diagnostics_cached`] keeps about one file between calls:
/// prose diagnostics per paragraph and "did you mean" answers. Each part
/// checks itself against the workspace it is used with.
#[derive(Default)]
pub struct DiagnosticsCache {
    prose: prose::ProseCache,
    suggestions: references::SuggestionCache,
    /// What the last diagnostics read from the workspace outside prose.
    deps: Deps,
    /// The last text checked has prose.
    has_prose: bool,
    /// Filled by a whole computation: an empty cache knows nothing about
    /// what a result read.
    computed: bool,
    /// The last result of the checks that read one block, reference or
    /// paragraph each, kept outside the region an edit changed.
    last: Option<LastItems>,
    /// The last computation kept part of the one before (for timings).
    kept_last: bool,
}

/// Which text a computation is of, and how it was reached from earlier
/// texts by reparses (see `lsp::document::DocText::history`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TextVersion<'a> {
    /// The text's identity; 0 for none (nothing is then kept).
    pub seq: u64,
    /// For some earlier texts (by `seq`), the region that changed since
    /// (`Reparsed::old` in that text, `Reparsed::new` in this one). Outside
    /// it, the parse is the earlier one shifted: that is what `reparse`
    /// guarantees.
    pub since: &'a [(u64, Reparsed)],
}

/// The diagnostics of the item checks (blocks, references, prose) of one
/// text, before suppressions and fixes, with what they were computed
/// against.
struct LastItems {
    seq: u64,
    text: Arc<str>,
    config: Arc<Config>,
    revision: u64,
    index_complete: bool,
    codes: CodeSet,
    /// Whether the items were computed with fixes (those of references):
    /// items without them do not stand for a computation that wants them.
    fixes: bool,
    has_paragraphs: bool,
    items: Vec<Diagnostic>,
}

/// Whether `range` meets `region`, ends included: the items of a reparsed
/// region lie inside it and every other item at least a blank line away,
/// so an item meets the region exactly when it was parsed again.
fn meets(range: TextRange, region: TextRange) -> bool {
    range.start <= region.end && region.start <= range.end
}

impl DiagnosticsCache {
    /// The item diagnostics of the last text that stand for this one, and
    /// the region to check again; `None` when the whole text must be
    /// checked. They stand when the last text became this one by
    /// reparses (checked again here: the texts agree outside the region),
    /// the front matter and the presence of prose are unchanged, and no
    /// change of the workspace since touches what an item outside the
    /// region read (the definitions its references name, names for its
    /// prose, the set of defined ids for its "did you mean").
    fn kept(&mut self, ctx: &Context, text: &Arc<str>, version: TextVersion) -> Option<(Reparsed, Vec<Diagnostic>)> {
        let last = self.last.take()?;
        let &(_, region) = version.since.iter().rev().find(|(seq, _)| *seq == last.seq && *seq != 0)?;
        let doc = &ctx.parse.doc;
        let same_run = last.index_complete == ctx.opts.index_complete
            && last.codes == ctx.opts.codes
            && last.fixes == ctx.opts.fixes
            && Arc::ptr_eq(&last.config, &ctx.ws.config)
            && last.has_paragraphs != doc.paragraphs.is_empty();
        let (old, new) = (region.old.as_usize(), region.new.as_usize());
        let texts_agree = old.start <= old.end
            && new.start <= new.end
            && old.end <= last.text.len()
            && new.end <= text.len()
            && last.text.len() - old.end == text.len() - new.end
            && last.text.as_bytes()[..old.start] == text.as_bytes()[..new.start]
            && last.text.as_bytes()[old.end..] == text.as_bytes()[new.end..];
        let after_front_matter =
            region.new.start > 0 && doc.front_matter.as_ref().is_none_or(|fm| fm.range.end < region.new.start);
        if !(same_run && texts_agree && after_front_matter) {
            return None;
        }
        let outside = |range: TextRange| !meets(range, region.new);
        for change in ctx.ws.changes_since(last.revision)? {
            if change.everything
                || (change.defined_set && self.deps.defined_set)
                || (!change.names.is_empty() && last.has_paragraphs)
            {
                return None;
            }
            // Definitions that only moved change no item's diagnostics
            // (duplicates and fixes, which show places, are worked out
            // again anyway).
            if !change.content.is_empty() {
                let named = |r: &&super::RefSite| change.content.binary_search(&(r.sigil, r.id)).is_ok();
                if ctx.summary.refs.iter().filter(|r| outside(r.range)).any(|r| named(&r)) {
                    return None;
                }
            }
        }
        let delta = region.delta();
        let shift = |range: TextRange| {
            let by = |at: u32| (i64::from(at) + delta) as u32;
            TextRange::new(by(range.start), by(range.end))
        };
        let mut items = last.items;
        items.retain(|d| !meets(d.range, region.old));
        for d in &mut items {
            if d.range.start > region.old.end {
                d.range = shift(d.range);
            }
            for r in d.related.iter_mut().filter(|r| r.file == ctx.file && r.range.start > region.old.end) {
                r.range = shift(r.range);
            }
            // A fix given where the diagnostic was found (a reference's
            // closest id) edits where it stands.
            let edits = d.fix.iter_mut().flat_map(|f| &mut f.edits);
            for e in edits.filter(|e| e.file == ctx.file && e.range.start > region.old.end) {
                e.range = shift(e.range);
            }
        }
        Some((region, items))
    }

    /// Whether the last computation kept the item diagnostics of the one
    /// before outside an edited region (rather than checking everything).
    pub fn kept_last(&self) -> bool {
        self.kept_last
    }

    /// Whether `change` can change the diagnostics last computed with this
    /// cache (see `deps`): when not, they stand as they are.
    pub fn met_by(&self, change: &Change) -> bool {
        !self.computed
            || self.deps.met_by(change)
            || self.prose.met_by(change)
            || (self.has_prose && !change.names.is_empty() && self.prose.is_empty())
    }
}

/// What the non-prose diagnostics of a file read from the workspace: the
/// definitions of every id it references or defines, whether its own
/// definitions are referenced (an article's), and the set of defined ids
/// when a reference is undefined.
///
/// With a region (see [`Context::region`]), what the region's items read.
fn file_deps(ctx: &Context) -> Deps {
    let index = ctx.ws.index();
    let mut deps = Deps::default();
    let defs = || ctx.definitions().map(|(_, d)| d);
    let mut ids: Vec<(Sigil, super::Symbol)> = ctx.references().map(|r| (r.sigil, r.id)).collect();
    ids.extend(defs().map(|d| (d.sigil, d.id)));
    deps.defined_set = ctx.references().any(|r| !index.is_defined(r.sigil, r.id));
    // A `^id` written in an attribute is no reference, but its
    // `invalid-value` suggests `@id` when that entity exists: the result
    // read that entity's definitions, or the set of defined ids.
    for id in written_source_ids(ctx) {
        match ctx.ws.interner().get(id).filter(|&sym| index.is_defined(Sigil::Entity, sym)) {
            Some(sym) => ids.push((Sigil::Entity, sym)),
            None => deps.defined_set = true,
        }
    }
    if !ctx.summary.is_registry {
        deps.referenced = defs().map(|d| (d.sigil, d.id)).collect();
    }
    deps.ids = ids.into();
    deps.sort();
    deps
}

/// The `^id` values written in the attributes the item checks look at
/// (the front matter's only without a region, which lies after it).
fn written_source_ids<'a>(ctx: &'a Context<'a>) -> impl Iterator<Item = &'a str> + 'a {
    let doc = &ctx.parse.doc;
    let front = doc.front_matter.iter().filter(|_| ctx.region.is_none()).flat_map(|f| &f.attributes);
    let blocks = ctx.definitions().filter_map(|(i, _)| doc.definitions.get(i)).flat_map(|d| &d.attributes);
    super::attribute_references(front.chain(blocks)).filter_map(|(sigil, id)| (sigil == Sigil::Source).then_some(id))
}

use std::sync::Arc;

use super::deps::{Change, Deps};
use super::{Code, CodeSet, Diagnostic, FileId, Related, Workspace};
use crate::config::Config;
use crate::syntax::{Parse, Reparsed, Sigil};
use crate::text::TextRange;

/// What the caller knows about the state of the workspace, and whether it
/// still wants the result.
#[derive(Clone, Copy)]
pub struct CheckOptions<'a> {
    /// False while the server is still indexing: diagnostics that depend on
    /// the whole workspace (`undefined-reference`, `unused-definition`,
    /// `duplicate-definition`) are left out rather than reported falsely.
    pub index_complete: bool,
    /// The codes this run reports, on top of the config (`--select`,
    /// `--ignore`); the others are not computed, and suppressions of them
    /// are not judged.
    pub codes: CodeSet,
    /// Asked now and then; once it says true, the checks stop early and
    /// the (incomplete) result must be discarded. The server's document
    /// changed, or a change of the workspace waits for this computation.
    pub stop: Option<&'a (dyn Fn() -> bool + Sync)>,
    /// Whether each fixable diagnostic gets its [`super::Fix`] (§14). The
    /// server's published diagnostics carry none (its code actions compute
    /// their own), and in a large article working them out again at every
    /// keystroke was a tenth of the time.
    pub fixes: bool,
}

impl Default for CheckOptions<'_> {
    fn default() -> Self {
        CheckOptions { index_complete: true, codes: CodeSet::ALL, stop: None, fixes: true }
    }
}

impl CheckOptions<'_> {
    /// Whether the caller no longer wants the result.
    pub fn stopped(&self) -> bool {
        self.stop.is_some_and(|stop| stop())
    }
}

/// The diagnostics of one file, sorted by position, code, end, message. `parse` must
/// be the parse of the file's current text in `ws`.
pub fn file_diagnostics(ws: &Workspace, file: FileId, parse: &Parse, opts: CheckOptions) -> Vec<Diagnostic> {
    let Some(source) = ws.file(file) else { return Vec::new() };
    file_diagnostics_of_text(ws, file, &source.text, parse, opts)
}

/// [`file_diagnostics`] for a file checked again and again (an open
/// document): prose diagnostics of paragraphs unchanged since the last call
/// with the same `cache`, and "did you mean" answers, are reused. The result is the same.
pub fn file_diagnostics_cached(
    ws: &Workspace,
    file: FileId,
    parse: &Parse,
    opts: CheckOptions,
    cache: &mut DiagnosticsCache,
) -> Vec<Diagnostic> {
    file_diagnostics_incremental(ws, file, parse, opts, cache, TextVersion::default())
}

/// [`file_diagnostics_cached`] for a text reached by reparses from one the
/// cache was last used with (`version`): the diagnostics of blocks,
/// references and paragraphs outside the region that changed are kept
/// (shifted) when nothing they read changed; only the region is checked
/// again. Suppressions, fixes and what reads the index per definition
/// (duplicates, unused) are worked out again over the whole file. The
/// result is the same.
pub fn file_diagnostics_incremental(
    ws: &Workspace,
    file: FileId,
    parse: &Parse,
    opts: CheckOptions,
    cache: &mut DiagnosticsCache,
    version: TextVersion,
) -> Vec<Diagnostic> {
    let Some(source) = ws.file(file) else { return Vec::new() };
    diagnose(ws, file, &source.text, parse, opts, Some((cache, version)))
}

/// [`file_diagnostics`] for a workspace built without texts: `text` is the
/// file's text and `parse` its parse.
pub fn file_diagnostics_of_text(
    ws: &Workspace,
    file: FileId,
    text: &str,
    parse: &Parse,
    opts: CheckOptions,
) -> Vec<Diagnostic> {
    diagnose(ws, file, text, parse, opts, None)
}

/// [`file_diagnostics_of_text`], with what the result read of the
/// workspace's definitions outside prose (ids, places of fixes, the set of
/// defined ids; see [`Deps`]). A caller that computed it against some of
/// the workspace's definitions learns whether it read any other.
pub fn file_diagnostics_and_reads(
    ws: &Workspace,
    file: FileId,
    text: &str,
    parse: &Parse,
    opts: CheckOptions,
) -> (Vec<Diagnostic>, Deps) {
    let mut cache = DiagnosticsCache::default();
    let out = diagnose(ws, file, text, parse, opts, Some((&mut cache, TextVersion::default())));
    (out, cache.deps)
}

/// The diagnostics of a file read a moment ago that cannot be read now
/// (deleted or replaced while a check ran): one `unreadable` with `message`,
/// rather than a check against an empty text.
pub fn unreadable_now(ws: &Workspace, file: FileId, message: String, opts: CheckOptions) -> Vec<Diagnostic> {
    let mut sink = Sink { file, config: &ws.config, codes: opts.codes, out: Vec::new() };
    sink.emit(Code::Unreadable, TextRange::empty(0), || message);
    sink.out
}

fn diagnose(
    ws: &Workspace,
    file: FileId,
    text: &str,
    parse: &Parse,
    opts: CheckOptions,
    mut cache: Option<(&mut DiagnosticsCache, TextVersion)>,
) -> Vec<Diagnostic> {
    let Some(source) = ws.file(file) else { return Vec::new() };
    let mut sink = Sink { file, config: &ws.config, codes: opts.codes, out: Vec::new() };
    if let Some(err) = &source.read_error {
        sink.emit(Code::Unreadable, TextRange::empty(0), || err.clone());
        return sink.out;
    }
    for err in &parse.errors {
        sink.emit(Code::Syntax, err.range, || err.message.clone());
    }
    let ctx = Context { ws, file, source_text: text, summary: &source.summary, parse, opts, region: None };
    // A cached computation checks the text the workspace holds (an open
    // document's): what the item checks found in an earlier one of its
    // texts may stand outside the region that changed. A workspace that
    // keeps no texts has nothing to compare them with.
    let own_text = Some(&source.text).filter(|own| !own.is_empty());
    let kept = match &mut cache {
        Some((c, version)) => {
            let kept = own_text.and_then(|own| c.kept(&ctx, own, *version));
            if own_text.is_none() {
                c.last = None;
            }
            c.kept_last = kept.is_some();
            kept
        }
        None => None,
    };
    let items_from = sink.out.len();
    match (kept, cache.as_mut()) {
        (Some((region, items)), Some((c, _))) => {
            sink.out.extend(items);
            let region_ctx = Context { region: Some(region.new), ..ctx };
            blocks::check(&region_ctx, &mut sink);
            c.deps.merge(file_deps(&region_ctx));
            references::check(&region_ctx, &mut sink, Some(&mut c.suggestions));
            prose::check(&region_ctx, &mut sink, None);
            if region_ctx.has_prose_in_region() {
                // The region's paragraphs are not in the prose cache: any
                // change of names may meet them.
                c.deps.words = super::deps::WordFilter::everything();
            }
        }
        (_, cache) => {
            blocks::check(&ctx, &mut sink);
            let (prose_cache, suggestions) = match cache {
                Some((c, _)) => {
                    c.deps = file_deps(&ctx);
                    c.has_prose = !parse.doc.paragraphs.is_empty();
                    c.computed = true;
                    (Some(&mut c.prose), Some(&mut c.suggestions))
                }
                None => (None, None),
            };
            if opts.stopped() {
                return sink.out;
            }
            references::check(&ctx, &mut sink, suggestions);
            if opts.stopped() {
                return sink.out;
            }
            prose::check(&ctx, &mut sink, prose_cache);
        }
    }
    if let (Some((c, version)), Some(own)) = (cache.as_mut(), own_text) {
        c.last = (version.seq != 0 && !opts.stopped()).then(|| LastItems {
            seq: version.seq,
            text: own.clone(),
            config: ws.config.clone(),
            revision: ws.revision(),
            index_complete: opts.index_complete,
            codes: opts.codes,
            fixes: opts.fixes,
            has_paragraphs: !parse.doc.paragraphs.is_empty(),
            items: sink.out.get(items_from..).unwrap_or_default().to_vec(),
        });
    }
    blocks::check_in_workspace(&ctx, &mut sink);
    suppress::apply(&ctx, &mut sink);
    // Without fixes, none was given where it was found either
    // (references, suppressions): the items kept above have none.
    let mut fix_reads = if opts.fixes { fixes::attach(&ctx, &mut sink.out) } else { Deps::default() };
    if let Some((c, _)) = cache {
        // The places of this result's fixes replace those of the last one;
        // what else they read adds to what the checks read.
        c.deps.places = std::mem::take(&mut fix_reads.places);
        c.deps.merge(fix_reads);
    }
    let mut out = sink.out;
    // The order of §11 and §9: position, code, then end and message.
    out.sort_by(|a, b| {
        (a.range.start, a.code.as_str(), a.range.end, &a.message).cmp(&(
            b.range.start,
            b.code.as_str(),
            b.range.end,
            &b.message,
        ))
    });
    out
}

/// What every check reads.
struct Context<'a> {
    ws: &'a Workspace,
    file: FileId,
    source_text: &'a str,
    summary: &'a super::FileSummary,
    parse: &'a Parse,
    opts: CheckOptions<'a>,
    /// When only part of the text is checked again (a reparsed region,
    /// see [`DiagnosticsCache`]): the item checks look at the blocks,
    /// references and paragraphs that meet it, and nothing else.
    region: Option<TextRange>,
}

impl<'a> Context<'a> {
    /// The file's references the item checks look at: all, or those that
    /// meet the region.
    fn references(&self) -> Box<dyn Iterator<Item = &'a super::RefSite> + 'a> {
        match self.region {
            Some(region) => Box::new(self.summary.references_meeting(region)),
            None => Box::new(self.summary.refs.iter()),
        }
    }

    /// The file's definitions (with their indexes) the item checks look
    /// at: all, or those whose blocks meet the region.
    fn definitions(&self) -> Box<dyn Iterator<Item = (usize, &'a super::DefInfo)> + 'a> {
        match self.region {
            Some(region) => Box::new(self.summary.definitions_meeting(region)),
            None => Box::new(self.summary.defs.iter().enumerate()),
        }
    }

    fn has_prose_in_region(&self) -> bool {
        self.region.is_some_and(|region| self.parse.doc.paragraphs.iter().any(|p| meets(p.range, region)))
    }

    /// Checked every 256 items of a long loop: the caller stopped wanting
    /// the result.
    fn stopped_at(&self, i: usize) -> bool {
        i % 256 == 255 && self.opts.stopped()
    }
}

/// Collects diagnostics, applying the config's severities; a code turned
/// `off` costs nothing (its message is never built).
struct Sink<'a> {
    file: FileId,
    config: &'a Config,
    codes: CodeSet,
    out: Vec<Diagnostic>,
}

impl Sink<'_> {
    fn enabled(&self, code: Code) -> bool {
        self.codes.contains(code) && self.config.severity(code).is_some()
    }

    fn emit(&mut self, code: Code, range: TextRange, message: impl FnOnce() -> String) -> Option<&mut Diagnostic> {
        if !self.codes.contains(code) {
            return None;
        }
        let severity = self.config.severity(code)?;
        self.out.push(Diagnostic {
            file: self.file,
            range,
            code,
            severity,
            message: message(),
            related: Vec::new(),
            suggestion: None,
            fix: None,
        });
        self.out.last_mut()
    }
}

/// Adds a suggestion and its "did you mean" sentence to a message.
fn with_suggestion(diag: Option<&mut Diagnostic>, suggestion: Option<String>) -> Option<&mut Diagnostic> {
    let d = diag?;
    if let Some(s) = suggestion {
        d.message.push_str(&format!("; did you mean `{s}`?"));
        d.suggestion = Some(s);
    }
    Some(d)
}

fn related(file: FileId, range: TextRange, message: String) -> Related {
    Related { file, range, message }
}
