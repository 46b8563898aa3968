/**
 * Findings → LSP diagnostics: source `optlint`, the rule code, a link to the rule's page, related
 * information, and the fix itself in `data` so that a quick fix never re-runs the analysis.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import { findRule } from '../core/rules';
import type { Finding, Fix } from '../core/types';

export const SOURCE = 'optlint';

/** What a diagnostic carries in `data`: enough to build its quick fix without the analysis. */
export interface DiagnosticData {
  /** The rule's name (the code is the diagnostic's `code`). */
  name: string;
  fix: Fix | null;
  /** Document version the fix's ranges refer to. */
  version: number;
}

/** The page a rule's documentation is generated into (scripts/gen-docs.ts names them the same). */
export function rulePageFile(code: string, name: string): string {
  return `${code}-${name}.md`;
}

/**
 * Where the rule pages are: `docs/rules/` of the repository (compiled server) or of the installed
 * extension (bundled server), found by walking up from this file.
 */
export function findRuleDocsDir(startDir: string = __dirname): string | undefined {
  let dir = startDir;
  for (let depth = 0; depth < 6; depth++) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/**
 * The base every rule page's link is built on: a file URL of the pages that ship with the server
 * (they open offline, in the editor), unless the client gave another base (e.g. a web URL).
 */
export function ruleDocsBase(override?: string): string | undefined {
  if (override) return override.endsWith('/') ? override : `${override}/`;
  const dir = findRuleDocsDir();
  return dir ? `${pathToFileURL(dir).href}/` : undefined;
}

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export interface ToDiagnosticOptions {
  uri: string;
  version: number;
  docsBase?: string;
}

export function toLspDiagnostic(f: Finding, options: ToDiagnosticOptions): Diagnostic {
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    source: SOURCE,
    message: f.message,
    data: { name: f.name, fix: f.fix, version: options.version } satisfies DiagnosticData,
  };
  const rule = findRule(f.code);
  if (options.docsBase && rule) d.codeDescription = { href: `${options.docsBase}${rulePageFile(rule.code, rule.name)}` };
  if (f.related.length) {
    d.relatedInformation = f.related.map((r): DiagnosticRelatedInformation => ({ location: { uri: options.uri, range: r.range }, message: r.message }));
  }
  return d;
}

/** A diagnostic back to the finding it came from (the code action path: no re-analysis). */
export function fromLspDiagnostic(d: Diagnostic): Finding | undefined {
  if (d.source !== SOURCE || typeof d.code !== 'string') return undefined;
  const data = d.data as Partial<DiagnosticData> | undefined;
  const severity = d.severity === DiagnosticSeverity.Error ? 'error' : d.severity === DiagnosticSeverity.Warning ? 'warning' : 'info';
  return {
    code: d.code,
    name: data?.name ?? findRule(d.code)?.name ?? d.code,
    severity,
    message: typeof d.message === 'string' ? d.message : d.message.value,
    range: d.range,
    fix: isFix(data?.fix) ? data.fix : null,
    related: [],
  };
}

function isFix(v: unknown): v is Fix {
  if (!v || typeof v !== 'object') return false;
  const f = v as Partial<Fix>;
  return typeof f.title === 'string' && (f.safety === 'safe' || f.safety === 'unsafe') && Array.isArray(f.edits) && f.edits.every((e) => e && typeof e.newText === 'string' && e.range && e.range.start && e.range.end);
}
