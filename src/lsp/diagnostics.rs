//! Diagnostics of open documents: a debounce task per document, which a
//! newer schedule aborts (and whose running computation it cancels); the
//! computation on a blocking thread; and the one publisher, which sends
//! results with their document version in the order they were found
//! current.
//!
//! Never stale: a result is handed to the publisher only under the state's
//! mutex and only if no newer run of that document was scheduled since;
//! the publisher keeps that order, so the last diagnostics published for a
//! document are those of its current text and workspace.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::convert;
use super::session::{Session, catch_panic};
use super::snapshot::{CancelToken, FileCtx, Snapshot};
use super::state::State;
use super::wire::{Payloads, Placeholder};
use crate::analysis::Diagnostic;
use crate::analysis::deps::Change;
use crate::analysis::diagnostics::{CheckOptions, DiagnosticsCache, TextVersion, file_diagnostics_incremental};

/// Per open document: its latest diagnostics run.
#[derive(Default)]
pub struct DiagState {
    /// Increases with each schedule; a run publishes only if it is still
    /// the latest.
    generation: u64,
    task: Option<AbortHandle>,
    cancel: CancelToken,
    /// What the last computation keeps for the next (paragraphs' prose
    /// diagnostics, "did you mean" answers). Locked only by the blocking
    /// thread that computes this document's diagnostics.
    memo: Arc<Mutex<DiagnosticsCache>>,
}

impl DiagState {
    /// Whether one of `changes` can change the document's last computed
    /// diagnostics. True when unsure: nothing computed yet, or a
    /// computation holds the memo right now.
    pub fn met_by(&self, changes: &[Arc<Change>]) -> bool {
        let Some(memo) = self.memo.try_lock() else { return true };
        changes.iter().any(|c| memo.met_by(c))
    }
}

impl Drop for DiagState {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// What the publisher sends.
pub enum Publish {
    /// The params of `textDocument/publishDiagnostics`, serialized (see
    /// `wire`): a document's diagnostics with its version.
    Diagnostics(Vec<u8>),
    /// A closed document: no diagnostics.
    Clear(Uri),
    /// Pull mode: ask the client to pull again.
    Refresh,
    Log(String),
}

/// Schedules the diagnostics of an open document: the previous run, if
/// any, is aborted in its debounce or cancelled in its computation.
pub fn schedule(session: &Arc<Session>, state: &mut State, uri: &str) {
    let delay = Duration::from_millis(state.settings.diagnostic_delay_ms);
    let pull = state.settings.pull_diagnostics;
    let refresh = state.settings.diagnostic_refresh;
    let Some(doc) = state.doc_mut(uri) else { return };
    let diag = &mut doc.diag;
    diag.generation += 1;
    diag.cancel.cancel();
    diag.cancel = CancelToken::default();
    if let Some(task) = diag.task.take() {
        task.abort();
    }
    if pull && !refresh {
        return;
    }
    let (generation, cancel) = (diag.generation, diag.cancel.clone());
    let session = session.clone();
    let uri = uri.to_string();
    let task = tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if pull {
            session.send(Publish::Refresh);
            return;
        }
        run(&session, &uri, generation, cancel).await;
    });
    diag.task = Some(task.abort_handle());
}

/// One run: snapshot, compute on a blocking thread, hand over if current.
async fn run(session: &Arc<Session>, uri: &str, generation: u64, cancel: CancelToken) {
    let Ok(parsed) = uri.parse::<Uri>() else { return };
    let memo = session.read(|s| s.doc(uri).map(|d| d.diag.memo.clone()));
    let (Some(memo), Some(snap)) = (memo, session.snapshot(&parsed)) else { return };
    let token = cancel.clone();
    let interrupted = snap.interrupted.clone();
    let (on_thread, uri_owned, cancel_owned) = (session.clone(), uri.to_string(), cancel.clone());
    let computed = tokio::task::spawn_blocking(move || {
        catch_panic(move || {
            let published = {
                let stop = || token.is_cancelled() || snap.interrupted.is_cancelled();
                let mut memo = memo.lock();
                // Serialized here, off the executor, and once (see `wire`).
                let published = publish_params(&snap, &mut memo, Some(&stop));
                if stop() {
                    // What the memo kept of a run that stopped early is partial.
                    *memo = DiagnosticsCache::default();
                    return None;
                }
                published
            };
            // The snapshot holds its workspace's read lock, which must not
            // be held while taking the state's (lock order: state first).
            drop(snap);
            let (params, diagnostics) = published?;
            // Handed over from this thread, without a trip back through the
            // executor; the diagnostics are freed once it is done.
            on_thread.hand_over(&uri_owned, generation, &cancel_owned, params);
            drop(diagnostics);
            Some(())
        })
    })
    .await;
    match computed {
        Ok(Ok(Some(()))) | Err(_) => {}
        Ok(Ok(None)) => {
            // Stopped for a change of the workspace, not of this document:
            // run again once the change is in.
            if interrupted.is_cancelled() && !cancel.is_cancelled() {
                session.mutate(|_| super::state::Effects { diagnose: vec![uri.to_string()], ..Default::default() });
            }
        }
        Ok(Err(message)) => session.log_error(&format!("the diagnostics of {uri} failed: {message}")).await,
    }
}

impl Session {
    /// Gives a result to the publisher if it is still the latest run of a
    /// document that is still open.
    fn hand_over(&self, uri: &str, generation: u64, cancel: &CancelToken, params: Vec<u8>) {
        self.read(|state| {
            let current = state.doc(uri).is_some_and(|d| d.diag.generation == generation) && !cancel.is_cancelled();
            if current {
                self.send(Publish::Diagnostics(params));
            }
        });
    }
}

/// The diagnostics of a snapshot's document with its version, as LSP
/// values (pull diagnostics); `None` when the file is not in its workspace.
pub fn compute(
    snap: &Snapshot,
    memo: &mut DiagnosticsCache,
    stop: Option<&(dyn Fn() -> bool + Sync)>,
) -> Option<(i32, Vec<lsp::Diagnostic>)> {
    checked(snap, memo, stop, |ctx, diags| {
        let map = ctx.map();
        let related = |r: &crate::analysis::Related| ctx.location(r.file, r.range);
        (ctx.doc.version, diags.iter().map(|d| convert::diagnostic(d, &map, &related)).collect())
    })
}

/// The params of `textDocument/publishDiagnostics` for a snapshot's
/// document, serialized straight from the engine's diagnostics (see
/// `convert::PublishParams`), and those diagnostics (to be freed once the
/// params are handed over); `None` when the file is not in its workspace.
fn publish_params(
    snap: &Snapshot,
    memo: &mut DiagnosticsCache,
    stop: Option<&(dyn Fn() -> bool + Sync)>,
) -> Option<(Vec<u8>, Vec<Diagnostic>)> {
    checked(snap, memo, stop, |ctx, diagnostics| {
        let related = |r: &crate::analysis::Related| ctx.location(r.file, r.range);
        let params = convert::PublishParams {
            uri: &snap.uri,
            version: ctx.doc.version,
            diagnostics: &diagnostics,
            map: ctx.map(),
            related: &related,
        };
        (params.to_json(), diagnostics)
    })
}

/// Computes the diagnostics of a snapshot's document (fixes left out:
/// code actions compute their own) and hands them to `convert`.
fn checked<T>(
    snap: &Snapshot,
    memo: &mut DiagnosticsCache,
    stop: Option<&(dyn Fn() -> bool + Sync)>,
    convert: impl FnOnce(&FileCtx<'_>, Vec<Diagnostic>) -> T,
) -> Option<T> {
    let started = std::time::Instant::now();
    let ctx = FileCtx::new(snap)?;
    let opts = CheckOptions { index_complete: snap.index_complete, stop, fixes: false, ..CheckOptions::default() };
    let version = TextVersion { seq: ctx.doc.seq, since: &ctx.doc.history };
    let diags = file_diagnostics_incremental(ctx.ws(), ctx.file, &ctx.doc.parse, opts, memo, version);
    let computed = started.elapsed();
    let count = diags.len();
    let out = convert(&ctx, diags);
    if super::state::timings() {
        eprintln!(
            "timing: diagnostics of {} v{}: {} in {:.2} ms ({}), to LSP {:.2} ms",
            snap.uri.as_str(),
            ctx.doc.version,
            count,
            computed.as_secs_f64() * 1e3,
            if memo.kept_last() { "outside the edit kept" } else { "whole" },
            (started.elapsed() - computed).as_secs_f64() * 1e3
        );
    }
    Some(out)
}

/// Sends what it receives, in order, until the session ends.
pub async fn publisher(client: Client, payloads: Arc<Payloads>, mut rx: mpsc::UnboundedReceiver<Publish>) {
    while let Some(p) = rx.recv().await {
        match p {
            Publish::Diagnostics(params) => {
                client.send_notification::<PreparedPublishDiagnostics>(payloads.stand_in(params)).await
            }
            Publish::Clear(uri) => client.publish_diagnostics(uri, Vec::new(), None).await,
            Publish::Refresh => {
                // A request: a client that never answers must not hold up
                // the publications behind it.
                let client = client.clone();
                tokio::spawn(async move { client.workspace_diagnostic_refresh().await });
            }
            Publish::Log(message) => client.log_message(lsp::MessageType::ERROR, message).await,
        }
    }
}

/// `textDocument/publishDiagnostics` with params prepared ahead (`wire`).
enum PreparedPublishDiagnostics {}

impl lsp::notification::Notification for PreparedPublishDiagnostics {
    type Params = Placeholder;
    const METHOD: &'static str = <lsp::notification::PublishDiagnostics as lsp::notification::Notification>::METHOD;
}
