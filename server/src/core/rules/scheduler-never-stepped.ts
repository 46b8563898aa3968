import type { FileModel, SchedulerModel } from '../model';
import { lintPlans, lintResult, prepareLintPlans, prepareLintResults } from '../schedule/lint-plans';
import { wrapperOf } from '../schedule/loops';
import { nodeRange } from '../text';
import { defineRule } from './define';
import { describeLrs, lineOf } from './helpers';

/**
 * Each group's lr right after the scheduler is built, which is the lr of the whole run when nothing
 * steps it; undefined when the simulator cannot tell (or PyTorch raises there: OPT301 reports it).
 */
function lrsAfterConstruction(model: FileModel, s: SchedulerModel): number[] | undefined {
  const plan = lintPlans(model).find((p) => p.scheduler === s);
  const result = plan && lintResult(model, plan);
  if (!result || result.error?.phase === 'construction' || result.steps < 1 || !result.effective.length) return undefined;
  return result.effective.map((g) => g.lr[0]);
}

export const schedulerNeverStepped = defineRule({
  code: 'OPT305',
  name: 'scheduler-never-stepped',
  severity: 'warning',
  summary: 'An LR scheduler that nothing can step: never assigned, or its variable never read, while its optimizer trains',
  docs: {
    whatItDoes:
      "Finds schedulers that nothing can reach once they are built, in a file whose training loop calls `step()` on their optimizer: a scheduler built as a statement of its own, or assigned to a variable that no other code reads (in the function that builds it; anywhere in the file for module-level code). It reports the lr the whole run then trains with, from the simulator, as an error when that lr is 0 in every group (nothing trains). It stays quiet when the variable occurs anywhere else (passed to a function, returned to Lightning, handed to `accelerator.prepare`), when the scheduler is kept on an attribute or in a container, when the code reads variables without naming them (`locals()`, `eval`), when the file never steps the optimizer, and when another scheduler drives the same optimizer.",
    whyIsThisBad:
      "A scheduler changes the lr only when its `step()` runs. Without it the schedule never happens: the run trains at the lr the constructor left, a constant lr for what was meant as a decay, and nothing warns. With a warm-up schedule (`get_linear_schedule_with_warmup`, `LambdaLR` starting at 0) the constructor sets the lr to 0 and the model never trains. The usual cause is a `scheduler.step()` that was forgotten or commented out, or a training loop in a helper that the scheduler is not passed to.",
    example: `optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
for epoch in range(90):
    for x, y in loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()`,
    useInstead: `optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
for epoch in range(90):
    for x, y in loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    scheduler.step()`,
    runtime:
      'Silent (torch 1.13 and 2.x). Measured with torch 1.13.1: `StepLR(step_size=2, gamma=0.1)` never stepped leaves the lr at 0.1 after 6 epochs (stepped, it is 0.0001); `OneCycleLR(max_lr=0.1, total_steps=100)` built as a bare statement sets the lr to 0.004 (`max_lr / div_factor`) for the whole run; `get_linear_schedule_with_warmup(num_warmup_steps=10)` never stepped keeps the lr at 0.0, and AdamW leaves the weights bit-for-bit unchanged.',
  },
  prepare: [prepareLintPlans, prepareLintResults],
  check({ model, report }) {
    for (const s of model.schedulers) {
      const opt = s.optimizer;
      if (!s.unreferenced || !opt) continue;
      const trains = model.steps.find((st) => st.target === 'optimizer' && st.optimizer === opt);
      if (!trains) continue;
      // Another scheduler on the optimizer (not one this one wraps) may be the one meant to run.
      if (model.schedulers.some((o) => o !== s && o.optimizer === opt && wrapperOf(model, o) !== s)) continue;
      const lrs = lrsAfterConstruction(model, s);
      const what = s.variable
        ? `\`${s.variable}\` is never stepped (nothing reads it after this line), so its schedule never runs`
        : 'this scheduler is never assigned, so nothing can step it and its schedule never runs';
      const stepLabel = `\`${opt.variable ?? 'optimizer'}.step()\` (line ${lineOf(trains.node)})`;
      const stopped = lrs?.every((x) => x === 0);
      const lr = !lrs
        ? `${stepLabel} trains at the lr its constructor left for the whole run`
        : stopped
          ? `its constructor set the lr to 0, and ${stepLabel} trains at lr 0 for the whole run, so the parameters never change`
          : `${stepLabel} trains at lr ${describeLrs(lrs)} for the whole run`;
      const todo = s.variable ? `Call \`${s.variable}.step()\`` : 'Assign it to a variable and call its `step()`';
      report({
        node: s.calleeNode,
        severity: stopped ? 'error' : undefined,
        message: `${what}: ${lr}. ${todo} in the training loop, after \`optimizer.step()\``,
        related: [{ range: nodeRange(trains.node), message: 'the optimizer is stepped here' }],
      });
    }
  },
});
