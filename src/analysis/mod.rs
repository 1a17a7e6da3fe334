//! Analysis: per-file summaries, the workspace index and every diagnostic of
//! spec §9. Pure: no I/O, no LSP, no threads of its own.

mod diagnostic;
pub mod values;

pub use diagnostic::*;
