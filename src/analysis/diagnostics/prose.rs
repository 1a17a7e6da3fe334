//! Checks of the article text: `unknown-alias` (a tag's text against its
//! entity's names), `unattributed-quote` and `untagged-mention`. All of them
//! read the plain text (§8), so markup and escapes never get in the way.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use super::{Context, Sink};
use crate::analysis::deps::{Change, Deps, WordFilter};
use crate::analysis::names::{NameKey, Normalizer, word_keys};
use crate::analysis::summary::{RefOrigin, Symbol};
use crate::analysis::{Code, Diagnostic};
use crate::syntax::{PlainText, Sigil, plain_text, plain_text_of};
use crate::text::TextRange;

/// The prose diagnostics of one document's paragraphs, kept from one text
/// to the next (the server keeps one per open document). A paragraph's
/// prose diagnostics depend on what it holds (its source, plain text, tags
/// and syntax errors, all relative to its start: the key of its entry), on
/// the config, and on the rest of the workspace only through what its
/// [`Deps`] list: the definitions of the entities its tags name and the
/// names that can match its words. So after a keystroke in a large article
/// only the edited paragraph is checked again, and after a registry edit
/// only the paragraphs whose words can match a changed name.
#[derive(Default)]
pub(super) struct ProseCache {
    /// The workspace revision the entries hold at.
    revision: u64,
    entries: FxHashMap<u64, CachedParagraph>,
}

impl ProseCache {
    /// Whether `change` can change a paragraph's prose diagnostics.
    pub(super) fn met_by(&self, change: &Change) -> bool {
        self.entries.values().any(|e| e.deps.met_by(change))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

struct CachedParagraph {
    /// Compared on a hit, so that a hash collision cannot reuse the
    /// diagnostics of another paragraph.
    source: Box<str>,
    /// Ranges relative to the paragraph's start.
    diags: Vec<Diagnostic>,
    deps: Deps,
}

pub(super) fn check(ctx: &Context, sink: &mut Sink, cache: Option<&mut ProseCache>) {
    let doc = &ctx.parse.doc;
    if doc.paragraphs.is_empty() {
        return;
    }
    let want_alias = sink.enabled(Code::UnknownAlias) && doc.tags.iter().any(|t| t.has_sigil(Sigil::Entity));
    let want_quotes = sink.enabled(Code::UnattributedQuote);
    let want_mentions = sink.enabled(Code::UntaggedMention) && !ctx.ws.names().is_empty();
    if !(want_alias || want_quotes || want_mentions) {
        return;
    }
    let wants = Wants { alias: want_alias, quotes: want_quotes, mentions: want_mentions };
    match (ctx.region, cache) {
        // Only the paragraphs of the region (see `Context::region`), and
        // only their plain text: in a large article the whole plain text
        // was a fifth of a keystroke's diagnostics.
        (Some(region), _) => {
            let fresh: Vec<bool> = doc.paragraphs.iter().map(|p| super::meets(p.range, region)).collect();
            let plain = plain_text_of(ctx.source_text, ctx.parse, &|i| fresh.get(i) == Some(&true));
            run(ctx, &plain, sink, wants, &fresh)
        }
        (None, None) => {
            let plain = plain_text(ctx.source_text, ctx.parse);
            run(ctx, &plain, sink, wants, &vec![true; doc.paragraphs.len()])
        }
        (None, Some(cache)) => check_cached(ctx, &plain_text(ctx.source_text, ctx.parse), sink, wants, cache),
    }
}

#[derive(Clone, Copy)]
struct Wants {
    alias: bool,
    quotes: bool,
    mentions: bool,
}

/// The checks, on the paragraphs marked in `fresh` only.
fn run(ctx: &Context, plain: &PlainText, sink: &mut Sink, wants: Wants, fresh: &[bool]) {
    if wants.alias {
        unknown_alias(ctx, plain, sink, fresh);
    }
    if wants.quotes {
        unattributed_quotes(ctx, plain, sink, fresh);
    }
    if wants.mentions {
        untagged_mentions(ctx, plain, sink, fresh);
    }
}

fn check_cached(ctx: &Context, plain: &PlainText, sink: &mut Sink, wants: Wants, cache: &mut ProseCache) {
    let paragraphs = &ctx.parse.doc.paragraphs;
    match ctx.ws.changes_since(cache.revision) {
        None => cache.entries.clear(),
        Some(changes) => {
            for change in changes {
                cache.entries.retain(|_, entry| !entry.deps.met_by(change));
            }
        }
    }
    cache.revision = ctx.ws.revision();
    let keys = paragraph_keys(ctx, plain);
    let source_of = |i: usize| paragraphs.get(i).and_then(|p| ctx.source_text.get(p.range.as_usize())).unwrap_or("");
    let mut old = std::mem::take(&mut cache.entries);
    let mut next: FxHashMap<u64, CachedParagraph> = FxHashMap::default();
    let mut fresh = vec![false; paragraphs.len()];
    for (i, key) in keys.iter().enumerate() {
        let source = source_of(i);
        let hit = match next.get(key) {
            Some(entry) => *entry.source == *source,
            None => match old.remove(key) {
                Some(entry) if *entry.source == *source => {
                    next.insert(*key, entry);
                    true
                }
                _ => false,
            },
        };
        fresh[i] = !hit;
    }
    drop(old);
    let before = sink.out.len();
    run(ctx, plain, sink, wants, &fresh);
    // File the new diagnostics under their paragraphs. One outside a
    // checked paragraph would break the premise of the cache: then nothing
    // is kept, and the next text is checked whole.
    let mut buckets: Vec<Vec<Diagnostic>> = (0..paragraphs.len()).map(|_| Vec::new()).collect();
    let mut premise_holds = true;
    for d in sink.out.get(before..).unwrap_or(&[]) {
        let i = paragraphs.partition_point(|p| p.range.end <= d.range.start);
        let inside = paragraphs.get(i).is_some_and(|p| p.range.start <= d.range.start && d.range.end <= p.range.end);
        match (inside && fresh.get(i) == Some(&true), paragraphs.get(i), buckets.get_mut(i)) {
            (true, Some(p), Some(bucket)) => {
                let mut d = d.clone();
                d.range = TextRange::new(d.range.start - p.range.start, d.range.end - p.range.start);
                bucket.push(d);
            }
            _ => premise_holds = false,
        }
    }
    for (i, bucket) in buckets.into_iter().enumerate() {
        if fresh.get(i) == Some(&true) {
            if let Some(key) = keys.get(i) {
                next.entry(*key).or_insert_with(|| CachedParagraph {
                    source: source_of(i).into(),
                    diags: bucket,
                    deps: paragraph_deps(ctx, plain, i),
                });
            }
        }
    }
    for (i, p) in paragraphs.iter().enumerate() {
        if fresh.get(i) == Some(&true) {
            continue;
        }
        let Some(entry) = keys.get(i).and_then(|k| next.get(k)) else { continue };
        for d in &entry.diags {
            let mut d = d.clone();
            d.file = ctx.file;
            d.range = TextRange::new(d.range.start + p.range.start, d.range.end + p.range.start);
            sink.out.push(d);
        }
    }
    if premise_holds {
        cache.entries = next;
    } else {
        cache.revision = 0;
    }
}

/// Longer paragraphs (in bytes of plain text) depend on every name.
const MAX_FILTERED_PARAGRAPH: usize = 64 * 1024;

/// What the prose diagnostics of paragraph `i` read from the workspace:
/// the entities its tags name, and its words (for names that match them).
fn paragraph_deps(ctx: &Context, plain: &PlainText, i: usize) -> Deps {
    let doc = &ctx.parse.doc;
    let mut deps = Deps::default();
    if let Some(p) = doc.paragraphs.get(i) {
        let first = doc.tags.partition_point(|t| t.range.start < p.range.start);
        for tag in doc.tags.get(first..).unwrap_or(&[]).iter().take_while(|t| t.range.start < p.range.end) {
            for r in tag.refs.iter().filter(|r| r.sigil == Sigil::Entity) {
                if let Some(id) = ctx.ws.interner().get(&*r.id) {
                    if !deps.ids.contains(&(Sigil::Entity, id)) {
                        deps.ids.push((Sigil::Entity, id));
                    }
                }
            }
        }
    }
    deps.sort();
    let text = plain.paragraphs.get(i).and_then(|p| plain.text.get(p.as_usize())).unwrap_or("");
    if text.len() > MAX_FILTERED_PARAGRAPH {
        // A paragraph of megabytes holds most names' first words anyway.
        deps.words = WordFilter::everything();
        return deps;
    }
    deps.words = WordFilter::with_capacity(text.len() / 4 + 1);
    word_keys(text, &mut |hash| deps.words.insert(hash));
    deps
}

/// For each paragraph, a hash of everything its prose diagnostics read,
/// relative to its start: source text, plain text, the runs mapping one to
/// the other (with the run before, which the mapping may fall back on),
/// tags with their references and plain spans, and syntax errors touching
/// it (clipped: only overlaps with ranges inside the paragraph matter).
fn paragraph_keys(ctx: &Context, plain: &PlainText) -> Vec<u64> {
    let doc = &ctx.parse.doc;
    let mut errors: Vec<(usize, TextRange)> = Vec::new();
    for e in &ctx.parse.errors {
        let first = doc.paragraphs.partition_point(|p| p.range.end < e.range.start);
        for (i, p) in doc.paragraphs.iter().enumerate().skip(first) {
            if p.range.start > e.range.end {
                break;
            }
            let start = e.range.start.clamp(p.range.start, p.range.end) - p.range.start;
            let end = e.range.end.clamp(p.range.start, p.range.end) - p.range.start;
            errors.push((i, TextRange::new(start, end)));
        }
    }
    errors.sort_unstable();
    let mut keys = Vec::with_capacity(doc.paragraphs.len());
    let (mut tag, mut segment, mut error) = (0, 0, 0);
    for (i, p) in doc.paragraphs.iter().enumerate() {
        let mut h = FxHasher::default();
        let base = p.range.start;
        let pp = plain.paragraphs.get(i).copied().unwrap_or_default();
        ctx.source_text.get(p.range.as_usize()).unwrap_or("").hash(&mut h);
        plain.text.get(pp.as_usize()).unwrap_or("").hash(&mut h);
        while plain.segments.get(segment + 1).is_some_and(|s| s.plain <= pp.start) {
            segment += 1;
        }
        for s in plain.segments.get(segment..).unwrap_or(&[]).iter().take_while(|s| s.plain <= pp.end) {
            (i64::from(s.plain) - i64::from(pp.start), i64::from(s.source) - i64::from(base), s.len).hash(&mut h);
        }
        while doc.tags.get(tag).is_some_and(|t| t.range.start < p.range.start) {
            tag += 1;
        }
        while let Some(t) = doc.tags.get(tag).filter(|t| t.range.start < p.range.end) {
            (t.range.start - base, t.range.end.saturating_sub(base)).hash(&mut h);
            for r in &t.refs {
                (r.sigil as u8, &*r.id, r.range.start.saturating_sub(base), r.range.end.saturating_sub(base))
                    .hash(&mut h);
            }
            if let Some(span) = plain.tags.get(tag) {
                (span.byte_start.wrapping_sub(pp.start), span.byte_end.wrapping_sub(pp.start)).hash(&mut h);
            }
            tag += 1;
        }
        while errors.get(error).is_some_and(|(j, _)| *j < i) {
            error += 1;
        }
        while let Some((_, r)) = errors.get(error).filter(|(j, _)| *j == i) {
            r.hash(&mut h);
            error += 1;
        }
        keys.push(h.finish());
    }
    keys
}

/// The index of the paragraph holding source offset `offset`, for items
/// met in order (tags): `cursor` moves forward only.
fn paragraph_at(ctx: &Context, cursor: &mut usize, offset: u32) -> usize {
    while ctx.parse.doc.paragraphs.get(*cursor).is_some_and(|p| p.range.end <= offset) {
        *cursor += 1;
    }
    *cursor
}

fn tag_text(plain: &PlainText, index: usize) -> &str {
    plain.tags.get(index).and_then(|s| plain.text.get(s.byte_start as usize..s.byte_end as usize)).unwrap_or("")
}

fn unknown_alias(ctx: &Context, plain: &PlainText, sink: &mut Sink, fresh: &[bool]) {
    let mut normalizer = Normalizer::default();
    // The summary holds the tag references in the same order, already
    // interned: resolving through their symbols saves hashing each id text.
    let mut interned = ctx.summary.refs.iter().filter(|r| r.origin == RefOrigin::Tag);
    let mut cursor = 0;
    for (i, tag) in ctx.parse.doc.tags.iter().enumerate() {
        let text = tag_text(plain, i);
        let mut written = None;
        let checked = fresh.get(paragraph_at(ctx, &mut cursor, tag.range.start)) != Some(&false);
        for r in &tag.refs {
            let site = interned.next().filter(|s| s.range == r.range && s.sigil == r.sigil);
            if r.sigil != Sigil::Entity || !checked {
                continue;
            }
            // The symbol, not the definition, is enough to look the name
            // up: the definition (in another file's summary, seldom in
            // cache) is read only when the name index cannot answer.
            let symbol = match site {
                Some(site) => Some(site.id),
                None => ctx.ws.interner().get(&*r.id),
            };
            let Some(symbol) = symbol else { continue };
            let defs = ctx.ws.index().definitions(Sigil::Entity, symbol);
            let Some(&loc) = defs.first() else { continue };
            let written = written.get_or_insert_with(|| normalizer.key(text));
            // An entity defined once has exactly the names the name index
            // holds for it in that file: one lookup, where normalizing all
            // its names again was a quarter of the prose checks.
            let indexed = match &*written {
                Some(key) if defs.len() == 1 => ctx.ws.names().names_entity(key, symbol, loc.file),
                _ => None,
            };
            if indexed == Some(true) {
                continue;
            }
            let Some(def) = ctx.ws.def(loc) else { continue };
            match indexed {
                Some(_) => {
                    if def.names().next().is_none() {
                        continue;
                    }
                }
                None => {
                    let mut names = def.names().peekable();
                    if names.peek().is_none() {
                        continue;
                    }
                    if names.any(|n| match (normalizer.key(n), &*written) {
                        (Some(name), Some(written)) => name.matches(written),
                        _ => false,
                    }) {
                        continue;
                    }
                }
            }
            let shown = def.name().unwrap_or(&r.id);
            sink.emit(Code::UnknownAlias, r.range, || {
                format!(
                    "“{}” is neither the display name nor an `aka` of `@{}` ({shown}); add it to `aka` if it is another name of it",
                    one_line(text),
                    r.id
                )
            });
        }
    }
}

/// A quotation in the plain text: marks included.
struct Quotation {
    range: TextRange,
    inner: TextRange,
}

fn unattributed_quotes(ctx: &Context, plain: &PlainText, sink: &mut Sink, fresh: &[bool]) {
    let min_words = ctx.ws.config.quote_min_words;
    let source_tags: Vec<(u32, u32)> = ctx
        .parse
        .doc
        .tags
        .iter()
        .zip(&plain.tags)
        .filter(|(t, _)| t.has_sigil(Sigil::Source))
        .map(|(_, s)| (s.byte_start, s.byte_end))
        .collect();
    for (i, para) in plain.paragraphs.iter().enumerate() {
        if fresh.get(i) == Some(&false) {
            continue;
        }
        let Some(text) = plain.text.get(para.as_usize()) else { continue };
        for q in quotations(text, para.start) {
            let Some(inner) = plain.text.get(q.inner.as_usize()) else { continue };
            let words = inner.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
            if words < min_words {
                continue;
            }
            let attributed = source_tags.iter().any(|&(s, e)| s <= q.inner.start && q.inner.end <= e);
            if attributed {
                continue;
            }
            let range = plain.source_range(q.range);
            sink.emit(Code::UnattributedQuote, range, || {
                format!(
                    "quotation of {words} words is not attributed: no tag with a `^source` reference contains it; wrap it: `[“…”]{{^source-id}}`"
                )
            });
        }
    }
}

/// Quotations of one paragraph: `“…”`, `«…»` and straight `"…"` pairing in
/// order, each kind on its own.
fn quotations(text: &str, base: u32) -> Vec<Quotation> {
    let mut out = Vec::new();
    let mut curly: Option<usize> = None;
    let mut guillemet: Option<usize> = None;
    let mut straight: Option<usize> = None;
    let close = |open: usize, i: usize, c: char, out: &mut Vec<Quotation>| {
        let open_len = text.get(open..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
        let end = i + c.len_utf8();
        out.push(Quotation {
            range: TextRange::new(base + open as u32, base + end as u32),
            inner: TextRange::new(base + (open + open_len) as u32, base + i as u32),
        });
    };
    for (i, c) in text.char_indices() {
        match c {
            '“' if curly.is_none() => curly = Some(i),
            '”' => {
                if let Some(open) = curly.take() {
                    close(open, i, c, &mut out);
                }
            }
            '«' if guillemet.is_none() => guillemet = Some(i),
            '»' => {
                if let Some(open) = guillemet.take() {
                    close(open, i, c, &mut out);
                }
            }
            '"' => match straight.take() {
                Some(open) => close(open, i, c, &mut out),
                None => straight = Some(i),
            },
            _ => {}
        }
    }
    out
}

fn untagged_mentions(ctx: &Context, plain: &PlainText, sink: &mut Sink, fresh: &[bool]) {
    // Plain-text spans of tags that carry an entity reference, merged.
    let mut covered: Vec<(usize, usize)> = ctx
        .parse
        .doc
        .tags
        .iter()
        .zip(&plain.tags)
        .filter(|(t, _)| t.has_sigil(Sigil::Entity))
        .map(|(_, s)| (s.byte_start as usize, s.byte_end as usize))
        .collect();
    covered.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(covered.len());
    for (s, e) in covered {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    // The raw `{…}` of a failed tag stays in the plain text but is not prose.
    let errors: Vec<TextRange> = ctx.parse.errors.iter().map(|e| e.range).collect();
    let names = ctx.ws.names();
    let mut found = Vec::new();
    // Paragraphs and merged spans are both in order: a cursor over the
    // spans keeps this linear (a 1 MB article has thousands of each).
    let mut first_span = 0;
    let mut windows = Vec::new();
    for (i, para) in plain.paragraphs.iter().enumerate() {
        if fresh.get(i) == Some(&false) {
            continue;
        }
        let mut from = para.start as usize;
        let end = para.end as usize;
        let start = from;
        while merged.get(first_span).is_some_and(|&(_, e)| e <= start) {
            first_span += 1;
        }
        windows.clear();
        let spans = merged.get(first_span..).unwrap_or(&[]);
        for &(s, e) in spans.iter().take_while(|(s, _)| *s < end) {
            if s > from {
                windows.push((from, s));
            }
            from = from.max(e);
        }
        if from < end {
            windows.push((from, end));
        }
        for &(a, b) in &windows {
            names.find(&plain.text, a, b, &mut |m| found.push(m));
        }
    }
    let mut normalizer = Normalizer::default();
    for m in found {
        let range = plain.source_range(TextRange::new(m.start as u32, m.end as u32));
        if errors.iter().any(|e| e.start < range.end && range.start < e.end) {
            continue;
        }
        let span = plain.text.get(m.start..m.end).unwrap_or("");
        // Ranked once per name for the workspace: articles mention the
        // same shared surnames hundreds of times.
        let holder = |key: NameKey| ctx.ws.shared_name_holder(key, || first_holder(ctx, &key));
        let entity = normalizer.key(span).and_then(holder).unwrap_or(m.entity);
        let id = ctx.ws.id_text(entity);
        let written = range.slice(ctx.source_text);
        let display = ctx.ws.resolve_symbol(Sigil::Entity, entity).and_then(|(_, d)| d.name()).unwrap_or(id);
        if let Some(d) = sink.emit(Code::UntaggedMention, range, || {
            let others = if m.ambiguous { "; other entities have this name too" } else { "" };
            format!("“{}” names `@{id}` ({display}) but is not tagged{others}", one_line(written))
        }) {
            // An ambiguous name gets no suggestion, hence no automatic tag.
            if !m.ambiguous {
                d.suggestion = Some(format!("[{written}]{{@{id}}}"));
            }
        }
    }
}

/// The entity a name found in prose stands for when several have it: the
/// one of the first definition (by path, then position) with that name, so
/// the answer does not depend on the order files were indexed or edited.
fn first_holder(ctx: &Context, key: &NameKey) -> Option<Symbol> {
    let ws = ctx.ws;
    let mut holders = ws.names().holders(key).peekable();
    let first = holders.next()?;
    if holders.peek().is_none_or(|&(_, e)| e == first.1) && holders.all(|(_, e)| e == first.1) {
        return Some(first.1);
    }
    let mut normalizer = Normalizer::default();
    let mut best: Option<((&std::path::Path, u32), Symbol)> = None;
    // A shared surname has thousands of holders: each is ruled out by its
    // path where it can be (holders come mostly in path order), and its
    // definitions' names are normalized again only when the entity is
    // defined more than once in the file.
    for (file, entity) in ws.names().holders(key) {
        let Some(path) = ws.file(file).map(|f| f.path.as_path()) else { continue };
        if best.as_ref().is_some_and(|((best_path, _), _)| path > *best_path) {
            continue;
        }
        let definitions = ws.index().definitions(Sigil::Entity, entity);
        let in_file = || definitions.iter().filter(|l| l.file == file);
        let defined_once = in_file().nth(1).is_none();
        for loc in in_file() {
            let rank = (path, loc.def);
            if best.as_ref().is_some_and(|(b, _)| rank >= *b) {
                continue;
            }
            // The name index holds (file, entity) for this name: with one
            // definition of the entity in the file, that one has it.
            let named = defined_once
                || ws.def(*loc).is_some_and(|d| d.names().any(|n| normalizer.key(n).is_some_and(|k| k.matches(key))));
            if named {
                best = Some((rank, entity));
            }
        }
    }
    best.map(|(_, e)| e)
}

/// Text quoted in a message on one line: a name or tag text that spans a
/// line break (`Barack⏎Obama`) is shown with its white space collapsed, so
/// one-line formats (human titles, GitHub annotations) stay readable.
/// Suggestions keep the text as written, since they replace the range.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
