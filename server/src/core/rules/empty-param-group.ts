import { enumerateLeaves, moduleHasParams, type ModuleNode, type OptimizerModel } from '../model';
import { defineRule } from './define';
import { childExpr, moduleTypeLabel, replaceNode } from './helpers';

export const emptyParamGroup = defineRule({
  code: 'OPT101',
  name: 'empty-param-group',
  severity: 'error',
  summary: 'A parameter group built from a module that has no parameters',
  fixTitle: 'Use the nearest layer that has parameters',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes: 'Finds a parameter group whose `params` come from a module without parameters (`nn.ReLU`, `nn.Dropout`, pooling, `nn.Identity`, `nn.LayerNorm(elementwise_affine=False)`, ...).',
    whyIsThisBad:
      "`module.parameters()` of such a module is an empty generator, so the group is silently empty. The layer that was meant (usually the next one) is in no group and never trains. Nothing raises: PyTorch only rejects an empty top-level list, never an empty group.",
    example: `model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2))
optimizer = torch.optim.Adam([
    {'params': model[0].parameters(), 'lr': 0.001},
    {'params': model[1].parameters(), 'lr': 0.01},
])`,
    useInstead: `optimizer = torch.optim.Adam([
    {'params': model[0].parameters(), 'lr': 0.001},
    {'params': model[2].parameters(), 'lr': 0.01},
])`,
    runtime: 'Silent: the group holds 0 parameters (`[len(g["params"]) for g in optimizer.param_groups] == [2, 0]`) in torch 1.13 and 2.x; `model[2]` never changes.',
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      for (const g of opt.groups ?? []) {
        if (!g.params || g.selections.length === 0) continue;
        if (g.params.leaves.length > 0 || g.params.opaque.length > 0) continue;
        const roots = g.selections.filter((s) => !s.leaf && !s.filter);
        if (roots.length !== g.selections.length) continue;
        if (!roots.every((s) => moduleHasParams(s.root) === 'no')) continue;
        const sel = roots[0];
        const receiver = sel.node.childForFieldName('function')?.childForFieldName('object');
        const replacement = receiver ? nearestWithParams(sel.root, opt, sel.expr) : undefined;
        const m = sel.root;
        const tail = replacement ? `; \`${replacement.expr}\` (${moduleTypeLabel(replacement.module)}) is probably what was meant` : '';
        report({
          node: sel.node,
          message: `\`${sel.expr}\` is \`${moduleTypeLabel(m)}\`, which has no parameters: this group is empty${tail}`,
          fix: replacement && receiver ? { title: `Use \`${replacement.expr}\``, edits: [replaceNode(receiver, replacement.expr)] } : null,
        });
      }
    }
  },
});

/** The closest sibling with parameters, preferring the next one and one that is in no group. */
function nearestWithParams(m: ModuleNode, opt: OptimizerModel, expr: string): { module: ModuleNode; expr: string } | undefined {
  const parent = m.parent;
  if (!parent || !parent.complete) return undefined;
  const entries = [...parent.children.entries()];
  const index = entries.findIndex(([, c]) => c === m);
  if (index < 0) return undefined;
  const ownKey = entries[index][0];
  const suffix = childExpr('', parent, ownKey);
  // `model[-1]`: written from the end; the suggestion is written the same way.
  const indexed = parent.type === 'Sequential' || parent.type === 'ModuleList';
  const fromEnd = indexed && expr.endsWith(`[${index - entries.length}]`);
  if (!expr.endsWith(suffix) && !fromEnd) return undefined;
  const parentExpr = expr.slice(0, -(fromEnd ? `[${index - entries.length}]`.length : suffix.length));
  // A group whose parameters are not all known may hold the sibling already: moving this group
  // onto it could put a parameter in two groups, which PyTorch rejects.
  if ((opt.groups ?? []).some((g) => !g.params?.exact)) return undefined;
  const grouped = new Set<number>();
  for (const g of opt.groups ?? []) for (const l of g.params?.leaves ?? []) grouped.add(l.leaf.id);
  const candidates: Array<{ key: string; module: ModuleNode; distance: number; free: boolean }> = [];
  entries.forEach(([key, c], i) => {
    if (i === index || moduleHasParams(c) !== 'yes') return;
    const free = enumerateLeaves(c).leaves.every((l) => !grouped.has(l.leaf.id));
    // Later siblings first at equal distance: the layer after an activation is the usual intent.
    candidates.push({ key, module: c, distance: Math.abs(i - index) * 2 - (i > index ? 1 : 0), free });
  });
  candidates.sort((a, b) => Number(b.free) - Number(a.free) || a.distance - b.distance);
  const best = candidates[0];
  if (!best || !best.free) return undefined;
  const position = entries.findIndex(([key]) => key === best.key);
  return { module: best.module, expr: fromEnd ? `${parentExpr}[${position - entries.length}]` : childExpr(parentExpr, parent, best.key) };
}
