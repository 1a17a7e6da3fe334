//! A small LSP client for end-to-end tests: spawns `newsmark lsp`, frames
//! JSON-RPC with Content-Length, answers the server's requests as an editor
//! would, and waits for messages with timeouts (a test never hangs). The
//! server's stderr is kept (tests look for panics in it), and raw frames can
//! be sent for protocol-abuse tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
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
    /// Everything the server wrote to stderr so far.
    stderr: Arc<Mutex<String>>,
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
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut err_pipe, &mut buf) {
                if n == 0 {
                    break;
                }
                let mut s = sink.lock().unwrap();
                // Bounded: a chatty server must not fill the test's memory.
                if s.len() < 1 << 20 {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
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
        Client { child, stdin, rx, next_id: 0, notifications: Vec::new(), server_requests: Vec::new(), stderr }
    }

    pub fn send_raw(&mut self, body: &str) {
        self.send_bytes(body.as_bytes());
    }

    /// Sends `body` (any bytes) with a correct Content-Length header.
    pub fn send_bytes(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Writes `bytes` to the server's stdin as they are: headers included.
    pub fn send_frame(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// What the server wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory in KiB (`VmRSS` of /proc), on Linux.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// The next message within `timeout` (server requests are answered and
    /// notifications recorded on the way); `None` on timeout.
    pub fn poll(&mut self, timeout: Duration) -> Option<Value> {
        self.next(Instant::now() + timeout)
    }

    /// The response to request `id` if it comes within `timeout`.
    pub fn response_within(&mut self, id: i64, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let msg = self.next(deadline)?;
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return Some(msg);
            }
        }
    }

    fn send(&mut self, msg: Value) {
        self.send_raw(&msg.to_string());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The id the next request will get (for hand-written requests).
    pub fn take_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
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
    pub fn wait_until(&mut self, what: &str, pred: impl FnMut(&[Value]) -> bool) {
        self.wait_until_within(what, TIMEOUT, pred);
    }

    /// [`wait_until`](Self::wait_until) with a deadline of its own.
    pub fn wait_until_within(&mut self, what: &str, timeout: Duration, mut pred: impl FnMut(&[Value]) -> bool) {
        let deadline = Instant::now() + timeout;
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
    pub fn wait_diagnostics(&mut self, uri: &str, version: i64, pred: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        self.wait_diagnostics_within(uri, version, TIMEOUT, pred)
    }

    /// [`wait_diagnostics`](Self::wait_diagnostics) with a deadline of its own.
    pub fn wait_diagnostics_within(
        &mut self,
        uri: &str,
        version: i64,
        timeout: Duration,
        mut pred: impl FnMut(&[Value]) -> bool,
    ) -> Vec<Value> {
        let u = uri.to_string();
        let mut found = Vec::new();
        self.wait_until_within(&format!("diagnostics of {uri} v{version}"), timeout, |ns| {
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
