//! In-process protocol tests: the service served over a `tokio::io::duplex`
//! pipe behind the server's input guard, spoken to with framed JSON-RPC.
//! Tests of the state model hold an indexing job at the point where its
//! result is about to be swapped in (`Session::hooks`), so that changes
//! arrive "during indexing" by construction, not by timing.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

use super::convert;
use crate::text::PositionEncoding;

/// A method of the test build that panics while reading a snapshot.
pub const PANIC_REQUEST: &str = "newsmark/testPanic";
/// A method of the test build that holds its snapshot until the document
/// changes or the request is cancelled.
pub const HOLD_REQUEST: &str = "newsmark/testHold";

struct Pipe {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    next_id: i64,
    notifications: Vec<Value>,
    session: Arc<super::session::Session>,
}

impl Pipe {
    fn start() -> Pipe {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server);
        let (exit_tx, _exit_rx) = tokio::sync::oneshot::channel();
        let (serve, _output, session) = super::connect(server_read, server_write, exit_tx);
        tokio::spawn(serve);
        let (reader, writer) = tokio::io::split(client);
        Pipe { reader: BufReader::new(reader), writer, next_id: 0, notifications: Vec::new(), session }
    }

    async fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
    }

    async fn read(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        self.reply(id).await
    }

    /// Reads one message: answers a request of the server (with `null`),
    /// keeps a notification, returns a response.
    async fn pump(&mut self) -> Option<Value> {
        let msg = self.read().await;
        if msg.get("method").is_none() {
            return Some(msg);
        }
        match msg.get("id").cloned() {
            Some(id) => self.send(json!({"jsonrpc": "2.0", "id": id, "result": null})).await,
            None => self.notifications.push(msg),
        }
        None
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    /// Sends a request without waiting for its reply; returns its id.
    async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        id
    }

    /// Reads until the reply to `id`, keeping notifications.
    async fn reply(&mut self, id: i64) -> Value {
        let fut = async {
            loop {
                if let Some(msg) = self.pump().await.filter(|m| m["id"] == json!(id)) {
                    return msg;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), fut).await.expect("no response")
    }

    /// Reads until `done` holds for the notifications received; fails
    /// after 20 s. The outcome is decided by what arrived, not by the wait.
    async fn until(&mut self, what: &str, done: impl Fn(&Pipe) -> bool) {
        let fut = async {
            while !done(self) {
                self.pump().await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(20), fut).await.is_err() {
            panic!("{what} never came; latest diagnostics: {:#?}", self.latest_diagnostics());
        }
    }

    /// Reads until `done` holds for the latest diagnostics published for
    /// each URI.
    async fn until_diagnostics(&mut self, done: impl Fn(&std::collections::HashMap<String, Value>) -> bool) {
        self.until("the diagnostics expected", |p| done(&p.latest_diagnostics())).await;
    }

    fn latest_diagnostics(&self) -> std::collections::HashMap<String, Value> {
        let mut out = std::collections::HashMap::new();
        for n in self.notifications.iter().filter(|n| n["method"] == "textDocument/publishDiagnostics") {
            out.insert(n["params"]["uri"].as_str().unwrap_or_default().to_string(), n["params"].clone());
        }
        out
    }

    /// Returns once the server has applied every notification sent so
    /// far: they apply before the next message is read, so a reply to a
    /// request sent after them comes after.
    async fn sync(&mut self) {
        self.request("workspace/symbol", json!({"query": "sync"})).await;
    }

    /// A server indexing `root` (from `newsroom`), held just before its
    /// result is swapped in (every file read), with the article open.
    async fn holding_indexing(root: &Path) -> (Pipe, String) {
        let mut p = Pipe::start();
        p.session.hooks.hold_indexing.store(true, std::sync::atomic::Ordering::Release);
        p.initialize(root, false).await;
        p.session.hooks.indexing_held.notified().await;
        let article = file_uri(&root.join("article.nmk"));
        p.open(&article, ARTICLE).await;
        (p, article)
    }

    /// Lets the held indexing job go on, once the server has applied
    /// everything sent before.
    async fn release_indexing(&mut self) {
        self.sync().await;
        self.session.hooks.release_indexing.notify_one();
    }

    /// Waits (5 s at most) until `n` test holds run on blocking threads.
    async fn holds_running_until(&self, n: usize) {
        let running = || self.session.hooks.holds_running.load(std::sync::atomic::Ordering::Acquire);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while running() != n && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(running(), n, "test holds running");
    }

    /// A server started on `root`, once its indexing has ended.
    async fn indexed(root: &Path) -> Pipe {
        let mut p = Pipe::start();
        p.initialize(root, true).await;
        p.until_progress_end().await;
        p
    }

    /// Reads until indexing reports its end (`$/progress` with `end`).
    async fn until_progress_end(&mut self) {
        let end = |n: &Value| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end";
        self.until("the end of indexing", |p| p.notifications.iter().any(end)).await;
    }

    /// Initializes with `root` as the workspace folder; with `progress`,
    /// the server reports indexing progress (and asks the client first, so
    /// the test must read on while indexing).
    async fn initialize(&mut self, root: &Path, progress: bool) {
        self.initialize_with(root, progress, json!({})).await;
    }

    /// [`initialize`](Self::initialize) with more initialization options.
    async fn initialize_with(&mut self, root: &Path, progress: bool, options: Value) {
        let uri = format!("file://{}", root.display());
        let mut all = json!({"diagnosticDelayMs": 0});
        if let (Some(all), Some(more)) = (all.as_object_mut(), options.as_object()) {
            all.extend(more.clone());
        }
        self.request(
            "initialize",
            json!({"capabilities": {"window": {"workDoneProgress": progress}},
                   "rootUri": uri, "initializationOptions": all}),
        )
        .await;
        self.notify("initialized", json!({})).await;
    }

    async fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": "newsmark", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc})).await;
    }

    async fn change(&mut self, uri: &str, version: i32, text: &str) {
        let params = json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]});
        self.notify("textDocument/didChange", params).await;
    }

    /// A `didChange` replacing `start..end` (UTF-16 line and column) by
    /// `text`, as editors send typing.
    async fn change_range(&mut self, uri: &str, version: i32, start: (u32, u32), end: (u32, u32), text: &str) {
        let range =
            json!({"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}});
        let params = json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": text}]});
        self.notify("textDocument/didChange", params).await;
    }

    async fn close(&mut self, uri: &str) {
        self.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}})).await;
    }

    async fn watched(&mut self, path: &Path, typ: u32) {
        let changes = json!([{"uri": format!("file://{}", path.display()), "type": typ}]);
        self.notify("workspace/didChangeWatchedFiles", json!({"changes": changes})).await;
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The codes of a publication's diagnostics.
fn codes(published: Option<&Value>) -> Vec<String> {
    let Some(p) = published else { return vec!["<none>".into()] };
    p["diagnostics"].as_array().into_iter().flatten().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

/// What `check` finds in `file` on the texts on disk now: (code, line,
/// column, message), as the server publishes them (UTF-16 columns).
fn check_on_disk(root: &Path, file: &Path) -> Vec<(String, u64, u64, String)> {
    let plan = crate::workspace::load::plan(root).unwrap();
    for ws in plan.build(root, &|| {}) {
        let Some(id) = ws.file_id(file) else { continue };
        let text = ws.file(id).unwrap().text.clone();
        let parse = crate::syntax::parse(&text);
        let index = crate::text::LineIndex::new(&text);
        let opts = crate::analysis::diagnostics::CheckOptions::default();
        return crate::analysis::diagnostics::file_diagnostics(&ws, id, &parse, opts)
            .into_iter()
            .map(|d| {
                let at = index.line_col(&text, d.range.start, crate::text::PositionEncoding::Utf16);
                (d.code.as_str().to_string(), u64::from(at.line), u64::from(at.col), d.message)
            })
            .collect();
    }
    panic!("{} is not in a workspace of {}", file.display(), root.display());
}

/// The same four fields of a publication.
fn published(p: Option<&Value>) -> Vec<(String, u64, u64, String)> {
    let Some(p) = p else { return Vec::new() };
    p["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["range"]["start"]["character"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn write(root: &Path, rel: &str, text: &str) -> std::path::PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// A newsroom: a registry defining `@a`, an article referring to `@a` and
/// `@b`.
fn newsroom() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write(&root, "newsmark.toml", "");
    write(&root, "registry.nmk", "@a: person \"Ann Alder\"\n");
    write(&root, "article.nmk", ARTICLE);
    (dir, root)
}

const ARTICLE: &str = "[Ann Alder]{@a} met [Bo Birch]{@b}.\n";

fn temp_file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lone.nmk");
    std::fs::write(&path, text).unwrap();
    (dir, format!("file://{}", path.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiates_utf8_and_answers_in_it() {
    let mut p = Pipe::start();
    let init = p
        .request(
            "initialize",
            json!({"capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]},
                                    "textDocument": {"diagnostic": {}}},
                   "initializationOptions": {"debounceMs": 0}}),
        )
        .await;
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    // Declaring pull support without opting in keeps diagnostics pushed.
    assert!(init["result"]["capabilities"]["diagnosticProvider"].is_null());
    p.notify("initialized", json!({})).await;
    // A lone file (no workspace folder, no newsmark.toml): its own workspace.
    let text = "Café [Zoë]{@zoe} met.\n\n@zoe: person \"Zoë\"\n";
    let (_dir, uri) = temp_file(text);
    p.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "newsmark", "version": 1, "text": text}}),
    )
    .await;
    // `@zoe` starts at byte 13 (é and ë are two bytes each).
    let hover = p
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 14}}))
        .await;
    assert!(hover["result"]["contents"]["value"].as_str().unwrap().contains("Zoë"), "{hover}");
    assert_eq!(hover["result"]["range"]["start"]["character"], 13);
    let def = p
        .request(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 14}}),
        )
        .await;
    assert_eq!(def["result"]["range"]["start"], json!({"line": 2, "character": 0}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_before_initialize_and_on_unopened_documents() {
    let mut p = Pipe::start();
    let early = p
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///x.nmk"}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(early.get("error").is_some());
    let init = p
        .request(
            "initialize",
            json!({"capabilities": {"textDocument": {"diagnostic": {}}}, "initializationOptions": {"pullDiagnostics": true}}),
        )
        .await;
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["result"]["capabilities"]["diagnosticProvider"]["identifier"], "newsmark");
    p.notify("initialized", json!({})).await;
    let none = p
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///x.nmk"}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert_eq!(none["result"], Value::Null);
    // Pull diagnostics.
    let text = "[x]{@missing}\n";
    let (_dir, uri) = temp_file(text);
    p.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "newsmark", "version": 1, "text": text}}),
    )
    .await;
    let report = p.request("textDocument/diagnostic", json!({"textDocument": {"uri": uri}})).await;
    let items = report["result"]["items"].as_array().unwrap();
    assert!(items.iter().any(|d| d["code"] == "undefined-reference"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_on_disk_during_indexing_is_not_lost() {
    let (_dir, root) = newsroom();
    let (mut p, article) = Pipe::holding_indexing(&root).await;
    let registry = write(&root, "registry.nmk", "@a: person \"Ann Alder\"\n\n@b: person \"Bo Birch\"\n");
    p.watched(&registry, 2).await;
    // An edit during indexing too.
    let edited = "[Ann Alder]{@a} met [Bo Birch]{@b} and [Cy]{@c}.\n";
    p.change(&article, 2, edited).await;
    p.release_indexing().await;
    write(&root, "article.nmk", edited);
    let expected = check_on_disk(&root, &root.join("article.nmk"));
    let undefined: Vec<&str> = expected.iter().filter(|d| d.0 == "undefined-reference").map(|d| d.3.as_str()).collect();
    assert!(undefined.len() == 1 && undefined[0].contains("@c"), "{expected:?}");
    p.until_diagnostics(|latest| {
        latest.get(&article).is_some_and(|d| d["version"] == 2 && published(Some(d)) == expected)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_changed_during_indexing_is_not_lost() {
    let (_dir, root) = newsroom();
    let (mut p, article) = Pipe::holding_indexing(&root).await;
    let config = write(&root, "newsmark.toml", "[rules]\nundefined-reference = \"hint\"\n");
    p.watched(&config, 2).await;
    p.release_indexing().await;
    p.until_diagnostics(|latest| {
        latest.get(&article).is_some_and(|d| {
            let diags = d["diagnostics"].as_array().cloned().unwrap_or_default();
            diags.len() == 1 && diags[0]["code"] == "undefined-reference" && diags[0]["severity"] == 4
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_edits_ends_as_check_sees_the_final_texts() {
    let (_dir, root) = newsroom();
    let second = write(&root, "second.nmk", "[Bo]{@b} again.\n");
    let mut p = Pipe::start();
    p.initialize(&root, false).await;
    let article = file_uri(&root.join("article.nmk"));
    let other = file_uri(&second);
    p.open(&article, ARTICLE).await;
    p.open(&other, "[Bo]{@b} again.\n").await;
    let mut text = String::from(ARTICLE);
    for i in 0..30u32 {
        text = match i % 3 {
            0 => format!("{text}[Cy]{{@c{i}}} spoke.\n"),
            1 => text.replacen("@b", "@bb", 1),
            _ => format!("{text}\n@c{i}: person \"Cy {i}\"\n"),
        };
        p.change(&article, i as i32 + 2, &text).await;
        if i % 5 == 0 {
            let defs: String = (0..=i).map(|k| format!("@x{k}: person \"X {k}\"\n\n")).collect();
            let registry = write(&root, "registry.nmk", &format!("@a: person \"Ann Alder\"\n\n{defs}"));
            p.watched(&registry, 2).await;
        }
        if i % 4 == 0 {
            let hover = json!({"textDocument": {"uri": article}, "position": {"line": 0, "character": 7}});
            let reply = p.request("textDocument/hover", hover).await;
            assert!(reply.get("error").is_none() || reply["error"]["code"] == -32801, "{reply}");
        }
    }
    // The last edit defines `@b` in the second article's workspace file.
    let last = format!("{text}\n@b: person \"Bo Birch\"\n");
    p.change(&article, 40, &last).await;
    write(&root, "article.nmk", &last);
    let want_article = check_on_disk(&root, &root.join("article.nmk"));
    let want_other = check_on_disk(&root, &second);
    p.until_diagnostics(|latest| {
        latest.get(&article).is_some_and(|d| d["version"] == 40 && published(Some(d)) == want_article)
            && published(latest.get(&other)) == want_other
    })
    .await;
    let other_codes = codes(p.latest_diagnostics().get(&other));
    assert!(!other_codes.contains(&"undefined-reference".to_string()), "`@b` is defined now: {other_codes:?}");
}

/// Typing (ranged changes, reparsed by region and set into the workspace
/// by difference) in a registry and in an article that reads it: the last
/// diagnostics of both are those `check` gives for the final texts, and the
/// article is checked again when a name it mentions changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_in_a_registry_and_an_article_ends_as_check_sees_the_final_texts() {
    let (_dir, root) = newsroom();
    let registry_text = "@a: person \"Ann Alder\"\n\n<!-- people -->\n\n@b: person \"Bo Birch\"\n  aka: Bo\n";
    let article_text = "Ann Alder met Bo.\n\n<!-- note -->\n[Ann]{@a} said “yes”.\n";
    write(&root, "registry.nmk", registry_text);
    write(&root, "article.nmk", article_text);
    let mut p = Pipe::start();
    p.initialize(&root, true).await;
    p.until_progress_end().await;
    let registry = file_uri(&root.join("registry.nmk"));
    let article = file_uri(&root.join("article.nmk"));
    p.open(&registry, registry_text).await;
    p.open(&article, article_text).await;
    // `Bo` stops being a name of `@b`, then `Birch` becomes one; the
    // article's `Bo` is typed into `Bob`, and an undefined reference letter
    // by letter. Then, once the article's diagnostics are out, the registry
    // gets a comment typed next to another and defines `@c`, which only a
    // change reaching the article can show it (its "did you mean").
    type Typed<'a> = (&'a str, (u32, u32), (u32, u32), &'a str);
    let before: &[Typed] = &[
        (&registry, (5, 7), (5, 9), "Birch"),
        (&article, (0, 16), (0, 16), "b"),
        (&article, (3, 21), (3, 21), " [Cy]{@c"),
        (&article, (3, 29), (3, 29), "y"),
        (&article, (3, 30), (3, 30), "}"),
    ];
    let after: &[Typed] = &[
        (&registry, (2, 15), (2, 15), " x"),
        (&registry, (0, 0), (0, 0), "@c: person \"Cy\"\n\n"),
        (&registry, (0, 12), (0, 14), "Cyd"),
    ];
    let mut versions = [1, 1];
    for (uri, start, end, text) in before {
        let which = usize::from(*uri == article);
        versions[which] += 1;
        p.change_range(uri, versions[which], *start, *end, text).await;
    }
    let av = versions[1];
    p.until_diagnostics(|latest| latest.get(&article).is_some_and(|d| d["version"] == av)).await;
    let suggests_c = |d: Option<&Value>| published(d).iter().any(|(_, _, _, message)| message.contains("`@c`"));
    assert!(!suggests_c(p.latest_diagnostics().get(&article)), "`@c` is not defined yet");
    for (uri, start, end, text) in after {
        versions[0] += 1;
        p.change_range(uri, versions[0], *start, *end, text).await;
    }
    // The texts the edits make, written to disk for `check`.
    let final_registry = "@c: person \"Cyd\"\n\n@a: person \"Ann Alder\"\n\n<!-- people --> x\n\n@b: person \"Bo Birch\"\n  aka: Birch\n";
    let final_article = "Ann Alder met Bob.\n\n<!-- note -->\n[Ann]{@a} said “yes”. [Cy]{@cy}\n";
    write(&root, "registry.nmk", final_registry);
    write(&root, "article.nmk", final_article);
    let want_registry = check_on_disk(&root, &root.join("registry.nmk"));
    let want_article = check_on_disk(&root, &root.join("article.nmk"));
    assert!(want_article.iter().any(|d| d.0 == "undefined-reference" && d.3.contains("`@c`")), "{want_article:?}");
    let rv = versions[0];
    p.until_diagnostics(|latest| {
        latest.get(&registry).is_some_and(|d| d["version"] == rv && published(Some(d)) == want_registry)
            && latest.get(&article).is_some_and(|d| d["version"] == av && published(Some(d)) == want_article)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ignored_file_is_checked_alone_and_never_indexed() {
    let (_dir, root) = newsroom();
    write(&root, ".gitignore", "drafts/\n");
    let draft = write(&root, "drafts/d.nmk", "[Ann]{@a}\n\n@b: person \"Bo\"\n");
    let mut p = Pipe::start();
    p.initialize(&root, false).await;
    let article = file_uri(&root.join("article.nmk"));
    let draft_uri = file_uri(&draft);
    p.open(&article, ARTICLE).await;
    p.open(&draft_uri, "[Ann]{@a}\n\n@b: person \"Bo\"\n").await;
    // Alone: the registry's `@a` is not seen; its `@b` is not seen by the article.
    p.until_diagnostics(|latest| {
        codes(latest.get(&draft_uri)).contains(&"undefined-reference".to_string())
            && codes(latest.get(&article)) == ["undefined-reference"]
    })
    .await;
    p.change(&draft_uri, 2, "[Bo]{@b} and [A]{@a}\n\n@b: person \"Bo\"\n\n@a: person \"A\"\n").await;
    p.until_diagnostics(|latest| {
        latest.get(&draft_uri).is_some_and(|d| d["version"] == 2 && codes(Some(d)).is_empty())
    })
    .await;
    p.close(&draft_uri).await;
    p.until_diagnostics(|latest| {
        latest.get(&draft_uri).is_some_and(|d| codes(Some(d)).is_empty() && d["version"].is_null())
    })
    .await;
    // The article still sees no `@b`; the workspace never held the draft.
    let hover = json!({"textDocument": {"uri": article}, "position": {"line": 0, "character": 32}});
    let reply = p.request("textDocument/hover", hover).await;
    assert!(reply["result"]["contents"]["value"].as_str().unwrap_or("").contains("undefined"), "{reply}");
    let symbols = p.request("workspace/symbol", json!({"query": "b"})).await;
    assert!(!symbols.to_string().contains("drafts"), "{symbols}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_handler_is_logged_with_its_message() {
    let (_dir, root) = newsroom();
    let mut p = Pipe::start();
    p.initialize(&root, false).await;
    let article = file_uri(&root.join("article.nmk"));
    p.open(&article, ARTICLE).await;
    let reply = p.request(super::tests::PANIC_REQUEST, json!({"uri": article})).await;
    assert_eq!(reply["error"]["code"], -32603, "{reply}");
    // Indexing logs too (what it took from the cache): the panic's line is
    // the one that names it.
    let is_panic = |n: &Value| {
        n["method"] == "window/logMessage"
            && n["params"]["message"].as_str().is_some_and(|m| m.contains("deliberate test panic"))
    };
    p.until("the panic's log line", |p| p.notifications.iter().any(is_panic)).await;
    let logged = p.notifications.iter().find(|n| is_panic(n)).cloned();
    let message = logged.as_ref().and_then(|l| l["params"]["message"].as_str()).unwrap_or_default().to_string();
    assert!(message.contains("src/lsp/server.rs:"), "{logged:?}");
    // The server goes on.
    let hover = json!({"textDocument": {"uri": article}, "position": {"line": 0, "character": 13}});
    assert!(p.request("textDocument/hover", hover).await["result"]["contents"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_and_outdated_requests_get_their_error_codes() {
    let (_dir, root) = newsroom();
    let mut p = Pipe::start();
    p.initialize(&root, false).await;
    let article = file_uri(&root.join("article.nmk"));
    p.open(&article, ARTICLE).await;
    let id = p.send_request(super::tests::HOLD_REQUEST, json!({"uri": article})).await;
    p.holds_running_until(1).await;
    p.notify("$/cancelRequest", json!({"id": id})).await;
    assert_eq!(p.reply(id).await["error"]["code"], -32800);
    // The work on the blocking thread was told, and stopped (it would hold
    // its snapshot for 20 s otherwise).
    p.holds_running_until(0).await;
    let id = p.send_request(super::tests::HOLD_REQUEST, json!({"uri": article})).await;
    p.change(&article, 2, "[Ann]{@a}\n").await;
    assert_eq!(p.reply(id).await["error"]["code"], -32801);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_answered_with_any_empty_params() {
    for params in [None, Some(Value::Null), Some(json!({}))] {
        let mut p = Pipe::start();
        p.request("initialize", json!({"capabilities": {}})).await;
        p.next_id += 1;
        let id = p.next_id;
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": "shutdown"});
        if let Some(params) = params.clone() {
            msg["params"] = params;
        }
        p.send(msg).await;
        let reply = p.reply(id).await;
        assert!(reply.get("error").is_none() && reply["result"].is_null(), "{params:?}: {reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_file_that_is_not_open_is_answered_from_the_workspace() {
    let (_dir, root) = newsroom();
    let mut p = Pipe::start();
    p.initialize(&root, true).await;
    p.until_progress_end().await;
    let article = file_uri(&root.join("article.nmk"));
    let registry = file_uri(&root.join("registry.nmk"));
    let at = |uri: &str, line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    let hover = p.request("textDocument/hover", at(&article, 0, 13)).await;
    assert!(hover["result"]["contents"]["value"].as_str().unwrap_or("").contains("Ann Alder"), "{hover}");
    let def = p.request("textDocument/definition", at(&article, 0, 13)).await;
    assert_eq!(def["result"]["uri"], registry.as_str(), "{def}");
    let refs = p.request("textDocument/references", json!({"textDocument": {"uri": registry}, "position": {"line": 0, "character": 1}, "context": {"includeDeclaration": false}})).await;
    assert_eq!(refs["result"][0]["uri"], article.as_str(), "{refs}");
    let symbols = p.request("textDocument/documentSymbol", json!({"textDocument": {"uri": registry}})).await;
    assert!(
        symbols["result"].to_string().contains("Ann Alder") || symbols["result"].to_string().contains("\"a\""),
        "{symbols}"
    );
}

/// References and rename in files that are not open take their positions
/// from the summaries (no text read): they must be those the text gives,
/// with characters of several UTF-16 units and UTF-8 bytes before them and
/// in the id, in both encodings; a reference whose UTF-16 column the
/// summary could not keep (more than 65,534 bytes of multi-byte characters
/// before it) is placed from the text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_in_files_not_open_are_those_of_their_texts() {
    for encoding in ["utf-16", "utf-8"] {
        let (_dir, root) = newsroom();
        write(&root, "registry.nmk", "@a: person \"Ann Alder\"\n\n@zoë: person \"Zoë\"\n");
        let wide = "€".repeat(40_000);
        let other_text = &format!(
            "😀 “A” [Ann]{{@a}} and [Z]{{@zoë}}\n\nLine two [B]{{@a}}.\n\n{wide}{wide} [C]{{@a}}.\n\n^s: statement\n  by: @zoë\n"
        );
        let other = write(&root, "other.nmk", other_text);
        let mut p = Pipe::start();
        let uri = format!("file://{}", root.display());
        let caps = json!({"general": {"positionEncodings": [encoding]}, "window": {"workDoneProgress": true}});
        p.request("initialize", json!({"capabilities": caps, "rootUri": uri})).await;
        p.notify("initialized", json!({})).await;
        p.until_progress_end().await;
        let article = file_uri(&root.join("article.nmk"));
        p.open(&article, "[Z]{@zoë} met [Ann]{@a}.\n").await;
        p.until_diagnostics(|latest| latest.contains_key(&article)).await;
        let enc = if encoding == "utf-8" { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 };
        let index = crate::text::LineIndex::new(other_text);
        let map = convert::LineMap { text: other_text, index: &index, enc };
        let expect = |needle: &str, nth: usize, skip_sigil: bool| {
            let start = other_text.match_indices(needle).nth(nth).unwrap().0 as u32 + u32::from(skip_sigil);
            let range =
                map.range(crate::text::TextRange::new(start, start + needle.len() as u32 - u32::from(skip_sigil)));
            serde_json::to_value(range).unwrap()
        };
        let other_uri = file_uri(&other);
        let in_other = |reply: &Value| -> Vec<Value> {
            let items = reply["result"].as_array().cloned().unwrap_or_default();
            items.into_iter().filter(|l| l["uri"] == other_uri.as_str()).map(|l| l["range"].clone()).collect()
        };
        let at = |character: u32| json!({"textDocument": {"uri": article}, "position": {"line": 0, "character": character}, "context": {"includeDeclaration": false}});
        // On `@a` (UTF-16 column 21 is its `a`, UTF-8 column 21 its `@`).
        let refs = p.request("textDocument/references", at(21)).await;
        assert_eq!(
            in_other(&refs),
            [expect("@a", 0, false), expect("@a", 1, false), expect("@a", 2, false)],
            "{encoding}: {refs}"
        );
        let refs = p.request("textDocument/references", at(5)).await;
        assert_eq!(in_other(&refs), [expect("@zoë", 0, false), expect("@zoë", 1, false)], "{encoding}: {refs}");
        let rename = p
            .request(
                "textDocument/rename",
                json!({"textDocument": {"uri": article}, "position": {"line": 0, "character": 5}, "newName": "zoe"}),
            )
            .await;
        let edits = rename["result"]["changes"][other_uri.as_str()].as_array().cloned().unwrap_or_default();
        let ranges: Vec<Value> = edits.iter().map(|e| e["range"].clone()).collect();
        let (one, two) = (expect("@zoë", 0, true), expect("@zoë", 1, true));
        assert!(ranges == [one.clone(), two.clone()] || ranges == [two, one], "{encoding}: {rename}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_read_from_disk_is_read_again_after_it_changed() {
    let (_dir, root) = newsroom();
    let mut p = Pipe::start();
    p.initialize(&root, true).await;
    p.until_progress_end().await;
    let article = file_uri(&root.join("article.nmk"));
    p.open(&article, ARTICLE).await;
    let hover = json!({"textDocument": {"uri": article}, "position": {"line": 0, "character": 13}});
    let before = p.request("textDocument/hover", hover.clone()).await.to_string();
    assert!(before.contains("line 1"), "{before}");
    // Two more hovers read the registry text kept from the first.
    p.request("textDocument/hover", hover.clone()).await;
    let registry = write(&root, "registry.nmk", "\n\n@a: person \"Ann Alder\"\n");
    p.watched(&registry, 2).await;
    let after = p.request("textDocument/hover", hover).await.to_string();
    assert!(after.contains("line 3"), "{after}");
}

/// The sorted ids (completion, "did you mean") are built after indexing
/// ends, in the background, and are those of the defined ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sorted_ids_are_built_after_indexing_ends() {
    use crate::syntax::Sigil;
    let (_dir, root) = newsroom();
    write(&root, "registry.nmk", "@c: person \"Cy\"\n\n@a: person \"Ann Alder\"\n\n^s: statement\n  by: @a\n");
    let mut p = Pipe::start();
    p.initialize(&root, true).await;
    p.until_progress_end().await;
    let ws = p.session.read(|s| s.workspace_at(&root)).expect("the workspace is loaded");
    let built = |sigil| ws.read().index().has_sorted_ids(sigil);
    for _ in 0..1000 {
        if built(Sigil::Entity) && built(Sigil::Source) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(built(Sigil::Entity) && built(Sigil::Source), "never built");
    let w = ws.read();
    let ids = |sigil| w.index().sorted_ids(sigil, w.interner()).all().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(ids(Sigil::Entity), ["a", "c"]);
    assert_eq!(ids(Sigil::Source), ["s"]);
}

/// The lines the server wrote to the client's log.
fn logged(p: &Pipe) -> Vec<String> {
    let log = p.notifications.iter().filter(|n| n["method"] == "window/logMessage");
    log.map(|n| n["params"]["message"].as_str().unwrap_or_default().to_owned()).collect()
}

/// A server that found no cache leaves one of the summaries it read: its
/// next start takes them, and `check` over it takes them too and reports
/// what it reports with no cache. A cache it could read is never written
/// over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_leaves_a_cache_when_it_found_none() {
    use crate::workspace::cache::{CacheSettings, RunCache, RunStats, check_plan, load_workspace};
    let (_dir, root) = newsroom();
    let start = || Pipe::indexed(&root);
    let mut p = start().await;
    assert!(logged(&p).iter().any(|l| l.contains("2 files indexed, 0 of them from the cache")), "{:?}", logged(&p));
    let written = |p: &Pipe| logged(p).iter().any(|l| l.starts_with("wrote the cache") && l.ends_with("of 2 files"));
    p.until("the line saying the cache was written", written).await;
    assert_eq!(std::fs::read_to_string(root.join(".newsmark_cache/.gitignore")).unwrap(), "*\n");

    let p = start().await;
    assert!(logged(&p).iter().any(|l| l.contains("2 files indexed, 2 of them from the cache")), "{:?}", logged(&p));
    // The line says where the start went, step by step.
    let steps = |l: &String| {
        let Some((_, times)) = l.split_once("), in ") else { return false };
        let seconds = |s: &str| s.strip_suffix(" s").is_some_and(|n| n.parse::<f64>().is_ok());
        let Some((total, each)) = times.split_once(" (") else { return false };
        let named: Vec<&str> = each.trim_end_matches(')').split(", ").collect();
        seconds(total)
            && named.len() == 3
            && ["cache file ", "summaries ", "index "]
                .iter()
                .zip(&named)
                .all(|(name, step)| step.strip_prefix(name).is_some_and(seconds))
    };
    assert!(logged(&p).iter().any(steps), "{:?}", logged(&p));

    // `check` over the cache the server wrote, then over none.
    let check = |settings: &CacheSettings| {
        let plan = crate::workspace::load::plan(&root).unwrap();
        let stats = RunStats::default();
        let (checked, writes) = check_plan(plan, &root, RunCache::new(settings), None, &|_| true, &stats, &|| {});
        for w in writes {
            assert_eq!(w.join().unwrap(), None);
        }
        let diagnostics: Vec<_> = checked.iter().map(|c| format!("{:?}", c.diagnostics)).collect();
        (diagnostics, stats.summaries_reused.load(std::sync::atomic::Ordering::Relaxed))
    };
    let settings = CacheSettings::resolve(false, None, &root);
    let (cached, reused) = check(&settings);
    let (uncached, _) = check(&CacheSettings::disabled());
    assert_eq!(reused, 2, "check did not take the summaries the server wrote");
    assert!(uncached[0].contains("UndefinedReference"), "{uncached:?}");
    assert_eq!(cached, uncached);

    // Now that `check` wrote it whole, a load reads it and leaves nothing
    // to write.
    let plan = crate::workspace::load::plan(&root).unwrap();
    let w = plan.workspaces.into_iter().next().unwrap();
    let stats = RunStats::default();
    let (_, seed, _) = load_workspace(&settings, &root, root.clone(), w.config, w.files, &stats, &|| {});
    assert_eq!(stats.summaries_reused.load(std::sync::atomic::Ordering::Relaxed), 2);
    assert!(seed.is_none(), "a cache that could be read would be written over");
}

/// `initializationOptions: {"cache": false}`: indexing neither reads a
/// cache nor writes one (as `check --no-cache`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_option_turns_the_cache_off() {
    let (_dir, root) = newsroom();
    let mut p = Pipe::start();
    p.initialize_with(&root, true, json!({"cache": false})).await;
    p.until_progress_end().await;
    let log = logged(&p);
    assert!(log.iter().any(|l| l.contains("2 files indexed, 0 of them from the cache (no cache)")), "{log:?}");
    // A request answered after indexing ended: a cache write would have
    // been started by then.
    p.request("workspace/symbol", json!({"query": "Ann"})).await;
    assert!(!root.join(".newsmark_cache").exists());
    assert!(!logged(&p).iter().any(|l| l.starts_with("wrote the cache")));
}

/// `initializationOptions: {"cacheDir": "…"}` moves the cache (relative
/// to the workspace root), as `check --cache-dir`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_dir_option_moves_the_cache() {
    let (_dir, root) = newsroom();
    let mut p = Pipe::start();
    p.initialize_with(&root, true, json!({"cacheDir": "build/nmk-cache"})).await;
    p.until_progress_end().await;
    let written = |p: &Pipe| logged(p).iter().any(|l| l.starts_with("wrote the cache"));
    p.until("the line saying the cache was written", written).await;
    assert!(root.join("build/nmk-cache/.gitignore").exists());
    assert!(!root.join(".newsmark_cache").exists());
}

/// A workspace nested in another has its cache file in the top one's
/// cache folder, where `check` keeps it: the server finds it there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_finds_a_nested_workspace_s_cache_where_check_keeps_it() {
    use crate::workspace::cache::{CacheSettings, RunCache, RunStats, check_plan};
    let (_dir, root) = newsroom();
    write(&root, "desk/newsmark.toml", "");
    write(&root, "desk/one.nmk", "[Ann]{@a}\n");
    write(&root, "desk/two.nmk", "@a: person \"Ann Alder\"\n");
    let settings = CacheSettings::resolve(false, None, &root);
    let plan = crate::workspace::load::plan(&root).unwrap();
    assert_eq!(plan.workspaces.len(), 2);
    let (_, writes) = check_plan(plan, &root, RunCache::new(&settings), None, &|_| true, &RunStats::default(), &|| {});
    for w in writes {
        assert_eq!(w.join().unwrap(), None);
    }
    assert!(!root.join("desk/.newsmark_cache").exists());
    let mut p = Pipe::start();
    p.initialize(&root, true).await;
    p.until_progress_end().await;
    let log = logged(&p);
    let nested = format!("{}: 2 files indexed, 2 of them from the cache", root.join("desk").display());
    assert!(log.iter().any(|l| l.starts_with(&nested)), "{log:?}");
    assert!(log.iter().any(|l| l.contains("2 files indexed, 2 of them from the cache (")), "{log:?}");
}

/// A file rewritten after `check` wrote the cache, which the server takes
/// from the cache on its entry alone (not racy), is verified once the
/// server serves and read again: its new definition is found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_verifies_what_it_took_from_the_cache_once_it_serves() {
    use crate::workspace::cache::{CacheSettings, RACY_WINDOW, RunCache, RunStats, check_plan};
    let (_dir, root) = newsroom();
    // Entries written after the racy window are trusted on metadata.
    std::thread::sleep(RACY_WINDOW + Duration::from_millis(300));
    let settings = CacheSettings::resolve(false, None, &root);
    let plan = crate::workspace::load::plan(&root).unwrap();
    let (_, writes) = check_plan(plan, &root, RunCache::new(&settings), None, &|_| true, &RunStats::default(), &|| {});
    for w in writes {
        assert_eq!(w.join().unwrap(), None);
    }
    write(&root, "registry.nmk", "@a: person \"Ann Alder\"\n\n@b: person \"Bo Birch\"\n");
    let mut p = Pipe::indexed(&root).await;
    let verified = |p: &Pipe| {
        logged(p).iter().any(|l| {
            l.starts_with("verified the 2 files taken from the cache in ")
                && l.ends_with(" s: 1 changed since it was written")
        })
    };
    p.until("the line saying the files were verified", verified).await;
    assert!(logged(&p).iter().any(|l| l.contains("2 files indexed, 2 of them from the cache")), "{:?}", logged(&p));
    let symbols = p.request("workspace/symbol", json!({"query": "b"})).await;
    assert!(symbols.to_string().contains("Bo Birch"), "{symbols}");
}

/// The server logs how many files it took from the cache `check` wrote,
/// and why it ignored one it could not use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_says_what_it_took_from_the_cache() {
    use crate::workspace::cache::{CacheSettings, RunCache, RunStats, check_plan};
    let (_dir, root) = newsroom();
    let start = || Pipe::indexed(&root);
    let p = start().await;
    assert!(logged(&p).iter().any(|l| l.contains("2 files indexed, 0 of them from the cache")), "{:?}", logged(&p));

    // `check`'s engine (this program) writes the cache in the root.
    let settings = CacheSettings::resolve(false, None, &root);
    let plan = crate::workspace::load::plan(&root).unwrap();
    let cache = RunCache::new(&settings);
    let (_, writes) = check_plan(plan, &root, cache, None, &|_| true, &RunStats::default(), &|| {});
    for w in writes {
        assert_eq!(w.join().unwrap(), None);
    }
    let p = start().await;
    assert!(logged(&p).iter().any(|l| l.contains("2 files indexed, 2 of them from the cache")), "{:?}", logged(&p));

    // A damaged cache is ignored, and the log says why.
    let dir = settings.dir.clone().unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bin") {
            std::fs::write(&path, b"not a cache").unwrap();
        }
    }
    let p = start().await;
    let log = logged(&p);
    assert!(
        log.iter().any(|l| l.starts_with("note: ignoring the cache") && l.ends_with("not a cache file")),
        "{log:?}"
    );
    assert!(log.iter().any(|l| l.contains("2 files indexed, 0 of them from the cache")), "{log:?}");
}
