//! The session: the state behind its one mutex, how notifications mutate it
//! ([`Session::mutate`]), how requests take snapshots of it
//! ([`Session::snapshot`]) and run on blocking threads under
//! `catch_unwind` ([`Session::run`]), and the one publisher of diagnostics.

use std::cell::RefCell;
use std::sync::{Arc, Once};

use parking_lot::Mutex;
use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::snapshot::{CancelOnDrop, CancelToken, Snapshot};
use super::state::{Effects, State};
use super::wire::Payloads;
use super::{diagnostics, indexing};

/// LSP's code for a request whose document changed while it ran.
const CONTENT_MODIFIED: i64 = -32801;

pub struct Session {
    pub client: Client,
    /// Everything that changes: documents, workspaces (the slot table; each
    /// workspace has its own read-write lock), indexing jobs, settings.
    state: Mutex<State>,
    /// To the one task that sends diagnostics to the client, in the order
    /// they were found current.
    publish: mpsc::UnboundedSender<diagnostics::Publish>,
    /// Answers serialized ahead of the messages that carry them (`wire`).
    pub payloads: Arc<Payloads>,
    #[cfg(test)]
    pub hooks: TestHooks,
}

/// Lets in-process tests hold an indexing job just before its result is
/// swapped in, to send changes that arrive "during indexing".
#[cfg(test)]
#[derive(Default)]
pub struct TestHooks {
    /// How many `HOLD_REQUEST`s are still running on a blocking thread.
    pub holds_running: std::sync::atomic::AtomicUsize,
    pub hold_indexing: std::sync::atomic::AtomicBool,
    pub indexing_held: tokio::sync::Notify,
    pub release_indexing: tokio::sync::Notify,
}

#[cfg(test)]
impl TestHooks {
    pub async fn before_swap(&self) {
        if self.hold_indexing.swap(false, std::sync::atomic::Ordering::AcqRel) {
            self.indexing_held.notify_one();
            self.release_indexing.notified().await;
        }
    }
}

impl Session {
    /// Must be called inside the tokio runtime (it starts the publisher).
    pub fn new(client: Client, payloads: Arc<Payloads>) -> Session {
        install_panic_hook();
        let (publish, rx) = mpsc::unbounded_channel();
        tokio::spawn(diagnostics::publisher(client.clone(), payloads.clone(), rx));
        Session {
            client,
            payloads,
            state: Mutex::new(State::default()),
            publish,
            #[cfg(test)]
            hooks: TestHooks::default(),
        }
    }

    /// Reads the state (settings, the document table) briefly.
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.state.lock())
    }

    /// The one way to change the state: `f` runs under the mutex, then what
    /// follows from it (diagnostics to schedule, workspaces to index,
    /// diagnostics to clear) is set going before the mutex is released.
    /// Synchronous: called before a handler's first `.await`, it takes
    /// effect in wire order. Disk reads in `f` (a closed file, a config)
    /// leave the executor's other tasks to other threads.
    pub fn mutate(self: &Arc<Self>, f: impl FnOnce(&mut State) -> Effects) {
        let run = || {
            let mut state = self.state.lock();
            let fx = f(&mut state);
            self.apply(&mut state, fx);
        };
        let caught = if tokio::runtime::Handle::current().runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        {
            tokio::task::block_in_place(|| catch_panic(run))
        } else {
            catch_panic(run)
        };
        if let Err(message) = caught {
            let message = format!("a change of the server state failed: {message}");
            eprintln!("newsmark lsp: {message}");
            let _ = self.publish.send(diagnostics::Publish::Log(message));
        }
    }

    fn apply(self: &Arc<Self>, state: &mut State, mut fx: Effects) {
        if !state.settings.pull_diagnostics {
            for uri in fx.clear {
                let _ = self.publish.send(diagnostics::Publish::Clear(uri));
            }
        }
        fx.diagnose.sort();
        fx.diagnose.dedup();
        for uri in fx.diagnose {
            diagnostics::schedule(self, state, &uri);
        }
        fx.index.sort();
        fx.index.dedup();
        for top in fx.index {
            indexing::start(self, state, top);
        }
    }

    /// Sends one publication to the publisher (under the state's mutex, so
    /// that the order of the channel is the order of the state).
    pub fn send(&self, p: diagnostics::Publish) {
        let _ = self.publish.send(p);
    }

    /// The snapshot of an open document, or of a workspace file that is
    /// not open; `None` when the URI is neither.
    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        self.read(|state| state.snapshot(uri))
    }

    /// Runs `f` on a blocking thread. A panic is logged with its message
    /// and place and answered with an internal error; a document changed
    /// meanwhile is answered with `ContentModified`; a request the client
    /// cancels drops this future, which cancels `cancel`.
    pub async fn run<R, F>(&self, modified: CancelToken, cancel: CancelToken, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let _on_drop = CancelOnDrop(cancel);
        let outcome = tokio::task::spawn_blocking(move || {
            let started = super::state::timings().then(std::time::Instant::now);
            let outcome = catch_panic(f);
            if let Some(started) = started {
                eprintln!("timing: request ran {:.2} ms on its thread", started.elapsed().as_secs_f64() * 1e3);
            }
            outcome
        })
        .await;
        match outcome {
            Ok(Ok(_)) if modified.is_cancelled() => Err(Error {
                code: ErrorCode::ServerError(CONTENT_MODIFIED),
                message: "the document changed while the request ran".into(),
                data: None,
            }),
            Ok(Ok(r)) => Ok(r),
            Ok(Err(message)) => {
                self.log_error(&format!("a request failed: {message}")).await;
                Err(Error {
                    code: ErrorCode::InternalError,
                    message: format!("internal error: {message}").into(),
                    data: None,
                })
            }
            Err(e) => {
                self.log_error(&format!("a request failed: {e}")).await;
                Err(Error::internal_error())
            }
        }
    }

    /// A snapshot request: `f` reads the snapshot on a blocking thread.
    pub async fn with_snapshot<R, F>(&self, uri: &Uri, f: F) -> Result<Option<R>>
    where
        R: Send + 'static,
        F: FnOnce(&Snapshot, &CancelToken) -> Option<R> + Send + 'static,
    {
        let Some(snap) = self.snapshot(uri) else { return Ok(None) };
        let cancel = CancelToken::default();
        let token = cancel.clone();
        self.run(snap.modified.clone(), cancel, move || f(&snap, &token)).await
    }

    pub async fn log_error(&self, message: &str) {
        eprintln!("newsmark lsp: {message}");
        self.client.log_message(lsp::MessageType::ERROR, message).await;
    }
}

thread_local! {
    /// The message and place of the last panic on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps each panic's message and place for [`catch_panic`] (the default
/// hook still prints it to stderr).
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = payload_text(info.payload());
            let place = info.location().map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()));
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{}", place.unwrap_or_default())));
            previous(info);
        }));
    });
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Runs `f`, turning a panic into its message and place.
pub fn catch_panic<R>(f: impl FnOnce() -> R) -> std::result::Result<R, String> {
    LAST_PANIC.with(|p| p.borrow_mut().take());
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|payload| LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| payload_text(&*payload)))
}
