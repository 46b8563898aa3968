import type { SyntaxNode } from '../parsing';
import { getModuleFact, getTorchvisionModel, type ChildFact, type ModuleFact, type TorchvisionModelFact } from '../facts';
import { argumentOf, fixedNdim, paramShapes } from './nn-shapes';
import { ModuleNode, ParamLeaf, type NamedLeaf, type Value } from './values';

/** Arguments of a call, already evaluated. */
export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
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

function truthyDefault(v: unknown): boolean {
  return Boolean(v) && !(Array.isArray(v) && v.length === 0);
}

/** Keywords every `torch.nn` constructor takes, or that change nothing about its parameters. */
const HARMLESS_KEYWORDS = new Set(['device', 'dtype']);

/** Submodules of composite `torch.nn` classes, by attribute name, for messages. */
const COMPOSITE_CHILD_TYPES: Record<string, string> = {
  out_proj: 'Linear',
  self_attn: 'MultiheadAttention',
  multihead_attn: 'MultiheadAttention',
  linear1: 'Linear',
  linear2: 'Linear',
  norm1: 'LayerNorm',
  norm2: 'LayerNorm',
  norm3: 'LayerNorm',
  head: 'Linear',
};

const RNN_GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };

/**
 * The parameter names (as `named_parameters()` gives them) a `torch.nn` class registers for these
 * arguments, or undefined when they depend on something the walker could not evaluate.
 */
function resolveParamNames(className: string, fact: ModuleFact, args: CallArgs): string[] | undefined {
  if (fact.params === 'never') return [];
  const signature = fact.signature;
  // An argument the table does not know (a keyword added in a later torch, or one passed through
  // `**kwargs`) may change what is registered: stay unsure rather than guess.
  for (const k of args.keywords.keys()) {
    if (HARMLESS_KEYWORDS.has(k)) continue;
    if (className === 'RNN' && k === 'nonlinearity') continue;
    if (!signature || !signature.includes(k)) return undefined;
  }
  if (signature && args.positional.length > signature.length) return undefined;
  if (className in RNN_GATES) return rnnParamNames(className, signature ?? [], args);
  // The key/value projections are separate parameters when kdim/vdim differ from embed_dim.
  if (className === 'MultiheadAttention') {
    for (const k of ['kdim', 'vdim']) {
      const v = argumentOf(args, signature, k);
      if (v && v.kind !== 'none') return undefined;
    }
  }
  const deviating: Array<{ arg: string; on: boolean; names: 'never' | readonly string[] }> = [];
  for (const cond of fact.conditions ?? []) {
    const given = args.keywords.get(cond.arg) ?? (cond.position !== undefined && cond.position !== null ? args.positional[cond.position] : undefined);
    const on = given === undefined ? truthyDefault(cond.default) : truthy(given);
    if (on === undefined) return undefined;
    if (on !== truthyDefault(cond.default)) deviating.push({ arg: cond.arg, on, names: on ? cond.whenTruthy : cond.whenFalsy });
  }
  let names: 'never' | readonly string[] | null;
  if (deviating.length === 0) names = fact.allParamNames ?? fact.paramNames;
  else if (deviating.length === 1) names = deviating[0].names;
  else {
    const combo = fact.combinations?.find(
      (c) => Object.keys(c.args).length === deviating.length && deviating.every((d) => c.args[d.arg] === d.on),
    );
    if (!combo) return undefined;
    names = combo.params;
  }
  if (names === null) return undefined; // not measured
  if (names === 'never') return [];
  // `layers.0.…` / `tail.0.…`: how many copies exists depends on the arguments.
  if (names.some((n) => n.split('.').some((part) => /^\d+$/.test(part)))) return undefined;
  return [...names];
}

/** `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, ... for each layer and direction, in registration order. */
function rnnParamNames(className: string, signature: readonly string[], args: CallArgs): string[] | undefined {
  // `nn.RNN`'s fourth positional argument is `nonlinearity`, which shifts the rest.
  if (className === 'RNN' && args.positional.length > 3) return undefined;
  const get = (name: string): Value | undefined => argumentOf(args, signature, name);
  const layersValue = get('num_layers');
  const layers = layersValue === undefined ? 1 : layersValue.kind === 'number' && layersValue.isInt ? layersValue.value : undefined;
  const bias = get('bias') === undefined ? true : truthy(get('bias'));
  const bidirectional = get('bidirectional') === undefined ? false : truthy(get('bidirectional'));
  const projValue = get('proj_size');
  const proj = projValue === undefined ? 0 : projValue.kind === 'number' ? projValue.value : undefined;
  if (layers === undefined || layers < 1 || layers > 64 || bias === undefined || bidirectional === undefined || proj === undefined) return undefined;
  const names: string[] = [];
  for (let l = 0; l < layers; l++) {
    for (const suffix of bidirectional ? ['', '_reverse'] : ['']) {
      names.push(`weight_ih_l${l}${suffix}`, `weight_hh_l${l}${suffix}`);
      if (bias) names.push(`bias_ih_l${l}${suffix}`, `bias_hh_l${l}${suffix}`);
      if (proj > 0) names.push(`weight_hr_l${l}${suffix}`);
    }
  }
  return names;
}

/**
 * Instantiates a `torch.nn` leaf module (not a container) from the facts table, with parameter
 * sizes where the constructor's arguments are known numbers. Parameters whose existence depends
 * on an argument the walker cannot evaluate make the module incomplete.
 */
export function createNnModule(className: string, args: CallArgs, expr: string, node: SyntaxNode): ModuleNode {
  const m = new ModuleNode(className, 'torch.nn', expr, node);
  const fact = getModuleFact(className);
  const names = fact ? resolveParamNames(className, fact, args) : undefined;
  if (!fact || !names) {
    m.complete = false;
    return m;
  }
  storeSizeArguments(m, fact, args);
  const shapes = paramShapes(className, args, fact.signature);
  for (const name of names) {
    const parts = name.split('.');
    let owner = m;
    for (const part of parts.slice(0, -1)) {
      let child = owner.children.get(part);
      if (!child) {
        child = new ModuleNode(COMPOSITE_CHILD_TYPES[part] ?? '?', 'torch.nn', part, undefined);
        owner.addChild(part, child);
      }
      owner = child;
    }
    const known = shapes.get(name);
    const numel = known?.shape ? known.shape.reduce((x, y) => x * y, 1) : undefined;
    const leaf = new ParamLeaf(owner, parts[parts.length - 1], known?.ndim ?? fixedNdim(className, name), numel);
    owner.ownParams.set(parts[parts.length - 1], leaf);
  }
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

/**
 * What a builder call makes of the model the facts table records (default arguments,
 * `weights=None`): the top-level children it leaves out, and the number of classes (null when
 * not known); 'unknown' when an argument changes the parameters in a way the table does not
 * record (`norm_layer=`, `width_mult=`, `image_size=`, an argument it cannot evaluate, `**kwargs`).
 */
function builderVariant(fact: TorchvisionModelFact, args: CallArgs & { hasSplat?: boolean }): { removed: Set<string>; numClasses: number | null } | 'unknown' {
  const kw = fact.builderKeywords;
  if (args.hasSplat || args.positional.length) return 'unknown';
  let numClasses: number | null = kw.numClasses?.default ?? null;
  let aux: boolean | undefined;
  // The weights member asked for: '' for none, undefined when it cannot be told.
  let member: string | undefined = '';
  for (const [name, v] of args.keywords) {
    if (name === 'weights') {
      if (v.kind === 'none') member = '';
      else if (v.kind === 'string') member = v.value;
      else if (v.kind === 'ref') member = v.path.slice(v.path.lastIndexOf('.') + 1);
      else member = undefined;
      if (member === 'DEFAULT') member = kw.weights.DEFAULT;
      if (member !== undefined && member !== '' && !kw.weights.members.includes(member)) member = undefined;
    } else if (name === 'pretrained') {
      member = v.kind === 'bool' ? (v.value ? 'pretrained=True' : '') : undefined;
    } else if (name === 'num_classes' && kw.numClasses) {
      numClasses = v.kind === 'number' && v.isInt ? v.value : null;
    } else if (name === 'aux_logits' && kw.auxLogits) {
      if (v.kind !== 'bool') return 'unknown';
      aux = v.value;
    } else if (!kw.parameterFreeKeywords.includes(name)) {
      return 'unknown';
    }
  }
  const differ = kw.weights.differ;
  if (member === undefined) {
    // Weights it cannot tell: only a model every weights value builds alike is known.
    if (Object.keys(differ).length) return 'unknown';
    member = '';
  }
  const byWeights = member ? differ[member] : [];
  if (byWeights === null) return 'unknown';
  const removed = new Set(byWeights ?? []);
  if (kw.auxLogits && aux !== undefined) {
    for (const c of kw.auxLogits.children) {
      if (aux) removed.delete(c);
      else removed.add(c);
    }
  }
  return { removed, numClasses };
}

/**
 * A torchvision model from the facts table, with every parameter as a leaf, as the builder's
 * arguments make it; a module whose structure is not known when they change it otherwise.
 */
export function createTorchvisionModule(fnName: string, expr: string, node: SyntaxNode, args: CallArgs & { hasSplat?: boolean } = { positional: [], keywords: new Map() }): ModuleNode | undefined {
  const fact = getTorchvisionModel(fnName);
  if (!fact) return undefined;
  const root = new ModuleNode(fact.class, 'torchvision', expr, node);
  const variant = builderVariant(fact, args);
  if (variant === 'unknown') {
    root.complete = false;
    return root;
  }
  const { removed, numClasses } = variant;
  const resized = new Map<string, number>((fact.builderKeywords.numClasses?.axes ?? []).map(([name, axis]) => [name, axis]));
  const classesChanged = numClasses !== fact.builderKeywords.numClasses?.default;
  const build = (parent: ModuleNode, children: readonly ChildFact[]): void => {
    for (const c of children) {
      if (parent === root && removed.has(c.name)) continue;
      const child = new ModuleNode(c.type, 'torchvision', c.name, undefined);
      child.numParams = c.numParams;
      parent.addChild(c.name, child);
      if (c.children) build(child, c.children);
    }
  };
  root.numParams = fact.numParams;
  build(root, fact.children);
  // The table's counts hold unless some parameter differs from the default model.
  if (removed.size) invalidateCounts(root);
  for (const [qualified, recorded] of fact.parameters) {
    const parts = qualified.split('.');
    if (removed.has(parts[0])) continue;
    let owner = root;
    let i = 0;
    while (i < parts.length - 1 && owner.children.has(parts[i])) {
      owner = owner.children.get(parts[i])!;
      i++;
    }
    const rest = parts.slice(i).join('.');
    let shape: readonly number[] | undefined = recorded;
    const axis = classesChanged ? resized.get(qualified) : undefined;
    if (axis !== undefined) {
      shape = numClasses === null ? undefined : recorded.map((d, k) => (k === axis ? numClasses : d));
      invalidateCounts(owner);
    }
    const numel = shape?.reduce((a, b) => a * b, 1);
    owner.ownParams.set(rest, new ParamLeaf(owner, rest, recorded.length, numel));
    if (rest === 'weight' && shape) setSizeAttributes(owner, shape);
  }
  return root;
}

/**
 * A module's structure changed: parameter counts taken from the facts table no longer hold (they
 * are counted again from the leaves, unknown where a size is).
 */
export function invalidateCounts(m: ModuleNode): void {
  for (let cur: ModuleNode | undefined = m; cur; cur = cur.parent) cur.numParams = undefined;
}

/**
 * `fc.in_features`, `bn1.num_features`, ...: the size attributes of a torchvision layer, read back
 * from its weight's shape, so that `nn.Linear(model.fc.in_features, 10)` has a known size.
 */
function setSizeAttributes(m: ModuleNode, weight: readonly number[]): void {
  const int = (n: number | undefined): Value | undefined => (n === undefined ? undefined : { kind: 'number', value: n, isInt: true });
  const set = (name: string, n: number | undefined): void => {
    const v = int(n);
    if (v) m.attrs.set(name, v);
  };
  if (m.type === 'Linear' && weight.length === 2) {
    set('out_features', weight[0]);
    set('in_features', weight[1]);
  } else if (/^(BatchNorm[123]d|LayerNorm|GroupNorm)$/.test(m.type) && weight.length === 1) {
    set(m.type === 'GroupNorm' ? 'num_channels' : 'num_features', m.type === 'LayerNorm' ? undefined : weight[0]);
  } else if (/^Conv[123]d$/.test(m.type)) {
    set('out_channels', weight[0]);
  } else if (m.type === 'Embedding' && weight.length === 2) {
    set('num_embeddings', weight[0]);
    set('embedding_dim', weight[1]);
  }
}

/** Constructor arguments that `torch.nn` stores under the same name, readable as `layer.in_features`. */
const SIZE_ARGUMENTS = new Set(['in_features', 'out_features', 'in_channels', 'out_channels', 'num_features', 'num_channels', 'num_embeddings', 'embedding_dim', 'input_size', 'hidden_size', 'num_layers', 'embed_dim', 'num_heads']);

function storeSizeArguments(m: ModuleNode, fact: ModuleFact, args: CallArgs): void {
  for (const name of fact.signature ?? []) {
    if (!SIZE_ARGUMENTS.has(name)) continue;
    const v = argumentOf(args, fact.signature, name);
    if (v?.kind === 'number' && v.isInt) m.attrs.set(name, v);
  }
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

/** The module at the top of `m`'s tree (the model it belongs to; `m` itself when it has no parent). */
export function topModule(m: ModuleNode): ModuleNode {
  let top = m;
  while (top.parent) top = top.parent;
  return top;
}

/**
 * The `requires_grad` flags of a module's parameters as the walk has them: all true, all false,
 * or 'unknown' (mixed, not known, or no parameters).
 */
export function requiresGradOf(m: ModuleNode): boolean | 'unknown' {
  const { leaves, opaque } = enumerateLeaves(m);
  const flags = new Set<boolean | 'unknown'>([...leaves.map((l) => l.leaf.requiresGrad), ...opaque.map((o) => o.opaqueRequiresGrad)]);
  return flags.size === 1 ? [...flags][0] : 'unknown';
}
