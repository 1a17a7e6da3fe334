//! A small LSP client for end-to-end tests: spawns `newsmark lsp`, frames
//! JSON-RPC with Content-Length, answers the server's requests as an editor
//! would, and waits for messages with timeouts (a test never hangs).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Every notification received so far, in order.
    pub notifications: Vec<Value>,
    /// Methods of the requests the server sent.
    pub server_requests: Vec<String>,
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    pub fn spawn(cwd: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsmark"))
            .arg("lsp")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client { child, stdin, rx, next_id: 0, notifications: Vec::new(), server_requests: Vec::new() }
    }

    pub fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, msg: Value) {
        self.send_raw(&msg.to_string());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The whole response (`result` or `error`) to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.next(deadline).unwrap_or_else(|| panic!("no response to request {id}"));
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return msg;
            }
        }
    }

    /// Sends a request and returns its result; panics on an error reply.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let resp = self.response(id);
        assert!(resp.get("error").is_none(), "{method}: {resp}");
        resp["result"].clone()
    }

    /// The next message, answering server requests and recording
    /// notifications on the way.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.checked_duration_since(Instant::now())?;
        let msg = match self.rx.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        };
        if let Some(method) = msg.get("method").and_then(Value::as_str) {
            if msg.get("id").is_some() {
                self.server_requests.push(method.to_string());
                let id = msg["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
            } else {
                self.notifications.push(msg.clone());
            }
        }
        Some(msg)
    }

    /// Reads messages until `pred` holds for the notifications received.
    pub fn wait_until(&mut self, what: &str, mut pred: impl FnMut(&[Value]) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !pred(&self.notifications) {
            if self.next(deadline).is_none() {
                panic!("timed out waiting for {what}");
            }
        }
    }

    /// The last diagnostics published for `uri`, with their version.
    pub fn last_diagnostics(&self, uri: &str) -> Option<(Option<i64>, Vec<Value>)> {
        self.notifications
            .iter()
            .rev()
            .find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
            .map(|n| {
                (n["params"]["version"].as_i64(), n["params"]["diagnostics"].as_array().cloned().unwrap_or_default())
            })
    }

    /// Waits for diagnostics of `uri` at `version` that satisfy `pred`.
    pub fn wait_diagnostics(&mut self, uri: &str, version: i64, mut pred: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        let u = uri.to_string();
        let mut found = Vec::new();
        self.wait_until(&format!("diagnostics of {uri} v{version}"), |ns| {
            let last = ns
                .iter()
                .rev()
                .find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == u.as_str());
            match last {
                Some(n) if n["params"]["version"] == json!(version) => {
                    let d = n["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
                    let ok = pred(&d);
                    found = d;
                    ok
                }
                _ => false,
            }
        });
        found
    }

    /// Waits until the indexing progress has ended.
    pub fn wait_indexed(&mut self) {
        self.wait_until("the end of indexing", |ns| {
            ns.iter().any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end")
        });
    }

    pub fn initialize(&mut self, root: &Path, options: Value) -> Value {
        let caps = json!({
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": true},
            "workspace": {"workspaceFolders": true, "didChangeWatchedFiles": {"dynamicRegistration": true}},
            "textDocument": {"publishDiagnostics": {"relatedInformation": true, "versionSupport": true},
                             "rename": {"prepareSupport": true},
                             "hover": {"contentFormat": ["markdown"]}}
        });
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "newsroom"}],
                "capabilities": caps,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "newsmark", "version": 1, "text": text}}),
        );
    }

    /// Shuts down and waits for the process; returns its exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the server did not exit");
    }
}

impl Client {
    /// The exit status once the process has ended.
    pub fn try_exit_code(&mut self) -> Option<Option<i32>> {
        self.child.try_wait().unwrap().map(|s| s.code())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
