-- Headless Neovim test of the editors/nvim plugin: opens the scenario's article in a copy of
-- the workspace and checks filetype, ftplugin, syntax highlighting, server attach, hover,
-- completion, go to definition and a diagnostic after an edit. Started by run.sh.
-- Prints PASS/FAIL lines; exits 0 when all passed.
local uv = vim.uv or vim.loop
local STEP_MS = math.floor(tonumber(vim.env.NEWSMARK_TIMEOUT_S or '15') * 1000)
local passes, failures = 0, 0

local function out(s) io.stdout:write(s .. '\n'); io.stdout:flush() end
local function ms_since(t0) return math.floor((uv.hrtime() - t0) / 1e6) end
local function check(ok, what, ms, detail)
  if ok then passes = passes + 1 else failures = failures + 1 end
  local line = (ok and 'PASS  ' or 'FAIL  ') .. 'nvim: ' .. what
  if ms then line = line .. ('  (%d ms)'):format(ms) end
  if not ok and detail ~= nil then
    detail = type(detail) == 'string' and detail or vim.inspect(detail, { newline = ' ', indent = '' })
    line = line .. '\n        :: ' .. detail:gsub('\n', '\n        ')
  end
  out(line)
  return ok
end
local function finish()
  out(('# nvim: %d passed, %d failed'):format(passes, failures))
  for _, c in ipairs(vim.lsp.get_clients()) do c:stop(true) end -- the server must not outlive Neovim
  vim.cmd('cquit ' .. (failures == 0 and 0 or 1))
end
local watchdog = uv.new_timer()
watchdog:start(STEP_MS * 10 + 20000, 0, vim.schedule_wrap(function()
  check(false, 'watchdog: the test did not finish in time')
  finish()
end))

local sc = vim.json.decode(table.concat(vim.fn.readfile(vim.env.NEWSMARK_SCENARIO), '\n'))
local ws = vim.env.NEWSMARK_WORKSPACE
local open_path = ws .. '/' .. sc.open

-- An anchor (first occurrence of `at` in the buffer, plus `offset` characters) -> 0-based line, byte column.
local function anchor(buf, at, offset)
  for l, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = text:find(at, 1, true)
    if s then
      local chars = vim.str_utfindex(text, 'utf-32', s - 1, false) + (offset or 0)
      return l - 1, vim.str_byteindex(text, 'utf-32', chars, false)
    end
  end
  error(('anchor %q not found'):format(at))
end
local function normalize(s) return (s:gsub('%*%*', ''):gsub('`', ''):gsub('%s+', ' ')) end
local function contains_all(text, needles)
  local missing = {}
  for _, n in ipairs(needles) do
    if not normalize(text):find(normalize(n), 1, true) then table.insert(missing, n) end
  end
  return #missing == 0, missing
end

local function run()
  out('# nvim ' .. tostring(vim.version()))
  local t0 = uv.hrtime()
  vim.cmd.edit(vim.fn.fnameescape(open_path))
  local buf = vim.api.nvim_get_current_buf()

  -- without the server: filetype, ftplugin, syntax
  check(vim.bo[buf].filetype == 'newsmark', 'filetype of *.nmk is newsmark', nil, vim.bo[buf].filetype)
  check(vim.bo[buf].commentstring == '<!-- %s -->', 'commentstring is <!-- %s -->', nil, vim.bo[buf].commentstring)
  local function syn_at(line, col)
    local id = vim.fn.synID(line + 1, col + 1, 1)
    return vim.fn.synIDattr(id, 'name'), vim.fn.synIDattr(vim.fn.synIDtrans(id), 'name')
  end
  for _, sy in ipairs(sc.syntax or {}) do
    local l, c = anchor(buf, sy.at, sy.offset)
    local name, linked = syn_at(l, c)
    check(name == sy.group, ('syntax at %s+%d is %s'):format(sy.at, sy.offset, sy.group), nil, ('%s (%s)'):format(name, linked))
    local names = vim.tbl_map(function(s) return s.hl_group end, vim.inspect_pos(buf, l, c).syntax)
    check(vim.tbl_contains(names, sy.group), ('vim.inspect_pos at %s+%d lists %s'):format(sy.at, sy.offset, sy.group), nil, names)
    if sy.word then
      vim.api.nvim_win_set_cursor(0, { l + 1, c })
      check(vim.fn.expand('<cword>') == sy.word, ('the word under the cursor is %s (iskeyword)'):format(sy.word), nil, vim.fn.expand('<cword>'))
    end
  end

  -- the server
  local client
  local attached = vim.wait(STEP_MS, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'newsmark' })[1]
    return client ~= nil and client.initialized == true
  end, 10)
  if not check(attached, 'newsmark server attached', ms_since(t0),
      client and 'client not initialized' or 'no client for the buffer (is `newsmark` on PATH? see the LSP log)') then
    return finish()
  end
  out(('# nvim: server %s, root %s'):format(vim.inspect(client.config.cmd), client.root_dir or client.config.root_dir))
  check(client.root_dir == ws, 'root is the folder with newsmark.toml', nil, client.root_dir)
  -- the server, finding no cache, writes one once it has indexed the workspace: where the
  -- init_options of the config say (plain and setup: init.lua sets cacheDir), else in .newsmark_cache
  do
    local t = uv.hrtime()
    local moved = vim.env.NEWSMARK_NVIM_STYLE ~= 'lazy'
    local dir = ws .. (moved and '/nvim-cache' or '/.newsmark_cache')
    local written = vim.wait(STEP_MS * 2, function()
      return #vim.fn.glob(dir .. '/ws-*.bin', true, true) > 0
    end, 50)
    local stray = moved and uv.fs_stat(ws .. '/.newsmark_cache') ~= nil
    check(written and not stray, ('the server keeps its cache in %s'):format(dir:sub(#ws + 2)), written and ms_since(t) or nil,
      ('%s: %s; .newsmark_cache %s'):format(dir, vim.inspect(vim.fn.glob(dir .. '/*', true, true)), stray and 'exists' or 'absent'))
  end
  local enc = client.offset_encoding or 'utf-16'

  local function floats()
    local ws_ = {}
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then table.insert(ws_, w) end
    end
    return ws_
  end
  local function request(method, line, col)
    vim.api.nvim_set_current_buf(buf)
    vim.api.nvim_win_set_cursor(0, { line + 1, col })
    local t1 = uv.hrtime()
    local res, err = vim.lsp.buf_request_sync(buf, method, vim.lsp.util.make_position_params(0, enc), STEP_MS)
    local r = res and res[client.id]
    if not r then return nil, ms_since(t1), err or 'no response' end
    if r.err then return nil, ms_since(t1), r.err end
    return r.result, ms_since(t1)
  end

  for _, h in ipairs(sc.hover) do
    local hl, hc = anchor(buf, h.at, h.offset)
    local what = ('hover at %s+%d shows %s'):format(h.at, h.offset, table.concat(h.contains, ', '))
    -- The workspace indexes in the background after attach; until it is
    -- done, a hover says so instead of naming the entity: ask again, as a
    -- user would, until the answer names it (or the step times out).
    local result, ms, err
    local t_hover = uv.hrtime()
    vim.wait(STEP_MS, function()
      result, ms, err = request('textDocument/hover', hl, hc)
      local value = type(result) == 'table' and type(result.contents) == 'table' and result.contents.value or ''
      return (contains_all(value, h.contains))
    end, 50)
    ms = ms_since(t_hover)
    if not result or result == vim.NIL then
      check(false, what, ms, err or 'null result')
    else
      -- as a user would (K): the float must show it
      vim.lsp.buf.hover()
      vim.wait(STEP_MS, function() return #floats() > 0 end, 10)
      local text = ''
      for _, w in ipairs(floats()) do
        text = text .. table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n')
        vim.api.nvim_win_close(w, true)
      end
      local ok, missing = contains_all(text, h.contains)
      check(ok, what, ms, ('missing %s in the hover float: %q'):format(vim.inspect(missing), text))
    end
  end

  for _, cpl in ipairs(sc.completion) do
    local cl, cc = anchor(buf, cpl.at, cpl.offset)
    local what = ('completion at %s+%d offers %s'):format(cpl.at, cpl.offset, table.concat(cpl.contains, ', '))
    local result, ms, err = request('textDocument/completion', cl, cc)
    local labels = {}
    for _, it in ipairs(result and result ~= vim.NIL and (result.items or result) or {}) do table.insert(labels, it.label) end
    local missing = vim.tbl_filter(function(w) return not vim.tbl_contains(labels, w) end, cpl.contains)
    check(result ~= nil and #missing == 0, what, ms, err or ('missing %s among %d labels: %s'):format(
      vim.inspect(missing), #labels, table.concat(vim.list_slice(labels, 1, 20), ', ')))
  end

  for _, d in ipairs(sc.definition) do
    local dl, dc = anchor(buf, d.at, d.offset)
    local target = (uv.fs_realpath(ws .. '/' .. d.target_file))
    local tlines = vim.fn.readfile(target)
    local tline
    for i, text in ipairs(tlines) do if not tline and text:find(d.target_at, 1, true) then tline = i - 1 end end
    local what = ('definition at %s+%d -> %s:%d'):format(d.at, d.offset, d.target_file, tline or -1)
    vim.api.nvim_set_current_buf(buf)
    vim.api.nvim_win_set_cursor(0, { dl + 1, dc })
    local t1 = uv.hrtime()
    vim.lsp.buf.definition() -- as `gd`/CTRL-] would
    local function landed()
      return uv.fs_realpath(vim.api.nvim_buf_get_name(0)) == target and vim.api.nvim_win_get_cursor(0)[1] - 1 == tline
    end
    local ok = vim.wait(STEP_MS, landed, 10)
    check(ok, what, ms_since(t1), ('the cursor is at %s:%d'):format(vim.api.nvim_buf_get_name(0), vim.api.nvim_win_get_cursor(0)[1] - 1))
    vim.api.nvim_set_current_buf(buf)
  end

  if sc.edit then
    local e, want = sc.edit, sc.edit.expect_diagnostic
    local el, ec = anchor(buf, e.at, e.offset)
    local line = vim.api.nvim_buf_get_lines(buf, el, el + 1, false)[1]
    local ec_end = vim.str_byteindex(line, 'utf-32', vim.str_utfindex(line, 'utf-32', ec, false) + e.delete, false)
    local t1 = uv.hrtime()
    vim.api.nvim_buf_set_text(buf, el, ec, el, ec_end, { e.insert })
    local found
    local ok = vim.wait(STEP_MS, function()
      for _, dg in ipairs(vim.diagnostic.get(buf)) do
        if tostring(dg.code) == want.code and dg.message:find(want.message_contains, 1, true) then found = dg return true end
      end
      return false
    end, 10)
    local got = vim.tbl_map(function(dg) return ('%d:%d %s %s'):format(dg.lnum, dg.col, tostring(dg.code), dg.message) end,
      vim.diagnostic.get(buf))
    check(ok, ('after editing %s: diagnostic %s mentioning %s'):format(e.at, want.code, want.message_contains),
      ok and ms_since(t1) or nil, 'diagnostics: ' .. vim.inspect(vim.list_slice(got, 1, 10)))
    if found then
      check(found.lnum == el, 'the diagnostic is on the edited line', nil, found.lnum)
    end
  end
  finish()
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  check(false, 'lua error', nil, err)
  finish()
end
