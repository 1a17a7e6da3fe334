//! The summary of one file that the workspace index keeps for every file:
//! its definitions (with their attributes) and every reference it makes.
//! Small on purpose: the full parse is dropped once the summary is built.

use lasso::{Spur, ThreadedRodeo};

use super::schema::{self, KeyContext};
use crate::syntax::{Attribute, Parse, Sigil};
use crate::text::TextRange;

/// An interned id (without sigil).
pub type Symbol = Spur;

/// Interns ids; shared by every file of a workspace and safe to use from
/// parallel parsing threads.
pub type Interner = ThreadedRodeo<Spur>;

/// Where a reference stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefOrigin {
    Tag,
    /// An attribute value (`by`, `via`, `part-of`, `outlet`, `byline`).
    Attribute,
}

/// One `@id` / `^id` reference of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefSite {
    pub sigil: Sigil,
    pub id: Symbol,
    /// Sigil and id.
    pub range: TextRange,
    pub origin: RefOrigin,
}

/// What the index keeps of a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefInfo {
    pub sigil: Sigil,
    pub id: Symbol,
    /// Sigil and id in the header.
    pub id_range: TextRange,
    /// The whole block (header and attributes).
    pub range: TextRange,
    pub kind: Box<str>,
    pub name: Option<Box<str>>,
    /// Every attribute line as `(key, value)`, in order.
    pub attrs: Box<[(Box<str>, Box<str>)]>,
}

impl DefInfo {
    /// The first value of a single-value key (the first wins, §4).
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| &**k == key).map(|(_, v)| &**v)
    }

    /// The items of a list key over all its lines: split on `;`, trimmed,
    /// empty items dropped.
    pub fn list<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attrs
            .iter()
            .filter(move |(k, _)| &**k == key)
            .flat_map(|(_, v)| v.split(';'))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The display name (when not blank) and every `aka`.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.name.as_deref().filter(|n| !n.trim().is_empty()).into_iter().chain(self.list("aka"))
    }
}

/// The summary of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub defs: Vec<DefInfo>,
    /// Every reference, in tags and attribute values, in document order
    /// (tag references first, then attribute references).
    pub refs: Vec<RefSite>,
    /// No prose (§7).
    pub is_registry: bool,
    /// The front matter's `published` value as written.
    pub published: Option<Box<str>>,
}

impl FileSummary {
    pub fn new(parse: &Parse, interner: &Interner) -> FileSummary {
        let doc = &parse.doc;
        let mut refs = Vec::new();
        for tag in &doc.tags {
            for r in &tag.refs {
                refs.push(RefSite {
                    sigil: r.sigil,
                    id: interner.get_or_intern(&*r.id),
                    range: r.range,
                    origin: RefOrigin::Tag,
                });
            }
        }
        let mut published = None;
        if let Some(fm) = &doc.front_matter {
            for attr in &fm.attributes {
                push_attribute_refs(KeyContext::FrontMatter, attr, interner, &mut refs);
                if &*attr.key == "published" && published.is_none() {
                    published = Some(attr.value.clone());
                }
            }
        }
        let mut defs = Vec::with_capacity(doc.definitions.len());
        for def in &doc.definitions {
            let ctx = KeyContext::of_definition(def.sigil);
            for attr in &def.attributes {
                push_attribute_refs(ctx, attr, interner, &mut refs);
            }
            defs.push(DefInfo {
                sigil: def.sigil,
                id: interner.get_or_intern(&*def.id),
                id_range: def.id_range,
                range: def.range,
                kind: def.kind.clone(),
                name: def.name.clone(),
                attrs: def.attributes.iter().map(|a| (a.key.clone(), a.value.clone())).collect(),
            });
        }
        FileSummary { defs, refs, is_registry: doc.is_registry(), published }
    }
}

/// Adds the references that a reference-typed attribute holds. Items that
/// are not a well-formed reference are `invalid-value` and reference
/// nothing.
fn push_attribute_refs(ctx: KeyContext, attr: &Attribute, interner: &Interner, out: &mut Vec<RefSite>) {
    let Some(spec) = schema::key_spec(ctx, &attr.key) else { return };
    if !spec.value.is_reference() {
        return;
    }
    let items = if spec.value.is_list() { &attr.items[..] } else { attr.items.get(..1).unwrap_or(&[]) };
    for item in items {
        // A reference key holds entity references; a `^id` there is an
        // `invalid-value`, not a reference to a source.
        if let Some((sigil @ Sigil::Entity, id)) = parse_reference(&item.text) {
            out.push(RefSite {
                sigil,
                id: interner.get_or_intern(id),
                range: item.range,
                origin: RefOrigin::Attribute,
            });
        }
    }
}

/// `@id` or `^id` with a valid id, as written in an attribute value.
pub fn parse_reference(text: &str) -> Option<(Sigil, &str)> {
    let mut chars = text.chars();
    let sigil = Sigil::from_char(chars.next()?)?;
    let id = chars.as_str();
    crate::syntax::is_valid_id(id).then_some((sigil, id))
}
