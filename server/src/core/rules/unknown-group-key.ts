import { getOptimizerFact, knownOptimizerNames, THIRD_PARTY_GROUP_KEYS, validGroupKeys } from '../facts';
import type { TorchVersion } from '../settings';
import { defineRule } from './define';
import { editDistance, formatValue, optimizerLabel, replaceNode } from './helpers';

/** Names people use for a real option (TF/Keras/BertAdam habits), mapped to PyTorch's. */
const ALIASES: Record<string, string> = {
  learning_rate: 'lr',
  LR: 'lr',
  Lr: 'lr',
  lr_rate: 'lr',
  weight_decay_rate: 'weight_decay',
  wd: 'weight_decay',
  decay: 'weight_decay',
  l2: 'weight_decay',
  epsilon: 'eps',
};

/** Keys PyTorch itself adds to groups. */
const INTERNAL_KEYS = ['params', 'initial_lr'];

const THIRD_PARTY_NOTES: Record<string, string> = {
  lr_scale: 'only timm and MAE/BEiT schedulers multiply the lr by it',
  name: 'a label that Lightning and some loggers read',
  lr_mult: 'only mmcv/mmengine-style optimizer constructors honour it',
  decay_mult: 'only mmcv/mmengine-style optimizer constructors honour it',
};

export const unknownGroupKey = defineRule({
  code: 'OPT201',
  name: 'unknown-group-key',
  severity: 'warning',
  summary: 'A parameter-group key the optimizer does not have',
  fixTitle: 'Rename the key',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes:
      'Checks every key of every group dict against the options of the optimizer class (its `defaults`), and suggests the option that was probably meant (`learning_rate` → `lr`, `weight_decay_rate` → `weight_decay`). Keys that third-party libraries read (`lr_scale`, `name`, `lr_mult`), and labels that are no option of any optimizer nor close to one (`group_name`, `layer_id`), are reported as information, and keys the file itself reads back from `optimizer.param_groups` (`g["lr_scale"]`) not at all.',
    whyIsThisBad:
      'PyTorch never validates group keys: an unknown key is stored in the group and ignored by `step()`, so the group silently uses the optimizer-wide or default value instead (weight decay 0 for the classic BERT `weight_decay_rate`).',
    example: `optimizer = torch.optim.AdamW([
    {'params': decay, 'weight_decay_rate': 0.01},
    {'params': no_decay, 'weight_decay_rate': 0.0},
], lr=2e-5)`,
    useInstead: `optimizer = torch.optim.AdamW([
    {'params': decay, 'weight_decay': 0.01},
    {'params': no_decay, 'weight_decay': 0.0},
], lr=2e-5)`,
    runtime:
      "Silent in torch 1.13 and 2.x: `add_param_group` fills in the defaults with `setdefault` and never rejects a key; `{'learning_rate': 1e-5}` leaves the group at the optimizer's lr (measured).",
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      const fact = getOptimizerFact(opt.className, model.torchVersion);
      if (!fact) continue;
      const valid = new Set([...fact.groupKeys, ...INTERNAL_KEYS, ...(model.torchVersion === '2.x' ? ['param_names'] : [])]);
      for (const g of opt.groups ?? []) {
        for (const entry of g.dict?.entries ?? []) {
          if (entry.key === null || valid.has(entry.key) || !entry.keyNode) continue;
          // The script reads the key back from its param_groups: it is used, not ignored.
          if (opt.groupKeysRead.has(entry.key) || model.groupKeysRead.has(entry.key)) continue;
          const key = entry.key;
          if (THIRD_PARTY_GROUP_KEYS.includes(key)) {
            report({
              node: entry.keyNode,
              severity: 'info',
              message: `\`${key}\` is not an option of \`${opt.className}\`: torch.optim stores it and ignores it (${THIRD_PARTY_NOTES[key] ?? 'only some third-party code reads it'})`,
            });
            continue;
          }
          const suggestion = suggest(key, [...fact.groupKeys]);
          // A key that is no option of any optimizer, nor close to one of this one's
          // (`group_name`, `layer_id`): a label that other code reads, not a misspelt option.
          if (!suggestion && !isAlias(key) && !anyOptimizerKey(model.torchVersion).has(key)) {
            report({
              node: entry.keyNode,
              severity: 'info',
              message: `\`${key}\` is not an option of \`${opt.className}\`: torch.optim stores it in the group and ignores it (fine when other code reads it from \`param_groups\`)`,
            });
            continue;
          }
          const fallback = suggestion ? opt.args.get(suggestion) : undefined;
          const effective = suggestion ? g.effective.get(suggestion) : undefined;
          const uses = suggestion && effective ? formatValue(effective.value) : undefined;
          const consequence = suggestion && uses !== undefined ? `, so this group uses ${suggestion}=${uses}${fallback ? ' from the optimizer' : effective?.source === 'default' ? ' (the default)' : ''}` : '';
          const already = suggestion && g.dict?.entries.some((e) => e.key === suggestion);
          report({
            node: entry.keyNode,
            message: `\`${key}\` is not an option of \`${optimizerLabel(opt)}\`: PyTorch ignores it${consequence}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
            fix: suggestion && !already ? { title: `Rename to '${suggestion}'`, edits: [replaceNode(entry.keyNode, quoteLike(entry.keyNode.text, suggestion))] } : null,
          });
        }
      }
    }
  },
});

function isAlias(key: string): boolean {
  return ALIASES[key] !== undefined || ALIASES[key.toLowerCase()] !== undefined;
}

const ANY_OPTIMIZER_KEYS = new Map<TorchVersion, Set<string>>();

/** Every group option of every torch.optim class (`momentum` on Adam is someone's SGD habit). */
function anyOptimizerKey(torch: TorchVersion): Set<string> {
  let keys = ANY_OPTIMIZER_KEYS.get(torch);
  if (!keys) {
    keys = new Set(knownOptimizerNames(torch).flatMap((n) => validGroupKeys(n, torch) ?? []));
    ANY_OPTIMIZER_KEYS.set(torch, keys);
  }
  return keys;
}

function suggest(key: string, valid: string[]): string | undefined {
  const alias = ALIASES[key] ?? ALIASES[key.toLowerCase()];
  if (alias && valid.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const v of valid) {
    const d = editDistance(key.toLowerCase(), v);
    if (d < bestDistance) {
      best = v;
      bestDistance = d;
    }
  }
  return best && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function quoteLike(original: string, value: string): string {
  const q = original.startsWith('"') ? '"' : "'";
  return `${q}${value}${q}`;
}
