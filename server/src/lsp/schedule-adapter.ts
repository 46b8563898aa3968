/**
 * Per-file adapter over the LR-schedule simulator: for a scheduler of the file's model, build the
 * simulator request (its optimizer's groups, the schedulers it wraps, its arguments as Python
 * values), fill in what the script does not fix statically with stated assumptions, simulate, and
 * summarise each group's trace.
 *
 * The simulator package exports the per-request API (`simulate`, `scopeAt`, `valueFromSyntax`) but
 * no per-file entry point yet; this module is that entry point for the editor features (hover
 * chart, code lens plot, inlay hints). It is pure: no LSP types.
 */
import type { SyntaxNode } from '../core/parsing';
import type { FileModel, OptimizerModel, SchedulerModel, StepCall } from '../core/model';
import { summariseOptimizer } from '../core/report/groups';
import { formatNumber } from '../core/rules/helpers';
import {
  canonicalKind,
  schedulerRef,
  scopeAt,
  simulate,
  valueFromSyntax,
  type GroupSpec,
  type PyValue,
  type SchedulerSpec,
  type Scope,
  type TorchVersion,
} from '../core/schedule';
import type { AssumedArgument, PreviewAssumptions, PreviewGroup, SchedulePreview } from './protocol';

/** Positional parameter names after the optimizer, for the arguments that may need assuming. */
const POSITIONAL: Record<string, string[]> = {
  LambdaLR: ['lr_lambda', 'last_epoch'],
  MultiplicativeLR: ['lr_lambda', 'last_epoch'],
  StepLR: ['step_size', 'gamma', 'last_epoch'],
  MultiStepLR: ['milestones', 'gamma', 'last_epoch'],
  ConstantLR: ['factor', 'total_iters', 'last_epoch'],
  LinearLR: ['start_factor', 'end_factor', 'total_iters', 'last_epoch'],
  ExponentialLR: ['gamma', 'last_epoch'],
  SequentialLR: ['schedulers', 'milestones', 'last_epoch'],
  PolynomialLR: ['total_iters', 'power', 'last_epoch'],
  CosineAnnealingLR: ['T_max', 'eta_min', 'last_epoch'],
  ChainedScheduler: ['schedulers', 'optimizer'],
  ReduceLROnPlateau: ['mode', 'factor', 'patience', 'threshold', 'threshold_mode', 'cooldown', 'min_lr', 'eps'],
  CyclicLR: ['base_lr', 'max_lr', 'step_size_up', 'step_size_down', 'mode', 'gamma', 'scale_fn', 'scale_mode', 'cycle_momentum', 'base_momentum', 'max_momentum', 'last_epoch'],
  CosineAnnealingWarmRestarts: ['T_0', 'T_mult', 'eta_min', 'last_epoch'],
  OneCycleLR: ['max_lr', 'total_steps', 'epochs', 'steps_per_epoch', 'pct_start', 'anneal_strategy', 'cycle_momentum', 'base_momentum', 'max_momentum', 'div_factor', 'final_div_factor', 'three_phase', 'last_epoch'],
  SWALR: ['swa_lr', 'anneal_epochs', 'anneal_strategy', 'last_epoch'],
};

/** Schedulers that are normally stepped after every batch (when the loops do not tell). */
const PER_BATCH_CLASSES = new Set(['OneCycleLR', 'CyclicLR']);

export interface PreviewOptions {
  /** Optimizer steps of the whole run when the script does not fix it. */
  steps: number;
  stepsPerEpoch: number;
  torch: TorchVersion;
  /** User-given values (plot view inputs), keyed `<scheduler label>.<argument>` or `<argument>`. */
  args?: Record<string, number>;
  /** The user fixed the length of the run (plot view input): it wins over the script's horizon. */
  stepsGiven?: boolean;
  /** Simulate only this many scheduler steps (inlay hints need the first value only). */
  limit?: number;
}

export function previewOptions(settings: { previewSteps: number; previewStepsPerEpoch: number; torchVersion: TorchVersion }, a?: PreviewAssumptions): PreviewOptions {
  return {
    steps: a?.steps && a.steps > 0 ? Math.round(a.steps) : settings.previewSteps,
    stepsPerEpoch: a?.stepsPerEpoch && a.stepsPerEpoch > 0 ? Math.round(a.stepsPerEpoch) : settings.previewStepsPerEpoch,
    torch: settings.torchVersion,
    args: a?.args,
    stepsGiven: Boolean(a?.steps && a.steps > 0),
  };
}

/** The scheduler whose constructor call contains the position (innermost first). */
export function schedulerAt(model: FileModel, line: number, character: number): SchedulerModel | undefined {
  const inside = model.schedulers.filter((s) => contains(s.call, line, character));
  inside.sort((a, b) => b.call.startIndex - a.call.startIndex);
  return inside[0];
}

export function contains(node: SyntaxNode, line: number, character: number): boolean {
  const s = node.startPosition;
  const e = node.endPosition;
  if (line < s.row || line > e.row) return false;
  if (line === s.row && character < s.column) return false;
  if (line === e.row && character > e.column) return false;
  return true;
}

/** A short name for a scheduler: its variable, else its class. */
export function schedulerLabel(s: SchedulerModel): string {
  return s.variable ?? s.className;
}

export function optimizerLabel(o: OptimizerModel): string {
  return o.variable ?? o.calleeNode.text;
}

/** Per-file cache of interpreter scopes (evaluating the module is the costly part). */
export class ScopeCache {
  private readonly scopes = new Map<SyntaxNode, Scope>();
  constructor(private readonly root: SyntaxNode) {}
  at(node: SyntaxNode): Scope {
    // Calls at module level share one scope; calls inside functions get their own.
    let key: SyntaxNode = this.root;
    for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') key = node;
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = scopeAt(this.root, key === this.root ? undefined : node);
      this.scopes.set(key, scope);
    }
    return scope;
  }
}

interface Built {
  spec: SchedulerSpec;
  model: SchedulerModel;
  label: string;
}

interface Assumer {
  assumed: AssumedArgument[];
  inputs: SchedulePreview['inputs'];
  /** The first argument that could not be resolved nor assumed. */
  missing?: string;
}

/**
 * Simulates one scheduler of the file (with the schedulers it wraps) and summarises every group.
 * Never throws: what cannot be simulated comes back as `notSimulated` with the reason.
 */
export function previewScheduler(input: { root: SyntaxNode; model: FileModel; scheduler: SchedulerModel; options: PreviewOptions; scopes?: ScopeCache }): SchedulePreview {
  const { model, scheduler: target, options } = input;
  const scopes = input.scopes ?? new ScopeCache(input.root);
  const kind = canonicalKind(target.className) ?? target.className;
  const unit = steppingUnit(model, target);
  const base: SchedulePreview = {
    title: schedulerLabel(target),
    schedulerClass: kind,
    optimizerLabel: target.optimizer ? optimizerLabel(target.optimizer) : '?',
    line: target.call.startPosition.row,
    character: target.call.startPosition.column,
    unit: unit.unit,
    unitReason: unit.reason,
    stepsPerEpoch: options.stepsPerEpoch,
    steps: 0,
    groups: [],
    assumed: [],
    assumptions: [],
    exact: false,
    notes: [],
    inputs: [],
  };
  const opt = target.optimizer;
  if (!opt) return { ...base, notSimulated: `the optimizer of \`${schedulerLabel(target)}\` is not known statically` };
  const summary = summariseOptimizer(opt);
  if (!summary.groups || !summary.groups.length || !opt.groupsComplete) return { ...base, notSimulated: `the param groups of \`${optimizerLabel(opt)}\` are not known statically` };
  const groups: GroupSpec[] = [];
  for (const g of summary.groups) {
    const lr = g.hyperparameters.lr?.value;
    if (typeof lr !== 'number') return { ...base, notSimulated: `the lr of group ${g.index} of \`${optimizerLabel(opt)}\` is not known statically` };
    const spec: GroupSpec = { lr, label: groupLabel(g.index, g.sources) };
    const m = g.hyperparameters.momentum?.value;
    if (typeof m === 'number') spec.momentum = m;
    const b = g.hyperparameters.betas?.value;
    if (Array.isArray(b) && b.length === 2 && typeof b[0] === 'number' && typeof b[1] === 'number') spec.betas = [b[0], b[1]];
    groups.push(spec);
  }

  // The target and every scheduler it wraps, in construction order.
  const chain = wrapped(model, target);
  const refScope: Scope = { vars: new Map(), parent: undefined };
  for (const s of chain) if (s.variable) refScope.vars.set(s.variable, schedulerRef(idOf(s)));
  const unitsTotal = unit.unit === 'step' ? options.steps : Math.max(1, Math.ceil(options.steps / options.stepsPerEpoch));
  const assumer: Assumer = { assumed: [], inputs: [] };
  const built: Built[] = chain.map((s) => buildSpec({ s, scopes, refScope, options, unitsTotal, groups, assumer }));
  const assumptions: string[] = [];

  let steps: number;
  let horizon = options.stepsGiven ? undefined : naturalHorizon(built, built[built.length - 1]);
  if (horizon !== undefined && horizon > 1_000_000) horizon = undefined;
  if (horizon !== undefined) {
    steps = horizon;
  } else {
    steps = unitsTotal;
    assumptions.push(
      unit.unit === 'step'
        ? `a run of ${options.steps.toLocaleString('en-US')} optimizer steps`
        : `a run of ${unitsTotal.toLocaleString('en-US')} epochs (${options.steps.toLocaleString('en-US')} steps at ${options.stepsPerEpoch.toLocaleString('en-US')} per epoch)`,
    );
  }
  if (unit.unit === 'epoch') assumptions.push(`${options.stepsPerEpoch.toLocaleString('en-US')} optimizer steps per epoch (for the steps axis)`);
  assumptions.push(`\`${schedulerLabel(target)}.step()\` once per ${unit.unit === 'step' ? 'optimizer step' : 'epoch'} (${unit.reason})`);
  for (const a of assumer.assumed) assumptions.push(`\`${a.scheduler}\` ${a.name}=${fmt(a.value)} for \`${a.source}\` (${a.reason})`);
  const out: SchedulePreview = { ...base, steps: 0, assumed: assumer.assumed, assumptions, inputs: assumer.inputs };
  if (assumer.missing) return { ...out, notSimulated: assumer.missing };

  const limit = options.limit !== undefined ? Math.min(options.limit, steps) : steps;
  const result = simulate({
    optimizer: { className: opt.className, groups },
    schedulers: built.map((b) => b.spec),
    steps: limit,
    torch: options.torch,
    stepped: [idOf(target)],
    maxSteps: limit,
  });
  out.exact = result.exact;
  out.notes = [...result.notes];
  if (result.capped) out.notes.push(result.capped);
  if (result.notSimulated) return { ...out, notSimulated: result.notSimulated };
  const outcome = result.schedulers.find((s) => s.id === idOf(target));
  if (result.error) {
    const e = result.error;
    const message = options.torch === '1.13' && e.message113 ? e.message113 : e.message;
    const where = e.phase === 'construction' ? `constructing \`${labelOfId(built, e.schedulerId)}\`` : `\`${labelOfId(built, e.schedulerId)}.step()\` at step ${e.step}`;
    out.error = `${where} raises ${e.type}: ${message}`;
  }
  if (outcome?.status === 'notSimulated') return { ...out, notSimulated: outcome.notSimulated };
  const traces = outcome?.status === 'ok' ? (outcome.groups ?? result.effective) : result.effective;
  out.steps = traces[0]?.lr.length ?? 0;
  out.groups = traces.map((t, i) => summariseTrace(groups[i]?.label ?? `group ${i}`, t.lr));
  return out;
}

function groupLabel(index: number, sources: string[]): string {
  const what = sources.length ? sources.join(', ') : 'params';
  return `${index}: ${what.length > 40 ? `${what.slice(0, 39)}…` : what}`;
}

export function summariseTrace(label: string, lr: ArrayLike<number>): PreviewGroup {
  let peak = -Infinity;
  let peakAt = 0;
  const values = Array.from(lr);
  for (let i = 0; i < values.length; i++) {
    if (values[i] > peak) {
      peak = values[i];
      peakAt = i;
    }
  }
  return { label, lr: values, start: values[0] ?? NaN, peak: values.length ? peak : NaN, peakAt, end: values[values.length - 1] ?? NaN };
}

function idOf(s: SchedulerModel): string {
  return `s${s.id}`;
}

function labelOfId(built: Built[], id: string | undefined): string {
  return built.find((b) => b.spec.id === id)?.label ?? 'the scheduler';
}

/** The schedulers a SequentialLR/ChainedScheduler wraps (recursively), then the scheduler itself. */
function wrapped(model: FileModel, target: SchedulerModel, seen = new Set<SchedulerModel>()): SchedulerModel[] {
  if (seen.has(target)) return [];
  seen.add(target);
  const deps: SchedulerModel[] = [];
  const arg = target.keywordArgs.get('schedulers') ?? target.args[1];
  if (arg && arg.value.kind === 'list') {
    for (const item of arg.value.items) if (item.kind === 'scheduler') deps.push(...wrapped(model, item.scheduler, seen));
  }
  const ordered = [...new Set(deps)].sort((a, b) => a.id - b.id);
  return [...ordered, target];
}

/** Whether `scheduler.step()` runs once per optimizer step or once per epoch. */
export function steppingUnit(model: FileModel, s: SchedulerModel): { unit: 'step' | 'epoch'; reason: string } {
  const kind = canonicalKind(s.className) ?? s.className;
  // A wrapped scheduler is stepped by its wrapper.
  const wrapper = model.schedulers.find((w) => w !== s && wrapped(model, w).includes(s));
  const stepper = wrapper ?? s;
  const schedSteps = model.steps.filter((c: StepCall) => c.target === 'scheduler' && c.scheduler === stepper);
  const optSteps = model.steps.filter((c: StepCall) => c.target === 'optimizer' && (!s.optimizer || c.optimizer === s.optimizer));
  if (schedSteps.length && optSteps.length) {
    const sc = schedSteps[0];
    const oc = optSteps[0];
    const sameInnermost = sc.loops.length > 0 && sc.loops[sc.loops.length - 1] === oc.loops[oc.loops.length - 1];
    if (sameInnermost || (sc.loops.length === 0 && oc.loops.length === 0)) return { unit: 'step', reason: `\`${stepper.variable ?? 'scheduler'}.step()\` is in the same loop as \`optimizer.step()\`` };
    if (sc.loops.length < oc.loops.length) return { unit: 'epoch', reason: `\`${stepper.variable ?? 'scheduler'}.step()\` is outside the loop of \`optimizer.step()\`` };
  }
  if (PER_BATCH_CLASSES.has(kind) || kind.startsWith('get_')) return { unit: 'step', reason: `${kind} is meant to be stepped after every batch` };
  return { unit: 'epoch', reason: `${kind} is usually stepped once per epoch; no \`step()\` call was found to tell` };
}

/** The length the script itself fixes, in scheduler steps (OneCycleLR's total, T_max, ...). */
function naturalHorizon(built: Built[], b: Built): number | undefined {
  const kind = canonicalKind(b.model.className) ?? b.model.className;
  const kw = b.spec.kwargs ?? {};
  const int = (v: PyValue | undefined): number | undefined => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  switch (kind) {
    case 'OneCycleLR': {
      const total = int(kw.total_steps);
      if (total !== undefined) return total;
      const e = int(kw.epochs);
      const s = int(kw.steps_per_epoch);
      return e !== undefined && s !== undefined ? e * s : undefined;
    }
    case 'CosineAnnealingLR':
      return int(kw.T_max);
    case 'PolynomialLR':
      return int(kw.total_iters);
    case 'CyclicLR': {
      const up = int(kw.step_size_up) ?? 2000;
      const down = int(kw.step_size_down) ?? up;
      return 2 * (up + down);
    }
    case 'CosineAnnealingWarmRestarts': {
      const t0 = int(kw.T_0);
      const mult = int(kw.T_mult) ?? 1;
      if (t0 === undefined) return undefined;
      return mult === 1 ? 3 * t0 : t0 * (1 + mult + mult * mult);
    }
    case 'SequentialLR': {
      const ms = kw.milestones;
      const subs = kw.schedulers;
      if (!Array.isArray(ms) || !Array.isArray(subs)) return undefined;
      const lastRef = subs[subs.length - 1];
      const last = built.find((x) => typeof lastRef === 'object' && lastRef !== null && 'kind' in lastRef && lastRef.kind === 'scheduler' && x.spec.id === lastRef.id);
      const lastMilestone = int(ms[ms.length - 1]);
      const tail = last ? naturalHorizon(built, last) : undefined;
      return lastMilestone !== undefined && tail !== undefined ? lastMilestone + tail : undefined;
    }
    default: {
      const n = int(kw.num_training_steps);
      return n;
    }
  }
}

/** Builds a scheduler's spec: arguments by name, unresolved ones assumed (or reported missing). */
function buildSpec(input: { s: SchedulerModel; scopes: ScopeCache; refScope: Scope; options: PreviewOptions; unitsTotal: number; groups: GroupSpec[]; assumer: Assumer }): Built {
  const { s, scopes, options, unitsTotal, groups, assumer } = input;
  const label = schedulerLabel(s);
  const kind = canonicalKind(s.className) ?? s.className;
  const names = POSITIONAL[kind] ?? [];
  const scope: Scope = { vars: input.refScope.vars, parent: scopes.at(s.call) };
  const kwargs: Record<string, PyValue> = {};
  const sources: Record<string, SyntaxNode> = {};
  // Positional 0 is the optimizer (or it is passed as `optimizer=`).
  const positional = s.keywordArgs.has('optimizer') ? s.args : s.args.slice(1);
  positional.forEach((a, i) => {
    const name = names[i] ?? `arg${i + 1}`;
    kwargs[name] = valueFromSyntax(a.node, scope);
    sources[name] = a.node;
  });
  for (const [name, a] of s.keywordArgs) {
    if (name === 'optimizer') continue;
    kwargs[name] = valueFromSyntax(a.node, scope);
    sources[name] = a.node;
  }
  for (const [name, v] of Object.entries(kwargs)) {
    if (!isUnresolved(v)) continue;
    const given = options.args?.[`${label}.${name}`] ?? options.args?.[name];
    const source = sources[name]?.text.slice(0, 60) ?? name;
    const guess = given !== undefined ? { value: given, reason: 'set in the preview' } : assume(kind, name, unitsTotal, options, groups);
    if (!guess) {
      assumer.inputs.push({ name: `${label}.${name}`, value: NaN, assumed: true });
      assumer.missing ??= `\`${label}\`: ${name}=\`${source}\` is not known statically (${(v as { reason: string }).reason}); give it a value in the preview`;
      continue;
    }
    const isInt = INT_ARGS.has(name);
    kwargs[name] = name === 'max_lr' && given === undefined && groups.length > 1 ? groups.map((g) => Number(g.lr)) : isInt ? BigInt(Math.max(0, Math.round(guess.value))) : guess.value;
    if (name === 'milestones') kwargs[name] = milestones(guess.value);
    assumer.assumed.push({ scheduler: label, name, value: guess.value, source, reason: guess.reason });
    assumer.inputs.push({ name: `${label}.${name}`, value: guess.value, assumed: true });
  }
  return { spec: { id: idOf(s), className: kind, kwargs }, model: s, label };
}

const INT_ARGS = new Set(['T_max', 'total_steps', 'epochs', 'steps_per_epoch', 'total_iters', 'step_size', 'T_0', 'T_mult', 'step_size_up', 'step_size_down', 'num_training_steps', 'num_warmup_steps', 'num_cycles', 'last_epoch', 'anneal_epochs', 'patience', 'cooldown']);

function isUnresolved(v: PyValue): boolean {
  if (Array.isArray(v)) return v.some(isUnresolved);
  return typeof v === 'object' && v !== null && 'kind' in v && v.kind === 'unresolved';
}

/** MultiStepLR milestones for an assumed run of `n` units: at half and three quarters. */
function milestones(n: number): PyValue[] {
  return [BigInt(Math.max(1, Math.round(n / 2))), BigInt(Math.max(2, Math.round((3 * n) / 4)))];
}

/** A value for an argument the script computes at run time, with the reason; undefined: no sensible guess. */
function assume(kind: string, name: string, units: number, o: PreviewOptions, groups: GroupSpec[]): { value: number; reason: string } | undefined {
  const epochs = Math.max(1, Math.ceil(o.steps / o.stepsPerEpoch));
  switch (name) {
    case 'epochs':
      return { value: epochs, reason: `${o.steps} steps at ${o.stepsPerEpoch} per epoch` };
    case 'steps_per_epoch':
      return { value: o.stepsPerEpoch, reason: 'the preview’s steps per epoch' };
    case 'total_steps':
    case 'num_training_steps':
      return { value: o.steps, reason: 'the preview’s run length' };
    case 'T_max':
      return { value: units, reason: 'one half-cosine over the run' };
    case 'total_iters':
      return kind === 'PolynomialLR' ? { value: units, reason: 'decay over the whole run' } : { value: Math.max(1, Math.round(units / 10)), reason: 'a tenth of the run' };
    case 'num_warmup_steps':
      return { value: Math.max(1, Math.round(o.steps / 20)), reason: '5% of the run' };
    case 'step_size':
      return { value: Math.max(1, Math.round(units / 3)), reason: 'a third of the run' };
    case 'T_0':
      return { value: Math.max(1, Math.round(units / 4)), reason: 'four restarts over the run' };
    case 'step_size_up':
      return { value: Math.max(1, Math.round(units / 10)), reason: 'five cycles over the run' };
    case 'milestones':
      return { value: units, reason: 'decays at half and three quarters of the run' };
    case 'max_lr':
      return { value: Number(groups[0]?.lr ?? 0.001), reason: 'the groups’ own lr' };
    default:
      return undefined;
  }
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : formatNumber(v);
}
