//! The `LanguageServer` implementation: thin handlers. Notifications that
//! change documents apply their change synchronously, before any `.await`,
//! so they take effect in wire order; requests run on blocking threads,
//! where a panic becomes an error reply.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{LanguageServer, LspServiceBuilder};

use super::convert;
use super::diagnostics::{self, log_error};
use super::features;
use super::indexing;
use super::session::{FileCtx, Session};
use super::state::{Settings, lock, remove_disk_file, set_disk_file};
use super::watch;

pub struct Server {
    pub session: Arc<Session>,
}

impl Server {
    /// Runs `f` on a blocking thread with the current view of the open
    /// document `uri`; `Ok(None)` when the document is not open.
    async fn with_file<R, F>(&self, uri: &Uri, f: F) -> Result<Option<R>>
    where
        R: Send + 'static,
        F: FnOnce(&FileCtx<'_>) -> Option<R> + Send + 'static,
    {
        let session = self.session.clone();
        let uri = uri.as_str().to_string();
        let enc = self.session.settings().encoding;
        let job = tokio::task::spawn_blocking(move || {
            let view = session.view(&uri)?;
            let data = view.slot.read();
            let ctx = FileCtx::new(&view, &data, enc)?;
            f(&ctx)
        });
        match job.await {
            Ok(r) => Ok(r),
            Err(e) => {
                let message =
                    if e.is_panic() { "the request failed (internal error)" } else { "the request was cancelled" };
                log_error(&self.session, &format!("{message}: {e}")).await;
                Err(Error {
                    code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                    message: message.into(),
                    data: None,
                })
            }
        }
    }

    fn spawn_index(&self, root: PathBuf, force: bool) {
        tokio::spawn(indexing::index(self.session.clone(), root, force));
    }
}

fn settings_from(params: &InitializeParams) -> Settings {
    let caps = &params.capabilities;
    let debounce_ms = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(|v| v.as_i64())
        .map_or(Settings::default().debounce_ms, |n| n.clamp(0, 10_000) as u64);
    let workspace = caps.workspace.as_ref();
    Settings {
        encoding: convert::negotiate_encoding(caps),
        debounce_ms,
        // Push is the default, since a client may declare pull support and
        // still only listen to pushes (and one that does both would show
        // every diagnostic twice). A client that wants to pull opts in with
        // `initializationOptions: {"pullDiagnostics": true}`.
        pull_diagnostics: caps.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some())
            && params.initialization_options.as_ref().and_then(|o| o.get("pullDiagnostics")).and_then(|v| v.as_bool())
                == Some(true),
        diagnostic_refresh: workspace.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support)
            == Some(true),
        work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress) == Some(true),
        watch_registration: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            == Some(true),
    }
}

#[allow(deprecated)]
fn folders_from(params: &InitializeParams) -> Vec<PathBuf> {
    match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders.iter().filter_map(|f| convert::uri_to_path(&f.uri)).collect(),
        _ => params.root_uri.as_ref().and_then(convert::uri_to_path).into_iter().collect(),
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let settings = settings_from(&params);
        let folders = folders_from(&params);
        let capabilities = features::capabilities(&settings);
        {
            let mut state = lock(&self.session.state);
            state.settings = settings;
            state.folders = folders;
        }
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo { name: "newsmark".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tokio::spawn(diagnostics::worker(self.session.clone()));
        let (settings, folders) = {
            let state = lock(&self.session.state);
            (state.settings.clone(), state.folders.clone())
        };
        let mut roots: Vec<PathBuf> =
            folders.iter().map(|f| crate::workspace::find_root(f).unwrap_or_else(|| f.clone())).collect();
        roots.sort();
        roots.dedup();
        for root in roots {
            if super::state::indexable(&root) {
                self.spawn_index(root, false);
            }
        }
        if settings.watch_registration {
            if let Err(e) = self.session.client.register_capability(vec![watch::registration()]).await {
                log_error(&self.session, &format!("cannot register file watchers: {e}")).await;
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        lock(&self.session.state).set_shutdown();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let uri = doc.uri.as_str().to_string();
        let opened = lock(&self.session.state).open(doc.uri, doc.version, &doc.text);
        self.session.queue.schedule([uri]);
        if opened.index {
            self.spawn_index(opened.slot.root.clone(), false);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let doc = params.text_document;
        let applied = lock(&self.session.state).change(&doc.uri, doc.version, &params.content_changes);
        if applied {
            self.session.queue.schedule([doc.uri.as_str().to_string()]);
        } else {
            log_error(&self.session, &format!("didChange for {} which is not open; ignored", doc.uri.as_str())).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some((path, slot)) = lock(&self.session.state).close(&uri) else { return };
        lock(&self.session.diag_caches).remove(uri.as_str());
        let session = self.session.clone();
        let _ = tokio::task::spawn_blocking(move || {
            // The disk is in force again for this file, if discovery would
            // list it (not a link out of the root, not a FIFO).
            let changed = if slot.indexable && crate::workspace::admits(&slot.root, &path) {
                set_disk_file(&slot, &path)
            } else {
                remove_disk_file(&slot, &path)
            };
            if changed {
                session.schedule_slot(&slot);
            }
        })
        .await;
        if !self.session.settings().pull_diagnostics {
            self.session.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let Some(path) = convert::uri_to_path(&params.text_document.uri) else { return };
        if path.file_name().is_some_and(|n| n == crate::config::FILE_NAME) {
            let events = [FileEvent { uri: params.text_document.uri, typ: FileChangeType::CHANGED }];
            self.apply_file_events(&events).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.apply_file_events(&params.changes).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let added: Vec<PathBuf> = params.event.added.iter().filter_map(|f| convert::uri_to_path(&f.uri)).collect();
        {
            let mut state = lock(&self.session.state);
            let removed: Vec<PathBuf> =
                params.event.removed.iter().filter_map(|f| convert::uri_to_path(&f.uri)).collect();
            state.folders.retain(|f| !removed.contains(f));
            state.folders.extend(added.iter().cloned());
        }
        for folder in added {
            let root = crate::workspace::find_root(&folder).unwrap_or(folder);
            if super::state::indexable(&root) {
                self.spawn_index(root, false);
            }
        }
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let session = self.session.clone();
        let uri = params.text_document.uri.as_str().to_string();
        let computed = tokio::task::spawn_blocking(move || diagnostics::compute(&session, &uri))
            .await
            .map_err(|_| Error::internal_error())?;
        let items = computed.map(|c| c.diagnostics).unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
            },
        )))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.with_file(&p.text_document.uri, move |ctx| features::hover(ctx, p.position)).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.with_file(&p.text_document.uri, move |ctx| features::definition(ctx, p.position)).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        self.with_file(&p.text_document.uri, move |ctx| features::references(ctx, p.position, include)).await
    }

    async fn document_highlight(&self, params: DocumentHighlightParams) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.with_file(&p.text_document.uri, move |ctx| features::highlight(ctx, p.position)).await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let result = self
            .with_file(&params.text_document.uri, move |ctx| Some(features::prepare_rename(ctx, params.position)))
            .await?;
        match result {
            Some(Err(message)) => Err(Error::invalid_params(message)),
            Some(Ok(r)) => Ok(Some(r)),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let result =
            self.with_file(&p.text_document.uri, move |ctx| Some(features::rename(ctx, p.position, &new_name))).await?;
        match result {
            Some(Err(message)) => Err(Error::invalid_params(message)),
            Some(Ok(edit)) => Ok(Some(edit)),
            None => Ok(None),
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.with_file(&p.text_document.uri, move |ctx| features::completion(ctx, p.position)).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        self.with_file(&params.text_document.uri, features::document_symbols).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let session = self.session.clone();
        let enc = self.session.settings().encoding;
        tokio::task::spawn_blocking(move || features::workspace_symbols(&session, &params.query, enc))
            .await
            .map_err(|_| Error::internal_error())
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.with_file(&params.text_document.uri.clone(), move |ctx| features::code_actions(ctx, &params)).await
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let r = self.with_file(&params.text_document.uri, |ctx| features::semantic_tokens(ctx, None)).await?;
        Ok(r.map(SemanticTokensResult::Tokens))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let range = params.range;
        let r =
            self.with_file(&params.text_document.uri, move |ctx| features::semantic_tokens(ctx, Some(range))).await?;
        Ok(r.map(SemanticTokensRangeResult::Tokens))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.with_file(&params.text_document.uri, features::folding_ranges).await
    }
}

/// Registers the methods the transport rewrites bad requests to.
pub fn with_extra_methods(builder: LspServiceBuilder<Server>) -> LspServiceBuilder<Server> {
    builder
        .custom_method(super::transport::INVALID_REQUEST, Server::invalid_request)
        .custom_method(super::transport::UNKNOWN_DOLLAR_REQUEST, Server::unknown_dollar_request)
}

impl Server {
    /// The reply to a request that is not JSON-RPC 2.0 (see `transport`).
    async fn invalid_request(&self, params: serde_json::Value) -> Result<serde_json::Value> {
        let message = params.get("message").and_then(|m| m.as_str()).unwrap_or("invalid request").to_string();
        Err(Error { code: ErrorCode::InvalidRequest, message: message.into(), data: None })
    }

    /// The reply to a `$/` request: the protocol has none.
    async fn unknown_dollar_request(&self, params: serde_json::Value) -> Result<serde_json::Value> {
        // The method goes in the message: with a `$/` name as `data`,
        // tower-lsp-server would swallow this reply too.
        let method = params.get("method").and_then(|m| m.as_str()).unwrap_or("$/");
        Err(Error {
            code: ErrorCode::MethodNotFound,
            message: format!("Method not found: {method}").into(),
            data: None,
        })
    }

    async fn apply_file_events(&self, events: &[FileEvent]) {
        // Applied synchronously, before the first `.await`: a request that
        // follows the notification on the wire must see its effect (a hover
        // right after a registry changed on disk), and tower-lsp-server only
        // keeps wire order up to a handler's first `.await`. A panic is
        // caught here as `spawn_blocking` would, so the server keeps serving.
        let reload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| watch::apply(&self.session, events)))
            .unwrap_or_else(|_| {
                eprintln!("newsmark lsp: applying file events panicked; the index may be stale until the next change");
                Vec::new()
            });
        for root in reload {
            self.spawn_index(root, true);
        }
    }
}
