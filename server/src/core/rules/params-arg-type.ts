import { defineRule } from './define';
import { insertAfter, optimizerLabel, moduleTypeLabel } from './helpers';

export const paramsArgType = defineRule({
  code: 'OPT106',
  name: 'params-arg-type',
  severity: 'error',
  summary: 'The model (or its unbound `parameters` method) passed where parameters are expected',
  fixTitle: 'Call `.parameters()`',
  fixSafety: 'safe',
  docs: {
    whatItDoes: 'Finds an optimizer given a module (`SGD(model, ...)`) or the method object `model.parameters` instead of the parameters.',
    whyIsThisBad: 'The optimizer iterates its first argument expecting tensors; a module or a method is not that, and the constructor raises before training starts.',
    example: 'optimizer = torch.optim.SGD(model, lr=0.1)',
    useInstead: 'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)',
    runtime:
      "A plain module: `TypeError: 'Net' object is not iterable`; an `nn.Sequential`/`nn.ModuleList` (iterable): `TypeError: optimizer can only optimize Tensors, but one of the params is torch.nn.modules.linear.Linear`; `model.parameters` uncalled: `TypeError: 'method' object is not iterable` (torch 1.13 and 2.x).",
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      const arg = opt.paramsArg;
      if (!arg) continue;
      if (arg.value.kind === 'module') {
        const m = arg.value.module;
        const iterable = m.type === 'Sequential' || m.type === 'ModuleList';
        const error = iterable
          ? `TypeError: optimizer can only optimize Tensors, but one of the params is ${moduleTypeLabel([...m.children.values()][0] ?? m)}`
          : `TypeError: '${m.type}' object is not iterable`;
        report({
          node: arg.node,
          message: `\`${arg.node.text}\` is a module (\`${moduleTypeLabel(m)}\`), not its parameters: \`${optimizerLabel(opt)}\` raises \`${error}\``,
          fix: { edits: [insertAfter(arg.node, '.parameters()')] },
        });
        continue;
      }
      // `model.parameters` without the call.
      if (arg.node.type === 'attribute' && /^(named_)?parameters$/.test(arg.node.childForFieldName('attribute')?.text ?? '')) {
        report({
          node: arg.node,
          message: `\`${arg.node.text}\` is the method itself, not its result: \`${optimizerLabel(opt)}\` raises \`TypeError: 'method' object is not iterable\``,
          fix: { edits: [insertAfter(arg.node, '()')] },
        });
      }
    }
  },
});
