import { initParser, loadQuery, type PythonParser, type SyntaxNode, type SyntaxTree } from './parsing';
import { buildModel, type FileModel } from './model';
import { rules } from './rules';
import type { Rule, ReportInput } from './rules/define';
import { normaliseTorchVersion, type LintSettings } from './settings';
import { nodeRange } from './text';
import type { Finding } from './types';

/** Cheap test before parsing: a file that never mentions torch or an optimizer cannot matter. */
export function mayMatter(text: string): boolean {
  return /\b(torch|optim|nn|lr_scheduler)\b/.test(text);
}

export interface LintInput {
  text: string;
  path?: string;
  settings?: LintSettings;
  parser: PythonParser;
  /** A tree for `text` that the caller already has (the language server re-parses incrementally). */
  tree?: SyntaxTree;
}

export interface LintResult {
  findings: Finding[];
  /** Undefined when the pre-filter skipped the file. */
  model?: FileModel;
  /** The file has syntax errors; findings come from the parts that parsed. */
  hasSyntaxErrors: boolean;
  skipped: boolean;
}

/** Runs every selected rule over one file. Shared by the CLI and the language server. */
export function lintSource(input: LintInput): LintResult {
  const { text, settings = {} } = input;
  if (!input.tree && !mayMatter(text)) return { findings: [], hasSyntaxErrors: false, skipped: true };
  const tree = input.tree ?? input.parser.parse(text);
  try {
    const model = buildModel(tree.rootNode, normaliseTorchVersion(settings.torchVersion));
    const findings: Finding[] = [];
    const noqa = /noqa/i.test(text) ? collectNoqa(input.parser, tree.rootNode) : new Map();
    for (const rule of selectRules(settings)) {
      const report = (r: ReportInput): void => {
        const finding = toFinding(rule, r, settings);
        if (isSuppressed(noqa, finding)) return;
        findings.push(finding);
      };
      rule.check({ model, text, report });
    }
    findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
    return { findings: dedupe(findings), model, hasSyntaxErrors: tree.rootNode.hasError, skipped: false };
  } finally {
    if (!input.tree) tree.delete();
  }
}

/** Convenience for tests and scripts: lint with a default parser. */
export async function lintText(text: string, settings?: LintSettings): Promise<LintResult> {
  return lintSource({ text, settings, parser: await initParser() });
}

function toFinding(rule: Rule, r: ReportInput, settings: LintSettings): Finding {
  return {
    code: rule.code,
    name: rule.name,
    severity: settings.severity?.[rule.code] ?? r.severity ?? rule.severity,
    message: r.message,
    range: nodeRange(r.node),
    fix: r.fix && r.fix.edits.length ? { title: r.fix.title ?? rule.fixTitle ?? 'Fix', safety: r.fix.safety ?? rule.fixSafety ?? 'unsafe', edits: r.fix.edits } : null,
    related: r.related ?? [],
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}:${f.range.start.line}:${f.range.start.character}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `select`/`ignore` take codes or prefixes (`OPT1`) and `ALL`, as torchfix and ruff do. */
export function selectRules(settings: LintSettings): Rule[] {
  const matches = (code: string, patterns: string[]): boolean => patterns.some((p) => p === 'ALL' || code.startsWith(p.toUpperCase()));
  return rules.filter((r) => (!settings.select?.length || matches(r.code, settings.select)) && !(settings.ignore?.length && matches(r.code, settings.ignore)));
}

type NoqaMap = Map<number, Set<string> | 'all'>;

/** `# noqa` (everything on that line) and `# noqa: OPT101, OPT2` (those codes or prefixes). */
function collectNoqa(parser: PythonParser, root: SyntaxNode): NoqaMap {
  const map: NoqaMap = new Map();
  // grammars/noqa-comments.scm finds the comments in one native call; without the file (a
  // stripped install) the tree walk finds the same ones.
  const query = loadQuery(parser, 'noqa-comments');
  const comments = query ? query.captures(root).map((c) => c.node) : root.descendantsOfType('comment');
  for (const c of comments) {
    const m = /#\s*noqa(?::\s*([A-Za-z0-9_,\s]+))?/i.exec(c.text);
    if (!m) continue;
    const line = c.startPosition.row;
    if (!m[1]) map.set(line, 'all');
    else {
      const codes = m[1].split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase());
      map.set(line, new Set(codes));
    }
  }
  return map;
}

function isSuppressed(noqa: NoqaMap, f: Finding): boolean {
  for (const line of new Set([f.range.start.line, f.range.end.line])) {
    const entry = noqa.get(line);
    if (entry === 'all') return true;
    if (entry && [...entry].some((c) => f.code.startsWith(c))) return true;
  }
  return false;
}
