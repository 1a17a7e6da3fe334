//! Regression tests for the crashes the fuzz targets of `fuzz/` found: each
//! input, kept under `fuzz/regressions/<target>/`, runs through the same
//! checks as its target (`tests/fuzz_checks`). See docs/reliability.md.

mod fuzz_checks;

use std::path::Path;

/// Every input kept for `target`, checked with `check` (a crash names its file).
fn run_all(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut paths: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| !p.ends_with(".keep")).collect();
    paths.sort();
    for path in paths {
        let data = std::fs::read(&path).unwrap();
        eprintln!("{}", path.display());
        check(&data);
    }
}

#[test]
fn parse_regressions() {
    run_all("parse", fuzz_checks::parse);
}

#[test]
fn analysis_regressions() {
    run_all("analysis", fuzz_checks::analysis);
}

#[test]
fn config_regressions() {
    run_all("config", fuzz_checks::config);
}

#[test]
fn incremental_edits_regressions() {
    run_all("incremental_edits", fuzz_checks::incremental);
}

// The crashes, one test each, with the smallest input that shows them.

/// `parse`: an empty value before a comment closing its line
/// (`aka:<!-- c -->`) was mapped past the comment, out of its attribute's
/// range. Fixed in `syntax/remap.rs`.
#[test]
fn empty_value_before_a_comment_stays_in_its_attribute() {
    fuzz_checks::parse(b"@a: person \"A\"\n  aka:<!-- c -->\n");
    fuzz_checks::parse(b"---\ntitle:<!-- c\n -->\n---\n");
}

/// `incremental_edits` (first seen as the `positions_past_the_end_clamp`
/// property): a column of `u32::MAX` on an ASCII line after the first
/// overflowed `LineIndex::offset`. Fixed in `text/line_index.rs`.
#[test]
fn huge_column_on_an_ascii_line() {
    // UTF-16; text "a\na"; replace (1, u32::MAX)..(0, 0) by "".
    fuzz_checks::incremental(&[0, 3, 5, 0, 5, 1, 1, 255, 0, 0, 0]);
}

/// `parse` (a false alarm of the check, kept for the check): a comment
/// inside an id is removed first, so the id's range spans the comment.
#[test]
fn comment_inside_an_id() {
    fuzz_checks::parse(b"@a<!-- c -->b: person \"A\"\n\nSee [A]{@a<!-- c -->b}.\n");
}
