//! Fixture tests of every diagnostic code of spec §9 and its edge cases:
//! each test writes a small workspace to disk, loads it as `check` does and
//! compares the annotated source with an `expect![[…]]` block
//! (`UPDATE_EXPECT=1 cargo test --test diagnostics` blesses).

mod support;

mod blocks;
mod config;
mod prose;
mod references;
mod suppress;
mod syntax;
mod text;
mod workspace;
