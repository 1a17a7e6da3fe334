-- The test's Neovim config: what a user writes (the plugin on the runtimepath, then
-- vim.lsp.enable), plus headless-safe options. run.sh puts the server binary on PATH.
vim.o.swapfile = false
vim.o.shadafile = 'NONE'
vim.o.more = false -- never block on "-- More --"

vim.opt.rtp:prepend(vim.env.NEWSMARK_NVIM_PLUGIN)
vim.lsp.enable('newsmark')
