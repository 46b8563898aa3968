/**
 * The VS Code extension: thin. It starts the bundled language server (dist/server.js) over IPC,
 * forwards the `optlint.*` settings, and owns the LR-schedule plot view. Every analysis runs in
 * the server, which never executes workspace code, so the extension also runs in Restricted Mode.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ClientCommands, Commands } from '../../server/src/lsp/protocol';
import { PlotPanel } from './plot-panel';

let client: LanguageClient | undefined;

/** What tests (test-electron and the code-server suite) can reach through `extension.exports`. */
export interface OptlintApi {
  client(): LanguageClient | undefined;
  /** Resolves when the server has answered `initialize`. */
  ready(): Promise<void>;
  plotPanel(): PlotPanel | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<OptlintApi> {
  const output = vscode.window.createOutputChannel('optlint', { log: true });
  context.subscriptions.push(output);
  let ready = startClient(context, output);

  context.subscriptions.push(
    vscode.commands.registerCommand(ClientCommands.previewSchedule, async (uri?: string, line?: number, character?: number) => {
      const target = resolveTarget(uri, line, character);
      if (!target) {
        void vscode.window.showInformationMessage('optlint: put the cursor on a scheduler (e.g. OneCycleLR(...)) to preview its LR schedule.');
        return;
      }
      await ready;
      PlotPanel.show({ context, client: () => client, uri: target.uri, position: target.position });
    }),
    vscode.commands.registerCommand(ClientCommands.fixAll, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !client) return;
      await ready;
      await client.sendRequest('workspace/executeCommand', {
        command: Commands.fixAll,
        arguments: [{ uri: editor.document.uri.toString(), version: editor.document.version }],
      });
    }),
    vscode.commands.registerCommand(ClientCommands.restart, async () => {
      // The same client restarts its server: its providers stay registered, requests wait.
      ready = client ? client.restart() : startClient(context, output);
      await ready;
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('optlint.parserBackend')) return;
      // The backend is an initialization option: a new client with the new value.
      await client?.dispose().catch(() => undefined);
      client = undefined;
      ready = startClient(context, output);
      await ready;
    }),
  );
  await ready.catch((e) => output.error(`optlint: the language server did not start: ${e instanceof Error ? e.message : String(e)}`));
  return { client: () => client, ready: () => ready, plotPanel: () => PlotPanel.current };
}

async function startClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6012'] } },
  };
  const settings = vscode.workspace.getConfiguration('optlint');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Notebook cells are checked one by one, as documents of their own.
      { scheme: 'vscode-notebook-cell', language: 'python' },
    ],
    synchronize: { configurationSection: 'optlint' },
    initializationOptions: { settings: { parserBackend: settings.get('parserBackend', 'auto') } },
    diagnosticCollectionName: 'optlint',
    outputChannel: output,
    // While the server restarts, VS Code keeps asking: answer "nothing" instead of failing.
    middleware: {
      provideCodeActions: (document, range, context, token, next) => whileRunning(() => next(document, range, context, token)),
      provideHover: (document, position, token, next) => whileRunning(() => next(document, position, token)),
      provideInlayHints: (document, range, token, next) => whileRunning(() => next(document, range, token)),
      provideCodeLenses: (document, token, next) => whileRunning(() => next(document, token)),
    },
  };
  client = new LanguageClient('optlint', 'optlint', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => void client?.stop().catch(() => undefined) });
  await client.start();
}

/** Runs a provider request when the server is up; undefined while it (re)starts or stops. */
async function whileRunning<T>(request: () => vscode.ProviderResult<T>): Promise<T | undefined | null> {
  if (!client?.isRunning()) return undefined;
  try {
    return await request();
  } catch (e) {
    if (!client?.isRunning()) return undefined;
    throw e;
  }
}

function resolveTarget(uri?: string, line?: number, character?: number): { uri: string; position: { line: number; character: number } } | undefined {
  if (typeof uri === 'string' && typeof line === 'number' && typeof character === 'number') return { uri, position: { line, character } };
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python') return undefined;
  const p = editor.selection.active;
  return { uri: editor.document.uri.toString(), position: { line: p.line, character: p.character } };
}

export async function deactivate(): Promise<void> {
  PlotPanel.current?.dispose();
  await client?.stop().catch(() => undefined);
  client = undefined;
}
