//! Fixture tests of the IDE features, one file per feature.

mod code_actions;
mod completion;
mod folding;
mod hover;
mod navigation;
mod rename;
mod semantic_tokens;
mod symbols;
