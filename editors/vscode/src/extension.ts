// VS Code client for Newsmark: starts the `newsmark lsp` language server for .nmk files.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

// Notifications show plain text: no Markdown quoting in these messages.
const INSTALL_HINT =
  'Install the Newsmark extension for your platform (it carries the server), ' +
  'or put newsmark on PATH with "pip install newsmark" (or "cargo install --path ." ' +
  'from the Newsmark repository), or set "newsmark.server.path" to the newsmark binary.';

let client: LanguageClient | undefined;
let extensionPath = '';
let output: vscode.OutputChannel | undefined;
let traceOutput: vscode.OutputChannel | undefined;
// Starts and stops run one after another, never interleaved.
let queue: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel('Newsmark Language Server');
  traceOutput = vscode.window.createOutputChannel('Newsmark Language Server Trace');
  context.subscriptions.push(
    output,
    traceOutput,
    vscode.commands.registerCommand('newsmark.restartServer', () => enqueue(restart)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('newsmark.server') || e.affectsConfiguration('newsmark.cache')) {
        void enqueue(restart);
      }
    }),
  );
  void enqueue(start);
}

export function deactivate(): Thenable<void> | undefined {
  return enqueue(stop);
}

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task).catch((err) => {
    output?.appendLine(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  });
  return queue;
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch (err) {
      output?.appendLine(`stopping the server failed: ${String(err)}`);
    }
    await c.dispose();
  }
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration('newsmark');
  const configured = (config.get<string>('server.path') ?? '').trim();
  const extraArgs = config.get<string[]>('server.extraArgs') ?? [];
  const command = configured ? resolveServer(configured) : bundledServer() ?? resolveServer('newsmark');
  if (!command) {
    const what = configured
      ? `the language server binary "${configured}" (newsmark.server.path) was not found`
      : 'no language server: this package of the extension carries none, and newsmark is not on PATH';
    output?.appendLine(`Newsmark: ${what}`);
    const choice = await vscode.window.showErrorMessage(`Newsmark: ${what}. ${INSTALL_HINT}`, 'Open Settings');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'newsmark.server.path');
    }
    return;
  }

  const serverOptions: ServerOptions = {
    command,
    args: ['lsp', ...extraArgs],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'newsmark' },
      { scheme: 'untitled', language: 'newsmark' },
    ],
    synchronize: {
      // the server resolves references across the workspace: tell it about files changed on disk
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.nmk'),
        vscode.workspace.createFileSystemWatcher('**/newsmark.toml'),
        vscode.workspace.createFileSystemWatcher('**/.gitignore'),
      ],
    },
    outputChannel: output,
    traceOutputChannel: traceOutput,
    // The server's cache, configured as `newsmark check --no-cache` / `--cache-dir` are.
    initializationOptions: {
      cache: config.get<boolean>('cache.enabled') ?? true,
      cacheDir: (config.get<string>('cache.dir') ?? '').trim(),
    },
  };
  // The id 'newsmark' makes the client read the setting newsmark.trace.server.
  const c = new LanguageClient('newsmark', 'Newsmark Language Server', serverOptions, clientOptions);
  client = c;
  output?.appendLine(`starting ${command} lsp ${extraArgs.join(' ')}`.trimEnd());
  try {
    await c.start();
  } catch (err) {
    client = undefined;
    void vscode.window.showErrorMessage(
      `Newsmark: could not start the language server "${command} lsp": ${String(err)}. ${INSTALL_HINT}`,
    );
  }
}

/**
 * The server carried by a platform package (`server/newsmark[.exe]`, put there by
 * scripts/package-vscode.sh --server), or undefined in the universal package.
 */
function bundledServer(): string | undefined {
  const file = path.join(extensionPath, 'server', process.platform === 'win32' ? 'newsmark.exe' : 'newsmark');
  if (!fs.existsSync(file)) return undefined;
  if (!isExecutable(file)) {
    // an unpacker that dropped the mode bits: the file is ours, make it runnable again
    try {
      fs.chmodSync(file, 0o755);
    } catch (err) {
      output?.appendLine(`cannot make ${file} executable: ${String(err)}`);
    }
  }
  return isExecutable(file) ? file : undefined;
}

/** The absolute path of the server binary, or undefined when it cannot be found. */
export function resolveServer(configured: string): string | undefined {
  let p = configured;
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) {
    p = path.join(os.homedir(), p.slice(1));
  }
  if (path.isAbsolute(p)) {
    return isExecutable(p) ? p : undefined;
  }
  if (p.includes('/') || p.includes('\\')) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const abs = path.resolve(folder ? folder.uri.fsPath : process.cwd(), p);
    return isExecutable(abs) ? abs : undefined;
  }
  const exts = process.platform === 'win32'
    ? ['', ...(process.env.PATHEXT || '.EXE;.CMD;.BAT').split(';')]
    : [''];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, p + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
