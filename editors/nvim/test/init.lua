-- The test's Neovim config: what a user writes, plus headless-safe options. run.sh puts the
-- server binary on PATH. NEWSMARK_NVIM_STYLE picks the README snippet that is run:
--   plain: the plugin on the runtimepath, then vim.lsp.enable (the Neovim 0.11+ snippet)
--   setup: the plugin on the runtimepath, then require('newsmark').setup() (Neovim 0.10)
--   lazy:  the lazy.nvim spec of editors/nvim/README.md, read from there and loaded as
--          lazy.nvim loads a `lazy = false` plugin at startup: config(plugin) is called
--          with the spec as the plugin, whose `dir` is the clone (lazy.nvim itself is not
--          installed here)
vim.o.swapfile = false
vim.o.shadafile = 'NONE'
vim.o.more = false -- never block on "-- More --"

local plugin = vim.env.NEWSMARK_NVIM_PLUGIN -- editors/nvim
local style = vim.env.NEWSMARK_NVIM_STYLE or 'plain'
if style == 'plain' then
  vim.opt.rtp:prepend(plugin)
  -- the README's snippet for the server's initialization options (test.lua looks there)
  vim.lsp.config('newsmark', { init_options = { cacheDir = 'nvim-cache' } })
  vim.lsp.enable('newsmark')
elseif style == 'setup' then
  -- the Neovim 0.10 snippet of editors/nvim/README.md, with the server's initialization options
  vim.opt.rtp:prepend(plugin)
  require('newsmark').setup({ init_options = { cacheDir = 'nvim-cache' } })
elseif style == 'lazy' then
  local readme = table.concat(vim.fn.readfile(plugin .. '/README.md'), '\n')
  local snippet = readme:match('```lua\n(%-%- lazy%.nvim.-)```')
  assert(snippet, 'no lazy.nvim snippet (a ```lua block starting with "-- lazy.nvim") in ' .. plugin .. '/README.md')
  local clone = vim.fs.dirname(vim.fs.dirname(plugin))
  local spec = assert(loadstring('return ' .. snippet:gsub('/path/to/newsmark', clone)))()
  assert(spec.lazy == false, 'the lazy.nvim spec must load at startup (lazy = false)')
  assert(spec.dir == clone, 'the lazy.nvim spec names the clone with `dir`')
  spec.config(spec, spec.opts or {})
else
  error('unknown NEWSMARK_NVIM_STYLE ' .. style)
end
