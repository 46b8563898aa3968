import { enumerateLeaves, type Selection } from '../model';
import { defineRule } from './define';

export const nameFilterMatchesNothing = defineRule({
  code: 'OPT104',
  name: 'name-filter-matches-nothing',
  severity: 'warning',
  summary: 'A filter over parameter names that matches no parameter of the model',
  docs: {
    whatItDoes:
      'Evaluates filters such as `n.startswith("encoder.")`, `"bias" in n` or `p.ndim < 2` against every parameter of the model (when the model is fully known) and reports a filter that keeps nothing, in a parameter group or in a freezing loop.',
    whyIsThisBad:
      'The group ends up empty (or the freezing loop freezes nothing) without any error: names differ between architectures (`encoder.` vs `backbone.`, `LayerNorm.weight` vs `ln_1.weight`), so a filter copied from another model silently stops matching.',
    example: `model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2))
optimizer = torch.optim.AdamW([
    {'params': [p for n, p in model.named_parameters() if n.startswith('encoder.')], 'lr': 1e-5},
    {'params': [p for n, p in model.named_parameters() if n.startswith('2.')], 'lr': 1e-3},
])`,
    useInstead: `optimizer = torch.optim.AdamW([
    {'params': [p for n, p in model.named_parameters() if n.startswith('0.')], 'lr': 1e-5},
    {'params': [p for n, p in model.named_parameters() if n.startswith('2.')], 'lr': 1e-3},
])`,
    runtime: 'Silent in torch 1.13 and 2.x: an empty list inside a group is accepted; only an empty top-level list raises `ValueError: optimizer got an empty parameter list`.',
  },
  check({ model, report }) {
    const checkSelection = (sel: Selection, what: string): void => {
      if (!sel.filter || sel.leaf) return;
      // Filters on requires_grad depend on freezing, which is a different story.
      if (/requires_grad/.test(sel.filter.text) || sel.filter.text === 'recurse=False') return;
      // `any(... for x in prefixes)` with `prefixes = []`: empty by configuration, not a name mismatch.
      if (sel.filter.iteratesEmpty) return;
      const { leaves, opaque } = enumerateLeaves(sel.root);
      if (opaque.length || leaves.length === 0) return;
      const results = leaves.map((l) => sel.filter!.test(l.name, l.leaf));
      if (results.some((r) => r !== false)) return;
      const sample = leaves.slice(0, 3).map((l) => `\`${sel.namePrefix ?? ''}${l.name}\``).join(', ');
      report({
        node: sel.filter.node,
        message: `\`${sel.filter.text}\` matches none of the ${leaves.length} parameters of \`${sel.expr}\` (${sample}${leaves.length > 3 ? ', ...' : ''}): ${what}`,
      });
    };
    for (const opt of model.optimizers) {
      for (const g of opt.groups ?? []) for (const sel of g.selections) checkSelection(sel, 'this group is empty');
    }
    for (const f of model.freezes) for (const sel of f.selections) checkSelection(sel, `this loop sets \`requires_grad=${f.requiresGrad ? 'True' : 'False'}\` on nothing`);
  },
});
