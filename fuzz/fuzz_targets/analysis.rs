//! Fuzz target: arbitrary text as an article next to a fixed registry, through `file_diagnostics` and the ide features.
//! The checks live in `tests/fuzz_checks`, shared with `tests/fuzz_regressions.rs`.

#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::analysis(data));
