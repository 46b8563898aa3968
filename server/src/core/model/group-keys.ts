import type { SyntaxNode } from '../parsing';
import { literalString } from './literals';

/** `optimizer.param_groups`, `self.optimizer.param_groups`, `trainer.optimizers[0].param_groups`. */
export function isParamGroups(node: SyntaxNode | null): boolean {
  return !!node && node.type === 'attribute' && node.childForFieldName('attribute')?.text === 'param_groups';
}

/**
 * Keys read from a group variable inside `scope`: `g["lr_scale"]`, `g.get("name")`,
 * `"lr_scale" in g`. A custom key the script reads back is not ignored: the script applies it
 * (MAE's `lr_scale`) or logs it.
 */
export function keysReadFrom(scope: SyntaxNode, variable: string): string[] {
  const keys: string[] = [];
  for (const sub of scope.descendantsOfType('subscript')) {
    const value = sub.childForFieldName('value');
    const key = sub.childForFieldName('subscript');
    if (value?.type === 'identifier' && value.text === variable && key) {
      const k = literalString(key);
      if (k !== undefined) keys.push(k);
    }
  }
  for (const call of scope.descendantsOfType('call')) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('object')?.text !== variable) continue;
    if (!['get', 'setdefault', 'pop'].includes(fn.childForFieldName('attribute')?.text ?? '')) continue;
    const first = call.childForFieldName('arguments')?.namedChildren[0];
    const k = first ? literalString(first) : undefined;
    if (k !== undefined) keys.push(k);
  }
  for (const cmp of scope.descendantsOfType('comparison_operator')) {
    const [left, right] = cmp.namedChildren;
    if (right?.type === 'identifier' && right.text === variable && left && /\bin\b/.test(cmp.text)) {
      const k = literalString(left);
      if (k !== undefined) keys.push(k);
    }
  }
  return keys;
}
