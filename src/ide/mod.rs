//! IDE features as plain functions over a workspace snapshot: hover,
//! definition, references, rename, completion, symbols, code actions,
//! semantic tokens, folding, highlights. Inputs and outputs are file ids and
//! byte offsets; the server converts them to and from LSP.

use crate::analysis::{FileId, Workspace};
use crate::syntax::Parse;
use crate::text::TextRange;

/// What every per-file query reads: the workspace and the current parse of
/// the file the user is in (the server keeps it for open documents).
#[derive(Clone, Copy)]
pub struct FileContext<'a> {
    pub ws: &'a Workspace,
    pub file: FileId,
    pub parse: &'a Parse,
    /// The file's text (the text `parse` was made from).
    pub text: &'a str,
}

/// A range in some file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileRange {
    pub file: FileId,
    pub range: TextRange,
}

/// A replacement of `range` by `new_text` in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// Edits across files; within a file, edits never overlap and are sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceChange {
    pub edits: Vec<(FileId, Vec<TextEdit>)>,
}
