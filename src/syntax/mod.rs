//! The syntax layer: `&str` in, a [`Parse`] out. Never fails, never panics,
//! never recurses on nesting depth. Knows nothing of files, workspaces, LSP
//! or the diagnostics of other layers.

mod ast;

pub use ast::*;
