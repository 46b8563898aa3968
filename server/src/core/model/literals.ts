import type { SyntaxNode } from '../parsing';

/** A Python int or float literal (`1e-3`, `0x10`, `1_000`), or undefined for anything else. */
export function literalNumber(node: SyntaxNode): { value: number; isInt: boolean } | undefined {
  if (node.type !== 'integer' && node.type !== 'float') return undefined;
  const text = node.text.replace(/_/g, '');
  if (node.type === 'float') {
    if (/[jJ]$/.test(text)) return undefined; // complex
    const value = Number(text);
    return Number.isNaN(value) ? undefined : { value, isInt: false };
  }
  if (/[jJ]$/.test(text)) return undefined;
  let value: number;
  if (/^0[xX]/.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[oO]/.test(text)) value = parseInt(text.slice(2), 8);
  else if (/^0[bB]/.test(text)) value = parseInt(text.slice(2), 2);
  else value = Number(text);
  return Number.isNaN(value) ? undefined : { value, isInt: true };
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/**
 * The value of a plain string literal (including implicit concatenation). f-strings with
 * interpolations and byte strings give undefined.
 */
export function literalString(node: SyntaxNode): string | undefined {
  if (node.type === 'concatenated_string') {
    let out = '';
    for (const part of node.namedChildren) {
      const s = literalString(part);
      if (s === undefined) return undefined;
      out += s;
    }
    return out;
  }
  if (node.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  const prefix = (start?.text ?? node.text).replace(/['"]+$/, '').toLowerCase();
  if (prefix.includes('b')) return undefined;
  const raw = prefix.includes('r');
  let out = '';
  for (const child of node.namedChildren) {
    if (child.type === 'interpolation') return undefined;
    if (child.type === 'string_content') {
      out += raw ? child.text : child.text.replace(/\\(.)/gs, (m, c: string) => SIMPLE_ESCAPES[c] ?? m);
    } else if (child.type === 'escape_sequence') {
      out += raw ? child.text : (SIMPLE_ESCAPES[child.text.slice(1)] ?? child.text);
    }
  }
  return out;
}
