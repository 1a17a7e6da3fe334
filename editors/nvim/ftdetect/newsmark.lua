-- Filetype detection: *.nmk files are Newsmark.
vim.filetype.add({ extension = { nmk = 'newsmark' } })
