import { defineRule } from './define';
import { numberOf, optimizerLabel } from './helpers';

export const nesterovWithoutMomentum = defineRule({
  code: 'OPT203',
  name: 'nesterov-without-momentum',
  severity: 'error',
  summary: '`SGD(nesterov=True)` without momentum, or with dampening',
  docs: {
    whatItDoes: 'Finds `SGD(..., nesterov=True)` whose momentum is 0 (the default) or whose dampening is not 0.',
    whyIsThisBad: 'Nesterov momentum needs a momentum buffer; the constructor refuses the combination, so the run dies before training.',
    example: 'optimizer = torch.optim.SGD(model.parameters(), lr=0.1, nesterov=True)',
    useInstead: 'optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)',
    runtime: '`ValueError: Nesterov momentum requires a momentum and zero dampening` (torch 1.13 and 2.x).',
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      if (opt.className !== 'SGD' || !opt.known || opt.hasSplat) continue;
      const nesterov = opt.args.get('nesterov');
      if (!nesterov || nesterov.value.kind !== 'bool' || !nesterov.value.value) continue;
      const momentum = opt.args.get('momentum');
      const dampening = opt.args.get('dampening');
      const m = momentum ? numberOf(momentum.value) : 0;
      const d = dampening ? numberOf(dampening.value) : 0;
      if (m === undefined || d === undefined) continue;
      if (m > 0 && d === 0) continue;
      const why = m <= 0 ? (momentum ? `momentum is ${m}` : 'momentum is 0 (the default)') : `dampening is ${d}`;
      report({
        node: nesterov.argNode,
        message: `\`nesterov=True\` but ${why}: \`${optimizerLabel(opt)}\` raises \`ValueError: Nesterov momentum requires a momentum and zero dampening\``,
      });
    }
  },
});
