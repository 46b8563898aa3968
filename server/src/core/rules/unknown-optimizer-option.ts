import type { BoundArgument } from '../model';
import { getOptimizerFact } from '../facts';
import type { TextEdit } from '../types';
import { nodeRange } from '../text';
import { defineRule } from './define';
import { editDistance, optimizerLabel } from './helpers';

/** Names from other frameworks for options PyTorch has under another name. */
const ALIASES: Record<string, string> = { learning_rate: 'lr', epsilon: 'eps', decay: 'weight_decay', wd: 'weight_decay' };

export const unknownOptimizerOption = defineRule({
  code: 'OPT204',
  name: 'unknown-optimizer-option',
  severity: 'error',
  summary: 'A keyword argument the optimizer class does not take (`Adam(momentum=0.9)`)',
  fixTitle: 'Remove the argument (or rename a misspelt one)',
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
      const fact = getOptimizerFact(opt.className, model.torchVersion);
      if (!fact) continue;
      let positionalReported = false;
      for (const arg of opt.unexpectedArgs) {
        if (!arg.keyword) {
          // One report for all the extra positional arguments: the first one is where it goes wrong.
          if (positionalReported) continue;
          positionalReported = true;
          // Python counts `self`; every argument after `params` has a default.
          const given = [...opt.args.values()].filter((a) => !a.keyword).length + opt.unexpectedArgs.filter((a) => !a.keyword).length + 1;
          report({
            node: arg.argNode,
            message: `\`${optimizerLabel(opt)}\` takes at most ${fact.positional.length + 1} positional arguments (params, ${fact.positional.join(', ')}): it raises \`TypeError: ${opt.className}.__init__() takes from 2 to ${fact.positional.length + 2} positional arguments but ${given} were given\``,
          });
          continue;
        }
        const options = [...fact.positional, ...fact.keywordOnly];
        const alias = ALIASES[arg.name];
        const near = alias && options.includes(alias) ? alias : options.find((o) => editDistance(o, arg.name) <= 2);
        // A misspelt option is renamed (unless the right one is given too); a foreign one removed.
        const nameNode = arg.argNode.type === 'keyword_argument' ? arg.argNode.childForFieldName('name') : null;
        const rename = near && nameNode && !opt.args.has(near) ? { title: `Rename to \`${near}\``, edits: [{ range: nodeRange(nameNode), newText: near }] } : undefined;
        const removal = rename ? undefined : removeArgument(arg);
        report({
          node: arg.argNode,
          message: `\`${opt.className}\` has no option \`${arg.name}\`: it raises \`TypeError: ${opt.className}.__init__() got an unexpected keyword argument '${arg.name}'\`${near ? `; did you mean \`${near}\`?` : ''}`,
          fix: rename ?? (removal ? { title: `Remove \`${arg.name}=...\``, edits: [removal] } : null),
        });
      }
    }
  },
});

/**
 * Deletes `name=value` and its comma. An argument on a line of its own goes with its line (a
 * comment after it stays, as a comment line); inline, it goes with the comma before it.
 * Undefined when the argument came from a `**` dict or a comment sits before it.
 */
function removeArgument(arg: BoundArgument): TextEdit | undefined {
  const node = arg.argNode;
  if (node.type !== 'keyword_argument') return undefined;
  const before = node.previousSibling;
  const after = node.nextSibling;
  const ownLine = !before || before.endPosition.row < node.startPosition.row;
  if (ownLine && after?.type === ',') {
    const next = after.nextSibling;
    const row = node.startPosition.row;
    if (next?.type === 'comment' && next.startPosition.row === after.endPosition.row) {
      return { range: { start: nodeRange(node).start, end: nodeRange(next).start }, newText: '' };
    }
    if (!next || next.startPosition.row > after.endPosition.row) {
      return { range: { start: { line: row, character: 0 }, end: { line: after.endPosition.row + 1, character: 0 } }, newText: '' };
    }
  }
  if (before?.type === ',') return { range: { start: nodeRange(before).start, end: nodeRange(node).end }, newText: '' };
  return undefined;
}
