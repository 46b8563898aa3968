import { isWithin, type ModuleNode } from '../model';
import type { SyntaxNode } from '../parsing';
import { defineRule } from './define';
import { formatNumber, groupLr, groupNode, insertAfter, lineOf, replaceNode } from './helpers';

export const frozenParamWithLr = defineRule({
  code: 'OPT105',
  name: 'frozen-param-with-lr',
  severity: 'warning',
  summary: 'A parameter group whose parameters are all frozen, given a learning rate above zero',
  fixTitle: 'Set this group\'s lr to 0',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes:
      'Finds a group whose every parameter has `requires_grad=False` when the optimizer is built (and is never unfrozen later in the file), while the group has a learning rate above zero. Quiet when a function or method the file never calls (a Lightning hook, an `unfreeze()` method a trainer calls) unfreezes parameters: it may run at any time; likewise when the file unfreezes parameters in a way the model cannot follow (a helper it cannot read).',
    whyIsThisBad:
      'Frozen parameters get no gradient, so the optimizer skips them: the lr written for them does nothing. Either the freeze is a mistake (the layer was meant to train at that lr), or the group is dead configuration that misleads readers and schedulers.',
    example: `for p in model.backbone.parameters():
    p.requires_grad = False
optimizer = torch.optim.AdamW([
    {'params': model.backbone.parameters(), 'lr': 1e-5},
    {'params': model.head.parameters(), 'lr': 1e-3},
])`,
    useInstead: `for p in model.backbone.parameters():
    p.requires_grad = False
optimizer = torch.optim.AdamW(model.head.parameters(), lr=1e-3)`,
    runtime: 'Silent in torch 1.13 and 2.x: parameters whose `.grad` is None are skipped by `step()`, including their weight decay (measured: they do not change). `module.requires_grad = True` does not unfreeze them either: nn.Module stores it as a plain attribute of the module object, and its parameters keep `requires_grad=False` (measured).',
  },
  check({ model, report }) {
    // A function the file never calls (`unfreeze(model)`) unfreezes something: it may run at any
    // time, on any model, so no frozen group can be said to stay frozen. A method (a Lightning
    // hook, `self.unfreeze()` called by a trainer) may run on any instance of its class.
    if (model.unfreezesAnytime.some((u) => u.className === undefined)) return;
    // Something is unfrozen in a way the model cannot follow (a helper it could not read).
    if (model.unattributedRequiresGrad.some((u) => u.requiresGrad !== false)) return;
    const unfreezingClasses = new Set(model.unfreezesAnytime.map((u) => u.className!));
    for (const opt of model.optimizers) {
      for (const g of opt.groups ?? []) {
        const leaves = g.params?.leaves ?? [];
        if (!g.params?.exact || leaves.length === 0) continue;
        if (!leaves.every((l) => opt.frozenLeavesAtConstruction.has(l.leaf) && l.leaf.requiresGrad === false)) continue;
        const lr = groupLr(g);
        if (lr === undefined || !(lr > 0)) continue;
        const frozenAt = leaves[0].leaf.frozenAt;
        if (unfreezingClasses.size && mayBeUnfrozenBy(unfreezingClasses, [opt.call, frozenAt], leaves.map((l) => l.leaf.owner))) continue;
        const lrEntry = g.dict?.entries.find((e) => e.key === 'lr');
        const paramsEntry = g.dict?.entries.find((e) => e.key === 'params');
        const fix = lrEntry?.valueNode
          ? { edits: [replaceNode(lrEntry.valueNode, '0.0')] }
          : paramsEntry?.pairNode
            ? { edits: [insertAfter(paramsEntry.pairNode, `, ${quoteOf(paramsEntry.keyNode?.text)}lr${quoteOf(paramsEntry.keyNode?.text)}: 0.0`)] }
            : null;
        // `model.fc.requires_grad = True`, meant to unfreeze the head, sets an attribute of the module.
        // (`self.requires_grad = ...` in a class of the model's is a setting of its own, not an attempt.)
        const meant = model.moduleFlagAssignments.find((a) => a.requiresGrad !== false && !a.ownSetting && leaves.some((l) => isWithin(l.leaf.owner, a.module)));
        const note = meant
          ? `; \`${meant.node.text} = ${meant.requiresGrad === true ? 'True' : '...'}\` at line ${lineOf(meant.node)} sets an attribute of the module, not its parameters' flags (\`.requires_grad_(True)\` does that)`
          : '';
        report({
          node: groupNode(g),
          message: `every parameter in this group is frozen${frozenAt ? ` (\`requires_grad=False\` at line ${lineOf(frozenAt)})` : ''}, yet its lr is ${formatNumber(lr)}: the optimizer skips them, so they will not train${note}`,
          fix,
        });
      }
    }
  },
});

/** The quote character the dict's keys are written with. */
function quoteOf(keyText: string | undefined): string {
  return keyText?.startsWith('"') ? '"' : "'";
}

/**
 * Whether a method of one of `classes` may unfreeze these parameters: the optimizer is built or
 * the parameters frozen inside such a class, or they belong to an instance of one.
 */
function mayBeUnfrozenBy(classes: Set<string>, nodes: Array<SyntaxNode | undefined>, owners: ModuleNode[]): boolean {
  for (const n of nodes) {
    for (let p = n?.parent; p; p = p.parent) {
      if (p.type === 'class_definition' && classes.has(p.childForFieldName('name')?.text ?? '')) return true;
    }
  }
  for (const owner of owners) {
    for (let m: ModuleNode | undefined = owner; m; m = m.parent) if (m.origin === 'user' && classes.has(m.type)) return true;
  }
  return false;
}
