//! Diagnostics (spec §9): the diagnostic value itself, in file ids and
//! byte ranges; its code and severity come from `codes`.

pub use crate::codes::{Code, Severity};
use crate::text::TextRange;

/// Identifies a file of a workspace (index into its file table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A set of codes: those a run reports (`--select` / `--ignore`, §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodeSet(u32);

impl CodeSet {
    pub const ALL: CodeSet = CodeSet((1 << Code::ALL.len()) - 1);
    pub const EMPTY: CodeSet = CodeSet(0);

    fn bit(code: Code) -> u32 {
        1 << code as u32
    }

    pub fn contains(self, code: Code) -> bool {
        self.0 & CodeSet::bit(code) != 0
    }

    pub fn with(self, code: Code) -> CodeSet {
        CodeSet(self.0 | CodeSet::bit(code))
    }

    pub fn without(self, code: Code) -> CodeSet {
        CodeSet(self.0 & !CodeSet::bit(code))
    }
}

impl FromIterator<Code> for CodeSet {
    fn from_iter<I: IntoIterator<Item = Code>>(iter: I) -> CodeSet {
        iter.into_iter().fold(CodeSet::EMPTY, CodeSet::with)
    }
}

/// Whether a fix can be applied without a person looking at it (§14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// Cannot change what the article says or whom it names.
    Safe,
    /// A person should look at it.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// The replacement of `range` in `file` by `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixEdit {
    pub file: FileId,
    pub range: TextRange,
    pub new_text: String,
}

/// The edits that remove one diagnostic (§14), possibly in several files;
/// within a file they never overlap and are sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, as an editor shows it ("Change kind to `org`").
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<FixEdit>,
}

/// A place elsewhere that a diagnostic refers to (the other definition of a
/// duplicate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub range: TextRange,
    pub message: String,
}

/// One diagnostic, in file ids and byte ranges; the CLI and the server
/// convert it to lines and columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: FileId,
    pub range: TextRange,
    pub code: Code,
    /// After config overrides (a code turned `off` is never produced).
    pub severity: Severity,
    pub message: String,
    pub related: Vec<Related>,
    /// What the user probably meant ("did you mean"): text to put in place
    /// of exactly `range` (a whole reference with its sigil, a kind).
    pub suggestion: Option<String>,
    /// The fix of §14, when the diagnostic has one.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// The same diagnostic with every file id it holds (its own, its
    /// related places', its fix edits') given by `to`: for a diagnostic
    /// made in a workspace of part of the files, whose ids are not those
    /// of the whole.
    pub fn map_files(&mut self, to: impl Fn(FileId) -> FileId) {
        self.file = to(self.file);
        for related in &mut self.related {
            related.file = to(related.file);
        }
        for edit in self.fix.iter_mut().flat_map(|f| &mut f.edits) {
            edit.file = to(edit.file);
        }
    }
}
