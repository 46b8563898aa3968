import type { SyntaxNode } from '../parsing';
import { enumerateLeaves, type ModuleNode, type OptimizerModel, type ParamGroupModel, type Selection, type Value } from '../model';
import { floatRepr } from '../schedule/pyvalue';
import { nodeRange } from '../text';
import type { TextEdit } from '../types';

export { editDistance } from '../text';

/** Python's `repr` of a number: `0.001`, `1e-05`, `100.0` for floats, digits for ints. */
export function formatNumber(value: number, isInt = false): string {
  return isInt ? String(value) : floatRepr(value);
}

/** A short Python-like rendering of a value for messages, or undefined when unknown. */
export function formatValue(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  switch (v.kind) {
    case 'number':
      return formatNumber(v.value, v.isInt);
    case 'string':
      return JSON.stringify(v.value).replace(/^"|"$/g, "'");
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'list': {
      if (!v.exact) return undefined;
      const items = v.items.map(formatValue);
      if (items.some((i) => i === undefined)) return undefined;
      return v.flavor === 'tuple' ? `(${items.join(', ')}${items.length === 1 ? ',' : ''})` : `[${items.join(', ')}]`;
    }
    default:
      return undefined;
  }
}

/** The numeric value, when known. */
export function numberOf(v: Value | undefined): number | undefined {
  if (!v) return undefined;
  if (v.kind === 'number') return v.value;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  return undefined;
}

/** The effective lr of a group as a number, when known. */
export function groupLr(g: ParamGroupModel): number | undefined {
  return numberOf(g.effective.get('lr')?.value);
}

/** `SGD` → `torch.optim.SGD` for messages. */
export function optimizerLabel(opt: OptimizerModel): string {
  return opt.calleeNode.text;
}

/** The node to report a group at: its `params` value, else the group itself. */
export function groupNode(g: ParamGroupModel): SyntaxNode {
  return g.paramsNode ?? g.node;
}

/** How a module is written relative to a container expression: `model[2]`, `model.fc`, `model['head']`. */
export function childExpr(parentExpr: string, parent: ModuleNode, key: string): string {
  if ((parent.type === 'Sequential' || parent.type === 'ModuleList') && /^\d+$/.test(key)) return `${parentExpr}[${key}]`;
  if (parent.type === 'ModuleDict' || !/^[A-Za-z_]\w*$/.test(key)) return `${parentExpr}[${JSON.stringify(key)}]`;
  return `${parentExpr}.${key}`;
}

/** Path of keys from `ancestor` down to `m`, or undefined when `m` is not under it. */
function pathFrom(ancestor: ModuleNode, m: ModuleNode): string[] | undefined {
  const path: string[] = [];
  for (let cur: ModuleNode | undefined = m; cur; cur = cur.parent) {
    if (cur === ancestor) return path.reverse();
    const parent: ModuleNode | undefined = cur.parent;
    if (!parent) return undefined;
    const key = [...parent.children.entries()].find(([, c]) => c === cur)?.[0];
    if (key === undefined) return undefined;
    path.push(key);
  }
  return undefined;
}

/**
 * Writes `ancestor` as source text, from a selection whose root lies under it: `model[0]` with the
 * path `['0']` gives `model`.
 */
export function ancestorExpr(ancestor: ModuleNode, selections: Selection[]): string | undefined {
  for (const sel of selections) {
    if (sel.leaf) continue;
    const path = pathFrom(ancestor, sel.root);
    if (!path) continue;
    let expr = sel.expr;
    let ok = true;
    for (let i = path.length - 1; i >= 0; i--) {
      const parent = walkPath(ancestor, path.slice(0, i));
      if (!parent) return undefined;
      const suffix = childExpr('', parent, path[i]);
      const alt = `[${path[i]}]`;
      if (expr.endsWith(suffix)) expr = expr.slice(0, -suffix.length);
      else if (expr.endsWith(alt)) expr = expr.slice(0, -alt.length);
      else if (expr.endsWith(`['${path[i]}']`)) expr = expr.slice(0, -(path[i].length + 4));
      else {
        ok = false;
        break;
      }
    }
    if (ok && expr) return expr;
  }
  return undefined;
}

function walkPath(root: ModuleNode, path: string[]): ModuleNode | undefined {
  let cur: ModuleNode | undefined = root;
  for (const key of path) cur = cur?.children.get(key);
  return cur;
}

/** Lowest module containing every selection root, or undefined. */
export function commonAncestor(roots: ModuleNode[]): ModuleNode | undefined {
  if (roots.length === 0) return undefined;
  const chain = (m: ModuleNode): ModuleNode[] => {
    const out: ModuleNode[] = [];
    for (let cur: ModuleNode | undefined = m; cur; cur = cur.parent) out.push(cur);
    return out.reverse();
  };
  let prefix = chain(roots[0]);
  for (const r of roots.slice(1)) {
    const c = chain(r);
    let i = 0;
    while (i < prefix.length && i < c.length && prefix[i] === c[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix[prefix.length - 1];
}

/** The class of a module for messages: `nn.ReLU`, `torchvision ResNet`, `Net`. */
export function moduleTypeLabel(m: ModuleNode): string {
  if (m.origin === 'torch.nn') return `nn.${m.type}`;
  return m.type;
}

/** Replaces a node's text. */
export function replaceNode(node: SyntaxNode, newText: string): TextEdit {
  return { range: nodeRange(node), newText };
}

/** Inserts text at a node's start. */
export function insertBefore(node: SyntaxNode, text: string): TextEdit {
  const r = nodeRange(node);
  return { range: { start: r.start, end: r.start }, newText: text };
}

/** Inserts text at a node's end. */
export function insertAfter(node: SyntaxNode, text: string): TextEdit {
  const r = nodeRange(node);
  return { range: { start: r.end, end: r.end }, newText: text };
}

/** The number of parameter tensors and (when known) scalars under a module. */
export function describeSize(m: ModuleNode): string {
  const { leaves, opaque } = enumerateLeaves(m);
  if (opaque.length) return '';
  const numel = leaves.every((l) => l.leaf.numel !== undefined) ? leaves.reduce((a, l) => a + (l.leaf.numel ?? 0), 0) : undefined;
  if (numel !== undefined) return `${numel.toLocaleString('en-US')} parameters`;
  return `${leaves.length} parameter tensor${leaves.length === 1 ? '' : 's'}`;
}

/** 1-based line of a node, for messages that point elsewhere in the file. */
export function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/** Lrs for a message, six significant digits (OneCycleLR's first lr is 0.0040000000000000036, not 0.004): one value, or one per group. */
export function describeLrs(lrs: number[]): string {
  const shown = lrs.map((x) => formatNumber(Number(x.toPrecision(6))));
  return new Set(shown).size === 1 ? shown[0] : `[${shown.join(', ')}] (one per group)`;
}
