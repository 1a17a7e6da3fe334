//! Diagnostics (spec §9): the diagnostic value itself, in file ids and
//! byte ranges; its code and severity come from `codes`.

pub use crate::codes::{Code, Severity};
use crate::text::TextRange;

/// Identifies a file of a workspace (index into its file table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

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
}
