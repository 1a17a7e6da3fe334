//! Newsmark: the engine behind `newsmark check` and `newsmark lsp`.
//!
//! Layers, lowest first (see ARCHITECTURE.md): `text` → `syntax` →
//! `codes` → `config` → `analysis` → `workspace` → `ide` → `cli` / `lsp` /
//! `nlp`. A lower layer never imports a higher one.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod codes;
pub mod config;
pub mod ide;
pub mod lsp;
pub mod nlp;
pub mod syntax;
pub mod text;
pub mod workspace;
