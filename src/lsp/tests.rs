//! In-process protocol tests: the service served over a `tokio::io::duplex`
//! pipe, spoken to with framed JSON-RPC.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tower_lsp_server::Server;

struct Pipe {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    next_id: i64,
    notifications: Vec<Value>,
}

impl Pipe {
    fn start() -> Pipe {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server);
        let (service, socket) = super::service();
        tokio::spawn(Server::new(server_read, server_write, socket).serve(service));
        let (reader, writer) = tokio::io::split(client);
        Pipe { reader: BufReader::new(reader), writer, next_id: 0, notifications: Vec::new() }
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
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        let fut = async {
            loop {
                let msg = self.read().await;
                if msg.get("method").is_some() {
                    if let Some(id) = msg.get("id") {
                        let id = id.clone();
                        self.send(json!({"jsonrpc": "2.0", "id": id, "result": null})).await;
                    } else {
                        self.notifications.push(msg);
                    }
                } else if msg["id"] == json!(id) {
                    return msg;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), fut).await.expect("no response")
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }
}

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
