//! The key tables of spec §2 and §4, and the built-in kinds: what each key
//! holds, whether it is a list, and what it means (for hover and completion).

use crate::syntax::Sigil;

/// Where an attribute line stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyContext {
    FrontMatter,
    Entity,
    Source,
}

impl KeyContext {
    pub fn of_definition(sigil: Sigil) -> KeyContext {
        match sigil {
            Sigil::Entity => KeyContext::Entity,
            Sigil::Source => KeyContext::Source,
        }
    }
}

/// The type of a key's value (§6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    Text,
    /// `;`-separated list of text items (`aka`).
    TextList,
    Date,
    Url,
    LanguageTag,
    Wikidata,
    /// One `@id`.
    EntityRef,
    /// `;`-separated list of `@id`s.
    EntityRefList,
}

impl ValueType {
    pub fn is_list(self) -> bool {
        matches!(self, ValueType::TextList | ValueType::EntityRefList)
    }

    pub fn is_reference(self) -> bool {
        matches!(self, ValueType::EntityRef | ValueType::EntityRefList)
    }
}

/// One row of a key table.
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    pub key: &'static str,
    pub value: ValueType,
    /// What the key means, one sentence (hover, completion).
    pub doc: &'static str,
}

const FRONT_MATTER_KEYS: &[KeySpec] = &[
    KeySpec { key: "title", value: ValueType::Text, doc: "The article's headline." },
    KeySpec {
        key: "published",
        value: ValueType::Date,
        doc: "When the article was published: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time.",
    },
    KeySpec {
        key: "updated",
        value: ValueType::Date,
        doc: "When the article was last updated (a date, as for `published`).",
    },
    KeySpec {
        key: "outlet",
        value: ValueType::EntityRef,
        doc: "The outlet that published the article: one entity reference (`@id`).",
    },
    KeySpec { key: "byline", value: ValueType::EntityRefList, doc: "The authors: entity references separated by `;`." },
    KeySpec {
        key: "url",
        value: ValueType::Url,
        doc: "Where the article is published: an `http://` or `https://` URL.",
    },
    KeySpec {
        key: "lang",
        value: ValueType::LanguageTag,
        doc: "The article's language: an RFC 5646 language tag such as `en`, `en-US` or `zh-Hans`.",
    },
];

const ENTITY_KEYS: &[KeySpec] = &[
    KeySpec {
        key: "aka",
        value: ValueType::TextList,
        doc: "Other names of the entity, separated by `;` (used to check tag texts and find untagged mentions).",
    },
    KeySpec {
        key: "role",
        value: ValueType::Text,
        doc: "The entity's role, e.g. `Deputy Secretary of Homeland Security`.",
    },
    KeySpec {
        key: "wikidata",
        value: ValueType::Wikidata,
        doc: "The entity's Wikidata id: `Q` and digits, such as `Q76`.",
    },
    KeySpec { key: "url", value: ValueType::Url, doc: "A page about the entity: an `http://` or `https://` URL." },
    KeySpec {
        key: "part-of",
        value: ValueType::EntityRef,
        doc: "The entity this one belongs to: one entity reference (`@id`).",
    },
    KeySpec { key: "note", value: ValueType::Text, doc: "A free-text note for editors." },
];

const SOURCE_KEYS: &[KeySpec] = &[
    KeySpec {
        key: "by",
        value: ValueType::EntityRefList,
        doc: "Who said or wrote it: entity references separated by `;`.",
    },
    KeySpec {
        key: "via",
        value: ValueType::EntityRef,
        doc: "The outlet or channel that relayed it: one entity reference (`@id`).",
    },
    KeySpec {
        key: "date",
        value: ValueType::Date,
        doc: "When it was said or written: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time.",
    },
    KeySpec {
        key: "url",
        value: ValueType::Url,
        doc: "Where the source can be found: an `http://` or `https://` URL.",
    },
    KeySpec { key: "note", value: ValueType::Text, doc: "A free-text note for editors." },
];

/// The keys documented for a context, in table order.
pub fn keys(ctx: KeyContext) -> &'static [KeySpec] {
    match ctx {
        KeyContext::FrontMatter => FRONT_MATTER_KEYS,
        KeyContext::Entity => ENTITY_KEYS,
        KeyContext::Source => SOURCE_KEYS,
    }
}

/// The spec of `key` in `ctx`; `None` for unknown keys and for `x-…` keys
/// (which are never checked: see [`is_private_key`]).
pub fn key_spec(ctx: KeyContext, key: &str) -> Option<&'static KeySpec> {
    keys(ctx).iter().find(|k| k.key == key)
}

/// `x-…` keys hold anything and are never checked.
pub fn is_private_key(key: &str) -> bool {
    key.starts_with("x-")
}

pub const ENTITY_KINDS: &[&str] = &["person", "org", "place", "event", "group", "work", "product", "other"];

pub const SOURCE_KINDS: &[&str] =
    &["statement", "remarks", "interview", "document", "article", "post", "data", "anonymous", "observation"];

/// Source kinds that must say who made them (`missing-attribution`).
pub const ATTRIBUTED_SOURCE_KINDS: &[&str] = &["statement", "remarks", "interview", "document", "post"];

pub fn builtin_kinds(sigil: Sigil) -> &'static [&'static str] {
    match sigil {
        Sigil::Entity => ENTITY_KINDS,
        Sigil::Source => SOURCE_KINDS,
    }
}
