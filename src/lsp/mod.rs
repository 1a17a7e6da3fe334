//! `newsmark lsp`: the language server on stdin/stdout (spec §12), built on
//! tower-lsp-server and tokio, calling the same analysis as `check`.
//!
//! Code map: `server` (the handlers), `session` (the one mutex, snapshots,
//! the request runner), `state` (documents and workspaces, and every
//! change to them), `snapshot` (what a request reads), `document` (rope
//! and per-version text), `convert` (positions, encodings, protocol types),
//! `features` (the ide functions as LSP), `diagnostics` (debounce and the
//! one publisher), `indexing` (background loading with progress), `watch`
//! (the file watchers asked for), `transport` (the input guard).

mod convert;
mod diagnostics;
mod document;
mod features;
mod indexing;
mod server;
mod session;
mod snapshot;
mod state;
mod transport;
mod watch;

// For the `incremental` fuzz target and its regression tests: the server's
// edit of a text, in plain types.
pub use document::EditableText;

#[cfg(test)]
mod tests;

use std::sync::{Arc, OnceLock};

use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until `exit`; returns the process exit code
/// (0 after a `shutdown` request, 1 otherwise, as the protocol says).
pub fn run() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("newsmark lsp: cannot start: {e}");
            return 1;
        }
    };
    let session_cell: Arc<OnceLock<Arc<session::Session>>> = Arc::new(OnceLock::new());
    let cell = session_cell.clone();
    runtime.block_on(async move {
        let (service, socket) = server::with_extra_methods(LspService::build(move |client| {
            let session = Arc::new(session::Session::new(client));
            let _ = cell.set(session.clone());
            server::Server { session }
        }))
        .finish();
        let (to_server, from_filter) = tokio::io::duplex(1 << 16);
        let (exit_tx, exit_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(transport::filter(tokio::io::stdin(), to_server, exit_tx));
        let serve = Server::new(from_filter, tokio::io::stdout(), socket).serve(service);
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
    });
    let clean = session_cell.get().is_some_and(|s| s.read(|state| state.shutdown));
    // Background indexing may still be running: do not wait for it.
    runtime.shutdown_background();
    if clean { 0 } else { 1 }
}

/// The service and its session, for in-process tests.
#[cfg(test)]
pub(crate) fn service() -> (LspService<server::Server>, tower_lsp_server::ClientSocket, Arc<session::Session>) {
    let cell: Arc<OnceLock<Arc<session::Session>>> = Arc::new(OnceLock::new());
    let set = cell.clone();
    let (service, socket) = server::with_extra_methods(LspService::build(move |client| {
        let session = Arc::new(session::Session::new(client));
        let _ = set.set(session.clone());
        server::Server { session }
    }))
    .finish();
    let session = cell.get().cloned().expect("the service is built");
    (service, socket, session)
}
