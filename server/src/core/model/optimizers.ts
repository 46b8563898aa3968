import type { SyntaxNode } from '../parsing';
import type { TorchVersion } from '../settings';
import { getOptimizerFact, type OptimizerFact } from '../facts';
import { enumerateLeaves } from './modules';
import {
  UNKNOWN,
  num,
  str,
  type BoundArgument,
  type DictValue,
  type EffectiveValue,
  type OptimizerModel,
  type ParamGroupModel,
  type ParamLeaf,
  type ResolvedParams,
  type Selection,
  type Value,
} from './values';

let nextOptimizerId = 1;

interface EvaluatedCall {
  args: { positional: Value[]; keywords: Map<string, Value> };
  nodes: { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode>; kwNodes: Map<string, SyntaxNode> };
  hasSplat: boolean;
}

/**
 * Models `torch.optim.X(params, ...)`: binds the arguments the way Python would for that class
 * (positional order from the facts table), splits `params` into groups, and resolves which
 * parameters each group holds and its effective hyperparameters.
 */
export function buildOptimizer(input: {
  className: string;
  node: SyntaxNode;
  evaluated: EvaluatedCall;
  torchVersion: TorchVersion;
  /** A generator already iterated before this call (it yields nothing here). */
  isExhausted?: (v: Value) => boolean;
}): OptimizerModel {
  const { className, node, evaluated, torchVersion } = input;
  const drained = (v: Value): Value => (input.isExhausted?.(v) ? EMPTY_LIST : v);
  const fact = getOptimizerFact(className, torchVersion);
  const args = new Map<string, BoundArgument>();
  const unexpectedArgs: BoundArgument[] = [];
  const names = ['params', ...(fact?.positional ?? [])];
  evaluated.args.positional.forEach((value, i) => {
    const argNode = evaluated.nodes.positional[i];
    const bound = { name: names[i] ?? `#${i}`, node: argNode, value, keyword: false, argNode };
    if (i < names.length && (fact || i === 0)) args.set(names[i], bound);
    else if (fact) unexpectedArgs.push(bound);
  });
  for (const [name, value] of evaluated.args.keywords) {
    const bound = { name, node: evaluated.nodes.keywords.get(name)!, value, keyword: true, argNode: evaluated.nodes.kwNodes.get(name)! };
    if (fact && !names.includes(name) && !fact.keywordOnly.includes(name)) unexpectedArgs.push(bound);
    else args.set(name, bound);
  }
  const opt: OptimizerModel = {
    id: nextOptimizerId++,
    className,
    known: fact !== undefined,
    call: node,
    calleeNode: node.childForFieldName('function')!,
    args,
    unexpectedArgs,
    paramsArg: args.get('params'),
    groups: undefined,
    groupsComplete: false,
    frozenLeavesAtConstruction: new Set(),
    frozenBesideGroups: new Set(),
    groupKeysRead: new Set(),
    hasSplat: evaluated.hasSplat,
  };
  const paramsArg = opt.paramsArg;
  if (paramsArg) {
    const built = buildGroups(drained(paramsArg.value), paramsArg.node, drained);
    if (built) {
      opt.groups = built.groups;
      opt.groupsComplete = built.complete;
    }
  }
  for (const g of opt.groups ?? []) {
    g.effective = effectiveValues(g, opt, fact);
    for (const { leaf } of g.params?.leaves ?? []) if (leaf.requiresGrad === false) opt.frozenLeavesAtConstruction.add(leaf);
    // What a `requires_grad` filter left out (`filter(lambda p: p.requires_grad, model.parameters())`).
    for (const sel of g.selections) {
      if (sel.leaf || !sel.filter || !sel.filter.text.includes('requires_grad')) continue;
      for (const { name, leaf } of enumerateLeaves(sel.root).leaves) {
        if (leaf.requiresGrad === false && sel.filter.test(name, leaf) === false) opt.frozenBesideGroups.add(leaf);
      }
    }
  }
  return opt;
}

/** `optimizer.add_param_group({...})` after construction. */
export function addParamGroup(opt: OptimizerModel, group: Value, node: SyntaxNode, torchVersion: TorchVersion): void {
  if (!opt.groups) return;
  if (group.kind !== 'dict') {
    opt.groupsComplete = false;
    return;
  }
  const g = groupFromDict(group, node, opt.groups.length);
  g.added = true;
  g.effective = effectiveValues(g, opt, getOptimizerFact(opt.className, torchVersion));
  opt.groups.push(g);
}

const EMPTY_LIST: Value = Object.freeze({ kind: 'list', items: [], exact: true, flavor: 'list' }) as Value;

function buildGroups(value: Value, node: SyntaxNode, drained: (v: Value) => Value = (v) => v): { groups: ParamGroupModel[]; complete: boolean } | undefined {
  if (value.kind === 'list' && value.forgotten) return undefined;
  if (value.kind === 'list' && value.flavor !== 'set' && value.items.some((i) => i.kind === 'dict')) {
    if (!value.items.every((i) => i.kind === 'dict')) return undefined;
    const groups = value.items.map((item, i) => groupFromDict(item as DictValue, value.itemNodes?.[i] ?? node, i, drained));
    return { groups, complete: value.exact };
  }
  const selections = selectionsOf(value);
  if (!selections) return undefined;
  const group: ParamGroupModel = {
    index: 0,
    node,
    paramsNode: node,
    paramsValue: value,
    selections: selections.selections,
    params: resolveSelections(selections.selections, !selections.exact),
    effective: new Map(),
  };
  return { groups: [group], complete: true };
}

function groupFromDict(dict: DictValue, node: SyntaxNode, index: number, drained: (v: Value) => Value = (v) => v): ParamGroupModel {
  const entry = dict.entries.find((e) => e.key === 'params');
  const paramsValue = entry ? drained(entry.value) : UNKNOWN;
  const selections = entry ? selectionsOf(paramsValue) : undefined;
  return {
    index,
    node: dict.node ?? node,
    dict,
    paramsNode: entry?.valueNode,
    paramsValue,
    selections: selections?.selections ?? [],
    params: selections && dict.exact ? resolveSelections(selections.selections, !selections.exact) : undefined,
    effective: new Map(),
  };
}

/** The parameter selections a `params` value stands for, or undefined when it cannot be known. */
function selectionsOf(value: Value): { selections: Selection[]; exact: boolean } | undefined {
  switch (value.kind) {
    case 'paramsource':
      return { selections: value.selections, exact: true };
    case 'param':
      return { selections: [{ root: value.leaf.owner, expr: value.leaf.name, node: undefined as never, leaf: value.leaf }], exact: true };
    case 'list': {
      if (value.forgotten) return undefined;
      const out: Selection[] = [];
      let exact = value.exact;
      for (const item of value.items) {
        const inner = selectionsOf(item);
        if (!inner) return undefined;
        out.push(...inner.selections);
        if (!inner.exact) exact = false;
      }
      return { selections: out, exact };
    }
    default:
      return undefined;
  }
}

/** Resolves selections to the parameters they hold right now (a snapshot: later changes do not apply). */
export function resolveSelections(selections: Selection[], inexact: boolean): ResolvedParams {
  const leaves: { name: string; leaf: ParamLeaf }[] = [];
  const opaque = [];
  let exact = !inexact;
  for (const sel of selections) {
    if (sel.leaf) {
      leaves.push({ name: sel.expr, leaf: sel.leaf });
      continue;
    }
    const all = enumerateLeaves(sel.root);
    for (const l of all.leaves) {
      const keep = sel.filter ? sel.filter.test(l.name, l.leaf) : true;
      if (keep === true) leaves.push(l);
      else if (keep === undefined) exact = false;
    }
    if (all.opaque.length) {
      opaque.push(...all.opaque);
      exact = false;
    }
  }
  return { leaves, opaque, exact };
}

function effectiveValues(group: ParamGroupModel, opt: OptimizerModel, fact: OptimizerFact | undefined): Map<string, EffectiveValue> {
  const out = new Map<string, EffectiveValue>();
  const keys = fact ? fact.groupKeys : [...new Set([...opt.args.keys()].filter((k) => k !== 'params'))];
  for (const key of keys) {
    const fromGroup = group.dict?.entries.find((e) => e.key === key);
    if (fromGroup) {
      out.set(key, { value: fromGroup.value, source: 'group', node: fromGroup.valueNode });
      continue;
    }
    if (group.dict && !group.dict.exact) {
      out.set(key, { value: UNKNOWN, source: 'group' });
      continue;
    }
    const fromOpt = opt.args.get(key);
    if (fromOpt) {
      out.set(key, { value: fromOpt.value, source: 'optimizer', node: fromOpt.node });
      continue;
    }
    if (opt.hasSplat) {
      out.set(key, { value: UNKNOWN, source: 'optimizer' });
      continue;
    }
    if (fact && key in fact.defaults) out.set(key, { value: fromJson(fact.defaults[key]), source: 'default' });
  }
  return out;
}

function fromJson(v: unknown): Value {
  if (typeof v === 'number') return num(v, false);
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'string') return str(v);
  if (v === null) return { kind: 'none' };
  if (Array.isArray(v)) return { kind: 'list', items: v.map(fromJson), exact: true, flavor: 'tuple' };
  return UNKNOWN;
}
