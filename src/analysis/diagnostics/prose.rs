//! Checks of the article text: `unknown-alias` (a tag's text against its
//! entity's names), `unattributed-quote` and `untagged-mention`. All of them
//! read the plain text (§8), so markup and escapes never get in the way.

use super::{Context, Sink};
use crate::analysis::Code;
use crate::analysis::names::Normalizer;
use crate::analysis::summary::RefOrigin;
use crate::syntax::{PlainText, Sigil, plain_text};
use crate::text::TextRange;

pub(super) fn check(ctx: &Context, sink: &mut Sink) {
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
    let plain = plain_text(ctx.source_text, ctx.parse);
    if want_alias {
        unknown_alias(ctx, &plain, sink);
    }
    if want_quotes {
        unattributed_quotes(ctx, &plain, sink);
    }
    if want_mentions {
        untagged_mentions(ctx, &plain, sink);
    }
}

fn tag_text(plain: &PlainText, index: usize) -> &str {
    plain.tags.get(index).and_then(|s| plain.text.get(s.byte_start as usize..s.byte_end as usize)).unwrap_or("")
}

fn unknown_alias(ctx: &Context, plain: &PlainText, sink: &mut Sink) {
    let mut normalizer = Normalizer::default();
    // The summary holds the tag references in the same order, already
    // interned: resolving through their symbols saves hashing each id text.
    let mut interned = ctx.summary.refs.iter().filter(|r| r.origin == RefOrigin::Tag);
    for (i, tag) in ctx.parse.doc.tags.iter().enumerate() {
        let text = tag_text(plain, i);
        let mut written = None;
        for r in &tag.refs {
            let site = interned.next().filter(|s| s.range == r.range && s.sigil == r.sigil);
            if r.sigil != Sigil::Entity {
                continue;
            }
            let def = match site {
                Some(site) => ctx.ws.resolve_symbol(Sigil::Entity, site.id),
                None => ctx.ws.resolve(Sigil::Entity, &r.id),
            };
            let Some((loc, def)) = def else { continue };
            let written = written.get_or_insert_with(|| normalizer.key(text));
            // An entity defined once has exactly the names the name index
            // holds for it in that file: one lookup, where normalizing all
            // its names again was a quarter of the prose checks.
            let defined_once = ctx.ws.index().definitions(Sigil::Entity, def.id).len() == 1;
            match &*written {
                Some(key) if defined_once => {
                    if ctx.ws.names().names_entity(key, def.id, loc.file) || def.names().next().is_none() {
                        continue;
                    }
                }
                _ => {
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

fn unattributed_quotes(ctx: &Context, plain: &PlainText, sink: &mut Sink) {
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
    for para in &plain.paragraphs {
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

fn untagged_mentions(ctx: &Context, plain: &PlainText, sink: &mut Sink) {
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
    for para in &plain.paragraphs {
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
    for m in found {
        let range = plain.source_range(TextRange::new(m.start as u32, m.end as u32));
        if errors.iter().any(|e| e.start < range.end && range.start < e.end) {
            continue;
        }
        let id = ctx.ws.id_text(m.entity);
        let written = range.slice(ctx.source_text);
        let display = ctx.ws.resolve_symbol(Sigil::Entity, m.entity).and_then(|(_, d)| d.name()).unwrap_or(id);
        if let Some(d) = sink.emit(Code::UntaggedMention, range, || {
            format!("“{}” names `@{id}` ({display}) but is not tagged", one_line(written))
        }) {
            d.suggestion = Some(format!("[{written}]{{@{id}}}"));
        }
    }
}

/// Text quoted in a message on one line: a name or tag text that spans a
/// line break (`Barack⏎Obama`) is shown with its white space collapsed, so
/// one-line formats (human titles, GitHub annotations) stay readable.
/// Suggestions keep the text as written, since they replace the range.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
