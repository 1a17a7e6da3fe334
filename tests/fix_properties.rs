//! Property tests of the fixes (spec §14) on generated workspaces: a
//! registry and articles built from names, tags with typos and other
//! names, definitions with wrong kinds, keys and sigils, suppression
//! comments, any line ends and a BOM.
//!
//! * No fix, applied alone, changes the plain text (§8) of any file.
//! * After `check --fix --unsafe-fixes`, checking again reports nothing
//!   that was not reported before, and nothing a fix claimed to remove.
//!
//! A fix may reveal what broken markup hid (a source kind corrected to
//! `statement` now needs a `by`): the generated kinds leave that out, as
//! docs/decisions.md says.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use newsmark::analysis::apply::{apply_edits, edits_by_file};
use newsmark::analysis::diagnostics::{CheckOptions, file_diagnostics};
use newsmark::analysis::{FileId, LoadedFile, Workspace};
use newsmark::config::Config;
use newsmark::syntax::{self, plain_text};
use proptest::prelude::*;
use serde_json::Value;

/// Each entity has names no other entity shares, and a word of its own
/// (`[chief]{@alma-ruiz}` is an unknown alias whose fix adds "chief" to
/// that entity alone), so no fix can make a name ambiguous.
const ENTITIES: [(&str, &str, &str, &str); 3] = [
    ("alma-ruiz", "Alma Ruiz", "Ms. Ruiz", "chief"),
    ("boris-ek", "Boris Ek", "Mr. Ek", "envoy"),
    ("cleo-tran", "Cleo Tran", "Tran", "mayor"),
];

fn registry(eol: &str) -> String {
    let mut out = String::new();
    for (id, name, aka, _) in ENTITIES {
        out += &format!("@{id}: person \"{name}\"{eol}  aka: {aka}{eol}");
    }
    out += &format!("^talk: remarks \"Talk\"{eol}  by: @alma-ruiz{eol}");
    out
}

/// One piece of an article's prose.
fn prose_piece() -> impl Strategy<Value = String> {
    let entity = 0..ENTITIES.len();
    prop_oneof![
        4 => prop::sample::select(&["the", "said", "on monday", ",", ".", "and", "“", "”", "\\", "x"][..]).prop_map(String::from),
        3 => entity.clone().prop_map(|i| ENTITIES[i].1.to_string()),
        2 => entity.clone().prop_map(|i| ENTITIES[i].2.to_string()),
        2 => entity.clone().prop_map(|i| format!("[{}]{{@{}}}", ENTITIES[i].1, ENTITIES[i].0)),
        2 => entity.clone().prop_map(|i| format!("[{}]{{@{}}}", ENTITIES[i].3, ENTITIES[i].0)),
        2 => entity.clone().prop_map(|i| format!("[{}]{{@{}x}}", ENTITIES[i].2, ENTITIES[i].0)),
        1 => entity.clone().prop_map(|i| format!("[{} said so]{{^talk}}", ENTITIES[i].1)),
        1 => prop::sample::select(&[
            "<!-- newsmark-disable-line untagged-mention -->",
            "<!-- newsmark-disable-line unknown-kind, nope -->",
            "<!-- newsmark-disable-next-line -->",
            "<!-- newsmark-disable-file unattributed-quote -->",
        ][..]).prop_map(String::from),
    ]
}

/// A line of a definition block after the article.
fn block_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "@x: persn \"X\"",
            "@y: person \"Y\"",
            "  rle: boss",
            "  aka: Why",
            "^s: dta \"S\"",
            "^s2: data \"S2\"",
            "  by: ^alma-ruiz",
            "  by: @boris-ek",
            "<!-- newsmark-disable-next-line unknown-key -->",
        ][..],
    )
}

fn article() -> impl Strategy<Value = String> {
    let line = prop::collection::vec(prose_piece(), 1..8).prop_map(|p| p.join(" "));
    let paragraph = prop::collection::vec(line, 1..3);
    let prose = prop::collection::vec(paragraph, 1..3);
    let blocks = prop::collection::vec(block_piece(), 0..5);
    (any::<bool>(), prose, blocks).prop_map(|(front, prose, blocks)| {
        let mut out = String::new();
        if front {
            out += "---\ntitle: T\npublished: 2015-11\n---\n";
        }
        out += &prose.iter().map(|p| p.join("\n")).collect::<Vec<_>>().join("\n\n");
        out += "\n\n";
        for b in blocks {
            out += b;
            out += "\n";
        }
        out
    })
}

fn workspace_texts() -> impl Strategy<Value = Vec<String>> {
    let eol = prop::sample::select(&["\n", "\r\n", "\r"][..]);
    (eol, prop::collection::vec(article(), 1..3), any::<bool>()).prop_map(|(eol, articles, bom)| {
        let mut files = vec![registry("\n")];
        files.extend(articles);
        files
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let t = t.replace('\n', eol);
                if bom && i == 1 { format!("\u{feff}{t}") } else { t }
            })
            .collect()
    })
}

fn name(i: usize) -> String {
    if i == 0 { "registry.nmk".to_string() } else { format!("a{i}.nmk") }
}

fn in_memory(files: &[String]) -> Workspace {
    let root = PathBuf::from("/ws");
    let paths: Vec<PathBuf> = (0..files.len()).map(|i| root.join(name(i))).collect();
    let load = |path: &Path| {
        let i = paths.iter().position(|p| p == path).unwrap();
        LoadedFile { path: path.to_path_buf(), display_path: name(i), content: Ok(files[i].clone()) }
    };
    Workspace::build(root.clone(), Arc::new(Config::default()), &paths, load, &|| {})
}

fn plain(text: &str) -> String {
    plain_text(text, &syntax::parse(text)).text
}

/// `(file, code, message)` of each diagnostic of a JSON report, counted.
fn report(root: &Path) -> HashMap<(String, String, String), usize> {
    let out = Command::new(env!("CARGO_BIN_EXE_newsmark"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let mut counts = HashMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let d: Value = serde_json::from_str(line).unwrap();
        let key = (
            d["file"].as_str().unwrap().to_string(),
            d["code"].as_str().unwrap().to_string(),
            d["message"].as_str().unwrap().to_string(),
        );
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Each fix alone keeps the plain text of every file it edits.
    #[test]
    fn no_fix_changes_plain_text(files in workspace_texts()) {
        let ws = in_memory(&files);
        for (id, file) in ws.files() {
            for d in file_diagnostics(&ws, id, &syntax::parse(&file.text), CheckOptions::default()) {
                let Some(fix) = &d.fix else { continue };
                for (FileId(f), edits) in edits_by_file(&[fix]) {
                    let before = &files[f as usize];
                    let after = apply_edits(before, &edits);
                    prop_assert!(after.is_some(), "{fix:?} does not fit {before:?}");
                    let after = after.unwrap();
                    prop_assert_eq!(plain(before), plain(&after), "{:?} changed the plain text of {:?}", fix, before);
                }
            }
        }
    }
}

proptest! {
    // Each case runs the binary three times.
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// `--fix --unsafe-fixes` leaves only diagnostics that were there
    /// before and had no fix, and the plain text of every file unchanged.
    #[test]
    fn fixing_removes_what_it_claims_and_adds_nothing(files in workspace_texts()) {
        let dir = tempfile::tempdir().unwrap();
        for (i, t) in files.iter().enumerate() {
            std::fs::write(dir.path().join(name(i)), t).unwrap();
        }
        let before = report(dir.path());
        let ws = in_memory(&files);
        let mut claimed: HashMap<(String, String, String), usize> = HashMap::new();
        for (id, file) in ws.files() {
            for d in file_diagnostics(&ws, id, &syntax::parse(&file.text), CheckOptions::default()) {
                if d.fix.is_some() {
                    *claimed.entry((file.display_path.clone(), d.code.as_str().to_string(), d.message.clone())).or_insert(0) += 1;
                }
            }
        }
        let out = Command::new(env!("CARGO_BIN_EXE_newsmark"))
            .args(["check", "--fix", "--unsafe-fixes"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
        prop_assert!(!stderr.contains("warning: "), "a fix was refused: {stderr}");
        let after = report(dir.path());
        for (key, &n) in &after {
            let was = before.get(key).copied().unwrap_or(0);
            prop_assert!(n <= was, "new after --fix: {key:?}\nbefore: {before:#?}\nafter: {after:#?}\nfiles: {files:#?}");
            let fixed = claimed.get(key).copied().unwrap_or(0);
            prop_assert!(n + fixed <= was, "a fix did not remove {key:?}\nafter: {after:#?}\nfiles: {files:#?}");
        }
        for (i, t) in files.iter().enumerate() {
            let now = std::fs::read_to_string(dir.path().join(name(i))).unwrap();
            prop_assert_eq!(plain(t), plain(&now));
        }
    }
}
