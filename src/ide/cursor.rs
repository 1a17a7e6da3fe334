//! What the cursor is on: a reference, a definition's id, a key, a kind.
//! Every position-based feature starts here, so they all agree on what an
//! offset means. An offset touching the end of a range counts as inside it
//! (a cursor right after `@xi` is on `@xi`).

use super::FileContext;
use crate::analysis::RefOrigin;
use crate::analysis::parse_reference;
use crate::analysis::schema::{self, KeyContext};
use crate::syntax::{Attribute, Document, Parse, Sigil};
use crate::text::TextRange;

/// The thing under the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorTarget<'a> {
    /// `@id` / `^id` in a tag or a reference-typed attribute value.
    Reference { sigil: Sigil, id: &'a str, range: TextRange, origin: RefOrigin },
    /// The `@id` of a definition header; `def` indexes `Document::definitions`.
    Definition { sigil: Sigil, id: &'a str, range: TextRange, def: usize },
    /// The key of an attribute line.
    Key { context: KeyContext, key: &'a str, range: TextRange },
    /// The kind word of a definition header.
    Kind { def: usize, range: TextRange },
}

impl<'a> CursorTarget<'a> {
    /// The sigil and id when the target names one.
    pub fn symbol(self) -> Option<(Sigil, &'a str, TextRange)> {
        match self {
            CursorTarget::Reference { sigil, id, range, .. } | CursorTarget::Definition { sigil, id, range, .. } => {
                Some((sigil, id, range))
            }
            _ => None,
        }
    }
}

/// Classifies `offset`. References win over the things around them (a tag's
/// reference list inside a paragraph); an id wins over a key.
pub fn classify(ctx: FileContext<'_>, offset: u32) -> Option<CursorTarget<'_>> {
    let doc = &ctx.parse.doc;
    if let Some(r) = tag_reference_at(doc, offset) {
        return Some(r);
    }
    for (context, attr) in attributes(ctx.parse) {
        if !attr.range.contains_inclusive(offset) {
            continue;
        }
        for (sigil, id, range) in attribute_refs(context, attr) {
            if range.contains_inclusive(offset) {
                return Some(CursorTarget::Reference { sigil, id, range, origin: RefOrigin::Attribute });
            }
        }
        if attr.key_range.contains_inclusive(offset) {
            return Some(CursorTarget::Key { context, key: &attr.key, range: attr.key_range });
        }
    }
    let at = doc.definitions.partition_point(|d| d.header_range.end < offset);
    let def = doc.definitions.get(at).filter(|d| d.header_range.contains_inclusive(offset))?;
    if def.id_range.contains_inclusive(offset) {
        return Some(CursorTarget::Definition { sigil: def.sigil, id: &def.id, range: def.id_range, def: at });
    }
    if def.kind_range.contains_inclusive(offset) {
        return Some(CursorTarget::Kind { def: at, range: def.kind_range });
    }
    None
}

fn tag_reference_at(doc: &Document, offset: u32) -> Option<CursorTarget<'_>> {
    // Tags are sorted by start; only those starting before the offset can
    // hold it.
    let end = doc.tags.partition_point(|t| t.range.start <= offset);
    doc.tags[..end].iter().rev().filter(|t| t.refs_range.contains_inclusive(offset)).find_map(|t| {
        t.refs.iter().find(|r| r.range.contains_inclusive(offset)).map(|r| CursorTarget::Reference {
            sigil: r.sigil,
            id: &r.id,
            range: r.range,
            origin: RefOrigin::Tag,
        })
    })
}

/// Every attribute line of the document with where it stands.
pub(crate) fn attributes(parse: &Parse) -> impl Iterator<Item = (KeyContext, &Attribute)> {
    let doc = &parse.doc;
    let front = doc.front_matter.iter().flat_map(|fm| fm.attributes.iter().map(|a| (KeyContext::FrontMatter, a)));
    let defs =
        doc.definitions.iter().flat_map(|d| d.attributes.iter().map(move |a| (KeyContext::of_definition(d.sigil), a)));
    front.chain(defs)
}

/// The references an attribute value holds, as the workspace summary counts
/// them: items of reference keys that are a well-formed `@id` (only the
/// first item of a single-value key).
pub(crate) fn attribute_refs(context: KeyContext, attr: &Attribute) -> impl Iterator<Item = (Sigil, &str, TextRange)> {
    let spec = schema::key_spec(context, &attr.key).filter(|s| s.value.is_reference());
    let take = match spec {
        Some(s) if s.value.is_list() => usize::MAX,
        Some(_) => 1,
        None => 0,
    };
    attr.items.iter().take(take).filter_map(|item| match parse_reference(&item.text) {
        Some((Sigil::Entity, id)) => Some((Sigil::Entity, id, item.range)),
        _ => None,
    })
}

/// Every reference of the document (tags, then attribute values), from the
/// parse.
pub(crate) fn all_refs(parse: &Parse) -> impl Iterator<Item = (Sigil, &str, TextRange)> {
    let tags = parse.doc.tags.iter().flat_map(|t| t.refs.iter().map(|r| (r.sigil, &*r.id, r.range)));
    tags.chain(attributes(parse).flat_map(|(c, a)| attribute_refs(c, a)))
}
