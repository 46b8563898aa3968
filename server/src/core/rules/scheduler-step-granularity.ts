import type { BoundArgument, SchedulerModel } from '../model';
import { canonicalKind, specId, type SchedulePlan } from '../schedule';
import { lintPlans, prepareLintPlans } from '../schedule/lint-plans';
import { nodeRange } from '../text';
import { defineRule } from './define';
import { lineOf } from './helpers';

/** Arguments that give a schedule's length, by class. */
const LENGTH_ARGS: Record<string, string[]> = {
  CosineAnnealingLR: ['T_max'],
  LinearLR: ['total_iters'],
  ConstantLR: ['total_iters'],
  PolynomialLR: ['total_iters'],
  StepLR: ['step_size'],
  MultiStepLR: ['milestones'],
  CosineAnnealingWarmRestarts: ['T_0'],
  OneCycleLR: ['total_steps', 'steps_per_epoch'],
  CyclicLR: ['step_size_up', 'step_size_down'],
};
const HF_LENGTH_ARGS = ['num_training_steps', 'num_warmup_steps'];

/** Written in batches: `len(train_loader)`, `num_training_steps`, `steps_per_epoch`, `max_steps`. */
const PER_BATCH_TEXT = /\blen\(\s*[\w.]*(?:loader|dataloader|\bdl|batches)\b|steps?_per_epoch|iters?_per_epoch|batches_per_epoch|num_update_steps|training_steps|total_steps|max_steps|\bt_total\b|max_iters|num_iters/i;
/** Assumption names that mean batches (from `len(loader)` and the like). */
const PER_BATCH_KEY = /^(?:steps_per_epoch|t_total|num_steps|(?:num_|n_|max_|total_)?(?:training_|train_|total_|optimization_)?(?:steps|iters|iterations|updates)|\w+_per_epoch)$/i;
/** An epoch count: `args.epochs`, `EPOCHS`, `num_epochs - warmup_epochs`, and nothing in batches. */
const EPOCH_TEXT = /epoch/i;
const NOT_EPOCHS = /len\(|_per_|batch|step|iter|\*/i;

function argument(plan: SchedulePlan, s: SchedulerModel, name: string): BoundArgument | undefined {
  return plan.specs.get(specId(s))?.args.get(name);
}

function perBatchArg(plan: SchedulePlan, s: SchedulerModel, name: string): BoundArgument | undefined {
  const a = argument(plan, s, name);
  if (!a) return undefined;
  if (PER_BATCH_TEXT.test(a.node.text)) return a;
  const t = plan.argTaints.get(`${specId(s)}:${name}`);
  if (t && [...t].some((k) => PER_BATCH_KEY.test(k))) return a;
  return undefined;
}

function epochArg(plan: SchedulePlan, s: SchedulerModel, name: string): BoundArgument | undefined {
  const a = argument(plan, s, name);
  if (!a) return undefined;
  return EPOCH_TEXT.test(a.node.text) && !NOT_EPOCHS.test(a.node.text) ? a : undefined;
}

function isHf(kind: string): boolean {
  return kind.startsWith('get_');
}

/** What happens to a per-batch schedule stepped once per epoch, or undefined when it may be meant. */
function perEpochProblem(plan: SchedulePlan, s: SchedulerModel, kind: string): string | undefined {
  if (kind === 'OneCycleLR') {
    const a = perBatchArg(plan, s, 'steps_per_epoch') ?? perBatchArg(plan, s, 'total_steps');
    if (!a) return undefined;
    return `OneCycleLR is sized in optimizer steps (\`${a.node.text}\`): one step per epoch covers a tiny part of the cycle, so the lr stays near \`max_lr / div_factor\` and never reaches \`max_lr\``;
  }
  if (kind === 'CyclicLR') {
    const given = argument(plan, s, 'step_size_up');
    const a = perBatchArg(plan, s, 'step_size_up');
    if (given && !a) return undefined;
    return `a CyclicLR half-cycle is ${given ? `\`step_size_up=${given.node.text}\`` : 'step_size_up=2000 (the default)'} optimizer steps: stepped once per epoch the lr hardly leaves \`base_lr\``;
  }
  if (isHf(kind)) {
    const a = perBatchArg(plan, s, 'num_training_steps') ?? perBatchArg(plan, s, 'num_warmup_steps');
    if (!a) return undefined;
    return `the ${kind === 'get_scheduler' ? 'Hugging Face schedule' : `\`${kind}\` schedule`} counts optimizer steps (\`${a.node.text}\`): stepped once per epoch it stays in its warmup (the lr starts at 0) and never decays`;
  }
  for (const name of LENGTH_ARGS[kind] ?? []) {
    const a = perBatchArg(plan, s, name);
    if (a) return `\`${name}=${a.node.text}\` counts batches: stepped once per epoch, ${kind} runs that many times too slowly`;
  }
  return undefined;
}

/** What happens to an epoch-sized schedule stepped after every batch. */
function perBatchProblem(kind: string, name: string): string {
  switch (kind) {
    case 'CosineAnnealingLR':
      return 'the lr reaches `eta_min` after that many batches, then climbs back up and oscillates with a period of 2 x T_max batches';
    case 'StepLR':
      return 'the lr is cut every `step_size` batches instead of epochs';
    case 'MultiStepLR':
      return 'the milestones pass within the first epochs';
    case 'CosineAnnealingWarmRestarts':
      return 'the cosine restarts every `T_0` batches';
    case 'OneCycleLR':
      return '`step()` raises `ValueError: Tried to step ...` once the batches pass `total_steps`';
    default:
      return isHf(kind)
        ? `the schedule ends after \`${name}\` batches and the lr stays at its end value (0 for the linear decay) for the rest of training`
        : `the schedule ends after \`${name}\` batches, in the first epochs`;
  }
}

export const schedulerStepGranularity = defineRule({
  code: 'OPT303',
  name: 'scheduler-step-granularity',
  severity: 'warning',
  summary: 'A schedule sized in batches stepped once per epoch, or one sized in epochs stepped every batch',
  docs: {
    whatItDoes:
      'Reads where `scheduler.step()` is called. When it runs once per epoch (in the epoch loop, after the batch loop that steps the optimizer) for a schedule that counts optimizer steps (`OneCycleLR` and `CyclicLR` sized from `len(loader)` or left at their defaults, Hugging Face warmup schedules, a `T_max`/`total_iters` built from `len(loader)` or a total-steps count), or when it runs after every batch for a schedule whose length is an epoch count (`T_max=args.epochs`), it reports the mismatch. It stays quiet when the loops are not clear (a step under an `if`, a loop it does not recognise, no optimizer step in the batch loop) or the length could mean either.',
    whyIsThisBad:
      "The schedule runs at the wrong speed and nothing complains: OneCycleLR stepped per epoch never leaves its warm-up, a Hugging Face linear warmup stepped per epoch keeps the lr near 0, and a cosine with `T_max=epochs` stepped per batch reaches its minimum after a few batches and then oscillates for the rest of training.",
    example: `scheduler = OneCycleLR(optimizer, max_lr=0.1, epochs=EPOCHS, steps_per_epoch=len(train_loader))
for epoch in range(EPOCHS):
    for x, y in train_loader:
        loss_fn(model(x), y).backward()
        optimizer.step()
        optimizer.zero_grad()
    scheduler.step()`,
    useInstead: `for epoch in range(EPOCHS):
    for x, y in train_loader:
        loss_fn(model(x), y).backward()
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()`,
    runtime:
      'Silent (torch 1.13 and 2.x), except `OneCycleLR` stepped per batch past `total_steps`, which raises `ValueError: Tried to step ...`. Measured with torch 1.13.1: `OneCycleLR(max_lr=0.1, epochs=3, steps_per_epoch=20)` stepped once per epoch has lr 0.004, 0.00401, 0.00406 over the three epochs (max_lr is 0.1); `CosineAnnealingLR(T_max=3)` stepped every batch is back at the initial lr after 6 batches.',
  },
  prepare: [prepareLintPlans],
  check({ model, report }) {
    for (const plan of lintPlans(model)) {
      const st = plan.stepping;
      if (!st.clear || st.conditional || !st.step) continue;
      const stepLabel = `${plan.scheduler.variable ?? 'scheduler'}.step()`;
      for (const s of plan.chain) {
        const kind = canonicalKind(s.className);
        if (!kind) continue;
        if (st.axis === 'epochs') {
          const why = perEpochProblem(plan, s, kind);
          if (!why) continue;
          report({
            node: st.step.node,
            message: `\`${stepLabel}\` runs once per epoch (after the batch loop), but ${why}`,
            related: [{ range: nodeRange(s.call), message: `\`${s.variable ?? kind}\` is built here` }],
          });
          continue;
        }
        // Per batch, inside an epoch loop: an epoch-sized length is wrong.
        if (!st.epochLoop || st.batchLoop?.role !== 'batch') continue;
        const names = isHf(kind) ? HF_LENGTH_ARGS : (LENGTH_ARGS[kind] ?? []);
        for (const name of names) {
          const a = epochArg(plan, s, name);
          if (!a) continue;
          report({
            node: a.argNode,
            message: `\`${name}=${a.node.text}\` counts epochs, but \`${stepLabel}\` (line ${lineOf(st.step.node)}) runs after every batch: ${perBatchProblem(kind, name)}`,
            related: [{ range: nodeRange(st.step.node), message: 'stepped in the batch loop' }],
          });
          break;
        }
      }
    }
  },
});
