/**
 * The per-file entry point of the simulator: every scheduler a file builds, simulated from its
 * source (the optimizer's param groups from the model, each argument evaluated by the safe
 * interpreter, unknown quantities resolved from the file or from stated assumptions, the x axis
 * and the run length from the loops around `.step()`).
 *
 * Used by `optlint schedule`, the OPT3xx rules and the language server (hover chart, code lens
 * plot, inlay hints of the starting lr). Pure: no LSP types; never throws for bad input.
 */
import type { SyntaxNode } from '../parsing';
import type { BoundArgument, FileModel, OptimizerModel, ParamGroupModel, SchedulerModel, Value } from '../model';
import { getHfGetSchedulerSignature, getHfScheduleFunction, getSchedulerFact } from '../facts';
import type { TorchVersion } from '../settings';
import { Assumptions, argparseDefaults, DEFAULT_EPOCHS, DEFAULT_STEPS_PER_EPOCH, expandTaint, FileResolver, type TaintSet } from './assume';
import { canonicalKind } from './construct';
import { exprFromSyntax } from './from-syntax';
import { rebuildInterval, schedulerStepping, stepperOf, wrappedList, wrapperOf, type LoopInfo, type Stepping } from './loops';
import { isObj, schedulerRef, unresolved, type PyValue } from './pyvalue';
import { MeterExhausted, type Meter } from './pyeval';
import type { GroupSpec, ScheduleError, ScheduleRequest, SchedulerSpec } from './types';
import { simulate } from './index';

/** Steps simulated when neither the caller nor the file fixes the length of the run. */
export const DEFAULT_RUN_STEPS = DEFAULT_EPOCHS * DEFAULT_STEPS_PER_EPOCH;
/** A run length derived from the file is cut to this (the caller can ask for more with `steps`). */
export const MAX_DERIVED_STEPS = 1_000_000;
/** Values materialised per group by {@link simulateFileSchedules} unless `maxSteps` says otherwise. */
export const DEFAULT_MAX_MATERIALISED = 2_000_000;

export interface FileScheduleGroup {
  /** The group's `name`, else what it holds (`model.encoder`), else `group <i>`. */
  label?: string;
  /** The lr in effect at each optimizer step (or epoch) of the run. */
  lr: number[];
  /** SGD `momentum` / Adam `betas[0]`, when the scheduler cycles it (OneCycleLR, CyclicLR). */
  momentum?: number[];
}

export interface FileSchedule {
  /** The variable the scheduler is assigned to, if any. */
  variable: string | null;
  /** Range of the scheduler's constructor call; 0-based lines, UTF-16 columns. */
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
  /** Class or factory name as written: `OneCycleLR`, `get_linear_schedule_with_warmup`. */
  kind: string;
  /** Every value is bit-identical to PyTorch on this machine (native libm). */
  exact: boolean;
  /** Every assumed value the schedule depends on, by name (`epochs`, `steps_per_epoch`, ...). */
  assumptions: Record<string, number | string>;
  /** Where each assumption came from: `--assume`, `argparse default of --epochs`, `default`. */
  assumptionSources: Record<string, string>;
  /** One value per optimizer step, or one per epoch (from where `.step()` is called). */
  xAxis: 'steps' | 'epochs';
  /** Optimizer steps per epoch, when known or assumed (to switch the plot's axis). */
  stepsPerEpoch?: number;
  /** Number of `.step()` calls simulated (values per group, unless cut: see notes). */
  steps: number;
  groups: FileScheduleGroup[];
  /** Why nothing (or not everything) was simulated. */
  notSimulated?: string;
  /** What PyTorch would raise: at construction (no values) or at a step (values up to it). */
  error?: ScheduleError;
  /** The lr each group starts at right after construction. */
  initialLrs?: number[];
  /** How the axis and the run length were decided, caps, approximations. */
  notes: string[];
  /** Schedulers this one wraps (SequentialLR / ChainedScheduler children), in order. */
  children: Array<{ variable: string | null; kind: string; line: number }>;
}

export interface FileScheduleOptions {
  model: FileModel;
  /** Root node of the parsed file the model was built from. */
  root: SyntaxNode;
  text: string;
  /** Number of `.step()` calls to simulate; default: from the loops, else the schedule's own length. */
  steps?: number;
  /** Values for unknown quantities, by name: `{ epochs: 10, steps_per_epoch: 100 }`. */
  assume?: Record<string, number>;
  /** Values passed to `ReduceLROnPlateau.step()`, one per step, repeated from the start. */
  metrics?: number[];
  /** Default: the model's. */
  torchVersion?: TorchVersion;
  /** Values kept per group (default 2,000,000); the rest of a longer run is simulated for errors. */
  maxSteps?: number;
  /** 'native' (default) or 'fallback' (V8 Math). */
  libm?: 'native' | 'fallback';
}

/** One scheduler of the file, ready to simulate (or with the reason it cannot be). */
export interface SchedulePlan {
  /** The scheduler the entry is for (not wrapped by another). */
  scheduler: SchedulerModel;
  /** Its wrapped schedulers in construction order, then itself. */
  chain: SchedulerModel[];
  /** The entry without values (groups empty, `exact` false). */
  schedule: FileSchedule;
  /** Undefined when not simulated (see `schedule.notSimulated`). */
  request?: ScheduleRequest;
  stepping: Stepping;
  /** How the number of steps was decided. */
  stepsFrom: 'given' | 'loops' | 'horizon' | 'default';
  /** Assumption names each argument depends on, keyed `<spec id>:<parameter>`. */
  argTaints: Map<string, Set<string>>;
  /** Assumption names the run length depends on. */
  stepsTaint: Set<string>;
  /** Assumption names the groups' lrs (and momenta) depend on. */
  groupsTaint: Set<string>;
  /** Assumption names anything in the plan depends on. */
  taint: Set<string>;
  /** Spec id -> scheduler model, and its arguments by parameter name. */
  specs: Map<string, { model: SchedulerModel; args: Map<string, BoundArgument> }>;
  /**
   * What the loops around `.step()` count, where they can be counted (known, or assumed: see the
   * taints): the batch loop's iterations and the epoch loop's.
   */
  loops: { perEpoch?: number; perEpochTaint: Set<string>; epochs?: number; epochsTaint: Set<string> };
  /** The length the schedule itself fixes, in `.step()` calls (`num_training_steps`, `T_max`, ...). */
  horizon?: number;
  /**
   * Why the entry shows no values although its request is simulated: a scheduler that is never
   * stepped beside another one on its optimizer (the lr follows the other). The simulation still
   * finds the constructor's errors.
   */
  hidden?: string;
  /**
   * The scheduler is built anew in the body of `loop`, once every `every` `.step()` calls (see
   * `rebuildInterval`): the request simulates it so.
   */
  rebuilt?: { every: number; loop: LoopInfo };
}

/** The id a scheduler model gets in requests. */
export function specId(s: SchedulerModel): string {
  return `s${s.id}`;
}

function lastSegment(name: string): string {
  return name.split('.').pop() ?? name;
}

/** Parameter names after the optimizer, for binding positional arguments to names. */
function parameterNames(kind: string, torch: TorchVersion): string[] {
  if (kind === 'get_scheduler') return getHfGetSchedulerSignature().positional.filter((p) => p !== 'optimizer');
  const hf = getHfScheduleFunction(kind);
  if (hf) return [...hf.positional];
  return [...(getSchedulerFact(kind, torch)?.positional ?? [])];
}

/** Where the optimizer stands among the positional arguments (-1: not removed). */
function optimizerIndex(kind: string): number {
  if (kind === 'get_scheduler') return 1;
  if (kind === 'ChainedScheduler') return -1;
  return 0;
}

/** The schedulers `s` wraps (recursively), in construction order, then `s`. */
export function chainOf(model: FileModel, s: SchedulerModel, seen = new Set<number>()): SchedulerModel[] {
  if (seen.has(s.id)) return [];
  seen.add(s.id);
  const deps: SchedulerModel[] = [];
  for (const w of wrappedList(s)?.items ?? []) deps.push(...chainOf(model, w, seen));
  const unique = [...new Map(deps.map((d) => [d.id, d])).values()].sort((a, b) => a.id - b.id);
  return [...unique, s];
}

function toPy(v: Value): PyValue {
  switch (v.kind) {
    case 'number':
      return v.isInt && Number.isSafeInteger(v.value) ? BigInt(v.value) : v.value;
    case 'bool':
      return v.value;
    case 'string':
      return v.value;
    case 'none':
      return null;
    default:
      return unresolved('its value is not known statically');
  }
}

function isUnresolved(v: PyValue): v is { kind: 'unresolved'; reason: string } {
  return isObj(v) && v.kind === 'unresolved';
}

function asInt(v: PyValue): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return undefined;
}

function groupLabel(g: ParamGroupModel): string {
  const name = g.dict?.entries.find((e) => e.key === 'name')?.value;
  if (name?.kind === 'string') return name.value;
  const what = g.selections.map((s) => (s.leaf ? s.expr : s.filter ? `${s.expr} (${s.filter.text})` : s.expr)).join(' + ');
  if (!what) return `group ${g.index}`;
  return what.length > 48 ? `${what.slice(0, 47)}…` : what;
}

/** Per-file state shared by every plan: the resolver (module evaluated once) and the assumptions. */
class Context {
  readonly resolver: FileResolver;
  readonly assumptions: Assumptions;
  readonly torch: TorchVersion;

  constructor(
    readonly opts: FileScheduleOptions,
    meter?: Meter,
  ) {
    this.assumptions = new Assumptions(opts.assume ?? {}, () => argparseDefaults(opts.root));
    this.resolver = new FileResolver(opts.root, this.assumptions, meter);
    this.torch = opts.torchVersion ?? opts.model.torchVersion;
  }

  /** A Python value for an argument: the interpreter (with assumptions), else the model's value. */
  argValue(a: BoundArgument, at: SyntaxNode, acc: TaintSet): PyValue {
    if (a.value.kind === 'list' && a.value.items.length && a.value.items.every((i) => i.kind === 'scheduler')) {
      return a.value.items.map((i) => (i.kind === 'scheduler' ? schedulerRef(specId(i.scheduler)) : null));
    }
    const v = this.resolver.value(a.node, this.resolver.scopeAt(at), acc);
    if (isUnresolved(v)) {
      const known = toPy(a.value);
      if (!isUnresolved(known)) return known;
    }
    return v;
  }
}

/** Builds the request spec of one scheduler: positional arguments (optimizer removed) and keywords. */
function buildSpec(
  ctx: Context,
  s: SchedulerModel,
  argTaints: Map<string, Set<string>>,
): { spec: SchedulerSpec; args: Map<string, BoundArgument> } {
  const kind = canonicalKind(s.className) ?? lastSegment(s.className);
  const id = specId(s);
  const byName = new Map<string, BoundArgument>();
  const args: PyValue[] = [];
  const kwargs: Record<string, PyValue> = {};
  for (const { name, arg, keyword } of schedulerArguments(s, ctx.torch)) {
    const acc: TaintSet = new Set();
    // ChainedScheduler(schedulers, optimizer): the optimizer is any value but None to the engine.
    const v = kind === 'ChainedScheduler' && name === 'optimizer' ? true : ctx.argValue(arg, s.call, acc);
    if (keyword) kwargs[name] = v;
    else args.push(v);
    byName.set(name, arg);
    argTaints.set(`${id}:${name}`, expandTaint(acc));
  }
  return { spec: { id, label: s.variable ?? s.className, className: s.className, args, kwargs }, args: byName };
}

/** Group keys whose values a plan reads (see buildGroups). */
const GROUP_VALUES = ['lr', 'momentum', 'betas'];

/**
 * A scheduler's arguments by parameter name, positional ones first, without the optimizer it is
 * given (ChainedScheduler's `optimizer` is kept: it is a parameter after the schedulers).
 */
function schedulerArguments(s: SchedulerModel, torch: TorchVersion): Array<{ name: string; arg: BoundArgument; keyword: boolean }> {
  const kind = canonicalKind(s.className) ?? lastSegment(s.className);
  const names = parameterNames(kind, torch);
  const out: Array<{ name: string; arg: BoundArgument; keyword: boolean }> = [];
  const optAt = s.keywordArgs.has('optimizer') ? -1 : optimizerIndex(kind);
  let k = 0;
  s.args.forEach((a, i) => {
    if (i === optAt) return;
    out.push({ name: names[k] ?? `arg${k}`, arg: a, keyword: false });
    k++;
  });
  for (const [name, a] of s.keywordArgs) {
    if (name === 'optimizer' && kind !== 'ChainedScheduler') continue;
    out.push({ name, arg: a, keyword: true });
  }
  return out;
}

/** Effective lr / momentum / betas of each group the scheduler sees. */
function buildGroups(ctx: Context, opt: OptimizerModel, before: SyntaxNode, taint: TaintSet): { groups: GroupSpec[]; labels: string[]; defaultLr?: PyValue } | string {
  const cannot = "the optimizer's parameter groups cannot be determined";
  if (!opt.groups || !opt.groupsComplete || opt.hasSplat) return cannot;
  // Groups added with add_param_group after the scheduler was built are not its groups.
  const present = opt.groups.filter((g) => !g.added || g.node.startIndex < before.startIndex);
  if (!present.length) return cannot;
  const value = (key: string, g: ParamGroupModel): PyValue | undefined => {
    const e = g.effective.get(key);
    if (!e) return undefined;
    const direct = toPy(e.value);
    if (!isUnresolved(direct) || !e.node) return direct;
    return ctx.resolver.value(e.node, ctx.resolver.scopeAt(e.node), taint);
  };
  const groups: GroupSpec[] = [];
  for (const g of present) {
    const lr = value('lr', g);
    if (lr === undefined || isUnresolved(lr)) {
      return `the lr of group ${g.index} cannot be determined${lr !== undefined && isUnresolved(lr) ? `: ${lr.reason}` : ''}`;
    }
    if (typeof lr !== 'number' && typeof lr !== 'bigint') return `the lr of group ${g.index} is not a number`;
    const spec: GroupSpec = { lr, label: groupLabel(g) };
    const m = value('momentum', g);
    if (typeof m === 'number' || typeof m === 'bigint') spec.momentum = m;
    const b = value('betas', g);
    const items = Array.isArray(b) ? b : b && isObj(b) && b.kind === 'tuple' ? b.items : undefined;
    if (items && items.length === 2 && items.every((x) => typeof x === 'number' || typeof x === 'bigint')) spec.betas = [items[0] as number, items[1] as number];
    groups.push(spec);
  }
  const lrArg = opt.args.get('lr');
  let defaultLr: PyValue | undefined;
  if (lrArg) {
    defaultLr = toPy(lrArg.value);
    if (isUnresolved(defaultLr)) defaultLr = ctx.resolver.value(lrArg.node, ctx.resolver.scopeAt(lrArg.node), taint);
  } else {
    const d = present.map((g) => g.effective.get('lr')).find((e) => e?.source === 'default');
    if (d) defaultLr = toPy(d.value);
  }
  return { groups, labels: groups.map((g) => g.label ?? ''), defaultLr: defaultLr !== undefined && !isUnresolved(defaultLr) ? defaultLr : undefined };
}

/** Iterations of a loop: `range(a, b[, c])`, or `len(<loader>)` for a batch loop; undefined when unknown. */
function loopCount(ctx: Context, loop: LoopInfo, acc: TaintSet): number | undefined {
  const scope = ctx.resolver.scopeAt(loop.node);
  if (loop.rangeArgs) {
    const vals = loop.rangeArgs.map((a) => asInt(ctx.resolver.value(a, scope, acc)));
    if (vals.some((v) => v === undefined) || !vals.length || vals.length > 3) return undefined;
    const [start, stop, step] = vals.length === 1 ? [0, vals[0]!, 1] : [vals[0]!, vals[1]!, vals[2] ?? 1];
    if (step === 0) return undefined;
    return Math.max(0, Math.ceil((stop - start) / step));
  }
  if (loop.iterable) {
    const v = ctx.resolver.valueOfExpr({ type: 'Call', func: { type: 'Name', id: 'len' }, args: [exprFromSyntax(loop.iterable)], keywords: [] }, scope, acc);
    return asInt(v);
  }
  return undefined;
}

/** The length the schedule itself fixes, in `.step()` calls (OneCycleLR's total_steps, T_max, ...). */
function horizon(kind: string, spec: SchedulerSpec, names: string[], specs: Map<string, SchedulerSpec>): number | undefined {
  const get = (n: string): PyValue | undefined => {
    if (spec.kwargs && n in spec.kwargs) return spec.kwargs[n];
    const i = names.indexOf(n);
    return i >= 0 ? spec.args?.[i] : undefined;
  };
  const int = (n: string) => {
    const v = get(n);
    return v === undefined ? undefined : asInt(v);
  };
  switch (kind) {
    case 'OneCycleLR': {
      const t = int('total_steps');
      if (t !== undefined) return t;
      const e = int('epochs');
      const s = int('steps_per_epoch');
      return e !== undefined && s !== undefined ? e * s : undefined;
    }
    case 'CosineAnnealingLR':
      return int('T_max');
    case 'PolynomialLR':
      return int('total_iters');
    case 'LinearLR':
    case 'ConstantLR':
      return undefined;
    case 'CyclicLR': {
      const up = int('step_size_up') ?? 2000;
      const down = int('step_size_down') ?? up;
      return 2 * (up + down);
    }
    case 'CosineAnnealingWarmRestarts': {
      const t0 = int('T_0');
      const m = int('T_mult') ?? 1;
      return t0 === undefined ? undefined : m === 1 ? 3 * t0 : t0 * (1 + m + m * m);
    }
    case 'SequentialLR': {
      const ms = get('milestones');
      const subs = get('schedulers');
      if (!Array.isArray(ms) || !Array.isArray(subs) || !ms.length) return undefined;
      const last = subs[subs.length - 1];
      const lastSpec = last && isObj(last) && last.kind === 'scheduler' ? specs.get(last.id) : undefined;
      const m = asInt(ms[ms.length - 1]);
      if (!lastSpec || m === undefined) return undefined;
      const lk = canonicalKind(lastSpec.className) ?? '';
      const tail = horizon(lk, lastSpec, names.length ? parameterNames(lk, '2.x') : [], specs);
      return tail === undefined ? undefined : m + tail;
    }
    default: {
      const n = int('num_training_steps');
      return n;
    }
  }
}

/**
 * Plans every scheduler of the file that is not wrapped by another: its request (or why it
 * cannot be simulated), x axis, run length and the assumptions each part depends on.
 */
export function planFileSchedules(opts: FileScheduleOptions): SchedulePlan[] {
  const { model } = opts;
  if (!model.schedulers.length) return [];
  // On a small file every binding before the code the plans read is evaluated, as long as that
  // stays cheap: on a typical script that costs less than working out which bindings are needed
  // (focus). Converting every statement costs in proportion to the file, focus in proportion to
  // what the plans need, so a larger file is focused from the start; a small one whose evaluation
  // runs long (calls into long helpers) is planned again, focused. Both give the same plans: the
  // statements focus skips bind nothing the plans read.
  if (opts.root.endIndex <= UNFOCUSED_MAX_SOURCE) {
    try {
      return planAll(new Context(opts, { left: UNFOCUSED_STEPS }), false);
    } catch (e) {
      if (!(e instanceof MeterExhausted)) throw e;
    }
  }
  return planAll(new Context(opts), true);
}

/**
 * Evaluation steps the scopes of a file's plans may take before planning starts again, focused.
 * The bench corpus's scripts (about 90 lines) take about 60; the samples, the test corpus and the
 * language-server bench's 2,000-line script at most 500.
 */
export const UNFOCUSED_STEPS = 5000;

/**
 * The largest source (in characters) planned unfocused first. Measured on the language-server
 * bench's script cut to several lengths: the two ways cost the same at about 13 KB (500 lines);
 * at 31 KB unfocused took twice as long, at 55 KB 2.3 ms against 1.1 ms.
 */
export const UNFOCUSED_MAX_SOURCE = 16_384;

function planAll(ctx: Context, focused: boolean): SchedulePlan[] {
  const { model } = ctx.opts;
  const tops = model.schedulers.filter((s) => !wrapperOf(model, s));
  if (focused) {
    try {
      ctx.resolver.focus(focusSeeds(ctx));
    } catch {
      // focusing only saves work: without it everything is evaluated
    }
  }
  return tops.map((s) => {
    try {
      return planOne(ctx, s);
    } catch (e) {
      if (e instanceof MeterExhausted) throw e;
      return failedPlan(model, s, e);
    }
  });
}

/**
 * What the plans read: the schedulers' arguments (not the optimizer they are given), the groups'
 * lr/momentum/betas and the optimizer's lr, and the loops around .step(). What holds the
 * parameters (`model.encoder.parameters()`) is never evaluated, so the statements that build the
 * model are not either.
 */
function focusSeeds(ctx: Context): SyntaxNode[] {
  const { model } = ctx.opts;
  const seeds: SyntaxNode[] = [];
  const optimizers = new Set<OptimizerModel>();
  for (const s of model.schedulers) {
    for (const { name, arg } of schedulerArguments(s, ctx.torch)) if (name !== 'optimizer') seeds.push(arg.node);
    if (s.optimizer) optimizers.add(s.optimizer);
  }
  for (const opt of optimizers) {
    const lrArg = opt.args.get('lr');
    if (lrArg) seeds.push(lrArg.node);
    for (const g of opt.groups ?? []) {
      for (const key of GROUP_VALUES) {
        const node = g.effective.get(key)?.node;
        if (node) seeds.push(node);
      }
    }
  }
  for (const c of model.steps) for (const l of c.loops) {
    const head = l.childForFieldName('right') ?? l.childForFieldName('condition');
    if (head) seeds.push(head);
  }
  return seeds;
}

function planOne(ctx: Context, top: SchedulerModel): SchedulePlan {
  const { model, root } = ctx.opts;
  const chain = chainOf(model, top);
  const stepping = schedulerStepping(model, top, root);
  const start = top.call.startPosition;
  const end = top.call.endPosition;
  const schedule: FileSchedule = {
    variable: top.variable ?? null,
    line: start.row,
    character: start.column,
    endLine: end.row,
    endCharacter: end.column,
    kind: lastSegment(top.className),
    exact: false,
    assumptions: {},
    assumptionSources: {},
    xAxis: stepping.axis,
    steps: 0,
    groups: [],
    notes: [stepping.reason],
    children: chain.slice(0, -1).map((c) => ({ variable: c.variable ?? null, kind: lastSegment(c.className), line: c.call.startPosition.row })),
  };
  const argTaints = new Map<string, Set<string>>();
  const taint = new Set<string>();
  const stepsTaint = new Set<string>();
  const specs = new Map<string, { model: SchedulerModel; args: Map<string, BoundArgument> }>();
  const plan: SchedulePlan = { scheduler: top, chain, schedule, stepping, stepsFrom: 'default', argTaints, stepsTaint, groupsTaint: new Set(), taint, specs, loops: { perEpochTaint: new Set(), epochsTaint: new Set() } };
  const finish = (notSimulated?: string): SchedulePlan => {
    for (const k of taint) {
      const u = ctx.assumptions.used.get(k);
      if (!u) continue;
      schedule.assumptions[k] = u.value;
      schedule.assumptionSources[k] = u.source;
    }
    if (notSimulated) {
      schedule.notSimulated = notSimulated;
      delete plan.request;
    }
    return plan;
  };

  const unknown = chain.find((c) => !canonicalKind(c.className));
  if (unknown) return finish(`\`${lastSegment(unknown.className)}\` is not a scheduler the simulator knows`);
  // `sched.step(epoch + i / iters)` (CosineAnnealingWarmRestarts' fractional epochs, the old
  // `step(epoch)`): the value passed decides the lr, not the number of calls.
  const stepArgs = stepping.step?.node.childForFieldName('arguments');
  if (stepArgs && canonicalKind(top.className) !== 'ReduceLROnPlateau' && stepArgs.namedChildren.some((c) => c.type !== 'comment')) {
    return finish(`\`${stepping.step!.node.text}\` passes the epoch to step(); the simulator follows step() called without it`);
  }
  const opt = top.optimizer ?? chain.find((c) => c.optimizer)?.optimizer;
  if (!opt) return finish("the optimizer's parameter groups cannot be determined");
  const groupTaint: TaintSet = new Set();
  const built = buildGroups(ctx, opt, top.call, groupTaint);
  plan.groupsTaint = expandTaint(groupTaint);
  for (const k of plan.groupsTaint) taint.add(k);
  if (typeof built === 'string') return finish(built);

  const specList: SchedulerSpec[] = [];
  for (const c of chain) {
    const { spec, args } = buildSpec(ctx, c, argTaints);
    specList.push(spec);
    specs.set(spec.id, { model: c, args });
  }
  for (const t of argTaints.values()) for (const k of t) taint.add(k);
  const specById = new Map(specList.map((s) => [s.id, s]));

  // Run length: given, else the loops (when they do not rest on defaults), else the schedule's own length.
  let steps: number | undefined = ctx.opts.steps;
  if (steps !== undefined) plan.stepsFrom = 'given';
  let fromLoops: number | undefined;
  const { epochLoop, batchLoop } = stepping;
  const perEpochItems: TaintSet = new Set();
  const epochItems: TaintSet = new Set();
  const perEpoch = batchLoop ? loopCount(ctx, batchLoop, perEpochItems) : undefined;
  const epochs = epochLoop ? loopCount(ctx, epochLoop, epochItems) : undefined;
  if (stepping.axis === 'steps') {
    if (batchLoop && batchLoop.role === 'iteration' && !epochLoop) fromLoops = perEpoch;
    else if (batchLoop && perEpoch !== undefined) {
      const runEpochs = epochLoop ? epochs : asInt(ctx.assumptions.valueFor('epochs') ?? null);
      if (!epochLoop) epochItems.add('epochs');
      if (runEpochs !== undefined) fromLoops = runEpochs * perEpoch;
    }
  } else if (epochLoop) {
    fromLoops = epochs;
  }
  plan.loops = { perEpoch, perEpochTaint: expandTaint(perEpochItems), epochs, epochsTaint: expandTaint(epochItems) };
  const loopTaint = expandTaint(new Set([...perEpochItems, ...epochItems]));
  // What the run length from the loops rests on: a count of epochs does not depend on the batches.
  const lengthTaint = stepping.axis === 'epochs' ? expandTaint(epochItems) : loopTaint;
  const restsOnDefaults = [...lengthTaint].some((k) => ctx.assumptions.used.get(k)?.source.startsWith('default'));
  const topKind = canonicalKind(top.className) ?? '';
  const own = horizon(topKind, specList[specList.length - 1], parameterNames(topKind, ctx.torch), specById);
  plan.horizon = own;
  if (steps === undefined && fromLoops !== undefined && fromLoops > 0 && !restsOnDefaults) {
    steps = fromLoops;
    plan.stepsFrom = 'loops';
    for (const k of lengthTaint) stepsTaint.add(k);
  }
  // A scheduler never stepped runs for as long as the optimizer trains, not for its own length.
  if (steps === undefined && own !== undefined && own > 0 && !stepping.never) {
    steps = own;
    plan.stepsFrom = 'horizon';
    schedule.notes.push(`the run length is the schedule's own length (${own.toLocaleString('en-US')} scheduler steps)`);
  }
  if (steps === undefined && fromLoops !== undefined && fromLoops > 0) {
    steps = fromLoops;
    plan.stepsFrom = 'loops';
    for (const k of lengthTaint) stepsTaint.add(k);
  }
  if (steps === undefined) {
    steps = stepping.axis === 'steps' ? DEFAULT_RUN_STEPS : DEFAULT_EPOCHS;
    plan.stepsFrom = 'default';
    const key = stepping.axis === 'steps' ? 'run_steps' : 'epochs';
    if (key === 'epochs') {
      ctx.assumptions.valueFor('epochs');
      stepsTaint.add('epochs');
    } else schedule.notes.push(`a run of ${DEFAULT_RUN_STEPS.toLocaleString('en-US')} steps is assumed (${DEFAULT_EPOCHS} epochs x ${DEFAULT_STEPS_PER_EPOCH} steps)`);
  }
  if (plan.stepsFrom !== 'given' && steps > MAX_DERIVED_STEPS) {
    schedule.notes.push(`the run has ${steps.toLocaleString('en-US')} steps; the first ${MAX_DERIVED_STEPS.toLocaleString('en-US')} are simulated (ask for more with steps)`);
    steps = MAX_DERIVED_STEPS;
  }
  if (plan.stepsFrom === 'loops' && !stepping.clear) schedule.notes.push(stepping.never ? "the run length follows the loops around the optimizer's `.step()`" : 'the run length follows the loops around `.step()`');
  for (const k of stepsTaint) taint.add(k);

  // Steps per epoch, for switching the plot's axis.
  // An iteration loop (`for step in range(20)`) inside an epoch loop counts that epoch's steps too.
  const countsEpochSteps = batchLoop?.role === 'batch' || (batchLoop?.role === 'iteration' && epochLoop !== undefined);
  if (perEpoch !== undefined && perEpoch > 0 && countsEpochSteps) schedule.stepsPerEpoch = perEpoch;
  else {
    const spe = asInt(ctx.assumptions.valueFor('steps_per_epoch') ?? null);
    if (spe !== undefined && spe > 0) {
      schedule.stepsPerEpoch = spe;
      taint.add('steps_per_epoch');
    }
  }
  for (const k of loopTaint) if (schedule.stepsPerEpoch !== undefined && k === 'steps_per_epoch') taint.add(k);
  schedule.steps = steps;

  const request: ScheduleRequest = {
    optimizer: { className: opt.className, groups: built.groups, ...(built.defaultLr !== undefined && (typeof built.defaultLr === 'number' || typeof built.defaultLr === 'bigint') ? { defaultLr: built.defaultLr } : {}) },
    schedulers: specList,
    steps,
    torch: ctx.torch,
    // Never stepped: the lr stays where the constructors left it.
    stepped: stepping.never ? [] : [specId(top)],
  };
  if (stepping.never) {
    const other = model.schedulers.find((o) => !chain.includes(o) && o.optimizer === opt);
    const what = top.variable ? `\`${top.variable}\` is never stepped` : 'this scheduler is never assigned or stepped';
    if (other) plan.hidden = `${what}; the lr follows \`${other.variable ?? lastSegment(other.className)}\` (line ${other.call.startPosition.row + 1}), which drives the same optimizer`;
  }
  const rebuilt = rebuildInterval(model, top, stepping, perEpoch);
  if (rebuilt && rebuilt.every < steps) {
    const { every, loop } = rebuilt;
    plan.rebuilt = rebuilt;
    request.rebuildEvery = every;
    if (every > 1) for (const k of plan.loops.perEpochTaint) taint.add(k);
    schedule.notes.push(`\`${top.variable ?? lastSegment(top.className)}\` is built anew in every ${loop.role} of the loop at line ${loop.node.startPosition.row + 1} and stepped ${every === 1 ? 'once' : `${every.toLocaleString('en-US')} times`} before the next one replaces it: simulated so`);
  }
  if (ctx.opts.libm) request.libm = ctx.opts.libm;
  if (ctx.opts.metrics?.length) {
    const m = ctx.opts.metrics;
    request.metrics = Array.from({ length: Math.min(steps, MAX_DERIVED_STEPS * 10) }, (_, i) => m[i % m.length]);
  }
  // Unresolved arguments stay in the request: the engine refuses with their reason when it needs them.
  plan.request = request;
  return finish();
}

/** A plan for a scheduler the planner itself failed on: reported, never thrown. */
function failedPlan(model: FileModel, s: SchedulerModel, e: unknown): SchedulePlan {
  const start = s.call.startPosition;
  const end = s.call.endPosition;
  const schedule: FileSchedule = {
    variable: s.variable ?? null,
    line: start.row,
    character: start.column,
    endLine: end.row,
    endCharacter: end.column,
    kind: lastSegment(s.className),
    exact: false,
    assumptions: {},
    assumptionSources: {},
    xAxis: 'steps',
    steps: 0,
    groups: [],
    notes: [],
    children: [],
    notSimulated: `the simulator failed on this scheduler (${e instanceof Error ? e.message : String(e)})`,
  };
  return {
    scheduler: s,
    chain: [s],
    schedule,
    stepping: { axis: 'steps', clear: false, conditional: false, reason: '' },
    stepsFrom: 'default',
    argTaints: new Map(),
    stepsTaint: new Set(),
    groupsTaint: new Set(),
    taint: new Set(),
    specs: new Map(),
    loops: { perEpochTaint: new Set(), epochsTaint: new Set() },
  };
}

/**
 * Simulates every scheduler of a file (one entry per scheduler object; a SequentialLR's
 * children are inside it). Never throws for bad input.
 */
export function simulateFileSchedules(opts: FileScheduleOptions): FileSchedule[] {
  return planFileSchedules(opts).map((p) => runPlan(p, opts.maxSteps ?? DEFAULT_MAX_MATERIALISED));
}

/** Simulates one plan, filling its entry's values. */
export function runPlan(plan: SchedulePlan, maxSteps = DEFAULT_MAX_MATERIALISED): FileSchedule {
  const schedule: FileSchedule = { ...plan.schedule, notes: [...plan.schedule.notes] };
  if (!plan.request) return schedule;
  let result: ReturnType<typeof simulate>;
  try {
    result = simulate({ ...plan.request, maxSteps });
  } catch (e) {
    schedule.notSimulated = `the simulator failed on this scheduler (${e instanceof Error ? e.message : String(e)})`;
    return schedule;
  }
  schedule.exact = result.exact;
  schedule.notes.push(...result.notes);
  if (result.capped) schedule.notes.push(result.capped);
  if (result.error) schedule.error = result.error;
  if (plan.hidden) {
    schedule.notSimulated = plan.hidden;
    return schedule;
  }
  const outcome = result.schedulers.find((s) => s.id === specId(plan.scheduler));
  if (result.notSimulated) {
    schedule.notSimulated = result.notSimulated;
    return schedule;
  }
  if (outcome?.status === 'notSimulated') {
    schedule.notSimulated = outcome.notSimulated;
    return schedule;
  }
  const traces = outcome?.status === 'ok' && outcome.groups ? outcome.groups : result.effective;
  const labels = plan.request.optimizer.groups.map((g) => g.label);
  schedule.groups = traces.map((t, i) => {
    const g: FileScheduleGroup = { lr: Array.from(t.lr) };
    if (labels[i]) g.label = labels[i];
    if (t.momentum) g.momentum = Array.from(t.momentum);
    return g;
  });
  if (traces.length && traces[0].lr.length) schedule.initialLrs = traces.map((t) => t.lr[0]);
  return schedule;
}

export { stepperOf };
