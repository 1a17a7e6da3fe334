-- Buffer settings for Newsmark: comments are <!-- -->, and ids (alejandro-mayorkas,
-- dhs-statement-2015-11, u.s.-gov) are whole words for w, *, ciw and completion.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = true

vim.bo.commentstring = '<!-- %s -->'
vim.bo.comments = 's:<!--,m:    ,e:-->'
vim.opt_local.iskeyword = '@,48-57,_,-,.,192-255'
vim.opt_local.formatoptions:remove('t')

vim.b.undo_ftplugin = 'setlocal commentstring< comments< iskeyword< formatoptions<'
