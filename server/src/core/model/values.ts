import type { SyntaxNode } from '../parsing';

/**
 * Abstract values of the model layer. The walker evaluates Python expressions to these; anything it
 * cannot follow becomes `UNKNOWN`, and every rule treats unknown as "stay quiet".
 */
export type Value =
  | ModuleValue
  | ParamSourceValue
  | ParamValue
  | NumberValue
  | StringValue
  | BoolValue
  | NoneValue
  | ListValue
  | DictValue
  | FunctionValue
  | ClassValue
  | ObjectValue
  | RefValue
  | OptimizerValue
  | SchedulerValue
  | UnknownValue;

export interface ModuleValue {
  kind: 'module';
  module: ModuleNode;
}

/** `m.parameters()`, `m.named_parameters()`, `filter(...)`, a comprehension over them, `list(...)` of them. */
export interface ParamSourceValue {
  kind: 'paramsource';
  selections: Selection[];
  /** A generator/filter object: iterating it a second time yields nothing. */
  consumable: boolean;
  /** Yields `(name, param)` pairs. */
  named: boolean;
  node: SyntaxNode;
}

/** A single parameter (`model.fc.weight`). */
export interface ParamValue {
  kind: 'param';
  leaf: ParamLeaf;
}

export interface NumberValue {
  kind: 'number';
  value: number;
  isInt: boolean;
}

export interface StringValue {
  kind: 'string';
  value: string;
}

export interface BoolValue {
  kind: 'bool';
  value: boolean;
}

export interface NoneValue {
  kind: 'none';
}

export interface ListValue {
  kind: 'list';
  items: Value[];
  /** False when items may have been added that the walker could not see (loops, unknown calls). */
  exact: boolean;
  /**
   * Items were taken out or moved where the walker could not follow (`groups.pop(1)` under an
   * `if` it cannot decide, `remove`, `sort`, `del groups[i]`): `items` is then empty and
   * `exact` false, and what the list holds is not known at all.
   */
  forgotten?: boolean;
  flavor: 'list' | 'tuple' | 'set';
  node?: SyntaxNode;
  /** Item expressions, parallel to `items`, when the list is a literal. */
  itemNodes?: (SyntaxNode | undefined)[];
}

export interface DictEntry {
  key: string | null;
  keyNode?: SyntaxNode;
  value: Value;
  valueNode?: SyntaxNode;
  /** The `pair` node, for fixes that delete or rewrite an entry. */
  pairNode?: SyntaxNode;
}

export interface DictValue {
  kind: 'dict';
  entries: DictEntry[];
  exact: boolean;
  node?: SyntaxNode;
}

export interface FunctionValue {
  kind: 'function';
  name: string;
  node: SyntaxNode;
  /** The scope the function closes over. */
  closure: unknown;
  /** For methods: the class they were defined in. */
  owner?: ClassInfo;
}

export interface ClassValue {
  kind: 'class';
  cls: ClassInfo;
}

/** An instance of a user class that is not an `nn.Module`. */
export interface ObjectValue {
  kind: 'object';
  className: string;
  attrs: Map<string, Value>;
}

/** A dotted reference to an imported library object: `torch.nn.Linear`, `torch.optim`, `math`. */
export interface RefValue {
  kind: 'ref';
  path: string;
}

export interface OptimizerValue {
  kind: 'optimizer';
  optimizer: OptimizerModel;
}

export interface SchedulerValue {
  kind: 'scheduler';
  scheduler: SchedulerModel;
}

export interface UnknownValue {
  kind: 'unknown';
  /**
   * Schedulers it is one of, by a branch the walker could not decide (`if kind == "step":
   * sched = StepLR(...) elif ...: sched = CosineAnnealingLR(...)`): `sched.step()` steps each.
   */
  alternatives?: Value[];
}

export const UNKNOWN: UnknownValue = Object.freeze({ kind: 'unknown' }) as UnknownValue;

export interface ClassInfo {
  name: string;
  node: SyntaxNode;
  bases: Value[];
  methods: Map<string, SyntaxNode>;
  /** `nn.Module` subclass (directly or through a class in the file, or an unknown base). */
  isModule: boolean;
  /** Some base is not understood, so the instances may own parameters we cannot see. */
  hasUnknownBase: boolean;
  parent?: ClassInfo;
  /** See ModuleNode.gradFree; read from the class body on first use. */
  gradFree?: Set<string>;
}

let nextId = 1;

/** One parameter tensor. Tied weights share one leaf, as they share one tensor in PyTorch. */
export class ParamLeaf {
  readonly id = nextId++;
  requiresGrad: boolean | 'unknown' = true;
  /** Where it was last frozen, for messages. */
  frozenAt?: SyntaxNode;
  constructor(
    public owner: ModuleNode,
    public name: string,
    public ndim: number | undefined,
    public numel: number | undefined,
  ) {}
}

/**
 * One module instance. `complete` says whether `children` and `ownParams` are all there is; when
 * false (a class from another file, an unknown base, a container built in a loop) the module may
 * hold parameters the model cannot see.
 */
export class ModuleNode {
  readonly id = nextId++;
  readonly children = new Map<string, ModuleNode>();
  readonly ownParams = new Map<string, ParamLeaf>();
  /** Non-module attributes (`self.hidden = 128`). */
  readonly attrs = new Map<string, Value>();
  parent: ModuleNode | undefined;
  complete = true;
  /** Parameters not visible as leaves (`complete === false`): are they frozen? */
  opaqueRequiresGrad: boolean | 'unknown' = true;
  /** From the facts table where the type is known: total parameter count. */
  numParams: number | undefined;
  /**
   * Starts from trained weights: a torchvision model built with `weights=...`/`pretrained=True`,
   * or any module given `load_state_dict(...)`. Undefined when that cannot be told.
   */
  pretrained?: boolean;
  /**
   * Attributes (`self.backbone`) the module's own code only runs without gradient: under
   * `torch.no_grad()` / `torch.inference_mode()`, or with the result `.detach()`ed (a linear
   * probe). They get no gradient, so leaving them out of every group is deliberate.
   */
  gradFree?: Set<string>;
  constructor(
    /** Class name: `Linear`, `Sequential`, `ResNet`, a user class, or `?`. */
    public type: string,
    public origin: 'torch.nn' | 'torchvision' | 'user' | 'unknown',
    /** Source text of the expression that created it. */
    public expr: string,
    public node: SyntaxNode | undefined,
  ) {}

  addChild(name: string, child: ModuleNode): void {
    this.children.set(name, child);
    if (!child.parent) child.parent = this;
  }
}

/** A set of parameters chosen from a module: `root.parameters()` filtered by an optional predicate. */
export interface Selection {
  root: ModuleNode;
  /** Source text naming the root (`model.fc`), for messages. */
  expr: string;
  node: SyntaxNode;
  /** Keeps a parameter or not; `undefined` when the predicate cannot be decided for it. */
  filter?: ParamFilter;
  /** A single parameter picked by name (`model.fc.weight`). */
  leaf?: ParamLeaf;
  /**
   * What the names the code sees start with (`named_parameters(prefix="enc")`: `enc.`); null
   * when the prefix cannot be read, so filters over the names cannot be decided.
   */
  namePrefix?: string | null;
}

export interface ParamFilter {
  text: string;
  node: SyntaxNode;
  test(qualifiedName: string, leaf: ParamLeaf): boolean | undefined;
  /**
   * The predicate loops over an empty list (`any(n.startswith(x) for x in freeze_prefixes)` with
   * `freeze_prefixes = []`): it keeps nothing by configuration, whatever the names are.
   */
  iteratesEmpty?: boolean;
}

/** A parameter reached from a selection root, with the name `named_parameters()` would give it. */
export interface NamedLeaf {
  name: string;
  leaf: ParamLeaf;
}

/** Hyperparameter value with where it came from. */
export interface EffectiveValue {
  value: Value;
  source: 'group' | 'optimizer' | 'default';
  node?: SyntaxNode;
}

export interface ResolvedParams {
  leaves: NamedLeaf[];
  /** Modules whose parameters are (partly) unknown but included. */
  opaque: ModuleNode[];
  /** Every leaf is decided and nothing unknown is included. */
  exact: boolean;
}

export interface ParamGroupModel {
  index: number;
  /** The dict literal, or the whole params argument for a single implicit group. */
  node: SyntaxNode;
  dict?: DictValue;
  paramsNode?: SyntaxNode;
  paramsValue: Value;
  selections: Selection[];
  /** What the group holds at construction time, or undefined when it cannot be known. */
  params: ResolvedParams | undefined;
  /** lr, weight_decay, momentum, betas, ... for every key the optimizer knows. */
  effective: Map<string, EffectiveValue>;
  /** Added later with `add_param_group`. */
  added?: boolean;
  /**
   * Put in the list of groups by code that may not run, or may run several times: what that means
   * and why (`may be missing: added only if \`args.train_head\``).
   */
  mayBeMissing?: string;
}

export interface BoundArgument {
  name: string;
  node: SyntaxNode;
  value: Value;
  /** `foo=` keyword form (false for positional). */
  keyword: boolean;
  /** The `keyword_argument` node, or the positional expression. */
  argNode: SyntaxNode;
}

export interface OptimizerModel {
  id: number;
  className: string;
  /** In the facts table for the selected torch version. */
  known: boolean;
  call: SyntaxNode;
  calleeNode: SyntaxNode;
  variable?: string;
  args: Map<string, BoundArgument>;
  /** Keyword arguments that the class does not take, and extra positionals. */
  unexpectedArgs: BoundArgument[];
  paramsArg?: BoundArgument;
  /** Groups in order, or undefined when the group structure cannot be known. */
  groups: ParamGroupModel[] | undefined;
  /** False when groups may exist that the walker could not see (a list built in a loop). */
  groupsComplete: boolean;
  /** The call has `*args`/`**kwargs` the walker could not expand. */
  hasSplat: boolean;
  /**
   * The module whose method builds this optimizer (`self` in Lightning's `configure_optimizers`):
   * the model it is meant to train.
   */
  owner?: ModuleNode;
  /** Leaves frozen (requires_grad False) when the optimizer was built. */
  frozenLeavesAtConstruction: Set<ParamLeaf>;
  /**
   * Leaves a group's `requires_grad` filter left out because they were frozen when the optimizer
   * was built (`filter(lambda p: p.requires_grad, model.parameters())`).
   */
  frozenBesideGroups: Set<ParamLeaf>;
  /**
   * How many of the file's modules (`FileModel.modules`, in the order the walk created them)
   * existed when the optimizer was built: the later ones (a head put on the model afterwards)
   * cannot be in its groups.
   */
  modulesBefore?: number;
  /**
   * Built in a loop, or its call met again (a stage loop that unfreezes a layer, then builds the
   * optimizer again): the groups are those of its first build, and later builds may hold more.
   */
  mayBeRebuilt?: boolean;
  /** Keys the file reads back from this optimizer's `param_groups` (`g["lr_scale"]`). */
  groupKeysRead: Set<string>;
}

export interface SchedulerModel {
  id: number;
  className: string;
  call: SyntaxNode;
  calleeNode: SyntaxNode;
  variable?: string;
  optimizer?: OptimizerModel;
  args: BoundArgument[];
  keywordArgs: Map<string, BoundArgument>;
  /**
   * Nothing can reach the scheduler once it is built, so nothing steps it: the call is a statement
   * of its own, or its variable is never read (model/references.ts).
   */
  unreferenced?: boolean;
}

export function isModule(v: Value): v is ModuleValue {
  return v.kind === 'module';
}

export function num(value: number, isInt = false): NumberValue {
  return { kind: 'number', value, isInt };
}

export function str(value: string): StringValue {
  return { kind: 'string', value };
}
