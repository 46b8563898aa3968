import type { SyntaxNode } from '../parsing';
import { literalNumber, literalString } from './literals';
import type { ParamLeaf, Value } from './values';

/** What a predicate sub-expression evaluates to; `undefined` means "cannot be decided". */
type PV = string | number | boolean | null | PV[] | ParamRef | undefined;

interface ParamRef {
  param: ParamLeaf;
}

function isParam(v: PV): v is ParamRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'param' in v;
}

/** Converts a walker value to a predicate value (strings, numbers and lists of them). */
export function toPredicateValue(v: Value | undefined): PV {
  if (!v) return undefined;
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'number':
      return v.value;
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list': {
      if (!v.exact) return undefined;
      const items = v.items.map(toPredicateValue);
      return items.some((i) => i === undefined) ? undefined : items;
    }
    default:
      return undefined;
  }
}

export interface PredicateBindings {
  /** Variable bound to the parameter's qualified name (`n` in `for n, p in ...`). */
  nameVar?: string;
  /** Variable bound to the parameter tensor. */
  paramVar?: string;
  /** Everything else: variables of the enclosing scope. */
  lookup(name: string): Value | undefined;
}

/**
 * Decides a filter such as `not any(nd in n for nd in no_decay)`, `p.ndim < 2`,
 * `n.startswith("encoder.")` or `p.requires_grad` for one parameter. Returns undefined whenever
 * any part of the expression is outside what it understands, so callers can stay quiet.
 */
export function evaluatePredicate(
  node: SyntaxNode,
  bindings: PredicateBindings,
  qualifiedName: string,
  leaf: ParamLeaf,
): boolean | undefined {
  const v = evaluate(node, new Map(), bindings, qualifiedName, leaf);
  return truthiness(v);
}

function truthiness(v: PV): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === null) return false;
  if (isParam(v)) return true;
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

function evaluate(
  node: SyntaxNode,
  locals: Map<string, PV>,
  b: PredicateBindings,
  qname: string,
  leaf: ParamLeaf,
): PV {
  const ev = (n: SyntaxNode | null): PV => (n ? evaluate(n, locals, b, qname, leaf) : undefined);
  switch (node.type) {
    case 'parenthesized_expression':
      return ev(node.namedChildren[0] ?? null);
    case 'identifier': {
      const name = node.text;
      if (locals.has(name)) return locals.get(name);
      if (name === b.nameVar) return qname;
      if (name === b.paramVar) return { param: leaf };
      return toPredicateValue(b.lookup(name));
    }
    case 'string':
    case 'concatenated_string':
      return literalString(node);
    case 'integer':
    case 'float':
      return literalNumber(node)?.value;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'list':
    case 'tuple': {
      const items = node.namedChildren.filter((c) => c.type !== 'comment').map((c) => ev(c));
      return items.some((i) => i === undefined) ? undefined : items;
    }
    case 'not_operator': {
      const t = truthiness(ev(node.childForFieldName('argument')));
      return t === undefined ? undefined : !t;
    }
    case 'boolean_operator': {
      const op = node.childForFieldName('operator')?.type ?? node.child(1)?.type;
      const l = truthiness(ev(node.childForFieldName('left')));
      const r = truthiness(ev(node.childForFieldName('right')));
      if (op === 'and') {
        if (l === false || r === false) return false;
        return l === true && r === true ? true : undefined;
      }
      if (l === true || r === true) return true;
      return l === false && r === false ? false : undefined;
    }
    case 'comparison_operator':
      return compareChain(node, ev);
    case 'attribute': {
      const obj = ev(node.childForFieldName('object'));
      const attr = node.childForFieldName('attribute')?.text;
      if (isParam(obj)) {
        if (attr === 'requires_grad') return obj.param.requiresGrad === 'unknown' ? undefined : obj.param.requiresGrad;
        if (attr === 'ndim') return obj.param.ndim;
        if (attr === 'is_leaf') return true;
      }
      return undefined;
    }
    case 'subscript': {
      const obj = ev(node.childForFieldName('value'));
      const idx = ev(node.childForFieldName('subscript'));
      if (Array.isArray(obj) && typeof idx === 'number' && Number.isInteger(idx)) {
        const i = idx < 0 ? obj.length + idx : idx;
        return i >= 0 && i < obj.length ? obj[i] : undefined;
      }
      if (typeof obj === 'string' && typeof idx === 'number' && Number.isInteger(idx)) {
        const i = idx < 0 ? obj.length + idx : idx;
        return i >= 0 && i < obj.length ? obj[i] : undefined;
      }
      return undefined;
    }
    case 'call':
      return evaluateCall(node, locals, b, qname, leaf, ev);
    default:
      return undefined;
  }
}

function compareChain(node: SyntaxNode, ev: (n: SyntaxNode | null) => PV): PV {
  // children: operand (op operand)*, where `not in` / `is not` are two tokens.
  const operands: SyntaxNode[] = [];
  const ops: string[] = [];
  let pendingOp = '';
  for (const child of node.children) {
    if (child.isNamed && child.type !== 'comment') {
      if (operands.length > 0) {
        ops.push(pendingOp.trim());
        pendingOp = '';
      }
      operands.push(child);
    } else {
      pendingOp += ` ${child.type}`;
    }
  }
  let result: boolean | undefined = true;
  let left = ev(operands[0]);
  for (let i = 0; i < ops.length; i++) {
    const right = ev(operands[i + 1]);
    const r = compare(ops[i], left, right);
    if (r === false) return false;
    if (r === undefined) result = undefined;
    left = right;
  }
  return result;
}

function compare(op: string, l: PV, r: PV): boolean | undefined {
  if (l === undefined || r === undefined) return undefined;
  switch (op) {
    case 'in':
    case 'not in': {
      let found: boolean | undefined;
      if (typeof r === 'string' && typeof l === 'string') found = r.includes(l);
      else if (Array.isArray(r)) found = r.some((x) => x === l);
      else return undefined;
      return op === 'in' ? found : !found;
    }
    case '==':
      return isParam(l) || isParam(r) ? undefined : l === r;
    case '!=':
      return isParam(l) || isParam(r) ? undefined : l !== r;
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (typeof l !== 'number' || typeof r !== 'number') return undefined;
      return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
    default:
      return undefined;
  }
}

function evaluateCall(
  node: SyntaxNode,
  locals: Map<string, PV>,
  b: PredicateBindings,
  qname: string,
  leaf: ParamLeaf,
  ev: (n: SyntaxNode | null) => PV,
): PV {
  const fn = node.childForFieldName('function');
  const argsNode = node.childForFieldName('arguments');
  // `any(x for x in y)`: the call's arguments node is the generator expression itself.
  const args = !argsNode ? [] : argsNode.type === 'generator_expression' ? [argsNode] : argsNode.namedChildren.filter((c) => c.type !== 'comment');
  if (!fn) return undefined;
  if (fn.type === 'identifier' && (fn.text === 'any' || fn.text === 'all') && args.length === 1) {
    const gen = args[0];
    if (gen.type !== 'generator_expression' && gen.type !== 'list_comprehension') return undefined;
    const body = gen.childForFieldName('body');
    const clause = gen.namedChildren.find((c) => c.type === 'for_in_clause');
    if (!body || !clause || gen.namedChildren.some((c) => c.type === 'if_clause')) return undefined;
    const target = clause.childForFieldName('left');
    const iter = evaluate(clause.childForFieldName('right')!, locals, b, qname, leaf);
    if (!target || target.type !== 'identifier' || !Array.isArray(iter)) return undefined;
    let sawUnknown = false;
    for (const item of iter) {
      const inner = new Map(locals);
      inner.set(target.text, item);
      const t = truthiness(evaluate(body, inner, b, qname, leaf));
      if (t === undefined) sawUnknown = true;
      else if (fn.text === 'any' && t) return true;
      else if (fn.text === 'all' && !t) return false;
    }
    return sawUnknown ? undefined : fn.text === 'all';
  }
  if (fn.type === 'identifier' && fn.text === 'len' && args.length === 1) {
    const a = args[0];
    // len(p.shape) / len(p.size())
    const inner = a.type === 'call' ? a.childForFieldName('function') : a;
    if (inner?.type === 'attribute') {
      const obj = ev(inner.childForFieldName('object'));
      const attr = inner.childForFieldName('attribute')?.text;
      if (isParam(obj) && (attr === 'shape' || attr === 'size')) return obj.param.ndim;
    }
    const v = ev(a);
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    return undefined;
  }
  if (fn.type === 'attribute') {
    const obj = ev(fn.childForFieldName('object'));
    const method = fn.childForFieldName('attribute')?.text;
    if (isParam(obj)) {
      if (method === 'dim' || method === 'ndimension') return obj.param.ndim;
      if (method === 'numel') return obj.param.numel;
      return undefined;
    }
    if (typeof obj === 'string') {
      const arg0 = args[0] ? ev(args[0]) : undefined;
      switch (method) {
        case 'startswith':
        case 'endswith': {
          const candidates = typeof arg0 === 'string' ? [arg0] : Array.isArray(arg0) ? arg0 : undefined;
          if (!candidates || candidates.some((c) => typeof c !== 'string') || args.length !== 1) return undefined;
          return (candidates as string[]).some((c) => (method === 'startswith' ? obj.startsWith(c) : obj.endsWith(c)));
        }
        case 'split':
          if (args.length === 1 && typeof arg0 === 'string' && arg0.length > 0) return obj.split(arg0);
          return undefined;
        case 'lower':
          return args.length === 0 ? obj.toLowerCase() : undefined;
        case 'upper':
          return args.length === 0 ? obj.toUpperCase() : undefined;
        default:
          return undefined;
      }
    }
  }
  return undefined;
}
