import type { SyntaxNode } from '../parsing';
import { getSchedulerFact } from '../facts';
import { canonicalKind, type ScheduleError, type SchedulePlan } from '../schedule';
import { lintPlans, lintResult, prepareLintPlans, prepareLintResults } from '../schedule/lint-plans';
import type { TorchVersion } from '../settings';
import { nodeRange } from '../text';
import type { TextEdit } from '../types';
import { defineRule } from './define';
import { lineOf } from './helpers';

/** Classes whose 1.13 signature ends in `verbose` and whose 2.x signature has none. */
function verboseRemoved(kind: string): boolean {
  return Boolean(getSchedulerFact(kind, '1.13')?.positional.includes('verbose')) && !getSchedulerFact(kind, '2.x')?.positional.includes('verbose');
}

/** Deletes an argument and the comma that joins it to its neighbour. */
export function removeArgument(arg: SyntaxNode): TextEdit | undefined {
  const list = arg.parent;
  if (!list || list.type !== 'argument_list') return undefined;
  const items = list.namedChildren.filter((c) => c.type !== 'comment');
  const i = items.findIndex((c) => c.startIndex === arg.startIndex);
  if (i < 0) return undefined;
  const prev = items[i - 1];
  const next = items[i + 1];
  if (prev) return { range: { start: nodeRange(prev).end, end: nodeRange(arg).end }, newText: '' };
  if (next) return { range: { start: nodeRange(arg).start, end: nodeRange(next).start }, newText: '' };
  return { range: nodeRange(arg), newText: '' };
}

/** Code quoting that survives backticks inside the text (PyTorch quotes `cycle_momentum`). */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** `` `ValueError: ...` `` in the emulated version's words, with the other version's when it differs. */
function quote(e: ScheduleError, torch: TorchVersion): string {
  const primary = torch === '1.13' && e.message113 !== undefined ? e.message113 : e.message;
  const main = /^[A-Z]\w*(Error|Exception): /.test(primary) ? primary : `${e.type}: ${primary}`;
  let other = '';
  if (e.onlyIn === '2.x') other = ' (torch 1.13 accepts it)';
  else if (e.onlyIn === '1.13') other = ' (torch 2.x accepts it)';
  else if (torch === '2.x' && e.message113 && e.message113 !== e.message) other = ` (torch 1.13: ${code(e.message113)})`;
  else if (torch === '1.13' && e.message113 && e.message113 !== e.message) other = ` (torch 2.x: ${code(e.message)})`;
  return `${code(main)}${other}`;
}

function empty(set: Set<string> | undefined): boolean {
  return !set || set.size === 0;
}

/** No assumption went into any argument of this scheduler. */
function fileDetermined(plan: SchedulePlan, id: string): boolean {
  for (const [k, t] of plan.argTaints) if (k.startsWith(`${id}:`) && !empty(t)) return false;
  return true;
}

export const schedulerConfigError = defineRule({
  code: 'OPT301',
  name: 'scheduler-config-error',
  severity: 'error',
  summary: 'A scheduler configuration PyTorch rejects: at construction, or at a step() the loops reach',
  fixTitle: 'Remove `verbose=`',
  fixSafety: 'safe',
  docs: {
    whatItDoes:
      "Builds every LR scheduler of the file in the simulator, with PyTorch's own validation, and reports what PyTorch would raise: per-group lists (`max_lr`, `base_lr`, `lr_lambda`, `min_lr`) whose length is not the number of param groups, `SequentialLR` milestones that do not match its schedulers, `OneCycleLR` without `total_steps` or `epochs` and `steps_per_epoch`, factors outside their range, a float `T_0` or `T_mult`, `cycle_momentum` on an optimizer without momentum, missing or unexpected arguments, `verbose=` (removed from PyTorch 2.x), and errors at `step()`: a zero period, or `OneCycleLR` stepped past its `total_steps` by loops whose length the file fixes. Values the file does not fix (command-line arguments, `len(loader)`) are never guessed: an error that would depend on them is not reported.",
    whyIsThisBad:
      'These crash the run: at construction, after the data and model are loaded, or (`OneCycleLR` past its end) at the last step of the last epoch, after hours of training.',
    example: `optimizer = torch.optim.SGD([
    {'params': model.backbone.parameters(), 'lr': 1e-3},
    {'params': model.head.parameters(), 'lr': 1e-2},
], momentum=0.9)
scheduler = OneCycleLR(optimizer, max_lr=[1e-3, 1e-2, 1e-2], total_steps=1000)
cosine = CosineAnnealingLR(optimizer, T_max=100, verbose=True)`,
    useInstead: `scheduler = OneCycleLR(optimizer, max_lr=[1e-3, 1e-2], total_steps=1000)
cosine = CosineAnnealingLR(optimizer, T_max=100)`,
    runtime:
      "Raises, with the messages quoted in each diagnostic (torch 2.x; the torch 1.13 message is given where it differs). Examples: `ValueError: max_lr must have the same length as optimizer.param_groups. max_lr has 3 values, param_groups has 2.` (1.13: `expected 2 values for max_lr, got 3`); `ValueError: You must define either total_steps OR (epochs AND steps_per_epoch)` (1.13 with `epochs` alone: `TypeError: '<=' not supported between instances of 'NoneType' and 'int'`); `ValueError: Tried to step 11 times. The specified number of total steps is 10` (1.13 says 12); `TypeError: CosineAnnealingLR.__init__() got an unexpected keyword argument 'verbose'` (deprecated in 2.2, removed by 2.7; 1.13 printed `Adjusting learning rate of group 0 to ...` at every step). `LinearLR(start_factor=0)` raises only in 2.x; `CyclicLR` with Adam raises only in 1.13 (2.x cycles beta1).",
  },
  prepare: [prepareLintPlans, prepareLintResults],
  check({ model, report }) {
    const torch = model.torchVersion;
    // `verbose=`: a TypeError in current PyTorch, whatever else the call does.
    if (torch === '2.x') {
      for (const s of model.schedulers) {
        const kind = canonicalKind(s.className);
        const a = s.keywordArgs.get('verbose');
        if (!kind || !a || !verboseRemoved(kind)) continue;
        const edit = removeArgument(a.argNode);
        report({
          node: a.argNode,
          message: `\`verbose=\` was removed from PyTorch's schedulers (deprecated in 2.2, gone by 2.7): this raises \`TypeError: ${kind}.__init__() got an unexpected keyword argument 'verbose'\`; torch 1.13 printed every lr change instead`,
          fix: edit ? { title: `Remove \`${a.argNode.text}\``, edits: [edit], safety: 'safe' } : null,
        });
      }
    }
    for (const plan of lintPlans(model)) {
      const result = lintResult(model, plan);
      const e = result?.error;
      if (!e || !e.schedulerId) continue;
      const owner = plan.specs.get(e.schedulerId);
      if (!owner) continue;
      const s = owner.model;
      const label = `${s.className.split('.').pop()}(...)`;
      if (e.phase === 'construction') {
        const arg = e.argument ? owner.args.get(e.argument) : undefined;
        // An error that rests on an assumed value is not the file's error.
        if (arg ? !empty(plan.argTaints.get(`${e.schedulerId}:${e.argument}`)) : !fileDetermined(plan, e.schedulerId)) continue;
        report({ node: arg?.argNode ?? s.calleeNode, message: `\`${label}\` raises ${quote(e, torch)}` });
        continue;
      }
      // A step error: the first step raises whenever the scheduler is stepped at all; a later one
      // only where the loops fix how many steps there are.
      const call = plan.stepping.step;
      if (!call || !fileDetermined(plan, e.schedulerId)) continue;
      const stepLabel = `${plan.scheduler.variable ?? 'scheduler'}.step()`;
      if (e.step === 0) {
        report({
          node: s.calleeNode,
          message: `the first \`${stepLabel}\` (line ${lineOf(call.node)}) raises ${quote(e, torch)}`,
          related: [{ range: nodeRange(call.node), message: 'stepped here' }],
        });
        continue;
      }
      if (plan.stepsFrom !== 'loops' || !plan.stepping.clear || plan.stepping.conditional || !empty(plan.stepsTaint)) continue;
      const n = plan.schedule.steps;
      report({
        node: call.node,
        message: `\`${stepLabel}\` runs ${n.toLocaleString('en-US')} times here, and call ${(e.step ?? 0) + 1} raises ${quote(e, torch)}`,
        related: [{ range: nodeRange(s.call), message: `\`${label}\` is built here` }],
      });
    }
  },
});
