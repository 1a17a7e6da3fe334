//! `newsmark lsp`: the language server on stdin/stdout (spec §12), built on
//! tower-lsp-server and tokio, calling the same analysis as `check`.
//!
//! Code map: `server` (the handlers), `session` and `state` (documents and
//! workspaces), `document` (rope and per-version snapshot), `convert`
//! (positions, encodings, protocol types), `features` (the ide functions as
//! LSP), `diagnostics` (debounced, versioned publishing), `indexing`
//! (background loading with progress), `watch` (files changed on disk).

mod convert;
mod diagnostics;
// Public for the `incremental` fuzz target and its regression tests.
pub mod document;
mod features;
mod indexing;
mod server;
mod session;
mod state;
mod transport;
mod watch;

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
    let clean = session_cell.get().is_some_and(|s| state::lock(&s.state).is_shutdown());
    // Background indexing may still be running: do not wait for it.
    runtime.shutdown_background();
    if clean { 0 } else { 1 }
}

/// The service, for in-process tests.
#[cfg(test)]
#[allow(dead_code)] // no in-process test uses it yet
pub(crate) fn service() -> (LspService<server::Server>, tower_lsp_server::ClientSocket) {
    server::with_extra_methods(LspService::build(|client| server::Server {
        session: Arc::new(session::Session::new(client)),
    }))
    .finish()
}
