import type { BoundArgument, DictEntry, OptimizerModel, Value } from '../model';
import { getOptimizerFact } from '../facts';
import { defineRule, type RuleContext } from './define';
import { formatNumber, formatValue, optimizerLabel, replaceNode } from './helpers';

/** The constructor's range checks (torch/optim/*.py), with PyTorch's own messages. */
const RANGE_CHECKS: Record<string, { message: (v: string) => string; bad: (n: number) => boolean }> = {
  lr: { message: (v) => `Invalid learning rate: ${v}`, bad: (n) => n < 0 },
  eps: { message: (v) => `Invalid epsilon value: ${v}`, bad: (n) => n < 0 },
  weight_decay: { message: (v) => `Invalid weight_decay value: ${v}`, bad: (n) => n < 0 },
  momentum: { message: (v) => `Invalid momentum value: ${v}`, bad: (n) => n < 0 },
};

/**
 * How the constructor's range check fails on a string (measured, torch 1.13.1; the checks are the
 * same in 2.x): SGD and SparseAdam compare with `<`, the others with `0.0 <= value`.
 */
const STRING_COMPARISON_ERROR: Record<string, string> = {
  SGD: "TypeError: '<' not supported between instances of 'str' and 'float'",
  SparseAdam: "TypeError: '<' not supported between instances of 'float' and 'str'",
};
const DEFAULT_STRING_COMPARISON_ERROR = "TypeError: '<=' not supported between instances of 'float' and 'str'";
/** Constructors measured to range-check their arguments (torch 1.13.1). LBFGS checks nothing. */
const CHECKING_CONSTRUCTORS = new Set(['SGD', 'Adam', 'AdamW', 'Adadelta', 'Adagrad', 'Adamax', 'ASGD', 'NAdam', 'RAdam', 'RMSprop', 'Rprop', 'SparseAdam']);

export const invalidHyperparameter = defineRule({
  code: 'OPT202',
  name: 'invalid-hyperparameter',
  severity: 'error',
  summary: 'A negative or non-numeric learning rate, weight decay, momentum, epsilon or beta',
  fixTitle: 'Use a number',
  fixSafety: 'safe',
  docs: {
    whatItDoes:
      'Checks literal hyperparameters given to an optimizer and to its groups: negative `lr`, `weight_decay`, `momentum` or `eps`, `betas` outside [0, 1) or given as one number (`betas=0.9`), and values written as strings (`lr="1e-3"`, often read from YAML, which parses `1e-3` as a string).',
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
      "Constructor: `ValueError: Invalid learning rate: -0.001` (likewise `Invalid weight_decay value`, `Invalid momentum value`, `Invalid epsilon value`, `Invalid beta parameter at index 0: 1.0`; `betas=0.9`: `TypeError: 'float' object is not subscriptable`), and for a string `TypeError: '<=' not supported between instances of 'float' and 'str'` (SGD: `'<' not supported between instances of 'str' and 'float'`) (torch 1.13 and 2.x). `LBFGS` checks nothing. Group dict: accepted silently; a string lr raises `TypeError` at the first `step()`, and so does one number as `betas` (`cannot unpack non-iterable float object`).",
  },
  check(ctx) {
    for (const opt of ctx.model.optimizers) {
      if (!opt.known) continue;
      const fact = getOptimizerFact(opt.className, ctx.model.torchVersion);
      // An optimizer whose constructor checks nothing treats its arguments as a group does.
      const where = CHECKING_CONSTRUCTORS.has(opt.className) ? 'constructor' : 'unchecked';
      for (const arg of opt.args.values()) checkValue(ctx, opt, arg.name, arg.value, arg.node, where, arg);
      for (const g of opt.groups ?? []) {
        for (const e of g.dict?.entries ?? []) {
          // A key the optimizer does not have is ignored (OPT201 reports it): its value does not matter.
          if (e.key && e.valueNode && (!fact || fact.groupKeys.includes(e.key))) checkValue(ctx, opt, e.key, e.value, e.valueNode, 'group', e);
        }
      }
    }
  },
});

function checkValue(ctx: RuleContext, opt: OptimizerModel, key: string, value: Value, node: NonNullable<DictEntry['valueNode']>, where: 'constructor' | 'group' | 'unchecked', _source: BoundArgument | DictEntry): void {
  const label = optimizerLabel(opt);
  if (value.kind === 'string' && key in RANGE_CHECKS) {
    const n = Number(value.value);
    const fixable = value.value.trim() !== '' && Number.isFinite(n) && (node.type === 'string');
    const error = STRING_COMPARISON_ERROR[opt.className] ?? DEFAULT_STRING_COMPARISON_ERROR;
    ctx.report({
      node,
      message:
        where === 'constructor'
          ? `\`${key}\` is the string ${formatValue(value)}: \`${label}\` raises \`${error}\``
          : `\`${key}\` is the string ${formatValue(value)}: PyTorch accepts it ${where === 'group' ? 'in a group' : `in \`${opt.className}\``} and crashes with a \`TypeError\` at the first \`step()\``,
      fix: fixable ? { edits: [replaceNode(node, formatNumber(n))] } : null,
    });
    return;
  }
  const check = RANGE_CHECKS[key];
  if (check && value.kind === 'number' && check.bad(value.value)) {
    const v = formatNumber(value.value, value.isInt);
    const unchecked = where === 'group' ? 'PyTorch does not check group values' : `\`${opt.className}\` does not check it`;
    ctx.report({
      node,
      message:
        where === 'constructor'
          ? `\`${key}=${v}\`: \`${label}\` raises \`ValueError: ${check.message(v)}\``
          : key === 'lr'
            ? `negative lr ${v}${where === 'group' ? ' in a group' : ''}: ${unchecked}, so ${where === 'group' ? 'this group does' : 'it does'} gradient ascent`
            : `negative ${key} ${v}${where === 'group' ? ' in a group' : ''}: ${unchecked} and uses it as is`,
    });
    return;
  }
  if (key === 'betas' && value.kind === 'number') {
    // `betas=0.9`: one number where the optimizer reads two (`betas[0]`, `beta1, beta2 = ...`).
    const v = formatNumber(value.value, value.isInt);
    const type = value.isInt ? 'int' : 'float';
    ctx.report({
      node,
      message:
        where === 'constructor'
          ? `\`betas=${v}\` is one number, not a pair: \`${label}\` raises \`TypeError: '${type}' object is not subscriptable\``
          : `\`betas=${v}\`${where === 'group' ? ' in a group' : ''} is one number, not a pair: PyTorch accepts it and raises \`TypeError: cannot unpack non-iterable ${type} object\` at the first \`step()\``,
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
