import { initParser, loadQuery, type PythonParser, type SyntaxNode, type SyntaxTree } from './parsing';
import { buildModel, type FileModel } from './model';
import { rules } from './rules';
import type { Rule, ReportInput } from './rules/define';
import { normaliseTorchVersion, type LintSettings } from './settings';
import { nodeContains, nodeRange } from './text';
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
  /** Undefined when the pre-filter skipped the file, and in lintSources results. */
  model?: FileModel;
  /** The file has syntax errors; findings come from the parts that parsed. */
  hasSyntaxErrors: boolean;
  skipped: boolean;
}

/** Runs every selected rule over one file (a batch of one: see {@link lintSources}). */
export function lintSource(input: LintInput): LintResult {
  return lintBatch([input])[0];
}

/**
 * How many files {@link lintSources} takes through the stages together. Large enough that each
 * stage's code stays hot across files; small enough that the batch's trees and models (a few
 * hundred KB a file, all alive until the batch ends) stay cheap for young-generation collections:
 * on the bench corpus 4 to 8 files was best, 32 tripled the time spent collecting.
 */
export const LINT_BATCH = 8;

export interface LintSourcesOptions {
  /** Told how many files are done after each batch (for progress). */
  onBatch?: (done: number) => void;
  /**
   * Milliseconds spent in each stage, added to what the map holds: `parse` (with reading the
   * node records), `model`, each rule preparation stage by its function's name, `rules` (with
   * reading `# noqa` comments).
   */
  stageMs?: Map<string, number>;
}

/**
 * Lints many files with the same results as {@link lintSource} on each, stage by stage: a batch is
 * parsed, then modelled, then each stage of the rules' `prepare` (schedule plans, then their
 * simulation) runs over it, then each rule checks it. Running one stage over several files keeps
 * that stage's code and the caches it uses warm; alternating the stages file by file costs about
 * a fifth more on the bench corpus. The results leave out the models: a run over many files
 * keeps only their findings.
 */
export function lintSources(inputs: LintInput[], options: LintSourcesOptions = {}): LintResult[] {
  const out: LintResult[] = [];
  for (let i = 0; i < inputs.length; i += LINT_BATCH) {
    for (const r of lintBatch(inputs.slice(i, i + LINT_BATCH), options.stageMs)) out.push({ findings: r.findings, hasSyntaxErrors: r.hasSyntaxErrors, skipped: r.skipped });
    options.onBatch?.(out.length);
  }
  return out;
}

interface FileWork {
  input: LintInput;
  tree: SyntaxTree;
  hasSyntaxErrors: boolean;
  model?: FileModel;
  rules: Rule[];
  findings: Finding[];
}

function lintBatch(inputs: LintInput[], stageMs?: Map<string, number>): LintResult[] {
  const results: LintResult[] = new Array(inputs.length);
  const work: Array<FileWork | undefined> = new Array(inputs.length);
  let since = stageMs ? performance.now() : 0;
  const timed = (stage: string): void => {
    if (!stageMs) return;
    const now = performance.now();
    stageMs.set(stage, (stageMs.get(stage) ?? 0) + now - since);
    since = now;
  };
  try {
    inputs.forEach((input, i) => {
      if (!input.tree && !mayMatter(input.text)) {
        results[i] = { findings: [], hasSyntaxErrors: false, skipped: true };
        return;
      }
      const tree = input.tree ?? input.parser.parse(input.text);
      // With optlint's addon, reading the root's flags also reads the tree's node records out of
      // the parser (one native call for a small tree), so that is done here too.
      work[i] = { input, tree, hasSyntaxErrors: tree.rootNode.hasError, rules: selectRules(input.settings ?? {}), findings: [] };
    });
    timed('parse');
    for (const w of work) if (w) w.model = buildModel(w.tree.rootNode, normaliseTorchVersion(w.input.settings?.torchVersion));
    timed('model');
    // Each distinct preparation stage once per file, over the whole batch, in rule order.
    const stages = new Set<(model: FileModel) => void>();
    for (const w of work) if (w) for (const r of w.rules) for (const stage of r.prepare ?? []) stages.add(stage);
    for (const stage of stages) {
      for (const w of work) if (w && w.rules.some((r) => r.prepare?.includes(stage))) stage(w.model!);
      timed(stage.name);
    }
    const noqa = work.map((w) => (w && /noqa/i.test(w.input.text) ? collectNoqa(w.input.parser, w.tree.rootNode) : undefined));
    const expected = work.map((w) => (w && EXPECTS_ERROR.test(w.input.text) ? expectedToFail(w.tree.rootNode) : undefined));
    for (const rule of rules) {
      work.forEach((w, i) => {
        if (!w || !w.rules.includes(rule)) return;
        const settings = w.input.settings ?? {};
        const suppress = noqa[i];
        rule.check({
          model: w.model!,
          text: w.input.text,
          report: (r: ReportInput): void => {
            const finding = toFinding(rule, r, settings);
            if (suppress && isSuppressed(suppress, finding)) return;
            if (expected[i]?.some((s) => nodeContains(s, r.node))) return;
            w.findings.push(finding);
          },
        });
      });
    }
    work.forEach((w, i) => {
      if (!w) return;
      const findings = w.findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
      results[i] = { findings: dedupe(findings), model: w.model, hasSyntaxErrors: w.hasSyntaxErrors, skipped: false };
    });
    timed('rules');
    return results;
  } finally {
    for (const w of work) if (w && !w.input.tree) w.tree.delete();
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

/** Calls with which test code asks for an error or a warning: `assertRaises`, `pytest.raises`, `assertWarns`... */
const EXPECTING_CALLS = String.raw`(assertRaises\w*|assertWarns\w*|raises|warns)`;
const EXPECTING = new RegExp(`^${EXPECTING_CALLS}$`);
/** A file that may call one of them (a cheap test before looking at its tree). */
const EXPECTS_ERROR = new RegExp(String.raw`\b${EXPECTING_CALLS}\s*\(`);

/**
 * Code a test expects to raise or warn: the body of `with self.assertRaises(...):` /
 * `with pytest.raises(...):` (and the warning forms), and the arguments of
 * `self.assertRaises(ValueError, optim.SGD, params, lr=-1)`. PyTorch's own optimizer tests build
 * invalid optimizers on purpose; what optlint would say of them is what the test asserts, so
 * nothing is reported there.
 */
function expectedToFail(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const asks = (call: SyntaxNode | null | undefined): boolean => {
    if (call?.type !== 'call') return false;
    const f = call.childForFieldName('function');
    const name = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
    return !!name && EXPECTING.test(name);
  };
  const callOf = (item: SyntaxNode): SyntaxNode | undefined => {
    const v = item.childForFieldName('value') ?? item.namedChildren[0];
    // `with pytest.raises(ValueError) as info:`
    return v?.type === 'as_pattern' ? v.namedChildren[0] : v;
  };
  for (const n of root.descendantsOfType(['with_statement', 'call'])) {
    if (n.type === 'call') {
      const args = n.childForFieldName('arguments');
      if (args && asks(n) && args.namedChildren.length > 1) out.push(args);
      continue;
    }
    const clause = n.namedChildren.find((c) => c.type === 'with_clause');
    const items = clause?.namedChildren.filter((c) => c.type === 'with_item') ?? [];
    if (items.some((item) => asks(callOf(item)))) {
      const body = n.childForFieldName('body');
      if (body) out.push(body);
    }
  }
  return out;
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
