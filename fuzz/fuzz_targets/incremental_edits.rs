//! Fuzz target: sequences of incremental `didChange` edits applied like the server does, against a fresh parse.
//! (Named `incremental_edits`: cargo forbids a binary named `incremental`.)
//! The checks live in `tests/fuzz_checks`, shared with `tests/fuzz_regressions.rs`.

#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::incremental(data));
