//! The command-line contract of spec §11, tested on the built binary: the
//! four `check` formats on a small workspace with known problems (golden
//! files under `tests/golden/cli/`, `UPDATE_GOLDEN=1` rewrites them), exit
//! codes, PATH filtering, `--root`, invalid configs, `export`, and help.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use expect_test::{Expect, expect};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_newsmark");

/// A workspace with problems of every severity, a nested workspace and an
/// astral character before a range. `//- /path` starts a file.
const PROBLEMS: &str = r#"//- /newsmark.toml
[lint]
required-front-matter = ["title"]
//- /articles/a.nmk
---
title: Talks in Beijing
published: 2015-11
---
😀 [Mr. Xi]{@xi-jinpin} met [Barry]{@obama} in [beijing]{@beijing}; Obama smiled.
“We will open up, we will not close the door to the world,” he said.
[He added]{^remarks} that 2015-11 was late.
//- /articles/b.nmk
Obama left [early]{@obama}.
//- /registry/people.nmk
@xi-jinping: person "Xi Jinping"
  aka: Mr. Xi
@obama: person "Barack Obama"
  aka: Obama
@beijing: place
^remarks: remarks "Remarks"
  by: @xi-jinping
  date: 2015-12-01
//- /desk/newsmark.toml
//- /desk/c.nmk
[Mr. Xi]{@xi-jinping} in the desk workspace.
"#;

/// Writes a `//- /path` fixture under a fresh temporary folder.
fn workspace(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut current: Option<(PathBuf, String)> = None;
    let flush = |c: Option<(PathBuf, String)>| {
        if let Some((path, text)) = c {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    };
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- /") {
            flush(current.take());
            current = Some((dir.path().join(path.trim()), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
        }
    }
    flush(current);
    dir
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(cwd).env("NO_COLOR", "1").output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Compares `actual` with `tests/golden/cli/<name>`, or rewrites it when
/// `UPDATE_GOLDEN` is set.
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cli").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    assert!(expected == actual, "{name} differs from the golden file; run with UPDATE_GOLDEN=1 to bless\n{actual}");
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn human_format() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "--format", "human"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    golden("human.txt", &stdout(&out));
}

#[test]
fn json_format() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    golden("json.jsonl", &stdout(&out));
}

#[test]
fn github_format() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    golden("github.txt", &stdout(&out));
}

#[test]
fn sarif_format() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sarif = stdout(&out).replace(env!("CARGO_PKG_VERSION"), "<version>");
    let doc: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    golden("sarif.json", &sarif);
}

#[test]
fn json_is_sorted_by_file_line_column_code_with_root_relative_paths() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "--format", "json"]);
    let rows = json_lines(&stdout(&out));
    let keys: Vec<(String, u64, u64, String)> = rows
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (s("file"), r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap(), s("code"))
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // The nested workspace's file is shown relative to the root the command
    // resolved, and resolves in its own workspace (`@xi-jinping` is not
    // defined there).
    assert!(keys.iter().any(|k| k.0 == "desk/c.nmk" && k.3 == "undefined-reference"), "{keys:?}");
    for r in &rows {
        for k in ["file", "line", "column", "end_line", "end_column", "severity", "code", "message"] {
            assert!(!r[k].is_null(), "{k} missing in {r}");
        }
    }
}

#[test]
fn json_columns_count_unicode_scalar_values() {
    let ws = workspace(PROBLEMS);
    let rows = json_lines(&stdout(&run(ws.path(), &["check", "--format", "json", "articles/a.nmk"])));
    let undefined = rows.iter().find(|r| r["code"] == "undefined-reference").unwrap();
    // `😀 [Mr. Xi]{` is 11 scalar values (the emoji is one; two UTF-16
    // units, four bytes), so `@` is column 12.
    assert_eq!((undefined["line"].as_u64(), undefined["column"].as_u64()), (Some(5), Some(12)));
    assert_eq!(undefined["end_column"].as_u64(), Some(12 + "@xi-jinpin".len() as u64));
}

#[test]
fn clean_workspace_exits_0() {
    let ws = workspace("//- /a.nmk\n[Xi]{@xi}\n//- /registry.nmk\n@xi: person \"Xi\"\n");
    let out = run(ws.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "checked 2 files: no problems\n");
}

#[test]
fn example_newsroom_checks_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/newsroom");
    let out = run(&root, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let errors: Vec<Value> = json_lines(&stdout(&out)).into_iter().filter(|r| r["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn warnings_exit_0_unless_over_max_warnings() {
    let ws = workspace("//- /a.nmk\n[Xi]{@xi}\n//- /registry.nmk\n@xi: person\n");
    assert_eq!(run(ws.path(), &["check"]).status.code(), Some(0));
    assert_eq!(run(ws.path(), &["check", "--max-warnings", "1"]).status.code(), Some(0));
    assert_eq!(run(ws.path(), &["check", "--max-warnings", "0"]).status.code(), Some(1));
}

#[test]
fn info_and_hints_never_fail() {
    let ws =
        workspace("//- /a.nmk\n[Barry]{@obama}; Barack Obama.\n//- /registry.nmk\n@obama: person \"Barack Obama\"\n");
    let out = run(ws.path(), &["check", "--max-warnings", "0", "--format", "json"]);
    let severities: Vec<Value> = json_lines(&stdout(&out)).iter().map(|r| r["severity"].clone()).collect();
    assert_eq!(severities, ["info", "hint"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn nonexistent_path_exits_2() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "articles/missing.nmk"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("articles/missing.nmk: no such file or folder"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn bad_flags_exit_2() {
    let ws = workspace(PROBLEMS);
    for args in
        [&["check", "--bogus"][..], &["check", "--format", "xml"], &["check", "--max-warnings", "-1"], &["frobnicate"]]
    {
        let out = run(ws.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("error"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn path_filters_the_report_but_resolves_against_the_whole_workspace() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "--format", "json", "articles/b.nmk"]);
    let rows = json_lines(&stdout(&out));
    let files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert!(files.iter().all(|f| *f == "articles/b.nmk"), "{files:?}");
    // `@obama` resolves in registry/people.nmk, which is not reported.
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["missing-front-matter", "untagged-mention", "unknown-alias"]);
    // Only warnings and below here: the errors of other files do not count.
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn path_may_be_a_folder() {
    let ws = workspace(PROBLEMS);
    let out = run(ws.path(), &["check", "--format", "json", "registry"]);
    let files: Vec<String> = json_lines(&stdout(&out)).iter().map(|r| r["file"].as_str().unwrap().to_owned()).collect();
    assert_eq!(files, ["registry/people.nmk"]);
}

/// `PROBLEMS` in `ws/`, beside an empty folder `elsewhere/`.
fn workspace_beside_elsewhere() -> tempfile::TempDir {
    let dir = workspace(&PROBLEMS.replace("//- /", "//- /ws/"));
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    dir
}

/// Paths are relative to the current folder in every format (§11), whatever
/// `--root` says: run from a sibling folder of the root, every path starts
/// with `../ws/`, so a GitHub annotation or a SARIF result still lands on
/// the right file.
#[test]
fn every_format_from_a_folder_beside_the_root() {
    let dir = workspace_beside_elsewhere();
    let elsewhere = dir.path().join("elsewhere");
    for (format, name) in [
        ("human", "human.txt"),
        ("json", "json.jsonl"),
        ("github", "github.txt"),
        ("sarif", "sarif.json"),
        ("gitlab", "gitlab.json"),
        ("junit", "junit.xml"),
    ] {
        let out = run(&elsewhere, &["check", "--format", format, "--root", "../ws"]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let report = stdout(&out).replace(env!("CARGO_PKG_VERSION"), "<version>");
        golden(&format!("elsewhere/{name}"), &report);
    }
}

#[test]
fn root_flag_from_another_folder() {
    let dir = workspace_beside_elsewhere();
    let root = dir.path().join("ws");
    let out = run(&dir.path().join("elsewhere"), &["check", "--format", "json", "--root", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let from_root = stdout(&run(&root, &["check", "--format", "json"]));
    let prefixed = from_root.replace("\"file\":\"", "\"file\":\"../ws/");
    assert_eq!(stdout(&out), prefixed);
}

#[test]
fn root_is_found_upwards_from_the_current_folder() {
    let ws = workspace(PROBLEMS);
    let out = run(&ws.path().join("articles"), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let mut files: Vec<String> =
        stdout(&out).lines().filter_map(|l| Some(l.split("file=").nth(1)?.split(',').next()?.to_owned())).collect();
    files.dedup();
    assert_eq!(files, ["../desk/c.nmk", "../registry/people.nmk", "a.nmk", "b.nmk"]);
}

#[test]
fn messages_name_files_relative_to_the_current_folder() {
    let ws = workspace(
        "//- /newsmark.toml\n//- /articles/a.nmk\n@x: person \"X\"\n\n[X]{@x}\n//- /registry/people.nmk\n@x: person \"X\"\n",
    );
    let out = run(&ws.path().join("articles"), &["check", "--format", "json"]);
    let messages: Vec<String> =
        json_lines(&stdout(&out)).iter().map(|r| format!("{}: {}", r["file"], r["message"])).collect();
    expect![[r#"
        [
            "\"../registry/people.nmk\": \"`@x` is defined 2 times; also in a.nmk\"",
            "\"a.nmk\": \"`@x` is defined 2 times; also in ../registry/people.nmk\"",
        ]
    "#]]
    .assert_debug_eq(&messages);
}

#[test]
fn path_outside_the_root_exits_2() {
    let dir = workspace_beside_elsewhere();
    std::fs::write(dir.path().join("elsewhere/x.nmk"), "Text.\n").unwrap();
    let out = run(&dir.path().join("elsewhere"), &["check", "--root", "../ws", "x.nmk"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    // A folder holding the root is not outside it: it selects the whole root.
    let holding = run(dir.path(), &["check", "--root", "ws", "--format", "json", "."]);
    assert_eq!(holding.status.code(), Some(1), "{}", stderr(&holding));
    assert_eq!(stdout(&holding), stdout(&run(dir.path(), &["check", "--root", "ws", "--format", "json"])));
    expect![[r#"
        error: x.nmk: outside the workspace root ../ws; run from inside the other workspace or pass its folder with --root
    "#]]
    .assert_eq(&stderr(&out));
}

#[test]
fn root_flag_that_is_not_a_folder_exits_2() {
    let ws = workspace(PROBLEMS);
    assert_eq!(run(ws.path(), &["check", "--root", "nowhere"]).status.code(), Some(2));
    assert_eq!(run(ws.path(), &["check", "--root", "newsmark.toml"]).status.code(), Some(2));
}

/// Runs `check` on a workspace whose `newsmark.toml` is `toml`; asserts
/// exit code 2 and compares stderr.
fn check_invalid_config(toml: &str, expect: Expect) {
    let ws = workspace(&format!("//- /newsmark.toml\n{toml}//- /a.nmk\nText.\n"));
    let out = run(ws.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    expect.assert_eq(&stderr(&out));
}

#[test]
fn config_toml_error() {
    check_invalid_config(
        "[rules\n",
        expect![[r#"
        newsmark.toml:1:7: error[config]: newsmark.toml is not valid TOML: unclosed table, expected `]`
    "#]],
    );
}

#[test]
fn config_duplicate_key() {
    check_invalid_config(
        "[lint]\nquote-min-words = 3\nquote-min-words = 4\n",
        expect![[r#"
        newsmark.toml:3:1: error[config]: newsmark.toml is not valid TOML: duplicate key "quote-min-words"
    "#]],
    );
}

#[test]
fn config_unknown_top_level_key() {
    check_invalid_config(
        "exclude = []\nexlude = [\"drafts/**\"]\n",
        expect![[r#"
        newsmark.toml:2:1: error[config]: unknown key "exlude" in newsmark.toml; did you mean "exclude"? allowed: exclude, rules, lint, kinds
    "#]],
    );
}

#[test]
fn config_unknown_table() {
    check_invalid_config(
        "[rule]\nsyntax = \"off\"\n",
        expect![[r#"
        newsmark.toml:1:2: error[config]: unknown key "rule" in newsmark.toml; did you mean "rules"? allowed: exclude, rules, lint, kinds
    "#]],
    );
}

#[test]
fn config_unknown_key_in_lint() {
    check_invalid_config(
        "[lint]\nquote-words = 3\n",
        expect![[r#"
        newsmark.toml:2:1: error[config]: unknown key "quote-words" in [lint]; allowed: quote-min-words, required-front-matter
    "#]],
    );
}

#[test]
fn config_unknown_rule() {
    check_invalid_config(
        "[rules]\nuntaged-mention = \"off\"\n",
        expect![[r#"
        newsmark.toml:2:1: error[config]: unknown rule "untaged-mention" in [rules]; did you mean "untagged-mention"?
    "#]],
    );
}

#[test]
fn config_bad_severity() {
    check_invalid_config(
        "[rules]\nuntagged-mention = \"warn\"\n",
        expect![[r#"
        newsmark.toml:2:20: error[config]: bad severity "warn" for rule "untagged-mention" in [rules]; allowed: error, warning, info, hint, off
    "#]],
    );
}

#[test]
fn config_wrong_type() {
    check_invalid_config(
        "[lint]\nrequired-front-matter = \"title\"\n",
        expect![[r#"
        newsmark.toml:2:25: error[config]: "required-front-matter" in [lint] must be an array of strings, not a string
    "#]],
    );
}

#[test]
fn config_quote_min_words_zero() {
    check_invalid_config(
        "[lint]\nquote-min-words = 0\n",
        expect![[r#"
        newsmark.toml:2:19: error[config]: "quote-min-words" in [lint] must be at least 1, not 0
    "#]],
    );
}

#[test]
fn config_bad_required_front_matter_entry() {
    check_invalid_config(
        "[lint]\nrequired-front-matter = [\"title\", \"author\"]\n",
        expect![[r#"
        newsmark.toml:2:35: error[config]: "author" in required-front-matter ([lint]) is not a front-matter key; allowed: title, published, updated, outlet, byline, url, lang, or x-…
    "#]],
    );
}

#[test]
fn config_error_column_counts_unicode_scalar_values() {
    // `"x-ü😀"` is 6 scalar values but 10 bytes: "author" is at column 34.
    check_invalid_config(
        "[lint]\nrequired-front-matter = [\"x-ü😀\", \"author\"]\n",
        expect![[r#"
        newsmark.toml:2:34: error[config]: "author" in required-front-matter ([lint]) is not a front-matter key; allowed: title, published, updated, outlet, byline, url, lang, or x-…
    "#]],
    );
}

/// A root with a clean article, and a nested workspace `desk/` whose
/// config is invalid.
const INVALID_NESTED: &str =
    "//- /a.nmk\nText.\n//- /desk/newsmark.toml\n[lint]\nquote-min-words = \"8\"\n//- /desk/c.nmk\n[x]{@nope}\n";

#[test]
fn invalid_nested_config_fails_only_a_run_whose_paths_reach_it() {
    let ws = workspace(INVALID_NESTED);
    let out = run(ws.path(), &["check", "a.nmk"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    expect![[r#"
        warning: desk/newsmark.toml:2:19: "quote-min-words" in [lint] must be a whole number of at least 1, not a string; its workspace is not checked, as no PATH reaches it
    "#]]
    .assert_eq(&stderr(&out));
    for reaching in [&["check", "desk"][..], &["check", "desk/c.nmk"], &["check", "."], &["check"]] {
        let out = run(ws.path(), reaching);
        assert_eq!(out.status.code(), Some(2), "{reaching:?}");
        assert!(stderr(&out).contains("desk/newsmark.toml:2:19: error[config]"), "{reaching:?}: {}", stderr(&out));
    }
}

#[test]
fn invalid_config_of_a_nested_workspace_exits_2() {
    let ws = workspace("//- /a.nmk\nText.\n//- /desk/newsmark.toml\n[lint]\nquote-min-words = \"8\"\n");
    let out = run(ws.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    expect![[r#"
        desk/newsmark.toml:2:19: error[config]: "quote-min-words" in [lint] must be a whole number of at least 1, not a string
    "#]].assert_eq(&stderr(&out));
}

#[test]
fn export_text_gives_back_the_seed_article() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let out = run(&root, &["export", "--format", "text", "newsroom/articles/2015-11-dhs-beijing-cyber.nmk"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut seed = std::fs::read(root.join("seed-article.txt")).unwrap();
    seed.push(b'\n');
    assert!(out.stdout == seed, "export differs from seed-article.txt + \\n");
}

/// §8: every document has a plain text; the failed tag's characters stay in
/// it, the errors go to stderr, and the exit code is 1.
#[test]
fn export_text_prints_documents_with_syntax_errors_and_exits_1() {
    let ws =
        workspace("//- /a.nmk\nSaid [beijing]{@beijing this week [Mr. Xi]{@xi} left.\n\n//- /b.nmk\n[Fine]{@x}.\n");
    let out = run(ws.path(), &["export", "--format", "text", "a.nmk", "b.nmk"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "Said [beijing]{@beijing this week Mr. Xi left.\nFine.\n");
    expect![[r#"
        a.nmk:1:15: error[syntax]: expected '}' after '@beijing', found 'this'
    "#]]
    .assert_eq(&stderr(&out));
}

#[test]
fn export_jsonl_skips_documents_with_syntax_errors() {
    let ws = workspace("//- /a.nmk\nSaid [beijing]{@beijing this week.\n//- /b.nmk\n[Fine]{@x}.\n");
    let out = run(ws.path(), &["export", "--format", "jsonl", "a.nmk", "b.nmk"]);
    assert_eq!(out.status.code(), Some(1));
    let files: Vec<Value> = json_lines(&stdout(&out)).iter().map(|r| r["file"].clone()).collect();
    assert_eq!(files, ["b.nmk"]);
    expect![[r#"
        a.nmk:1:15: error[syntax]: expected '}' after '@beijing', found 'this'
        error: a.nmk: not exported, as it has syntax errors
    "#]]
    .assert_eq(&stderr(&out));
}

#[test]
fn export_jsonl_shape() {
    let ws = workspace(
        "//- /a.nmk\n😀 [[Mr. Xi]{@xi} said “yes”]{^remarks}.\n//- /registry.nmk\n@xi: person \"Xi Jinping\"\n  aka: Mr. Xi\n^remarks: remarks \"Remarks\"\n  by: @xi\n  date: 2015-11\n",
    );
    let out = run(ws.path(), &["export", "--format", "jsonl", "a.nmk"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = json_lines(&stdout(&out));
    assert_eq!(rows.len(), 1);
    let doc = &rows[0];
    assert_eq!(doc["file"], "a.nmk");
    let text = doc["text"].as_str().unwrap();
    assert_eq!(text, "😀 Mr. Xi said “yes”.\n");
    let chars: Vec<char> = text.chars().collect();
    let slice = |t: &Value| -> String {
        chars[t["start"].as_u64().unwrap() as usize..t["end"].as_u64().unwrap() as usize].iter().collect()
    };
    let tags = doc["tags"].as_array().unwrap();
    let summary: Vec<(String, Value, Value)> =
        tags.iter().map(|t| (slice(t), t["entities"].clone(), t["sources"].clone())).collect();
    let expected: Vec<(String, Value, Value)> = vec![
        ("Mr. Xi said “yes”".into(), serde_json::json!([]), serde_json::json!(["remarks"])),
        ("Mr. Xi".into(), serde_json::json!(["xi"]), serde_json::json!([])),
    ];
    let mut sorted = summary.clone();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
    assert_eq!(sorted, expected, "{tags:?}");
    let defs = doc["definitions"].to_string();
    for needle in [
        "\"kind\":\"person\"",
        "\"name\":\"Xi Jinping\"",
        "\"aka\":[\"Mr. Xi\"]",
        "\"kind\":\"remarks\"",
        "\"date\":\"2015-11\"",
    ] {
        assert!(defs.contains(needle), "{needle} not in {defs}");
    }
}

#[test]
fn help_and_version() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for args in [&["--help"][..], &["check", "--help"], &["export", "--help"], &["help", "check"]] {
        let out = run(here, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout(&out).contains("Usage: newsmark"), "{args:?}: {}", stdout(&out));
    }
    assert!(stdout(&run(here, &["check", "--help"])).contains("--max-warnings"));
    assert!(stdout(&run(here, &["export", "--help"])).contains("jsonl"));
    let version = run(here, &["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(stdout(&version), format!("newsmark {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unreadable_files_are_errors_and_the_rest_is_still_checked() {
    let ws = workspace("//- /a.nmk\n[x]{@nope}\n//- /registry.nmk\n@x: person \"X\"\n");
    std::fs::write(ws.path().join("latin1.nmk"), b"caf\xe9\n").unwrap();
    std::os::unix::fs::symlink("gone.nmk", ws.path().join("dangling.nmk")).unwrap();
    let out = run(ws.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<(String, String, u64, u64)> = json_lines(&stdout(&out))
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (s("file"), s("code"), r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap())
        })
        .collect();
    let expected = [
        ("a.nmk", "undefined-reference", 1, 5),
        ("dangling.nmk", "unreadable", 1, 1),
        ("latin1.nmk", "unreadable", 1, 1),
    ];
    let expected: Vec<(String, String, u64, u64)> =
        expected.iter().map(|(f, c, l, col)| (f.to_string(), c.to_string(), *l, *col)).collect();
    assert_eq!(rows, expected);
    // Reported once, as a diagnostic, not also as a warning on stderr.
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}
