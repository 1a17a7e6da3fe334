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
}

impl DiagnosticsCache {
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
fn file_deps(ctx: &Context) -> Deps {
    let index = ctx.ws.index();
    let mut deps = Deps::default();
    let mut ids: Vec<(crate::syntax::Sigil, super::Symbol)> =
        ctx.summary.refs.iter().map(|r| (r.sigil, r.id)).collect();
    ids.extend(ctx.summary.defs.iter().map(|d| (d.sigil, d.id)));
    ids.sort_unstable();
    ids.dedup();
    deps.defined_set = ctx.summary.refs.iter().any(|r| !index.is_defined(r.sigil, r.id));
    if !ctx.summary.is_registry {
        deps.referenced = ctx.summary.defs.iter().map(|d| (d.sigil, d.id)).collect();
    }
    deps.ids = ids.into();
    deps.sort();
    deps
}

use super::deps::{Change, Deps};
use super::{Code, CodeSet, Diagnostic, FileId, Related, Workspace};
use crate::config::Config;
use crate::syntax::Parse;
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
}

impl Default for CheckOptions<'_> {
    fn default() -> Self {
        CheckOptions { index_complete: true, codes: CodeSet::ALL, stop: None }
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
    let Some(source) = ws.file(file) else { return Vec::new() };
    diagnose(ws, file, &source.text, parse, opts, Some(cache))
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
    mut cache: Option<&mut DiagnosticsCache>,
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
    let ctx = Context { ws, file, source_text: text, summary: &source.summary, parse, opts };
    blocks::check(&ctx, &mut sink);
    let (prose_cache, suggestions) = match cache.as_deref_mut() {
        Some(c) => {
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
    suppress::apply(&ctx, &mut sink);
    let mut places = fixes::attach(&ctx, &mut sink.out);
    if let Some(c) = cache {
        places.sort_unstable();
        places.dedup();
        c.deps.places = places.into();
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
}

impl Context<'_> {
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
