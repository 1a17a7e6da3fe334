//! The syntax layer: `&str` in, a [`Parse`] out. Never fails, never panics,
//! never recurses on nesting depth. Knows nothing of files, workspaces, LSP
//! or the diagnostics of other layers.
//!
//! Parsing runs in two passes: comments are removed first (`comments`),
//! then the lines of the cleaned text are classified (`blocks`) and prose
//! paragraphs are scanned for tags (`tags`); ranges are mapped back to the
//! original text at the end (`remap`). [`plain_text`] then derives the
//! article text of §8 from the original text and the parse.

mod ast;
mod attribute;
mod blocks;
mod comments;
mod definition;
mod front_matter;
mod id;
mod lines;
mod plain_text;
mod remap;
mod tags;

pub use ast::*;
pub use blocks::parse;
pub use id::is_valid_id;
pub use plain_text::{PlainSegment, PlainTagSpan, PlainText, plain_text};
