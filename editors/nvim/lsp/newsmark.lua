---@brief
---
--- Newsmark language server: diagnostics, hover, go to definition, references, rename,
--- completion and more for Newsmark (`*.nmk`), a markup that tags news articles with
--- entity tags (`[Mr. Xi]{@xi-jinping}`) and source tags (`[“…”]{^xi-remarks}`).
---
--- The server is the `newsmark` binary (`newsmark lsp`). Install it with
--- `pip install newsmark`, from the archive for your platform on the release page, or
--- with `cargo install --path .` from a clone of the repository.
---
--- Neovim does not know the `newsmark` filetype; register it:
--- ```lua
--- vim.filetype.add({ extension = { nmk = 'newsmark' } })
--- ```
--- The workspace root is the nearest folder holding `newsmark.toml`, else `.git`.
---@type vim.lsp.Config
return {
  cmd = { 'newsmark', 'lsp' },
  filetypes = { 'newsmark' },
  root_markers = { 'newsmark.toml', '.git' },
}
