//! Protocol abuse against the built `newsmark lsp` over stdio: malformed
//! frames, wrong methods and parameters, lifecycle violations, documents out
//! of order, absurd positions, huge and pathological documents, and hostile
//! files on disk (garbage bytes, vanishing files, symlink loops, links out of
//! the workspace, a FIFO). After each case the server must still answer a
//! hover on a probe article correctly. Every wait is bounded by a timeout.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::lsp_client::{Client, uri};
use support::newsroom::temp_newsroom_with;

/// An article whose line 5 starts with a tag referring to Alejandro Mayorkas.
const PROBE: &str = "---\ntitle: Probe\npublished: 2015-11\n---\n\n[Mr. Mayorkas]{@alejandro-mayorkas} spoke.\n";
/// Line and UTF-16 column inside `@alejandro-mayorkas` on the probe line.
const PROBE_POS: (u32, u32) = (5, 18);

/// A temporary copy of examples/newsroom with the probe article on disk:
/// (guard, root, probe path).
fn newsroom() -> (tempfile::TempDir, PathBuf, PathBuf) {
    temp_newsroom_with("probe.nmk", PROBE)
}

fn init(c: &mut Client, root: &Path) {
    c.initialize(root, json!({"debounceMs": 0}));
}

/// Spawns, initializes, opens the probe, waits for indexing and checks the
/// hover once. Returns the client and the probe's URI.
fn start(root: &Path, probe: &Path) -> (Client, String) {
    let mut c = Client::spawn(root);
    init(&mut c, root);
    let u = uri(probe);
    c.open(&u, PROBE);
    c.wait_indexed();
    assert_alive(&mut c, &u, "start");
    (c, u)
}

fn hover_at(c: &mut Client, u: &str, line: u32, character: u32) -> Value {
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
    )
}

/// The server still answers a hover on the probe with the right content,
/// and has not panicked.
#[track_caller]
fn assert_alive(c: &mut Client, probe_uri: &str, after: &str) {
    let r = hover_at(c, probe_uri, PROBE_POS.0, PROBE_POS.1);
    let md = r["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("**Alejandro Mayorkas**"), "after {after}: hover was {r}");
    assert!(c.try_exit_code().is_none(), "after {after}: the server exited");
    let err = c.stderr_text();
    assert!(!err.contains("panicked"), "after {after}: the server panicked:\n{err}");
}

/// Sends a request by hand (any `params`, possibly absent) and returns the
/// whole response.
fn raw_request(c: &mut Client, method: &str, params: Option<Value>) -> Value {
    let id = c.take_id();
    let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
    if let Some(p) = params {
        msg["params"] = p;
    }
    c.send_raw(&msg.to_string());
    c.response(id)
}

fn error_code(resp: &Value) -> Option<i64> {
    resp["error"]["code"].as_i64()
}

fn change(c: &mut Client, u: &str, version: i64, range: ((u32, u32), (u32, u32)), text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": u, "version": version},
            "contentChanges": [{"range": {"start": {"line": range.0.0, "character": range.0.1},
                                          "end": {"line": range.1.0, "character": range.1.1}}, "text": text}]
        }),
    );
}

fn open_version(c: &mut Client, u: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "newsmark", "version": version, "text": text}}),
    );
}

fn watched(c: &mut Client, events: &[(&Path, u32)]) {
    let changes: Vec<Value> = events.iter().map(|(p, t)| json!({"uri": uri(p), "type": t})).collect();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": changes}));
}

const CREATED: u32 = 1;
const CHANGED: u32 = 2;
const DELETED: u32 = 3;

fn undefined_ids(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["code"] == "undefined-reference")
        .map(|d| d["message"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn malformed_frames_and_messages_are_skipped() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("invalid JSON", b"{this is not json".to_vec()),
        ("truncated JSON", br#"{"jsonrpc":"2.0","id":900,"method":"textDocument/hov"#.to_vec()),
        ("a body that is not UTF-8", b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}".to_vec()),
        ("NUL bytes", vec![0; 64]),
        ("an empty body", Vec::new()),
        ("a JSON array (batch)", br#"[{"jsonrpc":"2.0","id":901,"method":"shutdown"}]"#.to_vec()),
        ("a JSON string", br#""hello""#.to_vec()),
        ("an empty object", b"{}".to_vec()),
        ("an id that is an object", br#"{"jsonrpc":"2.0","id":{"a":1},"method":"shutdown"}"#.to_vec()),
        ("a method that is a number", br#"{"jsonrpc":"2.0","id":902,"method":7}"#.to_vec()),
        ("deeply nested JSON", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()),
    ];
    for (what, body) in cases {
        c.send_bytes(&body);
        assert_alive(&mut c, &u, what);
    }
    // Broken framing: no Content-Length, a non-numeric one, an absurd one,
    // then a frame with extra headers; the next good frame is still read.
    for (what, frame) in [
        ("a header without Content-Length", &b"Content-Type: application/json\r\n\r\n"[..]),
        ("a non-numeric Content-Length", b"Content-Length: twelve\r\n\r\n"),
        ("a negative Content-Length", b"Content-Length: -5\r\n\r\n"),
        ("an absurd Content-Length", b"Content-Length: 99999999999999999999\r\n\r\n"),
        ("stray bytes between frames", b"\r\n\r\n\xff\xfe garbage line\r\n\r\n"),
    ] {
        c.send_frame(frame);
        assert_alive(&mut c, &u, what);
    }
    let body = json!({"jsonrpc": "2.0", "method": "$/noSuchNotification"}).to_string();
    c.send_frame(
        format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert_alive(&mut c, &u, "extra headers");

    // Wrong `jsonrpc` versions: answered with Invalid Request, never served,
    // and the server reads on.
    for (what, version) in
        [("jsonrpc 1.0", json!("1.0")), ("jsonrpc as a number", json!(2)), ("jsonrpc null", Value::Null)]
    {
        let id = c.take_id();
        let msg = json!({"jsonrpc": version, "id": id, "method": "textDocument/hover",
                         "params": {"textDocument": {"uri": u}, "position": {"line": 5, "character": 18}}});
        c.send_raw(&msg.to_string());
        let resp = c.response(id);
        assert_eq!(error_code(&resp), Some(-32600), "{what}: {resp}");
        assert_alive(&mut c, &u, what);
    }
    let id = c.take_id();
    c.send_raw(&json!({"id": id, "method": "shutdown"}).to_string());
    let resp = c.response(id);
    assert_eq!(error_code(&resp), Some(-32600), "no jsonrpc member: {resp}");
    assert_alive(&mut c, &u, "a request without jsonrpc");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn unknown_methods_and_bad_params_get_errors() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);

    let resp = raw_request(&mut c, "newsmark/noSuchMethod", Some(json!({})));
    assert_eq!(error_code(&resp), Some(-32601), "{resp}");
    assert_alive(&mut c, &u, "an unknown request");
    let resp = raw_request(&mut c, "$/noSuchRequest", None);
    assert_eq!(error_code(&resp), Some(-32601), "{resp}");
    assert_alive(&mut c, &u, "an unknown $/ request");
    c.notify("newsmark/noSuchNotification", json!({"x": 1}));
    c.notify("$/noSuchNotification", json!([1, 2, 3]));
    assert_alive(&mut c, &u, "unknown notifications");
    c.notify("$/cancelRequest", json!({"id": 123456}));
    c.notify("$/cancelRequest", json!({"id": "nope"}));
    assert_alive(&mut c, &u, "cancelling requests that do not exist");
    // A response to a request the server never sent.
    c.send_raw(&json!({"jsonrpc": "2.0", "id": 424242, "result": {"x": 1}}).to_string());
    c.send_raw(&json!({"jsonrpc": "2.0", "id": "zz", "error": {"code": -1, "message": "no"}}).to_string());
    assert_alive(&mut c, &u, "responses to nothing");

    let pos = json!({"line": 5, "character": 18});
    let bad_requests: Vec<(&str, &str, Option<Value>)> = vec![
        ("hover without params", "textDocument/hover", None),
        ("hover with null params", "textDocument/hover", Some(Value::Null)),
        ("hover with array params", "textDocument/hover", Some(json!([1, 2]))),
        ("hover with a numeric document", "textDocument/hover", Some(json!({"textDocument": 42, "position": pos}))),
        ("hover without a position", "textDocument/hover", Some(json!({"textDocument": {"uri": u}}))),
        (
            "hover with a negative position",
            "textDocument/hover",
            Some(json!({"textDocument": {"uri": u}, "position": {"line": -1, "character": -5}})),
        ),
        (
            "hover with string coordinates",
            "textDocument/hover",
            Some(json!({"textDocument": {"uri": u}, "position": {"line": "5", "character": "18"}})),
        ),
        (
            "hover with a fractional position",
            "textDocument/hover",
            Some(json!({"textDocument": {"uri": u}, "position": {"line": 5.5, "character": 1e300}})),
        ),
        ("completion without params", "textDocument/completion", None),
        (
            "rename with a numeric name",
            "textDocument/rename",
            Some(json!({"textDocument": {"uri": u}, "position": pos, "newName": 7})),
        ),
        (
            "references without context",
            "textDocument/references",
            Some(json!({"textDocument": {"uri": u}, "position": pos})),
        ),
        (
            "codeAction with a string range",
            "textDocument/codeAction",
            Some(json!({"textDocument": {"uri": u}, "range": "all", "context": {"diagnostics": []}})),
        ),
        ("workspace/symbol without a query", "workspace/symbol", Some(json!({}))),
        (
            "semanticTokens/full with a bad uri",
            "textDocument/semanticTokens/full",
            Some(json!({"textDocument": {"uri": "not a uri"}})),
        ),
        ("initialize again", "initialize", Some(json!({"capabilities": {}}))),
    ];
    for (what, method, params) in bad_requests {
        let resp = raw_request(&mut c, method, params);
        assert!(resp.get("error").is_some() || resp["result"].is_null(), "{what}: {resp}");
        assert_alive(&mut c, &u, what);
    }
    // Requests on documents the server does not know: null, not a crash.
    for (what, doc) in [
        ("a document never opened", uri(&root.join("articles/never-opened.nmk"))),
        ("an untitled document", "untitled:Untitled-1".to_string()),
        ("a file outside every folder", "file:///definitely/not/here.nmk".to_string()),
    ] {
        let resp =
            raw_request(&mut c, "textDocument/hover", Some(json!({"textDocument": {"uri": doc}, "position": pos})));
        assert!(resp["result"].is_null() || resp.get("error").is_some(), "{what}: {resp}");
        assert_alive(&mut c, &u, what);
    }
    // Notifications with missing or wrong-typed params are dropped.
    let bad_notes: Vec<(&str, &str, Value)> = vec![
        ("didOpen without text", "textDocument/didOpen", json!({"textDocument": {"uri": u, "version": 9}})),
        (
            "didOpen with a numeric text",
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "newsmark", "version": 9, "text": 5}}),
        ),
        (
            "didChange with a string of changes",
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": 9}, "contentChanges": "all"}),
        ),
        (
            "didChange without a version",
            "textDocument/didChange",
            json!({"textDocument": {"uri": u}, "contentChanges": [{"text": "x"}]}),
        ),
        (
            "didChange with half a range",
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": 9}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}}, "text": "x"}]}),
        ),
        ("didClose without a document", "textDocument/didClose", json!({})),
        (
            "didChangeWatchedFiles with a bad type",
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": u, "type": 99}]}),
        ),
        ("didChangeWatchedFiles with no changes", "workspace/didChangeWatchedFiles", json!({})),
        ("didChangeConfiguration with junk", "workspace/didChangeConfiguration", json!({"settings": [1, {"x": null}]})),
        ("didSave of nothing", "textDocument/didSave", json!({"textDocument": {"uri": "file:///nope/newsmark.toml"}})),
    ];
    for (what, method, params) in bad_notes {
        c.notify(method, params);
        assert_alive(&mut c, &u, what);
    }
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn requests_before_initialize_and_after_shutdown() {
    let (_dir, root, probe) = newsroom();
    let mut c = Client::spawn(&root);
    let u = uri(&probe);
    let resp = raw_request(
        &mut c,
        "textDocument/hover",
        Some(json!({"textDocument": {"uri": u}, "position": {"line": 5, "character": 18}})),
    );
    assert_eq!(error_code(&resp), Some(-32002), "before initialize: {resp}");
    let resp = raw_request(&mut c, "shutdown", None);
    assert!(resp.get("error").is_some(), "shutdown before initialize: {resp}");
    // Notifications before initialize are dropped, not applied.
    c.open(&u, "not the probe");
    c.notify("initialized", json!({}));

    init(&mut c, &root);
    c.open(&u, PROBE);
    c.wait_indexed();
    assert_alive(&mut c, &u, "requests before initialize");

    // After shutdown: requests fail, notifications are ignored, `exit` ends
    // the process with code 0.
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    let resp = raw_request(
        &mut c,
        "textDocument/hover",
        Some(json!({"textDocument": {"uri": u}, "position": {"line": 5, "character": 18}})),
    );
    assert_eq!(error_code(&resp), Some(-32600), "hover after shutdown: {resp}");
    let resp = raw_request(&mut c, "shutdown", None);
    assert!(resp.get("error").is_some(), "a second shutdown: {resp}");
    change(&mut c, &u, 2, ((0, 0), (0, 0)), "x");
    c.notify("exit", Value::Null);
    let deadline = Instant::now() + support::lsp_client::TIMEOUT;
    let code = loop {
        if let Some(code) = c.try_exit_code() {
            break code;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0));
    assert!(!c.stderr_text().contains("panicked"), "{}", c.stderr_text());
}

#[test]
fn documents_out_of_order_and_stale_versions() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);

    let never = uri(&root.join("articles/never-opened.nmk"));
    change(&mut c, &never, 2, ((0, 0), (0, 0)), "x");
    assert_alive(&mut c, &u, "a change to a document never opened");
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": never}}));
    assert_alive(&mut c, &u, "closing a document never opened");
    c.notify("textDocument/didSave", json!({"textDocument": {"uri": never}}));
    assert_alive(&mut c, &u, "saving a document never opened");

    // A document edited with decreasing versions: the server follows the
    // wire order (the client's text is the truth; dropping a change would
    // desynchronize every later incremental edit).
    let doc = root.join("articles/stale.nmk");
    let du = uri(&doc);
    open_version(&mut c, &du, 10, "[Mr. Xi]{@xi-jinping} spoke.\n");
    c.wait_diagnostics(&du, 10, |_| true);
    change(&mut c, &du, 5, ((0, 20), (0, 20)), "zz");
    let d = c.wait_diagnostics(&du, 5, |d| undefined_ids(d).iter().any(|m| m.contains("xi-jinpingzz")));
    assert_eq!(undefined_ids(&d).len(), 1, "{d:?}");
    assert_alive(&mut c, &u, "a didChange with a lower version");
    change(&mut c, &du, 5, ((0, 20), (0, 22)), "");
    c.wait_diagnostics(&du, 5, |d| undefined_ids(d).is_empty());
    assert_alive(&mut c, &u, "a didChange with the same version");
    change(&mut c, &du, -3, ((0, 0), (0, 0)), "");
    change(&mut c, &du, i32::MAX as i64, ((0, 0), (0, 0)), "");
    c.wait_diagnostics(&du, i32::MAX as i64, |_| true);
    assert_alive(&mut c, &u, "negative and maximal versions");
    let hover = hover_at(&mut c, &du, 0, 12);
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("Xi Jinping"), "{hover}");

    // Opened twice, closed twice, changed after close.
    open_version(&mut c, &du, 1, "first\n");
    open_version(&mut c, &du, 1, "[Mr. Xi]{@xi-jinping} again.\n");
    let hover = hover_at(&mut c, &du, 0, 12);
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("Xi Jinping"), "{hover}");
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": du}}));
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": du}}));
    change(&mut c, &du, 3, ((0, 0), (0, 0)), "x");
    assert_alive(&mut c, &u, "open twice, close twice, change after close");
    // The probe itself closed and reopened.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    c.open(&u, PROBE);
    assert_alive(&mut c, &u, "closing and reopening the probe");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn positions_far_past_the_end_clamp() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);
    let far = json!({"line": u32::MAX, "character": u32::MAX});
    let far_char = json!({"line": 5, "character": u32::MAX});
    let doc = json!({"uri": u});
    for (method, params) in [
        ("textDocument/hover", json!({"textDocument": doc, "position": far})),
        ("textDocument/hover", json!({"textDocument": doc, "position": far_char})),
        ("textDocument/definition", json!({"textDocument": doc, "position": far})),
        ("textDocument/completion", json!({"textDocument": doc, "position": far})),
        ("textDocument/completion", json!({"textDocument": doc, "position": far_char})),
        (
            "textDocument/references",
            json!({"textDocument": doc, "position": far, "context": {"includeDeclaration": true}}),
        ),
        ("textDocument/documentHighlight", json!({"textDocument": doc, "position": far})),
        ("textDocument/prepareRename", json!({"textDocument": doc, "position": far})),
        ("textDocument/rename", json!({"textDocument": doc, "position": far, "newName": "x"})),
        ("textDocument/semanticTokens/range", json!({"textDocument": doc, "range": {"start": far, "end": far}})),
        (
            "textDocument/semanticTokens/range",
            json!({"textDocument": doc, "range": {"start": far, "end": {"line": 0, "character": 0}}}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": doc, "range": {"start": far_char, "end": far}, "context": {"diagnostics": []}}),
        ),
    ] {
        let resp = raw_request(&mut c, method, Some(params));
        assert!(resp.get("result").is_some() || resp.get("error").is_some(), "{method}: {resp}");
        assert_alive(&mut c, &u, method);
    }
    // Edits past the end append; a reversed range is put in order.
    let other = uri(&root.join("articles/far.nmk"));
    open_version(&mut c, &other, 1, "abc\n");
    change(&mut c, &other, 2, ((u32::MAX, u32::MAX), (u32::MAX, u32::MAX)), "[Mr. Xi]{@xi-jinping}");
    change(&mut c, &other, 3, ((0, u32::MAX), (0, 1)), "");
    change(&mut c, &other, 4, ((1, 0), (0, 1000)), "\n");
    c.wait_diagnostics(&other, 4, |_| true);
    let hover = hover_at(&mut c, &other, 1, 12);
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("Xi Jinping"), "{hover}");
    assert_alive(&mut c, &u, "edits far past the end");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn a_50_mb_document() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);
    // 50 MB of prose with a tag per line: built by repeating one line.
    // Tagged with the display name: no per-tag diagnostic, so this measures
    // size, not the number of diagnostics (see the 1 MB line for that).
    let line = "The deputy [Alejandro Mayorkas]{@alejandro-mayorkas} went to the capital and met officials.\n";
    let text = line.repeat((50 << 20) / line.len() + 1);
    assert!(text.len() >= 50 << 20);
    let big = uri(&root.join("articles/big.nmk"));
    let t = Instant::now();
    c.open(&big, &text);
    drop(text);
    // The first request after it waits for the document to be parsed and
    // indexed (seconds in a debug build): a longer timeout than usual.
    let id = c.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": PROBE_POS.0, "character": PROBE_POS.1}}),
    );
    let first = c.response_within(id, Duration::from_secs(90)).expect("no hover within 90 s of a 50 MB didOpen");
    eprintln!("50 MB document: first hover after {:.1} s", t.elapsed().as_secs_f64());
    assert!(first.to_string().contains("Alejandro Mayorkas"), "{first}");
    assert_alive(&mut c, &u, "a 50 MB didOpen");
    let hover = hover_at(&mut c, &big, 300_000, 33);
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("Alejandro Mayorkas"), "{hover}");
    // (Edits are exercised on the 1 MB line: each edit of this one costs a
    // full re-parse, seconds in a debug build.)
    eprintln!("50 MB document: open and two hovers in {:.1} s", t.elapsed().as_secs_f64());
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": big}}));
    assert_alive(&mut c, &u, "closing the 50 MB document");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn a_one_megabyte_line() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);
    let unit = "[Mr. Xi]{@xi-jinping} said é 😀 ";
    let mut text = unit.repeat((1 << 20) / unit.len() + 1);
    text.push('\n');
    let long = uri(&root.join("articles/long-line.nmk"));
    c.open(&long, &text);
    c.wait_diagnostics(&long, 1, |_| true);
    assert_alive(&mut c, &u, "a 1 MB line");
    // Hover at the start of the 1000th tag (UTF-16: é is 1 unit, 😀 is 2).
    let unit16 = unit.encode_utf16().count() as u32;
    let hover = hover_at(&mut c, &long, 0, unit16 * 1000 + 12);
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("Xi Jinping"), "{hover}");
    let resp = raw_request(
        &mut c,
        "textDocument/completion",
        Some(json!({"textDocument": {"uri": long}, "position": {"line": 0, "character": u32::MAX}})),
    );
    assert!(resp.get("result").is_some(), "{resp}");
    // Edits in the middle of the line, one inside a surrogate pair.
    for v in 2..20 {
        change(&mut c, &long, v, ((0, unit16 * 500 + 29), (0, unit16 * 500 + 29)), "x");
    }
    // Each change of the 1 MB document is parsed and indexed as it arrives
    // (about 0.4 s in a debug build, more while other tests load the CPU).
    c.wait_diagnostics_within(&long, 19, Duration::from_secs(90), |_| true);
    let r = raw_request(&mut c, "textDocument/semanticTokens/full", Some(json!({"textDocument": {"uri": long}})));
    assert!(r.get("result").is_some(), "{r}");
    assert_alive(&mut c, &u, "edits in a 1 MB line");
    // Every tag of the line undefined: tens of thousands of diagnostics.
    let unit = "[Mr. Zz]{@zz-nobody} said é 😀 ";
    let mut text = unit.repeat((1 << 20) / unit.len() + 1);
    text.push('\n');
    let t = Instant::now();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": long, "version": 30}, "contentChanges": [{"text": text}]}),
    );
    let d = c.wait_diagnostics(&long, 30, |_| true);
    assert!(d.len() > 20_000, "{}", d.len());
    eprintln!("1 MB line: {} diagnostics in {:.1} s", d.len(), t.elapsed().as_secs_f64());
    assert_alive(&mut c, &u, "a 1 MB line full of undefined references");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn a_million_nested_brackets() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);
    let deep = uri(&root.join("articles/deep.nmk"));
    let open_only = "[".repeat(1_000_000);
    c.open(&deep, &open_only);
    let d = c.wait_diagnostics(&deep, 1, |_| true);
    assert!(d.len() < 10_000, "{} diagnostics", d.len());
    assert_alive(&mut c, &u, "1,000,000 `[`");
    // Balanced: a million brackets around a tag, as a full-text change.
    let balanced = format!("{}[Mr. Xi]{{@xi-jinping}}{}\n", "[".repeat(1_000_000), "]".repeat(1_000_000));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": deep, "version": 2}, "contentChanges": [{"text": balanced}]}),
    );
    c.wait_diagnostics(&deep, 2, |_| true);
    for method in ["textDocument/semanticTokens/full", "textDocument/foldingRange", "textDocument/documentSymbol"] {
        let r = raw_request(&mut c, method, Some(json!({"textDocument": {"uri": deep}})));
        assert!(r.get("result").is_some(), "{method}: {r}");
    }
    let hover = hover_at(&mut c, &deep, 0, 1_000_000 + 12);
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("Xi Jinping"), "{hover}");
    assert_alive(&mut c, &u, "1,000,000 nested `[`");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn binary_garbage_on_disk() {
    let (_dir, root, probe) = newsroom();
    // Picked up by indexing.
    std::fs::write(root.join("articles/invalid-utf8.nmk"), b"[Mr. Xi]{@xi-jinping} \xff\xfe\xc3\x28 \x80").unwrap();
    std::fs::write(root.join("articles/nul.nmk"), b"[Mr. Xi]\0{@xi-\0jinping}\0\0\0\n\0").unwrap();
    let noise: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(root.join("articles/noise.nmk"), &noise).unwrap();
    let (mut c, u) = start(&root, &probe);
    assert_alive(&mut c, &u, "indexing garbage files");

    // Changed on disk after indexing, then reported by the client.
    let later = root.join("articles/later.nmk");
    std::fs::write(&later, b"\0\0\xff[[[{@\xc0\xaf").unwrap();
    watched(&mut c, &[(&later, CREATED)]);
    assert_alive(&mut c, &u, "a watched garbage file created");
    std::fs::write(root.join("articles/nul.nmk"), &noise[..1000]).unwrap();
    watched(&mut c, &[(&root.join("articles/nul.nmk"), CHANGED), (&root.join("articles/noise.nmk"), DELETED)]);
    assert_alive(&mut c, &u, "watched garbage files changed");
    // A registry overwritten with garbage: its definitions go, and come back.
    let people = root.join("registry/people.nmk");
    let people_text = std::fs::read(&people).unwrap();
    std::fs::write(&people, &noise[..5000]).unwrap();
    watched(&mut c, &[(&people, CHANGED)]);
    let hover = hover_at(&mut c, &u, PROBE_POS.0, PROBE_POS.1);
    assert!(!hover.to_string().contains("**Alejandro Mayorkas**"), "{hover}");
    std::fs::write(&people, &people_text).unwrap();
    watched(&mut c, &[(&people, CHANGED)]);
    assert_alive(&mut c, &u, "a registry turned to garbage and back");
    // NUL bytes and control characters in an open document.
    let nul_doc = uri(&root.join("articles/nul-open.nmk"));
    c.open(&nul_doc, "\0[Mr. Xi]{@xi-jinping}\0\u{1}\u{7f}\u{feff}\u{fffd}\n\0");
    c.wait_diagnostics(&nul_doc, 1, |_| true);
    assert_alive(&mut c, &u, "NUL bytes in an open document");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn odd_file_types_reported_by_the_watcher() {
    let (_dir, root, probe) = newsroom();
    let (mut c, u) = start(&root, &probe);
    // A FIFO named like an article: reading it would block forever.
    let fifo = root.join("articles/x.nmk");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    // A folder named like an article, a file that does not exist.
    let folder = root.join("articles/y.nmk");
    std::fs::create_dir(&folder).unwrap();
    let missing = root.join("articles/missing.nmk");
    for _ in 0..8 {
        watched(&mut c, &[(&fifo, CREATED), (&fifo, CHANGED), (&folder, CREATED), (&missing, CHANGED)]);
    }
    assert_alive(&mut c, &u, "a FIFO, a folder and a missing file reported as changed");
    // None of them became a workspace file (no `unreadable` for a folder).
    let syms = c.request("workspace/symbol", json!({"query": ""}));
    assert!(!syms.to_string().contains("y.nmk"), "{syms}");
    // The watcher still works afterwards.
    let extra = root.join("articles/extra.nmk");
    std::fs::write(&extra, "@extra-person: person \"Extra Person\"\n").unwrap();
    watched(&mut c, &[(&extra, CREATED)]);
    let syms = c.request("workspace/symbol", json!({"query": "extra-person"}));
    assert!(syms.to_string().contains("extra-person"), "{syms}");
    // A FIFO opened and closed in the editor: closing falls back to the disk.
    c.open(&uri(&fifo), "[Mr. Xi]{@xi-jinping}\n");
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": uri(&fifo)}}));
    assert_alive(&mut c, &u, "a FIFO opened and closed");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn files_deleted_or_unreadable_while_indexing() {
    let (_dir, root, probe) = newsroom();
    let many = root.join("articles/many");
    std::fs::create_dir_all(&many).unwrap();
    let body = "---\ntitle: Filler\npublished: 2015-11\n---\n\n[Mr. Xi]{@xi-jinping} and [Obama]{@barack-obama} met.\n"
        .repeat(20);
    let n = 3000;
    let paths: Vec<PathBuf> = (0..n).map(|i| many.join(format!("a{i:05}.nmk"))).collect();
    for p in &paths {
        std::fs::write(p, &body).unwrap();
    }
    let mut c = Client::spawn(&root);
    init(&mut c, &root);
    // While the server walks and reads: delete a third, make a third
    // unreadable, replace some by folders and some by dangling links.
    for (i, p) in paths.iter().enumerate() {
        match i % 6 {
            0 | 3 => {
                let _ = std::fs::remove_file(p);
            }
            1 => {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o000));
            }
            2 => {
                let _ = std::fs::remove_file(p);
                let _ = std::fs::create_dir(p);
            }
            4 => {
                let _ = std::fs::remove_file(p);
                let _ = std::os::unix::fs::symlink(many.join("gone"), p);
            }
            _ => {}
        }
    }
    let _ = std::fs::remove_dir_all(root.join("registry/nothing-here"));
    let u = uri(&probe);
    c.open(&u, PROBE);
    c.wait_indexed();
    assert_alive(&mut c, &u, "files deleted and made unreadable while indexing");
    // The folder holding half of them removed while a reload runs.
    std::fs::write(root.join("newsmark.toml"), "[lint]\nrequired-front-matter = [\"title\"]\n").unwrap();
    watched(&mut c, &[(&root.join("newsmark.toml"), CHANGED)]);
    let _ = std::fs::remove_dir_all(&many);
    std::thread::sleep(Duration::from_millis(300));
    assert_alive(&mut c, &u, "a folder removed during a reload");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn symlink_loops() {
    let (_dir, root, probe) = newsroom();
    let arts = root.join("articles");
    std::os::unix::fs::symlink(arts.join("self.nmk"), arts.join("self.nmk")).unwrap();
    std::os::unix::fs::symlink(arts.join("b.nmk"), arts.join("a.nmk")).unwrap();
    std::os::unix::fs::symlink(arts.join("a.nmk"), arts.join("b.nmk")).unwrap();
    std::os::unix::fs::symlink(&root, arts.join("up")).unwrap();
    std::os::unix::fs::symlink(&arts, arts.join("here")).unwrap();
    let (mut c, u) = start(&root, &probe);
    assert_alive(&mut c, &u, "indexing symlink loops");
    watched(
        &mut c,
        &[(&arts.join("self.nmk"), CHANGED), (&arts.join("a.nmk"), CREATED), (&arts.join("up/up/x.nmk"), CREATED)],
    );
    assert_alive(&mut c, &u, "symlink loops reported by the watcher");
    // Opened through a loop of folder links: still one workspace, still served.
    let looped = uri(&arts.join("here/here/here/probe.nmk"));
    c.open(&looped, PROBE);
    let hover = hover_at(&mut c, &looped, PROBE_POS.0, PROBE_POS.1);
    assert!(hover.is_null() || hover["contents"]["value"].as_str().unwrap_or_default().contains("Alejandro Mayorkas"));
    assert_alive(&mut c, &u, "a document opened through linked folders");
    assert_eq!(c.shutdown(), Some(0));
}

#[test]
fn symlinks_out_of_the_workspace_are_never_followed() {
    let (dir, root, probe) = newsroom();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let secret = outside.join("secret.nmk");
    std::fs::write(&secret, "@secret-agent: person \"Secret Agent\"\n").unwrap();
    let arts = root.join("articles");
    std::os::unix::fs::symlink(&secret, arts.join("leak.nmk")).unwrap();
    std::os::unix::fs::symlink(&outside, arts.join("ext")).unwrap();
    let text = format!("{PROBE}[Agent]{{@secret-agent}} too.\n");
    std::fs::write(&probe, &text).unwrap();

    let mut c = Client::spawn(&root);
    init(&mut c, &root);
    let u = uri(&probe);
    c.open(&u, &text);
    c.wait_indexed();
    let secret_pos = json!({"textDocument": {"uri": u}, "position": {"line": 6, "character": 12}});
    let check = |c: &mut Client, after: &str| {
        // Notifications are handled concurrently with later requests: give
        // the watcher's work time to land before looking.
        std::thread::sleep(Duration::from_millis(300));
        assert_alive(c, &u, after);
        let def = c.request("textDocument/definition", secret_pos.clone());
        assert!(def.is_null() || def.as_array().is_some_and(|a| a.is_empty()), "after {after}: {def}");
        let syms = c.request("workspace/symbol", json!({"query": "secret"}));
        assert!(!syms.to_string().contains("secret-agent"), "after {after}: {syms}");
        let hover = c.request("textDocument/hover", secret_pos.clone());
        assert!(!hover.to_string().contains("**Secret Agent**"), "after {after}: {hover}");
    };
    check(&mut c, "indexing");
    let v = c.wait_diagnostics(&u, 1, |d| undefined_ids(d).iter().any(|m| m.contains("secret-agent")));
    assert_eq!(undefined_ids(&v).len(), 1, "{v:?}");

    // The watcher reports the link and the file behind the linked folder.
    watched(
        &mut c,
        &[
            (&arts.join("leak.nmk"), CREATED),
            (&arts.join("leak.nmk"), CHANGED),
            (&arts.join("ext/secret.nmk"), CREATED),
        ],
    );
    check(&mut c, "the watcher reported the links");
    // Opened and closed in the editor: once closed, the disk (a link out)
    // is not read.
    c.open(&uri(&arts.join("leak.nmk")), "nothing here\n");
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": uri(&arts.join("leak.nmk"))}}));
    check(&mut c, "the link was opened and closed");
    // A newsmark.toml change reloads the workspace: still not followed.
    watched(&mut c, &[(&root.join("newsmark.toml"), CHANGED)]);
    std::thread::sleep(Duration::from_millis(300));
    check(&mut c, "a reload");
    assert_eq!(c.shutdown(), Some(0));
}
