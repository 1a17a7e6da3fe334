-- Newsmark for Neovim 0.10 (and later, without vim.lsp.enable): starts `newsmark lsp` for
-- every newsmark buffer. On 0.11+ prefer `vim.lsp.enable('newsmark')` (lsp/newsmark.lua).
local M = {}

---@class newsmark.Opts
---@field cmd? string[]              server command (default { 'newsmark', 'lsp' })
---@field root_markers? string[]     files that mark the workspace root
---@field settings? table            sent as workspace/configuration settings
---@field init_options? table        initialization options: { cache = false } or { cacheDir = 'dir' }
---@field on_attach? fun(client: table, bufnr: integer)
---@field capabilities? table

local defaults = {
  cmd = { 'newsmark', 'lsp' },
  root_markers = { 'newsmark.toml', '.git' },
}

local function root_dir(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local found = vim.fs.find(markers, { path = vim.fs.dirname(name), upward = true })[1]
  return found and vim.fs.dirname(found) or vim.fs.dirname(name)
end

---@param opts? newsmark.Opts
function M.setup(opts)
  opts = vim.tbl_deep_extend('force', defaults, opts or {})
  vim.filetype.add({ extension = { nmk = 'newsmark' } })
  local group = vim.api.nvim_create_augroup('newsmark_lsp', { clear = true })
  local function start(bufnr)
    if vim.fn.executable(opts.cmd[1]) ~= 1 then
      vim.notify_once(('newsmark: %q not found. Install it with `cargo install --path .` from the '
        .. 'Newsmark repository, or pass cmd = { "/path/to/newsmark", "lsp" } to setup().'):format(opts.cmd[1]),
        vim.log.levels.ERROR)
      return
    end
    vim.lsp.start({
      name = 'newsmark',
      cmd = opts.cmd,
      root_dir = root_dir(bufnr, opts.root_markers),
      settings = opts.settings,
      init_options = opts.init_options,
      on_attach = opts.on_attach,
      capabilities = opts.capabilities,
    }, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'newsmark',
    callback = function(ev) start(ev.buf) end,
  })
  -- buffers already open when setup() runs
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype == 'newsmark' then
      start(bufnr)
    end
  end
end

return M
