//! Checks of definition blocks and front matter: kinds, keys, values,
//! missing names and attributions, duplicate and unused definitions,
//! required front-matter keys.

use rustc_hash::FxHashSet;

use super::{Context, Sink, related, with_suggestion};
use crate::analysis::schema::{self, KeyContext, ValueType};
use crate::analysis::values::{check_language_tag, check_url, check_wikidata, closest, parse_date};
use crate::analysis::{Code, parse_reference};
use crate::syntax::{Attribute, Definition, Sigil};
use crate::text::TextRange;

/// What each block says of itself: kinds, keys, values, names,
/// attributions, required front-matter keys. With a region (see
/// `Context::region`), only the blocks it meets; the front matter lies
/// before any region.
pub(super) fn check(ctx: &Context, sink: &mut Sink) {
    if ctx.region.is_none() {
        check_front_matter(ctx, sink);
    }
    for def in ctx.definitions().filter_map(|(i, _)| ctx.parse.doc.definitions.get(i)) {
        check_definition(ctx, def, sink);
    }
}

/// The front matter's keys and values, and the keys the config requires.
fn check_front_matter(ctx: &Context, sink: &mut Sink) {
    let doc = &ctx.parse.doc;
    if let Some(fm) = &doc.front_matter {
        check_attributes(ctx, KeyContext::FrontMatter, &fm.attributes, sink);
    }
    if doc.paragraphs.is_empty() || !sink.enabled(Code::MissingFrontMatter) {
        return;
    }
    let at = doc.front_matter.as_ref().map_or(TextRange::empty(if doc.bom { 3 } else { 0 }), |fm| fm.open);
    for key in &ctx.ws.config.required_front_matter {
        let present = doc.front_matter.as_ref().is_some_and(|fm| fm.attributes.iter().any(|a| &*a.key == key.as_str()));
        if !present {
            sink.emit(Code::MissingFrontMatter, at, || {
                format!("front matter lacks `{key}`, which `required-front-matter` in newsmark.toml requires")
            });
        }
    }
}

/// What each definition is in the workspace: defined elsewhere too
/// (`duplicate-definition`), referenced nowhere (`unused-definition`).
/// Always over every definition: it reads the index, not the block.
///
/// A registry has no `unused-definition`: only its duplicated definitions
/// say anything, and when the workspace has fewer duplicated ids than the
/// registry has definitions, those are found from the ids.
pub(super) fn check_in_workspace(ctx: &Context, sink: &mut Sink) {
    // While the server indexes, a definition not seen yet elsewhere may be
    // there: neither is said.
    if !ctx.opts.index_complete {
        return;
    }
    let definitions = &ctx.parse.doc.definitions;
    let index = ctx.ws.index();
    let duplicated = index.duplicated(Sigil::Entity).len() + index.duplicated(Sigil::Source).len();
    if ctx.summary.is_registry && duplicated < definitions.len() {
        let mut here: Vec<usize> = [Sigil::Entity, Sigil::Source]
            .into_iter()
            .flat_map(|sigil| index.duplicated(sigil).map(move |id| (sigil, id)))
            .flat_map(|(sigil, id)| index.definitions(sigil, id))
            .filter(|loc| loc.file == ctx.file)
            .map(|loc| loc.def as usize)
            .collect();
        here.sort_unstable();
        for i in here {
            if let Some(def) = definitions.get(i) {
                check_definition_in_workspace(ctx, i, def, sink);
            }
        }
        return;
    }
    for (i, def) in definitions.iter().enumerate() {
        if ctx.stopped_at(i) {
            return;
        }
        check_definition_in_workspace(ctx, i, def, sink);
    }
}

fn check_definition(ctx: &Context, def: &Definition, sink: &mut Sink) {
    let config = &ctx.ws.config;
    let sig = def.sigil.char();
    let known = match def.sigil {
        Sigil::Entity => config.is_entity_kind(&def.kind),
        Sigil::Source => config.is_source_kind(&def.kind),
    };
    if !known {
        let d = sink.emit(Code::UnknownKind, def.kind_range, || {
            let kinds: Vec<&str> = match def.sigil {
                Sigil::Entity => config.entity_kinds().collect(),
                Sigil::Source => config.source_kinds().collect(),
            };
            format!("unknown {} kind `{}` (known: {})", def.sigil.noun(), def.kind, kinds.join(", "))
        });
        let suggestion = match def.sigil {
            Sigil::Entity => closest(&def.kind, config.entity_kinds()),
            Sigil::Source => closest(&def.kind, config.source_kinds()),
        };
        with_suggestion(d, suggestion.map(str::to_string));
    }
    if def.sigil == Sigil::Entity && def.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        sink.emit(Code::MissingName, def.id_range, || {
            format!(
                "entity `{sig}{}` has no display name; add one: `{sig}{}: {} \"Full Name\"`",
                def.id, def.id, def.kind
            )
        });
    }
    if def.sigil == Sigil::Source
        && schema::ATTRIBUTED_SOURCE_KINDS.contains(&&*def.kind)
        && !def.attributes.iter().any(|a| &*a.key == "by")
    {
        sink.emit(Code::MissingAttribution, def.id_range, || {
            format!("{} `{sig}{}` does not say who made it; add `by: @entity`", def.kind, def.id)
        });
    }
    check_attributes(ctx, KeyContext::of_definition(def.sigil), &def.attributes, sink);
}

fn check_definition_in_workspace(ctx: &Context, index: usize, def: &Definition, sink: &mut Sink) {
    let sig = def.sigil.char();
    let Some(info) = ctx.summary.defs.get(index) else { return };
    let workspace_index = ctx.ws.index();
    if workspace_index.is_duplicated(def.sigil, info.id) && sink.enabled(Code::DuplicateDefinition) {
        let locs = workspace_index.definitions(def.sigil, info.id);
        let others: Vec<_> = locs
            .iter()
            .filter(|l| !(l.file == ctx.file && l.def as usize == index))
            .filter_map(|l| Some((l.file, ctx.ws.file(l.file)?.display_path.clone(), ctx.ws.def(*l)?.id_range)))
            .collect();
        let places: Vec<&str> = others.iter().map(|(_, p, _)| p.as_str()).collect();
        if let Some(d) = sink.emit(Code::DuplicateDefinition, def.id_range, || {
            format!("`{sig}{}` is defined {} times; also in {}", def.id, locs.len(), dedup(&places).join(", "))
        }) {
            d.related = others
                .into_iter()
                .map(|(file, _, range)| related(file, range, format!("`{sig}{}` is also defined here", def.id)))
                .collect();
        }
    }
    if !ctx.summary.is_registry && workspace_index.ref_count(def.sigil, info.id) == 0 {
        sink.emit(Code::UnusedDefinition, def.id_range, || {
            format!(
                "`{sig}{}` is defined in an article but nothing in the workspace references it; reference it, move it to a registry file, or delete it",
                def.id
            )
        });
    }
}

fn dedup<'a>(items: &[&'a str]) -> Vec<&'a str> {
    let mut seen = FxHashSet::default();
    items.iter().copied().filter(|s| seen.insert(*s)).collect()
}

/// Keys and values of one block of attribute lines.
fn check_attributes(cx: &Context, ctx: KeyContext, attrs: &[Attribute], sink: &mut Sink) {
    let mut seen = SeenKeys::default();
    for attr in attrs {
        let key = &*attr.key;
        if schema::is_private_key(key) {
            continue;
        }
        let Some(spec) = schema::key_spec(ctx, key) else {
            let d = sink.emit(Code::UnknownKey, attr.key_range, || {
                let known: Vec<&str> = schema::keys(ctx).iter().map(|k| k.key).collect();
                format!("unknown key `{key}` (known here: {}; prefix private keys with `x-`)", known.join(", "))
            });
            with_suggestion(d, closest(key, schema::keys(ctx).iter().map(|k| k.key)).map(str::to_string));
            continue;
        };
        if !spec.value.is_list() && !seen.insert(key) {
            sink.emit(Code::DuplicateKey, attr.key_range, || {
                format!("`{key}` is given more than once; the first value wins")
            });
            continue;
        }
        check_value(cx, key, spec.value, attr, sink);
    }
}

/// Single-value keys already given in a block. A block has a handful of
/// keys: a short list on the stack spares the million registry
/// definitions a hash set allocation each; a set takes over for long
/// blocks, so a pathological one stays linear.
#[derive(Default)]
struct SeenKeys<'a> {
    few: smallvec::SmallVec<[&'a str; 16]>,
    many: FxHashSet<&'a str>,
}

impl<'a> SeenKeys<'a> {
    /// Adds `key`; false when it was there already.
    fn insert(&mut self, key: &'a str) -> bool {
        if self.few.contains(&key) {
            return false;
        }
        if self.few.len() < self.few.inline_size() {
            self.few.push(key);
            true
        } else {
            self.many.insert(key)
        }
    }
}

fn check_value(cx: &Context, key: &str, ty: ValueType, attr: &Attribute, sink: &mut Sink) {
    let value = &*attr.value;
    let empty = value.is_empty();
    let invalid = |sink: &mut Sink, range: TextRange, msg: String| {
        sink.emit(Code::InvalidValue, range, || msg);
    };
    match ty {
        ValueType::Text | ValueType::TextList => {}
        // An empty value has nothing to cover: the key carries it (§9).
        ValueType::Date | ValueType::Url | ValueType::LanguageTag | ValueType::Wikidata if empty => {
            invalid(sink, attr.key_range, format!("`{key}` is empty; it needs {}", expected(ty)));
        }
        ValueType::Date => {
            if let Err(e) = parse_date(value) {
                invalid(sink, attr.value_range, format!("`{key}: {value}` is not a valid date: {e}"));
            }
        }
        ValueType::Url => {
            if let Err(e) = check_url(value) {
                invalid(sink, attr.value_range, format!("`{key}: {value}` is not a valid URL: {e}"));
            }
        }
        ValueType::LanguageTag => {
            if let Err(e) = check_language_tag(value) {
                invalid(sink, attr.value_range, format!("`{key}: {value}` is not a valid language tag: {e}"));
            }
        }
        ValueType::Wikidata => {
            if let Err(e) = check_wikidata(value) {
                invalid(sink, attr.value_range, format!("`{key}: {value}` is not a valid Wikidata id: {e}"));
            }
        }
        ValueType::EntityRef | ValueType::EntityRefList => {
            if attr.items.is_empty() {
                invalid(sink, attr.key_range, format!("`{key}` is empty; it needs {}", expected(ty)));
                return;
            }
            if ty == ValueType::EntityRef {
                let count = reference_count(attr);
                if count > 1 {
                    invalid(
                        sink,
                        attr.value_range,
                        format!("`{key}` takes one entity reference, found {count}: `{}`", attr.value),
                    );
                    return;
                }
            }
            for item in &attr.items {
                match parse_reference(&item.text) {
                    Some((Sigil::Entity, _)) => {}
                    Some((Sigil::Source, id)) => {
                        let d = sink.emit(Code::InvalidValue, item.range, || {
                            format!("`{key}` expects an entity reference (`@id`), not the source `^{id}`")
                        });
                        // Suggest `@id` only when that entity exists: offering
                        // a fix that turns one error into `undefined-reference`
                        // would mislead.
                        let exists = !cx.ws.definitions(Sigil::Entity, id).is_empty();
                        with_suggestion(d, exists.then(|| format!("@{id}")));
                    }
                    None => {
                        invalid(sink, item.range, format!("`{}` in `{key}` is not a reference; write `@id`", item.text))
                    }
                }
            }
        }
    }
}

/// How many references a value holds, whether separated by `;` or by
/// white space: `@a; @b` and `@a @b` both hold two. Words that are not
/// references do not count.
fn reference_count(attr: &Attribute) -> usize {
    attr.items
        .iter()
        .flat_map(|item| item.text.split_whitespace())
        .filter(|word| parse_reference(word).is_some())
        .count()
}

fn expected(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Date => "a date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time)",
        ValueType::Url => "an `http://` or `https://` URL",
        ValueType::LanguageTag => "a language tag such as `en` or `zh-Hans`",
        ValueType::Wikidata => "a Wikidata id such as `Q76`",
        ValueType::EntityRef => "an entity reference (`@id`)",
        ValueType::EntityRefList => "entity references (`@id`) separated by `;`",
        ValueType::Text | ValueType::TextList => "text",
    }
}
