/**
 * When documents are analysed: debounced after each change, never for a version that is already
 * stale, and at once when a request (hover, code action, ...) needs the current result.
 *
 * `lintSource` is synchronous, so no message is handled while it runs; the only places where a
 * document can change or close under an analysis are the awaits before it (settings), and the
 * version is checked again after each. The debounce grows with the last analysis' duration, so
 * typing in a very large (slow) file waits for a pause instead of queueing analyses of stale text.
 * While analyses are quick the base debounce is 0: the analysis runs on a timer, after the
 * messages already received (several changes sent together are analysed once), and a keystroke
 * waits for nothing else.
 */
import { lintSource, mayMatter, type LintResult } from '../core/lint';
import type { PythonParser, SyntaxTree } from '../core/parsing';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { DocumentStore, type OpenDocument } from './documents';
import { toLintSettings, type ServerSettings } from './settings';

export interface AnalysisResult {
  uri: string;
  version: number;
  text: string;
  languageId: string;
  /** The document's tree for this version; valid until the document changes. Undefined when skipped. */
  tree?: SyntaxTree;
  lint: LintResult;
  settings: ServerSettings;
  durationMs: number;
  /** Per-result memo for the features (schedule previews, scopes), dropped with the result. */
  memo: Map<string, unknown>;
}

export interface AnalyzerHost {
  parser: PythonParser;
  /** The settings for a document (the client is asked once per document; cached by the host). */
  settingsFor(uri: string): ServerSettings | Promise<ServerSettings>;
  /** Settings already known for a document, for synchronous analysis; else the defaults. */
  cachedSettingsFor(uri: string): ServerSettings;
  publish(result: AnalysisResult | { uri: string; version: number; cleared: true }): void;
  log(message: string): void;
}

export interface AnalyzerOptions {
  /** Wait after a change before analysing (ms); the last analysis' duration raises it. */
  debounceMs: number;
  /** Upper bound of the adaptive debounce (ms). */
  maxDebounceMs: number;
  /** An analysis slower than this (ms) makes the debounce adaptive. */
  slowMs: number;
}

export class Analyzer {
  readonly documents = new DocumentStore();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly results = new Map<string, AnalysisResult>();
  private readonly lastDuration = new Map<string, number>();
  /** Analyses run, and analyses dropped because the document changed or closed meanwhile. */
  readonly counters = { runs: 0, staleDropped: 0 };

  constructor(
    private readonly host: AnalyzerHost,
    private readonly options: AnalyzerOptions = { debounceMs: 0, maxDebounceMs: 400, slowMs: 50 },
  ) {}

  open(uri: string, languageId: string, version: number, text: string): void {
    this.results.delete(uri);
    this.documents.open(uri, languageId, version, text);
    this.schedule(uri, 0);
  }

  change(uri: string, changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    const doc = this.documents.get(uri);
    if (!doc) return;
    doc.applyChanges(changes, version);
    this.results.delete(uri);
    this.schedule(uri, this.debounceFor(uri));
  }

  close(uri: string): void {
    this.cancel(uri);
    const doc = this.documents.get(uri);
    this.results.delete(uri);
    this.documents.close(uri);
    if (doc) this.host.publish({ uri, version: doc.version, cleared: true });
  }

  /** Re-analyses every open document (settings changed). */
  refreshAll(): void {
    for (const doc of this.documents.all()) {
      this.results.delete(doc.uri);
      this.schedule(doc.uri, 0);
    }
  }

  /**
   * The result for the document's current version, analysing now if needed (requests must answer
   * about the text the client has). Undefined when the document is not open or optlint is disabled.
   */
  resultFor(uri: string): AnalysisResult | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const kept = this.results.get(uri);
    if (kept && kept.version === doc.version) return kept;
    const settings = this.host.cachedSettingsFor(uri);
    if (!settings.enable) return undefined;
    this.cancel(uri);
    const result = this.analyse(doc, settings);
    this.host.publish(result);
    return result;
  }

  /** Analyses pending or running (for tests: nothing is pending once this is 0). */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * The base debounce while analyses are quick; once a file's analysis takes longer than
   * `slowMs`, as long as that analysis (capped): typing then waits for a pause instead of
   * starting analyses that the next keystroke makes stale.
   */
  private debounceFor(uri: string): number {
    const last = this.lastDuration.get(uri) ?? 0;
    if (last < this.options.slowMs) return this.options.debounceMs;
    return Math.min(this.options.maxDebounceMs, Math.max(this.options.debounceMs, Math.round(last)));
  }

  private schedule(uri: string, delay: number): void {
    this.cancel(uri);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      this.run(uri).catch((e) => this.host.log(`optlint: analysis of ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    }, delay);
    this.timers.set(uri, timer);
  }

  private cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
  }

  private async run(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc) return;
    const version = doc.version;
    const settings = await this.host.settingsFor(uri);
    // The document may have changed or closed while the settings were fetched.
    if (this.documents.get(uri) !== doc || doc.version !== version) {
      this.counters.staleDropped++;
      return;
    }
    if (this.results.get(uri)?.version === version) return;
    if (!settings.enable) {
      this.host.publish({ uri, version, cleared: true });
      return;
    }
    this.host.publish(this.analyse(doc, settings));
  }

  private analyse(doc: OpenDocument, settings: ServerSettings): AnalysisResult {
    const started = performance.now();
    const text = doc.text;
    this.counters.runs++;
    let lint: LintResult;
    let tree: SyntaxTree | undefined;
    if (!mayMatter(text)) {
      lint = { findings: [], hasSyntaxErrors: false, skipped: true };
    } else {
      tree = doc.currentTree(this.host.parser);
      lint = lintSource({ text, path: doc.uri, settings: toLintSettings(settings), parser: this.host.parser, tree });
    }
    const durationMs = performance.now() - started;
    this.lastDuration.set(doc.uri, durationMs);
    const result: AnalysisResult = { uri: doc.uri, version: doc.version, text, languageId: doc.languageId, tree, lint, settings, durationMs, memo: new Map() };
    this.results.set(doc.uri, result);
    return result;
  }
}

/** Memoises a per-result value (schedule previews are costly and asked for by several features). */
export function memo<T>(result: AnalysisResult, key: string, compute: () => T): T {
  if (result.memo.has(key)) return result.memo.get(key) as T;
  const v = compute();
  result.memo.set(key, v);
  return v;
}
