//! The server's output. tower-lsp-server turns every answer and
//! notification into a `serde_json::Value` tree before it writes it; for
//! the largest ones (ten thousand reference locations, the diagnostics of a
//! 1 MB article) building that tree took longer than the rest of the work.
//! Those are serialized once, straight to bytes ([`Payloads::stand_in`]);
//! the message tower-lsp-server builds carries a short placeholder string
//! in their place, and [`splice`], between tower-lsp-server and stdout,
//! writes the bytes where the placeholder was. A placeholder holds a number
//! drawn at random when the server starts, so no text from a client or a
//! file can forge one; only messages shorter than [`SMALL`] are searched.

use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// What a placeholder string starts with; a NUL, which serde_json writes
/// as `\u0000`, so the written form is [`MARK_JSON`].
const MARK: &str = "\u{0}newsmark-payload:";
const MARK_JSON: &[u8] = b"\"\\u0000newsmark-payload:";
/// A message carrying a placeholder is short: the placeholder, an id, a
/// method name. Longer messages pass without being searched.
const SMALL: usize = 256;
/// Payloads waiting for their message. Each is written within moments of
/// being stashed; the bound only keeps a bug from growing memory.
const MAX_WAITING: usize = 256;

/// Payloads serialized ahead of the messages that carry them.
pub struct Payloads {
    nonce: u64,
    next: AtomicU64,
    waiting: Mutex<FxHashMap<u64, Vec<u8>>>,
}

/// A JSON string that stands for a payload in a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Placeholder(String);

impl Default for Payloads {
    fn default() -> Payloads {
        Payloads {
            nonce: std::collections::hash_map::RandomState::new().hash_one(std::process::id()),
            next: AtomicU64::new(0),
            waiting: Mutex::new(FxHashMap::default()),
        }
    }
}

impl Payloads {
    /// Keeps `json` (one complete JSON value) and returns the placeholder
    /// to send in its place.
    pub fn stand_in(&self, json: Vec<u8>) -> Placeholder {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut waiting = self.waiting.lock();
        if waiting.len() >= MAX_WAITING {
            let oldest = waiting.keys().min().copied();
            if let Some(oldest) = oldest {
                waiting.remove(&oldest);
                eprintln!("newsmark lsp: a prepared answer was never sent; dropped");
            }
        }
        waiting.insert(n, json);
        Placeholder(format!("{MARK}{:016x}:{n}", self.nonce))
    }

    /// The message whose body is `body` with our placeholder replaced by
    /// its payload, framed (`Content-Length` header), if it holds one.
    fn splice_frame(&self, body: &[u8]) -> Option<Vec<u8>> {
        if body.len() > SMALL {
            return None;
        }
        let start = body.windows(MARK_JSON.len()).position(|w| w == MARK_JSON)?;
        let rest = body.get(start + MARK_JSON.len()..)?;
        let end = rest.iter().position(|&b| b == b'"')?;
        let (nonce, n) = std::str::from_utf8(rest.get(..end)?).ok()?.split_once(':')?;
        if u64::from_str_radix(nonce, 16).ok()? != self.nonce {
            return None;
        }
        let payload = self.waiting.lock().remove(&n.parse().ok()?)?;
        let (before, after) = (body.get(..start)?, rest.get(end + 1..)?);
        let length = before.len() + payload.len() + after.len();
        let mut frame = format!("Content-Length: {length}\r\n\r\n").into_bytes();
        frame.reserve(length);
        frame.extend_from_slice(before);
        frame.extend_from_slice(&payload);
        frame.extend_from_slice(after);
        Some(frame)
    }
}

/// Copies the framed messages tower-lsp-server writes to `from_server` to
/// `output`, each placeholder replaced by its payload, until either side
/// closes.
pub async fn splice<R, W>(from_server: R, output: W, payloads: Arc<Payloads>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(from_server);
    let mut output = output;
    let mut line = Vec::new();
    // One message as written: header and body in one buffer, so that it
    // goes out in one write (a write is a hand-off to a blocking thread).
    let mut frame = Vec::new();
    loop {
        let Some(length) = super::transport::read_headers(&mut reader, &mut line).await else { return };
        let Some(length) = length else {
            eprintln!("newsmark lsp: the server wrote a message without Content-Length; output stopped");
            return;
        };
        frame.clear();
        frame.extend_from_slice(format!("Content-Length: {length}\r\n\r\n").as_bytes());
        let body_start = frame.len();
        frame.resize(body_start + length, 0);
        let Some(body) = frame.get_mut(body_start..) else { return };
        if reader.read_exact(body).await.is_err() {
            return;
        }
        let spliced = payloads.splice_frame(body);
        let out = spliced.as_deref().unwrap_or(&frame);
        if output.write_all(out).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body of the first framed message of `bytes`, and what follows.
    fn split_frame(bytes: &[u8]) -> (&[u8], &[u8]) {
        let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&bytes[..head_end]).unwrap();
        let n: usize = head.strip_prefix("Content-Length: ").unwrap().parse().unwrap();
        bytes[head_end + 4..].split_at(n)
    }

    /// The body of one framed message, whose header must give its length.
    fn body_of(frame: &[u8]) -> &[u8] {
        let (body, rest) = split_frame(frame);
        assert!(rest.is_empty());
        body
    }

    #[test]
    fn a_placeholder_in_a_message_becomes_its_payload() {
        let payloads = Payloads::default();
        let p = payloads.stand_in(br#"[{"uri":"file:///a"}]"#.to_vec());
        let msg = serde_json::json!({"jsonrpc": "2.0", "result": p, "id": 4}).to_string();
        let frame = payloads.splice_frame(msg.as_bytes()).expect("spliced");
        let v: serde_json::Value = serde_json::from_slice(body_of(&frame)).unwrap();
        assert_eq!(v, serde_json::json!({"jsonrpc": "2.0", "result": [{"uri": "file:///a"}], "id": 4}));
        // Taken once: the same message again is left alone.
        assert_eq!(payloads.splice_frame(msg.as_bytes()), None);
        assert!(payloads.waiting.lock().is_empty());
    }

    #[test]
    fn look_alike_text_is_left_alone() {
        let payloads = Payloads::default();
        let p = payloads.stand_in(b"1".to_vec());
        // Another server's number, or a client echoing the mark with a
        // guessed one, is not ours.
        let forged = p.0.replacen(&format!("{:016x}", payloads.nonce), "0000000000000001", 1);
        let msg = serde_json::json!({"result": forged}).to_string();
        assert_eq!(payloads.splice_frame(msg.as_bytes()), None);
        // A long message is not searched at all.
        let long = serde_json::json!({"result": p, "pad": "x".repeat(SMALL)}).to_string();
        assert_eq!(payloads.splice_frame(long.as_bytes()), None);
        let plain = br#"{"jsonrpc":"2.0","result":"\u0000newsmark","id":1}"#;
        assert_eq!(payloads.splice_frame(plain), None);
    }

    #[tokio::test]
    async fn frames_pass_in_order_with_payloads_spliced() {
        let payloads = Arc::new(Payloads::default());
        let big = format!("[{}]", vec!["1"; 100_000].join(","));
        let p = payloads.stand_in(big.clone().into_bytes());
        let (mut server, from_server) = tokio::io::duplex(1 << 10);
        let (output, mut client) = tokio::io::duplex(1 << 20);
        let task = tokio::spawn(splice(from_server, output, payloads.clone()));
        let messages = [
            serde_json::json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"message": "é"}}),
            serde_json::json!({"jsonrpc": "2.0", "result": p, "id": 1}),
            serde_json::json!({"jsonrpc": "2.0", "result": null, "id": 2}),
        ];
        for m in &messages {
            let body = m.to_string();
            server.write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await.unwrap();
        }
        drop(server);
        task.await.unwrap();
        let mut all = Vec::new();
        client.read_to_end(&mut all).await.unwrap();
        let mut got = Vec::new();
        let mut rest = &all[..];
        while !rest.is_empty() {
            let (body, next) = split_frame(rest);
            got.push(serde_json::from_slice::<serde_json::Value>(body).unwrap());
            rest = next;
        }
        let mut expected = messages.to_vec();
        expected[1]["result"] = serde_json::from_str(&big).unwrap();
        assert_eq!(got, expected);
    }
}
