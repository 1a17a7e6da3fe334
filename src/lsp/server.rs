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
use super::diagnostics;
use super::features;
use super::session::Session;
use super::snapshot::{CancelToken, FileCtx};
use super::state::{Effects, Settings, indexable};
use super::watch;
use super::wire::Placeholder;

pub struct Server {
    pub session: Arc<Session>,
}

impl Server {
    /// Runs `f` on a blocking thread with a snapshot of `uri` (an open
    /// document, or a workspace file that is not open); `Ok(None)` when it
    /// is neither.
    async fn with_file<R, F>(&self, uri: &Uri, f: F) -> Result<Option<R>>
    where
        R: Send + 'static,
        F: FnOnce(&FileCtx<'_>) -> Option<R> + Send + 'static,
    {
        self.session.with_snapshot(uri, move |snap, _| f(&FileCtx::new(snap)?)).await
    }
}

fn settings_from(params: &InitializeParams) -> Settings {
    let caps = &params.capabilities;
    let option = |name: &str| params.initialization_options.as_ref().and_then(|o| o.get(name));
    // `debounceMs` is the option's former name, still accepted.
    let diagnostic_delay_ms = option("diagnosticDelayMs")
        .or_else(|| option("debounceMs"))
        .and_then(|v| v.as_i64())
        .map_or(Settings::default().diagnostic_delay_ms, |n| n.clamp(0, 10_000) as u64);
    let workspace = caps.workspace.as_ref();
    Settings {
        encoding: convert::negotiate_encoding(caps),
        diagnostic_delay_ms,
        // Push is the default, since a client may declare pull support and
        // still only listen to pushes (and one that does both would show
        // every diagnostic twice). A client that wants to pull opts in with
        // `initializationOptions: {"pullDiagnostics": true}`.
        pull_diagnostics: caps.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some())
            && option("pullDiagnostics").and_then(|v| v.as_bool()) == Some(true),
        diagnostic_refresh: workspace.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support)
            == Some(true),
        work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress) == Some(true),
        watch_registration: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            == Some(true),
        // `initializationOptions: {"cache": false}`: no cache read or
        // written (a folder the editor must not write into).
        cache: option("cache").and_then(|v| v.as_bool()) != Some(false),
        cache_dir: option("cacheDir").and_then(|v| v.as_str()).filter(|d| !d.is_empty()).map(PathBuf::from),
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
        self.session.mutate(|state| {
            state.settings = settings;
            state.folders = folders;
            Effects::default()
        });
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo { name: "newsmark".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let folders = self.session.read(|s| s.folders.clone());
        self.session.mutate(|_| {
            let mut index: Vec<PathBuf> =
                folders.iter().map(|f| crate::workspace::find_root(f).unwrap_or_else(|| f.clone())).collect();
            index.retain(|r| indexable(r));
            Effects { index, ..Effects::default() }
        });
        if self.session.read(|s| s.settings.watch_registration) {
            if let Err(e) = self.session.client.register_capability(vec![watch::registration()]).await {
                self.session.log_error(&format!("cannot register file watchers: {e}")).await;
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.session.mutate(|state| {
            state.shutdown = true;
            Effects::default()
        });
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.session.mutate(|state| state.open(doc.uri, doc.version, &doc.text));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let doc = params.text_document;
        let mut open = true;
        self.session.mutate(|state| {
            let fx = state.change(&doc.uri, doc.version, &params.content_changes);
            open = fx.is_some();
            fx.unwrap_or_default()
        });
        if !open {
            let message = format!("didChange for {} which is not open; ignored", doc.uri.as_str());
            self.session.log_error(&message).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.session.mutate(|state| state.close(&params.text_document.uri, true));
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let Some(path) = convert::uri_to_path(&params.text_document.uri) else { return };
        if crate::workspace::changes_membership(&path) {
            self.session.mutate(|state| state.file_events(&[(path, FileChangeType::CHANGED)]));
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let events: Vec<(PathBuf, FileChangeType)> =
            params.changes.iter().filter_map(|e| Some((convert::uri_to_path(&e.uri)?, e.typ))).collect();
        self.session.mutate(|state| state.file_events(&events));
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let paths = |folders: &[WorkspaceFolder]| -> Vec<PathBuf> {
            folders.iter().filter_map(|f| convert::uri_to_path(&f.uri)).collect()
        };
        let (added, removed) = (paths(&params.event.added), paths(&params.event.removed));
        self.session.mutate(|state| state.folders_changed(added, &removed));
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let computed = self
            .session
            .with_snapshot(&params.text_document.uri, |snap, _| {
                diagnostics::compute(snap, &mut Default::default(), None)
            })
            .await?;
        let items = computed.map(|(_, items)| items).unwrap_or_default();
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

    /// Reached only without the input guard (which sends these requests
    /// to [`Server::prepared_references`]).
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
        let workspaces = self.session.read(|s| s.all_workspaces());
        let enc = self.session.read(|s| s.settings.encoding);
        let run = move || features::workspace_symbols(&workspaces, &params.query, enc);
        self.session.run(CancelToken::default(), CancelToken::default(), run).await
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
    let builder = builder
        .custom_method(super::transport::INVALID_REQUEST, Server::invalid_request)
        .custom_method(super::transport::UNKNOWN_DOLLAR_REQUEST, Server::unknown_dollar_request)
        .custom_method(super::transport::PREPARED_REFERENCES, Server::prepared_references);
    #[cfg(test)]
    let builder = builder
        .custom_method(super::tests::PANIC_REQUEST, Server::test_panic)
        .custom_method(super::tests::HOLD_REQUEST, Server::test_hold);
    builder
}

/// Runs `f` when dropped.
#[cfg(test)]
fn scopeguard<F: FnMut() -> usize>(f: F) -> impl Drop {
    struct Guard<F: FnMut() -> usize>(F);
    impl<F: FnMut() -> usize> Drop for Guard<F> {
        fn drop(&mut self) {
            (self.0)();
        }
    }
    Guard(f)
}

#[cfg(test)]
impl Server {
    /// Panics while reading a snapshot (tests of the panic path only).
    async fn test_panic(&self, params: TextDocumentIdentifier) -> Result<Option<()>> {
        self.with_file(&params.uri, |_| -> Option<()> { panic!("deliberate test panic") }).await
    }

    /// Holds a snapshot until the document changes or the client cancels
    /// (tests of cancellation only); `true` when released that way.
    async fn test_hold(&self, params: TextDocumentIdentifier) -> Result<Option<bool>> {
        use std::sync::atomic::Ordering::AcqRel;
        let session = self.session.clone();
        self.session
            .with_snapshot(&params.uri, move |snap, cancel| {
                session.hooks.holds_running.fetch_add(1, AcqRel);
                let _done = scopeguard(|| session.hooks.holds_running.fetch_sub(1, AcqRel));
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
                while !snap.modified.is_cancelled() && !cancel.is_cancelled() {
                    if std::time::Instant::now() > deadline {
                        return Some(false);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                Some(true)
            })
            .await
    }
}

impl Server {
    /// `textDocument/references`, which the input guard renames so that
    /// the answer (ten thousand locations on a well-used entity) is
    /// serialized once, on the request's thread, not built as a
    /// `serde_json::Value` (see `wire`).
    async fn prepared_references(&self, params: ReferenceParams) -> Result<Option<Placeholder>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        let json = self
            .with_file(&p.text_document.uri, move |ctx| {
                serde_json::to_vec(&features::references(ctx, p.position, include)?).ok()
            })
            .await?;
        Ok(json.map(|json| self.session.payloads.stand_in(json)))
    }

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
}
