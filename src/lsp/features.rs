//! The ide functions as LSP: each converts positions in, calls the ide
//! function and converts its plain structs out; and the capabilities that
//! advertise exactly these.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{self as lsp, *};

use super::convert;
use std::sync::Arc;

use super::snapshot::{DiskTexts, FileCtx, RecentTexts, WorkspaceGuard};
use super::state::Settings;
use crate::analysis::diagnostics::{CheckOptions, file_diagnostics};
use crate::ide;
use crate::text::PositionEncoding;

/// At most this many workspace symbols per answer.
const MAX_WORKSPACE_SYMBOLS: usize = 256;

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
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["@", "^", "{", " "].map(String::from).to_vec()),
            ..Default::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR,
                CodeActionKind::from(FIX_ALL_KIND),
            ]),
            ..Default::default()
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                work_done_progress_options: Default::default(),
            },
        )),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
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

/// The legend: a token's kind is sent as its index in `TokenKind::ALL`,
/// named with standard LSP token types so that every theme colours them.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: ide::TokenKind::ALL.iter().map(|&k| SemanticTokenType::new(token_type(k))).collect(),
        token_modifiers: ide::TokenModifier::ALL
            .iter()
            .map(|&m| SemanticTokenModifier::new(token_modifier(m)))
            .collect(),
    }
}

fn token_type(kind: ide::TokenKind) -> &'static str {
    match kind {
        ide::TokenKind::Entity => "variable",
        ide::TokenKind::Source => "function",
        ide::TokenKind::Kind => "type",
        ide::TokenKind::DisplayName => "string",
        ide::TokenKind::Key => "property",
        ide::TokenKind::Punctuation => "operator",
        ide::TokenKind::Escape => "macro",
        ide::TokenKind::Comment => "comment",
    }
}

fn token_modifier(modifier: ide::TokenModifier) -> &'static str {
    match modifier {
        ide::TokenModifier::Declaration => "declaration",
        ide::TokenModifier::Undefined => "undefined",
    }
}

pub fn hover(ctx: &FileCtx<'_>, pos: Position) -> Option<Hover> {
    let h = ide::hover(ctx.ide(), ctx.map().offset(pos))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: h.markdown }),
        range: Some(ctx.map().range(h.range)),
    })
}

pub fn definition(ctx: &FileCtx<'_>, pos: Position) -> Option<GotoDefinitionResponse> {
    let target = ide::goto_definition(ctx.ide(), ctx.map().offset(pos))?;
    Some(GotoDefinitionResponse::Scalar(ctx.location(target.file, target.range)?))
}

pub fn references(ctx: &FileCtx<'_>, pos: Position, include: bool) -> Option<Vec<Location>> {
    let refs = ide::references(ctx.ide(), ctx.map().offset(pos), include);
    Some(refs.iter().filter_map(|occ| ctx.occurrence_location(occ)).collect())
}

pub fn highlight(ctx: &FileCtx<'_>, pos: Position) -> Option<Vec<DocumentHighlight>> {
    let map = ctx.map();
    let hs = ide::document_highlight(ctx.ide(), map.offset(pos));
    Some(
        hs.into_iter()
            .map(|h| DocumentHighlight {
                range: map.range(h.range),
                kind: Some(match h.kind {
                    ide::HighlightKind::Read => DocumentHighlightKind::READ,
                    ide::HighlightKind::Write => DocumentHighlightKind::WRITE,
                }),
            })
            .collect(),
    )
}

pub fn prepare_rename(ctx: &FileCtx<'_>, pos: Position) -> Result<PrepareRenameResponse, String> {
    let (range, id) = ide::prepare_rename(ctx.ide(), ctx.map().offset(pos))?;
    Ok(PrepareRenameResponse::RangeWithPlaceholder { range: ctx.map().range(range), placeholder: id })
}

pub fn rename(ctx: &FileCtx<'_>, pos: Position, new_name: &str) -> Result<WorkspaceEdit, String> {
    let change = ide::rename(ctx.ide(), ctx.map().offset(pos), new_name)?;
    Ok(workspace_edit(ctx, &change))
}

/// A source change as a workspace edit; each file's ranges are converted
/// with that file's own positions (see `FileCtx::lsp_range`).
fn workspace_edit(ctx: &FileCtx<'_>, change: &ide::SourceChange) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for (file, edits) in &change.edits {
        let Some(uri) = ctx.uri(*file) else { continue };
        let converted = edits.iter().filter_map(|e| {
            Some(lsp::TextEdit { range: ctx.lsp_range(*file, e.range)?, new_text: e.new_text.clone() })
        });
        changes.entry(uri).or_default().extend(converted);
    }
    WorkspaceEdit { changes: Some(changes), document_changes: None, change_annotations: None }
}

pub fn completion(ctx: &FileCtx<'_>, pos: Position) -> Option<CompletionResponse> {
    let map = ctx.map();
    let list = ide::completion(ctx.ide(), map.offset(pos))?;
    let items = list
        .items
        .into_iter()
        .map(|item| CompletionItem {
            label: item.label,
            kind: Some(match item.kind {
                ide::CompletionKind::Entity => CompletionItemKind::VARIABLE,
                ide::CompletionKind::Source => CompletionItemKind::FUNCTION,
                ide::CompletionKind::Kind => CompletionItemKind::CLASS,
                ide::CompletionKind::Key => CompletionItemKind::PROPERTY,
            }),
            detail: item.detail,
            documentation: item
                .documentation
                .map(|d| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: d })),
            text_edit: Some(CompletionTextEdit::Edit(lsp::TextEdit {
                range: map.range(item.edit.range),
                new_text: item.edit.new_text,
            })),
            filter_text: item.filter_text,
            sort_text: item.sort_text,
            ..Default::default()
        })
        .collect();
    Some(CompletionResponse::List(CompletionList { is_incomplete: list.is_incomplete, items }))
}

#[allow(deprecated)]
fn document_symbol(map: &convert::LineMap<'_>, s: ide::DocumentSymbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: map.range(s.range),
        selection_range: map.range(s.selection_range),
        children: Some(s.children.into_iter().map(|c| document_symbol(map, c)).collect()),
    }
}

fn symbol_kind(kind: ide::SymbolKind) -> lsp::SymbolKind {
    match kind {
        ide::SymbolKind::FrontMatter => lsp::SymbolKind::NAMESPACE,
        ide::SymbolKind::Key => lsp::SymbolKind::PROPERTY,
        ide::SymbolKind::Heading => lsp::SymbolKind::STRING,
        ide::SymbolKind::Entity => lsp::SymbolKind::VARIABLE,
        ide::SymbolKind::Source => lsp::SymbolKind::FUNCTION,
    }
}

pub fn document_symbols(ctx: &FileCtx<'_>) -> Option<DocumentSymbolResponse> {
    let map = ctx.map();
    let symbols = ide::document_symbols(ctx.ide()).into_iter().map(|s| document_symbol(&map, s)).collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}

/// Symbols of every loaded workspace.
#[allow(deprecated)]
pub fn workspace_symbols(
    workspaces: &[(WorkspaceGuard, Arc<RecentTexts>)],
    query: &str,
    enc: PositionEncoding,
) -> Option<WorkspaceSymbolResponse> {
    let mut out = Vec::new();
    for (ws, recent) in workspaces {
        let texts = DiskTexts::new(ws, recent);
        for s in ide::workspace_symbols(ws, query, MAX_WORKSPACE_SYMBOLS.saturating_sub(out.len())) {
            let Some(file) = ws.file(s.location.file) else { continue };
            let Some(uri) = convert::path_to_uri(&file.path) else { continue };
            let Some((text, index)) = texts.lines(s.location.file) else { continue };
            let map = convert::LineMap { text: &text, index: &index, enc };
            out.push(SymbolInformation {
                name: s.name,
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                location: Location { uri, range: map.range(s.location.range) },
                container_name: s.container,
            });
        }
        if out.len() >= MAX_WORKSPACE_SYMBOLS {
            break;
        }
    }
    Some(WorkspaceSymbolResponse::Flat(out))
}

/// The code action kind of spec §12 that applies the safe fixes.
const FIX_ALL_KIND: &str = "source.fixAll.newsmark";

pub fn code_actions(ctx: &FileCtx<'_>, params: &CodeActionParams) -> Option<CodeActionResponse> {
    let map = ctx.map();
    let range = map.text_range(params.range);
    let opts = CheckOptions { index_complete: ctx.snap.index_complete, ..CheckOptions::default() };
    let diags = file_diagnostics(ctx.ws(), ctx.file, &ctx.doc.parse, opts);
    // `source.fixAll.newsmark` is computed only when asked for (on save).
    let wanted =
        |kind: &str| params.context.only.as_ref().is_some_and(|only| only.iter().any(|k| kind.starts_with(k.as_str())));
    let mut actions = Vec::new();
    if wanted(FIX_ALL_KIND) {
        actions.extend(ide::fix_all(ctx.ide(), &diags));
    }
    if params.context.only.as_ref().is_none_or(|_| wanted(CodeActionKind::QUICKFIX.as_str())) {
        actions.extend(ide::code_actions(ctx.ide(), range, &diags));
    }
    let related = |r: &crate::analysis::Related| ctx.location(r.file, r.range);
    let out = actions
        .into_iter()
        .map(|a| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(match a.kind {
                    ide::CodeActionKind::QuickFix => CodeActionKind::QUICKFIX,
                    ide::CodeActionKind::Refactor => CodeActionKind::REFACTOR,
                    ide::CodeActionKind::SourceFixAll => CodeActionKind::from(FIX_ALL_KIND),
                }),
                diagnostics: a
                    .diagnostic
                    .and_then(|i| diags.get(i))
                    .map(|d| vec![convert::diagnostic(d, &map, &related)]),
                edit: Some(workspace_edit(ctx, &a.change)),
                is_preferred: a.is_preferred.then_some(true),
                ..Default::default()
            })
        })
        .collect();
    Some(out)
}

/// Tokens, delta-encoded in the negotiated encoding. A token that spans
/// lines is split at each line end.
pub fn semantic_tokens(ctx: &FileCtx<'_>, range: Option<Range>) -> Option<SemanticTokens> {
    let map = ctx.map();
    let tokens = ide::semantic_tokens(ctx.ide(), range.map(|r| map.text_range(r)));
    let index = ctx.doc.line_index();
    let mut data = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let mut cursor = Cursor { line: u32::MAX, offset: 0, col: 0 };
    for t in tokens {
        let first = index.line_of(t.range.start);
        let last = index.line_of(t.range.end);
        for line in first..=last {
            let line_range = index.line_range(line);
            let start = t.range.start.max(line_range.start);
            let end = t.range.end.min(line_range.end);
            if end <= start {
                continue;
            }
            let s = cursor.position(&map, line, start);
            let e = cursor.position(&map, line, end);
            let delta_line = s.line - prev_line;
            let delta_start = if delta_line == 0 { s.character - prev_col } else { s.character };
            data.push(SemanticToken {
                delta_line,
                delta_start,
                length: e.character - s.character,
                token_type: t.kind.index(),
                token_modifiers_bitset: t.modifiers,
            });
            (prev_line, prev_col) = (s.line, s.character);
        }
    }
    Some(SemanticTokens { result_id: None, data })
}

/// Converts increasing offsets of one line to positions by counting from
/// the previous one: `LineMap::position` counts from the line's start, which
/// made the tokens of a 1 MB line with non-ASCII text quadratic (minutes).
struct Cursor {
    line: u32,
    offset: u32,
    col: u32,
}

impl Cursor {
    fn position(&mut self, map: &convert::LineMap<'_>, line: u32, offset: u32) -> Position {
        let step = (line == self.line && offset >= self.offset)
            .then(|| map.text.get(self.offset as usize..offset as usize))
            .flatten();
        self.col = match step {
            Some(between) => self.col + convert::width(between, map.enc),
            None => map.position(offset).character,
        };
        (self.line, self.offset) = (line, offset);
        Position::new(line, self.col)
    }
}

pub fn folding_ranges(ctx: &FileCtx<'_>) -> Option<Vec<FoldingRange>> {
    let map = ctx.map();
    let folds = ide::folding_ranges(ctx.ide());
    Some(
        folds
            .into_iter()
            .filter_map(|f| {
                let r = map.range(f.range);
                (r.end.line > r.start.line).then_some(FoldingRange {
                    start_line: r.start.line,
                    start_character: None,
                    end_line: r.end.line,
                    end_character: None,
                    kind: Some(match f.kind {
                        ide::FoldKind::Comment => FoldingRangeKind::Comment,
                        ide::FoldKind::Region => FoldingRangeKind::Region,
                    }),
                    collapsed_text: None,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_is_stable() {
        let l = legend();
        let types: Vec<&str> = l.token_types.iter().map(|t| t.as_str()).collect();
        assert_eq!(types.join(" "), "variable function type string property operator macro comment");
        let mods: Vec<&str> = l.token_modifiers.iter().map(|m| m.as_str()).collect();
        assert_eq!(mods, ["declaration", "undefined"]);
        assert!(ide::TokenKind::ALL.iter().enumerate().all(|(i, k)| k.index() as usize == i));
    }
}
