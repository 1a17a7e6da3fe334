//! The closed set of diagnostic codes (spec §9), each with a stable name,
//! a default severity and help text; and the one "did you mean" matcher.
//! Below both `config` (which sets severities by code and suggests names)
//! and `analysis` (which emits the codes).

pub mod suggest;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

/// Every diagnostic code of §9.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Syntax,
    Unreadable,
    Config,
    UndefinedReference,
    DuplicateDefinition,
    UnknownKind,
    InvalidValue,
    UnknownKey,
    DuplicateKey,
    MissingName,
    MissingAttribution,
    UnusedDefinition,
    UnattributedQuote,
    SourceAfterPublication,
    MissingFrontMatter,
    UnknownAlias,
    UntaggedMention,
    UnusedSuppression,
}

impl Code {
    pub const ALL: [Code; 18] = [
        Code::Syntax,
        Code::Unreadable,
        Code::Config,
        Code::UndefinedReference,
        Code::DuplicateDefinition,
        Code::UnknownKind,
        Code::InvalidValue,
        Code::UnknownKey,
        Code::DuplicateKey,
        Code::MissingName,
        Code::MissingAttribution,
        Code::UnusedDefinition,
        Code::UnattributedQuote,
        Code::SourceAfterPublication,
        Code::MissingFrontMatter,
        Code::UnknownAlias,
        Code::UntaggedMention,
        Code::UnusedSuppression,
    ];

    /// The stable name used in output and in `newsmark.toml` `[rules]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "syntax",
            Code::Unreadable => "unreadable",
            Code::Config => "config",
            Code::UndefinedReference => "undefined-reference",
            Code::DuplicateDefinition => "duplicate-definition",
            Code::UnknownKind => "unknown-kind",
            Code::InvalidValue => "invalid-value",
            Code::UnknownKey => "unknown-key",
            Code::DuplicateKey => "duplicate-key",
            Code::MissingName => "missing-name",
            Code::MissingAttribution => "missing-attribution",
            Code::UnusedDefinition => "unused-definition",
            Code::UnattributedQuote => "unattributed-quote",
            Code::SourceAfterPublication => "source-after-publication",
            Code::MissingFrontMatter => "missing-front-matter",
            Code::UnknownAlias => "unknown-alias",
            Code::UntaggedMention => "untagged-mention",
            Code::UnusedSuppression => "unused-suppression",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether a suppression comment (§13) can silence this code: broken
    /// markup, unreadable files and config errors must always be seen.
    pub fn is_suppressible(self) -> bool {
        !matches!(self, Code::Syntax | Code::Unreadable | Code::Config | Code::UnusedSuppression)
    }

    pub fn default_severity(self) -> Severity {
        match self {
            Code::Syntax
            | Code::Unreadable
            | Code::Config
            | Code::UndefinedReference
            | Code::DuplicateDefinition
            | Code::UnknownKind
            | Code::InvalidValue => Severity::Error,
            Code::UnknownKey
            | Code::DuplicateKey
            | Code::MissingName
            | Code::MissingAttribution
            | Code::UnusedDefinition
            | Code::UnattributedQuote
            | Code::SourceAfterPublication
            | Code::MissingFrontMatter
            | Code::UnusedSuppression => Severity::Warning,
            Code::UnknownAlias => Severity::Info,
            Code::UntaggedMention => Severity::Hint,
        }
    }

    /// One or two sentences: what the rule checks, why, and how to fix it
    /// (SARIF rule help, hover on a diagnostic).
    pub fn help(self) -> &'static str {
        match self {
            Code::Syntax => {
                "Malformed Newsmark: a tag, definition header, attribute line, front matter or comment that does not follow the markup. Fix the markup, or escape the character (`\\[`, `\\{`, `\\@`, `\\^`, `\\<`) if it is meant as text."
            }
            Code::Unreadable => {
                "The file could not be read or is not valid UTF-8. Check its permissions and re-save it as UTF-8."
            }
            Code::Config => {
                "`newsmark.toml` is invalid. The message says which key is wrong; until it is fixed, the workspace is not checked with it."
            }
            Code::UndefinedReference => {
                "A reference names an id that no definition in the workspace has. Define it (in this file or in a registry file) or correct the id."
            }
            Code::DuplicateDefinition => {
                "The same id is defined twice in one workspace; references resolve to the first by path, then position. Remove or rename one of the definitions."
            }
            Code::UnknownKind => {
                "The kind of a definition is not one of the built-in kinds nor one added under `[kinds]` in `newsmark.toml`. Use a known kind or add it to the config."
            }
            Code::InvalidValue => {
                "A value does not have the form its key requires: a real calendar date, an http(s) URL, a Wikidata id such as `Q76`, an RFC 5646 language tag, or a reference with the right sigil."
            }
            Code::UnknownKey => {
                "A key that Newsmark does not know. Use a documented key, or prefix it with `x-` to keep private data unchecked."
            }
            Code::DuplicateKey => "A single-value key is given twice; the first value wins. Remove the repetition.",
            Code::MissingName => {
                "An entity has no display name, so hovers and exports cannot show who it is. Add a quoted name to the header: `@id: person \"Full Name\"`."
            }
            Code::MissingAttribution => {
                "A statement, remarks, interview, document or post source does not say who made it. Add `by: @entity`."
            }
            Code::UnusedDefinition => {
                "A definition in an article that nothing in the workspace references. Reference it, move it to a registry file, or delete it."
            }
            Code::UnattributedQuote => {
                "A long quotation that no source tag contains: readers and fact-checkers cannot tell who said it. Wrap it in a tag with a `^source` reference."
            }
            Code::SourceAfterPublication => {
                "A source dated after the article's `published` date cannot have informed it. Check both dates."
            }
            Code::MissingFrontMatter => {
                "The article lacks a front-matter key that `required-front-matter` in `newsmark.toml` requires."
            }
            Code::UnknownAlias => {
                "The tag's text matches neither the display name nor any `aka` of the entity it references. Add the text to `aka`, or check that the tag points at the right entity."
            }
            Code::UntaggedMention => {
                "A known name of a workspace entity occurs in prose outside every entity tag. Tag it, or leave it if the mention is deliberate."
            }
            Code::UnusedSuppression => {
                "A `newsmark-disable…` comment that silenced nothing in this run, or names a code that does not exist. Remove the comment or the codes it no longer needs (`newsmark check --fix` does)."
            }
        }
    }
}
