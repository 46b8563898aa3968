import type { SyntaxNode } from '../parsing';
import { enumerateLeaves, isWithin, type ModuleNode, type OptimizerModel } from '../model';
import { nodeRange } from '../text';
import { defineRule } from './define';
import { ancestorExpr, childExpr, commonAncestor, describeSize, lineOf, moduleTypeLabel, optimizerLabel } from './helpers';

export const paramsNotInAnyGroup = defineRule({
  code: 'OPT102',
  name: 'params-not-in-any-group',
  severity: 'warning',
  summary: 'Parameter groups that leave trainable layers of the model out',
  docs: {
    whatItDoes:
      "When an optimizer's groups are built from parts of one model (`model[0]`, `model.layer1`, name filters over `model.named_parameters()`), lists the trainable parts of that model (the smallest module holding every group, or `self` in a method of the model such as Lightning's `configure_optimizers`) that are in no group of any optimizer; and, whatever the groups, modules put on the model after the optimizer was built (`model.fc = nn.Linear(...)` after `SGD(model.parameters())`) and parameters a `requires_grad` filter left out that are unfrozen later, unless another optimizer or `add_param_group` takes them (or a hook the file never calls may add groups). Parts the model's own code only runs without gradient (`with torch.no_grad(): self.backbone(x)`, `self.encoder(x).detach()`: a linear probe) are left out on purpose and not listed; when the file freezes parameters in a way the model cannot follow (`zip(...)` loops, `apply(lambda m: ...)`), nothing is reported.",
    whyIsThisBad:
      'A layer in no group still gets gradients but is never updated: it keeps its initial (often random) weights for the whole run, and nothing warns. The usual cause is a layer forgotten in a hand-written list (resnet `bn1`), an index pointing at an activation, or two name filters that are not complements.',
    example: `model = torchvision.models.resnet18(weights=None)
optimizer = torch.optim.SGD([
    {'params': model.conv1.parameters(), 'lr': 1e-4},
    {'params': model.layer1.parameters(), 'lr': 1e-4},
    # ... bn1 forgotten ...
    {'params': model.fc.parameters(), 'lr': 1e-2},
], momentum=0.9)`,
    useInstead: `optimizer = torch.optim.SGD([
    {'params': model.conv1.parameters(), 'lr': 1e-4},
    {'params': model.bn1.parameters(), 'lr': 1e-4},
    {'params': model.layer1.parameters(), 'lr': 1e-4},
    # ...
    {'params': model.fc.parameters(), 'lr': 1e-2},
], momentum=0.9)`,
    runtime: 'Silent in torch 1.13 and 2.x: PyTorch never checks that the groups cover a model; the left-out weights stay exactly as initialised. A layer assigned after the optimizer was built is a new Parameter the optimizer never saw (the groups still hold the old layer\'s tensors), and unfreezing parameters that a `requires_grad` filter kept out of the optimizer does not put them in: both silent, never updated (measured).',
  },
  check({ model, report }) {
    // Something is frozen in a way the model cannot follow (`zip(...)`, `apply(lambda m: ...)`, a
    // helper it could not read): which parameters are trainable is not known.
    if (model.unattributedRequiresGrad.some((u) => u.requiresGrad !== true)) return;
    for (const opt of model.optimizers) {
      const groups = opt.groups;
      if (!groups || groups.length === 0 || !opt.groupsComplete) continue;
      if (groups.some((g) => !g.params || !g.params.exact)) continue;
      const selections = groups.flatMap((g) => g.selections);
      const roots = selections.map((s) => (s.leaf ? s.leaf.owner : s.root));
      // Built in a method of the model (`configure_optimizers(self)`): the whole of `self` is
      // what it trains. Otherwise, the smallest module holding every group.
      const owner = opt.owner && roots.every((r) => isWithin(r, opt.owner!)) ? opt.owner : undefined;
      const ancestor = owner ?? commonAncestor(roots);
      if (!ancestor) continue;
      const all = enumerateLeaves(ancestor);
      if (all.opaque.length || all.leaves.length === 0) continue;
      const covered = new Set<number>();
      for (const g of groups) for (const l of g.params!.leaves) covered.add(l.leaf.id);
      // Parameters another optimizer trains (a GAN's discriminator next to its generator) are not
      // forgotten; when another optimizer over this model is only partly known, stay quiet.
      const elsewhere = trainedElsewhere(opt, model.optimizers, ancestor);
      if (!elsewhere) continue;
      const trainable = all.leaves.filter((l) => l.leaf.requiresGrad === true && !elsewhere.has(l.leaf.id));
      if (all.leaves.some((l) => !covered.has(l.leaf.id) && l.leaf.requiresGrad === 'unknown')) continue;
      const missing = all.leaves.filter((l) => !covered.has(l.leaf.id) && !elsewhere.has(l.leaf.id) && l.leaf.requiresGrad === true && !runsWithoutGradient(l.leaf.owner));
      if (missing.length === 0) continue;
      // What changed after the optimizer was built explains a gap whatever the groups, unless
      // groups may be added where the walker cannot see (a hook, `trainer.optimizers[0]`), the
      // file reaches into the groups' params (`optimizer.param_groups[0]["params"].append(p)`), or
      // the optimizer may be built again after the change (in a loop over training stages):
      // - modules put on the model afterwards (`model.fc = nn.Linear(...)` after
      //   `SGD(model.parameters())`): their parameters did not exist when the groups were made;
      // - parameters a `requires_grad` filter left out, unfrozen afterwards.
      const unseen =
        model.unknownGroupAdds.length > 0 ||
        model.unfreezesAnytime.length > 0 ||
        opt.mayBeRebuilt === true ||
        opt.groupKeysRead.has('params') ||
        model.groupKeysRead.has('params');
      const late = new Set(model.modules.slice(opt.modulesBefore ?? model.modules.length));
      const attachedLate = (m: ModuleNode): ModuleNode | undefined => {
        for (let cur: ModuleNode | undefined = m; cur && cur !== ancestor; cur = cur.parent) if (late.has(cur)) return cur;
        return undefined;
      };
      const allLate = !unseen && missing.every((l) => attachedLate(l.leaf.owner));
      const allUnfrozen = !unseen && !allLate && missing.every((l) => opt.frozenBesideGroups.has(l.leaf));
      if (!allLate && !allUnfrozen) {
        // One group over a whole model leaves nothing out by choice.
        if (groups.length < 2) continue;
        // Fine-tuning only the top of a model is a choice, not an accident: speak up only when most
        // of the model is covered and the gap is the exception.
        if (missing.length * 2 > trainable.length) continue;
      }
      const rootExpr = ancestorExpr(ancestor, selections) ?? 'model';
      const units = summarise(ancestor, rootExpr, new Set(missing.map((l) => l.leaf.id)));
      const listed = units.slice(0, 6).map((u) => (u.module ? `\`${u.expr}\` (${moduleTypeLabel(u.module)}${sizeSuffix(u.module)})` : `\`${u.expr}\``));
      const more = units.length > 6 ? ` and ${units.length - 6} more` : '';
      const reportAt = opt.calleeNode;
      const what = units.length === 1 ? listed[0] : `${listed.join(', ')}${more}`;
      const cause: Cause = allLate
        ? lateCause(attachedLate(missing[0].leaf.owner), opt.call)
        : allUnfrozen
          ? { kind: 'unfrozen', at: missing[0].leaf.frozenAt }
          : { kind: 'left-out' };
      const message = gapMessage(what, units.length > 1, optimizerLabel(opt), cause);
      report({
        node: reportAt,
        message,
        related: units
          .filter((u) => u.module?.node)
          .slice(0, 6)
          .map((u) => ({ range: nodeRange(u.module!.node!), message: `\`${u.expr}\` is created here` })),
      });
    }
  },
});

/** Why parameters are in no group: left out of the groups, put on the model later, or unfrozen later. */
type Cause = { kind: 'left-out' } | { kind: 'late'; module?: ModuleNode; under?: SyntaxNode } | { kind: 'unfrozen'; at?: SyntaxNode };

/** The `if` around `node` that is not around `other` too (the change may not happen), if any. */
function ifAroundOnly(node: SyntaxNode | undefined, other: SyntaxNode): SyntaxNode | undefined {
  for (let p = node?.parent; p; p = p.parent) {
    if (p.startIndex <= other.startIndex && p.endIndex >= other.endIndex) return undefined;
    if (p.type === 'if_statement') return p;
  }
  return undefined;
}

function lateCause(module: ModuleNode | undefined, optimizerCall: SyntaxNode): Cause {
  return { kind: 'late', module, under: ifAroundOnly(module?.node, optimizerCall) };
}

function gapMessage(what: string, plural: boolean, optimizer: string, cause: Cause): string {
  const [is, was, its] = plural ? ['are', 'were', 'their'] : ['is', 'was', 'its'];
  switch (cause.kind) {
    case 'late': {
      const made = cause.module?.node ? `, made at line ${lineOf(cause.module.node)}${cause.under ? ` (under the \`if\` at line ${lineOf(cause.under)})` : ''},` : '';
      return `${what}${made} ${was} put on the model after \`${optimizer}\` was built: ${its} parameters are in no parameter group, so this optimizer never updates them (build the optimizer after changing the model)`;
    }
    case 'unfrozen': {
      const at = cause.at ? ` at line ${lineOf(cause.at)}` : '';
      return `${what} ${is} unfrozen${at}, but ${was} frozen when \`${optimizer}\` was built, so ${its} parameters are in no parameter group: this optimizer never updates them (add them with \`add_param_group\`, or build the optimizer again)`;
    }
    case 'left-out':
      return `${what} ${is} in no parameter group of \`${optimizer}\`: never updated by this optimizer`;
  }
}

/**
 * The module is (inside) a submodule its parent's code only runs without gradient
 * (`with torch.no_grad(): f = self.backbone(x)`): it gets no gradient, so it is left out on purpose.
 */
function runsWithoutGradient(m: ModuleNode): boolean {
  for (let cur = m; cur.parent; cur = cur.parent) {
    const free = cur.parent.gradFree;
    if (!free) continue;
    for (const [name, child] of cur.parent.children) if (child === cur && free.has(name)) return true;
  }
  return false;
}

/**
 * Leaves held by the file's other optimizers, or undefined when one of them works on this model
 * (a selection inside or around `ancestor`) with groups that are not exactly known.
 */
function trainedElsewhere(opt: OptimizerModel, all: OptimizerModel[], ancestor: ModuleNode): Set<number> | undefined {
  const ids = new Set<number>();
  for (const other of all) {
    if (other === opt) continue;
    for (const g of other.groups ?? []) {
      for (const l of g.params?.leaves ?? []) ids.add(l.leaf.id);
      const touches = g.selections.some((s) => isWithin(s.root, ancestor) || isWithin(ancestor, s.root));
      if (touches && (!g.params || !g.params.exact || !other.groupsComplete)) return undefined;
    }
  }
  return ids;
}

function sizeSuffix(m: ModuleNode): string {
  const s = describeSize(m);
  return s ? `, ${s}` : '';
}

interface Unit {
  expr: string;
  module?: ModuleNode;
}

/** Groups missing leaves into the largest modules that are missing entirely. */
function summarise(root: ModuleNode, rootExpr: string, missing: Set<number>): Unit[] {
  const units: Unit[] = [];
  const visit = (m: ModuleNode, expr: string): void => {
    const leaves = enumerateLeaves(m).leaves;
    if (leaves.length === 0) return;
    if (leaves.every((l) => missing.has(l.leaf.id)) && m !== root) {
      units.push({ expr, module: m });
      return;
    }
    for (const [name, leaf] of m.ownParams) if (missing.has(leaf.id)) units.push({ expr: `${expr}.${name}` });
    for (const [key, child] of m.children) visit(child, childExpr(expr, m, key));
  };
  visit(root, rootExpr);
  return units;
}

