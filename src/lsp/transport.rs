//! Guards the server's input: tower-lsp-server stops reading for good at the
//! first message it cannot decode, so every message is framed and checked
//! here first. One that is not JSON-RPC is dropped with a log line on stderr
//! and the server reads on.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

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
    let mut line = String::new();
    let mut body = Vec::new();
    let mut on_exit = Some(on_exit);
    loop {
        let mut length: Option<usize> = None;
        // Headers, up to an empty line.
        loop {
            line.clear();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = line.trim_end_matches(['\r', '\n']);
            if header.is_empty() {
                if length.is_some() {
                    break;
                }
                continue;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                }
            }
        }
        let Some(length) = length.filter(|&n| n <= MAX_MESSAGE) else {
            eprintln!("newsmark lsp: a message without a valid Content-Length; skipped");
            continue;
        };
        body.resize(length, 0);
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        if !is_message(&body) {
            let shown = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            eprintln!("newsmark lsp: ignored a message that is not JSON-RPC: {shown}");
            continue;
        }
        let header = format!("Content-Length: {length}\r\n\r\n");
        if output.write_all(header.as_bytes()).await.is_err() || output.write_all(&body).await.is_err() {
            return;
        }
        if output.flush().await.is_err() {
            return;
        }
        if is_exit(&body) {
            if let Some(tx) = on_exit.take() {
                let _ = tx.send(());
            }
        }
    }
}

fn is_exit(body: &[u8]) -> bool {
    body.len() < 200
        && serde_json::from_slice::<Value>(body).is_ok_and(|v| v.get("method").is_some_and(|m| m == "exit"))
}

/// A request, notification or response tower-lsp-server can decode.
fn is_message(body: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(body) else { return false };
    if value.get("method").is_some() {
        serde_json::from_value::<Request>(value).is_ok()
    } else {
        serde_json::from_value::<Response>(value).is_ok()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages() {
        assert!(super::is_message(br#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#));
        assert!(super::is_message(br#"{"jsonrpc":"2.0","method":"x"}"#));
        assert!(super::is_message(br#"{"jsonrpc":"2.0","id":1,"result":null}"#));
        assert!(!super::is_message(b"{not json"));
        assert!(!super::is_message(b"{}"));
        assert!(!super::is_message(b"[1,2]"));
    }
}
