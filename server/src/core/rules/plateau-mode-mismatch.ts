import type { BoundArgument, SchedulerModel } from '../model';
import type { SyntaxNode } from '../parsing';
import { canonicalKind } from '../schedule/construct';
import { lightningSchedulerConfig } from '../schedule/loops';
import { nodeRange, syntaxRoot } from '../text';
import type { TextEdit } from '../types';
import { defineRule } from './define';
import { insertAfter, lineOf, replaceNode } from './helpers';

/** Words of a metric name that say which way is better. */
const HIGHER_IS_BETTER: Record<string, string> = {
  acc: 'an accuracy',
  accuracy: 'an accuracy',
  top1: 'an accuracy',
  top5: 'an accuracy',
  f1: 'an F1 score',
  auc: 'an AUC',
  auroc: 'an AUC',
  iou: 'an IoU',
  miou: 'an IoU',
  dice: 'a Dice score',
  bleu: 'a BLEU score',
  rouge: 'a ROUGE score',
  psnr: 'a PSNR',
  ssim: 'an SSIM',
  precision: 'a precision',
  recall: 'a recall',
};
const LOWER_IS_BETTER: Record<string, string> = {
  loss: 'a loss',
  losses: 'a loss',
  error: 'an error',
  err: 'an error',
  mse: 'an error',
  rmse: 'an error',
  mae: 'an error',
  nll: 'a loss',
  perplexity: 'a perplexity',
  ppl: 'a perplexity',
  wer: 'an error rate',
  cer: 'an error rate',
};

/** `val_acc1` -> ['val', 'acc1']; `valAccuracy` -> ['val', 'accuracy']. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A table's entry for a word, or for the word without a trailing number (`acc1` -> `acc`). */
function lookup(table: Record<string, string>, word: string): string | undefined {
  for (const w of [word, word.replace(/\d+$/, '')]) if (Object.prototype.hasOwnProperty.call(table, w)) return table[w];
  return undefined;
}

/**
 * Which way the metric a name stands for is better, and what it is; undefined when the name says
 * nothing or both ways (`acc_loss`).
 */
export function metricDirection(name: string): { mode: 'min' | 'max'; what: string } | undefined {
  const ws = words(name);
  const up = ws.map((w) => lookup(HIGHER_IS_BETTER, w)).find(Boolean);
  const down = ws.map((w) => lookup(LOWER_IS_BETTER, w)).find(Boolean);
  if (up && !down) return { mode: 'max', what: up };
  if (down && !up) return { mode: 'min', what: down };
  return undefined;
}

/**
 * The name the value passed to `step()` goes by: `val_acc`, `metrics.accuracy`,
 * `stats["acc1"]`, `val_loss.item()`, `float(acc)`. Undefined for computed values (`-acc`,
 * `1 - acc`, a call), whose direction the name does not give.
 */
function metricName(n: SyntaxNode): string | undefined {
  switch (n.type) {
    case 'identifier':
      return n.text;
    case 'attribute':
      return n.childForFieldName('attribute')?.text;
    case 'subscript': {
      const key = n.childForFieldName('subscript');
      if (key?.type !== 'string') return undefined;
      const content = key.namedChildren.find((c) => c.type === 'string_content');
      return content?.text;
    }
    case 'call': {
      const f = n.childForFieldName('function');
      const args = n.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'item' && args.length === 0) return metricName(f.childForFieldName('object')!);
      if (f?.type === 'identifier' && f.text === 'float' && args.length === 1) return metricName(args[0]);
      return undefined;
    }
    case 'parenthesized_expression':
      return n.namedChildren.length === 1 ? metricName(n.namedChildren[0]) : undefined;
    default:
      return undefined;
  }
}

/** `mode`: a keyword, or the second positional argument (after the optimizer). */
function modeArgument(s: SchedulerModel): BoundArgument | undefined {
  return s.keywordArgs.get('mode') ?? (s.keywordArgs.has('optimizer') ? s.args[0] : s.args[1]);
}

export const plateauModeMismatch = defineRule({
  code: 'OPT309',
  name: 'plateau-mode-mismatch',
  severity: 'warning',
  summary: "`ReduceLROnPlateau` in mode 'min' stepped with an accuracy (or in mode 'max' with a loss): it cuts the lr while the metric improves",
  fixTitle: 'Set `mode` to match the metric',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes:
      "Reads the value each `ReduceLROnPlateau.step(...)` call passes and the scheduler's `mode` (`'min'` when not given). When the value's name says it is better higher (`val_acc`, `accuracy`, `top1`, `acc1`, `f1`, `auc`, `miou`, `dice`, `bleu`, `psnr`, ...) and the mode is `'min'`, or says it is better lower (`loss`, `error`, `mse`, `perplexity`, `wer`, ...) and the mode is `'max'`, it reports the call. It reads plain names, attributes (`stats.acc`), string keys (`metrics[\"val_acc\"]`), `.item()` and `float(...)`; it stays quiet for computed values (`-val_acc`, `1 - acc`, the usual ways to feed an accuracy to mode `'min'`), for names that say neither or both (`val_metric`, `acc_loss`), and when `mode` is not a literal.",
    whyIsThisBad:
      "In mode `'min'` the scheduler counts an epoch as an improvement only when the value falls. Given an accuracy that rises, every epoch looks like no improvement: after `patience` epochs (10 by default) it cuts the lr by `factor`, and again every `patience` epochs after that, exactly while the model is learning best. The reverse happens to a loss in mode `'max'`. Nothing raises or warns; the lr just collapses.",
    example: `scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=5)
for epoch in range(epochs):
    train_one_epoch(model, optimizer)
    val_acc = evaluate(model, val_loader)
    scheduler.step(val_acc)`,
    useInstead: `scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", patience=5)
for epoch in range(epochs):
    train_one_epoch(model, optimizer)
    val_acc = evaluate(model, val_loader)
    scheduler.step(val_acc)`,
    runtime:
      "Silent in torch 1.13 and 2.x. Measured with torch 1.13.1: an accuracy rising by 0.01 every epoch, passed to `ReduceLROnPlateau(optimizer, patience=2)` (mode `'min'`), cuts an lr of 0.1 to 0.01 at the 4th epoch and to 0.001 at the 7th; with `mode=\"max\"` it stays at 0.1.",
  },
  check({ model, report }) {
    const seen = new Set<number>();
    const judge = (s: SchedulerModel, name: string | undefined, node: SyntaxNode, shown: string, via: string) => {
      const direction = name ? metricDirection(name) : undefined;
      if (!direction) return;
      const modeArg = modeArgument(s);
      let mode: string;
      if (!modeArg) mode = 'min';
      else if (modeArg.value.kind === 'string') mode = modeArg.value.value;
      else return;
      if (mode !== 'min' && mode !== 'max') return; // OPT301 reports an invalid mode
      if (mode === direction.mode) return;
      const fallsOrRises = mode === 'min' ? 'falls' : 'rises';
      const label = s.variable ? `\`${s.variable}\`` : '`ReduceLROnPlateau`';
      report({
        node,
        message:
          `${shown} looks like ${direction.what} (better ${direction.mode === 'max' ? 'higher' : 'lower'}), but ${label}${via} is in mode '${mode}'${modeArg ? '' : ' (the default)'}: ` +
          `it counts an epoch as an improvement only when the value ${fallsOrRises}, so it will cut the lr while ${direction.what.replace(/^an? /, 'the ')} improves (pass \`mode="${direction.mode}"\`)`,
        fix: modeFix(s, modeArg, direction.mode),
        related: [{ range: nodeRange(s.call), message: `built at line ${lineOf(s.call)}` }],
      });
    };
    for (const step of model.steps) {
      const s = step.scheduler;
      if (step.target !== 'scheduler' || !s || canonicalKind(s.className) !== 'ReduceLROnPlateau') continue;
      if (seen.has(step.node.startIndex)) continue;
      seen.add(step.node.startIndex);
      const args = step.node.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      const value = args.length === 1 ? (args[0].type === 'keyword_argument' ? (args[0].childForFieldName('name')?.text === 'metrics' ? args[0].childForFieldName('value') : null) : args[0]) : null;
      if (value) judge(s, metricName(value), value, `\`${value.text}\``, '');
    }
    // Lightning steps the scheduler itself, with the metric its dict monitors.
    for (const s of model.schedulers) {
      if (canonicalKind(s.className) !== 'ReduceLROnPlateau') continue;
      const monitor = lightningSchedulerConfig(syntaxRoot(s.call), s)?.monitor;
      if (monitor && !seen.has(monitor.node.startIndex)) {
        seen.add(monitor.node.startIndex);
        judge(s, monitor.name, monitor.node, `The monitored \`${monitor.name}\``, ', which Lightning steps with it,');
      }
    }
  },
});

/** Writes `mode="max"` into the constructor: replaces the mode given, or adds the keyword. */
function modeFix(s: SchedulerModel, modeArg: BoundArgument | undefined, mode: 'min' | 'max'): { edits: TextEdit[] } | null {
  if (modeArg) {
    const quote = modeArg.node.text.startsWith("'") ? "'" : '"';
    return { edits: [replaceNode(modeArg.node, `${quote}${mode}${quote}`)] };
  }
  const argList = s.call.childForFieldName('arguments');
  const items = argList?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  if (!items.length || items.some((c) => c.type === 'list_splat' || c.type === 'dictionary_splat')) return null;
  // After the optimizer (the only positional argument before `mode`), or after the last positional one.
  const positional = items.filter((c) => c.type !== 'keyword_argument');
  if (positional.length !== 1) return null;
  return { edits: [insertAfter(positional[0], `, mode="${mode}"`)] };
}
