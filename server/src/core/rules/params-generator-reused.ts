import type { Consumption } from '../model';
import { defineRule } from './define';
import { insertAfter, insertBefore, lineOf } from './helpers';

const CONSEQUENCE: Record<string, string> = {
  optimizer: 'the optimizer raises `ValueError: optimizer got an empty parameter list` (or, inside a group, gets an empty group)',
  clip: 'gradient clipping does nothing (silent in torch 1.13; a UserWarning in 2.x)',
  sum: 'the sum is 0',
  list: 'the list is empty',
  loop: 'the loop body never runs',
  comprehension: 'the comprehension is empty',
};

export const paramsGeneratorReused = defineRule({
  code: 'OPT108',
  name: 'params-generator-reused',
  severity: 'error',
  summary: 'A parameter generator iterated a second time, when it is already exhausted',
  fixTitle: 'Materialise the parameters with `list(...)`',
  fixSafety: 'safe',
  docs: {
    whatItDoes:
      'Follows a variable bound to `model.parameters()`, `filter(...)`, `itertools.chain(...)` or a generator expression, and reports its second use: an optimizer, `clip_grad_norm_`, `list(...)`, `sum(...)` or a `for` loop after the generator has been consumed.',
    whyIsThisBad:
      'A generator can be iterated once. The second consumer sees nothing: a second optimizer gets no parameters, and gradient clipping silently clips nothing, so training goes on without the safeguard it was written with.',
    example: `params = filter(lambda p: p.requires_grad, model.parameters())
optimizer = torch.optim.AdamW(params, lr=1e-4)
...
torch.nn.utils.clip_grad_norm_(params, 1.0)`,
    useInstead: `params = list(filter(lambda p: p.requires_grad, model.parameters()))
optimizer = torch.optim.AdamW(params, lr=1e-4)
...
torch.nn.utils.clip_grad_norm_(params, 1.0)`,
    runtime:
      'A second optimizer: `ValueError: optimizer got an empty parameter list`. `clip_grad_norm_` on an exhausted generator: silent in torch 1.13 (returns a total norm of 0); 2.x adds `UserWarning: `parameters` is an empty generator, no gradient clipping will occur`.',
  },
  check({ model, report }) {
    const bySource = new Map<object, Consumption[]>();
    for (const c of model.consumptions) {
      const list = bySource.get(c.source) ?? [];
      list.push(c);
      bySource.set(c.source, list);
    }
    for (const [, uses] of bySource) {
      if (uses.length < 2) continue;
      const [first, second] = uses;
      if (first.node === second.node) continue;
      // A first use that may not happen (`if args.verbose: print(sum(...))`) does not make the
      // second one certain to see nothing.
      if (first.conditional) continue;
      // Only a variable can be used twice by name; two textual uses make it certain.
      if (!second.variable) continue;
      const source = first.source.node;
      const fixable = source.type === 'call' || source.type === 'generator_expression';
      report({
        node: second.node,
        message: `\`${second.variable}\` is a generator already consumed at line ${lineOf(first.node)}: here it yields nothing, so ${CONSEQUENCE[second.sink] ?? 'this sees no parameters'}`,
        fix: fixable ? { edits: source.type === 'generator_expression' ? [insertBefore(source, 'list'), insertAfter(source, '')] : [insertBefore(source, 'list('), insertAfter(source, ')')] } : null,
      });
    }
  },
});
