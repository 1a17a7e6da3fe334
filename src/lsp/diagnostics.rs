//! Diagnostics for open documents: a queue of documents to refresh, one
//! worker that debounces, computes on a blocking thread and publishes with
//! the document version, and the conversion shared with pull requests.
//!
//! Never stale: the worker is the only publisher of document diagnostics
//! and publishes one batch after the other; a result computed for a text
//! that has changed since is dropped (the change scheduled a newer one).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustc_hash::FxHashSet;
use tokio::sync::Notify;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::convert;
use super::session::{FileCtx, Session};
use super::state::lock;
use crate::analysis::diagnostics::{CheckOptions, file_diagnostics_cached};

#[derive(Default)]
pub struct DiagQueue {
    pending: Mutex<FxHashSet<String>>,
    notify: Notify,
}

impl DiagQueue {
    pub fn schedule(&self, uris: impl IntoIterator<Item = String>) {
        let mut pending = lock(&self.pending);
        let before = pending.len();
        pending.extend(uris);
        if pending.len() != before {
            self.notify.notify_one();
        }
    }

    fn take(&self) -> Vec<String> {
        lock(&self.pending).drain().collect()
    }
}

/// One document's diagnostics for one text.
pub struct Computed {
    pub uri: Uri,
    pub version: i32,
    pub seq: u64,
    pub diagnostics: Vec<lsp::Diagnostic>,
}

/// The diagnostics of an open document's current text, or `None` when it
/// is not open.
pub fn compute(session: &Session, uri: &str) -> Option<Computed> {
    let enc = session.settings().encoding;
    let view = session.view(uri)?;
    let data = view.slot.read();
    let ctx = FileCtx::new(&view, &data, enc)?;
    let opts = CheckOptions { index_complete: view.slot.is_indexed(), ..CheckOptions::default() };
    // Taken out for the computation, so that the lock is not held; the
    // worker is the only user, one document at a time.
    let mut cache = lock(&session.diag_caches).remove(uri).unwrap_or_default();
    let diags = file_diagnostics_cached(&data.ws, ctx.file, &view.snap.parse, opts, &mut cache);
    {
        // Under the state lock: a document closed meanwhile (its entry
        // removed after the close) gets no entry back.
        let state = lock(&session.state);
        if state.doc(uri).is_some() {
            lock(&session.diag_caches).insert(uri.to_string(), cache);
        }
    }
    let map = ctx.map();
    let related = |r: &crate::analysis::Related| ctx.location(r.file, r.range);
    let diagnostics = diags.iter().map(|d| convert::diagnostic(d, &map, &related)).collect();
    Some(Computed { uri: view.uri.clone(), version: view.snap.version, seq: view.snap.seq, diagnostics })
}

/// Runs until the server stops: waits for scheduled documents, debounces,
/// computes and publishes.
pub async fn worker(session: Arc<Session>) {
    loop {
        session.queue.notify.notified().await;
        let settings = session.settings();
        if settings.debounce_ms > 0 {
            tokio::time::sleep(Duration::from_millis(settings.debounce_ms)).await;
        }
        let batch = session.queue.take();
        if batch.is_empty() {
            continue;
        }
        if settings.pull_diagnostics {
            if settings.diagnostic_refresh {
                let _ = session.client.workspace_diagnostic_refresh().await;
            }
            continue;
        }
        let s = session.clone();
        let results = tokio::task::spawn_blocking(move || {
            batch.iter().filter_map(|uri| compute_caught(&s, uri)).collect::<Vec<_>>()
        })
        .await;
        let results = match results {
            Ok(r) => r,
            Err(e) => {
                log_error(&session, &format!("diagnostics failed: {e}")).await;
                continue;
            }
        };
        for c in results {
            let current = lock(&session.state).doc(c.uri.as_str()).is_some_and(|d| d.seq == c.seq);
            if current {
                session.client.publish_diagnostics(c.uri, c.diagnostics, Some(c.version)).await;
            }
        }
    }
}

/// `compute`, with a panic turned into a log line.
fn compute_caught(session: &Session, uri: &str) -> Option<Computed> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compute(session, uri))) {
        Ok(c) => c,
        Err(_) => {
            eprintln!("newsmark lsp: diagnostics of {uri} panicked");
            None
        }
    }
}

pub async fn log_error(session: &Session, message: &str) {
    eprintln!("newsmark lsp: {message}");
    session.client.log_message(lsp::MessageType::ERROR, message).await;
}
