//! The summary of one file that the workspace index keeps for every file:
//! its definitions (with their attributes) and every reference it makes.
//! Small on purpose: the full parse is dropped once the summary is built.

use super::schema::{self, KeyContext};
use crate::syntax::{Attribute, Parse, Reparsed, Sigil};
use crate::text::{LineIndex, TextRange};

pub use super::interner::{Interner, Symbol};

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
    /// Where `range` starts as a line and column ([`RefSite::at`]): what
    /// a request answers for a file it would otherwise read from disk
    /// (the server keeps no texts of files that are not open; references
    /// to an entity of ten thousand articles read none).
    line: u32,
    col8: u32,
    /// How many fewer UTF-16 code units than UTF-8 bytes precede it on
    /// its line; [`NARROWING_UNKNOWN`] when that many do not fit in 16
    /// bits (then the column in UTF-16 is read from the text).
    narrowing: u16,
}

/// [`RefSite::narrowing`] too large to keep.
const NARROWING_UNKNOWN: u16 = u16::MAX;

// 3.45 million references on the large corpus: the UTF-16 column kept
// as a 2-byte difference makes a reference 24 bytes, not 28.
const _: () = assert!(std::mem::size_of::<RefSite>() == 24);

impl RefSite {
    /// A reference not placed yet ([`RefSite::place`]): its place is
    /// unknown ([`RefSite::at`] is `None`) until it is.
    pub fn new(sigil: Sigil, id: Symbol, range: TextRange, origin: RefOrigin) -> RefSite {
        RefSite { sigil, id, range, origin, line: 0, col8: 0, narrowing: NARROWING_UNKNOWN }
    }

    /// The line and columns where it starts; `None` when its column in
    /// UTF-16 was not kept (more than 65,534 bytes of multi-byte
    /// characters before it on its line).
    pub fn at(&self) -> Option<LinePos> {
        (self.narrowing != NARROWING_UNKNOWN).then(|| LinePos {
            line: self.line,
            col8: self.col8,
            col16: self.col8.saturating_sub(u32::from(self.narrowing)),
        })
    }

    /// The line it starts on.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// Places it at `at`.
    pub fn place(&mut self, at: LinePos) {
        self.line = at.line;
        self.col8 = at.col8;
        self.narrowing = narrowing(at.col8, at.col16);
    }
}

/// [`RefSite::narrowing`] of a column in UTF-8 and in UTF-16.
fn narrowing(col8: u32, col16: u32) -> u16 {
    col8.checked_sub(col16).and_then(|d| u16::try_from(d).ok()).unwrap_or(NARROWING_UNKNOWN)
}

/// A line and the column on it in UTF-8 and in UTF-16 code units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinePos {
    pub line: u32,
    pub col8: u32,
    pub col16: u32,
}

impl LinePos {
    fn of(lines: &LineIndex, text: &str, offset: u32) -> LinePos {
        let (line, col8, col16) = lines.line_col_utf8_utf16(text, offset);
        LinePos { line, col8, col16 }
    }
}

/// Gives each of `refs` its position in `text`.
fn locate(refs: &mut [RefSite], text: &str, lines: &LineIndex) {
    for r in refs {
        r.place(LinePos::of(lines, text, r.range.start));
    }
}

/// What the index keeps of a definition. Its kind, name and attributes
/// live in one allocation (a million registry definitions would otherwise
/// cost six small allocations each), joined by line breaks, which none of
/// them can hold (each is read from one line): a definition takes 40
/// bytes besides, where the offsets of its parts kept beside the text took
/// 40 more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefInfo {
    pub sigil: Sigil,
    pub id: Symbol,
    /// Sigil and id in the header.
    pub id_range: TextRange,
    /// The whole block (header and attributes).
    pub range: TextRange,
    /// The kind, the name, then the key and value of every attribute line,
    /// each followed by [`PART_END`] but the last.
    text: Box<str>,
    has_name: bool,
}

// A million definitions in a large registry set: each byte here is a
// megabyte of the server's memory.
const _: () = assert!(std::mem::size_of::<DefInfo>() == 40);

impl DefInfo {
    pub fn new<'a>(
        sigil: Sigil,
        id: Symbol,
        id_range: TextRange,
        range: TextRange,
        kind: &str,
        name: Option<&str>,
        attrs: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) -> DefInfo {
        let len = kind.len()
            + name.map_or(0, str::len)
            + attrs.clone().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>()
            + 1;
        let mut text = String::with_capacity(len);
        let mut first = true;
        let mut push = |s: &str| {
            if !std::mem::take(&mut first) {
                text.push(PART_END);
            }
            // Never so from the parser (a part is read from one line);
            // kept from cutting the parts wrongly all the same.
            if s.contains(PART_END) {
                text.push_str(&s.replace(PART_END, " "));
            } else {
                text.push_str(s);
            }
        };
        push(kind);
        push(name.unwrap_or(""));
        for (k, v) in attrs {
            push(k);
            push(v);
        }
        DefInfo { sigil, id, id_range, range, text: text.into_boxed_str(), has_name: name.is_some() }
    }

    /// Same definition apart from where it is written.
    /// The length of its kind, name and attributes, end to end.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    pub fn same_content(&self, other: &DefInfo) -> bool {
        self.sigil == other.sigil && self.id == other.id && self.has_name == other.has_name && self.text == other.text
    }

    /// Its kind, name and attributes, borrowed.
    pub fn parts(&self) -> DefParts<'_> {
        DefParts { text: &self.text, has_name: self.has_name }
    }

    pub fn kind(&self) -> &str {
        self.parts().kind()
    }

    /// The display name as written (escapes resolved), when there is one.
    pub fn name(&self) -> Option<&str> {
        self.parts().name()
    }

    /// Every attribute line as `(key, value)`, in order.
    pub fn attrs(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.parts().attrs()
    }

    /// The first value of a single-value key (the first wins, §4).
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.parts().attr(key)
    }

    /// The items of a list key over all its lines: split on `;`, trimmed,
    /// empty items dropped.
    pub fn list<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.parts().list(key)
    }

    /// The display name (when not blank) and every `aka`.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.parts().names()
    }
}

/// What ends each part of a definition's text but the last.
const PART_END: char = '\n';

/// A definition's kind, name and attributes, end to end in `text` as
/// [`DefInfo`] keeps them (or as a cache stores them, read in place).
#[derive(Clone, Copy, Debug)]
pub struct DefParts<'a> {
    text: &'a str,
    has_name: bool,
}

impl<'a> DefParts<'a> {
    fn parts(self) -> Parts<'a> {
        Parts { rest: Some(self.text) }
    }

    pub fn kind(self) -> &'a str {
        self.parts().next().unwrap_or("")
    }

    pub fn name(self) -> Option<&'a str> {
        self.has_name.then(|| self.parts().nth(1).unwrap_or(""))
    }

    pub fn attrs(self) -> Attrs<'a> {
        let mut parts = self.parts();
        // Kind and name, then key and value of each.
        parts.next();
        parts.next();
        Attrs { parts }
    }

    pub fn attr(self, key: &str) -> Option<&'a str> {
        self.attrs().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn list(self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attrs().list(key)
    }

    /// The display name (when not blank) and every `aka`: the text is
    /// read once (a million definitions' names are indexed at each load).
    pub fn names(self) -> impl Iterator<Item = &'a str> + 'a {
        let mut parts = self.parts();
        parts.next();
        let name = parts.next().filter(|n| self.has_name && !n.trim().is_empty());
        name.into_iter().chain(Attrs { parts }.list("aka"))
    }
}

/// The parts of a definition's text. (`str::split` looks for each end
/// with `memchr`, which is slower than a plain loop over parts this
/// short: the names of a million definitions are read at every load.)
struct Parts<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == PART_END as u8) {
            Some(end) => {
                self.rest = rest.get(end + 1..);
                rest.get(..end)
            }
            None => self.rest.take(),
        }
    }
}

/// The attributes of a definition, as `(key, value)`, in order (a key
/// without a value, which only a damaged cache could hold, is left out).
pub struct Attrs<'a> {
    parts: Parts<'a>,
}

impl<'a> Attrs<'a> {
    /// The items of the lines of `key`: split on `;`, trimmed, empty items
    /// dropped.
    fn list(self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.filter(move |(k, _)| *k == key).flat_map(|(_, v)| v.split(';')).map(str::trim).filter(|s| !s.is_empty())
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        Some((self.parts.next()?, self.parts.next()?))
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

/// What [`FileSummary::splice`] replaced: the definitions and references
/// of the reparsed region before and after.
#[derive(Debug, Default)]
pub struct SummaryDiff {
    /// Index in `defs` of the first definition of the region (before and
    /// after: the definitions before it did not move).
    pub first_def: usize,
    pub removed_defs: Vec<DefInfo>,
    /// How many definitions the region holds now, from `first_def` on.
    pub added_defs: usize,
    pub removed_refs: Vec<RefSite>,
    pub added_refs: Vec<RefSite>,
}

impl FileSummary {
    /// The summary of `text`, whose parse is `parse`.
    pub fn new(parse: &Parse, text: &str, interner: &Interner) -> FileSummary {
        let mut summary = FileSummary::without_positions(parse, interner);
        if !summary.refs.is_empty() {
            locate(&mut summary.refs, text, &LineIndex::new(text));
        }
        summary
    }

    /// The reference whose range holds `range`. Tag references and
    /// attribute references are each in document order: a binary search in
    /// each run.
    pub fn reference_at(&self, range: TextRange) -> Option<&RefSite> {
        let (tags, attrs) = self.refs.split_at(self.refs.partition_point(|r| r.origin == RefOrigin::Tag));
        [tags, attrs].into_iter().find_map(|run| {
            let after = run.partition_point(|r| r.range.start <= range.start);
            run[..after].last().filter(|r| r.range.contains_range(range))
        })
    }

    /// The references whose ranges meet `region` (ends included), in the
    /// order of `refs`: a binary search in each run, so a small region of
    /// a large registry costs what it holds.
    pub fn references_meeting(&self, region: TextRange) -> impl Iterator<Item = &RefSite> {
        let (tags, attrs) = self.refs.split_at(self.refs.partition_point(|r| r.origin == RefOrigin::Tag));
        [tags, attrs].into_iter().flat_map(move |run| {
            let from = run.partition_point(|r| r.range.end < region.start);
            run.iter().skip(from).take_while(move |r| r.range.start <= region.end)
        })
    }

    /// The definitions whose blocks meet `region` (ends included), with
    /// their indexes.
    pub fn definitions_meeting(&self, region: TextRange) -> impl Iterator<Item = (usize, &DefInfo)> {
        let from = self.defs.partition_point(|d| d.range.end < region.start);
        self.defs.iter().enumerate().skip(from).take_while(move |(_, d)| d.range.start <= region.end)
    }

    /// The summary of `parse` with its references not placed (each
    /// [`RefSite::at`] is `None`), for a run that reads no place: a check
    /// that keeps no cache, where placing three million references was a
    /// thirtieth of the CPU.
    pub fn without_positions(parse: &Parse, interner: &Interner) -> FileSummary {
        let doc = &parse.doc;
        let mut refs = Vec::new();
        push_tag_refs(&doc.tags, interner, &mut refs);
        let published = doc.front_matter.as_ref().and_then(published);
        if let Some(fm) = &doc.front_matter {
            for attr in &fm.attributes {
                push_attribute_refs(KeyContext::FrontMatter, attr, interner, &mut refs);
            }
        }
        // A registry's ids, mostly new, are interned together.
        let symbols = match doc.definitions.len() >= BULK_DEFINITIONS {
            true => interner.intern_many(&doc.definitions.iter().map(|d| &*d.id).collect::<Vec<_>>()),
            false => Vec::new(),
        };
        let defs = doc
            .definitions
            .iter()
            .enumerate()
            .map(|(i, def)| {
                let id = symbols.get(i).copied().unwrap_or_else(|| interner.get_or_intern(&*def.id));
                def_info(def, id, interner, &mut refs)
            })
            .collect();
        FileSummary { defs, refs, is_registry: doc.is_registry(), published }
    }

    /// Updates the summary of the text before a reparse into the summary of
    /// `parse`, the parse after it (of `text`, whose lines are `lines`):
    /// only what lies in the reparsed region is read again, what follows
    /// moves by the edit's shift.
    pub fn splice(
        &mut self,
        parse: &Parse,
        at: Reparsed,
        interner: &Interner,
        text: &str,
        lines: &LineIndex,
    ) -> SummaryDiff {
        let doc = &parse.doc;
        let (old, new, delta) = (at.old, at.new, at.delta());
        // The region ends at a line start (or the end), so what follows it
        // keeps its columns and moves by a number of lines, read off any
        // reference after it.
        let line_shift = self.refs.iter().find(|r| r.range.start >= old.end).map_or(0, |r| {
            let moved = (i64::from(r.range.start) + delta).clamp(0, i64::from(u32::MAX)) as u32;
            i64::from(lines.line_of(moved)) - i64::from(r.line)
        });
        let moved = |range: TextRange| {
            let by = |o: u32| (i64::from(o) + delta).clamp(0, i64::from(u32::MAX)) as u32;
            TextRange::new(by(range.start), by(range.end))
        };

        // Definitions, in document order.
        let first_def = self.defs.partition_point(|d| d.range.start < old.start);
        let last_def = self.defs.partition_point(|d| d.range.start < old.end).max(first_def);
        let new_first = doc.definitions.partition_point(|d| d.range.start < new.start);
        let new_last = doc.definitions.partition_point(|d| d.range.start < new.end).max(new_first);

        // References: tag references first, then attribute references, each
        // group in document order of their tags and lines.
        let tags_end = self.refs.partition_point(|r| r.origin == RefOrigin::Tag);
        let (tag_refs, attr_refs) = self.refs.split_at(tags_end);
        let old_tag = region_of(tag_refs, old);
        let old_attr = region_of(attr_refs, old);
        let old_attr = old_attr.start + tags_end..old_attr.end + tags_end;

        let mut added_tag_refs = Vec::new();
        let tags = doc.tags.get(doc.tags.partition_point(|t| t.range.start < new.start)..).unwrap_or(&[]);
        let tags = &tags[..tags.partition_point(|t| t.range.start < new.end)];
        push_tag_refs(tags, interner, &mut added_tag_refs);
        let mut added_attr_refs = Vec::new();
        if new.start == 0 {
            self.published = doc.front_matter.as_ref().and_then(published);
            if let Some(fm) = &doc.front_matter {
                for attr in &fm.attributes {
                    push_attribute_refs(KeyContext::FrontMatter, attr, interner, &mut added_attr_refs);
                }
            }
        }
        let added: Vec<DefInfo> = doc
            .definitions
            .get(new_first..new_last)
            .unwrap_or(&[])
            .iter()
            .map(|def| def_info(def, interner.get_or_intern(&*def.id), interner, &mut added_attr_refs))
            .collect();
        let added_defs = added.len();
        locate(&mut added_tag_refs, text, lines);
        locate(&mut added_attr_refs, text, lines);
        let removed_defs: Vec<DefInfo> = self.defs.splice(first_def..last_def, added).collect();
        for def in self.defs.get_mut(first_def + added_defs..).unwrap_or(&mut []) {
            def.id_range = moved(def.id_range);
            def.range = moved(def.range);
        }

        // Attribute references first: their indices come after the tags'.
        let removed_attr: Vec<RefSite> = self.refs.splice(old_attr.clone(), added_attr_refs.iter().copied()).collect();
        let after_attr = old_attr.start + added_attr_refs.len();
        let removed_tag: Vec<RefSite> = self.refs.splice(old_tag.clone(), added_tag_refs.iter().copied()).collect();
        let tag_shift = added_tag_refs.len() as i64 - removed_tag.len() as i64;
        let after_tag = old_tag.start + added_tag_refs.len();
        let after_attr = (after_attr as i64 + tag_shift) as usize;
        let tags_end = (tags_end as i64 + tag_shift) as usize;
        for (i, r) in self.refs.iter_mut().enumerate() {
            if (after_tag..tags_end).contains(&i) || i >= after_attr {
                r.range = moved(r.range);
                r.line = (i64::from(r.line) + line_shift).clamp(0, i64::from(u32::MAX)) as u32;
            }
        }
        self.is_registry = doc.is_registry();
        let mut removed_refs = removed_tag;
        removed_refs.extend(removed_attr);
        let mut added_refs = added_tag_refs;
        added_refs.extend(added_attr_refs);
        SummaryDiff { first_def, removed_defs, added_defs, removed_refs, added_refs }
    }
}

/// The indices of the references that start inside `range`: the list is in
/// document order of what holds them, so those form one run.
fn region_of(refs: &[RefSite], range: TextRange) -> std::ops::Range<usize> {
    let first = refs.partition_point(|r| r.range.start < range.start);
    let last = refs.partition_point(|r| r.range.start < range.end).max(first);
    first..last
}

fn push_tag_refs(tags: &[crate::syntax::Tag], interner: &Interner, out: &mut Vec<RefSite>) {
    for tag in tags {
        for r in &tag.refs {
            out.push(RefSite::new(r.sigil, interner.get_or_intern(&*r.id), r.range, RefOrigin::Tag));
        }
    }
}

fn published(fm: &crate::syntax::FrontMatter) -> Option<Box<str>> {
    fm.attributes.iter().find(|a| &*a.key == "published").map(|a| a.value.clone())
}

/// From this many definitions on, a file's definition ids are interned
/// together ([`Interner::intern_many`]).
const BULK_DEFINITIONS: usize = 64;

/// The summary of a definition, whose id is `id`; its attribute
/// references go to `refs`.
fn def_info(def: &crate::syntax::Definition, id: Symbol, interner: &Interner, refs: &mut Vec<RefSite>) -> DefInfo {
    let ctx = KeyContext::of_definition(def.sigil);
    for attr in &def.attributes {
        push_attribute_refs(ctx, attr, interner, refs);
    }
    DefInfo::new(
        def.sigil,
        id,
        def.id_range,
        def.range,
        &def.kind,
        def.name.as_deref(),
        def.attributes.iter().map(|a| (&*a.key, &*a.value)),
    )
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
            out.push(RefSite::new(sigil, interner.get_or_intern(id), item.range, RefOrigin::Attribute));
        }
    }
}

/// Every `@id` or `^id` written in the values of `attributes`, whatever
/// the key (an item under a key that takes no references is no
/// reference of the file, yet a check may read what it names).
pub fn attribute_references<'a>(
    attributes: impl Iterator<Item = &'a crate::syntax::Attribute>,
) -> impl Iterator<Item = (Sigil, &'a str)> {
    attributes.flat_map(|a| &a.items).filter_map(|item| parse_reference(&item.text))
}

/// `@id` or `^id` with a valid id, as written in an attribute value.
pub fn parse_reference(text: &str) -> Option<(Sigil, &str)> {
    let mut chars = text.chars();
    let sigil = Sigil::from_char(chars.next()?)?;
    let id = chars.as_str();
    crate::syntax::is_valid_id(id).then_some((sigil, id))
}

/// A [`FileSummary`] in a form that outlives the interner it was built
/// with: ids as strings (each once), so a persistent cache can store it
/// and a later run can intern it again without parsing the file.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredSummary {
    ids: Vec<String>,
    defs: Vec<StoredDef>,
    is_registry: bool,
    published: Option<String>,
    // Last: a view of the definitions stops before them (3 million in a
    // large archive).
    refs: Vec<StoredRef>,
}

/// `(entity?, id index, start, end, in a tag?, line, UTF-8 column, UTF-16
/// column)`
type StoredRef = (bool, u32, u32, u32, bool, u32, u32, u32);

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct StoredDef {
    entity: bool,
    id: u32,
    id_range: (u32, u32),
    range: (u32, u32),
    text: String,
    has_name: bool,
}

/// A [`StoredSummary`] read in place from a cache's bytes, ids and texts
/// borrowed, up to its references (not read): a run that needs a few
/// definitions out of a million looks at them all this way and turns
/// only those into [`DefInfo`]s.
#[derive(serde::Deserialize)]
pub struct StoredSummaryView<'a> {
    #[serde(borrow)]
    ids: Vec<&'a str>,
    #[serde(borrow)]
    defs: Vec<StoredDefView<'a>>,
    is_registry: bool,
    #[serde(borrow)]
    published: Option<&'a str>,
}

/// A whole [`StoredSummary`] read in place: what loading a workspace
/// from a cache decodes for every file, with no string allocated but the
/// one each definition keeps. (Postcard writes a struct as its fields end
/// to end, so the view then the references are the stored summary.)
#[derive(serde::Deserialize)]
pub struct StoredSummaryFull<'a> {
    #[serde(borrow)]
    head: StoredSummaryView<'a>,
    refs: Vec<StoredRef>,
}

impl<'a> StoredSummaryFull<'a> {
    /// The summary stored in `bytes`; `None` when it does not decode.
    pub fn read(bytes: &'a [u8]) -> Option<StoredSummaryFull<'a>> {
        postcard::from_bytes(bytes).ok()
    }

    /// Only the ids the summary stored in `bytes` names (its first field),
    /// each once, read in place; `None` when they do not decode.
    pub fn ids(bytes: &'a [u8]) -> Option<Vec<&'a str>> {
        postcard::take_from_bytes(bytes).ok().map(|(ids, _)| ids)
    }
}

/// A stored definition read in place. Its text is kept as bytes (postcard
/// writes a `str` and bytes alike) and checked to be UTF-8 only when the
/// definition is used: a run that looks for a few ids among a million
/// definitions validates none of the others.
#[derive(serde::Deserialize)]
struct StoredDefView<'a> {
    entity: bool,
    id: u32,
    id_range: (u32, u32),
    range: (u32, u32),
    #[serde(borrow)]
    text: &'a [u8],
    has_name: bool,
}

impl<'a> StoredDefView<'a> {
    /// Its parts, when its text is UTF-8 and holds a kind and a name at
    /// least.
    fn checked(&self) -> Option<DefParts<'_>> {
        let text = std::str::from_utf8(self.text).ok()?;
        text.contains(PART_END).then_some(DefParts { text, has_name: self.has_name })
    }

    /// The definition back, its id interned as `id`; `None` when it is
    /// inconsistent (which a checksum makes unlikely but never a panic).
    fn info(&self, id: Symbol) -> Option<DefInfo> {
        stored_info(sigil_of(self.entity), id, self.id_range, self.range, self.text, self.has_name)
    }
}

/// A definition from its stored parts; `None` when they are inconsistent.
fn stored_info(
    sigil: Sigil,
    id: Symbol,
    id_range: (u32, u32),
    range: (u32, u32),
    text: &[u8],
    has_name: bool,
) -> Option<DefInfo> {
    let text = std::str::from_utf8(text).ok()?;
    if !text.contains(PART_END) {
        return None;
    }
    let range_of = |(s, e): (u32, u32)| (s <= e).then(|| TextRange::new(s, e));
    Some(DefInfo { sigil, id, id_range: range_of(id_range)?, range: range_of(range)?, text: text.into(), has_name })
}

/// A definition as a cache's directory of definitions stores it, under
/// its id: with the cache entry of its file and its place among that
/// file's definitions, read in place.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PlacedDef<'a> {
    pub entry: u32,
    pub place: u32,
    id_range: (u32, u32),
    range: (u32, u32),
    #[serde(borrow)]
    text: std::borrow::Cow<'a, [u8]>,
    has_name: bool,
}

impl<'a> PlacedDef<'a> {
    pub fn of(def: &'a DefInfo, entry: u32, place: u32) -> PlacedDef<'a> {
        PlacedDef {
            entry,
            place,
            id_range: (def.id_range.start, def.id_range.end),
            range: (def.range.start, def.range.end),
            text: std::borrow::Cow::Borrowed(def.text.as_bytes()),
            has_name: def.has_name,
        }
    }

    /// The same definition, its text copied out of the bytes it was read
    /// from.
    pub fn into_owned(self) -> PlacedDef<'static> {
        PlacedDef { text: std::borrow::Cow::Owned(self.text.into_owned()), ..self }
    }

    /// The definition back, its sigil `sigil` and its id interned as `id`;
    /// `None` when it is inconsistent.
    pub fn info(&self, sigil: Sigil, id: Symbol) -> Option<DefInfo> {
        stored_info(sigil, id, self.id_range, self.range, &self.text, self.has_name)
    }
}

impl<'a> StoredSummaryView<'a> {
    /// The summary stored in `bytes`, read in place (`None` when the file
    /// defines nothing, which is found without decoding its references),
    /// and whether it holds an id (referenced or defined, under either
    /// sigil) that `wanted` accepts; `None` when it does not decode.
    pub fn read(bytes: &'a [u8], wanted: impl Fn(&str) -> bool) -> Option<(Option<StoredSummaryView<'a>>, bool)> {
        // The view is the head and two small fields: decoded once.
        let (view, _refs) = postcard::take_from_bytes::<StoredSummaryView>(bytes).ok()?;
        let mentions = view.ids.iter().any(|id| wanted(id));
        Some(((!view.defs.is_empty()).then_some(view), mentions))
    }

    pub fn is_registry(&self) -> bool {
        self.is_registry
    }

    /// How many definitions it holds.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// Each definition as (sigil, id, its parts); `None` for one that is
    /// inconsistent.
    pub fn definitions(&self) -> impl Iterator<Item = Option<(Sigil, &'a str, DefParts<'_>)>> + '_ {
        self.defs.iter().map(|d| Some((sigil_of(d.entity), *self.ids.get(d.id as usize)?, d.checked()?)))
    }

    /// Each definition's sigil and id, its parts not looked at (see
    /// [`definitions`](Self::definitions)); `None` for an id out of range.
    pub fn defined_ids(&self) -> impl Iterator<Item = Option<(Sigil, &'a str)>> + '_ {
        self.defs.iter().map(|d| Some((sigil_of(d.entity), *self.ids.get(d.id as usize)?)))
    }

    /// A summary holding only the definitions whose sigil and id `keep`
    /// accepts, and no references: what a run that checks a few files
    /// against part of the workspace needs of this one. `None` when a
    /// definition kept is inconsistent (the others are not looked at).
    pub fn select(&self, interner: &Interner, keep: impl Fn(Sigil, &str) -> bool) -> Option<FileSummary> {
        let mut defs = Vec::new();
        for d in &self.defs {
            let id = *self.ids.get(d.id as usize)?;
            if keep(sigil_of(d.entity), id) {
                defs.push(d.info(interner.get_or_intern(id))?);
            }
        }
        Some(FileSummary {
            defs,
            refs: Vec::new(),
            is_registry: self.is_registry,
            published: self.published.map(Into::into),
        })
    }
}

fn sigil_of(entity: bool) -> Sigil {
    if entity { Sigil::Entity } else { Sigil::Source }
}

impl FileSummary {
    pub fn to_stored(&self, interner: &Interner) -> StoredSummary {
        let mut table: rustc_hash::FxHashMap<Symbol, u32> = rustc_hash::FxHashMap::default();
        let mut ids = Vec::new();
        let mut index_of = |sym: Symbol| {
            *table.entry(sym).or_insert_with(|| {
                ids.push(interner.resolve(&sym).to_owned());
                ids.len() as u32 - 1
            })
        };
        let defs = self
            .defs
            .iter()
            .map(|d| StoredDef {
                entity: d.sigil == Sigil::Entity,
                id: index_of(d.id),
                id_range: (d.id_range.start, d.id_range.end),
                range: (d.range.start, d.range.end),
                text: d.text.to_string(),
                has_name: d.has_name,
            })
            .collect();
        let refs = self
            .refs
            .iter()
            .map(|r| {
                let tag = r.origin == RefOrigin::Tag;
                (
                    r.sigil == Sigil::Entity,
                    index_of(r.id),
                    r.range.start,
                    r.range.end,
                    tag,
                    r.line,
                    r.col8,
                    // A column not kept is stored as one no line has.
                    r.at().map_or(u32::MAX, |at| at.col16),
                )
            })
            .collect();
        StoredSummary {
            ids,
            defs,
            is_registry: self.is_registry,
            published: self.published.as_deref().map(str::to_owned),
            refs,
        }
    }

    /// The summary back from its stored form read in place, its ids
    /// interned in `interner`; `None` when the stored form is inconsistent
    /// (an id index or an offset out of range), which a checksum makes
    /// unlikely but never turns into a panic.
    pub fn from_full_view(stored: &StoredSummaryFull<'_>, interner: &Interner) -> Option<FileSummary> {
        let syms: Vec<Option<Symbol>> = stored.head.ids.iter().map(|id| Some(interner.get_or_intern(id))).collect();
        FileSummary::from_full_view_with(stored, &syms)
    }

    /// [`from_full_view`](Self::from_full_view) with its ids interned
    /// already: `syms` in the order of [`StoredSummaryFull::ids`].
    pub fn from_full_view_with(stored: &StoredSummaryFull<'_>, syms: &[Option<Symbol>]) -> Option<FileSummary> {
        let StoredSummaryFull { head, refs: stored_refs } = stored;
        if syms.len() != head.ids.len() {
            return None;
        }
        let sym = |i: u32| syms.get(i as usize).copied().flatten();
        let range = |(s, e): (u32, u32)| (s <= e).then(|| TextRange::new(s, e));
        let mut defs = Vec::with_capacity(head.defs.len());
        for d in &head.defs {
            defs.push(d.info(sym(d.id)?)?);
        }
        let mut refs = Vec::with_capacity(stored_refs.len());
        for &(entity, id, start, end, tag, line, col8, col16) in stored_refs {
            let origin = if tag { RefOrigin::Tag } else { RefOrigin::Attribute };
            let mut site = RefSite::new(sigil_of(entity), sym(id)?, range((start, end))?, origin);
            site.place(LinePos { line, col8, col16 });
            refs.push(site);
        }
        Some(FileSummary { defs, refs, is_registry: head.is_registry, published: head.published.map(Into::into) })
    }
}

#[cfg(test)]
mod stored_tests {
    use super::*;

    /// A definition's parts come back as given, empty ones included, in
    /// memory and through the cache's form; a text the cache could not
    /// have written (no name part) is refused.
    #[test]
    fn a_definitions_parts_come_back_as_given() {
        let interner = Interner::new();
        let id = interner.get_or_intern("a");
        let r = TextRange::new(0, 1);
        let attrs = [("aka", "A; ; B"), ("", ""), ("note", "x"), ("aka", "C")];
        for (kind, name) in [("person", Some("Ann")), ("", Some("")), ("org", None), ("", None)] {
            let def = DefInfo::new(Sigil::Entity, id, r, r, kind, name, attrs.iter().copied());
            let check = |parts: DefParts<'_>| {
                assert_eq!(parts.kind(), kind);
                assert_eq!(parts.name(), name);
                assert_eq!(parts.attrs().collect::<Vec<_>>(), attrs);
                assert_eq!(parts.attr("note"), Some("x"));
                assert_eq!(parts.list("aka").collect::<Vec<_>>(), ["A", "B", "C"]);
                let shown = name.filter(|n| !n.is_empty());
                assert_eq!(
                    parts.names().collect::<Vec<_>>(),
                    shown.into_iter().chain(["A", "B", "C"]).collect::<Vec<_>>()
                );
            };
            check(def.parts());
            let summary = FileSummary { defs: vec![def.clone()], ..FileSummary::default() };
            let bytes = postcard::to_stdvec(&summary.to_stored(&interner)).unwrap();
            let view = StoredSummaryView::read(&bytes, |_| false).unwrap().0.unwrap();
            let (_, _, parts) = view.definitions().next().unwrap().unwrap();
            check(parts);
            let back = FileSummary::from_full_view(&StoredSummaryFull::read(&bytes).unwrap(), &interner).unwrap();
            assert_eq!(back.defs, [def]);
        }
        // Without attributes, and with a part holding a line break (which
        // the parser never gives) kept from cutting the others.
        let bare = DefInfo::new(Sigil::Entity, id, r, r, "person", Some("Ann"), [].into_iter());
        assert_eq!((bare.kind(), bare.name(), bare.attrs().count()), ("person", Some("Ann"), 0));
        let broken = DefInfo::new(Sigil::Entity, id, r, r, "person", Some("A\nB"), [("aka", "C\nD")].into_iter());
        assert_eq!(broken.name(), Some("A B"));
        assert_eq!(broken.attrs().collect::<Vec<_>>(), [("aka", "C D")]);
        // A stored text with a kind alone is refused.
        let mut stored = FileSummary { defs: vec![bare], ..FileSummary::default() }.to_stored(&interner);
        stored.defs[0].text = "person".into();
        let bytes = postcard::to_stdvec(&stored).unwrap();
        assert!(FileSummary::from_full_view(&StoredSummaryFull::read(&bytes).unwrap(), &interner).is_none());
        let view = StoredSummaryView::read(&bytes, |_| false).unwrap().0.unwrap();
        assert!(view.definitions().next().unwrap().is_none());
    }

    #[test]
    fn a_stored_summary_comes_back_equal_in_another_interner() {
        let text = "---\npublished: 2015-11\nbyline: @a\n---\n\nSee [A]{@a} and [“q”]{^s}.\n\n@a: person \"A\"\n  aka: Mr. A; A.\n\n^s: statement\n  by: @a\n";
        let first = Interner::new();
        let summary = FileSummary::new(&crate::syntax::parse(text), text, &first);
        let stored = summary.to_stored(&first);
        let bytes = postcard::to_stdvec(&stored).unwrap();
        let second = Interner::new();
        second.get_or_intern("unrelated");
        let from = |bytes: &[u8]| FileSummary::from_full_view(&StoredSummaryFull::read(bytes)?, &second);
        let back = from(&bytes).unwrap();
        assert_eq!(back.to_stored(&second), stored);
        assert_eq!(back.defs.len(), 2);
        assert_eq!(back.refs.len(), summary.refs.len());
        assert_eq!(second.resolve(&back.defs[0].id), "a");
        // Its ids alone, in the order symbols given for them follow; too
        // few symbols, or one missing, and it does not decode.
        let ids = StoredSummaryFull::ids(&bytes).unwrap();
        assert_eq!(ids, stored.ids.iter().map(String::as_str).collect::<Vec<_>>());
        let symbols: Vec<Option<Symbol>> = ids.iter().map(|id| second.get(id)).collect();
        let full = StoredSummaryFull::read(&bytes).unwrap();
        assert_eq!(FileSummary::from_full_view_with(&full, &symbols).unwrap(), back);
        assert!(FileSummary::from_full_view_with(&full, &symbols[1..]).is_none());
        let mut one_missing = symbols.clone();
        one_missing[0] = None;
        assert!(FileSummary::from_full_view_with(&full, &one_missing).is_none());
        // Cut short, none.
        assert!(from(&bytes[..bytes.len() - 1]).is_none());
        // An id index out of range is refused, not a panic.
        let mut broken = stored.clone();
        broken.ids.clear();
        assert!(from(&postcard::to_stdvec(&broken).unwrap()).is_none());
    }

    /// A reference's place, UTF-16 column included, kept as 2 bytes of
    /// difference; past what they hold (a line with more than 65,534
    /// bytes of multi-byte characters before it) it is not given at all,
    /// so that the server reads the text instead, and it stays so through
    /// the cache's form.
    #[test]
    fn a_references_place_is_kept_or_said_unknown() {
        let wide = "\u{20ac}".repeat(32_767); // 3 bytes, 1 UTF-16 unit each
        let text = format!("{wide}[x]{{@a}} {wide}\u{20ac}[y]{{@b}}\n\u{e9}\u{e9} [z]{{@c}}\n");
        let interner = Interner::new();
        let summary = FileSummary::new(&crate::syntax::parse(&text), &text, &interner);
        let at = |summary: &FileSummary, id: &str| {
            summary.refs.iter().find(|r| interner.resolve(&r.id) == id).map(RefSite::at).unwrap()
        };
        // A reference's place is its sigil's: after "[x]{".
        let a = LinePos { line: 0, col8: 32_767 * 3 + 4, col16: 32_767 + 4 };
        assert_eq!(at(&summary, "a"), Some(a));
        assert_eq!(at(&summary, "b"), None);
        assert_eq!(summary.refs.iter().find(|r| interner.resolve(&r.id) == "b").map(RefSite::line), Some(0));
        assert_eq!(at(&summary, "c"), Some(LinePos { line: 1, col8: 9, col16: 7 }));
        let bytes = postcard::to_stdvec(&summary.to_stored(&interner)).unwrap();
        let back = FileSummary::from_full_view(&StoredSummaryFull::read(&bytes).unwrap(), &interner).unwrap();
        assert_eq!(back.refs, summary.refs);
        // Not placed: every place unknown, never a wrong one.
        let unplaced = FileSummary::without_positions(&crate::syntax::parse(&text), &interner);
        assert_eq!(unplaced.refs.len(), 3);
        assert!(unplaced.refs.iter().all(|r| r.at().is_none()));
    }
}
