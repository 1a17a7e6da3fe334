//! Property tests above the syntax layer: the analysis never panics on any
//! text and its ranges stay inside the file, and `newsmark check` never
//! panics on any file contents and always exits 0, 1 or 2. (The plain-text
//! properties of the parser live in tests/syntax_properties.rs.)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use newsmark::analysis::diagnostics::{CheckOptions, file_diagnostics};
use newsmark::analysis::{LoadedFile, Workspace};
use newsmark::config::Config;
use newsmark::syntax;
use proptest::prelude::*;

/// Pieces of Newsmark markup that random texts are mostly built from.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "[", "]", "{@", "{^", "}", "\\", "<!--", "-->", "---\n", "\n", "\r\n", "\r", "\n\n", "  ", "\t",
    "@x: person \"X\"\n", "^s: statement\n", "  aka: X; Mr. X\n", "  by: @x\n", "  date: 2015-11\n",
    "published: 2015-11-16T09:30:00Z\n", "“", "”", "\"", "«", "»", "Mr. X", "x", "s", ":", "\u{feff}", "😀",
    "e\u{301}", "'s",
];

/// Text made mostly of Newsmark's special characters, so that random cases
/// hit tags, headers, comments, front matter and quotations.
fn markup_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(String::from),
        1 => "[a-zA-Z0-9 .]{1,8}",
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|parts| parts.concat())
}

/// Any text, markup-heavy or entirely arbitrary.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![3 => markup_text(), 1 => any::<String>()]
}

/// A workspace held in memory: `files` under a made-up root.
fn workspace(files: &[String]) -> Workspace {
    let root = PathBuf::from("/ws");
    let paths: Vec<PathBuf> = (0..files.len()).map(|i| root.join(format!("f{i}.nmk"))).collect();
    let load = |path: &Path| {
        let i = paths.iter().position(|p| p == path).unwrap();
        LoadedFile { path: path.to_path_buf(), display_path: format!("f{i}.nmk"), content: Ok(files[i].clone()) }
    };
    Workspace::build(root.clone(), Arc::new(Config::default()), &paths, load, &|| {})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every diagnostic of every file, for any texts: no panic, ranges on
    /// char boundaries inside the file, related places too.
    #[test]
    fn analysis_never_panics(files in prop::collection::vec(any_text(), 1..4)) {
        let ws = workspace(&files);
        for (id, file) in ws.files() {
            let diags = file_diagnostics(&ws, id, &syntax::parse(&file.text), CheckOptions::default());
            for d in &diags {
                prop_assert!(d.range.start <= d.range.end);
                prop_assert!(file.text.get(d.range.as_usize()).is_some(), "{d:?} in {:?}", file.text);
                prop_assert!(!d.message.is_empty());
                for r in &d.related {
                    let other = ws.file(r.file).unwrap();
                    prop_assert!(other.text.get(r.range.as_usize()).is_some(), "{r:?}");
                }
            }
        }
    }
}

proptest! {
    // Each case spawns the binary: few cases keep the suite fast.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `check` on a workspace of arbitrary files (bytes, not only UTF-8)
    /// never panics and exits 0, 1 or 2, in every format.
    #[test]
    fn check_never_panics(
        texts in prop::collection::vec(any_text(), 0..3),
        bytes in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..2),
        format in prop_oneof![Just("human"), Just("json"), Just("github"), Just("sarif"), Just("gitlab"), Just("junit")],
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (i, t) in texts.iter().enumerate() {
            std::fs::write(dir.path().join(format!("t{i}.nmk")), t).unwrap();
        }
        for (i, b) in bytes.iter().enumerate() {
            std::fs::write(dir.path().join(format!("b{i}.nmk")), b).unwrap();
        }
        let out = Command::new(env!("CARGO_BIN_EXE_newsmark"))
            .args(["check", "--format", format])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(matches!(out.status.code(), Some(0..=2)), "{:?}: {stderr}", out.status);
        prop_assert!(!stderr.contains("panicked"), "{stderr}");
        if format == "json" {
            for line in String::from_utf8(out.stdout).unwrap().lines() {
                prop_assert!(serde_json::from_str::<serde_json::Value>(line).is_ok(), "{line}");
            }
        }
    }
}
