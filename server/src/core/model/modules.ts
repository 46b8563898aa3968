import type { SyntaxNode } from '../parsing';
import { moduleFact, torchvisionModel, type TorchvisionChild } from './facts-bridge';
import { ModuleNode, ParamLeaf, type NamedLeaf, type Value } from './values';

/** Arguments of a call, already evaluated. */
export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
}

/**
 * Number of dimensions of a parameter of a `torch.nn` class, where it does not depend on the
 * constructor's arguments. Drives `p.ndim < 2` / `p.dim() >= 2` filters (nanoGPT, timm).
 */
function paramNdim(className: string, paramName: string): number | undefined {
  if (paramName === 'bias' || paramName.startsWith('bias_')) return 1;
  const conv = /^ConvTranspose([123])d$|^Conv([123])d$|^LazyConv(?:Transpose)?([123])d$/.exec(className);
  if (conv) return paramName === 'weight' ? Number(conv[1] ?? conv[2] ?? conv[3]) + 2 : undefined;
  if (/Norm|PReLU/.test(className)) return 1;
  if (/^(Linear|LazyLinear|Embedding|EmbeddingBag)$/.test(className)) return paramName === 'weight' ? 2 : undefined;
  if (className === 'Bilinear') return paramName === 'weight' ? 3 : undefined;
  if (/^(RNN|LSTM|GRU|RNNCell|LSTMCell|GRUCell|MultiheadAttention)$/.test(className) && paramName.includes('weight')) return 2;
  return undefined;
}

function truthy(v: Value | undefined): boolean | undefined {
  if (!v) return undefined;
  switch (v.kind) {
    case 'bool':
      return v.value;
    case 'number':
      return v.value !== 0;
    case 'none':
      return false;
    case 'string':
      return v.value.length > 0;
    default:
      return undefined;
  }
}

/**
 * Instantiates a `torch.nn` leaf module (not a container) from the facts table. Parameters whose
 * existence depends on an argument the walker cannot evaluate make the module incomplete.
 */
export function createNnModule(className: string, args: CallArgs, expr: string, node: SyntaxNode): ModuleNode {
  const m = new ModuleNode(className, 'torch.nn', expr, node);
  const fact = moduleFact(className);
  if (!fact) {
    m.complete = false;
    return m;
  }
  let names = new Set(fact.paramNames);
  if (fact.params === 'never') names = new Set();
  for (const cond of fact.conditions ?? []) {
    const given = args.keywords.get(cond.arg) ?? (cond.position !== undefined ? args.positional[cond.position] : undefined);
    const on = given === undefined ? Boolean(cond.default) : truthy(given);
    if (on === undefined) {
      m.complete = false;
      continue;
    }
    if (!on) {
      if (cond.whenFalsy === 'never') names = new Set();
      else if (Array.isArray(cond.whenFalsy)) names = new Set([...names].filter((n) => cond.whenFalsy.includes(n)));
    }
  }
  for (const name of names) m.ownParams.set(name, new ParamLeaf(m, name, paramNdim(className, name), undefined));
  return m;
}

/** `nn.Sequential` / `nn.ModuleList` / `nn.ModuleDict` holding the given children. */
export function createContainer(
  className: string,
  children: Array<[string, ModuleNode]>,
  options: { exact: boolean; expr: string; node: SyntaxNode | undefined },
): ModuleNode {
  const m = new ModuleNode(className, 'torch.nn', options.expr, options.node);
  for (const [name, child] of children) m.addChild(name, child);
  m.complete = options.exact;
  return m;
}

/** A torchvision model from the facts table, with every parameter as a leaf. */
export function createTorchvisionModule(fnName: string, expr: string, node: SyntaxNode): ModuleNode | undefined {
  const fact = torchvisionModel(fnName);
  if (!fact) return undefined;
  const root = new ModuleNode(fact.class, 'torchvision', expr, node);
  root.numParams = fact.numParams;
  const build = (parent: ModuleNode, children: TorchvisionChild[]): void => {
    for (const c of children) {
      const child = new ModuleNode(c.type, 'torchvision', `${parent === root ? '' : ''}${c.name}`, undefined);
      child.numParams = c.numParams;
      parent.addChild(c.name, child);
      if (c.children) build(child, c.children);
    }
  };
  build(root, fact.children);
  for (const [qualified, shape] of fact.parameters) {
    const parts = qualified.split('.');
    let owner = root;
    let i = 0;
    while (i < parts.length - 1 && owner.children.has(parts[i])) {
      owner = owner.children.get(parts[i])!;
      i++;
    }
    const rest = parts.slice(i).join('.');
    const numel = shape.reduce((a, b) => a * b, 1);
    owner.ownParams.set(rest, new ParamLeaf(owner, rest, shape.length, numel));
  }
  return root;
}

/**
 * Every parameter under `root`, named as `root.named_parameters()` names them: the module's own
 * parameters first, then each child's in registration order, duplicates (tied weights) once.
 */
export function enumerateLeaves(root: ModuleNode): { leaves: NamedLeaf[]; opaque: ModuleNode[] } {
  const leaves: NamedLeaf[] = [];
  const opaque: ModuleNode[] = [];
  const seenLeaves = new Set<number>();
  const seenModules = new Set<number>();
  const visit = (m: ModuleNode, prefix: string): void => {
    if (seenModules.has(m.id)) return;
    seenModules.add(m.id);
    if (!m.complete) opaque.push(m);
    for (const [name, leaf] of m.ownParams) {
      if (seenLeaves.has(leaf.id)) continue;
      seenLeaves.add(leaf.id);
      leaves.push({ name: prefix + name, leaf });
    }
    for (const [name, child] of m.children) visit(child, `${prefix}${name}.`);
  };
  visit(root, '');
  return { leaves, opaque };
}

/** 'yes' / 'no' when decided; 'unknown' when part of the module cannot be seen. */
export function moduleHasParams(m: ModuleNode): 'yes' | 'no' | 'unknown' {
  const { leaves, opaque } = enumerateLeaves(m);
  if (leaves.length > 0) return 'yes';
  return opaque.length > 0 ? 'unknown' : 'no';
}

/** True when `ancestor` is `m` or contains it. */
export function isWithin(m: ModuleNode, ancestor: ModuleNode): boolean {
  for (let cur: ModuleNode | undefined = m; cur; cur = cur.parent) if (cur === ancestor) return true;
  return false;
}

/** Parameter count of a module where every leaf's size is known (torchvision facts). */
export function countParams(m: ModuleNode): number | undefined {
  if (m.numParams !== undefined) return m.numParams;
  const { leaves, opaque } = enumerateLeaves(m);
  if (opaque.length) return undefined;
  let total = 0;
  for (const { leaf } of leaves) {
    if (leaf.numel === undefined) return undefined;
    total += leaf.numel;
  }
  return total;
}
