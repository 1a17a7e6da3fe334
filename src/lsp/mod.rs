//! `newsmark lsp`: the language server on stdin/stdout (spec §12), built on
//! tower-lsp-server and tokio, calling the same analysis as `check`.
//!
//! Code map: `server` (the handlers), `session` (the one mutex, snapshots,
//! the request runner), `state` (documents and workspaces, and every
//! change to them), `snapshot` (what a request reads), `document` (rope
//! and per-version text), `convert` (positions, encodings, protocol types),
//! `features` (the ide functions as LSP), `diagnostics` (debounce and the
//! one publisher), `indexing` (background loading with progress), `memory`
//! (what the load freed, given back), `watch`
//! (the file watchers asked for), `transport` (the input guard), `wire`
//! (the output: large answers serialized once, without `serde_json::Value`).

mod convert;
mod diagnostics;
mod document;
mod features;
mod indexing;
mod memory;
mod server;
mod session;
mod snapshot;
mod state;
mod transport;
mod watch;
mod wire;

// For the `incremental` fuzz target and its regression tests: the server's
// edit of a text, in plain types.
pub use document::EditableText;

#[cfg(test)]
mod tests;

use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until `exit`; returns the process exit code
/// (0 after a `shutdown` request, 1 otherwise, as the protocol says).
pub fn run() -> i32 {
    widen_output_pipe();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("newsmark lsp: cannot start: {e}");
            return 1;
        }
    };
    let session = runtime.block_on(async move {
        let (exit_tx, exit_rx) = tokio::sync::oneshot::channel();
        let (serve, output, session) = connect(tokio::io::stdin(), tokio::io::stdout(), exit_tx);
        // After `exit`, handlers still waiting on the client (a request it
        // never answers) must not keep the process alive.
        let exited = async {
            if exit_rx.await.is_ok() {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = serve => {}
            () = exited => {}
        }
        // What the server wrote last is still on its way to stdout.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), output).await;
        session
    });
    let clean = session.read(|state| state.shutdown);
    // Background indexing may still be running: do not wait for it.
    runtime.shutdown_background();
    if clean { 0 } else { 1 }
}

/// Asks for a 1 MB output pipe when stdout is one (Linux's default is
/// 64 KB): a large article's diagnostics (half a megabyte of JSON) then go
/// to the client in one write instead of eight rounds of the client
/// waking to read and the server waking to write again. Without effect
/// (and harmless) on anything else.
fn widen_output_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: F_SETPIPE_SZ takes one integer and touches no memory of
    // ours; on anything but a pipe, or past the system's limit, it fails
    // and changes nothing.
    unsafe {
        libc::fcntl(1, libc::F_SETPIPE_SZ, 1 << 20);
    }
}

/// Room in the pipe from tower-lsp-server to the splice: a message this
/// large (a rename's 2 MB answer) goes through in one write, not in
/// handfuls of wake-ups of both tasks.
const PIPE_TO_SPLICE: usize = 4 << 20;

/// The server between `input` and `output`: the input guard
/// (`transport`), the service, and the output splice (`wire`), the guard
/// and the splice as tasks. Returns the future that serves until the input
/// ends, the splice's task, and the session. `exit` fires once the `exit`
/// notification has been read.
pub(crate) fn connect<R, W>(
    input: R,
    output: W,
    exit: tokio::sync::oneshot::Sender<()>,
) -> (impl Future<Output = ()>, tokio::task::JoinHandle<()>, Arc<session::Session>)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let payloads = Arc::new(wire::Payloads::default());
    let cell: Arc<OnceLock<Arc<session::Session>>> = Arc::new(OnceLock::new());
    let set = cell.clone();
    let shared = payloads.clone();
    let (service, socket) = server::with_extra_methods(LspService::build(move |client| {
        let session = Arc::new(session::Session::new(client, shared));
        let _ = set.set(session.clone());
        server::Server { session }
    }))
    .finish();
    let session = cell.get().cloned().expect("the service is built");
    let (to_server, from_guard) = tokio::io::duplex(1 << 16);
    tokio::spawn(transport::filter(input, to_server, exit));
    let (to_splice, from_server) = tokio::io::duplex(PIPE_TO_SPLICE);
    let spliced = tokio::spawn(wire::splice(from_server, output, payloads));
    (Server::new(from_guard, to_splice, socket).serve(service), spliced, session)
}
