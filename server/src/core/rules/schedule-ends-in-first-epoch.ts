import type { FileModel } from '../model';
import { canonicalKind, specId, type SchedulePlan } from '../schedule';
import { LINT_MAX_STEPS, lintPlans, planWith, prepareLintPlans, simulateForRule } from '../schedule/lint-plans';
import { nodeContains, nodeRange } from '../text';
import { defineRule } from './define';
import { lineOf } from './helpers';

/** The argument that fixes where a decaying schedule ends, by class (Hugging Face: every factory). */
function lengthParameter(kind: string): string | undefined {
  if (kind.startsWith('get_')) return 'num_training_steps';
  if (kind === 'PolynomialLR') return 'total_iters';
  return undefined;
}

/** A value that stands in for an assumed quantity when checking that two lengths are the same expression of it. */
const OTHER_ASSUMED = 1009;

/**
 * The schedule's length equals the batches of one epoch whatever the assumed quantities are: the
 * same assumptions went into both, and with other values for them the two are still equal.
 */
function sameLength(model: FileModel, plan: SchedulePlan, lengthTaint: Set<string>): boolean {
  const { perEpoch, perEpochTaint } = plan.loops;
  if (perEpoch === undefined || plan.horizon !== perEpoch) return false;
  if (lengthTaint.size !== perEpochTaint.size || [...lengthTaint].some((k) => !perEpochTaint.has(k))) return false;
  if (!lengthTaint.size) return true;
  const assume = Object.fromEntries([...lengthTaint].map((k) => [k, OTHER_ASSUMED]));
  const again = planWith(model, plan.scheduler, assume);
  return again?.loops.perEpoch !== undefined && again.horizon === again.loops.perEpoch && again.loops.perEpoch !== perEpoch;
}

type Effect = { kind: 'zero'; at: number } | { kind: 'restarts'; peak: number };

/** What the lr does in the second epoch of the simulated run: stays near zero, or climbs back. */
function secondEpoch(plan: SchedulePlan, perEpoch: number): Effect | undefined {
  if (!plan.request || 2 * perEpoch > LINT_MAX_STEPS) return undefined;
  const result = simulateForRule({ ...plan.request, steps: 2 * perEpoch, maxSteps: 2 * perEpoch });
  if (!result || result.steps < 2 * perEpoch || !result.effective.length) return undefined;
  const lr = result.effective[0].lr;
  let firstMax = 0;
  for (let i = 0; i < perEpoch; i++) firstMax = Math.max(firstMax, lr[i]);
  if (!(firstMax > 0)) return undefined;
  let secondMax = 0;
  for (let i = perEpoch; i < 2 * perEpoch; i++) secondMax = Math.max(secondMax, lr[i]);
  if (secondMax <= firstMax * 1e-2) return { kind: 'zero', at: secondMax };
  // A decay that ended at (nearly) zero and then climbs back: the schedule runs again each epoch.
  if (lr[perEpoch] <= firstMax * 1e-2 && lr[2 * perEpoch - 1] >= firstMax * 0.5) return { kind: 'restarts', peak: secondMax };
  return undefined;
}

function shown(x: number): string {
  return x === 0 ? '0' : Number(x.toPrecision(3)).toString();
}

export const scheduleEndsInFirstEpoch = defineRule({
  code: 'OPT304',
  name: 'schedule-ends-in-first-epoch',
  severity: 'warning',
  summary: "A decaying schedule whose length is one epoch's batches, stepped after every batch of several epochs",
  docs: {
    whatItDoes:
      "Reads the length a decaying schedule is given (`num_training_steps` of a Hugging Face schedule, `PolynomialLR`'s `total_iters`) and the loops around `scheduler.step()`. When the step runs after every batch, in a batch loop inside an epoch loop that runs more than once, and the length is the number of batches in one epoch (`len(train_dataloader)`, directly or through a variable, with no factor for the epochs), it simulates two epochs and reports what the lr does after the first: it stays at 0, or climbs back and cycles every epoch. It stays quiet when the step is conditional (gradient accumulation), the loops are not clear, the scheduler is built inside the epoch loop, the epoch loop runs once, the length only happens to equal one epoch under assumed values, or the schedule keeps a useful lr after its end (a constant schedule, a warm-up).",
    whyIsThisBad:
      'Nothing complains: the first epoch trains normally, then every later epoch runs with a learning rate of 0 and the model stops improving, or the schedule warms up and decays again every epoch. The loss curve flattens after one epoch and the run looks converged. Hugging Face examples compute `num_training_steps = num_epochs * len(train_dataloader)`; dropping the factor is a frequent copy mistake.',
    example: `num_training_steps = len(train_dataloader)
scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=100, num_training_steps=num_training_steps)
for epoch in range(num_epochs):
    for batch in train_dataloader:
        model(**batch).loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()`,
    useInstead: `num_training_steps = num_epochs * len(train_dataloader)
scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=100, num_training_steps=num_training_steps)`,
    runtime:
      "Silent (torch 1.13 and 2.x, every transformers version). Measured with torch 1.13.1 and transformers' schedule code: `get_linear_schedule_with_warmup(num_warmup_steps=2, num_training_steps=len(loader))` with 10 batches, stepped per batch for 3 epochs, gives lr 0 from step 10 to the end; `get_cosine_schedule_with_warmup` climbs back to the peak over the second epoch; `PolynomialLR(total_iters=len(loader))` stays at 0 after the first epoch.",
  },
  prepare: [prepareLintPlans],
  check({ model, report }) {
    for (const plan of lintPlans(model)) {
      const st = plan.stepping;
      if (!st.clear || st.conditional || !st.step || st.axis !== 'steps' || !st.epochLoop || st.batchLoop?.role !== 'batch') continue;
      if (plan.chain.length !== 1 || nodeContains(st.epochLoop.node, plan.scheduler.call)) continue;
      const s = plan.scheduler;
      const kind = canonicalKind(s.className);
      const name = kind ? lengthParameter(kind) : undefined;
      const arg = name ? plan.specs.get(specId(s))?.args.get(name) : undefined;
      const { perEpoch, epochs } = plan.loops;
      if (!name || !arg || perEpoch === undefined || perEpoch < 1 || epochs === undefined || epochs < 2) continue;
      if (!sameLength(model, plan, plan.argTaints.get(`${specId(s)}:${name}`) ?? new Set())) continue;
      const effect = secondEpoch(plan, perEpoch);
      if (!effect) continue;
      const assumedEpochs = plan.loops.epochsTaint.size > 0;
      const stepLabel = `${s.variable ?? 'scheduler'}.step()`;
      const runs = assumedEpochs ? 'every batch of every epoch' : `every batch of all ${epochs} epochs`;
      const after =
        effect.kind === 'zero'
          ? `the lr is ${effect.at === 0 ? '0' : `at most ${shown(effect.at)} (under 1% of its peak)`} from the end of the first epoch on, so every later epoch learns nothing`
          : `the schedule ends with the first epoch and then starts over: the lr climbs back to ${shown(effect.peak)} during the second epoch and cycles once per epoch instead of decaying over the run`;
      report({
        node: arg.argNode,
        message: `\`${name}=${arg.node.text}\` is the number of batches in one epoch, but \`${stepLabel}\` (line ${lineOf(st.step.node)}) runs after ${runs}: ${after}. Multiply it by the number of epochs`,
        related: [
          { range: nodeRange(st.epochLoop.node), message: assumedEpochs ? 'the epoch loop' : `the epoch loop runs ${epochs} times` },
          { range: nodeRange(st.step.node), message: 'stepped in the batch loop' },
        ],
      });
    }
  },
});
