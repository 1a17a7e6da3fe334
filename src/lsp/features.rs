//! The ide functions as LSP: each converts positions in, calls the ide
//! function and converts its plain structs out; and the capabilities that
//! advertise exactly these.

use tower_lsp_server::ls_types::*;

use super::convert;
use super::session::{FileCtx, Session};
use super::state::Settings;
use crate::text::PositionEncoding;

pub fn capabilities(settings: &Settings) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(convert::encoding_kind(settings.encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        diagnostic_provider: settings.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("newsmark".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                work_done_progress_options: Default::default(),
            })
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

pub fn hover(_ctx: &FileCtx<'_>, _pos: Position) -> Option<Hover> {
    None
}

pub fn definition(_ctx: &FileCtx<'_>, _pos: Position) -> Option<GotoDefinitionResponse> {
    None
}

pub fn references(_ctx: &FileCtx<'_>, _pos: Position, _include: bool) -> Option<Vec<Location>> {
    None
}

pub fn highlight(_ctx: &FileCtx<'_>, _pos: Position) -> Option<Vec<DocumentHighlight>> {
    None
}

pub fn prepare_rename(_ctx: &FileCtx<'_>, _pos: Position) -> Result<PrepareRenameResponse, String> {
    Err("not yet".into())
}

pub fn rename(_ctx: &FileCtx<'_>, _pos: Position, _new: &str) -> Result<WorkspaceEdit, String> {
    Err("not yet".into())
}

pub fn completion(_ctx: &FileCtx<'_>, _pos: Position) -> Option<CompletionResponse> {
    None
}

pub fn document_symbols(_ctx: &FileCtx<'_>) -> Option<DocumentSymbolResponse> {
    None
}

pub fn workspace_symbols(_s: &Session, _q: &str, _enc: PositionEncoding) -> Option<WorkspaceSymbolResponse> {
    None
}

pub fn code_actions(_ctx: &FileCtx<'_>, _p: &CodeActionParams) -> Option<CodeActionResponse> {
    None
}

pub fn semantic_tokens(_ctx: &FileCtx<'_>, _range: Option<Range>) -> Option<SemanticTokens> {
    None
}

pub fn folding_ranges(_ctx: &FileCtx<'_>) -> Option<Vec<FoldingRange>> {
    None
}
