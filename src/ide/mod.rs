//! IDE features as plain functions over a workspace snapshot: hover,
//! definition, references, rename, completion, symbols, code actions,
//! semantic tokens, folding, highlights. Inputs and outputs are file ids and
//! byte offsets; the server converts them to and from LSP.

mod code_actions;
mod completion;
mod cursor;
#[cfg(test)]
mod fixture;
mod folding;
mod hover;
mod navigation;
mod rename;
mod semantic_tokens;
mod symbols;

pub use code_actions::{CodeAction, CodeActionKind, UNSAFE_SUFFIX, code_actions, fix_all};
pub use completion::{CompletionItem, CompletionKind, CompletionList, completion};
pub use cursor::{CursorTarget, classify};
pub use folding::{Fold, FoldKind, folding_ranges};
pub use hover::{Hover, hover};
pub use navigation::{Highlight, HighlightKind, Occurrence, document_highlight, goto_definition, references};
pub use rename::{prepare_rename, rename};
pub use semantic_tokens::{SemanticToken, TokenKind, TokenModifier, semantic_tokens};
pub use symbols::{DocumentSymbol, SymbolKind, WorkspaceSymbol, document_symbols, workspace_symbols};

use crate::analysis::{FileId, FileTexts, Workspace};
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
    /// The texts of the other files (a rename's edits, a hover's line
    /// numbers): the workspace's own when it kept them, else the caller's.
    pub texts: &'a dyn FileTexts,
    /// False while the server is still indexing the workspace: an id not
    /// found yet may be defined in a file not read yet.
    pub index_complete: bool,
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

impl SourceChange {
    /// A change of one edit in one file.
    pub fn single(file: FileId, edit: TextEdit) -> SourceChange {
        SourceChange { edits: vec![(file, vec![edit])] }
    }

    /// Adds an edit, keeping the per-file lists sorted by position (an
    /// edit identical to one already there is dropped).
    pub fn push(&mut self, file: FileId, edit: TextEdit) {
        // Edits come grouped by file (occurrences are sorted): the last
        // entry is checked first, so a rename over 10,000 files stays linear.
        let found = match self.edits.last() {
            Some((last, _)) if *last == file => Some(self.edits.len() - 1),
            _ => self.edits.iter().position(|(f, _)| *f == file),
        };
        let list = match found {
            Some(i) => &mut self.edits[i].1,
            None => {
                self.edits.push((file, Vec::new()));
                let last = self.edits.len() - 1;
                &mut self.edits[last].1
            }
        };
        if list.contains(&edit) {
            return;
        }
        let at = list.partition_point(|e| (e.range.start, e.range.end) <= (edit.range.start, edit.range.end));
        list.insert(at, edit);
    }

    /// Applies the edits of `file` to `text` (tests, and callers without an
    /// editor of their own).
    pub fn apply(&self, file: FileId, text: &str) -> String {
        let mut out = text.to_string();
        if let Some((_, edits)) = self.edits.iter().find(|(f, _)| *f == file) {
            for e in edits.iter().rev() {
                if text.get(e.range.as_usize()).is_some() {
                    out.replace_range(e.range.as_usize(), &e.new_text);
                }
            }
        }
        out
    }
}

/// The 1-based line of `offset` in `text`, counting `\n`, `\r\n` and a lone
/// `\r` as line ends. Only scans up to `offset` (a registry file can be
/// megabytes long; no full line index is built for one hover).
pub fn line_number(text: &str, offset: u32) -> u32 {
    let bytes = text.as_bytes();
    let end = (offset as usize).min(bytes.len());
    let mut line = 1;
    for i in memchr::memchr2_iter(b'\n', b'\r', &bytes[..end]) {
        // A `\r` directly followed by `\n` is counted at the `\n`.
        if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
            line += 1;
        }
    }
    line
}

#[cfg(test)]
mod tests;
