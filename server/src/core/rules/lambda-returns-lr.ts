import { canonicalKind } from '../schedule/construct';
import type { FileModel } from '../model';
import { LINT_MAX_STEPS, lintPlans, lintResult, planWith, prepareLintPlans, prepareLintResults, simulateForRule } from '../schedule/lint-plans';
import type { ScheduleResult } from '../schedule/types';
import type { SchedulePlan } from '../schedule/file';
import { defineRule } from './define';
import { formatNumber } from './helpers';

export const lambdaReturnsLr = defineRule({
  code: 'OPT308',
  name: 'lambda-returns-lr',
  severity: 'warning',
  summary: "A `LambdaLR` whose lambda returns the learning rate itself: LambdaLR multiplies the group's lr by it, so the lr is squared",
  docs: {
    whatItDoes:
      "Simulates each `LambdaLR` the file steps and looks at the factor its `lr_lambda` gives each group. It reports a group whose factor at the first step is exactly the group's own lr (`lambda epoch: lr * 0.95 ** epoch` on an optimizer built with `lr=lr`) and never rises above it over the run, when that lr is below 1. A factor that starts at the lr and then climbs higher (a warm-up from 10% on an lr of 0.1) is a real schedule and is not reported; nor is an lr that rests on a value optlint had to assume.",
    whyIsThisBad:
      "`LambdaLR` computes each group's lr as `base_lr * lr_lambda(epoch)`: the lambda must return a factor (1.0 for the full lr). A lambda written to return the lr makes it `lr * lr`: an lr of 1e-3 becomes 1e-6, so training barely moves, and nothing fails.",
    example: `lr = 1e-3
optimizer = torch.optim.Adam(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: lr * 0.95 ** epoch)`,
    useInstead: `lr = 1e-3
optimizer = torch.optim.Adam(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.95 ** epoch)`,
    runtime:
      'Silent in torch 1.13 and 2.x: the constructor already sets the lr to `base_lr * lr_lambda(0)` (measured: 1e-06 for the example, then 9.5e-07 after one step), and every step after it multiplies again by the base lr.',
  },
  prepare: [prepareLintPlans, prepareLintResults],
  check({ model, report }) {
    for (const plan of lintPlans(model)) {
      if (!plan.request || plan.rebuilt || plan.chain.length !== 1 || canonicalKind(plan.scheduler.className) !== 'LambdaLR') continue;
      const first = lintResult(model, plan);
      if (!first || first.error || first.notSimulated) continue;
      const squared = squaredGroups(plan, first);
      if (!squared.length) continue;
      // Where the lrs or the lambda rest on values optlint made up, the finding must hold with others too.
      const invented = inventedValues(plan);
      if (invented.some(([k, v]) => typeof v !== 'number' || !sameFinding(model, plan, { [k]: v * 2 + 1 }, squared))) continue;
      const s = plan.scheduler;
      const lambdaArg = s.keywordArgs.get('lr_lambda') ?? s.args[1];
      const bases = baseLrs(plan);
      const base = bases[squared[0]]!;
      const which = bases.length === 1 ? 'the lr' : squared.length === bases.length ? "each group's lr" : `the lr of group ${squared.join(', ')}`;
      report({
        node: lambdaArg?.node ?? s.calleeNode,
        message:
          `\`lr_lambda\` returns the learning rate, not a factor of it: its first value is ${formatNumber(base)}, ${which} itself, and \`LambdaLR\` multiplies the two, ` +
          `so training starts at lr ${formatNumber(base * base)} and never goes above it, ${Math.round(1 / base).toLocaleString('en-US')} times below the ${formatNumber(base)} that was meant. Return a factor (1.0 for the full lr)`,
      });
    }
  },
});

function baseLrs(plan: SchedulePlan): Array<number | undefined> {
  return plan.request!.optimizer.groups.map((g) => (typeof g.lr === 'number' ? g.lr : undefined));
}

/**
 * The groups whose lr the lambda returns: its first factor is the group's lr (below 1), and over
 * the run it never rises above it (a warm-up from 10% on an lr of 0.1 does).
 */
function squaredGroups(plan: SchedulePlan, first: ScheduleResult): number[] {
  const bases = baseLrs(plan);
  // lr(0) = base * lambda(0), computed as LambdaLR does: exactly base * base when lambda(0) is base.
  const candidates = bases.flatMap((b, i) => (b !== undefined && b > 0 && b < 1 && first.effective[i]?.lr[0] === b * b ? [i] : []));
  if (!candidates.length) return [];
  const steps = Math.min(plan.request!.steps, LINT_MAX_STEPS);
  const run = simulateForRule({ ...plan.request!, steps, maxSteps: steps });
  if (!run) return [];
  return candidates.filter((i) => run.effective[i].lr.every((x) => x <= bases[i]! * bases[i]!));
}

/** Values optlint made up (not the script's own defaults) that the group lrs or the lambda read. */
function inventedValues(plan: SchedulePlan): Array<[string, number | string]> {
  const { assumptionSources: sources, assumptions } = plan.schedule;
  const spec = plan.request?.schedulers[0]?.id;
  const keys = new Set([...plan.groupsTaint, ...(plan.argTaints.get(`${spec}:lr_lambda`) ?? [])]);
  return [...keys].filter((k) => sources[k]?.startsWith('default')).map((k) => [k, assumptions[k]]);
}

/** The plan made with other values for some made-up quantities finds the same groups. */
function sameFinding(model: FileModel, plan: SchedulePlan, assume: Record<string, number>, groups: number[]): boolean {
  const other = planWith(model, plan.scheduler, assume);
  if (!other?.request) return false;
  const first = simulateForRule({ ...other.request, steps: 1, maxSteps: 1 });
  if (!first) return false;
  const again = squaredGroups(other, first);
  return again.length === groups.length && again.every((g, i) => g === groups[i]);
}
