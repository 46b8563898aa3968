import type { BoundArgument, DictEntry, OptimizerModel, Value } from '../model';
import { defineRule, type RuleContext } from './define';
import { formatNumber, formatValue, optimizerLabel, replaceNode } from './helpers';

/** The constructor's range checks (torch/optim/*.py), with PyTorch's own messages. */
const RANGE_CHECKS: Record<string, { message: (v: string) => string; bad: (n: number) => boolean }> = {
  lr: { message: (v) => `Invalid learning rate: ${v}`, bad: (n) => n < 0 },
  eps: { message: (v) => `Invalid epsilon value: ${v}`, bad: (n) => n < 0 },
  weight_decay: { message: (v) => `Invalid weight_decay value: ${v}`, bad: (n) => n < 0 },
  momentum: { message: (v) => `Invalid momentum value: ${v}`, bad: (n) => n < 0 },
};

export const invalidHyperparameter = defineRule({
  code: 'OPT202',
  name: 'invalid-hyperparameter',
  severity: 'error',
  summary: 'A negative or non-numeric learning rate, weight decay, momentum, epsilon or beta',
  fixTitle: 'Use a number',
  fixSafety: 'safe',
  docs: {
    whatItDoes:
      'Checks literal hyperparameters given to an optimizer and to its groups: negative `lr`, `weight_decay`, `momentum` or `eps`, `betas` outside [0, 1), and values written as strings (`lr="1e-3"`, often read from YAML, which parses `1e-3` as a string).',
    whyIsThisBad:
      'The constructor rejects these, but only for its own keyword arguments: inside a group dict the same values are accepted. A negative group lr then silently performs gradient ascent, and a string lr crashes at the first `step()`, after data loading and the first forward/backward pass.',
    example: `optimizer = torch.optim.Adam([
    {'params': model.encoder.parameters(), 'lr': '1e-4'},
    {'params': model.head.parameters()},
], lr=-1e-3)`,
    useInstead: `optimizer = torch.optim.Adam([
    {'params': model.encoder.parameters(), 'lr': 1e-4},
    {'params': model.head.parameters()},
], lr=1e-3)`,
    runtime:
      "Constructor: `ValueError: Invalid learning rate: -0.001` (likewise `Invalid weight_decay value`, `Invalid momentum value`, `Invalid epsilon value`, `Invalid beta parameter at index 0: 1.0`), and for a string `TypeError: '<=' not supported between instances of 'float' and 'str'` (torch 1.13 and 2.x). Group dict: accepted silently; a string lr raises `TypeError` at the first `step()`.",
  },
  check(ctx) {
    for (const opt of ctx.model.optimizers) {
      if (!opt.known) continue;
      for (const arg of opt.args.values()) checkValue(ctx, opt, arg.name, arg.value, arg.node, 'constructor', arg);
      for (const g of opt.groups ?? []) {
        for (const e of g.dict?.entries ?? []) if (e.key && e.valueNode) checkValue(ctx, opt, e.key, e.value, e.valueNode, 'group', e);
      }
    }
  },
});

function checkValue(ctx: RuleContext, opt: OptimizerModel, key: string, value: Value, node: NonNullable<DictEntry['valueNode']>, where: 'constructor' | 'group', _source: BoundArgument | DictEntry): void {
  const label = optimizerLabel(opt);
  if (value.kind === 'string' && key in RANGE_CHECKS) {
    const n = Number(value.value);
    const fixable = value.value.trim() !== '' && Number.isFinite(n) && (node.type === 'string');
    ctx.report({
      node,
      message:
        where === 'constructor'
          ? `\`${key}\` is the string ${formatValue(value)}: \`${label}\` raises \`TypeError: '<=' not supported between instances of 'float' and 'str'\``
          : `\`${key}\` is the string ${formatValue(value)}: PyTorch accepts it in a group and crashes with a \`TypeError\` at the first \`step()\``,
      fix: fixable ? { edits: [replaceNode(node, formatNumber(n))] } : null,
    });
    return;
  }
  const check = RANGE_CHECKS[key];
  if (check && value.kind === 'number' && check.bad(value.value)) {
    const v = formatNumber(value.value, value.isInt);
    ctx.report({
      node,
      message:
        where === 'constructor'
          ? `\`${key}=${v}\`: \`${label}\` raises \`ValueError: ${check.message(v)}\``
          : key === 'lr'
            ? `negative lr ${v} in a group: PyTorch does not check group values, so this group does gradient ascent`
            : `negative ${key} ${v} in a group: PyTorch does not check group values and uses it as is`,
    });
    return;
  }
  if (key === 'betas' && value.kind === 'list' && value.exact && value.items.length === 2) {
    value.items.forEach((b, i) => {
      if (b.kind === 'number' && !(b.value >= 0 && b.value < 1)) {
        const v = formatNumber(b.value, b.isInt);
        ctx.report({
          node,
          message:
            where === 'constructor'
              ? `\`betas[${i}]=${v}\`: \`${label}\` raises \`ValueError: Invalid beta parameter at index ${i}: ${v}\``
              : `\`betas[${i}]=${v}\` in a group: outside [0, 1), and PyTorch does not check group values`,
        });
      }
    });
  }
}
