import { optimizerFact } from '../model/facts-bridge';
import { defineRule } from './define';
import { editDistance, optimizerLabel } from './helpers';

export const unknownOptimizerOption = defineRule({
  code: 'OPT204',
  name: 'unknown-optimizer-option',
  severity: 'error',
  summary: 'A keyword argument the optimizer class does not take (`Adam(momentum=0.9)`)',
  fixTitle: 'Remove the argument',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes: 'Checks the keyword arguments (and the number of positional arguments) of a `torch.optim` constructor against that class\'s signature for the selected torch version.',
    whyIsThisBad:
      'Options belong to specific optimizers: `momentum` is SGD/RMSprop, `betas` is the Adam family, `nesterov` is SGD. The constructor raises, so the run dies at start-up; the same key in a group dict is silently ignored instead (see `unknown-group-key`).',
    example: 'optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, momentum=0.9)',
    useInstead: 'optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))',
    runtime: "`TypeError: Adam.__init__() got an unexpected keyword argument 'momentum'` (Python 3.10+ wording; older Pythons say `__init__() got ...`).",
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      const fact = optimizerFact(opt.className, model.torchVersion);
      if (!fact) continue;
      for (const arg of opt.unexpectedArgs) {
        if (!arg.keyword) {
          report({
            node: arg.argNode,
            message: `\`${optimizerLabel(opt)}\` takes at most ${fact.positional.length + 1} positional arguments (params, ${fact.positional.join(', ')}): this one raises \`TypeError\``,
          });
          continue;
        }
        const options = [...fact.positional, ...fact.keywordOnly];
        const near = options.find((o) => editDistance(o, arg.name) <= 2);
        report({
          node: arg.argNode,
          message: `\`${opt.className}\` has no option \`${arg.name}\`: it raises \`TypeError: ${opt.className}.__init__() got an unexpected keyword argument '${arg.name}'\`${near ? `; did you mean \`${near}\`?` : ''}`,
        });
      }
    }
  },
});
