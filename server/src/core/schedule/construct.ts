/**
 * Construction: binds a scheduler's arguments to its signature (per PyTorch version), runs
 * PyTorch's validation with its messages, and builds the state machine, applying the
 * constructor's side effects on the optimizer in order.
 */
import { raiseFor, TorchError } from './errors';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  EngineEnv,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiplicativeLR,
  MultiStepLR,
  Num,
  OneCycleLR,
  OptState,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  Steppable,
  StepLR,
  SWALR,
} from './engine';
import { HF_FACTORIES, resolveGetScheduler } from './hf';
import {
  checkResolved,
  isCallable,
  isObj,
  pyEq,
  PyError,
  pyOrder,
  pyRepr,
  pyStr,
  PyCallable,
  PyValue,
  Refusal,
  toFloat,
  typeName,
} from './pyvalue';
import type { SchedulerSpec } from './types';

const REQ = Symbol('required');
type Default = PyValue | typeof REQ;

interface Signature {
  /** Parameters after `self, optimizer`. */
  params: [string, Default][];
  /** 1.13 adds these trailing parameters (verbose). */
  extra113?: [string, Default][];
}

const V: [string, Default][] = [['verbose', false]];

/** torch.optim signatures (current main; 1.13 adds `verbose`). */
const TORCH_SIGS: Record<string, Signature> = {
  LambdaLR: { params: [['lr_lambda', REQ], ['last_epoch', -1n]], extra113: V },
  MultiplicativeLR: { params: [['lr_lambda', REQ], ['last_epoch', -1n]], extra113: V },
  StepLR: { params: [['step_size', REQ], ['gamma', 0.1], ['last_epoch', -1n]], extra113: V },
  MultiStepLR: { params: [['milestones', REQ], ['gamma', 0.1], ['last_epoch', -1n]], extra113: V },
  ConstantLR: { params: [['factor', 1.0 / 3], ['total_iters', 5n], ['last_epoch', -1n]], extra113: V },
  LinearLR: {
    params: [['start_factor', 1.0 / 3], ['end_factor', 1.0], ['total_iters', 5n], ['last_epoch', -1n]],
    extra113: V,
  },
  ExponentialLR: { params: [['gamma', REQ], ['last_epoch', -1n]], extra113: V },
  SequentialLR: { params: [['schedulers', REQ], ['milestones', REQ], ['last_epoch', -1n]], extra113: V },
  PolynomialLR: { params: [['total_iters', 5n], ['power', 1.0], ['last_epoch', -1n]], extra113: V },
  CosineAnnealingLR: { params: [['T_max', REQ], ['eta_min', 0.0], ['last_epoch', -1n]], extra113: V },
  ChainedScheduler: { params: [['schedulers', REQ], ['optimizer', null]] },
  ReduceLROnPlateau: {
    params: [
      ['mode', 'min'],
      ['factor', 0.1],
      ['patience', 10n],
      ['threshold', 1e-4],
      ['threshold_mode', 'rel'],
      ['cooldown', 0n],
      ['min_lr', 0n],
      ['eps', 1e-8],
    ],
    extra113: V,
  },
  CyclicLR: {
    params: [
      ['base_lr', REQ],
      ['max_lr', REQ],
      ['step_size_up', 2000n],
      ['step_size_down', null],
      ['mode', 'triangular'],
      ['gamma', 1.0],
      ['scale_fn', null],
      ['scale_mode', 'cycle'],
      ['cycle_momentum', true],
      ['base_momentum', 0.8],
      ['max_momentum', 0.9],
      ['last_epoch', -1n],
    ],
    extra113: V,
  },
  CosineAnnealingWarmRestarts: {
    params: [['T_0', REQ], ['T_mult', 1n], ['eta_min', 0.0], ['last_epoch', -1n]],
    extra113: V,
  },
  OneCycleLR: {
    params: [
      ['max_lr', REQ],
      ['total_steps', null],
      ['epochs', null],
      ['steps_per_epoch', null],
      ['pct_start', 0.3],
      ['anneal_strategy', 'cos'],
      ['cycle_momentum', true],
      ['base_momentum', 0.85],
      ['max_momentum', 0.95],
      ['div_factor', 25.0],
      ['final_div_factor', 1e4],
      ['three_phase', false],
      ['last_epoch', -1n],
    ],
    extra113: V,
  },
  SWALR: { params: [['swa_lr', REQ], ['anneal_epochs', 10n], ['anneal_strategy', 'cos'], ['last_epoch', -1n]] },
};

/** 1.13 ChainedScheduler takes only `schedulers`. */
const CHAINED_113: Signature = { params: [['schedulers', REQ]] };

/** Which optimizer classes have `momentum` / `betas` in `optimizer.defaults` (torch 2.x and 1.13). */
export const OPTIMIZER_DEFAULT_KEYS: Record<string, { momentum: boolean; betas: boolean }> = {
  SGD: { momentum: true, betas: false },
  RMSprop: { momentum: true, betas: false },
  Adam: { momentum: false, betas: true },
  AdamW: { momentum: false, betas: true },
  Adamax: { momentum: false, betas: true },
  NAdam: { momentum: false, betas: true },
  RAdam: { momentum: false, betas: true },
  SparseAdam: { momentum: false, betas: true },
  Adagrad: { momentum: false, betas: false },
  Adadelta: { momentum: false, betas: false },
  ASGD: { momentum: false, betas: false },
  Rprop: { momentum: false, betas: false },
  LBFGS: { momentum: false, betas: false },
  Adafactor: { momentum: false, betas: false },
};

/** Canonical class names accepted in SchedulerSpec.className, by every spelling. */
export function canonicalKind(className: string): string | undefined {
  const last = className.split('.').pop() ?? className;
  if (last in TORCH_SIGS) return last;
  if (last === '_LRScheduler' || last === 'LRScheduler') return undefined;
  if (HF_FACTORIES.some((f) => f.name === last)) return last;
  if (last === 'get_scheduler' || last === 'get_reduce_on_plateau_schedule') return last;
  return undefined;
}

function bindArgs(qual: string, params: [string, Default][], args: PyValue[], kwargs: Record<string, PyValue>, selfCount: number): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  if (args.length > params.length) {
    const req = params.filter(([, d]) => d === REQ).length + selfCount;
    const total = params.length + selfCount;
    const takes = req === total ? `${total}` : `from ${req} to ${total}`;
    throw new PyError('TypeError', `${qual}() takes ${takes} positional arguments but ${args.length + selfCount} were given`);
  }
  args.forEach((a, i) => (out[params[i][0]] = a));
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'optimizer' && !params.some(([n]) => n === 'optimizer')) continue;
    if (!params.some(([n]) => n === k)) throw new PyError('TypeError', `${qual}() got an unexpected keyword argument '${k}'`);
    if (k in out) throw new PyError('TypeError', `${qual}() got multiple values for argument '${k}'`);
    out[k] = v;
  }
  const missing = params.filter(([n, d]) => !(n in out) && d === REQ).map(([n]) => n);
  if (missing.length) {
    const list = missing.length === 1 ? `'${missing[0]}'` : `${missing.slice(0, -1).map((m) => `'${m}'`).join(', ')} and '${missing[missing.length - 1]}'`;
    throw new PyError('TypeError', `${qual}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`);
  }
  for (const [n, d] of params) if (!(n in out)) out[n] = d as PyValue;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Argument access

function need(v: PyValue, what: string): PyValue {
  checkResolved(v);
  return v;
}

/** A number argument (int/float/bool); other types are refused, since PyTorch would fail later in ways not modelled. */
function numArg(v: PyValue, name: string): Num {
  need(v, name);
  if (typeof v === 'number') return { v, isInt: false };
  if (typeof v === 'bigint') {
    const f = Number(v);
    if (!Number.isSafeInteger(f)) throw new Refusal(`\`${name}\` = ${v} is too large to simulate`);
    return { v: f, isInt: true };
  }
  if (typeof v === 'boolean') return { v: v ? 1 : 0, isInt: true };
  throw new Refusal(`\`${name}\` is ${v === null ? 'None' : `a ${typeName(v)}`}, not a number`);
}

function floatArg(v: PyValue, name: string): number {
  return numArg(v, name).v;
}

function items(v: PyValue): PyValue[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObj(v) && v.kind === 'tuple') return v.items;
  return undefined;
}

function isListLike(v: PyValue): boolean {
  return items(v) !== undefined;
}

/** Python `str(v)` for messages, e.g. `{T_0}` in an f-string. */
const s = (v: PyValue) => pyStr(v);

/** `_format_param(name, optimizer, param)`: scalar broadcast or per-group list. */
function formatParam(env: EngineEnv, opt: OptState, name: string, v: PyValue, msg113?: string): Float64Array {
  need(v, name);
  const it = items(v);
  if (it) {
    if (it.length !== opt.n) {
      raiseFor(
        env.v2,
        'ValueError',
        `${name} must have the same length as optimizer.param_groups. ${name} has ${it.length} values, param_groups has ${opt.n}.`,
        msg113 ?? `expected ${opt.n} values for ${name}, got ${it.length}`,
        name,
      );
    }
    return Float64Array.from(it.map((x, i) => floatArg(x, `${name}[${i}]`)));
  }
  const f = floatArg(v, name);
  return new Float64Array(opt.n).fill(f);
}

function callables(env: EngineEnv, opt: OptState, v: PyValue, kind: string): PyCallable[] {
  need(v, 'lr_lambda');
  const it = items(v);
  let fns: PyValue[];
  if (it) {
    if (it.length !== opt.n) {
      raiseFor(env.v2, 'ValueError', `Expected ${opt.n} lr_lambdas, but got ${it.length}`, `Expected ${opt.n} lr_lambdas, but got ${it.length}`, 'lr_lambda');
    }
    fns = it;
  } else fns = new Array(opt.n).fill(v);
  return fns.map((f) => {
    checkResolved(f);
    if (!isCallable(f)) {
      if (kind === 'MultiplicativeLR') {
        // 2.x checks callable() at construction; 1.13 fails at the first real step.
        throw new TorchError('TypeError', `lr_lambda should be a function, but got ${typeName(f)}`, {
          onlyIn: '2.x',
          argument: 'lr_lambda',
        });
      }
      throw new TorchError('TypeError', `'${typeName(f)}' object is not callable`, { argument: 'lr_lambda' });
    }
    return f;
  });
}

// ---------------------------------------------------------------------------------------------

/** Builds the scheduler for one spec; `byId` holds the schedulers constructed before it. */
export function constructScheduler(
  spec: SchedulerSpec,
  opt: OptState,
  env: EngineEnv,
  byId: Map<string, Steppable>,
): { sched: Steppable; kind: string; factory?: string } {
  const kind = canonicalKind(spec.className);
  if (!kind) {
    throw new Refusal(`\`${spec.className}\` is not a scheduler the simulator knows`);
  }
  const args = spec.args ?? [];
  const kwargs = spec.kwargs ?? {};

  if (kind === 'get_scheduler') {
    const a = bindArgs(
      'get_scheduler',
      [
        ['name', REQ],
        ['num_warmup_steps', null],
        ['num_training_steps', null],
        ['scheduler_specific_kwargs', null],
      ],
      args,
      kwargs,
      1,
    );
    for (const k of Object.keys(a)) need(a[k], k);
    const { factory, kwargs: fk } = resolveGetScheduler(a);
    const r = constructScheduler({ id: spec.id, className: factory, args: [], kwargs: fk }, opt, env, byId);
    return { ...r, factory: `get_scheduler → ${factory}` };
  }
  if (kind === 'get_reduce_on_plateau_schedule') {
    if (args.length) throw new PyError('TypeError', `get_reduce_on_plateau_schedule() takes 1 positional argument but ${args.length + 1} were given`);
    const r = constructScheduler({ id: spec.id, className: 'ReduceLROnPlateau', kwargs }, opt, env, byId);
    return { ...r, factory: 'get_reduce_on_plateau_schedule' };
  }
  const hf = HF_FACTORIES.find((f) => f.name === kind);
  if (hf) {
    const params = hf.params.map(([n, d]) => [n, d === undefined ? REQ : d] as [string, Default]);
    const a = bindArgs(hf.name, params, args, kwargs, 1);
    const built = hf.build(a, opt.defaultLr);
    if (built.kind === 'ReduceLROnPlateau') {
      return constructScheduler({ id: spec.id, className: 'ReduceLROnPlateau', kwargs: built.kwargs }, opt, env, byId);
    }
    checkLastEpoch(built.lastEpoch);
    const sched = new LambdaLR(spec.id, 'LambdaLR', opt, env);
    sched.init(new Array(opt.n).fill(built.lambda));
    return { sched, kind: 'LambdaLR', factory: built.factory };
  }

  const sig = !env.v2 && kind === 'ChainedScheduler' ? CHAINED_113 : TORCH_SIGS[kind];
  if (env.v2 && 'verbose' in kwargs && sig.extra113) {
    // `verbose` was deprecated in 2.2 and removed in 2.7: now a TypeError, accepted by 1.13.
    throw new TorchError('TypeError', `${kind}.__init__() got an unexpected keyword argument 'verbose'`, {
      onlyIn: '2.x',
      argument: 'verbose',
    });
  }
  const params = env.v2 ? sig.params : [...sig.params, ...(sig.extra113 ?? [])];
  const a = bindArgs(`${kind}.__init__`, params, args, kwargs, kind === 'ChainedScheduler' ? 1 : 2);
  if ('last_epoch' in a) checkLastEpoch(a.last_epoch);
  return { sched: build(kind, spec.id, a, opt, env, byId), kind };
}

function checkLastEpoch(v: PyValue): void {
  if (!pyEq(v, -1n)) {
    throw new Refusal(`last_epoch=${pyRepr(v)} resumes a run from a checkpoint; only fresh runs (last_epoch=-1) are simulated`);
  }
}

function refs(env: EngineEnv, v: PyValue, byId: Map<string, Steppable>, owner: string): Steppable[] {
  need(v, 'schedulers');
  const it = items(v);
  if (!it) throw new Refusal('`schedulers` is not a list of schedulers');
  return it.map((x) => {
    checkResolved(x);
    if (!isObj(x) || x.kind !== 'scheduler') throw new Refusal(`an item of \`schedulers\` is not a scheduler (${typeName(x)})`);
    const s = byId.get(x.id);
    if (!s) throw new Refusal(`\`${x.id}\` must be constructed before the ${owner} that uses it`);
    return s;
  });
}

function build(
  kind: string,
  id: string,
  a: Record<string, PyValue>,
  opt: OptState,
  env: EngineEnv,
  byId: Map<string, Steppable>,
): Steppable {
  const v2 = env.v2;
  switch (kind) {
    case 'LambdaLR': {
      const s = new LambdaLR(id, kind, opt, env);
      s.init(callables(env, opt, a.lr_lambda, kind));
      return s;
    }
    case 'MultiplicativeLR': {
      const s = new MultiplicativeLR(id, kind, opt, env);
      s.init(callables(env, opt, a.lr_lambda, kind));
      return s;
    }
    case 'StepLR': {
      const s = new StepLR(id, kind, opt, env);
      s.init(numArg(a.step_size, 'step_size'), numArg(a.gamma, 'gamma'));
      return s;
    }
    case 'MultiStepLR': {
      need(a.milestones, 'milestones');
      const it = items(a.milestones);
      if (!it) throw new Refusal('`milestones` is not a list');
      const s = new MultiStepLR(id, kind, opt, env);
      s.init(
        it.map((m, i) => floatArg(m, `milestones[${i}]`)),
        numArg(a.gamma, 'gamma'),
      );
      return s;
    }
    case 'ConstantLR': {
      const f = need(a.factor, 'factor');
      const bad = pyOrder('>', f, 1.0) || pyOrder('<', f, 0n);
      if (bad) {
        const m = 'Constant multiplicative factor expected to be between 0 and 1.';
        raiseFor(v2, 'ValueError', m, m, 'factor');
      }
      const s = new ConstantLR(id, kind, opt, env);
      s.init(numArg(f, 'factor'), numArg(a.total_iters, 'total_iters'));
      return s;
    }
    case 'LinearLR': {
      const st = need(a.start_factor, 'start_factor');
      const en = need(a.end_factor, 'end_factor');
      const bad2 = pyOrder('>', st, 1.0) || pyOrder('<=', st, 0n);
      const bad113 = pyOrder('>', st, 1.0) || pyOrder('<', st, 0n);
      raiseFor(
        v2,
        'ValueError',
        bad2 ? 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.' : undefined,
        bad113 ? 'Starting multiplicative factor expected to be between 0 and 1.' : undefined,
        'start_factor',
      );
      if (pyOrder('>', en, 1.0) || pyOrder('<', en, 0n)) {
        const m = 'Ending multiplicative factor expected to be between 0 and 1.';
        raiseFor(v2, 'ValueError', m, m, 'end_factor');
      }
      const s = new LinearLR(id, kind, opt, env);
      s.init(numArg(st, 'start_factor'), numArg(en, 'end_factor'), numArg(a.total_iters, 'total_iters'));
      return s;
    }
    case 'ExponentialLR': {
      const s = new ExponentialLR(id, kind, opt, env);
      s.init(numArg(a.gamma, 'gamma'));
      return s;
    }
    case 'PolynomialLR': {
      const s = new PolynomialLR(id, kind, opt, env);
      s.init(numArg(a.total_iters, 'total_iters'), numArg(a.power, 'power'));
      return s;
    }
    case 'CosineAnnealingLR': {
      const s = new CosineAnnealingLR(id, kind, opt, env);
      s.init(numArg(a.T_max, 'T_max'), floatArg(a.eta_min, 'eta_min'));
      return s;
    }
    case 'CosineAnnealingWarmRestarts': {
      const T0 = need(a.T_0, 'T_0');
      const Tm = need(a.T_mult, 'T_mult');
      const isInt = (x: PyValue) => typeof x === 'bigint' || typeof x === 'boolean';
      if (!isInt(T0) || pyOrder('<=', T0, 0n)) {
        if (typeof T0 !== 'number' && !isInt(T0)) throw new Refusal(`\`T_0\` is a ${typeName(T0)}`);
        const m = `Expected positive integer T_0, but got ${s(T0)}`;
        raiseFor(v2, 'ValueError', m, m, 'T_0');
      }
      if (!isInt(Tm) || pyOrder('<', Tm, 1n)) {
        if (typeof Tm !== 'number' && !isInt(Tm)) throw new Refusal(`\`T_mult\` is a ${typeName(Tm)}`);
        const m = `Expected integer T_mult >= 1, but got ${s(Tm)}`;
        raiseFor(v2, 'ValueError', m, m, 'T_mult');
      }
      const em = need(a.eta_min, 'eta_min');
      if (typeof em !== 'number' && typeof em !== 'bigint' && typeof em !== 'boolean') {
        raiseFor(
          v2,
          'ValueError',
          `Expected float or int eta_min, but got ${s(em)} of type <class '${typeName(em)}'>`,
          undefined,
          'eta_min',
        );
        throw new Refusal(`\`eta_min\` is a ${typeName(em)}`);
      }
      const sch = new CosineAnnealingWarmRestarts(id, kind, opt, env);
      sch.init(numArg(T0, 'T_0').v, numArg(Tm, 'T_mult').v, floatArg(em, 'eta_min'));
      return sch;
    }
    case 'OneCycleLR':
      return buildOneCycle(id, a, opt, env);
    case 'CyclicLR':
      return buildCyclic(id, a, opt, env);
    case 'SWALR': {
      const swa = formatParam(env, opt, 'swa_lr', a.swa_lr, `swa_lr must have the same length as optimizer.param_groups: swa_lr has ${items(a.swa_lr)?.length}, optimizer.param_groups has ${opt.n}`);
      opt.swaLr = swa;
      const strat = need(a.anneal_strategy, 'anneal_strategy');
      if (!pyEq(strat, 'cos') && !pyEq(strat, 'linear')) {
        const m = `anneal_strategy must by one of 'cos' or 'linear', instead got ${s(strat)}`;
        raiseFor(v2, 'ValueError', m, m, 'anneal_strategy');
      }
      const ae = need(a.anneal_epochs, 'anneal_epochs');
      if (typeof ae !== 'bigint' && typeof ae !== 'boolean') {
        const m = `anneal_epochs must be equal or greater than 0, got ${s(ae)}`;
        raiseFor(v2, 'ValueError', m, m, 'anneal_epochs');
      }
      if (pyOrder('<', ae, 0n)) {
        const m = `anneal_epochs must be equal or greater than 0, got ${s(ae)}`;
        raiseFor(v2, 'ValueError', m, m, 'anneal_epochs');
      }
      const sch = new SWALR(id, kind, opt, env);
      sch.init(numArg(ae, 'anneal_epochs').v, pyEq(strat, 'cos'));
      return sch;
    }
    case 'ReduceLROnPlateau': {
      const factor = need(a.factor, 'factor');
      if (pyOrder('>=', factor, 1.0)) raiseFor(v2, 'ValueError', 'Factor should be < 1.0.', 'Factor should be < 1.0.', 'factor');
      const ml = need(a.min_lr, 'min_lr');
      let minLrs: Float64Array;
      const it = items(ml);
      if (it) {
        if (it.length !== opt.n) {
          const m = `expected ${opt.n} min_lrs, got ${it.length}`;
          raiseFor(v2, 'ValueError', m, m, 'min_lr');
        }
        minLrs = Float64Array.from(it.map((x, i) => floatArg(x, `min_lr[${i}]`)));
      } else minLrs = new Float64Array(opt.n).fill(floatArg(ml, 'min_lr'));
      const mode = need(a.mode, 'mode');
      const tm = need(a.threshold_mode, 'threshold_mode');
      if (!pyEq(mode, 'min') && !pyEq(mode, 'max')) {
        if (typeof mode !== 'string') throw new Refusal('`mode` is not a string');
        const m = `mode ${mode} is unknown!`;
        raiseFor(v2, 'ValueError', m, m, 'mode');
      }
      if (!pyEq(tm, 'rel') && !pyEq(tm, 'abs')) {
        if (typeof tm !== 'string') throw new Refusal('`threshold_mode` is not a string');
        const m = `threshold mode ${tm} is unknown!`;
        raiseFor(v2, 'ValueError', m, m, 'threshold_mode');
      }
      const sch = new ReduceLROnPlateau(id, kind, opt, env);
      sch.init({
        mode: mode as 'min' | 'max',
        thresholdMode: tm as 'rel' | 'abs',
        factor: floatArg(factor, 'factor'),
        patience: floatArg(a.patience, 'patience'),
        threshold: floatArg(a.threshold, 'threshold'),
        cooldown: floatArg(a.cooldown, 'cooldown'),
        minLrs,
        eps: floatArg(a.eps, 'eps'),
      });
      return sch;
    }
    case 'SequentialLR': {
      const list = items(need(a.schedulers, 'schedulers'));
      if (v2 && list && list.length < 1) {
        throw new TorchError('ValueError', 'SequentialLR expects at least one scheduler, but got no scheduler.', { onlyIn: '2.x', argument: 'schedulers' });
      }
      const subs = refs(env, a.schedulers, byId, 'SequentialLR');
      if (v2) {
        subs.forEach((sub, i) => {
          if (sub instanceof ReduceLROnPlateau) {
            throw new TorchError(
              'ValueError',
              `SequentialLR does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`,
              { onlyIn: '2.x', argument: 'schedulers' },
            );
          }
        });
      }
      const ms = items(need(a.milestones, 'milestones'));
      if (!ms) throw new Refusal('`milestones` is not a list');
      if (ms.length !== subs.length - 1) {
        const m = `Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${subs.length} and the number of milestones to be equal to ${ms.length}`;
        raiseFor(v2, 'ValueError', m, m, 'milestones');
      }
      const sch = new SequentialLR(id, kind, opt, env);
      for (const sub of subs) sub.wrappedBy = id;
      sch.init(subs, ms.map((m, i) => floatArg(m, `milestones[${i}]`)));
      return sch;
    }
    case 'ChainedScheduler': {
      const list = items(need(a.schedulers, 'schedulers'));
      if (list && list.length < 1) {
        raiseFor(
          v2,
          'ValueError',
          'ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.',
          'list index out of range',
          'schedulers',
          'IndexError',
        );
      }
      const subs = refs(env, a.schedulers, byId, 'ChainedScheduler');
      if (v2) {
        subs.forEach((sub, i) => {
          if (sub instanceof ReduceLROnPlateau) {
            throw new TorchError(
              'ValueError',
              `ChainedScheduler does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`,
              { onlyIn: '2.x', argument: 'schedulers' },
            );
          }
        });
      }
      const sch = new ChainedScheduler(id, kind, opt, env);
      for (const sub of subs) sub.wrappedBy = id;
      sch.init(subs);
      return sch;
    }
  }
  throw new Refusal(`\`${kind}\` is not simulated`);
}

function momentumSupport(opt: OptState): { momentum: boolean; betas: boolean } {
  return { momentum: opt.hasMomentumDefault, betas: opt.hasBetasDefault };
}

function ensureMomentumArrays(opt: OptState, useBeta1: boolean): void {
  if (useBeta1) {
    if (!opt.beta1) {
      opt.beta1 = new Float64Array(opt.n).fill(0.9);
      opt.beta2 = new Float64Array(opt.n).fill(0.999);
    }
  } else if (!opt.momentum) opt.momentum = new Float64Array(opt.n);
}

function buildOneCycle(id: string, a: Record<string, PyValue>, opt: OptState, env: EngineEnv): Steppable {
  const v2 = env.v2;
  const ts = need(a.total_steps, 'total_steps');
  const ep = need(a.epochs, 'epochs');
  const spe = need(a.steps_per_epoch, 'steps_per_epoch');
  const isInt = (x: PyValue) => typeof x === 'bigint' || typeof x === 'boolean';
  const notNum = (x: PyValue) => typeof x !== 'number' && !isInt(x);
  let total: number;
  if (ts !== null) {
    if (notNum(ts)) throw new Refusal('`total_steps` is not a number');
    if (pyOrder('<=', ts, 0n) || !isInt(ts)) {
      const m = `Expected positive integer total_steps, but got ${s(ts)}`;
      raiseFor(v2, 'ValueError', m, m, 'total_steps');
    }
    total = numArg(ts, 'total_steps').v;
  } else if (ep === null && spe === null) {
    const m = 'You must define either total_steps OR (epochs AND steps_per_epoch)';
    raiseFor(v2, 'ValueError', m, m, 'total_steps');
    throw new Error('unreachable');
  } else {
    // 2.x: both must be given; 1.13 compares None <= 0 and raises TypeError
    if (ep === null || spe === null) {
      const missing = ep === null ? 'epochs' : 'steps_per_epoch';
      const m113 = "'<=' not supported between instances of 'NoneType' and 'int'";
      if (v2) {
        throw new TorchError('ValueError', 'You must define either total_steps OR (epochs AND steps_per_epoch)', {
          message113: `TypeError: ${m113}`,
          argument: missing,
        });
      }
      // 1.13 checks epochs first
      if (ep !== null) {
        if (notNum(ep)) throw new Refusal('`epochs` is not a number');
        if (pyOrder('<=', ep, 0n) || !isInt(ep)) {
          const m = `Expected positive integer epochs, but got ${s(ep)}`;
          raiseFor(v2, 'ValueError', m, m, 'epochs');
        }
      }
      throw new TorchError('TypeError', 'You must define either total_steps OR (epochs AND steps_per_epoch)', {
        message113: m113,
        argument: missing,
      });
    }
    if (notNum(ep) || notNum(spe)) throw new Refusal('`epochs`/`steps_per_epoch` is not a number');
    if (!isInt(ep) || pyOrder('<=', ep, 0n)) {
      const m = `Expected positive integer epochs, but got ${s(ep)}`;
      raiseFor(v2, 'ValueError', m, m, 'epochs');
    }
    if (!isInt(spe) || pyOrder('<=', spe, 0n)) {
      const m = `Expected positive integer steps_per_epoch, but got ${s(spe)}`;
      raiseFor(v2, 'ValueError', m, m, 'steps_per_epoch');
    }
    total = numArg(ep, 'epochs').v * numArg(spe, 'steps_per_epoch').v;
  }
  const pct = need(a.pct_start, 'pct_start');
  const pctNum = numArg(pct, 'pct_start').v;
  const three = need(a.three_phase, 'three_phase');
  const threeOn = typeof three === 'boolean' ? three : pyEq(three, 0n) ? false : true;
  // float(pct_start * total_steps) - 1 ...
  const e1 = pctNum * total - 1;
  const phases = threeOn
    ? [
        { endStep: e1, startLr: 'initialLr', endLr: 'maxLr', startM: 'maxMomentum', endM: 'baseMomentum' },
        { endStep: 2 * pctNum * total - 2, startLr: 'maxLr', endLr: 'initialLr', startM: 'baseMomentum', endM: 'maxMomentum' },
        { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startM: 'maxMomentum', endM: 'maxMomentum' },
      ]
    : [
        { endStep: e1, startLr: 'initialLr', endLr: 'maxLr', startM: 'maxMomentum', endM: 'baseMomentum' },
        { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startM: 'baseMomentum', endM: 'maxMomentum' },
      ];
  if (pyOrder('<', pct, 0n) || pyOrder('>', pct, 1n) || typeof pct !== 'number') {
    const m = `Expected float between 0 and 1 pct_start, but got ${s(pct)}`;
    raiseFor(v2, 'ValueError', m, m, 'pct_start');
  }
  const strat = need(a.anneal_strategy, 'anneal_strategy');
  if (!pyEq(strat, 'cos') && !pyEq(strat, 'linear')) {
    raiseFor(
      v2,
      'ValueError',
      `anneal_strategy must be one of 'cos' or 'linear', instead got ${s(strat)}`,
      `anneal_strategy must by one of 'cos' or 'linear', instead got ${s(strat)}`,
      'anneal_strategy',
    );
  }
  const maxLrs = formatParam(env, opt, 'max_lr', a.max_lr);
  const div = floatArg(a.div_factor, 'div_factor');
  const fdiv = floatArg(a.final_div_factor, 'final_div_factor');
  if (div === 0 || fdiv === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
  opt.initialLr = Float64Array.from(maxLrs, (m) => m / div); // OVERWRITES initial_lr
  opt.maxLr = Float64Array.from(maxLrs);
  opt.minLr = Float64Array.from(opt.initialLr, (x) => x / fdiv);
  const cm = need(a.cycle_momentum, 'cycle_momentum');
  const cycleMomentum = typeof cm === 'boolean' ? cm : !pyEq(cm, 0n) && cm !== null;
  let useBeta1 = false;
  if (cycleMomentum) {
    const sup = momentumSupport(opt);
    if (!sup.momentum && !sup.betas) {
      raiseFor(
        v2,
        'ValueError',
        'optimizer must support momentum or beta1 with `cycle_momentum` option enabled',
        'optimizer must support momentum with `cycle_momentum` option enabled',
        'cycle_momentum',
      );
    }
    useBeta1 = sup.betas;
    const maxM = formatParam(env, opt, 'max_momentum', a.max_momentum);
    const baseM = formatParam(env, opt, 'base_momentum', a.base_momentum);
    ensureMomentumArrays(opt, useBeta1);
    if (useBeta1) opt.beta1!.set(maxM);
    else opt.momentum!.set(maxM);
    opt.maxMomentum = maxM;
    opt.baseMomentum = baseM;
  }
  const sch = new OneCycleLR(id, 'OneCycleLR', opt, env);
  sch.init({ totalSteps: total, phases: phases as never, cos: pyEq(strat, 'cos'), cycleMomentum, useBeta1 });
  return sch;
}

function buildCyclic(id: string, a: Record<string, PyValue>, opt: OptState, env: EngineEnv): Steppable {
  const v2 = env.v2;
  const baseLrs = formatParam(env, opt, 'base_lr', a.base_lr);
  opt.lr.set(baseLrs); // before the base __init__: initial_lr := base_lr unless already set
  const maxLrs = formatParam(env, opt, 'max_lr', a.max_lr);
  const up = floatArg(a.step_size_up, 'step_size_up');
  const downV = need(a.step_size_down, 'step_size_down');
  const down = downV === null ? up : floatArg(downV, 'step_size_down');
  const totalSize = up + down;
  if (totalSize === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
  const stepRatio = up / totalSize;
  const mode = need(a.mode, 'mode');
  const scaleFn = need(a.scale_fn, 'scale_fn');
  if (!['triangular', 'triangular2', 'exp_range'].some((m) => pyEq(mode, m)) && scaleFn === null) {
    raiseFor(v2, 'ValueError', 'mode is invalid and scale_fn is None', 'mode is invalid and scale_fn is None', 'mode');
  }
  let fn: PyCallable | null = null;
  if (scaleFn !== null) {
    if (!isCallable(scaleFn)) throw new TorchError('TypeError', `'${typeName(scaleFn)}' object is not callable`, { argument: 'scale_fn' });
    fn = scaleFn;
  }
  const sm = need(a.scale_mode, 'scale_mode');
  const scaleMode: 'cycle' | 'iterations' = fn
    ? pyEq(sm, 'cycle')
      ? 'cycle'
      : 'iterations'
    : pyEq(mode, 'exp_range')
      ? 'iterations'
      : 'cycle';
  const cm = need(a.cycle_momentum, 'cycle_momentum');
  const cycleMomentum = typeof cm === 'boolean' ? cm : !pyEq(cm, 0n) && cm !== null;
  let useBeta1 = false;
  let baseM: Float64Array = new Float64Array(opt.n);
  let maxM: Float64Array = new Float64Array(opt.n);
  if (cycleMomentum) {
    const sup = momentumSupport(opt);
    const ok2 = sup.momentum || sup.betas;
    const ok113 = sup.momentum;
    raiseFor(
      v2,
      'ValueError',
      ok2 ? undefined : 'optimizer must support momentum or beta1 with `cycle_momentum` option enabled',
      ok113 ? undefined : 'optimizer must support momentum with `cycle_momentum` option enabled',
      'cycle_momentum',
    );
    useBeta1 = v2 && sup.betas;
    if (v2) {
      baseM = formatParam(env, opt, 'base_momentum', a.base_momentum);
      maxM = formatParam(env, opt, 'max_momentum', a.max_momentum);
      ensureMomentumArrays(opt, useBeta1);
      if (useBeta1) opt.beta1!.set(maxM);
      else opt.momentum!.set(maxM);
      opt.maxMomentum = maxM;
      opt.baseMomentum = baseM;
    } else {
      baseM = formatParam(env, opt, 'base_momentum', a.base_momentum);
      ensureMomentumArrays(opt, false);
      opt.momentum!.set(baseM);
      baseM = Float64Array.from(opt.momentum!);
      maxM = formatParam(env, opt, 'max_momentum', a.max_momentum);
    }
  }
  const gammaV = need(a.gamma, 'gamma');
  const sch = new CyclicLR(id, 'CyclicLR', opt, env);
  sch.init({
    baseLrs,
    maxLrs,
    totalSize,
    stepRatio,
    mode: typeof mode === 'string' ? mode : 'triangular',
    gamma: fn ? { v: 1, isInt: false } : numArg(gammaV, 'gamma'),
    scaleFn: fn,
    scaleMode,
    cycleMomentum,
    useBeta1,
    baseMomentums: baseM,
    maxMomentums: maxM,
  });
  return sch;
}

export { toFloat };
