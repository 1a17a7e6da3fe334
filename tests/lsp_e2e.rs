//! End-to-end tests of `newsmark lsp`: the built binary, spoken to over
//! stdio by a small test client, on temporary copies of examples/newsroom.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::lsp_client::{Client, uri};
use support::newsroom::temp_newsroom_with;

const ARTICLE: &str = "---\ntitle: Test article\npublished: 2015-11\n---\n\n[Mr. Obama]{@barack-obama} met [Mr. Xi]{@xi-jinping} in [beijing]{@beijing}.\n";
/// Line and UTF-16 column of the `@` of `@barack-obama`, and the end of the id.
const OBAMA: (u32, u32, u32) = (5, 12, 25);

/// A temporary newsroom with the test article; returns (dir guard, root, article path).
fn newsroom() -> (tempfile::TempDir, PathBuf, PathBuf) {
    temp_newsroom_with("test.nmk", ARTICLE)
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

fn has_undefined(diags: &[Value], id: &str) -> bool {
    diags.iter().any(|d| d["code"] == "undefined-reference" && d["message"].as_str().unwrap_or("").contains(id))
}

fn change(c: &mut Client, uri: &str, version: i64, range: ((u32, u32), (u32, u32)), text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": range.0.0, "character": range.0.1},
                                          "end": {"line": range.1.0, "character": range.1.1}}, "text": text}]
        }),
    );
}

fn start(root: &Path) -> Client {
    let mut c = Client::spawn(root);
    let init = c.initialize(root, json!({"debounceMs": 0}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    c
}

#[test]
fn diagnostics_follow_edits_and_shutdown_exits_cleanly() {
    let (_dir, root, article) = newsroom();
    let mut c = start(&root);
    let u = uri(&article);
    c.open(&u, ARTICLE);
    c.wait_indexed();
    let d = c.wait_diagnostics(&u, 1, |d| !has_undefined(d, "barack-obama"));
    assert!(!codes(&d).contains(&"syntax".to_string()), "{d:?}");

    // Break the reference: the diagnostic appears; restore it: it goes.
    let (line, _, end) = OBAMA;
    change(&mut c, &u, 2, ((line, end), (line, end)), "zz");
    let d = c.wait_diagnostics(&u, 2, |d| has_undefined(d, "barack-obamazz"));
    let bad = d.iter().find(|d| d["code"] == "undefined-reference").unwrap();
    assert_eq!(bad["source"], "newsmark");
    assert_eq!(bad["severity"], 1);
    assert_eq!(bad["range"]["start"], json!({"line": line, "character": 12}));
    assert_eq!(bad["range"]["end"], json!({"line": line, "character": end + 2}));
    assert_eq!(bad["data"]["suggestion"], "@barack-obama");
    change(&mut c, &u, 3, ((line, end), (line, end + 2)), "");
    c.wait_diagnostics(&u, 3, |d| !has_undefined(d, "barack-obama"));

    // A definition deleted from a registry (open in the editor) makes the
    // reference in the article undefined, and back.
    let people = root.join("registry/people.nmk");
    let people_text = std::fs::read_to_string(&people).unwrap();
    let pu = uri(&people);
    c.open(&pu, &people_text);
    let def_line = people_text.lines().position(|l| l.starts_with("@barack-obama:")).unwrap() as u32;
    change(&mut c, &pu, 2, ((def_line, 1), (def_line, 1)), "old-");
    c.wait_diagnostics(&u, 3, |d| has_undefined(d, "barack-obama"));
    change(&mut c, &pu, 3, ((def_line, 1), (def_line, 5)), "");
    c.wait_diagnostics(&u, 3, |d| !has_undefined(d, "barack-obama"));

    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn a_burst_of_edits_ends_with_the_final_diagnostics() {
    let (_dir, root, article) = newsroom();
    let mut c = start(&root);
    let u = uri(&article);
    c.open(&u, ARTICLE);
    c.wait_indexed();
    let (line, _, end) = OBAMA;
    // 201 edits: type `x` after the id, delete it, ... ending with it typed.
    for i in 0..201 {
        let version = i + 2;
        if i % 2 == 0 {
            change(&mut c, &u, version, ((line, end), (line, end)), "x");
        } else {
            change(&mut c, &u, version, ((line, end), (line, end + 1)), "");
        }
    }
    let d = c.wait_diagnostics(&u, 202, |d| has_undefined(d, "barack-obamax"));
    assert_eq!(d.iter().filter(|d| d["code"] == "undefined-reference").count(), 1);
    // Nothing older is published after it.
    let _ =
        c.request("textDocument/hover", json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 0}}));
    assert_eq!(c.last_diagnostics(&u).unwrap().0, Some(202));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn bad_input_does_not_stop_the_server() {
    let (_dir, root, article) = newsroom();
    let mut c = start(&root);
    let u = uri(&article);
    c.open(&u, ARTICLE);
    // Not JSON at all, then a request with parameters of the wrong shape.
    c.send_raw("{this is not json");
    let id = c.send_request("textDocument/hover", json!({"textDocument": 42}));
    assert!(c.response(id).get("error").is_some());
    // An unknown method.
    let id = c.send_request("newsmark/noSuchMethod", json!({}));
    assert_eq!(c.response(id)["error"]["code"], -32601);
    // A change to a document never opened, a position past the end.
    let other = uri(&root.join("articles/never-opened.nmk"));
    change(&mut c, &other, 2, ((0, 0), (0, 0)), "x");
    let far = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 999, "character": 999}}),
    );
    assert!(far.is_null() || far.is_object());
    let far = c
        .request("textDocument/hover", json!({"textDocument": {"uri": u}, "position": {"line": 5, "character": 9999}}));
    assert!(far.is_null() || far.is_object());
    // Still served.
    c.wait_indexed();
    c.wait_diagnostics(&u, 1, |_| true);
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_is_code_1() {
    let (_dir, root, _) = newsroom();
    let mut c = start(&root);
    c.notify("exit", Value::Null);
    let deadline = std::time::Instant::now() + support::lsp_client::TIMEOUT;
    let code = loop {
        if let Some(code) = c.try_exit_code() {
            break code;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(code, Some(1));
}

#[test]
fn hover_definition_references_rename_and_more() {
    let (_dir, root, article) = newsroom();
    let mut c = start(&root);
    let u = uri(&article);
    c.open(&u, ARTICLE);
    c.wait_indexed();
    let (line, at, _) = OBAMA;
    let pos = json!({"line": line, "character": at + 3});
    let doc = json!({"uri": u});

    let hover = c.request("textDocument/hover", json!({"textDocument": doc, "position": pos}));
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.contains("**Barack Obama**"), "{md}");

    let def = c.request("textDocument/definition", json!({"textDocument": doc, "position": pos}));
    let people = root.join("registry/people.nmk");
    assert_eq!(def["uri"], uri(&people));
    let people_text = std::fs::read_to_string(&people).unwrap();
    let def_line = people_text.lines().position(|l| l.starts_with("@barack-obama:")).unwrap();
    assert_eq!(def["range"]["start"], json!({"line": def_line, "character": 0}));

    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": doc, "position": pos, "context": {"includeDeclaration": true}}),
    );
    let refs = refs.as_array().unwrap();
    assert!(refs.len() >= 3, "{refs:?}");
    assert!(refs.iter().any(|r| r["uri"] == uri(&people)));

    let prep = c.request("textDocument/prepareRename", json!({"textDocument": doc, "position": pos}));
    assert_eq!(prep["placeholder"], "barack-obama");
    let edit = c.request("textDocument/rename", json!({"textDocument": doc, "position": pos, "newName": "obama"}));
    let changes = edit["changes"].as_object().unwrap();
    assert!(changes.contains_key(&uri(&people)), "{edit}");
    assert!(changes.contains_key(&u), "{edit}");
    let mine = changes[&u].as_array().unwrap();
    assert_eq!(mine[0]["newText"], "obama");
    assert_eq!(mine[0]["range"]["start"], json!({"line": line, "character": at + 1}));

    // Completion after `{@b`.
    let completion = c.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": {"line": line, "character": at + 2}}),
    );
    let labels: Vec<&str> =
        completion["items"].as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"barack-obama"), "{labels:?}");

    let tokens = c.request("textDocument/semanticTokens/full", json!({"textDocument": doc}));
    assert_eq!(tokens["data"].as_array().unwrap().len() % 5, 0);
    assert!(!tokens["data"].as_array().unwrap().is_empty());
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    assert!(symbols.is_array());
    let ws = c.request("workspace/symbol", json!({"query": "barack"}));
    assert!(ws.as_array().unwrap().iter().any(|s| s["name"] == "@barack-obama"), "{ws}");
    let folds = c.request("textDocument/foldingRange", json!({"textDocument": doc}));
    assert!(folds.is_array());
    let hl = c.request("textDocument/documentHighlight", json!({"textDocument": doc, "position": pos}));
    assert_eq!(hl.as_array().unwrap().len(), 1);

    // A position past the end, then a correct hover again.
    let far = c.request("textDocument/hover", json!({"textDocument": doc, "position": {"line": 99, "character": 99}}));
    assert!(far.is_null() || far.is_object());
    let again = c.request("textDocument/hover", json!({"textDocument": doc, "position": pos}));
    assert!(again["contents"]["value"].as_str().unwrap().contains("Barack Obama"));
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn code_action_creates_a_missing_definition() {
    let (_dir, root, article) = newsroom();
    let mut c = start(&root);
    let u = uri(&article);
    let text = format!("{ARTICLE}\n[someone]{{@no-such-person}} spoke.\n");
    c.open(&u, &text);
    c.wait_indexed();
    let d = c.wait_diagnostics(&u, 1, |d| has_undefined(d, "no-such-person"));
    let diag = d.iter().find(|d| d["code"] == "undefined-reference").unwrap().clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
    );
    let titles: Vec<&str> = actions.as_array().unwrap().iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.contains("no-such-person")), "{titles:?}");
    assert_eq!(c.shutdown(), Some(0));
}

/// Suppressions are honoured as in `check` (an unused one is reported);
/// `source.fixAll.newsmark` applies the safe fixes only; quick fixes say
/// when they are unsafe and only safe ones are preferred.
#[test]
fn suppressions_and_fix_all() {
    let (_dir, root, article) = newsroom();
    let mut c = Client::spawn(&root);
    let init = c.initialize(&root, json!({"debounceMs": 0}));
    let kinds = init["capabilities"]["codeActionProvider"]["codeActionKinds"].as_array().unwrap();
    assert!(kinds.iter().any(|k| k == "source.fixAll.newsmark"), "{kinds:?}");
    let u = uri(&article);
    let text = format!(
        "{ARTICLE}\nBarack Obama smiled.<!-- newsmark-disable-line untagged-mention -->\nBarack Obama left.<!-- newsmark-disable-line unknown-key -->\n\n@x: persn \"X\"\n"
    );
    c.open(&u, &text);
    c.wait_indexed();
    // Once indexed: `unused-definition` needs the whole workspace.
    let d = c.wait_diagnostics(&u, 1, |d| codes(d).contains(&"unused-definition".to_string()));
    let mut got = codes(&d);
    got.sort();
    assert_eq!(got, ["unknown-kind", "untagged-mention", "unused-definition", "unused-suppression"], "{d:?}");

    let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": 12, "character": 0}});
    let fix_all = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": all, "context": {"diagnostics": [], "only": ["source.fixAll.newsmark"]}}),
    );
    let fix_all = fix_all.as_array().unwrap();
    assert_eq!(fix_all.len(), 1, "{fix_all:?}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.newsmark");
    let edits = fix_all[0]["edit"]["changes"][&u].as_array().unwrap();
    let new_texts: Vec<&str> = edits.iter().map(|e| e["newText"].as_str().unwrap()).collect();
    // The unknown kind and the unused suppression; not the (unsafe) tag.
    assert_eq!(new_texts, ["", "person"], "{edits:?}");

    let mention = d.iter().find(|d| d["code"] == "untagged-mention").unwrap().clone();
    let quick = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": mention["range"], "context": {"diagnostics": [mention]}}),
    );
    let tag = quick.as_array().unwrap().iter().find(|a| a["title"].as_str().unwrap().starts_with("Tag")).unwrap();
    assert!(tag["title"].as_str().unwrap().ends_with("(unsafe fix: review it)"), "{tag}");
    assert!(tag["isPreferred"].is_null(), "{tag}");
    assert!(quick.as_array().unwrap().iter().any(|a| a["title"] == "Suppress `untagged-mention` on this line"));
    assert_eq!(c.shutdown(), Some(0));
}
