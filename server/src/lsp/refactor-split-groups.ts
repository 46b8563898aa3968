/**
 * "Split into per-layer groups (discriminative learning rates)": rewrites
 * `optim.X(model.parameters(), lr=...)` into one param group per top-level child of `model` that
 * has parameters, the pretrained body at a lower lr and the head (the last child with parameters)
 * at the original lr, as fine-tuning recipes do (ULMFiT, the resnet18 fine-tuning sample).
 *
 * Offered only when the model knows every child and no parameter is shared between two children,
 * so the rewritten call covers every parameter exactly once (test/lsp checks this under real
 * PyTorch through scripts/truth/check_truth.py). Pure: no LSP types.
 */
import { enumerateLeaves, moduleHasParams, type FileModel, type ModuleNode, type OptimizerModel } from '../core/model';
import { childExpr, formatNumber } from '../core/rules/helpers';
import { nodeRange } from '../core/text';
import type { TextEdit } from '../core/types';
import { contains } from './schedule-adapter';

export const SPLIT_TITLE = 'Split into per-layer groups (discriminative learning rates)';

/** The body trains at this fraction of the head's lr (the usual 10× of discriminative fine-tuning). */
export const BODY_LR_FACTOR = 0.1;

export interface SplitGroupsPlan {
  title: string;
  optimizer: OptimizerModel;
  edits: TextEdit[];
  /** The groups written, in order: the expression whose parameters each holds, and its lr text. */
  groups: Array<{ params: string; lr: string | null; head: boolean }>;
}

/** Why the refactor is not offered for the optimizer at a position (for tests and logs). */
export type SplitRefusal = { refused: string };

/** Plans the rewrite for the optimizer call around (line, character), or says why not. */
export function planSplitGroups(input: { model: FileModel; text: string; line: number; character: number; bodyFactor?: number }): SplitGroupsPlan | SplitRefusal | undefined {
  const { model, text } = input;
  const opt = model.optimizers
    .filter((o) => contains(o.call, input.line, input.character))
    .sort((a, b) => b.call.startIndex - a.call.startIndex)[0];
  if (!opt) return undefined;
  const factor = input.bodyFactor ?? BODY_LR_FACTOR;
  const groups = opt.groups;
  const arg = opt.paramsArg;
  if (!arg || !groups || groups.length !== 1 || groups[0].dict || opt.hasSplat) return { refused: 'the optimizer does not take a single `model.parameters()`' };
  const g = groups[0];
  const source = g.paramsValue;
  if (source.kind !== 'paramsource' || source.named || g.selections.length !== 1) return { refused: 'the params argument is not `<module>.parameters()`' };
  const sel = g.selections[0];
  if (sel.filter || sel.leaf) return { refused: 'the parameters are filtered' };
  // Only the plain call: `model.parameters()`, not a list or generator built from it.
  if (!/^[\s\S]*\.parameters\(\s*\)$/.test(arg.node.text)) return { refused: 'the params argument is not a plain `.parameters()` call' };
  const root = sel.root;
  if (!root.complete) return { refused: `\`${sel.expr}\` may hold modules the analysis cannot see` };

  const units: Array<{ expr: string; module?: ModuleNode }> = [];
  if (root.ownParams.size) units.push({ expr: `${sel.expr}.parameters(recurse=False)` });
  const seen = new Map<number, string>();
  for (const [key, child] of root.children) {
    const has = moduleHasParams(child);
    if (has === 'unknown') return { refused: `\`${childExpr(sel.expr, root, key)}\` may hold parameters the analysis cannot see` };
    if (has === 'no') continue;
    const expr = childExpr(sel.expr, root, key);
    const { leaves } = enumerateLeaves(child);
    for (const { leaf } of leaves) {
      const other = seen.get(leaf.id);
      // Tied weights (GPT's wte/lm_head): one tensor in two groups makes PyTorch raise.
      if (other) return { refused: `\`${expr}\` and \`${other}\` share a parameter` };
      seen.set(leaf.id, expr);
    }
    units.push({ expr: `${expr}.parameters()`, module: child });
  }
  for (const { leaf } of enumerateLeaves(root).leaves) {
    if (leaf.owner === root) continue;
    if (!seen.has(leaf.id)) return { refused: 'a parameter is reachable only through a shared module' };
  }
  if (units.length < 2) return { refused: `\`${sel.expr}\` has fewer than two children with parameters` };

  const lrArg = opt.args.get('lr');
  const lrValue = g.effective.get('lr');
  let bodyLr: string;
  if (lrValue?.value.kind === 'number') {
    bodyLr = formatNumber(Number((lrValue.value.value * factor).toPrecision(12)));
  } else if (lrArg) {
    const t = lrArg.node.text;
    bodyLr = /^[\w.]+$/.test(t) ? `${t} * ${factor}` : `(${t}) * ${factor}`;
  } else {
    return { refused: 'the optimizer’s lr is not known' };
  }

  const lines = text.split('\n');
  const argStart = arg.node.startPosition;
  const indent = /^[ \t]*/.exec(lines[argStart.row] ?? '')![0];
  const unit = indent.includes('\t') ? '\t' : '    ';
  const inner = indent + unit;
  const eol = lines[argStart.row]?.endsWith('\r') ? '\r\n' : '\n';
  const quote = prefersSingleQuotes(text) ? "'" : '"';
  const key = `${quote}params${quote}`;
  const lrKey = `${quote}lr${quote}`;
  const head = units[units.length - 1];
  const planned = units.map((u) => ({ params: u.expr, lr: u === head ? null : bodyLr, head: u === head }));
  const items = planned.map((p) => (p.lr === null ? `${inner}{${key}: ${p.params}},` : `${inner}{${key}: ${p.params}, ${lrKey}: ${p.lr}},`));
  const newText = `[${eol}${items.join(eol)}${eol}${indent}]`;
  // `model.parameters()` passed as `params=`: keep the keyword, replace its value.
  return {
    title: SPLIT_TITLE,
    optimizer: opt,
    edits: [{ range: nodeRange(arg.node), newText }],
    groups: planned,
  };
}

export function isPlan(p: SplitGroupsPlan | SplitRefusal | undefined): p is SplitGroupsPlan {
  return p !== undefined && !('refused' in p);
}

function prefersSingleQuotes(text: string): boolean {
  const single = (text.match(/'[^'\n]*'/g) ?? []).length;
  const double = (text.match(/"[^"\n]*"/g) ?? []).length;
  return single > double;
}
