//! The syntax layer: `&str` in, a [`Parse`] out. Never fails, never panics,
//! never recurses on nesting depth. Knows nothing of files, workspaces, LSP
//! or the diagnostics of other layers.
//!
//! Parsing runs in two passes: comments are removed first (`comments`),
//! then the lines of the cleaned text are classified (`blocks`) and prose
//! paragraphs are scanned for tags (`tags`); ranges are mapped back to the
//! original text at the end (`remap`). [`plain_text`] then derives the
//! article text of §8 from the original text and the parse.
//!
//! Where the spec leaves room, this layer decides:
//! - Comments go first everywhere, so a comment-only line before `---` is
//!   transparent and the front matter still opens (`<!-- licence -->` on
//!   line 1 is fine); `---<!-- c -->` counts as `---`.
//! - `<!-->` and `<!--->` do not close: the closing `-->` is searched from
//!   after the 4 bytes of the opener.
//! - The fences of front matter must be exactly `---`; ` --- ` inside a front
//!   matter is a syntax error that says so (and so the front matter stays
//!   open).
//! - Values and list items are trimmed of Unicode white space; blank lines,
//!   indentation and reference-list separators are spaces and tabs only.
//! - A header's kind ends at a space, tab or `"`; `person"Name"` is accepted.
//!   The whole header line is the range of a malformed-header error.
//! - An id in a header or reference list is the run up to the next space,
//!   tab (or `:` in a header, or the character that ends a reference list);
//!   anything else in it (`{@a,}`) makes it invalid.
//! - A reference list ends at `}`, or fails at the line end or at a `[`,
//!   `]` or `{`, which is read again (§3, recovery). Its error names the
//!   first place where it went wrong.
//! - A `{@…}` / `{^…}` not after a paired `]` is one error over the `{…}`
//!   (or to where the list fails); scanning resumes after it, like a failed
//!   tag.
//! - A front matter that never closes keeps no attributes and no errors but
//!   the one on its opening line (§2).
//! - Headings: 1–6 `#` followed by a space or a tab.
//! - Plain-text segments: `\n` of `\r\n` is copied, the `\r` dropped; the `\n`
//!   of a lone `\r` and the `\n\n` between paragraphs are written, not copied.

mod ast;
mod attribute;
mod blocks;
mod comments;
mod definition;
mod expected;
mod front_matter;
mod id;
mod lines;
mod plain_text;
mod remap;
mod reparse;
mod tags;

pub use ast::*;
pub use blocks::parse;
pub use id::{is_id_continue, is_valid_id, is_word_char};
pub use plain_text::{PlainSegment, PlainTagSpan, PlainText, plain_text, plain_text_of};
pub use reparse::{Reparsed, reparse};
