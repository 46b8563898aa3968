/**
 * The language server: LSP plumbing only. Each feature is a pure function in its own file
 * (diagnostics, code-actions, hover, inlay-hints, code-lens, refactor-split-groups); this file
 * wires them to a connection, keeps per-document settings, and never writes to stdout itself
 * (stdout is the protocol in `--stdio` mode): console output goes to the client's log.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  InlayHintKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  createConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type CancellationToken,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { initParser, nativeLoadError, type BackendChoice, type PythonParser } from '../core/parsing';
import { Analyzer, memo, type AnalysisResult } from './analysis';
import { codeActions, fixAllEdits, FIX_ALL_KIND, SPLIT_KIND, workspaceEdit } from './code-actions';
import { scheduleLenses } from './code-lens';
import { ruleDocsBase, toLspDiagnostic } from './diagnostics';
import { hoverTarget, optimizerHover, schedulerHover } from './hover';
import { lrInlayHints } from './inlay-hints';
import { Commands, SchedulePreviewRequestMethod, StatusRequestMethod, type SchedulePreview, type SchedulePreviewParams, type ServerStatus } from './protocol';
import { previewScheduler, schedulerAt } from './schedule-adapter';
import { DEFAULT_SETTINGS, normaliseSettings, type ServerSettings } from './settings';
import type { SchedulerModel } from '../core/model';
import type { SchedulePlan } from '../core/schedule';

/** Options a client may pass in `initializationOptions`. */
export interface InitializationOptions {
  /** Settings for clients that cannot answer workspace/configuration (the `optlint.*` keys without prefix). */
  settings?: Partial<ServerSettings>;
  /** Base URL of the rule pages (default: file URL of the docs/rules/ that ship with the server). */
  docsBaseUrl?: string;
  /** Debounce after a change, in ms (default 3; grows with the file's analysis time). */
  debounceMs?: number;
}

export type Transport = { kind: 'stdio' } | { kind: 'ipc' } | { kind: 'socket'; port: number } | { kind: 'pipe'; name: string };

/** The transport named on the command line (`--stdio`, `--node-ipc`, `--socket=PORT`, `--pipe=NAME`). */
export function transportFromArgv(argv: string[]): Transport | undefined {
  for (const a of argv) {
    if (a === '--stdio') return { kind: 'stdio' };
    if (a === '--node-ipc') return { kind: 'ipc' };
    const socket = /^--socket=(\d+)$/.exec(a);
    if (socket) return { kind: 'socket', port: Number(socket[1]) };
    const pipe = /^--pipe=(.+)$/.exec(a);
    if (pipe) return { kind: 'pipe', name: pipe[1] };
  }
  return undefined;
}

export function connect(transport: Transport): Connection {
  switch (transport.kind) {
    case 'stdio':
      return createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
    case 'ipc':
      return createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process));
    case 'socket':
    case 'pipe': {
      const socket = transport.kind === 'socket' ? net.connect(transport.port, '127.0.0.1') : net.connect(transport.name);
      return createConnection(ProposedFeatures.all, new StreamMessageReader(socket), new StreamMessageWriter(socket));
    }
  }
}

/** Starts a server on the transport; resolves when the client has said `exit`. */
export function runServer(transport: Transport): Promise<number> {
  const connection = connect(transport);
  redirectConsole(connection);
  return new Promise((resolve) => {
    const server = new OptlintServer(connection);
    server.listen();
    connection.onExit(() => resolve(server.shutdownRequested ? 0 : 1));
  });
}

/** Nothing may reach stdout but the protocol: route console output to the client's log. */
function redirectConsole(connection: Connection): void {
  const text = (args: unknown[]): string => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a))).join(' ');
  console.log = (...a: unknown[]) => connection.console.log(text(a));
  console.info = (...a: unknown[]) => connection.console.info(text(a));
  console.warn = (...a: unknown[]) => connection.console.warn(text(a));
  console.error = (...a: unknown[]) => connection.console.error(text(a));
  console.debug = (...a: unknown[]) => connection.console.log(text(a));
  process.on('unhandledRejection', (reason) => connection.console.error(`optlint: unhandled rejection: ${text([reason])}`));
  process.on('uncaughtException', (error) => connection.console.error(`optlint: uncaught exception: ${text([error])}`));
}

export class OptlintServer {
  shutdownRequested = false;
  private parser!: PythonParser;
  private analyzer!: Analyzer;
  private docsBase: string | undefined;
  private pullConfiguration = false;
  private dynamicConfiguration = false;
  private refreshInlayHints = false;
  private refreshCodeLens = false;
  private globalSettings: ServerSettings = DEFAULT_SETTINGS;
  private readonly settingsCache = new Map<string, ServerSettings>();
  private readonly settingsPending = new Map<string, Promise<ServerSettings>>();
  private debounceMs = 0;

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() => {
      if (this.dynamicConfiguration) void c.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    });
    c.onShutdown(() => {
      this.shutdownRequested = true;
      for (const d of this.analyzer?.documents.all() ?? []) this.analyzer.close(d.uri);
    });
    c.onDidChangeConfiguration((p) => {
      const raw = (p.settings as { optlint?: unknown } | undefined)?.optlint;
      if (raw) this.globalSettings = normaliseSettings(raw);
      this.settingsCache.clear();
      this.settingsPending.clear();
      this.analyzer?.refreshAll();
      if (this.refreshInlayHints) void c.languages.inlayHint.refresh().catch(() => undefined);
      if (this.refreshCodeLens) void c.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    });
    c.onDidOpenTextDocument((p) => {
      if (!isPython(p.textDocument.uri, p.textDocument.languageId)) return;
      this.analyzer.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
    });
    c.onDidChangeTextDocument((p) => this.analyzer.change(p.textDocument.uri, p.contentChanges, p.textDocument.version));
    c.onDidCloseTextDocument((p) => {
      this.analyzer.close(p.textDocument.uri);
      this.settingsCache.delete(p.textDocument.uri);
    });
    c.onHover((p, token) =>
      this.guard('hover', token, () => {
        const r = this.analyzer.resultFor(p.textDocument.uri);
        const model = r?.lint.model;
        if (!r || !model) return null;
        const target = hoverTarget(model, p.position.line, p.position.character);
        if (!target) return null;
        const h = 'optimizer' in target ? optimizerHover(target.optimizer) : schedulerHover(target.scheduler, this.preview(r, target.scheduler, false));
        return { contents: { kind: 'markdown', value: h.markdown }, range: h.range };
      }),
    );
    c.onCodeAction((p, token) =>
      this.guard('codeAction', token, () => {
        const r = this.analyzer.resultFor(p.textDocument.uri);
        if (!r) return null;
        return codeActions({
          uri: r.uri,
          version: r.version,
          text: r.text,
          range: p.range,
          diagnostics: p.context.diagnostics,
          only: p.context.only,
          findings: r.lint.findings,
          model: r.lint.model,
          root: r.tree?.rootNode,
          parser: this.parser,
        });
      }),
    );
    c.languages.inlayHint.on((p, token) =>
      this.guard('inlayHint', token, () => {
        const r = this.analyzer.resultFor(p.textDocument.uri);
        const model = r?.lint.model;
        if (!r || !model || !r.settings.inlayHints) return [];
        return lrInlayHints({ model, range: p.range, startOf: (s) => this.preview(r, s, true) }).map((h) => ({
          position: h.position,
          label: h.label,
          tooltip: h.tooltip,
          kind: InlayHintKind.Parameter,
          paddingLeft: true,
        }));
      }),
    );
    c.onCodeLens((p, token) =>
      this.guard('codeLens', token, () => {
        const r = this.analyzer.resultFor(p.textDocument.uri);
        const model = r?.lint.model;
        if (!r || !model || !r.settings.codeLens) return [];
        return scheduleLenses(r.uri, model);
      }),
    );
    c.onExecuteCommand(async (p) => {
      if (p.command !== Commands.fixAll) return null;
      const arg = (p.arguments?.[0] ?? {}) as { uri?: string; version?: number };
      if (!arg.uri) return { applied: false, reason: 'no uri' };
      const r = this.analyzer.resultFor(arg.uri);
      if (!r) return { applied: false, reason: 'document not open' };
      if (arg.version !== undefined && arg.version !== r.version) return { applied: false, reason: 'document changed' };
      const edits = fixAllEdits(r.text, r.lint.findings, this.parser);
      if (!edits.length) return { applied: false, fixes: 0 };
      const res = await c.workspace.applyEdit({ label: 'optlint: fix all safe problems', edit: workspaceEdit(r.uri, edits) });
      return { applied: res.applied, fixes: edits.length };
    });
    c.onRequest(SchedulePreviewRequestMethod, (p: SchedulePreviewParams, token: CancellationToken) =>
      this.guard('schedulePreview', token, (): SchedulePreview | null => {
        const r = this.analyzer.resultFor(p.uri);
        const model = r?.lint.model;
        if (!r || !model || !r.tree) return null;
        const s = schedulerAt(model, p.position.line, p.position.character);
        if (!s) return null;
        return previewScheduler({ root: r.tree.rootNode, text: r.text, model, scheduler: s, settings: r.settings, assumptions: p.assumptions }) ?? null;
      }),
    );
    c.onRequest(StatusRequestMethod, (): ServerStatus => {
      const docs = this.analyzer?.documents.all() ?? [];
      return {
        backend: this.parser?.backend ?? 'none',
        implementation: this.parser?.implementation ?? 'none',
        nativeLoadError,
        documents: docs.length,
        runs: this.analyzer?.counters.runs ?? 0,
        staleDropped: this.analyzer?.counters.staleDropped ?? 0,
        parses: docs.reduce((a, d) => ({ incremental: a.incremental + d.parses.incremental, full: a.full + d.parses.full }), { incremental: 0, full: 0 }),
        memoryMB: Math.round(process.memoryUsage().rss / 1048576),
      };
    });
    c.listen();
  }

  private async initialize(params: InitializeParams): Promise<InitializeResult> {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    if (init.settings) this.globalSettings = normaliseSettings(init.settings);
    if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) this.debounceMs = init.debounceMs;
    const caps = params.capabilities;
    this.pullConfiguration = Boolean(caps.workspace?.configuration);
    this.dynamicConfiguration = Boolean(caps.workspace?.didChangeConfiguration?.dynamicRegistration);
    this.refreshInlayHints = Boolean(caps.workspace?.inlayHint?.refreshSupport);
    this.refreshCodeLens = Boolean(caps.workspace?.codeLens?.refreshSupport);
    this.docsBase = ruleDocsBase(init.docsBaseUrl);
    this.parser = await initParser({ backend: this.globalSettings.parserBackend });
    if (nativeLoadError && this.parser.backend === 'wasm') this.connection.console.info(`optlint: native tree-sitter unavailable (${nativeLoadError}); using the wasm parser`);
    this.analyzer = new Analyzer(
      {
        parser: this.parser,
        settingsFor: (uri) => this.settingsFor(uri),
        cachedSettingsFor: (uri) => this.settingsCache.get(uri) ?? this.globalSettings,
        publish: (r) => this.publish(r),
        log: (m) => this.connection.console.error(m),
      },
      { debounceMs: this.debounceMs, maxDebounceMs: 400, slowMs: 50 },
    );
    return {
      capabilities: {
        positionEncoding: 'utf-16',
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, SPLIT_KIND], resolveProvider: false },
        inlayHintProvider: { resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [Commands.fixAll] },
      },
      serverInfo: { name: 'optlint', version: serverVersion() },
    };
  }

  /** Parser backend in use (tests check the wasm fallback through this). */
  get backend(): string {
    return this.parser?.backend ?? 'none';
  }

  private settingsFor(uri: string): ServerSettings | Promise<ServerSettings> {
    const kept = this.settingsCache.get(uri);
    if (kept) return kept;
    if (!this.pullConfiguration) return this.globalSettings;
    let pending = this.settingsPending.get(uri);
    if (!pending) {
      pending = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'optlint' })
        .then((raw) => normaliseSettings(raw ?? {}))
        .catch(() => this.globalSettings)
        .then((s) => {
          if (this.settingsPending.get(uri) === pending) {
            this.settingsCache.set(uri, s);
            this.settingsPending.delete(uri);
          }
          return s;
        });
      this.settingsPending.set(uri, pending);
    }
    return pending;
  }

  private publish(r: AnalysisResult | { uri: string; version: number; cleared: true }): void {
    const diagnostics = 'cleared' in r ? [] : r.lint.findings.map((f) => toLspDiagnostic(f, { uri: r.uri, version: r.version, docsBase: this.docsBase }));
    void this.connection.sendDiagnostics({ uri: r.uri, version: r.version, diagnostics });
  }

  /** The schedule of a scheduler for the hover chart (whole run) or the inlay hints (first values). */
  private preview(r: AnalysisResult, s: SchedulerModel, initialOnly: boolean): SchedulePreview | undefined {
    return memo(r, `preview:${s.id}:${initialOnly}`, () => previewScheduler({ root: r.tree!.rootNode, text: r.text, model: r.lint.model!, scheduler: s, settings: r.settings, initialOnly, maxSteps: 100_000, planCache: memo(r, 'plans', () => new Map<string, SchedulePlan[]>()) }));
  }

  /**
   * Runs a request handler unless the client has cancelled it already (a request for a stale
   * state); a failure is logged and answered with null, never a crash.
   */
  private guard<T>(what: string, token: CancellationToken, fn: () => T): T | null {
    if (token.isCancellationRequested) return null;
    try {
      return fn();
    } catch (e) {
      this.connection.console.error(`optlint: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return null;
    }
  }
}

function isPython(uri: string, languageId: string): boolean {
  return languageId === 'python' || /\.pyi?$/i.test(uri);
}

/** The version in the package.json above this file (the repository's, or the extension's when bundled). */
function serverVersion(): string {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'optlint') return pkg.version ?? 'unknown';
    } catch {
      // no package.json here: keep walking up
    }
  }
  return 'unknown';
}

export type { BackendChoice };
