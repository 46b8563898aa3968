import { defineRule } from './define';

export const lbfgsParamGroups = defineRule({
  code: 'OPT205',
  name: 'lbfgs-param-groups',
  severity: 'error',
  summary: '`LBFGS` given more than one parameter group',
  docs: {
    whatItDoes: 'Finds `torch.optim.LBFGS` built from a list of two or more group dicts.',
    whyIsThisBad: 'L-BFGS keeps one flat history over all parameters and supports no per-group options: the constructor refuses several groups.',
    example: `optimizer = torch.optim.LBFGS([
    {'params': model.encoder.parameters()},
    {'params': model.head.parameters(), 'lr': 0.1},
])`,
    useInstead: 'optimizer = torch.optim.LBFGS(model.parameters(), lr=1)',
    runtime: "`ValueError: LBFGS doesn't support per-parameter options (parameter groups)` (torch 1.13 and 2.x).",
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      if (opt.className !== 'LBFGS' || !opt.groups || opt.groups.length < 2 || !opt.groups[0].dict) continue;
      report({
        node: opt.paramsArg?.node ?? opt.call,
        message: `\`LBFGS\` gets ${opt.groups.length} parameter groups: it raises \`ValueError: LBFGS doesn't support per-parameter options (parameter groups)\``,
      });
    }
  },
});
