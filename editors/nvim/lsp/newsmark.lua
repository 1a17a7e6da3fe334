-- Neovim 0.11+ server config for Newsmark: `vim.lsp.enable('newsmark')` is all a user writes.
-- Override any field with vim.lsp.config('newsmark', { cmd = { '/path/to/newsmark', 'lsp' } }).
---@type vim.lsp.Config
return {
  cmd = { 'newsmark', 'lsp' },
  filetypes = { 'newsmark' },
  root_markers = { 'newsmark.toml', '.git' },
}
