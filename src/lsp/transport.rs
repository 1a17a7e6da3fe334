//! Guards the server's input: tower-lsp-server stops reading for good at the
//! first message it cannot decode, so every message is framed and checked
//! here first. One that is not JSON-RPC is dropped with a log line on stderr
//! and the server reads on; if it is a request with a usable id, it is passed
//! on rewritten as a `newsmark/invalidRequest` request, which the server
//! answers with an error, so the client is not left waiting. A `$/` request
//! (the protocol has none) is rewritten likewise: tower-lsp-server would
//! drop it without the MethodNotFound reply the protocol requires. A
//! `shutdown` or `exit` sent with empty params (`{}`) is passed on without
//! them, since the protocol defines both without params (§12). A
//! `textDocument/references` request is renamed `newsmark/preparedReferences`,
//! whose handler serializes its answer itself (see `wire`).
//!
//! Each message is parsed once, into a `serde_json::Value` that every check
//! reads; only a rewritten message is serialized again.

use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The method a malformed request is rewritten to.
pub const INVALID_REQUEST: &str = "newsmark/invalidRequest";
/// The method a `$/` request is rewritten to.
pub const UNKNOWN_DOLLAR_REQUEST: &str = "newsmark/unknownDollarRequest";
/// The method `textDocument/references` is renamed to: the same request,
/// answered through `wire` (its answer can be megabytes).
pub const PREPARED_REFERENCES: &str = "newsmark/preparedReferences";

/// The longest header line kept; a longer one is read in pieces (it is not
/// a header the server knows anyway), so junk without line breaks cannot
/// grow memory.
const MAX_HEADER_LINE: u64 = 8 << 10;

/// The largest message accepted (a 1 MB article is far below it).
const MAX_MESSAGE: usize = 256 << 20;

/// Copies well-formed messages from `input` to `output` until `input` ends.
/// `on_exit` fires once the `exit` notification has been passed on.
pub async fn filter<R, W>(input: R, mut output: W, on_exit: tokio::sync::oneshot::Sender<()>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    let mut body = Vec::new();
    let mut on_exit = Some(on_exit);
    loop {
        let Some(length) = read_headers(&mut reader, &mut line).await else { return };
        let Some(length) = length.filter(|&n| n <= MAX_MESSAGE) else {
            eprintln!("newsmark lsp: a message without a valid Content-Length; skipped");
            continue;
        };
        body.resize(length, 0);
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let (verdict, exit) = check(&body);
        let replaced = match verdict {
            Verdict::Pass => None,
            Verdict::Replace(msg) => Some(msg),
            Verdict::Drop => {
                let shown = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                eprintln!("newsmark lsp: ignored a message that is not JSON-RPC: {shown}");
                continue;
            }
        };
        let out = replaced.as_deref().unwrap_or(&body);
        let header = format!("Content-Length: {}\r\n\r\n", out.len());
        if output.write_all(header.as_bytes()).await.is_err() || output.write_all(out).await.is_err() {
            return;
        }
        if output.flush().await.is_err() {
            return;
        }
        if exit {
            if let Some(tx) = on_exit.take() {
                let _ = tx.send(());
            }
        }
    }
}

/// Reads the header lines of one message, up to the empty line that ends
/// them: `None` at the end of the input, else its `Content-Length` if it
/// had a valid one. A header line longer than `MAX_HEADER_LINE` is read in
/// pieces, so junk without line breaks cannot grow memory.
pub(super) async fn read_headers<R: AsyncBufRead + Unpin>(reader: &mut R, line: &mut Vec<u8>) -> Option<Option<usize>> {
    let mut length: Option<usize> = None;
    loop {
        line.clear();
        // Bytes, not `read_line`: a header line that is not UTF-8 made
        // `read_line` fail, which ended the input and so the server.
        match (&mut *reader).take(MAX_HEADER_LINE).read_until(b'\n', line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(line);
        let header = text.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() {
                return Some(length);
            }
            continue;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
}

/// What to do with one message body.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// A request, notification or response tower-lsp-server can decode.
    Pass,
    /// Pass this request on instead (its id is the original's).
    Replace(Vec<u8>),
    Drop,
}

/// Parses a body once and decides; also says whether it is the `exit`
/// notification.
fn check(body: &[u8]) -> (Verdict, bool) {
    let Ok(Value::Object(msg)) = serde_json::from_slice::<Value>(body) else { return (Verdict::Drop, false) };
    let exit = msg.get("method").is_some_and(|m| m == "exit") && !msg.contains_key("id");
    (decide(msg), exit)
}

fn decide(mut msg: Map<String, Value>) -> Verdict {
    let version_ok = msg.get("jsonrpc").is_some_and(|v| v == "2.0");
    // Only a number or a string can identify a reply.
    let id = msg.get("id").filter(|id| id.is_number() || id.is_string()).cloned();
    let id_ok = msg.get("id").is_none_or(|id| id.is_number() || id.is_string() || id.is_null());
    let Some(method) = msg.get("method") else {
        let one_outcome = msg.contains_key("result") != msg.contains_key("error");
        return if version_ok && msg.contains_key("id") && id_ok && one_outcome {
            Verdict::Pass
        } else {
            Verdict::Drop
        };
    };
    let replace = |method: &str, params: Value| match &id {
        Some(id) => Verdict::Replace(
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string().into_bytes(),
        ),
        None => Verdict::Drop,
    };
    let Some(method) = method.as_str().map(str::to_owned) else {
        return replace(INVALID_REQUEST, json!({"message": "not a JSON-RPC 2.0 request: the method is not a string"}));
    };
    if !version_ok {
        return replace(INVALID_REQUEST, json!({"message": "not a JSON-RPC 2.0 request: `jsonrpc` is not \"2.0\""}));
    }
    if !id_ok {
        return Verdict::Drop;
    }
    if id.is_some() && method.starts_with("$/") {
        return replace(UNKNOWN_DOLLAR_REQUEST, json!({"method": method}));
    }
    if id.is_some() && method == "textDocument/references" {
        msg.insert("method".into(), PREPARED_REFERENCES.into());
        return Verdict::Replace(Value::Object(msg).to_string().into_bytes());
    }
    let empty_params = msg.get("params").is_some_and(|p| p.as_object().is_some_and(Map::is_empty));
    if (method == "shutdown" || method == "exit") && empty_params {
        msg.remove("params");
        return Verdict::Replace(Value::Object(msg).to_string().into_bytes());
    }
    Verdict::Pass
}

#[cfg(test)]
mod tests {
    use super::Verdict;

    fn check(body: &[u8]) -> Verdict {
        super::check(body).0
    }

    fn replaced_method(v: Verdict) -> Option<String> {
        match v {
            Verdict::Replace(b) => {
                serde_json::from_slice::<serde_json::Value>(&b).ok()?["method"].as_str().map(Into::into)
            }
            _ => None,
        }
    }

    #[test]
    fn messages() {
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#), Verdict::Pass);
        assert_eq!(check(br#"{"jsonrpc":"2.0","method":"x"}"#), Verdict::Pass);
        assert_eq!(check(br#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#), Verdict::Pass);
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#), Verdict::Pass);
        assert_eq!(check(b"{not json"), Verdict::Drop);
        assert_eq!(check(b"{}"), Verdict::Drop);
        assert_eq!(check(b"[1,2]"), Verdict::Drop);
        assert_eq!(check(br#"{"jsonrpc":"1.0","method":"x"}"#), Verdict::Drop);
        assert_eq!(check(br#"{"jsonrpc":"1.0","id":{},"method":"x"}"#), Verdict::Drop);
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1}"#), Verdict::Drop);
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":1,"result":1,"error":{}}"#), Verdict::Drop);
    }

    #[test]
    fn shutdown_with_empty_params_loses_them() {
        let Verdict::Replace(b) = check(br#"{"jsonrpc":"2.0","id":3,"method":"shutdown","params":{}}"#) else {
            panic!("not rewritten")
        };
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v, serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}));
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#), Verdict::Pass);
        assert_eq!(check(br#"{"jsonrpc":"2.0","id":3,"method":"shutdown","params":null}"#), Verdict::Pass);
        assert!(matches!(check(br#"{"jsonrpc":"2.0","method":"exit","params":{}}"#), Verdict::Replace(_)));
    }

    #[test]
    fn exit_is_recognised() {
        assert!(super::check(br#"{"jsonrpc":"2.0","method":"exit"}"#).1);
        assert!(super::check(br#"{"method": "exit", "jsonrpc":"2.0", "params": {}}"#).1);
        assert!(!super::check(br#"{"jsonrpc":"2.0","method":"x","params":{"method":"exit"}}"#).1);
    }

    #[test]
    fn requests_that_need_a_reply_are_rewritten() {
        let m = replaced_method(check(br#"{"jsonrpc":"1.0","id":7,"method":"textDocument/hover"}"#));
        assert_eq!(m.as_deref(), Some(super::INVALID_REQUEST));
        let m = replaced_method(check(br#"{"id":"a","method":7}"#));
        assert_eq!(m.as_deref(), Some(super::INVALID_REQUEST));
        let m = replaced_method(check(br#"{"jsonrpc":"2.0","id":8,"method":"$/unknown"}"#));
        assert_eq!(m.as_deref(), Some(super::UNKNOWN_DOLLAR_REQUEST));
    }

    #[test]
    fn references_are_renamed_with_id_and_params_kept() {
        let body = br#"{"jsonrpc":"2.0","id":"r1","method":"textDocument/references","params":{"position":{"line":1,"character":2}}}"#;
        let Verdict::Replace(b) = check(body) else { panic!("not rewritten") };
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        let mut expected: serde_json::Value = serde_json::from_slice(body).unwrap();
        expected["method"] = super::PREPARED_REFERENCES.into();
        assert_eq!(v, expected);
        // A notification of that name (not a request) is left alone.
        let note = br#"{"jsonrpc":"2.0","method":"textDocument/references","params":{}}"#;
        assert_eq!(check(note), Verdict::Pass);
    }
}
