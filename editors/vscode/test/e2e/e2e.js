// End-to-end test of the Newsmark extension in a real VS Code (code-server in headless
// Chromium, driven by Playwright), used as a user would: Quick Open, Show Hover, Ctrl+Space,
// F12, the Problems panel, the command palette. What the UI cannot show exactly (the cursor
// after F12, diagnostic codes, completion labels) is read through the probe extension.
// Usage: node e2e.js <baseUrl> <scenario.json> <workspaceDir> <probeDir> <screenshotDir> <chromiumHome>
// Exit 0 = every check passed. Env: NEWSMARK_TIMEOUT_S (per step, default 15), CHROMIUM,
// NEWSMARK_E2E_MODE: `bundled` (default: every check, on a platform package whose own server
//   must be the one running), `path` (the universal package with `newsmark` on PATH: the
//   server from PATH runs and answers a hover), `none` (the universal package, no server
//   anywhere: a notification says how to install one);
// NEWSMARK_E2E_SERVER: the server binary expected to run (`bundled`: a path under it),
// NEWSMARK_E2E_SESSION: the session id of code-server's processes.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const [baseUrl, scenarioFile, workspace, probeDir, outDir, chromiumHome] = process.argv.slice(2);
const sc = JSON.parse(fs.readFileSync(scenarioFile, 'utf8'));
const STEP = Number(process.env.NEWSMARK_TIMEOUT_S || 15) * 1000;
const MODE = process.env.NEWSMARK_E2E_MODE || 'bundled';
const EXPECTED_SERVER = process.env.NEWSMARK_E2E_SERVER || '';
let passed = 0, failed = 0, shot = 0;
const t0 = Date.now();

function check(ok, what, ms, detail) {
  if (ok) passed++; else failed++;
  let line = `${ok ? 'PASS' : 'FAIL'}  vscode: ${what}` + (ms != null ? `  (${ms} ms)` : '');
  if (!ok && detail) line += '\n        :: ' + String(detail).replace(/\n/g, '\n        ');
  console.log(line);
  return ok;
}
const note = (s) => console.log(`# vscode: ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn, timeout = STEP, every = 50) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(every);
  }
}
const normalize = (s) => s.replace(/\s+/g, ' ').replace(/\*\*|`/g, '').trim();
const samePath = (a, b) => !!a && !!b && path.resolve(a) === path.resolve(b);

// An anchor {at, offset} in a file -> LSP position (0-based line, UTF-16 character).
function anchor(file, at, offset = 0) {
  const text = fs.readFileSync(file, 'utf8');
  const i = text.indexOf(at);
  if (i < 0) throw new Error(`anchor ${JSON.stringify(at)} not found in ${file}`);
  const before = text.slice(0, i + offset);
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  return { line: before.split(/\r\n|\r|\n/).length - 1, character: before.length - lineStart };
}

// The argv[0] of every `… lsp` process whose binary is named newsmark, in code-server's
// session ($NEWSMARK_E2E_SESSION: run.sh starts code-server with setsid), so that servers
// of other programs on the machine do not count.
function serverProcesses() {
  const found = [];
  const session = process.env.NEWSMARK_E2E_SESSION;
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let argv, stat;
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch { continue; }
    // fields after "(comm)": state ppid pgrp session …
    if (session && stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3] !== session) continue;
    if (argv[1] === 'lsp' && /(^|\/)newsmark(\.exe)?$/.test(argv[0])) found.push(argv[0]);
  }
  return found;
}

// -- probe ----------------------------------------------------------------------
function state() {
  try { return JSON.parse(fs.readFileSync(path.join(probeDir, 'state.json'), 'utf8')); } catch { return null; }
}
let reqId = 0;
async function probe(req) {
  const id = `${Date.now()}-${++reqId}.json`;
  const file = path.join(probeDir, 'requests', id);
  fs.writeFileSync(file + '.tmp', JSON.stringify(req));
  fs.renameSync(file + '.tmp', file);
  const resFile = path.join(probeDir, 'responses', id);
  if (!await waitFor(() => fs.existsSync(resFile))) return { ok: false, error: 'probe did not answer' };
  return JSON.parse(fs.readFileSync(resFile, 'utf8'));
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const openPath = path.join(workspace, sc.open);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, HOME: chromiumHome }, // chromium writes ~/.pki, ~/.config/chromium
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
    timeout: STEP * 3,
  });
  let page;
  const screenshot = async (name) => {
    const file = path.join(outDir, `${String(++shot).padStart(2, '0')}-${name}.png`);
    try { await page.screenshot({ path: file }); } catch { /* page gone */ }
  };
  const watchdog = setTimeout(async () => {
    console.log('FAIL  vscode: watchdog: the test did not finish in time');
    await screenshot('watchdog');
    process.exit(2);
  }, STEP * 14 + 60000);

  try {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(STEP);
    await page.goto(`${baseUrl}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: STEP * 4 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: STEP * 4 });
    note(`workbench ready after ${Date.now() - t0} ms`);
    if (!check(!!await waitFor(() => state(), STEP * 2), 'probe extension active', null, `no ${probeDir}/state.json`)) {
      throw new Error('no probe');
    }
    const editor = page.locator('.editor-instance .monaco-editor').first();

    // Quick Open (Ctrl+P): Enter only once the wanted file is the focused row
    const quickOpen = async (rel) => {
      const want = path.join(workspace, rel);
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.keyboard.press('Escape');
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 2000 }).catch(() => {});
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible' });
        await input.fill(rel);
        const base = path.posix.basename(rel);
        const row = await page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${base}"]`,
          { timeout: STEP }).catch(() => null);
        if (!row) continue;
        await page.keyboard.press('Enter');
        const st = await waitFor(() => { const s = state(); return s && s.active && samePath(s.active.path, want) && s; }, 5000);
        if (st) return st;
      }
      return null;
    };
    // Go to Line/Column (Ctrl+G, ":line:column", UTF-16 like LSP), confirmed through the probe
    const gotoPos = async ({ line, character }) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.keyboard.press('Escape');
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 2000 }).catch(() => {});
        await editor.locator('.view-lines').click({ position: { x: 2, y: 2 } }).catch(() => {});
        await page.keyboard.press('Control+G');
        const input = page.locator('.quick-input-widget input');
        if (!await waitFor(async () => (await input.inputValue().catch(() => '')) === ':', 3000)) continue;
        await input.fill(`:${line + 1}:${character + 1}`);
        await page.keyboard.press('Enter');
        const ok = await waitFor(() => {
          const a = (state() || {}).active;
          return a && a.selection.start.line === line && a.selection.start.character === character;
        }, 3000);
        if (ok) return true;
      }
      return false;
    };
    const backToArticle = async () => samePath((state().active || {}).path, openPath) || !!await quickOpen(sc.open);
    const notifications = async () => page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item')
      .allInnerTexts().then((a) => a.map(normalize)).catch(() => []);

    // -- open the article: language mode, the extension and its server start
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => {});
    let t = Date.now();
    const opened = await quickOpen(sc.open);
    const mode = await page.locator('[id="status.editor.mode"]').first().innerText().catch(() => '?');
    if (!check(opened && opened.active.languageId === 'newsmark', `open ${sc.open}: language newsmark (status bar: ${mode.trim()})`,
      Date.now() - t, opened ? `languageId is ${opened.active.languageId}` : 'the file did not become the active editor')) {
      throw new Error('open failed');
    }
    const active = await waitFor(() => (state().activeExtensions || []).includes('newsmark.newsmark'));
    check(!!active, 'extension newsmark.newsmark active', null, JSON.stringify(state().activeExtensions));

    if (MODE === 'none') {
      // no server anywhere: the user is told how to get one, and nothing is started
      // shown while the window was still starting up, it may sit in the notification centre
      let texts = [];
      const told = await waitFor(async () => {
        texts = await notifications();
        if (!await page.locator('.notifications-center').isVisible().catch(() => false)) {
          await page.keyboard.press('Escape');
          await page.keyboard.press('F1');
          await page.locator('.quick-input-widget input').fill('>Notifications: Show Notifications').catch(() => {});
          await page.waitForSelector('.quick-input-list .monaco-list-row.focused[aria-label*="Show Notifications"]', { timeout: 3000 })
            .then(() => page.keyboard.press('Enter')).catch(() => {});
        }
        return texts.some((s) => s.includes('pip install newsmark') && s.includes('newsmark.server.path'));
      }, STEP, 500);
      await screenshot('no-server');
      check(!!told, 'without a server, a notification says how to install one', null, `notifications: ${JSON.stringify(texts)}`);
      check(serverProcesses().length === 0, 'no server process runs', null, JSON.stringify(serverProcesses()));
      throw new Error('done');
    }
    {
      // the server that runs is the expected one (the packaged one, or the one on PATH)
      let running = [];
      const ok = await waitFor(() => {
        running = serverProcesses();
        return running.some((p) => (MODE === 'bundled' ? p.startsWith(EXPECTED_SERVER) && /\/server\/newsmark$/.test(p) : p === EXPECTED_SERVER));
      });
      check(!!ok, `the server running is ${MODE === 'bundled' ? `the package's own (under ${EXPECTED_SERVER})` : EXPECTED_SERVER}`,
        null, `running: ${JSON.stringify(running)}`);
    }
    {
      // run.sh sets newsmark.cache.dir to vscode-cache: the server, finding no cache,
      // writes one there once it has indexed the workspace, and none in the default folder
      const dir = path.join(workspace, 'vscode-cache');
      const written = () => fs.existsSync(dir) && fs.readdirSync(dir).some((f) => /^ws-.*\.bin$/.test(f));
      const t = Date.now();
      const ok = await waitFor(written, STEP * 2);
      const defaultDir = path.join(workspace, '.newsmark_cache');
      check(!!ok && !fs.existsSync(defaultDir), 'the server keeps its cache where newsmark.cache.dir says',
        ok ? Date.now() - t : null,
        `${dir}: ${fs.existsSync(dir) ? JSON.stringify(fs.readdirSync(dir)) : 'absent'}; ${defaultDir} ${fs.existsSync(defaultDir) ? 'exists' : 'absent'}`);
    }
    if (MODE === 'bundled') {
      const res = await probe({ op: 'setting', section: 'editor.wordWrap', languageId: 'newsmark' });
      check(res.value === 'on', 'editor.wordWrap is on for newsmark files by default', null, JSON.stringify(res));
    }
    // tokenization is asynchronous: wait until more than the plain-text colour shows
    let tags = 0;
    await waitFor(async () => {
      tags = await editor.locator('.view-lines span[class*="mtk"]').evaluateAll((els) =>
        new Set(els.map((e) => e.className)).size).catch(() => 0);
      return tags >= 2;
    }, 5000);
    check(tags >= 2, 'syntax highlighting: the grammar colours the article', null, `${tags} token classes`);
    for (const w of sc.syntax || []) {
      if (!w.word) continue;
      const p = anchor(openPath, w.at, w.offset);
      const res = await probe({ op: 'word', path: openPath, line: p.line, character: p.character });
      check(res.word === w.word, `the word at ${w.at}+${w.offset} is ${w.word} (wordPattern)`, null, JSON.stringify(res));
    }
    await screenshot('opened');

    // -- hover (Ctrl+K Ctrl+I = Show Hover)
    for (const [i, h] of sc.hover.entries()) {
      const p = anchor(openPath, h.at, h.offset);
      const what = `hover ${p.line}:${p.character} (${h.at}+${h.offset}) shows ${JSON.stringify(h.contains)}`;
      if (!await backToArticle() || !await gotoPos(p)) { check(false, what, null, 'could not place the cursor'); continue; }
      t = Date.now();
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      let text = '';
      const ok = await waitFor(async () => {
        text = normalize(await page.locator('.monaco-hover:visible').allInnerTexts().then((a) => a.join('\n')).catch(() => ''));
        return h.contains.every((w) => text.includes(normalize(w)));
      });
      await screenshot(`hover-${i}`);
      check(!!ok, what, ok ? Date.now() - t : null, text ? `hover text: ${JSON.stringify(text)}` : 'no hover appeared');
      await page.keyboard.press('Escape');
    }

    if (MODE === 'path') throw new Error('done');

    // -- completion: Ctrl+Space opens the suggest widget; labels come from VS Code's providers
    for (const [i, c] of sc.completion.entries()) {
      const p = anchor(openPath, c.at, c.offset);
      const what = `completion ${p.line}:${p.character} (${c.at}+${c.offset}) offers ${JSON.stringify(c.contains)}`;
      if (!await backToArticle() || !await gotoPos(p)) { check(false, what, null, 'could not place the cursor'); continue; }
      t = Date.now();
      await page.keyboard.press('Control+Space');
      const shown = await waitFor(async () => (await page.locator('.suggest-widget .monaco-list-row:visible').count().catch(() => 0)) > 0);
      const ms = Date.now() - t;
      await screenshot(`completion-${i}`);
      await page.keyboard.press('Escape');
      const res = await probe({ op: 'completion', path: openPath, line: p.line, character: p.character });
      const labels = res.labels || [];
      const missing = c.contains.filter((w) => !labels.includes(w));
      check(!!shown && res.ok && missing.length === 0, what, shown ? ms : null,
        !shown ? 'the suggest widget did not open' : res.error || `missing ${JSON.stringify(missing)} among ${labels.length}: ${labels.slice(0, 20).join(', ')}`);
    }

    // -- go to definition (F12): the editor must land in the registry file, on the header
    for (const [i, d] of sc.definition.entries()) {
      const p = anchor(openPath, d.at, d.offset);
      const target = path.join(workspace, d.target_file);
      const tp = anchor(target, d.target_at, d.target_offset || 0);
      const what = `definition ${p.line}:${p.character} (${d.at}+${d.offset}) -> ${d.target_file}:${tp.line}`;
      if (!await backToArticle() || !await gotoPos(p)) { check(false, what, null, 'could not place the cursor'); continue; }
      t = Date.now();
      await page.keyboard.press('F12');
      let a;
      const ok = await waitFor(() => { a = (state() || {}).active; return a && samePath(a.path, target) && a.selection.start.line === tp.line; });
      await screenshot(`definition-${i}`);
      check(!!ok, what, ok ? Date.now() - t : null,
        `editor is at ${a ? `${a.path} ${a.selection.start.line}:${a.selection.start.character}` : '?'}`);
      await page.keyboard.press('Escape');
    }

    // -- an edit that breaks a reference: the diagnostic reaches VS Code and the Problems panel
    if (sc.edit) {
      const e = sc.edit;
      const want = e.expect_diagnostic;
      const what = `after editing ${JSON.stringify(e.at)}: diagnostic ${want.code} mentioning ${JSON.stringify(want.message_contains)}`;
      if (!await backToArticle()) {
        check(false, what, null, 'could not switch back to the article');
      } else {
        const p = anchor(openPath, e.at, e.offset);
        t = Date.now();
        const res = await probe({ op: 'edit', path: openPath, newText: e.insert,
          range: { start: p, end: { line: p.line, character: p.character + e.delete } } });
        let items = [];
        const matches = (d) => d.code === want.code && d.message.includes(want.message_contains);
        const ok = res.ok && await waitFor(() => {
          const s = state();
          const entry = s && Object.entries(s.diagnostics || {}).find(([f]) => samePath(f, openPath));
          items = entry ? entry[1].items : [];
          return items.some(matches);
        });
        check(!!ok, what, ok ? Date.now() - t : null, res.ok ? `diagnostics: ${JSON.stringify(items.slice(0, 10))}` : res.error);
        // the Problems panel (Ctrl+Shift+M), filtered on the code (its rows are virtualised)
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Shift+M');
        const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
        await filter.fill(want.code).catch(() => {});
        let rows = [];
        const shown = await waitFor(async () => {
          rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts().catch(() => []);
          return rows.some((r) => r.includes(want.message_contains) && r.includes(want.code));
        });
        await screenshot('problems');
        check(!!shown, `Problems panel lists ${want.code} ${JSON.stringify(want.message_contains)}`, null, `rows: ${JSON.stringify(rows)}`);
        await filter.fill('').catch(() => {});
      }
    }

    // -- no error notification so far (e.g. "Couldn't start client")
    const errs = await page.locator('.notifications-toasts .notification-list-item')
      .evaluateAll((els) => els.filter((e) => e.querySelector('.codicon-error')).map((e) => e.innerText)).catch(() => []);
    check(errs.length === 0, 'no error notifications', null, errs.join(' / '));

    // -- a missing binary: "Newsmark: Restart Server" says how to install it
    {
      const what = 'with newsmark.server.path set to a missing file, "Newsmark: Restart Server" explains how to install the server';
      await page.keyboard.press('Escape');
      await probe({ op: 'config', section: 'newsmark.server.path', value: path.join(workspace, 'no-such-newsmark') });
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('>Newsmark: Restart Server');
      const row = await page.waitForSelector('.quick-input-list .monaco-list-row.focused[aria-label*="Restart Server"]').catch(() => null);
      if (row) await page.keyboard.press('Enter');
      let texts = [];
      const ok = row && await waitFor(async () => {
        texts = await notifications();
        return texts.some((s) => s.includes('pip install newsmark') && s.includes('newsmark.server.path'));
      });
      await screenshot('missing-binary');
      check(!!ok, what, null, row ? `notifications: ${JSON.stringify(texts)}` : 'the command is not in the command palette');
    }
  } catch (e) {
    if (e.message !== 'done') {
      if (!['no probe', 'open failed'].includes(e.message)) check(false, 'unexpected error', null, e && e.stack);
      await screenshot('error');
    }
  } finally {
    clearTimeout(watchdog);
    await browser.close().catch(() => {});
  }
  note(`${passed} passed, ${failed} failed, ${Date.now() - t0} ms; screenshots in ${outDir}`);
  process.exit(failed === 0 ? 0 : 1);
})();
