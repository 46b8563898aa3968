import type { SchedulerModel } from '../model';
import { canonicalKind } from '../schedule/construct';
import { wrappedList } from '../schedule/loops';
import { nodeRange } from '../text';
import { defineRule } from './define';

/**
 * Schedulers whose step() computes the lr from their own formula and the base lr (a closed form),
 * not from the lr the group has: in a ChainedScheduler they overwrite what the others did.
 */
const NOT_CHAINABLE = new Set(['LambdaLR', 'OneCycleLR', 'CyclicLR', 'CosineAnnealingWarmRestarts']);

function label(s: SchedulerModel): string {
  return `\`${s.variable ?? canonicalKind(s.className) ?? s.className}\``;
}

export const chainedNotChainable = defineRule({
  code: 'OPT310',
  name: 'chained-not-chainable',
  severity: 'warning',
  summary: '`ChainedScheduler` given a scheduler that is not chainable (`OneCycleLR`, `CyclicLR`, `LambdaLR`, `CosineAnnealingWarmRestarts`): the others lose their effect',
  docs: {
    whatItDoes:
      "Finds a `ChainedScheduler` whose list holds, beside other schedulers, one that sets the lr from its own formula at every step instead of changing the lr the group has: `OneCycleLR`, `CyclicLR` (PyTorch's docs call both \"not chainable\"), `LambdaLR` (`base_lr * lr_lambda(epoch)`) and `CosineAnnealingWarmRestarts`. It says which schedulers lose their effect: those stepped before it are overwritten at every step, and those after it apply one step's change to its value, which never accumulates.",
    whyIsThisBad:
      "`ChainedScheduler` steps each scheduler in turn on the same optimizer, which only composes schedulers that multiply the current lr (`ExponentialLR`, `StepLR`, `LinearLR`, ...). A scheduler that writes an absolute lr wipes out the work of the ones before it, so a decay or warm-up written in the chain silently does nothing (or is applied for one step at a time). For one schedule after another, `SequentialLR` is what was meant.",
    example: `scheduler = ChainedScheduler([
    ExponentialLR(optimizer, gamma=0.5),
    OneCycleLR(optimizer, max_lr=0.1, total_steps=1000),
])`,
    useInstead: `scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=1000)   # its own warm-up and decay
# or, one after the other:
scheduler = SequentialLR(optimizer, [warmup, cosine], milestones=[500])`,
    runtime:
      "Silent in torch 1.13 and 2.x. Measured with torch 1.13.1, lr=0.1: `ChainedScheduler([ExponentialLR(opt, 0.5), OneCycleLR(opt, 0.1, total_steps=10)])` gives 0.004, 0.052, 0.1, 0.095, 0.081, exactly `OneCycleLR` alone; the other order gives half of each (0.026, 0.05, 0.0475, ...): one factor of 0.5, never 0.5 to the power of the step. `StepLR(step_size=2, gamma=0.1)` after a `LambdaLR` warm-up makes the lr alternate between 0.1 and 0.01.",
  },
  check({ model, report }) {
    for (const w of model.schedulers) {
      if (canonicalKind(w.className) !== 'ChainedScheduler') continue;
      const list = wrappedList(w);
      if (!list?.exact || list.items.length < 2) continue;
      const chain = list.items;
      // Only schedulers of the same optimizer compose (ChainedScheduler requires it in 2.x).
      if (chain.some((s) => !s.optimizer || s.optimizer !== chain[0].optimizer)) continue;
      const elements = list.node.type === 'list' ? list.node.namedChildren.filter((c) => c.type !== 'comment') : [];
      chain.forEach((s, k) => {
        const kind = canonicalKind(s.className);
        if (!kind || !NOT_CHAINABLE.has(kind)) return;
        const before = chain.slice(0, k).filter((o) => !NOT_CHAINABLE.has(canonicalKind(o.className) ?? ''));
        const after = chain.slice(k + 1).filter((o) => !NOT_CHAINABLE.has(canonicalKind(o.className) ?? ''));
        const parts: string[] = [];
        if (before.length) parts.push(`${before.map(label).join(', ')}, stepped before it, ${before.length === 1 ? 'has' : 'have'} no effect`);
        if (after.length) parts.push(`${after.map(label).join(', ')}, stepped after it, only ${after.length === 1 ? 'changes' : 'change'} each step's lr once and never ${after.length === 1 ? 'accumulates' : 'accumulate'}`);
        if (!parts.length) return;
        report({
          node: elements.length === chain.length ? elements[k] : s.calleeNode,
          message: `\`${kind}\` is not chainable: at every step it sets the lr from its own formula, overwriting what the chain did, so ${parts.join(', and ')}. Use \`${kind}\` alone, or \`SequentialLR\` for one schedule after another`,
          related: [{ range: nodeRange(w.call), message: 'the ChainedScheduler' }],
        });
      });
    }
  },
});
