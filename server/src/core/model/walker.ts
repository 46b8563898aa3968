import type { SyntaxNode } from '../parsing';
import type { TorchVersion } from '../settings';
import { editDistance, someWord } from '../text';
import { literalNumber, literalString } from './literals';
import { createContainer, createNnModule, createTorchvisionModule, enumerateLeaves, invalidateCounts, requiresGradOf, topModule, type CallArgs } from './modules';
import { getModuleFact } from '../facts';
import { buildOptimizer, addParamGroup } from './optimizers';
import { evaluatePredicate } from './predicate';
import { isParamGroups, keysReadFrom } from './group-keys';
import {
  ModuleNode,
  ParamLeaf,
  UNKNOWN,
  num,
  str,
  type ClassInfo,
  type DictEntry,
  type DictValue,
  type FunctionValue,
  type ListValue,
  type OptimizerModel,
  type ParamFilter,
  type ParamSourceValue,
  type SchedulerModel,
  type Selection,
  type Value,
} from './values';

/** Conventional import aliases, used when a snippet omits its imports (quiz code often does). */
const IMPLICIT_REFS: Record<string, string> = {
  torch: 'torch',
  nn: 'torch.nn',
  optim: 'torch.optim',
  lr_scheduler: 'torch.optim.lr_scheduler',
  torchvision: 'torchvision',
  models: 'torchvision.models',
  math: 'math',
  OrderedDict: 'collections.OrderedDict',
};

const LIGHTNING_BASES = new Set([
  'pytorch_lightning.LightningModule',
  'pytorch_lightning.core.LightningModule',
  'lightning.LightningModule',
  'lightning.pytorch.LightningModule',
]);

/**
 * Methods of an object the walker does not know that hand back the optimizers and schedulers they
 * are given, wrapped (accelerate's `prepare`, Lightning Fabric's `setup`).
 */
const PASS_THROUGH_METHODS = new Set(['prepare', 'setup']);

/** Methods of `nn.Module` that return the module itself. */
const SELF_RETURNING = new Set(['to', 'cuda', 'cpu', 'train', 'eval', 'float', 'half', 'double', 'bfloat16', 'apply', 'type', 'to_empty', 'share_memory']);

export class Scope {
  readonly vars = new Map<string, Value>();
  /**
   * While a branch or a loop iteration runs (see `record` and `tryOut`): each name bound since it
   * started, with its value before the first change (undefined: it was unbound).
   */
  private changes?: Map<string, Value | undefined>;
  constructor(public readonly parent?: Scope) {}
  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  set(name: string, v: Value): void {
    const c = this.changes;
    if (c && !c.has(name)) c.set(name, this.vars.get(name));
    this.vars.set(name, v);
  }

  /**
   * Runs `fn` and returns each name it bound in this scope, with its value before (undefined:
   * unbound). The changes stay, and an enclosing `record` or `tryOut` sees them too.
   */
  record(fn: () => void): Map<string, Value | undefined> {
    const mine = this.journal(fn);
    const outer = this.changes;
    if (outer) for (const [name, before] of mine) if (!outer.has(name)) outer.set(name, before);
    return mine;
  }

  /**
   * Runs `fn`, then takes back what it bound in this scope; returns each name it bound with its
   * value before and after. Branches are run this way and then joined: each costs what it
   * changes, not what the scope holds (a test function of thousands of lines has hundreds of
   * locals and ifs).
   */
  tryOut(fn: () => void): Map<string, { before: Value | undefined; after: Value | undefined }> {
    const out = new Map<string, { before: Value | undefined; after: Value | undefined }>();
    for (const [name, before] of this.journal(fn)) {
      out.set(name, { before, after: this.vars.get(name) });
      if (before === undefined) this.vars.delete(name);
      else this.vars.set(name, before);
    }
    return out;
  }

  /** Runs `fn` with a journal of its own (see `changes`) and returns it. */
  private journal(fn: () => void): Map<string, Value | undefined> {
    const outer = this.changes;
    const mine = new Map<string, Value | undefined>();
    this.changes = mine;
    try {
      fn();
    } finally {
      this.changes = outer;
    }
    return mine;
  }
}

/** Methods of a list that change its items (the walker follows them, or forgets the items). */
const LIST_CHANGES = new Set(['append', 'extend', 'insert', 'pop', 'clear', 'remove', 'sort', 'reverse']);

/** Methods of `nn.Sequential`, `nn.ModuleList` and `nn.ModuleDict` that change their children. */
const CONTAINER_METHODS = new Set(['append', 'extend', 'insert', 'pop', 'clear', 'update']);

/** An `nn.Sequential` or `nn.ModuleList`: children keyed by position. */
function isSequence(m: ModuleNode): boolean {
  return m.type === 'Sequential' || m.type === 'ModuleList';
}

/** A module's children as values, in order. */
function childValues(m: ModuleNode): Value[] {
  return [...m.children.values()].map((module): Value => ({ kind: 'module', module }));
}

/** What iterating `v` gives when it is an `nn.Sequential` / `nn.ModuleList` whose children are all known. */
function sequenceItems(v: Value | undefined): Value[] | undefined {
  return v?.kind === 'module' && v.module.complete && isSequence(v.module) ? childValues(v.module) : undefined;
}

/**
 * `append`, `extend`, `insert` and `pop` on an `nn.Sequential` / `nn.ModuleList`, `pop` and
 * `update` on an `nn.ModuleDict`, as PyTorch does them (new children keyed by position; `insert`
 * and `pop` renumber the ones after). `pop` gives the module taken out. False when the walker
 * cannot follow the change (an argument it does not know, children keyed by name, `clear`).
 */
function changeContainer(m: ModuleNode, method: string, positional: Value[]): boolean | ModuleNode {
  const arg = positional[positional.length - 1];
  if (m.type === 'ModuleDict' && method === 'update') {
    // `heads.update({"cls": nn.Linear(...), ...})`: each entry set, as `heads[key] = module`.
    if (positional.length !== 1 || arg?.kind !== 'dict' || !arg.exact || !arg.entries.every((e) => e.key !== null && e.value.kind === 'module')) return false;
    for (const e of arg.entries) m.addChild(e.key!, (e.value as { module: ModuleNode }).module);
    return true;
  }
  if (method === 'pop') return positional.length === 1 ? removeChild(m, positional[0]) : false;
  if (!isSequence(m)) return false;
  if (method === 'append') {
    if (positional.length !== 1 || arg?.kind !== 'module') return false;
    // Added after children the walker does not all know: its index is not known either.
    if (m.complete) m.addChild(String(m.children.size), arg.module);
    return true;
  }
  if (method === 'extend') {
    const items = arg?.kind === 'list' && arg.exact ? arg.items : sequenceItems(arg);
    if (positional.length !== 1 || !items?.every((v) => v.kind === 'module')) return false;
    if (m.complete) for (const v of items) m.addChild(String(m.children.size), (v as { module: ModuleNode }).module);
    return true;
  }
  if (method === 'insert') {
    const index = positional[0];
    const n = m.children.size;
    if (positional.length !== 2 || arg?.kind !== 'module' || index.kind !== 'number' || !index.isInt || !m.complete || !positionallyKeyed(m)) return false;
    // Sequential.insert takes -n..n (negative counts from the end); ModuleList.insert only 0..n here.
    const at = index.value < 0 && m.type === 'Sequential' ? index.value + n : index.value;
    if (at < 0 || at > n) return false;
    const children = [...m.children.values()];
    children.splice(at, 0, arg.module);
    renumber(m, children);
    return true;
  }
  return false;
}

/**
 * `del seq[i]`, `seq.pop(i)`, `del blocks["name"]`: the child taken out of an `nn.Sequential` /
 * `nn.ModuleList` (the ones after it renumbered, as PyTorch does) or an `nn.ModuleDict`. False when
 * the walker cannot follow it (a slice, an index it does not know, children keyed by name).
 */
function removeChild(m: ModuleNode, key: Value | undefined): false | ModuleNode {
  if (m.type === 'ModuleDict') {
    const child = key?.kind === 'string' ? m.children.get(key.value) : undefined;
    if (!child || !m.complete) return false;
    m.children.delete((key as { value: string }).value);
    return child;
  }
  const n = m.children.size;
  if (!isSequence(m) || key?.kind !== 'number' || !key.isInt || !m.complete || !positionallyKeyed(m)) return false;
  const at = key.value < 0 ? key.value + n : key.value;
  if (at < 0 || at >= n) return false;
  const children = [...m.children.values()];
  const [taken] = children.splice(at, 1);
  renumber(m, children);
  return taken;
}

/** Which children a module holds, and under which keys, is no longer known. */
function forgetChildren(m: ModuleNode): void {
  m.children.clear();
  m.complete = false;
}

/** `del m.name`: a child, a parameter or a plain attribute of the module goes. */
function deleteAttribute(m: ModuleNode, name: string): void {
  m.children.delete(name);
  m.ownParams.delete(name);
  m.attrs.delete(name);
  invalidateCounts(m);
}

/** Children keyed `0`, `1`, ... in order (not an `OrderedDict` of names). */
function positionallyKeyed(m: ModuleNode): boolean {
  let i = 0;
  for (const k of m.children.keys()) if (k !== String(i++)) return false;
  return true;
}

/** Makes `children` the module's children, keyed by position. */
function renumber(m: ModuleNode, children: ModuleNode[]): void {
  m.children.clear();
  children.forEach((c, i) => m.addChild(String(i), c));
}

/**
 * The same value, or equal scalars (immutable, so either serves): `running_loss = 0.0` at the top
 * of each epoch binds a new number object to the same value, which is no change.
 */
function interchangeable(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'number':
      return a.value === (b as typeof a).value && a.isInt === (b as typeof a).isInt;
    case 'string':
    case 'bool':
      return a.value === (b as typeof a).value;
    case 'none':
      return true;
    case 'unknown':
      return !a.alternatives && !(b as typeof a).alternatives;
    default:
      return false;
  }
}

/** A loop variable bound to each parameter of a parameter source. */
interface ParamIter {
  kind: 'paramiter';
  source: ParamSourceValue;
  role: 'param' | 'name';
  nameVar?: string;
  paramVar?: string;
}

/** A `requires_grad` change: `p.requires_grad = False` in a loop, or `m.requires_grad_(False)`. */
export interface FreezeEvent {
  node: SyntaxNode;
  selections: Selection[];
  requiresGrad: boolean;
}

/** A place where a parameter generator is iterated (so a second use sees nothing). */
export interface Consumption {
  source: ParamSourceValue;
  node: SyntaxNode;
  /** 'optimizer' | 'list' | 'loop' | 'clip' | ... */
  sink: string;
  variable?: string;
  /** Under a condition the walker could not decide (`if args.verbose:`): it may not happen. */
  conditional: boolean;
}

/** A call to `.step()` on an optimizer or scheduler, with the loops around it. */
export interface StepCall {
  node: SyntaxNode;
  target: 'optimizer' | 'scheduler';
  optimizer?: OptimizerModel;
  scheduler?: SchedulerModel;
  loops: SyntaxNode[];
}

/** The state before an iteration of a loop, and the locals it bound. */
interface IterationSnapshot {
  effects: number;
  /** The locals the iteration bound, with their values before it (see Scope.record). */
  bound: Map<string, Value | undefined>;
  returns: number;
  /** Unknown values appended to lists before the iteration (see `unknownAppends`), and the lists it appended them to. */
  unknownAppends: number;
  appendedTo: Set<ListValue>;
}

interface Frame {
  scope: Scope;
  /** Conditions (and whether negated) around the current statement, innermost last. */
  conditions: Array<{ node: SyntaxNode; negated: boolean; decided?: boolean }>;
  /** Values of `return` statements of the function being evaluated. */
  returns?: Value[];
  loops: SyntaxNode[];
}

export interface WalkResult {
  optimizers: OptimizerModel[];
  schedulers: SchedulerModel[];
  freezes: FreezeEvent[];
  consumptions: Consumption[];
  steps: StepCall[];
  /** Every module created by a constructor the walker understood, in creation order. */
  modules: ModuleNode[];
  /**
   * Where a function or method the file never calls sets `requires_grad` to something other than
   * False (a hook, a method a trainer calls, `unfreeze()`): it may run at any time (a method: on any
   * instance of its class), so parameters frozen elsewhere may train after all.
   */
  unfreezesAnytime: AnytimeUnfreeze[];
  /**
   * `requires_grad` changes the walker could not tie to parameters of a module it knows: through a
   * helper it could not follow, `zip(...)`, `model.apply(lambda m: ...)`, `[p.requires_grad_(False)
   * for p in ...]`. Which parameters are frozen is then not known.
   */
  unattributedRequiresGrad: UnattributedSetter[];
  /**
   * `module.requires_grad = ...` on a module the walker knows: a plain attribute of the module
   * object, which changes no parameter's flag (`requires_grad_()` is the method that does).
   */
  moduleFlagAssignments: ModuleFlagAssignment[];
  /** Misspellings of `requires_grad` assigned on parameters (see FlagTypo). */
  flagTypos: FlagTypo[];
  /**
   * `add_param_group(...)` calls on something the walker does not know as an optimizer
   * (`self.trainer.optimizers[0]` in a Lightning hook): groups may be added that it cannot see.
   */
  unknownGroupAdds: SyntaxNode[];
  /**
   * `self.layers = [...]` / `self.heads = {...}` in a method of an `nn.Module` subclass: a plain
   * list, tuple or dict stored as an attribute, which `nn.Module.__setattr__` does not register.
   */
  plainContainerAttributes: PlainContainerAttribute[];
  castParameterAttributes: CastParameterAttribute[];
}

export interface PlainContainerAttribute {
  /** The `self.layers` target. */
  node: SyntaxNode;
  /** The module (`self`) that got the attribute. */
  owner: ModuleNode;
  attr: string;
  /** The container as the walk left it (appends after the assignment included). */
  value: ListValue | DictValue;
  /** The assigned expression, when the assignment has one. */
  valueNode?: SyntaxNode;
  /** The class whose method made the assignment. */
  cls: ClassInfo;
}

/**
 * `self.w = nn.Parameter(data).double()` in a method of an `nn.Module` subclass: the cast returns
 * a plain tensor (not a Parameter), which `nn.Module.__setattr__` stores unregistered.
 */
export interface CastParameterAttribute {
  /** The `self.w` target. */
  node: SyntaxNode;
  owner: ModuleNode;
  attr: string;
  /** The `nn.Parameter(...).double()` call. */
  call: SyntaxNode;
  method: string;
  /** Always a copy (`.double()`); `.to(...)` is one only when it moves or casts the tensor. */
  certain: boolean;
  cls: ClassInfo;
}

export interface ModuleFlagAssignment {
  node: SyntaxNode;
  module: ModuleNode;
  /** The value written, when the walker knows it is `True`/`False`. */
  requiresGrad?: boolean;
  /** `self.requires_grad = ...` in a method of the module's class: a setting of its own. */
  ownSetting: boolean;
  /**
   * The module's class (a class of the file) reads `self.requires_grad` back: the attribute is a
   * setting of its own, whoever assigns it.
   */
  readByClass: boolean;
  /**
   * The module's parameters' flags when the assignment runs: all `true`, all `false`, or
   * 'unknown' (mixed, not known, or some parameters are out of the model's sight).
   */
  before: boolean | 'unknown';
}

/**
 * `p.require_grad = False` in a loop over parameters (or on one parameter): a misspelling of
 * `requires_grad`, which stores a new attribute on the tensor and changes no flag.
 */
export interface FlagTypo {
  /** The `p.require_grad` target. */
  node: SyntaxNode;
  /** The misspelt attribute (`require_grad`). */
  attr: string;
  /** The value written, when the walker knows it is `True`/`False`. */
  requiresGrad?: boolean;
  /** The parameters the assignment was meant for. */
  selections: Selection[];
}

export interface UnattributedSetter {
  node: SyntaxNode;
  /** The value written, when it is the literal `True`/`False` (`requires_grad_()` is True). */
  requiresGrad?: boolean;
}

export interface AnytimeUnfreeze {
  node: SyntaxNode;
  /** The class whose method it is; undefined for a plain function (its argument may be any model). */
  className?: string;
}

const MAX_CALL_DEPTH = 6;
/** The keyword maps of every call without keyword arguments (see evaluateArgs): never written. */
const NO_KEYWORDS = new Map<string, unknown>();
/** Words that make a statement worth evaluating whatever its variables are. */
const RELEVANT_STATEMENT = /optim|param|requires_grad|[Ss]chedul|\bnn\b|torchvision|models\.|OrderedDict|self\.|super\(/;
/** Imported names that construct what the model tracks (`from torch.nn import Linear`). */
const RELEVANT_REF = /^(torch\.(nn|optim)|torchvision|collections|itertools|functools|pytorch_lightning|lightning|transformers|timm)\b/;
/** `name = <literal>`: constants that hyperparameters are computed from. */
// Python identifiers are Unicode (`modèle`): letters and digits of any script, not just \w.
const LITERAL_ASSIGNMENT = /^\s*[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*\s*=\s*[-+\d.'"[({]/u;
const IDENTIFIER = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/gu;
const ASSIGNED_NAME = /(?:^|[\s,(;])([\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)\s*(?:\*\*|\/\/|>>|<<|[-+*\/%@&|^])?=(?!=)/gmu;
// The same patterns for ASCII text, where an identifier is [A-Za-z_]\w*.
const LITERAL_ASSIGNMENT_ASCII = /^\s*[A-Za-z_]\w*\s*=\s*[-+\d.'"[({]/;
const ASSIGNED_NAME_ASCII = /(?:^|[\s,(;])([A-Za-z_]\w*)\s*(?:\*\*|\/\/|>>|<<|[-+*\/%@&|^])?=(?!=)/gm;
/**
 * True when a piece of code names something that matters: a word from RELEVANT_STATEMENT, or a
 * variable bound to a value the walker knows (anything but unknown and library references).
 */
function mentionsSomethingKnown(text: string, scope: Scope, scalarsCount: boolean, ascii: boolean): boolean {
  if (RELEVANT_STATEMENT.test(text)) return true;
  const known = (name: string): boolean => {
    const v = scope.lookup(name);
    if (!v || (v.kind === 'unknown' && !v.alternatives)) return false;
    if (v.kind === 'ref') return RELEVANT_REF.test(v.path);
    return scalarsCount || !SCALAR_KINDS.has(v.kind);
  };
  if (!ascii) {
    IDENTIFIER.lastIndex = 0;
    for (let m = IDENTIFIER.exec(text); m; m = IDENTIFIER.exec(text)) if (known(m[0])) return true;
    return false;
  }
  // ASCII text (nearly all code): the same words as IDENTIFIER, without a match object per word.
  return someWord(text, known);
}
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * `range(n_layer)`, `len(blocks)`, `list(...)`: builtins the walker models, whose result (a list
 * to unroll, a count) matters even when their arguments are only numbers.
 */
function isBuiltinCall(node: SyntaxNode, scope: Scope): boolean {
  if (node.type !== 'call') return false;
  const fn = node.childForFieldName('function');
  return fn?.type === 'identifier' && BUILTINS.has(fn.text) && !scope.lookup(fn.text);
}

/**
 * Values that matter only to arithmetic: a call such as `torch.randn(n, dim)` is not worth a
 * visit just because `n` is a known number, but `base_lr * 0.1` is.
 */
const SCALAR_KINDS = new Set(['number', 'string', 'bool', 'none']);

/** Expression types cheap enough to evaluate without first checking whether they matter. */
const LEAF_EXPRESSIONS = new Set(['identifier', 'integer', 'float', 'string', 'true', 'false', 'none', 'keyword_argument', 'lambda', 'list', 'tuple', 'dictionary', 'set', 'parenthesized_expression', 'unary_operator', 'concatenated_string']);
/** Text that an uncalled function must contain to be worth evaluating on its own. */
const RELEVANT_FUNCTION = /optim|parameters|requires_grad|lr_scheduler|param_group|[Ss]cheduler|Optimizer/;
const MAX_UNROLL = 256;

/**
 * Walks a Python file statement by statement, evaluating what it can to abstract values, and
 * records the optimizers, schedulers, freezes and generator uses it meets. Functions are evaluated
 * where they are called (so arguments are known); functions never called are evaluated once on
 * their own, with unknown arguments.
 */
export class Walker implements WalkResult {
  readonly optimizers: OptimizerModel[] = [];
  readonly schedulers: SchedulerModel[] = [];
  readonly freezes: FreezeEvent[] = [];
  readonly consumptions: Consumption[] = [];
  readonly steps: StepCall[] = [];
  readonly modules: ModuleNode[] = [];
  readonly unfreezesAnytime: AnytimeUnfreeze[] = [];
  readonly unattributedRequiresGrad: UnattributedSetter[] = [];
  readonly moduleFlagAssignments: ModuleFlagAssignment[] = [];
  readonly flagTypos: FlagTypo[] = [];
  readonly unknownGroupAdds: SyntaxNode[] = [];
  readonly plainContainerAttributes: PlainContainerAttribute[] = [];
  readonly castParameterAttributes: CastParameterAttribute[] = [];
  /** `nn.Parameter(...).double()` calls (by start index) and the method: see CAST_METHODS. */
  private readonly castParameters = new Map<number, string>();
  /** Start indices of the `requires_grad` changes tied to parameters of a module the walker knows. */
  private readonly attributedSetters = new Set<number>();
  /**
   * Inside a function nobody calls, evaluated on its own (other than an `__init__`): null for a
   * plain function, else its class's name.
   */
  private anytime: string | null | undefined;
  private readonly seenOptimizerCalls = new Map<number, OptimizerModel>();
  private readonly seenSchedulerCalls = new Map<number, SchedulerModel>();
  private readonly evaluatedFunctions = new Set<number>();
  private readonly callStack: SyntaxNode[] = [];
  private readonly pendingFunctions: Array<{ fn: FunctionValue }> = [];
  readonly globals = new Scope();
  /**
   * Counts every change made in place to a value the walker knows (a module's children, a list's
   * items, a dict's entries, an object's attributes...): each assignment to an attribute or item
   * of a known value, conservatively, and each method call that changes what the walker follows
   * (`list.append`, `ModuleList.insert`, `add_param_group`...). A method the walker does not
   * follow changes nothing it knows, so walking it again gives the same state. See
   * `watchedIteration`.
   */
  private mutations = 0;

  constructor(readonly torchVersion: TorchVersion) {}

  /** The whole file is ASCII, so every piece of it is (one scan instead of one per statement). */
  private asciiSource = false;

  private isAscii(text: string): boolean {
    return this.asciiSource || !NON_ASCII.test(text);
  }

  run(root: SyntaxNode): void {
    this.asciiSource = !NON_ASCII.test(root.text);
    // The file is analysed as the script being run: `if __name__ == "__main__":` holds.
    this.globals.set('__name__', str('__main__'));
    const frame: Frame = { scope: this.globals, conditions: [], loops: [] };
    this.block(root.namedChildren, frame);
    // Functions nobody called: analyse them once with unknown arguments.
    for (let i = 0; i < this.pendingFunctions.length; i++) {
      const { fn } = this.pendingFunctions[i];
      if (this.evaluatedFunctions.has(fn.node.startIndex)) continue;
      // A function nobody calls can only matter through what it builds or freezes itself.
      if (!RELEVANT_FUNCTION.test(fn.node.text)) continue;
      if (fn.owner) {
        const self = this.instantiate(fn.owner, { positional: [], keywords: new Map() }, fn.owner.node, true);
        if (fn.name !== '__init__') this.anytimeCall(fn, [self]);
      } else {
        this.anytimeCall(fn, []);
      }
    }
    this.findUnattributedSetters(root);
  }

  /** See `unattributedRequiresGrad`: every `requires_grad` setter of the file the walk did not tie to parameters. */
  private findUnattributedSetters(root: SyntaxNode): void {
    if (!root.text.includes('requires_grad')) return;
    const literal = (n: SyntaxNode | null | undefined): boolean | undefined => (n?.type === 'true' ? true : n?.type === 'false' ? false : undefined);
    for (const n of root.descendantsOfType(['assignment', 'call'])) {
      let setter: SyntaxNode | null = null;
      let value: boolean | undefined;
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        if (left?.type !== 'attribute' || left.childForFieldName('attribute')?.text !== 'requires_grad') continue;
        setter = left;
        value = literal(n.childForFieldName('right'));
      } else {
        const f = n.childForFieldName('function');
        if (f?.type !== 'attribute' || f.childForFieldName('attribute')?.text !== 'requires_grad_') continue;
        setter = n;
        const args = n.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
        value = args.length === 0 ? true : args.length === 1 ? literal(args[0].type === 'keyword_argument' ? args[0].childForFieldName('value') : args[0]) : undefined;
      }
      if (!this.attributedSetters.has(setter.startIndex)) this.unattributedRequiresGrad.push({ node: setter, requiresGrad: value });
    }
  }

  /** Evaluates a function nobody calls, on its own (see `unfreezesAnytime`). */
  private anytimeCall(fn: FunctionValue, positional: Value[]): void {
    this.anytime = fn.owner?.name ?? null;
    try {
      this.callFunction(fn, positional, new Map(), { standalone: true });
    } finally {
      this.anytime = undefined;
    }
  }

  // ---------------------------------------------------------------- statements

  private block(statements: SyntaxNode[], frame: Frame): void {
    for (const s of statements) {
      if (this.irrelevant(s, frame)) continue;
      this.statement(s, frame);
    }
  }

  /**
   * Most statements of a training script (forward passes, logging, metrics) cannot change the
   * model, the optimizers or their inputs. A statement that mentions none of the words that
   * matter and no variable bound to something the walker tracks is skipped without visiting its
   * syntax tree, which is what keeps a full check close to the cost of parsing. Names it assigns
   * become unknown, so a skipped statement can never leave a stale value behind.
   */
  private irrelevant(s: SyntaxNode, frame: Frame): boolean {
    switch (s.type) {
      case 'function_definition':
      case 'class_definition':
      case 'decorated_definition':
      case 'import_statement':
      case 'import_from_statement':
      case 'return_statement':
      case 'comment':
        return false;
    }
    const text = s.text;
    const assigns = s.type === 'expression_statement' && (s.namedChildren[0]?.type === 'assignment' || s.namedChildren[0]?.type === 'augmented_assignment');
    // The Unicode patterns are slow; on ASCII text (nearly all code) the ASCII ones match the same.
    const ascii = this.isAscii(text);
    if ((ascii ? LITERAL_ASSIGNMENT_ASCII : LITERAL_ASSIGNMENT).test(text) || mentionsSomethingKnown(text, frame.scope, assigns, ascii)) return false;
    const assigned = ascii ? ASSIGNED_NAME_ASCII : ASSIGNED_NAME;
    assigned.lastIndex = 0;
    for (let m = assigned.exec(text); m; m = assigned.exec(text)) {
      if (frame.scope.lookup(m[1])) frame.scope.set(m[1], UNKNOWN);
    }
    return true;
  }

  private statement(node: SyntaxNode, frame: Frame): void {
    switch (node.type) {
      case 'expression_statement':
        for (const child of node.namedChildren) this.expressionStatement(child, frame);
        return;
      case 'import_statement':
      case 'import_from_statement':
        this.importStatement(node, frame.scope);
        return;
      case 'function_definition':
        this.defineFunction(node, frame.scope);
        return;
      case 'class_definition':
        this.defineClass(node, frame.scope);
        return;
      case 'decorated_definition': {
        const def = node.childForFieldName('definition');
        if (def) this.statement(def, frame);
        return;
      }
      case 'if_statement':
        this.ifStatement(node, frame);
        return;
      case 'for_statement':
        this.forStatement(node, frame);
        return;
      case 'while_statement': {
        const body = node.childForFieldName('body');
        this.evaluate(node.childForFieldName('condition'), frame);
        if (body) this.undecided(() => this.branch(frame, [(f) => this.loopBody(node, body, f)], true));
        return;
      }
      case 'with_statement': {
        const items = node.namedChildren.find((c) => c.type === 'with_clause')?.namedChildren.filter((c) => c.type === 'with_item') ?? [];
        for (const item of items) {
          const value = item.childForFieldName('value');
          if (value?.type === 'as_pattern') {
            const v = this.evaluate(value.namedChildren[0], frame);
            const target = value.childForFieldName('alias')?.namedChildren[0] ?? value.namedChildren[1];
            if (target) this.assignTarget(target, v, frame);
          } else if (value) this.evaluate(value, frame);
        }
        const body = node.childForFieldName('body');
        if (body) this.block(body.namedChildren, frame);
        return;
      }
      case 'try_statement': {
        const body = node.childForFieldName('body');
        if (body) this.block(body.namedChildren, frame);
        const handlers = node.namedChildren.filter((c) => c.type === 'except_clause' || c.type === 'else_clause' || c.type === 'except_group_clause');
        if (handlers.length) {
          this.undecided(() =>
            this.branch(
              frame,
              handlers.map((h) => (f: Frame) => {
                const b = h.namedChildren.find((c) => c.type === 'block');
                if (b) this.block(b.namedChildren, f);
              }),
              true,
            ),
          );
        }
        const fin = node.namedChildren.find((c) => c.type === 'finally_clause');
        const finBlock = fin?.namedChildren.find((c) => c.type === 'block');
        if (finBlock) this.block(finBlock.namedChildren, frame);
        return;
      }
      case 'return_statement': {
        const v = node.namedChildren[0] ? this.evaluate(node.namedChildren[0], frame) : { kind: 'none' as const };
        frame.returns?.push(v);
        return;
      }
      case 'block':
        this.block(node.namedChildren, frame);
        return;
      case 'delete_statement':
        // `del groups[1]`, `del groups[:2]`: the list's items are no longer known. `del model[1]`,
        // `del model.fc`: the module's children change.
        for (const target of node.namedChildren.flatMap((c) => (c.type === 'expression_list' ? c.namedChildren : [c]))) {
          if (target.type === 'attribute') {
            const obj = this.evaluate(target.childForFieldName('object'), frame);
            const attr = target.childForFieldName('attribute')?.text;
            if (obj.kind === 'module' && attr) {
              this.mutations++;
              deleteAttribute(obj.module, attr);
            }
            continue;
          }
          if (target.type !== 'subscript') continue;
          const obj = this.evaluate(target.childForFieldName('value'), frame);
          if (obj.kind === 'list') {
            this.mutations++;
            this.forgetItems(obj);
          } else if (obj.kind === 'module') {
            // `del model[i]` is `model.pop(i)`.
            const key = target.childForFieldName('subscript');
            this.changeChildren(obj.module, 'pop', key ? [this.evaluate(key, frame)] : []);
          }
        }
        return;
      default:
        // global, nonlocal, pass, raise, assert, print...: evaluate what they contain so that
        // optimizers built inside them are still seen.
        for (const child of node.namedChildren) if (isExpression(child)) this.evaluate(child, frame);
    }
  }

  private expressionStatement(node: SyntaxNode, frame: Frame): void {
    if (node.type === 'assignment') {
      const right = node.childForFieldName('right');
      const left = node.childForFieldName('left');
      if (!right || !left) return;
      // `a = b = expr`: the right side is another assignment.
      const value = right.type === 'assignment' ? this.chainedAssignment(right, frame) : this.evaluate(right, frame);
      this.assignTarget(left, value, frame, right);
      return;
    }
    if (node.type === 'augmented_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.type ?? '';
      if (!left || !right) return;
      const current = this.evaluate(left, frame);
      const rhs = this.evaluate(right, frame);
      if (op === '+=' && current.kind === 'module' && isSequence(current.module)) {
        // `blocks += [...]`: ModuleList.__iadd__ is extend; Sequential's takes another Sequential.
        const m = current.module;
        this.changeChildren(m, 'extend', m.type === 'ModuleList' || rhs.kind === 'module' ? [rhs] : []);
        return;
      }
      if (op === '+=' && current.kind === 'list') {
        this.mutations++;
        if (rhs.kind === 'list') {
          current.items.push(...rhs.items);
          if (!rhs.exact) current.exact = false;
        } else current.exact = false;
        this.maybeAdded(current, rhs, frame);
        return;
      }
      this.assignTarget(left, binaryOp(op.slice(0, -1), current, rhs), frame);
      return;
    }
    this.evaluate(node, frame);
  }

  private chainedAssignment(node: SyntaxNode, frame: Frame): Value {
    const right = node.childForFieldName('right');
    const left = node.childForFieldName('left');
    if (!right || !left) return UNKNOWN;
    const value = right.type === 'assignment' ? this.chainedAssignment(right, frame) : this.evaluate(right, frame);
    this.assignTarget(left, value, frame, right);
    return value;
  }

  private assignTarget(target: SyntaxNode, value: Value, frame: Frame, valueNode?: SyntaxNode): void {
    switch (target.type) {
      case 'identifier':
        frame.scope.set(target.text, value);
        if (value.kind === 'optimizer' && !value.optimizer.variable) {
          value.optimizer.variable = target.text;
          this.mutations++;
        }
        if (value.kind === 'scheduler' && !value.scheduler.variable) {
          value.scheduler.variable = target.text;
          this.mutations++;
        }
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern': {
        const targets = target.namedChildren.filter((c) => c.type !== 'comment');
        const items = value.kind === 'list' && value.exact && value.items.length === targets.length ? value.items : undefined;
        // `self.encoder, self.decoder = build(cfg)`: each part comes from the same unknown call.
        targets.forEach((t, i) => this.assignTarget(t, items ? items[i] : UNKNOWN, frame, items ? undefined : valueNode));
        return;
      }
      case 'attribute': {
        const obj = this.evaluate(target.childForFieldName('object'), frame);
        const attr = target.childForFieldName('attribute')?.text;
        if (!attr) return;
        // A `requires_grad` flag set here is recorded as a freeze, an effect of its own.
        if (obj.kind !== 'unknown' && obj.kind !== ('paramiter' as string) && !(obj.kind === 'param' && attr === 'requires_grad')) this.mutations++;
        if (obj.kind === 'paramiter' as string) {
          this.paramIterAssignment(obj as unknown as ParamIter, attr, value, target, frame);
          return;
        }
        if (obj.kind === 'param' && attr === 'requires_grad') {
          this.setParamRequiresGrad(obj.leaf, value, target);
          return;
        }
        if (obj.kind === 'param' && isRequiresGradTypo(attr)) {
          this.flagTypos.push({ node: target, attr, requiresGrad: value.kind === 'bool' ? value.value : undefined, selections: [{ root: obj.leaf.owner, expr: target.childForFieldName('object')!.text, node: target, leaf: obj.leaf }] });
          return;
        }
        if (obj.kind === 'module' && attr === 'requires_grad' && !(obj.module.origin === 'user' && this.findMethod(obj.module.type, 'requires_grad'))) {
          // nn.Module.__setattr__ stores a plain attribute: no parameter's flag changes (unless a
          // user class defines a `requires_grad` property of its own).
          this.attributedSetters.add(target.startIndex);
          const ownSetting = this.selfClass(target, frame) !== undefined;
          this.moduleFlagAssignments.push({
            node: target,
            module: obj.module,
            requiresGrad: value.kind === 'bool' ? value.value : undefined,
            ownSetting,
            readByClass: this.classReadsOwnFlag(obj.module),
            before: requiresGradOf(obj.module),
          });
          return;
        }
        if (obj.kind === 'module') {
          const m = obj.module;
          const cast = valueNode && this.castParameters.get(valueNode.startIndex);
          if (cast) {
            const cls = this.selfClass(target, frame);
            if (cls) this.castParameterAttributes.push({ node: target, owner: m, attr, call: valueNode!, method: cast, certain: cast !== 'to', cls });
          }
          if (value.kind === 'module') {
            m.ownParams.delete(attr);
            m.attrs.delete(attr);
            m.addChild(attr, value.module);
            invalidateCounts(m);
          } else if (value.kind === 'param') {
            if (value.leaf.owner === PENDING_OWNER) {
              value.leaf.owner = m;
              value.leaf.name = attr;
            }
            m.children.delete(attr);
            m.ownParams.set(attr, value.leaf);
            invalidateCounts(m);
          } else if (cast && cast !== 'to') {
            // `.double()` always gives a plain tensor. (`.to(device)` gives the Parameter itself
            // when there is nothing to move: it is an unknown value, as below.)
            m.children.delete(attr);
            m.ownParams.delete(attr);
            m.attrs.set(attr, UNKNOWN);
            invalidateCounts(m);
          } else if (value.kind === 'unknown' && mayBeModule(valueNode)) {
            // `self.backbone = timm.create_model(...)`, `self.encoder = encoder`: it may be a
            // module (or a parameter) we cannot see, so the module may hold parameters we do not.
            m.children.delete(attr);
            m.ownParams.delete(attr);
            m.attrs.delete(attr);
            m.complete = false;
            invalidateCounts(m);
          } else if (value.kind === 'none' && (m.children.has(attr) || m.ownParams.has(attr))) {
            // `model.aux1 = None`, `model.fc = None`: a submodule (or parameter) set to None stays
            // registered as None, and named_parameters() skips it.
            m.children.delete(attr);
            m.ownParams.delete(attr);
            m.attrs.set(attr, value);
            if (this.undecidedDepth > 0) m.complete = false;
            invalidateCounts(m);
          } else if (!m.children.has(attr) && !m.ownParams.has(attr)) {
            m.attrs.set(attr, value);
            const plain = value.kind === 'dict' || (value.kind === 'list' && value.flavor !== 'set');
            const cls = plain ? this.selfClass(target, frame) : undefined;
            if (cls) this.plainContainerAttributes.push({ node: target, owner: m, attr, value: value as ListValue | DictValue, valueNode, cls });
          } else if (value.kind === 'unknown') {
            // `model.fc = build_head()`: whatever it is now, we no longer know.
            m.children.delete(attr);
            m.ownParams.delete(attr);
            m.complete = false;
            invalidateCounts(m);
          }
          return;
        }
        if (obj.kind === 'object') obj.attrs.set(attr, value);
        return;
      }
      case 'subscript': {
        const obj = this.evaluate(target.childForFieldName('value'), frame);
        const key = this.evaluate(target.childForFieldName('subscript'), frame);
        if (obj.kind !== 'unknown') this.mutations++;
        if (obj.kind === 'module' && value.kind === 'module') {
          const name = key.kind === 'number' ? containerKey(obj.module, key.value) : key.kind === 'string' ? key.value : undefined;
          if (name !== undefined) obj.module.addChild(name, value.module);
          else obj.module.complete = false;
          invalidateCounts(obj.module);
        } else if (obj.kind === 'dict' && key.kind === 'string') {
          const existing = obj.entries.find((e) => e.key === key.value);
          if (existing) existing.value = value;
          else obj.entries.push({ key: key.value, value, valueNode });
        } else if (obj.kind === 'list' && key.kind === 'number') {
          const i = key.value < 0 ? obj.items.length + key.value : key.value;
          if (i >= 0 && i < obj.items.length) obj.items[i] = value;
        } else if (obj.kind === 'dict' || obj.kind === 'list') {
          obj.exact = false;
        }
        return;
      }
      default:
        return;
    }
  }

  /** `p.requires_grad = flag` / `p.requires_grad_(flag)` on one parameter the walker knows. */
  private setParamRequiresGrad(leaf: ParamLeaf, flag: Value, node: SyntaxNode): void {
    this.recordFreeze(node, [{ root: leaf.owner, expr: node.text, node, leaf }], flag.kind === 'bool' ? flag.value : undefined);
  }

  private paramIterAssignment(it: ParamIter, attr: string, value: Value, node: SyntaxNode, frame: Frame): void {
    if (it.role === 'param' && isRequiresGradTypo(attr)) {
      this.flagTypos.push({ node, attr, requiresGrad: value.kind === 'bool' ? value.value : undefined, selections: it.source.selections });
      return;
    }
    if (attr !== 'requires_grad' || it.role !== 'param') return;
    const flag = value.kind === 'bool' ? value.value : undefined;
    const conditions = frame.conditions.slice(this.loopConditionDepth.get(it) ?? 0);
    const lookup = lookupAsNow(frame.scope, conditions.map((c) => c.node));
    const filters = conditions.map(({ node: cond, negated }): ParamFilter => ({
      text: negated ? `not (${cond.text})` : cond.text,
      iteratesEmpty: iteratesEmptyList(cond, lookup),
      node: cond,
      test: (qname, leaf) => {
        const r = evaluatePredicate(cond, { nameVar: it.nameVar, paramVar: it.paramVar, lookup }, qname, leaf);
        return r === undefined ? undefined : negated ? !r : r;
      },
    }));
    const selections = it.source.selections.map((s) => withFilters(s, filters));
    // The loop's own `if`s are filters (decided per parameter); only code around the loop that
    // may not run makes the freeze uncertain.
    this.recordFreeze(node, selections, flag, (this.loopUndecidedDepth.get(it) ?? this.undecidedDepth) > 0);
  }

  /**
   * Freezes that differ from every earlier one in where, what and how: a loop that freezes and
   * unfreezes the same parameters in each iteration (SAC's Q-networks around the policy update)
   * sets them to the same flags each time, which is no change (see `effects`: each freeze only
   * overwrites flags, so running an iteration's freezes again leaves them as they are). Every
   * freeze is still recorded, for the rules.
   */
  private readonly freezePatterns = new Set<string>();
  private readonly objectIds = new WeakMap<object, number>();
  private nextObjectId = 0;

  /** A number for an object (a module), the same each time it is asked. */
  private objectId(o: object): number {
    let id = this.objectIds.get(o);
    if (id === undefined) this.objectIds.set(o, (id = this.nextObjectId++));
    return id;
  }

  private readonly loopConditionDepth = new Map<ParamIter, number>();
  private readonly loopUndecidedDepth = new Map<ParamIter, number>();

  /**
   * Sets `requires_grad` on what the selections hold. Under code that may not run (`uncertain`),
   * a flag that differs from the current one makes it unknown: frozen or not depends on the run.
   */
  private recordFreeze(node: SyntaxNode, selections: Selection[], flag: boolean | undefined, uncertain = this.undecidedDepth > 0): void {
    const apply = (current: boolean | 'unknown', next: boolean | 'unknown'): boolean | 'unknown' => (uncertain && current !== next ? 'unknown' : next);
    for (const sel of selections) {
      const targets = sel.leaf ? [{ name: sel.leaf.name, leaf: sel.leaf }] : enumerateLeaves(sel.root).leaves;
      for (const { name, leaf } of targets) {
        const keep = sel.filter ? sel.filter.test(name, leaf) : true;
        if (keep === false) continue;
        leaf.requiresGrad = apply(leaf.requiresGrad, keep === undefined || flag === undefined ? 'unknown' : flag);
        leaf.frozenAt = node;
      }
      if (!sel.leaf) {
        for (const m of enumerateLeaves(sel.root).opaque) {
          m.opaqueRequiresGrad = apply(m.opaqueRequiresGrad, sel.filter || flag === undefined ? 'unknown' : flag);
        }
      }
    }
    if (selections.some((sel) => !isOpaque(sel.leaf ? sel.leaf.owner : sel.root))) this.attributedSetters.add(node.startIndex);
    if (flag !== undefined) {
      this.freezes.push({ node, selections, requiresGrad: flag });
      this.freezePatterns.add(`${node.startIndex}:${flag}:${uncertain}:${selections.map((sel) => (sel.leaf ? `#${sel.leaf.id}` : `${this.objectId(sel.root)}/${sel.filter?.text ?? ''}/${sel.namePrefix ?? ''}`)).join(',')}`);
    }
    if (this.anytime !== undefined && flag !== false) this.unfreezesAnytime.push({ node, className: this.anytime ?? undefined });
  }

  private ifStatement(node: SyntaxNode, frame: Frame): void {
    const branches: Array<(f: Frame) => void> = [];
    const previous: SyntaxNode[] = [];
    const created: Frame['conditions'] = [];
    const addBranch = (cond: SyntaxNode | null, body: SyntaxNode | null): void => {
      const negations: Frame['conditions'] = previous.map((p) => ({ node: p, negated: true }));
      const own: Frame['conditions'] = cond ? [{ node: cond, negated: false }] : [];
      created.push(...negations, ...own);
      branches.push((f) => {
        f.conditions.push(...negations, ...own);
        if (body) this.block(body.namedChildren, f);
        f.conditions.splice(f.conditions.length - negations.length - own.length);
      });
      if (cond) previous.push(cond);
    };
    const cond = node.childForFieldName('condition');
    this.evaluate(cond, frame);
    addBranch(cond, node.childForFieldName('consequence'));
    let hasElse = false;
    for (const alt of node.childrenForFieldName('alternative')) {
      if (alt.type === 'elif_clause') {
        const c = alt.childForFieldName('condition');
        this.evaluate(c, frame);
        addBranch(c, alt.childForFieldName('consequence'));
      } else if (alt.type === 'else_clause') {
        hasElse = true;
        addBranch(null, alt.childForFieldName('body'));
      }
    }
    const constant = cond ? this.constantCondition(cond, frame) : undefined;
    if (constant === true) {
      for (const c of created) c.decided = true;
      branches[0](frame);
      return;
    }
    if (constant === false && !node.childrenForFieldName('alternative').some((a) => a.type === 'elif_clause')) {
      for (const c of created) c.decided = true;
      if (hasElse) branches[branches.length - 1](frame);
      return;
    }
    this.undecided(() => this.branch(frame, branches, !hasElse));
  }

  /**
   * Code that may or may not run (an `if` the walker cannot decide, an `except` handler, a
   * `while` body). Freezes and generator uses inside it are not certain.
   */
  private undecidedDepth = 0;

  private undecided(run: () => void): void {
    this.undecidedDepth++;
    try {
      run();
    } finally {
      this.undecidedDepth--;
    }
  }

  private constantCondition(cond: SyntaxNode, frame: Frame): boolean | undefined {
    const v = this.evaluate(cond, frame);
    if (v.kind === 'bool') return v.value;
    return undefined;
  }

  /**
   * Runs alternative branches, each from the local variables as they were before them, and
   * joins them: a variable that ends up bound to different values in different branches becomes
   * unknown.
   */
  private branch(frame: Frame, branches: Array<(f: Frame) => void>, mayRunNone: boolean): void {
    const scope = frame.scope;
    // Per name any branch binds: its value before the branches, and its value after each.
    const before = new Map<string, Value | undefined>();
    const outcomes: Array<Map<string, { after: Value | undefined }>> = [];
    for (const run of branches) {
      const changed = scope.tryOut(() => run(frame));
      for (const [name, { before: was }] of changed) if (!before.has(name)) before.set(name, was);
      outcomes.push(changed);
    }
    for (const [name, was] of before) {
      const values = outcomes.map((o) => (o.has(name) ? o.get(name)!.after : was));
      if (mayRunNone) values.push(was);
      const first = values[0];
      const same = values.every((v) => v === first);
      if (same && first) scope.set(name, first);
      else {
        const defined = values.filter((v): v is Value => v !== undefined);
        // Functions and classes defined in one branch only are still worth knowing.
        if (defined.length && defined.every((v) => v === defined[0]) && (defined[0].kind === 'function' || defined[0].kind === 'class')) {
          scope.set(name, defined[0]);
        } else if (defined.length > 1 && defined.every((v) => v.kind === 'scheduler')) {
          // A scheduler chosen by a branch: unknown, but its `.step()` steps whichever it is.
          const schedulers = [...new Set(defined.map((v) => (v as { scheduler: SchedulerModel }).scheduler))];
          scope.set(name, { kind: 'unknown', alternatives: schedulers.map((scheduler) => ({ kind: 'scheduler' as const, scheduler })) });
        } else scope.set(name, UNKNOWN);
      }
    }
  }

  private forStatement(node: SyntaxNode, frame: Frame): void {
    const target = node.childForFieldName('left');
    const body = node.childForFieldName('body');
    const iterable = this.evaluate(node.childForFieldName('right'), frame);
    if (!target || !body) return;
    this.noteGroupKeyReads(node.childForFieldName('right'), target, body, frame);
    if (iterable.kind === 'paramsource') {
      // The iterable expression: a variable there is named in OPT108's message (`for p in q_params:`).
      this.consume(iterable, node, 'loop', node.childForFieldName('right') ?? undefined);
      const it = this.paramIterFor(target, iterable);
      const saved = new Map<string, Value | undefined>();
      for (const name of [it.nameVar, it.paramVar]) if (name) saved.set(name, frame.scope.vars.get(name));
      if (it.nameVar) frame.scope.set(it.nameVar, { ...it, role: 'name' } as unknown as Value);
      if (it.paramVar) frame.scope.set(it.paramVar, it as unknown as Value);
      this.loopConditionDepth.set(it, frame.conditions.length);
      this.loopUndecidedDepth.set(it, this.undecidedDepth);
      this.branch(frame, [(f) => this.loopBody(node, body, f)], true);
      for (const name of [it.nameVar, it.paramVar]) if (name) frame.scope.set(name, UNKNOWN);
      return;
    }
    // `for block in model.blocks:` over an nn.Sequential / nn.ModuleList: its children, in order.
    const children = sequenceItems(iterable);
    const list = children ? { items: children, exact: true } : iterable.kind === 'list' ? iterable : undefined;
    if (list && list.exact && list.items.length <= MAX_UNROLL) {
      const items = list.items;
      // The loop's variables, once known; null when the body branches on them.
      let loopVars: Set<string> | null | undefined;
      for (let i = 0; i < items.length; i++) {
        const iteration = () => {
          this.assignTarget(target, items[i], frame);
          this.loopBody(node, body, frame);
        };
        // From the second iteration on, while several remain: did this one change anything?
        if (i < 1 || i >= items.length - 2) {
          iteration();
          continue;
        }
        const before = this.watchedIteration(frame, iteration);
        if (loopVars === undefined) {
          // The names the target binds (ASCII words; any other name only makes the test stricter).
          const names = new Set<string>();
          someWord(target.text, (w) => void names.add(w));
          // `if epoch == 5:` in the body: iterations differ by more than their values.
          loopVars = decidesOn(body, names) ? null : names;
        }
        if (loopVars && !this.changedSince(before, frame, loopVars)) {
          // It changed nothing but the loop variables (`for k in range(eval_iters):` around an
          // evaluation, nanoGPT's train.py): the iterations left can differ only through their
          // values, so they are walked once as a loop over values the walker does not know.
          // Lists it appended unknown values to (`val_acc_history.append(epoch_acc)`) get one
          // per iteration left: how many they hold is no longer counted.
          for (const l of before.appendedTo) l.exact = false;
          this.assignTarget(target, UNKNOWN, frame);
          this.branch(frame, [(f) => this.loopBody(node, body, f)], true);
          return;
        }
      }
      return;
    }
    this.assignTarget(target, UNKNOWN, frame);
    this.repeating.push({ node, calls: this.callStack.length });
    try {
      this.branch(frame, [(f) => this.loopBody(node, body, f)], true);
    } finally {
      this.repeating.pop();
    }
  }

  /**
   * Items added to a list in code that may not run (`if args.aux_loss: groups.append({...})`) may
   * not be there: the list is no longer exact. A parameter a loop over parameters adds under its
   * own `if` is not such an item: that `if` is a filter, decided per parameter (see
   * paramIterAssignment).
   */
  private maybeAdded(list: Value & { kind: 'list' }, added: Value | undefined, frame: Frame): void {
    if (added?.kind === ('paramiter' as string)) return;
    const repeated = this.addedRepeatedly(list.node);
    if (this.undecidedDepth === 0 && !repeated) return;
    list.exact = false;
    // Why the items may be missing (or there several times), for the groups they become.
    const conditions = frame.conditions.filter((c) => !c.decided).map((c) => `\`${c.negated ? `not (${c.node.text})` : c.node.text}\``);
    const loop = this.repeating[this.repeating.length - 1];
    const why = repeated
      ? `may be missing or repeated: added once per iteration of the loop at line ${loop.node.startPosition.row + 1}, which runs an unknown number of times`
      : conditions.length
        ? `may be missing: added only if ${conditions.join(' and ')}`
        : 'may be missing: added by code that may not run';
    for (const item of added?.kind === 'list' ? added.items : added ? [added] : []) if (!this.addedWhen.has(item)) this.addedWhen.set(item, why);
  }

  /** Items added to a list by code that may not run, or may run many times: why (see ParamGroupModel.mayBeMissing). */
  private readonly addedWhen = new WeakMap<Value, string>();

  /**
   * Loops walked once for an unknown number of iterations (`for m in extra_modules:`), innermost
   * last, with the depth of the call stack when each started.
   */
  private readonly repeating: Array<{ node: SyntaxNode; calls: number }> = [];

  /**
   * An item added in a loop that runs an unknown number of times is added that many times, none
   * included, to a list (or a module container) that outlives an iteration: one made before the
   * loop (`born` is where), not in its body (or in a function the body calls).
   */
  private addedRepeatedly(born: SyntaxNode | undefined): boolean {
    const loop = this.repeating[this.repeating.length - 1];
    if (!loop) return false;
    if (!born) return true;
    const within = (n: SyntaxNode) => born.startIndex >= n.startIndex && born.endIndex <= n.endIndex;
    if (within(loop.node)) return false;
    for (let i = loop.calls; i < this.callStack.length; i++) if (within(this.callStack[i])) return false;
    return true;
  }

  /** Items taken out or moved in a way the walker does not follow: what the list holds is no longer known. */
  private forgetItems(list: Value & { kind: 'list' }): void {
    list.items.length = 0;
    list.itemNodes = undefined;
    list.exact = false;
    list.forgotten = true;
  }

  /**
   * Unknown values appended to lists so far (`history.append(val_acc)`): changes in place like any
   * append, but a loop whose iterations change nothing else has settled, once those lists are
   * marked as holding an unknown number of items (see forStatement).
   */
  private unknownAppends = 0;
  /** While an iteration is watched: the lists it appended unknown values to. */
  private appendedTo?: Set<ListValue>;

  /** Runs an iteration of a loop, noting what it could change (see `changedSince`). */
  private watchedIteration(frame: Frame, iteration: () => void): IterationSnapshot {
    const effects = this.effects();
    const returns = frame.returns?.length ?? 0;
    const unknownAppends = this.unknownAppends;
    const outer = this.appendedTo;
    const appendedTo = new Set<ListValue>();
    this.appendedTo = appendedTo;
    try {
      return { effects, bound: frame.scope.record(iteration), returns, unknownAppends, appendedTo };
    } finally {
      this.appendedTo = outer;
      if (outer) for (const l of appendedTo) outer.add(l);
    }
  }

  /**
   * Whether anything changed since `before` other than the variables in `except` and unknown
   * values appended to lists: a record (an optimizer, a freeze, a module...), another change in
   * place, a `return`, or a local bound to another value.
   */
  private changedSince(before: IterationSnapshot, frame: Frame, except: Set<string>): boolean {
    const appended = this.unknownAppends - before.unknownAppends;
    if (this.effects() - appended !== before.effects || (frame.returns?.length ?? 0) !== before.returns) return true;
    for (const [name, was] of before.bound) if (!except.has(name) && !interchangeable(frame.scope.vars.get(name), was)) return true;
    return false;
  }

  /** Grows with every record and every change in place (each count only grows). */
  private effects(): number {
    return (
      this.mutations +
      this.optimizers.length +
      this.schedulers.length +
      this.freezePatterns.size +
      this.consumptionPatterns.size +
      this.steps.length +
      this.modules.length +
      this.pendingFunctions.length
    );
  }

  /**
   * `for g in optimizer.param_groups: ... g["lr_scale"] ...`: the keys read are put on that
   * optimizer, or on the whole file when the optimizer is not known here.
   */
  private noteGroupKeyReads(iterable: SyntaxNode | null, target: SyntaxNode, scope: SyntaxNode, frame: Frame): void {
    if (!iterable || target.type !== 'identifier' || !isParamGroups(iterable)) return;
    const keys = keysReadFrom(scope, target.text);
    if (!keys.length) return;
    const owner = this.evaluate(iterable.childForFieldName('object'), frame);
    const into = owner.kind === 'optimizer' ? owner.optimizer.groupKeysRead : this.groupKeysRead;
    for (const k of keys) into.add(k);
  }

  private loopBody(loop: SyntaxNode, body: SyntaxNode, frame: Frame): void {
    frame.loops.push(loop);
    this.loopDepth++;
    try {
      this.block(body.namedChildren, frame);
    } finally {
      this.loopDepth--;
      frame.loops.pop();
    }
  }

  /** Loop bodies being walked, through calls too (`frame.loops` holds the current function's). */
  private loopDepth = 0;

  /**
   * A change to the children of an `nn.Sequential` / `nn.ModuleList` / `nn.ModuleDict` (see
   * changeContainer), followed where the walker can; else which children it holds is forgotten.
   */
  private changeChildren(m: ModuleNode, method: string, positional: Value[]): boolean | ModuleNode {
    this.mutations++;
    // Under a condition the walker cannot decide, renumbered children would be wrong one way or the other.
    const renumbers = method !== 'append' && method !== 'extend';
    const out = this.undecidedDepth > 0 && renumbers ? false : changeContainer(m, method, positional);
    // Changed once per iteration of a loop that runs an unknown number of times: there may be more.
    if (out && this.addedRepeatedly(m.node)) m.complete = false;
    if (!out) forgetChildren(m);
    invalidateCounts(m);
    return out;
  }

  private paramIterFor(target: SyntaxNode, source: ParamSourceValue): ParamIter {
    const it: ParamIter = { kind: 'paramiter', source, role: 'param' };
    if (target.type === 'identifier') {
      if (source.named) return it; // `for item in named_parameters()`: a tuple we do not track
      it.paramVar = target.text;
      return it;
    }
    const parts = target.namedChildren.filter((c) => c.type !== 'comment');
    if (source.named && parts.length === 2 && parts.every((p) => p.type === 'identifier')) {
      it.nameVar = parts[0].text;
      it.paramVar = parts[1].text;
    }
    return it;
  }

  private importStatement(node: SyntaxNode, scope: Scope): void {
    if (node.type === 'import_statement') {
      for (const name of node.namedChildren) {
        if (name.type === 'dotted_name') {
          const first = name.text.split('.')[0];
          scope.set(first, { kind: 'ref', path: first });
        } else if (name.type === 'aliased_import') {
          const target = name.childForFieldName('name')?.text ?? '';
          const alias = name.childForFieldName('alias')?.text;
          if (alias) scope.set(alias, { kind: 'ref', path: target });
        }
      }
      return;
    }
    const moduleName = node.childForFieldName('module_name')?.text ?? '';
    if (moduleName.startsWith('.')) return;
    for (const name of node.childrenForFieldName('name')) {
      if (name.type === 'dotted_name') scope.set(name.text, { kind: 'ref', path: `${moduleName}.${name.text}` });
      else if (name.type === 'aliased_import') {
        const target = name.childForFieldName('name')?.text ?? '';
        const alias = name.childForFieldName('alias')?.text;
        if (alias) scope.set(alias, { kind: 'ref', path: `${moduleName}.${target}` });
      }
    }
  }

  private defineFunction(node: SyntaxNode, scope: Scope, owner?: ClassInfo): FunctionValue {
    const name = node.childForFieldName('name')?.text ?? '<lambda>';
    const fn: FunctionValue = { kind: 'function', name, node, closure: scope, owner };
    if (!owner) scope.set(name, fn);
    this.pendingFunctions.push({ fn });
    return fn;
  }

  private defineClass(node: SyntaxNode, scope: Scope): void {
    const name = node.childForFieldName('name')?.text ?? '';
    const bases: Value[] = [];
    const superclasses = node.childForFieldName('superclasses');
    let hasUnknownBase = false;
    let isModuleClass = false;
    let parent: ClassInfo | undefined;
    for (const b of superclasses?.namedChildren ?? []) {
      if (b.type === 'keyword_argument' || b.type === 'comment') continue;
      const v = this.evaluate(b, { scope, conditions: [], loops: [] });
      bases.push(v);
      if (v.kind === 'ref' && (v.path === 'torch.nn.Module' || v.path === 'torch.nn.modules.module.Module')) isModuleClass = true;
      else if (v.kind === 'ref' && LIGHTNING_BASES.has(v.path)) isModuleClass = true;
      else if (v.kind === 'class') {
        parent = v.cls;
        if (v.cls.isModule) isModuleClass = true;
        if (v.cls.hasUnknownBase) hasUnknownBase = true;
      } else if (v.kind === 'ref' && v.path === 'object') {
        // plain class
      } else {
        // An imported base (PreTrainedModel, timm's VisionTransformer, nn.Sequential, ...):
        // instances may own parameters that this file does not show.
        hasUnknownBase = true;
        isModuleClass = true;
      }
    }
    const cls: ClassInfo = { name, node, bases, methods: new Map(), isModule: isModuleClass, hasUnknownBase, parent };
    const body = node.childForFieldName('body');
    for (const stmt of body?.namedChildren ?? []) {
      const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (def?.type === 'function_definition') {
        const methodName = def.childForFieldName('name')?.text ?? '';
        cls.methods.set(methodName, def);
        this.defineFunction(def, scope, cls);
      }
    }
    scope.set(name, { kind: 'class', cls });
    this.classes.set(name, cls);
  }

  // ---------------------------------------------------------------- expressions

  evaluate(node: SyntaxNode | null | undefined, frame: Frame): Value {
    if (!node) return UNKNOWN;
    // Calls, attributes, operators over things that do not matter: unknown, without a visit.
    if (!LEAF_EXPRESSIONS.has(node.type) && !isBuiltinCall(node, frame.scope) && !mentionsSomethingKnown(node.text, frame.scope, node.type !== 'call', this.isAscii(node.text))) return UNKNOWN;
    switch (node.type) {
      case 'identifier': {
        const v = frame.scope.lookup(node.text);
        if (v) return v;
        if (IMPLICIT_REFS[node.text]) return { kind: 'ref', path: IMPLICIT_REFS[node.text] };
        if (BUILTINS.has(node.text)) return { kind: 'ref', path: node.text };
        return UNKNOWN;
      }
      case 'integer':
      case 'float': {
        const n = literalNumber(node);
        return n ? num(n.value, n.isInt) : UNKNOWN;
      }
      case 'string':
      case 'concatenated_string': {
        const s = literalString(node);
        if (s !== undefined) return str(s);
        // f"{sum(p.numel() for p in params):,}": what is interpolated still runs.
        for (const i of node.descendantsOfType('interpolation')) {
          const expr = i.namedChildren.find((c) => isExpression(c) && c.type !== 'format_specifier' && c.type !== 'type_conversion');
          if (expr) this.evaluate(expr, frame);
        }
        return UNKNOWN;
      }
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'none':
        return { kind: 'none' };
      case 'parenthesized_expression':
        return this.evaluate(node.namedChildren.find((c) => c.type !== 'comment'), frame);
      case 'unary_operator': {
        const v = this.evaluate(node.childForFieldName('argument'), frame);
        const op = node.childForFieldName('operator')?.type ?? node.child(0)?.type;
        if (v.kind === 'number') {
          if (op === '-') return num(-v.value, v.isInt);
          if (op === '+') return v;
        }
        return UNKNOWN;
      }
      case 'binary_operator': {
        const l = this.evaluate(node.childForFieldName('left'), frame);
        const r = this.evaluate(node.childForFieldName('right'), frame);
        const op = node.childForFieldName('operator')?.type ?? '';
        return binaryOp(op, l, r);
      }
      case 'not_operator': {
        const v = this.evaluate(node.childForFieldName('argument'), frame);
        return v.kind === 'bool' ? { kind: 'bool', value: !v.value } : UNKNOWN;
      }
      case 'boolean_operator':
        for (const c of node.namedChildren) this.evaluate(c, frame);
        return UNKNOWN;
      case 'comparison_operator':
        return this.comparison(node, frame);
      case 'conditional_expression': {
        const [a, cond, b] = node.namedChildren;
        const c = this.evaluate(cond, frame);
        const va = this.evaluate(a, frame);
        const vb = this.evaluate(b, frame);
        if (c.kind === 'bool') return c.value ? va : vb;
        return va === vb ? va : UNKNOWN;
      }
      case 'attribute':
        return this.attribute(node, frame);
      case 'subscript':
        return this.subscript(node, frame);
      case 'call':
        return this.call(node, frame);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return this.sequence(node, frame);
      case 'dictionary':
        return this.dictionary(node, frame);
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension':
        return this.comprehension(node, frame);
      case 'lambda':
        return { kind: 'function', name: '<lambda>', node, closure: frame.scope };
      case 'named_expression': {
        const v = this.evaluate(node.childForFieldName('value'), frame);
        const name = node.childForFieldName('name');
        if (name) frame.scope.set(name.text, v);
        return v;
      }
      case 'keyword_argument':
        return this.evaluate(node.childForFieldName('value'), frame);
      default:
        for (const c of node.namedChildren) if (isExpression(c)) this.evaluate(c, frame);
        return UNKNOWN;
    }
  }

  /**
   * `epoch == 3`, `i < n`: decided when every operand is a known number or string, so that a
   * branch inside an unrolled loop runs only in the iterations where Python would run it.
   */
  private comparison(node: SyntaxNode, frame: Frame): Value {
    const operands: Value[] = [];
    const ops: string[] = [];
    let pending = '';
    for (const child of node.children) {
      if (child.isNamed && child.type !== 'comment') {
        if (operands.length) ops.push(pending.trim());
        pending = '';
        operands.push(this.evaluate(child, frame));
      } else pending += ` ${child.type}`;
    }
    const scalar = (v: Value): number | string | undefined => (v.kind === 'number' ? v.value : v.kind === 'string' ? v.value : undefined);
    for (let i = 0; i < ops.length; i++) {
      const l = scalar(operands[i]);
      const r = scalar(operands[i + 1]);
      if (l === undefined || r === undefined || typeof l !== typeof r) return UNKNOWN;
      let holds: boolean;
      switch (ops[i]) {
        case '==':
          holds = l === r;
          break;
        case '!=':
          holds = l !== r;
          break;
        case '<':
          holds = l < r;
          break;
        case '<=':
          holds = l <= r;
          break;
        case '>':
          holds = l > r;
          break;
        case '>=':
          holds = l >= r;
          break;
        default:
          return UNKNOWN;
      }
      if (!holds) return { kind: 'bool', value: false };
    }
    return { kind: 'bool', value: true };
  }

  private attribute(node: SyntaxNode, frame: Frame): Value {
    const obj = this.evaluate(node.childForFieldName('object'), frame);
    const attr = node.childForFieldName('attribute')?.text ?? '';
    switch (obj.kind) {
      case 'ref':
        return { kind: 'ref', path: `${obj.path}.${attr}` };
      case 'module': {
        const m = obj.module;
        const child = m.children.get(attr);
        if (child) return { kind: 'module', module: child };
        const leaf = m.ownParams.get(attr);
        if (leaf) return { kind: 'param', leaf };
        const a = m.attrs.get(attr);
        if (a) return a;
        if (!m.complete) {
          // A submodule we cannot see: remember it by name so that two uses of `model.encoder`
          // refer to the same module (overlaps between groups stay visible).
          const lazy = new ModuleNode('?', 'unknown', node.text, node);
          lazy.complete = false;
          m.addChild(attr, lazy);
          this.mutations++;
          return { kind: 'module', module: lazy };
        }
        return UNKNOWN;
      }
      case 'object':
        return obj.attrs.get(attr) ?? UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private subscript(node: SyntaxNode, frame: Frame): Value {
    const inner = node.childForFieldName('value');
    // `optimizer.param_groups[0]["name"]`
    if (inner?.type === 'subscript' && isParamGroups(inner.childForFieldName('value'))) {
      const key = node.childForFieldName('subscript');
      const k = key ? literalString(key) : undefined;
      if (k !== undefined) {
        const owner = this.evaluate(inner.childForFieldName('value')!.childForFieldName('object'), frame);
        (owner.kind === 'optimizer' ? owner.optimizer.groupKeysRead : this.groupKeysRead).add(k);
      }
    }
    const obj = this.evaluate(node.childForFieldName('value'), frame);
    const subs = node.childrenForFieldName('subscript');
    if (subs.length !== 1) return UNKNOWN;
    const sub = subs[0];
    if (sub.type === 'slice') {
      const parts = sliceParts(sub, (n) => this.evaluate(n, frame));
      if (!parts) return UNKNOWN;
      if (obj.kind === 'module' && obj.module.type === 'Sequential' && obj.module.complete) {
        const entries = [...obj.module.children.entries()];
        const chosen = pySlice(entries, parts);
        if (!chosen) return UNKNOWN;
        // Slicing shares the same submodules; addChild keeps their original parents.
        return { kind: 'module', module: createContainer('Sequential', chosen, { exact: true, expr: node.text, node }) };
      }
      if (obj.kind === 'list' && obj.exact) {
        const chosen = pySlice(obj.items, parts);
        return chosen ? { kind: 'list', items: chosen, exact: true, flavor: obj.flavor } : UNKNOWN;
      }
      return UNKNOWN;
    }
    const key = this.evaluate(sub, frame);
    if (obj.kind === 'module') {
      const m = obj.module;
      let name: string | undefined;
      if (key.kind === 'number' && key.isInt && isSequence(m)) {
        name = containerKey(m, key.value);
        if (name === undefined) return m.complete ? { kind: 'unknown' } : UNKNOWN;
      } else if (key.kind === 'string' && m.type === 'ModuleDict') name = key.value;
      if (name !== undefined) {
        const child = m.children.get(name);
        if (child) return { kind: 'module', module: child };
      }
      // `encoder.layers[0]` on a module we cannot see into: remember it by key, as `attribute`
      // does, so that a group holding it and a group holding its parent still overlap.
      const opaque = !m.complete && (m.type === '?' || m.children.size === 0);
      const lazyKey = key.kind === 'number' && key.isInt && key.value >= 0 ? String(key.value) : key.kind === 'string' ? key.value : undefined;
      if (opaque && lazyKey !== undefined) {
        const existing = m.children.get(lazyKey);
        if (existing) return { kind: 'module', module: existing };
        const lazy = new ModuleNode('?', 'unknown', node.text, node);
        lazy.complete = false;
        m.addChild(lazyKey, lazy);
        this.mutations++;
        return { kind: 'module', module: lazy };
      }
      return UNKNOWN;
    }
    if (obj.kind === 'list' && obj.exact && key.kind === 'number' && key.isInt) {
      const i = key.value < 0 ? obj.items.length + key.value : key.value;
      return obj.items[i] ?? UNKNOWN;
    }
    if (obj.kind === 'dict' && obj.exact && key.kind === 'string') {
      return obj.entries.find((e) => e.key === key.value)?.value ?? UNKNOWN;
    }
    return UNKNOWN;
  }

  private sequence(node: SyntaxNode, frame: Frame): ListValue {
    const flavor = node.type === 'set' ? 'set' : node.type === 'list' ? 'list' : 'tuple';
    const items: Value[] = [];
    const itemNodes: (SyntaxNode | undefined)[] = [];
    let exact = true;
    for (const c of node.namedChildren) {
      if (c.type === 'comment') continue;
      if (c.type === 'list_splat') {
        const inner = this.evaluate(c.namedChildren[0], frame);
        if (inner.kind === 'list' && inner.exact) {
          items.push(...inner.items);
          itemNodes.push(...inner.items.map(() => undefined));
        } else exact = false;
        continue;
      }
      items.push(this.evaluate(c, frame));
      itemNodes.push(c);
    }
    return { kind: 'list', items, exact, flavor, node, itemNodes };
  }

  private dictionary(node: SyntaxNode, frame: Frame): DictValue {
    const entries: DictEntry[] = [];
    let exact = true;
    for (const c of node.namedChildren) {
      if (c.type === 'pair') {
        const keyNode = c.childForFieldName('key');
        const valueNode = c.childForFieldName('value');
        const k = this.evaluate(keyNode, frame);
        const v = this.evaluate(valueNode, frame);
        if (k.kind === 'string') entries.push({ key: k.value, keyNode: keyNode ?? undefined, value: v, valueNode: valueNode ?? undefined, pairNode: c });
        else {
          exact = false;
          entries.push({ key: null, keyNode: keyNode ?? undefined, value: v, valueNode: valueNode ?? undefined, pairNode: c });
        }
      } else if (c.type === 'dictionary_splat') {
        const inner = this.evaluate(c.namedChildren[0], frame);
        if (inner.kind === 'dict' && inner.exact) entries.push(...inner.entries.map((e) => ({ key: e.key, value: e.value })));
        else exact = false;
      }
    }
    return { kind: 'dict', entries, exact, node };
  }

  private comprehension(node: SyntaxNode, frame: Frame): Value {
    const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const body = node.childForFieldName('body');
    const forClauses = clauses.filter((c) => c.type === 'for_in_clause');
    if (!body || forClauses.length !== 1 || clauses[0].type !== 'for_in_clause') {
      for (const c of node.namedChildren) if (isExpression(c)) this.evaluate(c, frame);
      return UNKNOWN;
    }
    const clause = forClauses[0];
    const target = clause.childForFieldName('left');
    const iterable = this.evaluate(clause.childForFieldName('right'), frame);
    if (target) this.noteGroupKeyReads(clause.childForFieldName('right'), target, node, frame);
    const ifs = clauses.filter((c) => c.type === 'if_clause').map((c) => c.namedChildren[0]).filter(Boolean);
    if (iterable.kind === 'paramsource' && target) {
      this.consume(iterable, node, 'comprehension');
      const it = this.paramIterFor(target, iterable);
      // What is collected must be the parameter itself (or `name: param` in a dict comprehension).
      const collected = node.type === 'dictionary_comprehension' ? body.childForFieldName('value') : body;
      const key = node.type === 'dictionary_comprehension' ? body.childForFieldName('key') : undefined;
      if (!collected || collected.text !== it.paramVar || (key && key.text !== it.nameVar)) return UNKNOWN;
      const lookup = lookupAsNow(frame.scope, ifs);
      const filters: ParamFilter[] = ifs.map((cond) => ({
        text: cond.text,
        iteratesEmpty: iteratesEmptyList(cond, lookup),
        node: cond,
        test: (qname, leaf) => evaluatePredicate(cond, { nameVar: it.nameVar, paramVar: it.paramVar, lookup }, qname, leaf),
      }));
      const source: ParamSourceValue = {
        kind: 'paramsource',
        selections: iterable.selections.map((s) => withFilters(s, filters)),
        consumable: node.type === 'generator_expression',
        named: node.type === 'dictionary_comprehension',
        node,
      };
      // `{p for p in ...}` is a set, as `set(...)` is: unordered.
      if (node.type === 'set_comprehension') return { kind: 'list', items: [source], exact: true, flavor: 'set', node };
      return source;
    }
    // `[Block() for _ in range(n)]` with a known n: build n distinct modules.
    if (ifs.length === 0 && target?.type === 'identifier' && iterable.kind === 'list' && iterable.exact && iterable.items.length <= MAX_UNROLL && node.type !== 'dictionary_comprehension') {
      const items: Value[] = [];
      const inner = new Scope(frame.scope);
      const innerFrame: Frame = { ...frame, scope: inner };
      for (const item of iterable.items) {
        inner.set(target.text, item);
        items.push(this.evaluate(body, innerFrame));
      }
      return { kind: 'list', items, exact: true, flavor: node.type === 'set_comprehension' ? 'set' : 'list', node };
    }
    if (iterable.kind === 'list' || iterable.kind === 'unknown') {
      // Evaluate the body once so constructors inside are seen; the result is unknown.
      const inner = new Scope(frame.scope);
      if (target) this.assignTarget(target, UNKNOWN, { ...frame, scope: inner });
      this.evaluate(body, { ...frame, scope: inner });
    }
    return UNKNOWN;
  }

  // ---------------------------------------------------------------- calls

  private evaluateArgs(argsNode: SyntaxNode | null, frame: Frame): { args: CallArgs; nodes: { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode>; kwNodes: Map<string, SyntaxNode> }; hasSplat: boolean } {
    const positional: Value[] = [];
    const posNodes: SyntaxNode[] = [];
    // Most calls have no keyword: they share one empty map (nothing writes these maps later).
    const withKeywords = argsNode?.type !== 'generator_expression' && argsNode?.namedChildren.some((a) => a.type === 'keyword_argument' || a.type === 'dictionary_splat');
    const keywords: Map<string, Value> = withKeywords ? new Map() : (NO_KEYWORDS as Map<string, never>);
    const kwNodes: Map<string, SyntaxNode> = withKeywords ? new Map() : (NO_KEYWORDS as Map<string, never>);
    const kwArgNodes: Map<string, SyntaxNode> = withKeywords ? new Map() : (NO_KEYWORDS as Map<string, never>);
    let hasSplat = false;
    // `f(x for x in y)`: the arguments node is the generator expression itself.
    const argNodes = argsNode?.type === 'generator_expression' ? [argsNode] : (argsNode?.namedChildren ?? []);
    for (const a of argNodes) {
      if (a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text ?? '';
        const valueNode = a.childForFieldName('value');
        keywords.set(name, this.evaluate(valueNode, frame));
        if (valueNode) kwNodes.set(name, valueNode);
        kwArgNodes.set(name, a);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        const inner = this.evaluate(a.namedChildren[0], frame);
        if (a.type === 'list_splat' && inner.kind === 'list' && inner.exact) {
          positional.push(...inner.items);
          posNodes.push(...inner.items.map(() => a));
        } else if (a.type === 'dictionary_splat' && inner.kind === 'dict' && inner.exact && inner.entries.every((e) => e.key !== null)) {
          for (const e of inner.entries) {
            keywords.set(e.key!, e.value);
            if (e.valueNode) kwNodes.set(e.key!, e.valueNode);
            kwArgNodes.set(e.key!, e.pairNode ?? a);
          }
        } else hasSplat = true;
      } else {
        positional.push(this.evaluate(a, frame));
        posNodes.push(a);
      }
    }
    return { args: { positional, keywords }, nodes: { positional: posNodes, keywords: kwNodes, kwNodes: kwArgNodes }, hasSplat };
  }

  private call(node: SyntaxNode, frame: Frame): Value {
    const fnNode = node.childForFieldName('function');
    const argsNode = node.childForFieldName('arguments');
    if (!fnNode) return UNKNOWN;
    // Method calls: evaluate the receiver first.
    if (fnNode.type === 'attribute') {
      const objNode = fnNode.childForFieldName('object');
      const method = fnNode.childForFieldName('attribute')?.text ?? '';
      // super().__init__(...)
      if (objNode?.type === 'call' && objNode.childForFieldName('function')?.text === 'super') {
        const self = frame.scope.lookup('self');
        const evaluated = this.evaluateArgs(argsNode, frame);
        const owner = this.currentClass(frame);
        if (method === '__init__' && owner?.parent && self) {
          this.runInit(owner.parent, self, evaluated.args);
        }
        return UNKNOWN;
      }
      if (objNode && (method === 'parameters' || method === 'named_parameters')) this.assumeModule(objNode, frame);
      const receiver = this.evaluate(objNode, frame);
      if (receiver.kind !== 'ref') {
        return this.methodCall(node, receiver, method, argsNode, frame);
      }
    }
    const callee = this.evaluate(fnNode, frame);
    const evaluated = this.evaluateArgs(argsNode, frame);
    if (callee.kind === 'ref') return this.libraryCall(node, callee.path, evaluated, frame);
    if (callee.kind === 'class') {
      return this.instantiate(callee.cls, evaluated.args, node, false);
    }
    if (callee.kind === 'function') {
      return this.callFunction(callee, evaluated.args.positional, evaluated.args.keywords, {});
    }
    return UNKNOWN;
  }

  /**
   * `x.parameters()` on a variable the walker knows nothing about (a model from
   * `AutoModel.from_pretrained`, an import): `x` is an `nn.Module` whose contents are unknown.
   * Binding it to one opaque module keeps later uses (`x.classifier.parameters()`) related to it,
   * so overlapping groups stay visible while everything content-dependent stays quiet.
   */
  private assumeModule(objNode: SyntaxNode, frame: Frame): void {
    let base = objNode;
    while (base.type === 'attribute' || base.type === 'subscript') {
      const inner = base.childForFieldName(base.type === 'attribute' ? 'object' : 'value');
      if (!inner) return;
      base = inner;
    }
    if (base.type !== 'identifier' || base.text === 'self') return;
    const current = frame.scope.lookup(base.text);
    if (current && current.kind !== 'unknown') return;
    const m = new ModuleNode('?', 'unknown', base.text, base);
    m.complete = false;
    frame.scope.set(base.text, { kind: 'module', module: m });
  }

  private currentClass(frame: Frame): ClassInfo | undefined {
    const self = frame.scope.lookup('__class__');
    return self && self.kind === 'class' ? self.cls : undefined;
  }

  /** For `self.x = ...` in a method: the method's class (undefined for other targets). */
  private selfClass(target: SyntaxNode, frame: Frame): ClassInfo | undefined {
    return target.childForFieldName('object')?.text === 'self' ? this.currentClass(frame) : undefined;
  }

  /** Step calls already recorded, by call and what it steps. */
  private readonly recordedSteps = new Map<number, Set<OptimizerModel | SchedulerModel>>();

  /**
   * Records a `.step()` call the first time it is met for what it steps: the rules read the first
   * record of each call (see uniqueSteps in schedule/loops.ts), and a loop unrolled over 200
   * iterations would otherwise add one per iteration, and never look settled (see `changedSince`).
   */
  private recordStep(call: StepCall): void {
    const target = (call.optimizer ?? call.scheduler)!;
    let seen = this.recordedSteps.get(call.node.startIndex);
    if (!seen) this.recordedSteps.set(call.node.startIndex, (seen = new Set()));
    if (seen.has(target)) return;
    seen.add(target);
    this.steps.push(call);
  }

  private methodCall(node: SyntaxNode, receiver: Value, method: string, argsNode: SyntaxNode | null, frame: Frame): Value {
    const evaluated = this.evaluateArgs(argsNode, frame);
    // Changes in place are counted where the walker makes them (see `mutations`): a method it does
    // not follow changes nothing it knows, and a user method's body counts its own changes.
    if (method === 'add_param_group' && receiver.kind !== 'optimizer') this.unknownGroupAdds.push(node);
    const { positional, keywords } = evaluated.args;
    if (receiver.kind === 'unknown' && receiver.alternatives && method === 'step') {
      for (const alt of receiver.alternatives) {
        if (alt.kind === 'scheduler') this.recordStep({ node, target: 'scheduler', scheduler: alt.scheduler, loops: [...frame.loops] });
      }
      return UNKNOWN;
    }
    if (PASS_THROUGH_METHODS.has(method) && receiver.kind === 'unknown' && !evaluated.hasSplat && keywords.size === 0 && positional.some((v) => v.kind === 'optimizer' || v.kind === 'scheduler')) {
      // accelerate's `accelerator.prepare(model, optimizer, loader, scheduler)`, Lightning Fabric's
      // `fabric.setup(model, optimizer)`: each argument comes back wrapped, with the same
      // parameter groups, and the script goes on with the wrappers.
      return positional.length === 1 ? positional[0] : { kind: 'list', items: [...positional], exact: true, flavor: 'tuple' };
    }
    if (receiver.kind === 'param' && receiver.leaf.owner === PENDING_OWNER && CAST_METHODS.has(method)) {
      // A new Parameter cast or moved before it is stored: the result is a plain tensor (but
      // `.to("cpu")` of a tensor made on the CPU is the Parameter itself).
      const toCpu = method === 'to' && positional.length === 1 && keywords.size === 0 && positional[0].kind === 'string' && positional[0].value === 'cpu';
      if (!toCpu) this.castParameters.set(node.startIndex, method);
      return UNKNOWN;
    }
    if (method === 'requires_grad_' && (receiver.kind === 'param' || receiver.kind === ('paramiter' as string))) {
      // `p.requires_grad_(False)`: as `p.requires_grad = False` (the flag defaults to True).
      const flag = positional[0] ?? keywords.get('requires_grad') ?? { kind: 'bool', value: true };
      if (receiver.kind === 'param') this.setParamRequiresGrad(receiver.leaf, flag, node);
      else this.paramIterAssignment(receiver as unknown as ParamIter, 'requires_grad', flag, node, frame);
      return receiver;
    }
    if (receiver.kind === 'module') {
      const m = receiver.module;
      switch (method) {
        case 'parameters':
        case 'named_parameters': {
          const recurse = keywords.get('recurse') ?? positional[method === 'parameters' ? 0 : 1];
          const sel: Selection = { root: m, expr: node.childForFieldName('function')!.childForFieldName('object')!.text, node };
          const prefix = method === 'named_parameters' ? (keywords.get('prefix') ?? positional[0]) : undefined;
          if (prefix) sel.namePrefix = prefix.kind === 'string' ? (prefix.value ? `${prefix.value}.` : '') : null;
          if (recurse && recurse.kind === 'bool' && !recurse.value) {
            // Own parameters only: a filter on the qualified name having no dot.
            sel.filter = { text: 'recurse=False', node, test: (q) => !q.includes('.') };
          }
          return { kind: 'paramsource', selections: [sel], consumable: true, named: method === 'named_parameters', node };
        }
        case 'load_state_dict':
          if (!m.pretrained) this.mutations++;
          m.pretrained = true;
          return UNKNOWN;
        case 'requires_grad_': {
          const flag = positional[0] ?? keywords.get('requires_grad') ?? { kind: 'bool', value: true };
          this.recordFreeze(node, [{ root: m, expr: node.text, node }], flag.kind === 'bool' ? flag.value : undefined);
          return receiver;
        }
        case 'children':
        case 'named_children':
        case 'modules':
        case 'named_modules': {
          if (!m.complete) return UNKNOWN;
          if (method === 'children') {
            return { kind: 'list', items: childValues(m), exact: true, flavor: 'list' };
          }
          if (method === 'named_children') {
            return {
              kind: 'list',
              items: [...m.children.entries()].map(([n, c]) => ({ kind: 'list' as const, items: [str(n), { kind: 'module' as const, module: c }], exact: true, flavor: 'tuple' as const })),
              exact: true,
              flavor: 'list',
            };
          }
          return UNKNOWN;
        }
        case 'add_module':
        case 'register_module': {
          this.mutations++;
          const [name, child] = positional;
          if (name?.kind === 'string' && child?.kind === 'module') m.addChild(name.value, child.module);
          else m.complete = false;
          invalidateCounts(m);
          return { kind: 'none' };
        }
        case 'register_parameter': {
          this.mutations++;
          const [name, p] = positional;
          if (name?.kind === 'string' && p?.kind === 'param') {
            if (p.leaf.owner === PENDING_OWNER) p.leaf.owner = m;
            m.ownParams.set(name.value, p.leaf);
          } else m.complete = false;
          invalidateCounts(m);
          return { kind: 'none' };
        }
        default:
          if (CONTAINER_METHODS.has(method) && (isSequence(m) || m.type === 'ModuleDict')) {
            const out = this.changeChildren(m, method, positional);
            if (method === 'pop') return out instanceof ModuleNode ? { kind: 'module', module: out } : UNKNOWN;
            return method === 'append' || method === 'extend' || method === 'insert' ? receiver : { kind: 'none' };
          }
          if (SELF_RETURNING.has(method)) return receiver;
          if (m.origin === 'user') {
            const fn = this.findMethod(m.type, method);
            if (fn) return this.callFunction(fn, [receiver, ...positional], keywords, {});
          }
          return UNKNOWN;
      }
    }
    if (receiver.kind === 'list') {
      if (LIST_CHANGES.has(method)) this.mutations++;
      switch (method) {
        case 'append':
          receiver.items.push(positional[0] ?? UNKNOWN);
          this.maybeAdded(receiver, positional[0], frame);
          if (!positional[0] || (positional[0].kind === 'unknown' && !positional[0].alternatives)) {
            this.unknownAppends++;
            this.appendedTo?.add(receiver);
          }
          return { kind: 'none' };
        case 'extend': {
          const x = positional[0];
          if (x?.kind === 'list') {
            receiver.items.push(...x.items);
            if (!x.exact) receiver.exact = false;
          } else receiver.exact = false;
          this.maybeAdded(receiver, x, frame);
          return { kind: 'none' };
        }
        case 'insert':
          receiver.exact = false;
          return { kind: 'none' };
        case 'pop': {
          // `groups.pop(1)`, `groups.pop()`: followed where it surely runs and the index is known.
          const index = positional.length === 0 ? { kind: 'number' as const, value: -1 } : positional[0];
          const i = index?.kind === 'number' && Number.isInteger(index.value) ? (index.value < 0 ? receiver.items.length + index.value : index.value) : -1;
          if (this.undecidedDepth === 0 && receiver.exact && i >= 0 && i < receiver.items.length) {
            receiver.itemNodes?.splice(i, 1);
            return receiver.items.splice(i, 1)[0];
          }
          this.forgetItems(receiver);
          return UNKNOWN;
        }
        case 'clear':
          if (this.undecidedDepth === 0) {
            receiver.items.length = 0;
            receiver.itemNodes = undefined;
            receiver.exact = true;
            receiver.forgotten = undefined;
          } else this.forgetItems(receiver);
          return { kind: 'none' };
        case 'remove':
        case 'sort':
        case 'reverse':
          this.forgetItems(receiver);
          return { kind: 'none' };
        default:
          return UNKNOWN;
      }
    }
    if (receiver.kind === 'dict') {
      if (method === 'items' || method === 'values' || method === 'keys') return UNKNOWN;
      if (method === 'update' && receiver.exact) {
        this.mutations++;
        receiver.exact = false;
      }
      return UNKNOWN;
    }
    if (receiver.kind === 'paramsource') {
      // `{n: p for n, p in model.named_parameters()}.items()` and `.values()`.
      if (method === 'items' && receiver.named) return { ...receiver, consumable: false };
      if (method === 'values' && receiver.named) return { ...receiver, named: false, consumable: false };
      return UNKNOWN;
    }
    if (receiver.kind === 'optimizer') {
      if (method === 'add_param_group') {
        const [group] = positional;
        // Under a condition in a loop (`if epoch == unfreeze_at:`), the walker visits the call on
        // every iteration, while Python runs it on few: add the group once.
        const key = `${receiver.optimizer.id}:${node.startIndex}`;
        if (frame.conditions.length && this.conditionalGroupAdds.has(key)) return { kind: 'none' };
        this.conditionalGroupAdds.add(key);
        this.mutations++;
        addParamGroup(receiver.optimizer, group ?? UNKNOWN, evaluated.nodes.positional[0] ?? node, this.torchVersion);
        return { kind: 'none' };
      }
      if (method === 'step') this.recordStep({ node, target: 'optimizer', optimizer: receiver.optimizer, loops: [...frame.loops] });
      return UNKNOWN;
    }
    if (receiver.kind === 'scheduler') {
      if (method === 'step') this.recordStep({ node, target: 'scheduler', scheduler: receiver.scheduler, loops: [...frame.loops] });
      return UNKNOWN;
    }
    if (receiver.kind === 'object') {
      const fn = this.findMethod(receiver.className, method);
      if (fn) return this.callFunction(fn, [receiver, ...positional], keywords, {});
    }
    return UNKNOWN;
  }

  private readonly classes = new Map<string, ClassInfo>();
  private readonly conditionalGroupAdds = new Set<string>();
  /** Keys read from the `param_groups` of optimizers the walker could not identify. */
  readonly groupKeysRead = new Set<string>();

  /** Whether a class of the file that `m` is an instance of reads `self.requires_grad` (see ModuleFlagAssignment.readByClass). */
  private classReadsOwnFlag(m: ModuleNode): boolean {
    if (m.origin !== 'user') return false;
    for (let cls = this.classes.get(m.type); cls; cls = cls.parent) {
      if (/\bself\.requires_grad\b(?!\s*=[^=])/.test(cls.node.text)) return true;
    }
    return false;
  }

  private findMethod(className: string, method: string): FunctionValue | undefined {
    for (let cls = this.classes.get(className); cls; cls = cls.parent) {
      const def = cls.methods.get(method);
      if (def) return { kind: 'function', name: method, node: def, closure: this.globals, owner: cls };
    }
    return undefined;
  }

  private libraryCall(node: SyntaxNode, path: string, evaluated: ReturnType<Walker['evaluateArgs']>, frame: Frame): Value {
    const { positional, keywords } = evaluated.args;
    const p = normaliseRef(path);
    if (p.startsWith('torch.nn.') && !p.startsWith('torch.nn.functional') && !p.startsWith('torch.nn.utils') && !p.startsWith('torch.nn.init')) {
      const className = p.slice('torch.nn.'.length).split('.').pop()!;
      return this.nnConstructor(className, node, evaluated);
    }
    if (p.startsWith('torch.optim.lr_scheduler.') || p === 'torch.optim.swa_utils.SWALR' || HF_SCHEDULE_FACTORY.test(p)) {
      return this.scheduler(p.split('.').pop()!, node, evaluated);
    }
    if (p === 'torch.optim.swa_utils.AveragedModel') {
      // A module holding a deep copy of the model's parameters (new tensors): not an optimizer.
      const copy = new ModuleNode('AveragedModel', 'unknown', node.text, node);
      copy.complete = false;
      return this.track(copy);
    }
    if (p.startsWith('torch.optim.') && !p.startsWith('torch.optim.swa_utils.') && /^[A-Z]/.test(p.split('.').pop()!)) {
      const className = p.split('.').pop()!;
      // A generator iterated before this call yields nothing here.
      const consumedBefore = new Set<Value>(this.consumptions.filter((c) => !c.conditional).map((c) => c.source));
      const isExhausted = (v: Value): boolean => v.kind === 'paramsource' && v.consumable && consumedBefore.has(v);
      for (const [i, v] of positional.entries()) if (i === 0 && v.kind === 'paramsource') this.consume(v, node, 'optimizer', evaluated.nodes.positional[0]);
      const params = keywords.get('params');
      if (params?.kind === 'paramsource') this.consume(params, node, 'optimizer', evaluated.nodes.keywords.get('params'));
      const existing = this.seenOptimizerCalls.get(node.startIndex);
      if (existing) {
        existing.mayBeRebuilt = true;
        return { kind: 'optimizer', optimizer: existing };
      }
      const opt = buildOptimizer({ className, node, evaluated, torchVersion: this.torchVersion, isExhausted });
      opt.modulesBefore = this.modules.length;
      if (this.loopDepth > 0) opt.mayBeRebuilt = true;
      const self = this.currentClass(frame) ? frame.scope.lookup('self') : undefined;
      if (self?.kind === 'module') opt.owner = self.module;
      for (const g of opt.groups ?? []) {
        const why = g.dict && this.addedWhen.get(g.dict);
        if (why) g.mayBeMissing = why;
        const v = g.dict?.entries.find((e) => e.key === 'params')?.value;
        if (v?.kind === 'paramsource') this.consume(v, g.paramsNode ?? node, 'optimizer', g.paramsNode);
      }
      this.seenOptimizerCalls.set(node.startIndex, opt);
      this.optimizers.push(opt);
      return { kind: 'optimizer', optimizer: opt };
    }
    if (p.startsWith('torchvision.models.')) {
      const fn = p.split('.').pop()!;
      const m = createTorchvisionModule(fn, node.text, node, { positional, keywords, hasSplat: evaluated.hasSplat });
      if (m) {
        m.pretrained = torchvisionPretrained(keywords, evaluated.hasSplat);
        this.modules.push(m);
        return { kind: 'module', module: m };
      }
      const unknown = new ModuleNode('?', 'unknown', node.text, node);
      unknown.complete = false;
      return { kind: 'module', module: unknown };
    }
    switch (p) {
      case 'collections.OrderedDict':
      case 'dict': {
        const src = positional[0];
        if (p === 'dict' && !src) {
          return { kind: 'dict', entries: [...keywords].map(([k, v]) => ({ key: k, value: v })), exact: !evaluated.hasSplat, node };
        }
        if (src?.kind === 'list' && src.exact) {
          const entries: DictEntry[] = [];
          for (const item of src.items) {
            if (item.kind === 'list' && item.items.length === 2 && item.items[0].kind === 'string') entries.push({ key: item.items[0].value, value: item.items[1] });
            else return UNKNOWN;
          }
          return { kind: 'dict', entries, exact: true, node };
        }
        if (src?.kind === 'dict') return { ...src, node };
        return UNKNOWN;
      }
      case 'list':
      case 'tuple': {
        const src = positional[0];
        if (src?.kind === 'paramsource') {
          this.consume(src, node, 'list', evaluated.nodes.positional[0]);
          return { ...src, consumable: false, node };
        }
        if (src?.kind === 'list') return { ...src, items: [...src.items], flavor: p, node };
        if (!src) return { kind: 'list', items: [], exact: true, flavor: p, node };
        const children = sequenceItems(src);
        return children ? { kind: 'list', items: children, exact: true, flavor: p, node } : UNKNOWN;
      }
      case 'set': {
        const src = positional[0];
        if (src?.kind === 'paramsource') {
          this.consume(src, node, 'set', evaluated.nodes.positional[0]);
          return { kind: 'list', items: [src], exact: true, flavor: 'set', node };
        }
        return { kind: 'list', items: src ? [src] : [], exact: false, flavor: 'set', node };
      }
      case 'filter': {
        const [fn, src] = positional;
        if (src?.kind === 'paramsource' && fn?.kind === 'function' && fn.node.type === 'lambda') {
          const f = lambdaFilter(fn.node, frame.scope, src.named);
          if (f) return { kind: 'paramsource', selections: src.selections.map((s) => withFilters(s, [f])), consumable: true, named: src.named, node };
        }
        if (src?.kind === 'paramsource') this.consume(src, node, 'filter');
        return UNKNOWN;
      }
      case 'range': {
        const nums = positional.map((v) => (v.kind === 'number' && v.isInt ? v.value : undefined));
        if (nums.length === 0 || nums.some((n) => n === undefined) || keywords.size) return UNKNOWN;
        const [a, b, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
        if (step === 0) return UNKNOWN;
        const count = Math.max(0, Math.ceil((b - a) / step));
        if (count > MAX_UNROLL) return UNKNOWN;
        return { kind: 'list', items: Array.from({ length: count }, (_, i) => num(a + i * step, true)), exact: true, flavor: 'list', node };
      }
      case 'len': {
        const src = positional[0];
        if (src?.kind === 'list' && src.exact) return num(src.items.length, true);
        if (src?.kind === 'module' && src.module.complete && ['Sequential', 'ModuleList', 'ModuleDict'].includes(src.module.type)) {
          return num(src.module.children.size, true);
        }
        return UNKNOWN;
      }
      case 'delattr': {
        // delattr(model, "fc"): as `del model.fc`.
        const [obj, name] = positional;
        if (obj?.kind === 'module') {
          this.mutations++;
          if (name?.kind === 'string') deleteAttribute(obj.module, name.value);
          else {
            forgetChildren(obj.module);
            invalidateCounts(obj.module);
          }
        }
        return { kind: 'none' };
      }
      case 'setattr': {
        this.mutations++;
        // setattr(self, name, nn.Linear(...)): registered like an attribute assignment.
        const [obj, name, value] = positional;
        if (obj?.kind === 'module') {
          if (name?.kind === 'string' && value?.kind === 'module') obj.module.addChild(name.value, value.module);
          else if (value?.kind !== 'number' && value?.kind !== 'string' && value?.kind !== 'bool' && value?.kind !== 'none') obj.module.complete = false;
          invalidateCounts(obj.module);
        }
        return { kind: 'none' };
      }
      case 'float': {
        const v = positional[0];
        if (v?.kind === 'number') return num(v.value, false);
        if (v?.kind === 'string' && v.value.trim() !== '' && !Number.isNaN(Number(v.value))) return num(Number(v.value), false);
        return UNKNOWN;
      }
      case 'int': {
        const v = positional[0];
        if (v?.kind === 'number') return num(Math.trunc(v.value), true);
        return UNKNOWN;
      }
      case 'itertools.chain': {
        const sources = positional.filter((v): v is ParamSourceValue => v.kind === 'paramsource');
        if (sources.length === positional.length && sources.length > 0) {
          for (const s of sources) this.consume(s, node, 'chain');
          return { kind: 'paramsource', selections: sources.flatMap((s) => s.selections), consumable: true, named: sources.every((s) => s.named), node };
        }
        return UNKNOWN;
      }
      case 'torch.nn.utils.clip_grad_norm_':
      case 'torch.nn.utils.clip_grad_value_':
      case 'torch.nn.utils.clip_grad.clip_grad_norm_':
      case 'sum': {
        const src = positional[0];
        if (src?.kind === 'paramsource') this.consume(src, node, p === 'sum' ? 'sum' : 'clip', evaluated.nodes.positional[0]);
        return UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  private nnConstructor(className: string, node: SyntaxNode, evaluated: ReturnType<Walker['evaluateArgs']>): Value {
    const { positional, keywords } = evaluated.args;
    const expr = node.text;
    switch (className) {
      case 'Parameter': {
        const leaf = new ParamLeaf(PENDING_OWNER, '?', undefined, undefined);
        // `nn.Parameter(data, requires_grad=False)`: a fixed tensor (MAE's sin-cos `pos_embed`).
        const flag = keywords.get('requires_grad') ?? positional[1];
        if (flag) {
          leaf.requiresGrad = flag.kind === 'bool' ? flag.value : 'unknown';
          if (leaf.requiresGrad !== true) leaf.frozenAt = node;
        }
        return { kind: 'param', leaf };
      }
      case 'Sequential': {
        if (positional.length === 1 && positional[0].kind === 'dict') {
          const d = positional[0];
          const children: Array<[string, ModuleNode]> = [];
          let exact = d.exact && !evaluated.hasSplat;
          for (const e of d.entries) {
            if (e.key !== null && e.value.kind === 'module') children.push([e.key, e.value.module]);
            else exact = false;
          }
          return this.track(createContainer('Sequential', children, { exact, expr, node }));
        }
        const children: Array<[string, ModuleNode]> = [];
        let exact = !evaluated.hasSplat;
        positional.forEach((v, i) => {
          if (v.kind === 'module') children.push([String(i), v.module]);
          else exact = false;
        });
        return this.track(createContainer('Sequential', children, { exact, expr, node }));
      }
      case 'ModuleList': {
        const src = positional[0] ?? keywords.get('modules');
        if (!src) return this.track(createContainer('ModuleList', [], { exact: true, expr, node }));
        if (src.kind === 'list') {
          const children: Array<[string, ModuleNode]> = [];
          let exact = src.exact;
          src.items.forEach((v, i) => {
            if (v.kind === 'module') children.push([String(i), v.module]);
            else exact = false;
          });
          return this.track(createContainer('ModuleList', children, { exact, expr, node }));
        }
        return this.track(createContainer('ModuleList', [], { exact: false, expr, node }));
      }
      case 'ModuleDict': {
        const src = positional[0] ?? keywords.get('modules');
        if (!src) return this.track(createContainer('ModuleDict', [], { exact: true, expr, node }));
        if (src.kind === 'dict') {
          const children: Array<[string, ModuleNode]> = [];
          let exact = src.exact;
          for (const e of src.entries) {
            if (e.key !== null && e.value.kind === 'module') children.push([e.key, e.value.module]);
            else exact = false;
          }
          return this.track(createContainer('ModuleDict', children, { exact, expr, node }));
        }
        return this.track(createContainer('ModuleDict', [], { exact: false, expr, node }));
      }
      case 'Module':
        return this.track(new ModuleNode('Module', 'torch.nn', expr, node));
      case 'DataParallel':
      case 'DistributedDataParallel': {
        // A wrapper: its parameters are the wrapped module's, named `module.<name>`.
        const inner = positional[0] ?? keywords.get('module');
        const wrapped = inner?.kind === 'module' ? [['module', inner.module] as [string, ModuleNode]] : [];
        return this.track(createContainer(className, wrapped, { exact: wrapped.length === 1 && !evaluated.hasSplat, expr, node }));
      }
      default: {
        const fact = getModuleFact(className);
        if (!fact && !/^[A-Z]/.test(className)) return UNKNOWN;
        // Other containers (ParameterList, ParameterDict, ...) hold what they were given: unseen.
        if (fact?.container) {
          const m = new ModuleNode(className, 'torch.nn', expr, node);
          m.complete = false;
          return this.track(m);
        }
        return this.track(createNnModule(className, { positional, keywords }, expr, node));
      }
    }
  }

  private track(m: ModuleNode): Value {
    this.modules.push(m);
    return { kind: 'module', module: m };
  }

  private scheduler(className: string, node: SyntaxNode, evaluated: ReturnType<Walker['evaluateArgs']>): Value {
    const existing = this.seenSchedulerCalls.get(node.startIndex);
    if (existing) return { kind: 'scheduler', scheduler: existing };
    const args = evaluated.nodes.positional.map((n, i) => ({ name: String(i), node: n, value: evaluated.args.positional[i], keyword: false, argNode: n }));
    const keywordArgs = new Map(
      [...evaluated.args.keywords].map(([k, v]) => [k, { name: k, node: evaluated.nodes.keywords.get(k)!, value: v, keyword: true, argNode: evaluated.nodes.kwNodes.get(k)! }]),
    );
    // `get_scheduler(name, optimizer, ...)` and `ChainedScheduler(schedulers, optimizer=None)` take
    // the optimizer second; a ChainedScheduler without one uses its first scheduler's.
    const optIndex = className === 'get_scheduler' || className === 'ChainedScheduler' ? 1 : 0;
    let optValue = evaluated.args.positional[optIndex] ?? evaluated.args.keywords.get('optimizer');
    if (className === 'ChainedScheduler' && optValue?.kind !== 'optimizer') {
      const list = evaluated.args.positional[0] ?? evaluated.args.keywords.get('schedulers');
      const first = list?.kind === 'list' ? list.items[0] : undefined;
      if (first?.kind === 'scheduler' && first.scheduler.optimizer) optValue = { kind: 'optimizer', optimizer: first.scheduler.optimizer };
    }
    const s: SchedulerModel = {
      id: this.schedulers.length,
      className,
      call: node,
      calleeNode: node.childForFieldName('function')!,
      optimizer: optValue?.kind === 'optimizer' ? optValue.optimizer : undefined,
      args,
      keywordArgs,
    };
    this.seenSchedulerCalls.set(node.startIndex, s);
    this.schedulers.push(s);
    return { kind: 'scheduler', scheduler: s };
  }

  /** Records one iteration of a parameter source (generators run dry after the first). */
  consume(source: ParamSourceValue, node: SyntaxNode, sink: string, argNode?: SyntaxNode): void {
    if (!source.consumable) return;
    const variable = argNode?.type === 'identifier' ? argNode.text : undefined;
    const c: Consumption = { source, node: argNode ?? node, sink, variable, conditional: this.undecidedDepth > 0 };
    this.consumptions.push(c);
    this.consumptionPatterns.add(`${source.node.startIndex}:${c.node.startIndex}:${sink}:${variable ?? ''}:${c.conditional}`);
  }

  /**
   * Consumptions that differ from every earlier one in where the source was made, where it was
   * used and how: `clip_grad_norm_(model.parameters(), 1.0)` in a training loop makes a new
   * generator and uses it up in each iteration, the same use each time, which is no change (see
   * `effects`). Every use is still recorded, for the rules.
   */
  private readonly consumptionPatterns = new Set<string>();

  // ---------------------------------------------------------------- user code

  instantiate(cls: ClassInfo, args: CallArgs, node: SyntaxNode, standalone: boolean): Value {
    this.classes.set(cls.name, cls);
    for (let c = cls.parent; c; c = c.parent) this.classes.set(c.name, c);
    if (!cls.isModule) {
      const obj: Value = { kind: 'object', className: cls.name, attrs: new Map() };
      this.runInit(cls, obj, args, standalone);
      return obj;
    }
    const m = new ModuleNode(cls.name, 'user', node.text, node);
    if (cls.hasUnknownBase) m.complete = false;
    for (let c: ClassInfo | undefined = cls; c; c = c.parent) {
      c.gradFree ??= gradFreeAttributes(c.node);
      if (c.gradFree.size) m.gradFree = new Set([...(m.gradFree ?? []), ...c.gradFree]);
    }
    const self: Value = { kind: 'module', module: m };
    this.runInit(cls, self, args, standalone);
    this.modules.push(m);
    return self;
  }

  private runInit(cls: ClassInfo, self: Value, args: CallArgs, standalone = false): void {
    for (let c: ClassInfo | undefined = cls; c; c = c.parent) {
      const init = c.methods.get('__init__');
      if (init) {
        const fn: FunctionValue = { kind: 'function', name: '__init__', node: init, closure: this.globals, owner: c };
        this.callFunction(fn, [self, ...args.positional], args.keywords, { standalone });
        return;
      }
    }
  }

  private callFunction(fn: FunctionValue, positional: Value[], keywords: Map<string, Value>, options: { standalone?: boolean }): Value {
    if (this.callStack.length >= MAX_CALL_DEPTH || this.callStack.includes(fn.node)) return UNKNOWN;
    this.evaluatedFunctions.add(fn.node.startIndex);
    const scope = new Scope(fn.closure as Scope);
    if (fn.owner) scope.set('__class__', { kind: 'class', cls: fn.owner });
    const params = fn.node.childForFieldName('parameters');
    let i = 0;
    for (const p of params?.namedChildren ?? []) {
      let name: string | undefined;
      let defaultNode: SyntaxNode | null = null;
      if (p.type === 'identifier') name = p.text;
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
        name = p.childForFieldName('name')?.text;
        defaultNode = p.childForFieldName('value');
      } else if (p.type === 'typed_parameter') name = p.namedChildren.find((c) => c.type === 'identifier')?.text;
      else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') {
        const n = p.namedChildren[0]?.text;
        if (n) scope.set(n, UNKNOWN);
        continue;
      } else continue;
      if (!name) continue;
      let v: Value | undefined = i < positional.length ? positional[i] : keywords.get(name);
      if (v === undefined) {
        v = options.standalone || !defaultNode ? UNKNOWN : this.evaluate(defaultNode, { scope: fn.closure as Scope, conditions: [], loops: [] });
        if (options.standalone && defaultNode && name !== 'self') v = UNKNOWN;
      }
      scope.set(name, v);
      i++;
    }
    const frame: Frame = { scope, conditions: [], returns: [], loops: [] };
    this.callStack.push(fn.node);
    try {
      const body = fn.node.type === 'lambda' ? fn.node.childForFieldName('body') : fn.node.childForFieldName('body');
      if (!body) return UNKNOWN;
      if (fn.node.type === 'lambda') return this.evaluate(body, frame);
      this.block(body.namedChildren, frame);
    } finally {
      this.callStack.pop();
    }
    const returns = frame.returns ?? [];
    if (returns.length === 0) return { kind: 'none' };
    return returns.every((r) => r === returns[0]) ? returns[0] : UNKNOWN;
  }
}

/**
 * Whether `torchvision.models.x(...)` loads trained weights: `weights=None` (the default) does
 * not, any other known `weights` value or `pretrained=True` does; undefined when unknown.
 */
function torchvisionPretrained(keywords: Map<string, Value>, hasSplat: boolean): boolean | undefined {
  const weights = keywords.get('weights');
  const legacy = keywords.get('pretrained');
  if (weights) return weights.kind === 'none' ? false : weights.kind === 'unknown' ? undefined : true;
  if (legacy) return legacy.kind === 'bool' ? legacy.value : undefined;
  return hasSplat ? undefined : false;
}

/**
 * Whether an expression the walker could not evaluate may still produce a module: a call, a name,
 * an attribute... but not arithmetic, a comparison or a literal.
 */
function mayBeModule(node: SyntaxNode | undefined): boolean {
  // No expression (`self.n += 1`): an update of something already there.
  if (!node) return false;
  if (node.type === 'parenthesized_expression') return mayBeModule(node.namedChildren.find((c) => c.type !== 'comment'));
  return ['call', 'identifier', 'attribute', 'subscript', 'conditional_expression', 'boolean_operator', 'await'].includes(node.type);
}

/**
 * `self.x` attributes a class body only uses without gradient (see ModuleNode.gradFree): read
 * under `with torch.no_grad():` (or `inference_mode()`), or inside an expression that is
 * `.detach()`ed. An attribute also used elsewhere in the class with gradient is not one of them.
 */
function gradFreeAttributes(cls: SyntaxNode): Set<string> {
  if (!/no_grad|inference_mode|\.detach\(/.test(cls.text)) return new Set();
  const inside = new Set<number>();
  const free = new Set<string>();
  const collect = (n: SyntaxNode): void => {
    for (const a of [n, ...n.descendantsOfType('attribute')]) {
      if (inside.has(a.startIndex)) continue;
      const attr = selfAttribute(a);
      if (attr) {
        inside.add(a.startIndex);
        free.add(attr);
      }
    }
  };
  for (const w of cls.descendantsOfType('with_statement')) {
    const clause = w.namedChildren.find((c) => c.type === 'with_clause');
    if (clause && /\b(no_grad|inference_mode)\s*\(/.test(clause.text)) {
      const body = w.childForFieldName('body');
      if (body) collect(body);
    }
  }
  for (const c of cls.descendantsOfType('call')) {
    const f = c.childForFieldName('function');
    if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'detach') {
      const obj = f.childForFieldName('object');
      if (obj) collect(obj);
    }
  }
  if (!free.size) return free;
  // Any other use of `self.x` (a call with gradient, `self.x.parameters()`) takes it out;
  // assigning it (`self.x = ...` in `__init__`) is not a use.
  for (const a of cls.descendantsOfType('attribute')) {
    if (inside.has(a.startIndex)) continue;
    const attr = selfAttribute(a);
    if (!attr || !free.has(attr)) continue;
    const parent = a.parent;
    const assigned = parent?.type === 'assignment' && parent.childForFieldName('left')?.startIndex === a.startIndex;
    if (!assigned) free.delete(attr);
  }
  return free;
}

/** `x` for a `self.x` node, else undefined. */
function selfAttribute(n: SyntaxNode): string | undefined {
  if (n.type !== 'attribute') return undefined;
  const obj = n.childForFieldName('object');
  return obj?.type === 'identifier' && obj.text === 'self' ? n.childForFieldName('attribute')?.text : undefined;
}

/** A module of a model the walker cannot see into (an import, an argument), or inside one. */
function isOpaque(m: ModuleNode): boolean {
  return topModule(m).origin === 'unknown';
}

/** Whether a condition in `body` (`if`, `elif`, `while`, `x if c else y`) reads one of `names`. */
function decidesOn(body: SyntaxNode, names: Set<string>): boolean {
  for (const c of body.descendantsOfType(['if_statement', 'elif_clause', 'while_statement', 'conditional_expression'])) {
    const cond = c.type === 'conditional_expression' ? c : c.childForFieldName('condition');
    if (cond && someWord(cond.text, (w) => names.has(w))) return true;
  }
  return false;
}

/**
 * Tensor methods that return a copy, which is a plain tensor even when called on a Parameter:
 * always for the casts here, for `.to(...)` only when it moves or casts (torch 1.13 and 2.x).
 * `.float()` (a no-op on the default dtype) and `.cuda()` (not checkable on a CPU) are left out.
 */
const CAST_METHODS = new Set(['double', 'half', 'bfloat16', 'to']);

/** Owner placeholder for an `nn.Parameter(...)` not yet assigned to a module attribute. */
const PENDING_OWNER = new ModuleNode('?', 'unknown', '', undefined);

const BUILTINS = new Set(['list', 'tuple', 'set', 'dict', 'filter', 'range', 'len', 'float', 'int', 'sum', 'object', 'map', 'sorted', 'print', 'enumerate', 'zip', 'iter', 'next', 'super', 'isinstance', 'min', 'max', 'abs', 'round', 'str', 'bool', 'setattr', 'delattr']);

/** Hugging Face schedule factories (`transformers.get_cosine_schedule_with_warmup`, `get_scheduler`). */
const HF_SCHEDULE_FACTORY = /^transformers\.(?:optimization\.)?get_(?:\w*_schedule\w*|scheduler)$/;

/** normaliseRef's answers: a few hundred distinct paths cover a corpus; cleared if it ever grows large. */
const NORMALISED = new Map<string, string>();

function normaliseRef(path: string): string {
  let out = NORMALISED.get(path);
  if (out === undefined) {
    if (NORMALISED.size >= 10_000) NORMALISED.clear();
    out = normaliseRefUncached(path);
    NORMALISED.set(path, out);
  }
  return out;
}

function normaliseRefUncached(path: string): string {
  return path
    .replace(/^torch\.nn\.modules\.[a-z_]+\./, 'torch.nn.')
    .replace(/^torch\.optim\.(adam|adamw|sgd|adagrad|adadelta|adamax|asgd|nadam|radam|rmsprop|rprop|lbfgs|sparse_adam|adafactor)\./, 'torch.optim.')
    .replace(/^torchvision\.models\.[a-z_0-9]+\.(?=[a-z])/, 'torchvision.models.')
    .replace(/^itertools\.chain\.from_iterable$/, 'itertools.chain_from_iterable');
}

function isExpression(node: SyntaxNode): boolean {
  return node.isNamed && node.type !== 'comment' && node.type !== 'block' && !node.type.endsWith('_statement') && !node.type.endsWith('_clause');
}

function binaryOp(op: string, l: Value, r: Value): Value {
  if (l.kind === 'number' && r.kind === 'number') {
    const bothInt = l.isInt && r.isInt;
    switch (op) {
      case '+':
        return num(l.value + r.value, bothInt);
      case '-':
        return num(l.value - r.value, bothInt);
      case '*':
        return num(l.value * r.value, bothInt);
      case '/':
        return r.value === 0 ? UNKNOWN : num(l.value / r.value, false);
      case '//':
        return r.value === 0 ? UNKNOWN : num(Math.floor(l.value / r.value), bothInt);
      case '%': {
        if (r.value === 0) return UNKNOWN;
        let m = l.value % r.value;
        if (m !== 0 && m < 0 !== r.value < 0) m += r.value;
        return num(m, bothInt);
      }
      case '**': {
        const v = l.value ** r.value;
        return Number.isFinite(v) ? num(v, bothInt && r.value >= 0) : UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }
  if (op === '+' && l.kind === 'list' && r.kind === 'list' && l.flavor === r.flavor) {
    return { kind: 'list', items: [...l.items, ...r.items], exact: l.exact && r.exact, flavor: l.flavor };
  }
  if (op === '+' && l.kind === 'string' && r.kind === 'string') return str(l.value + r.value);
  // `list(a.parameters()) + list(b.parameters())`: lists of parameters concatenate (generators
  // cannot be added, so those stay unknown).
  if (op === '+' && l.kind === 'paramsource' && r.kind === 'paramsource' && !l.consumable && !r.consumable) {
    return { kind: 'paramsource', selections: [...l.selections, ...r.selections], consumable: false, named: l.named && r.named, node: l.node };
  }
  if (op === '|' && l.kind === 'list' && r.kind === 'list' && l.flavor === 'set' && r.flavor === 'set') {
    return { kind: 'list', items: [...l.items, ...r.items], exact: l.exact && r.exact, flavor: 'set' };
  }
  return UNKNOWN;
}

function containerKey(m: ModuleNode, index: number): string | undefined {
  const keys = [...m.children.keys()];
  if (!m.complete && index < 0) return undefined;
  const i = index < 0 ? keys.length + index : index;
  if (i < 0 || i >= keys.length) return undefined;
  return keys[i];
}

function sliceParts(node: SyntaxNode, ev: (n: SyntaxNode) => Value): [number | undefined, number | undefined, number | undefined] | undefined {
  // slice children: [start] ':' [stop] [':' [step]]
  const parts: (SyntaxNode | undefined)[] = [undefined];
  for (const c of node.children) {
    if (c.type === ':') parts.push(undefined);
    else parts[parts.length - 1] = c;
  }
  const out: (number | undefined)[] = [];
  for (const p of parts) {
    if (!p) {
      out.push(undefined);
      continue;
    }
    const v = ev(p);
    if (v.kind !== 'number' || !v.isInt) return undefined;
    out.push(v.value);
  }
  return [out[0], out[1], out[2]];
}

function pySlice<T>(items: T[], [start, stop, step]: [number | undefined, number | undefined, number | undefined]): T[] | undefined {
  const n = items.length;
  const s = step ?? 1;
  if (s === 0) return undefined;
  const norm = (v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (v < 0) v += n;
    return s > 0 ? Math.min(Math.max(v, 0), n) : Math.min(Math.max(v, -1), n - 1);
  };
  const a = norm(start, s > 0 ? 0 : n - 1);
  const b = norm(stop, s > 0 ? n : -1);
  const out: T[] = [];
  for (let i = a; s > 0 ? i < b : i > b; i += s) out.push(items[i]);
  return out;
}

function withFilters(sel: Selection, filters: ParamFilter[]): Selection {
  if (filters.length === 0) return sel;
  // The code's filters see the names with the selection's prefix.
  const prefix = sel.namePrefix;
  const added =
    prefix === undefined || prefix === ''
      ? filters
      : filters.map((f): ParamFilter => ({ ...f, test: (q, leaf) => (prefix === null ? undefined : f.test(prefix + q, leaf)) }));
  const all = sel.filter ? [sel.filter, ...added] : added;
  return {
    ...sel,
    filter: {
      text: all.map((f) => f.text).join(' and '),
      iteratesEmpty: all.some((f) => f.iteratesEmpty),
      node: filters[filters.length - 1].node,
      test: (q, leaf) => {
        let result: boolean | undefined = true;
        for (const f of all) {
          const r = f.test(q, leaf);
          if (r === false) return false;
          if (r === undefined) result = undefined;
        }
        return result;
      },
    },
  };
}

/** `lambda p: p.requires_grad` (or any predicate over one parameter) as a filter. */
function lambdaFilter(lambda: SyntaxNode, scope: Scope, named: boolean): ParamFilter | undefined {
  const params = lambda.childForFieldName('parameters')?.namedChildren ?? [];
  const body = lambda.childForFieldName('body');
  if (params.length !== 1 || params[0].type !== 'identifier' || !body || named) return undefined;
  const paramVar = params[0].text;
  const lookup = lookupAsNow(scope, [body]);
  return {
    text: body.text,
    iteratesEmpty: iteratesEmptyList(body, lookup),
    node: body,
    test: (q, leaf) => evaluatePredicate(body, { paramVar, lookup }, q, leaf),
  };
}

/** A `for x in <empty list>` clause inside a predicate, with variables read as `lookup` gives them. */
function iteratesEmptyList(node: SyntaxNode, lookup: (name: string) => Value | undefined): boolean {
  for (const clause of node.descendantsOfType('for_in_clause')) {
    const right = clause.childForFieldName('right');
    if (!right) continue;
    if ((right.type === 'list' || right.type === 'tuple') && right.namedChildren.every((c) => c.type === 'comment')) return true;
    const v = right.type === 'identifier' ? lookup(right.text) : undefined;
    if (v?.kind === 'list' && v.exact && v.items.length === 0) return true;
  }
  return false;
}

/**
 * Filters are tested long after they are built (by rules, after the whole file was walked): the
 * variables they read (`no_decay`) must keep the value they had here, not a later rebinding.
 */
function lookupAsNow(scope: Scope, nodes: SyntaxNode[]): (name: string) => Value | undefined {
  const snapshot = new Map<string, Value | undefined>();
  for (const node of nodes) {
    const ids = node.type === 'identifier' ? [node] : node.descendantsOfType('identifier');
    for (const id of ids) if (!snapshot.has(id.text)) snapshot.set(id.text, scope.lookup(id.text));
  }
  return (name) => (snapshot.has(name) ? snapshot.get(name) : scope.lookup(name));
}

/**
 * A misspelling of `requires_grad` that assigning stores as a new attribute: within two edits of it
 * (`require_grad`, `requires_grads`, `requires_grad_`, `requiresGrad`, `require_grads`).
 */
export function isRequiresGradTypo(attr: string): boolean {
  if (attr === 'requires_grad') return false;
  return editDistance(attr.toLowerCase(), 'requires_grad') <= 2;
}
