import type { Value } from '../model';
import type { SyntaxNode } from '../parsing';
import { defineRule } from './define';
import { optimizerLabel, replaceNode } from './helpers';

export const paramSetOrder = defineRule({
  code: 'OPT107',
  name: 'param-set-order',
  severity: 'warning',
  summary: 'Parameters passed as a `set`, whose order changes between runs',
  fixTitle: 'Use an ordered, de-duplicated list',
  fixSafety: 'safe',
  docs: {
    whatItDoes: 'Finds `set(...)`, set literals and set comprehensions passed as an optimizer\'s parameters, at the top level or as a group\'s `params`.',
    whyIsThisBad:
      'A set of tensors is ordered by object hash, which differs from run to run. The optimizer\'s state is saved by position, so `optimizer.load_state_dict` then gives each parameter another one\'s momentum (shape errors at best, silent mix-ups at worst). Inside a group PyTorch refuses sets outright.',
    example: 'optimizer = torch.optim.Adam(set(actor.parameters()) | set(critic.parameters()), lr=3e-4)',
    useInstead: 'optimizer = torch.optim.Adam(list(dict.fromkeys([*actor.parameters(), *critic.parameters()])), lr=3e-4)',
    runtime:
      'Top level: accepted silently (`list(params)` runs before any check). As a group\'s `params`: `TypeError: optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.` (torch 1.13 and 2.x).',
  },
  check({ model, report }) {
    const isSet = (v: Value | undefined): boolean => v?.kind === 'list' && v.flavor === 'set';
    const fixFor = (node: SyntaxNode) => {
      // Only `set(x)` has an obvious ordered equivalent.
      if (node.type === 'call' && node.childForFieldName('function')?.text === 'set') {
        const argsNode = node.childForFieldName('arguments');
        const args = argsNode?.type === 'generator_expression' ? [argsNode] : (argsNode?.namedChildren ?? []);
        if (args.length === 1) return { edits: [replaceNode(node, `list(dict.fromkeys(${args[0].text}))`)] };
      }
      return null;
    };
    for (const opt of model.optimizers) {
      const arg = opt.paramsArg;
      if (arg && isSet(arg.value)) {
        report({
          node: arg.node,
          message: `\`${optimizerLabel(opt)}\` gets its parameters as a set: their order changes between runs, so a saved optimizer state loads onto the wrong tensors`,
          fix: fixFor(arg.node),
        });
      }
      for (const g of opt.groups ?? []) {
        const entry = g.dict?.entries.find((e) => e.key === 'params');
        if (entry?.valueNode && isSet(entry.value)) {
          report({
            node: entry.valueNode,
            severity: 'error',
            message: "a group's `params` is a set: PyTorch raises `TypeError: optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.`",
            fix: fixFor(entry.valueNode),
          });
        }
      }
    }
  },
});
