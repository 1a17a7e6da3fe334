// Test helper extension for the end-to-end test (e2e.js). It observes VS Code (the extension
// host's view of diagnostics and editors) and carries out scripted requests, through files:
//   <dir>/state.json          rewritten on every diagnostics / editor / document event
//   <dir>/requests/<id>.json  {op: 'edit', path, range, newText} | {op: 'completion', path, line, character}
//                             | {op: 'word', path, line, character}
//                             | {op: 'config', section, value} | {op: 'ping'}
//                             | {op: 'setting', section, languageId?} (the effective value)
//   <dir>/responses/<id>.json {ok, error?, text?, labels?, word?, value?}
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const SEVERITY = ['error', 'warning', 'information', 'hint']; // vscode.DiagnosticSeverity 0..3

function activate(context) {
  const dir = vscode.workspace.getConfiguration('newsmarkTestProbe').get('dir');
  if (!dir) return;
  const reqDir = path.join(dir, 'requests');
  const resDir = path.join(dir, 'responses');
  fs.mkdirSync(reqDir, { recursive: true });
  fs.mkdirSync(resDir, { recursive: true });
  let seq = 0;
  const updates = {}; // fsPath -> number of diagnostics change events

  const pos = (p) => ({ line: p.line, character: p.character });
  const atomicWrite = (file, obj) => {
    fs.writeFileSync(file + '.tmp', JSON.stringify(obj));
    fs.renameSync(file + '.tmp', file);
  };
  function writeState() {
    const ed = vscode.window.activeTextEditor;
    const diagnostics = {};
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== 'file') continue;
      diagnostics[doc.uri.fsPath] = {
        updates: updates[doc.uri.fsPath] || 0,
        items: vscode.languages.getDiagnostics(doc.uri).map((d) => ({
          line: d.range.start.line, character: d.range.start.character, end: pos(d.range.end),
          code: d.code === undefined ? null : String(typeof d.code === 'object' ? d.code.value : d.code),
          severity: SEVERITY[d.severity], message: d.message, source: d.source || null,
        })),
      };
    }
    atomicWrite(path.join(dir, 'state.json'), {
      seq: ++seq,
      active: ed && {
        path: ed.document.uri.fsPath, languageId: ed.document.languageId,
        selection: { start: pos(ed.selection.start), end: pos(ed.selection.end) },
      },
      diagnostics,
      activeExtensions: vscode.extensions.all.filter((e) => e.isActive).map((e) => e.id),
    });
  }

  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics((e) => {
      for (const u of e.uris) updates[u.fsPath] = (updates[u.fsPath] || 0) + 1;
      writeState();
    }),
    vscode.window.onDidChangeActiveTextEditor(writeState),
    vscode.window.onDidChangeTextEditorSelection(writeState),
    vscode.workspace.onDidOpenTextDocument(writeState),
    vscode.workspace.onDidChangeTextDocument(writeState),
  );
  // extensions activate after the probe: report them as they come up
  const early = setInterval(writeState, 500);
  setTimeout(() => clearInterval(early), 30000);
  context.subscriptions.push({ dispose: () => clearInterval(early) });

  async function handle(req) {
    if (req.op === 'ping') return { ok: true };
    if (req.op === 'edit') {
      const uri = vscode.Uri.file(req.path);
      const r = req.range;
      const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
      const ed = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === uri.fsPath);
      let ok;
      if (ed) {
        ok = await ed.edit((b) => b.replace(range, req.newText));
      } else {
        const we = new vscode.WorkspaceEdit();
        we.replace(uri, range, req.newText);
        ok = await vscode.workspace.applyEdit(we);
      }
      const doc = await vscode.workspace.openTextDocument(uri);
      return { ok, text: doc.getText() };
    }
    if (req.op === 'completion') {
      const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider',
        vscode.Uri.file(req.path), new vscode.Position(req.line, req.character));
      const items = (list && list.items) || [];
      return { ok: true, labels: items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)) };
    }
    if (req.op === 'word') { // the word at a position, per the language's wordPattern
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(req.path));
      const r = doc.getWordRangeAtPosition(new vscode.Position(req.line, req.character));
      return { ok: true, word: r ? doc.getText(r) : null };
    }
    if (req.op === 'config') {
      const dot = req.section.lastIndexOf('.');
      await vscode.workspace.getConfiguration(req.section.slice(0, dot))
        .update(req.section.slice(dot + 1), req.value, vscode.ConfigurationTarget.Global);
      return { ok: true };
    }
    if (req.op === 'setting') {
      const dot = req.section.lastIndexOf('.');
      const scope = req.languageId ? { languageId: req.languageId } : undefined;
      const value = vscode.workspace.getConfiguration(req.section.slice(0, dot), scope).get(req.section.slice(dot + 1));
      return { ok: true, value: value === undefined ? null : value };
    }
    return { ok: false, error: `unknown op ${req.op}` };
  }

  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const f of fs.readdirSync(reqDir).filter((n) => n.endsWith('.json')).sort()) {
        const file = path.join(reqDir, f);
        let res;
        try {
          const req = JSON.parse(fs.readFileSync(file, 'utf8'));
          fs.unlinkSync(file);
          res = await handle(req);
        } catch (e) {
          res = { ok: false, error: String((e && e.stack) || e) };
        }
        atomicWrite(path.join(resDir, f), res);
      }
    } finally {
      busy = false;
    }
  }, 25);
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
  writeState();
}

function deactivate() {}

module.exports = { activate, deactivate };
