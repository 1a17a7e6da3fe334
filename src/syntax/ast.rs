//! The syntax tree of one Newsmark document (spec §1–§5, §8), as plain data
//! with byte ranges into the original text (BOM and comments included).
//!
//! The tree is flat on purpose: tags live in one `Vec` with parent indices,
//! so that no consumer has to recurse on nesting depth.

use crate::text::TextRange;

/// `@` (entity) or `^` (source). The two are separate namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sigil {
    Entity,
    Source,
}

impl Sigil {
    pub fn char(self) -> char {
        match self {
            Sigil::Entity => '@',
            Sigil::Source => '^',
        }
    }

    pub fn from_char(c: char) -> Option<Sigil> {
        match c {
            '@' => Some(Sigil::Entity),
            '^' => Some(Sigil::Source),
            _ => None,
        }
    }

    pub fn other(self) -> Sigil {
        match self {
            Sigil::Entity => Sigil::Source,
            Sigil::Source => Sigil::Entity,
        }
    }

    /// "entity" or "source", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Sigil::Entity => "entity",
            Sigil::Source => "source",
        }
    }
}

/// A reference `@id` / `^id`, in a tag or in an attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub sigil: Sigil,
    /// The id without its sigil.
    pub id: Box<str>,
    /// Sigil and id.
    pub range: TextRange,
}

/// One parsed document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The text starts with a UTF-8 BOM (3 bytes, skipped by everything).
    pub bom: bool,
    pub front_matter: Option<FrontMatter>,
    /// Paragraphs of prose in document order (§8).
    pub paragraphs: Vec<Paragraph>,
    /// Well-formed tags of all paragraphs, sorted by start offset.
    pub tags: Vec<Tag>,
    /// Definition blocks whose header parsed, in document order.
    pub definitions: Vec<Definition>,
    /// Every comment `<!-- … -->`, including the delimiters (an
    /// unterminated one runs to the end of the text).
    pub comments: Vec<TextRange>,
    /// Lines holding only comments and white space (§5), each with its line
    /// end; a multi-line comment makes one such "line" span several. They
    /// neither end a paragraph nor a definition block, and the plain text
    /// drops them whole.
    pub transparent_lines: Vec<TextRange>,
    /// Offsets of the backslashes of prose escapes (`\[` …), which the plain
    /// text drops.
    pub escapes: Vec<u32>,
}

impl Document {
    /// Every attribute line: the front matter's, then each definition
    /// block's, in text order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        let front = self.front_matter.iter().flat_map(|f| &f.attributes);
        front.chain(self.definitions.iter().flat_map(|d| &d.attributes))
    }

    /// A registry file has no prose (§7).
    pub fn is_registry(&self) -> bool {
        self.paragraphs.is_empty()
    }
}

/// The front matter block between the two `---` lines (§2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatter {
    /// From the opening `---` to the end of the closing `---` (or of the
    /// text when it never closes).
    pub range: TextRange,
    /// The opening `---`.
    pub open: TextRange,
    pub closed: bool,
    pub attributes: Vec<Attribute>,
}

/// A `key: value` line of front matter or of a definition block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub key: Box<str>,
    pub key_range: TextRange,
    /// The value trimmed, comments removed.
    pub value: Box<str>,
    /// The trimmed value; empty (at the end of the line) when there is none.
    pub value_range: TextRange,
    /// The value split on `;` with each item trimmed and empty items
    /// dropped: what a list key (`aka`, `by`, `byline`) reads.
    pub items: Vec<ValueItem>,
    /// The whole line.
    pub range: TextRange,
}

/// One item of a `;`-separated value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueItem {
    pub text: Box<str>,
    pub range: TextRange,
}

/// A definition block (§4) whose header parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub sigil: Sigil,
    pub id: Box<str>,
    /// Sigil and id in the header.
    pub id_range: TextRange,
    pub kind: Box<str>,
    pub kind_range: TextRange,
    /// The display name with its escapes resolved (`None` when absent).
    pub name: Option<Box<str>>,
    /// The quoted display name, quotes included.
    pub name_range: Option<TextRange>,
    /// The header line.
    pub header_range: TextRange,
    /// Header and attribute lines.
    pub range: TextRange,
    pub attributes: Vec<Attribute>,
}

impl Definition {
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| &*a.key == key)
    }

    /// Every item of every line of a (list) key, in order.
    pub fn items<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a ValueItem> + 'a {
        self.attributes.iter().filter(move |a| &*a.key == key).flat_map(|a| a.items.iter())
    }
}

/// A maximal run of prose lines (§8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    /// From the first prose line's start to the last one's end (line end
    /// excluded); may contain transparent comment lines.
    pub range: TextRange,
    /// `Some(n)` when the paragraph is a Markdown-style heading: its first
    /// line starts with 1–6 `#` and a space. Used for document symbols; the
    /// plain text keeps the `#`s.
    pub heading_level: Option<u8>,
}

/// A well-formed tag `[TEXT]{REFS}` (§3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// From `[` to `}` inclusive.
    pub range: TextRange,
    /// Between the brackets.
    pub text_range: TextRange,
    /// From `{` to `}` inclusive.
    pub refs_range: TextRange,
    pub refs: Vec<Reference>,
    /// Index in [`Document::tags`] of the innermost tag containing this one.
    pub parent: Option<u32>,
}

impl Tag {
    pub fn has_sigil(&self, sigil: Sigil) -> bool {
        self.refs.iter().any(|r| r.sigil == sigil)
    }
}

/// A `syntax` error: what is malformed and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// The result of parsing: always a document, plus the errors found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parse {
    pub doc: Document,
    pub errors: Vec<SyntaxError>,
}
