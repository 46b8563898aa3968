import type { BoundArgument, SchedulerModel } from '../model';
import { canonicalKind, specId } from '../schedule';
import { lintPlans } from '../schedule/lint-plans';
import { defineRule } from './define';
import { formatNumber, groupLr, numberOf, optimizerLabel, replaceNode } from './helpers';

/** The arguments that broadcast one value to every group, by class, with their positional index. */
const BROADCAST: Record<string, Array<{ name: string; index: number }>> = {
  OneCycleLR: [{ name: 'max_lr', index: 0 }],
  CyclicLR: [
    { name: 'base_lr', index: 0 },
    { name: 'max_lr', index: 1 },
  ],
};

function argument(s: SchedulerModel, name: string, index: number): BoundArgument | undefined {
  if (s.keywordArgs.has(name)) return s.keywordArgs.get(name);
  // positional 0 is the optimizer unless it is passed by keyword
  const at = s.keywordArgs.has('optimizer') ? index : index + 1;
  return s.args[at];
}

/** A scalar the file fixes (a literal, or arithmetic over the file's constants). */
function scalarOf(s: SchedulerModel, a: BoundArgument, name: string, model: Parameters<typeof lintPlans>[0]): number | undefined {
  const direct = numberOf(a.value);
  if (direct !== undefined) return direct;
  for (const plan of lintPlans(model)) {
    const id = specId(s);
    const entry = plan.specs.get(id);
    if (!entry) continue;
    if (plan.argTaints.get(`${id}:${name}`)?.size) return undefined;
    const spec = plan.request?.schedulers.find((x) => x.id === id);
    const v = spec?.kwargs && name in spec.kwargs ? spec.kwargs[name] : undefined;
    const p = v ?? (spec?.args ? spec.args[[...entry.args.keys()].indexOf(name)] : undefined);
    if (typeof p === 'number') return p;
    if (typeof p === 'bigint') return Number(p);
  }
  return undefined;
}

/** `v * lr / max(lrs)` without the noise of the last digits. */
function scaled(v: number, lr: number, top: number): string {
  return formatNumber(Number(((v * lr) / top).toPrecision(12)));
}

export const scalarMaxLrOverridesGroups = defineRule({
  code: 'OPT302',
  name: 'scalar-max-lr-overrides-groups',
  severity: 'info',
  summary: 'OneCycleLR or CyclicLR given one max_lr/base_lr for param groups whose lrs differ: the per-group lrs are erased',
  fixTitle: 'Use one value per group, in the ratio of the group lrs',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes:
      "Finds `OneCycleLR(max_lr=...)` and `CyclicLR(base_lr=..., max_lr=...)` given a single number when the optimizer's param groups have different learning rates (discriminative fine-tuning: a small lr for the pretrained body, a larger one for the head).",
    whyIsThisBad:
      "Both schedulers ignore the groups' own `lr`: a scalar is broadcast to every group and the scheduler writes `group['lr']` itself at construction and at every step. The body and the head then follow the same schedule, which is rarely what the per-group lrs meant. PyTorch says nothing.",
    example: `optimizer = torch.optim.AdamW([
    {'params': model.backbone.parameters(), 'lr': 1e-5},
    {'params': model.head.parameters(), 'lr': 1e-3},
])
scheduler = OneCycleLR(optimizer, max_lr=1e-3, total_steps=1000)`,
    useInstead: `scheduler = OneCycleLR(optimizer, max_lr=[1e-5, 1e-3], total_steps=1000)`,
    runtime:
      "Silent (torch 1.13 and 2.x). Measured with torch 1.13.1: groups with lr 1e-5 and 1e-3 both have lr 4e-05 (max_lr / div_factor) right after `OneCycleLR(optimizer, max_lr=1e-3, ...)`; `CyclicLR` sets every group's lr to `base_lr` at construction. The fix writes one value per group, keeping the groups' ratios with the largest group at the scalar; it changes what trains, so it is unsafe.",
  },
  check({ model, report }) {
    for (const s of model.schedulers) {
      const kind = canonicalKind(s.className);
      const params = kind ? BROADCAST[kind] : undefined;
      const opt = s.optimizer;
      if (!params || !opt?.groups || !opt.groupsComplete || opt.hasSplat) continue;
      const groups = opt.groups.filter((g) => !g.added || g.node.startIndex < s.call.startIndex);
      if (groups.length < 2) continue;
      const lrs = groups.map(groupLr);
      if (lrs.some((l) => l === undefined || !(l > 0))) continue;
      const known = lrs as number[];
      if (known.every((l) => l === known[0])) continue;
      const top = Math.max(...known);
      for (const p of params) {
        const a = argument(s, p.name, p.index);
        if (!a) continue;
        const v = scalarOf(s, a, p.name, model);
        if (v === undefined) continue;
        const list = `[${known.map((l) => scaled(v, l, top)).join(', ')}]`;
        const what =
          kind === 'OneCycleLR'
            ? 'every group gets the same one-cycle schedule, from `max_lr / div_factor` up to it'
            : p.name === 'base_lr'
              ? 'every group\u2019s lr is set to it at construction and cycles from it'
              : 'every group cycles up to the same peak';
        report({
          node: a.argNode,
          message: `\`${p.name}\` is one value (${formatNumber(v)}) for the ${groups.length} param groups of \`${optimizerLabel(opt)}\`, whose lrs differ (${known.map((l) => formatNumber(l)).join(', ')}): ${kind} ignores the group lrs and ${what}, so the per-group lrs are erased`,
          fix: { title: `Use one \`${p.name}\` per group: \`${list}\``, edits: [replaceNode(a.node, list)] },
        });
      }
    }
  },
});
