/**
 * A minimal LSP client for the tests and the benchmark: spawns the built server over real stdio
 * and drives it with vscode-jsonrpc. Nothing here sleeps a fixed time: every wait is for an event
 * (a notification, a response, a predicate over received diagnostics) with a timeout that fails.
 *
 * No top-level side effects: `node --test out/test/` loads this file too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

// The built test lives in out/test/lsp/, three levels below the repository root.
export const REPO = path.resolve(__dirname, '../../..');
export const BIN = path.join(REPO, 'bin', 'optlint.js');

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  codeDescription?: { href: string };
  source?: string;
  message: string;
  relatedInformation?: Array<{ location: { uri: string; range: Range }; message: string }>;
  data?: unknown;
}
export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
  /** performance.now() when it arrived. */
  at: number;
}
export interface TextEdit {
  range: Range;
  newText: string;
}
export interface WorkspaceEdit {
  changes?: Record<string, TextEdit[]>;
}
export interface CodeAction {
  title: string;
  kind?: string;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  edit?: WorkspaceEdit;
}

export interface StartOptions {
  /** The command to run (default: `node bin/optlint.js lsp --stdio`). */
  command?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  initializationOptions?: unknown;
  /** What `workspace/configuration` answers for section `optlint` (absent: the client does not support it). */
  configuration?: Record<string, unknown>;
  /** Advertise inlay-hint and code-lens refresh support. */
  refresh?: boolean;
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

export class LspClient {
  readonly diagnostics = new Map<string, PublishedDiagnostics>();
  readonly history: PublishedDiagnostics[] = [];
  /** window/logMessage and stderr lines. */
  readonly logs: string[] = [];
  /** workspace/applyEdit requests received (answered `applied: true`). */
  readonly appliedEdits: Array<{ label?: string; edit: WorkspaceEdit }> = [];
  initializeResult: { capabilities: Record<string, unknown>; serverInfo?: { name: string; version?: string } } | undefined;
  exitCode: number | null | undefined;
  private readonly waiters: Array<() => void> = [];
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();

  private constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
    private configuration: Record<string, unknown> | undefined,
  ) {}

  static async start(options: StartOptions = {}): Promise<LspClient> {
    const [cmd, ...args] = options.command ?? [process.execPath, BIN, 'lsp', '--stdio'];
    const child = spawn(cmd, args, { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection, options.configuration);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      client.logs.push(...d.split('\n').filter(Boolean).map((l) => `stderr: ${l}`));
      client.notify();
    });
    child.on('exit', (code) => {
      client.exitCode = code;
      client.notify();
    });
    connection.onNotification('textDocument/publishDiagnostics', (p: Omit<PublishedDiagnostics, 'at'>) => {
      const entry = { ...p, at: performance.now() };
      client.diagnostics.set(p.uri, entry);
      client.history.push(entry);
      client.notify();
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      client.logs.push(p.message);
      client.notify();
    });
    connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => (i.section === 'optlint' ? (client.configuration ?? {}) : null)));
    connection.onRequest('workspace/applyEdit', (p: { label?: string; edit: WorkspaceEdit }) => {
      client.appliedEdits.push(p);
      client.notify();
      return { applied: true };
    });
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.onError(() => undefined);
    connection.listen();
    const workspace: Record<string, unknown> = { applyEdit: true, workspaceEdit: { documentChanges: false } };
    if (options.configuration) workspace.configuration = true;
    if (options.refresh) {
      workspace.inlayHint = { refreshSupport: true };
      workspace.codeLens = { refreshSupport: true };
    }
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: fileUri(REPO),
      capabilities: {
        workspace,
        textDocument: {
          synchronization: { didSave: false },
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true, versionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } }, dataSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          inlayHint: {},
          codeLens: {},
        },
      },
      initializationOptions: options.initializationOptions,
    });
    connection.sendNotification('initialized', {});
    return client;
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the predicate's value once it is truthy; re-checked on every message from the server. */
  async waitFor<T>(what: string, predicate: () => T | undefined | false | null, timeoutMs = 30_000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (this.exitCode !== undefined) throw new Error(`server exited (${this.exitCode}) while waiting for ${what}\n${this.logs.slice(-20).join('\n')}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.logs.slice(-20).join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The diagnostics published for this version of the document (waits for them). */
  diagnosticsFor(uri: string, version = this.versions.get(uri), timeoutMs?: number): Promise<Diagnostic[]> {
    return this.waitFor(`diagnostics of ${uri} v${version}`, () => {
      const d = this.diagnostics.get(uri);
      return d && (version === undefined || d.version === version) ? d.diagnostics : undefined;
    }, timeoutMs);
  }

  open(uri: string, text: string, languageId = 'python', version = 1): void {
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  /** Sends incremental changes; keeps the client's copy of the text in step. Returns the new version. */
  change(uri: string, changes: Array<{ range?: Range; text: string }>): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    let text = this.texts.get(uri) ?? '';
    for (const c of changes) text = c.range ? applyEdits(text, [{ range: c.range, newText: c.text }]) : c.text;
    this.texts.set(uri, text);
    this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** Applies a workspace edit to the client's copy and sends it as one full-text change. */
  applyWorkspaceEdit(uri: string, edit: WorkspaceEdit | undefined): number {
    const edits = edit?.changes?.[uri] ?? [];
    const next = applyEdits(this.text(uri), edits);
    return this.change(uri, [{ text: next }]);
  }

  close(uri: string): void {
    this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  version(uri: string): number | undefined {
    return this.versions.get(uri);
  }

  setConfiguration(c: Record<string, unknown>): void {
    this.configuration = c;
    this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { optlint: c } });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  /** shutdown + exit; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.exitCode === undefined) {
      await this.connection.sendRequest('shutdown').catch(() => undefined);
      this.connection.sendNotification('exit');
      await this.waitFor('exit', () => this.exitCode !== undefined, 10_000).catch(() => this.process.kill());
    }
    this.connection.dispose();
    return this.exitCode ?? null;
  }

  /** Log lines that mean something went wrong in the server. */
  problems(): string[] {
    return this.logs.filter((l) => /unhandled|uncaught|failed|Error:|TypeError|RangeError/i.test(l) && !/native tree-sitter unavailable/.test(l));
  }
}

/** Applies LSP text edits (ranges in the original text) to a string. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const offset = (p: Position): number => Math.min((starts[p.line] ?? text.length) + p.character, p.line + 1 < starts.length ? starts[p.line + 1] - 1 : text.length);
  const sorted = edits.map((e) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

/** The position of the n-th occurrence of `needle` (UTF-16 columns), plus an optional column offset. */
export function positionOf(text: string, needle: string, nth = 0, delta = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' not found`);
  }
  at += delta;
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, character: at - (before.lastIndexOf('\n') + 1) };
}
