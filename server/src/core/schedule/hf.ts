/**
 * The Hugging Face `transformers.optimization` schedules. They are `LambdaLR`s over
 * `functools.partial(<module lambda>, **kwargs)`, so they are modelled exactly that way: the
 * lambdas below are verbatim transcriptions (transformers src/transformers/optimization.py),
 * evaluated with Python semantics for whatever argument types the user passed, and the
 * factories do the validation the factories do.
 *
 * Note: the module defines `_get_cosine_schedule_with_warmup_lr_lambda` twice; the second
 * definition (with `min_lr_rate=0.0` and `return max(0, factor)`) wins for both "cosine" and
 * "cosine_with_min_lr".
 */
import { makeBuiltin } from './pyeval';
import {
  binOp,
  CallContext,
  mathFn1,
  pyEq,
  PyError,
  pyOrder,
  PyPartial,
  pyStr,
  PyValue,
  Refusal,
  toFloat,
  typeName,
} from './pyvalue';

type Kw = Record<string, PyValue>;

function num(v: PyValue): v is number | bigint | boolean {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
}

/** Python `float(v)`. */
function float(v: PyValue): number {
  if (num(v)) return toFloat(v);
  if (v === null) throw new PyError('TypeError', "float() argument must be a string or a real number, not 'NoneType'");
  throw new Refusal(`float() of a ${typeName(v)} is not simulated`);
}

/** Python `max(a, b)`: a unless b is strictly greater. */
function max(a: PyValue, b: PyValue): PyValue {
  return pyOrder('>', b, a) ? b : a;
}

const lt = (a: PyValue, b: PyValue) => pyOrder('<', a, b);

function kw(kws: Kw, name: string, fname: string, dflt?: PyValue): PyValue {
  if (name in kws) return kws[name];
  if (dflt !== undefined) return dflt;
  throw new PyError('TypeError', `${fname}() missing 1 required keyword-only argument: '${name}'`);
}

function stepArg(fname: string, args: PyValue[]): PyValue {
  if (args.length !== 1) throw new PyError('TypeError', `${fname}() takes 1 positional argument but ${args.length} were given`);
  return args[0];
}

function lambdaFn(name: string, body: (s: PyValue, k: Kw, ctx: CallContext) => PyValue) {
  return makeBuiltin(name, (args, kwargs, ctx) => body(stepArg(name, args), kwargs, ctx));
}

export const constantLambda = makeBuiltin('_get_constant_lambda', () => 1n);

export const constantWithWarmupLambda = lambdaFn('_get_constant_schedule_with_warmup_lr_lambda', (s, k, ctx) => {
  const W = kw(k, 'num_warmup_steps', '_get_constant_schedule_with_warmup_lr_lambda');
  if (lt(s, W)) return binOp('/', float(s), float(max(1.0, W)), ctx.math);
  return 1.0;
});

export const linearLambda = lambdaFn('_get_linear_schedule_with_warmup_lr_lambda', (s, k, ctx) => {
  const f = '_get_linear_schedule_with_warmup_lr_lambda';
  const W = kw(k, 'num_warmup_steps', f);
  const T = kw(k, 'num_training_steps', f);
  const m = ctx.math;
  if (lt(s, W)) return binOp('/', float(s), float(max(1n, W)), m);
  return max(0.0, binOp('/', float(binOp('-', T, s, m)), float(max(1n, binOp('-', T, W, m))), m));
});

export const hardRestartsLambda = lambdaFn('_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda', (s, k, ctx) => {
  const f = '_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda';
  const W = kw(k, 'num_warmup_steps', f);
  const T = kw(k, 'num_training_steps', f);
  const C = kw(k, 'num_cycles', f);
  const m = ctx.math;
  if (lt(s, W)) return binOp('/', float(s), float(max(1n, W)), m);
  const progress = binOp('/', float(binOp('-', s, W, m)), float(max(1n, binOp('-', T, W, m))), m);
  if (pyOrder('>=', progress, 1.0)) return 0.0;
  const inner = binOp('%', binOp('*', float(C), progress, m), 1.0, m) as number;
  return max(0.0, 0.5 * (1.0 + mathFn1('cos', Math.PI * inner, m)));
});

export const polynomialLambda = lambdaFn('_get_polynomial_decay_schedule_with_warmup_lr_lambda', (s, k, ctx) => {
  const f = '_get_polynomial_decay_schedule_with_warmup_lr_lambda';
  const W = kw(k, 'num_warmup_steps', f);
  const T = kw(k, 'num_training_steps', f);
  const lrEnd = kw(k, 'lr_end', f);
  const power = kw(k, 'power', f);
  const lrInit = kw(k, 'lr_init', f);
  const m = ctx.math;
  if (lt(s, W)) return binOp('/', float(s), float(max(1n, W)), m);
  if (pyOrder('>', s, T)) return binOp('/', lrEnd, lrInit, m);
  const lrRange = binOp('-', lrInit, lrEnd, m);
  const decaySteps = binOp('-', T, W, m);
  const pctRemaining = binOp('-', 1n, binOp('/', binOp('-', s, W, m), decaySteps, m), m);
  const decay = binOp('+', binOp('*', lrRange, binOp('**', pctRemaining, power, m), m), lrEnd, m);
  return binOp('/', decay, lrInit, m);
});

export const inverseSqrtLambda = lambdaFn('_get_inverse_sqrt_schedule_lr_lambda', (s, k, ctx) => {
  const f = '_get_inverse_sqrt_schedule_lr_lambda';
  const W = kw(k, 'num_warmup_steps', f);
  const ts = kw(k, 'timescale', f, null);
  const m = ctx.math;
  if (lt(s, W)) return binOp('/', float(s), float(max(1n, W)), m);
  const shift = binOp('-', ts, W, m);
  const q = binOp('/', binOp('+', s, shift, m), ts, m);
  return binOp('/', 1.0, mathFn1('sqrt', float(q), m), m);
});

export const cosineLambda = lambdaFn('_get_cosine_schedule_with_warmup_lr_lambda', (s, k, ctx) => {
  const f = '_get_cosine_schedule_with_warmup_lr_lambda';
  const W = kw(k, 'num_warmup_steps', f);
  const T = kw(k, 'num_training_steps', f);
  const C = kw(k, 'num_cycles', f);
  const minRate = kw(k, 'min_lr_rate', f, 0.0);
  const m = ctx.math;
  if (lt(s, W)) return binOp('/', float(s), float(max(1n, W)), m);
  const progress = binOp('/', float(binOp('-', s, W, m)), float(max(1n, binOp('-', T, W, m))), m);
  const arg = binOp('*', binOp('*', Math.PI * float(C), 2.0, m), progress, m) as number;
  let factor: PyValue = 0.5 * (1.0 + mathFn1('cos', arg, m));
  factor = binOp('+', binOp('*', factor, binOp('-', 1n, minRate, m), m), minRate, m);
  return max(0n, factor);
});

export const cosineMinLrRateLambda = lambdaFn('_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda', (s0, k, ctx) => {
  const f = '_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda';
  const m = ctx.math;
  const s = float(s0);
  const W = float(kw(k, 'num_warmup_steps', f));
  const T = float(kw(k, 'num_training_steps', f));
  const C = kw(k, 'num_cycles', f);
  const minRate = kw(k, 'min_lr_rate', f, 0.0);
  let wr = kw(k, 'warmup_lr_rate', f, null);
  if (s < W) {
    if (wr === null) return binOp('/', s + 1.0, max(1.0, W), m);
    wr = float(wr);
    return binOp('+', wr, binOp('/', binOp('*', 1.0 - wr, s, m), max(1n, W - 1), m), m);
  }
  const progress = binOp('/', s - W + 1.0, max(1.0, T - W), m);
  const arg = binOp('*', binOp('*', binOp('*', Math.PI, C, m), 2.0, m), progress, m);
  let factor: PyValue = 0.5 * (1.0 + mathFn1('cos', float(arg), m));
  factor = binOp('+', binOp('*', factor, binOp('-', 1n, minRate, m), m), minRate, m);
  return max(0n, factor);
});

export const wsdLambda = lambdaFn('_get_wsd_scheduler_lambda', (s, k, ctx) => {
  const f = '_get_wsd_scheduler_lambda';
  const W = kw(k, 'num_warmup_steps', f);
  const S = kw(k, 'num_stable_steps', f);
  const D = kw(k, 'num_decay_steps', f);
  const wt = kw(k, 'warmup_type', f);
  const dt = kw(k, 'decay_type', f);
  const mr = kw(k, 'min_lr_ratio', f);
  const C = kw(k, 'num_cycles', f);
  const m = ctx.math;
  if (lt(s, W)) {
    const progress = binOp('/', float(s), float(max(1n, W)), m) as number;
    let factor: PyValue;
    if (pyEq(wt, 'linear')) factor = progress;
    else if (pyEq(wt, 'cosine')) factor = 0.5 * (1.0 - mathFn1('cos', Math.PI * progress, m));
    else if (pyEq(wt, '1-sqrt')) factor = 1.0 - mathFn1('sqrt', 1.0 - progress, m);
    else throw new PyError('UnboundLocalError', "cannot access local variable 'factor' where it is not associated with a value");
    factor = binOp('+', binOp('*', factor, binOp('-', 1.0, mr, m), m), mr, m);
    return max(0.0, factor);
  }
  const WS = binOp('+', W, S, m);
  if (lt(s, WS)) return 1.0;
  if (lt(s, binOp('+', WS, D, m))) {
    const progress = binOp('/', float(binOp('-', binOp('-', s, W, m), S, m)), float(max(1n, D)), m) as number;
    let factor: PyValue;
    if (pyEq(dt, 'linear')) factor = 1.0 - progress;
    else if (pyEq(dt, 'cosine')) factor = 0.5 * (1.0 + mathFn1('cos', Math.PI * float(C) * 2.0 * progress, m));
    else if (pyEq(dt, '1-sqrt')) factor = 1.0 - mathFn1('sqrt', progress, m);
    else throw new PyError('UnboundLocalError', "cannot access local variable 'factor' where it is not associated with a value");
    factor = binOp('+', binOp('*', factor, binOp('-', 1.0, mr, m), m), mr, m);
    return max(0.0, factor);
  }
  return mr;
});

const partial = (func: ReturnType<typeof makeBuiltin>, keywords: Kw): PyPartial => ({ kind: 'partial', func, args: [], keywords });

/** A Hugging Face factory's result: a LambdaLR over `lambda`, or a ReduceLROnPlateau. */
export type HfBuilt =
  | { kind: 'LambdaLR'; factory: string; lambda: PyPartial | ReturnType<typeof makeBuiltin>; lastEpoch: PyValue }
  | { kind: 'ReduceLROnPlateau'; factory: string; kwargs: Kw };

export interface HfFactory {
  name: string;
  params: [string, PyValue | undefined][];
  build(a: Kw, defaultsLr: PyValue): HfBuilt;
}

const REQ = undefined;

export const HF_FACTORIES: HfFactory[] = [
  {
    name: 'get_constant_schedule',
    params: [['last_epoch', -1n]],
    build: (a) => ({ kind: 'LambdaLR', factory: 'get_constant_schedule', lambda: constantLambda, lastEpoch: a.last_epoch }),
  },
  {
    name: 'get_constant_schedule_with_warmup',
    params: [
      ['num_warmup_steps', REQ],
      ['last_epoch', -1n],
    ],
    build: (a) => ({
      kind: 'LambdaLR',
      factory: 'get_constant_schedule_with_warmup',
      lambda: partial(constantWithWarmupLambda, { num_warmup_steps: a.num_warmup_steps }),
      lastEpoch: a.last_epoch,
    }),
  },
  {
    name: 'get_linear_schedule_with_warmup',
    params: [
      ['num_warmup_steps', REQ],
      ['num_training_steps', REQ],
      ['last_epoch', -1n],
    ],
    build: (a) => ({
      kind: 'LambdaLR',
      factory: 'get_linear_schedule_with_warmup',
      lambda: partial(linearLambda, { num_warmup_steps: a.num_warmup_steps, num_training_steps: a.num_training_steps }),
      lastEpoch: a.last_epoch,
    }),
  },
  {
    name: 'get_cosine_schedule_with_warmup',
    params: [
      ['num_warmup_steps', REQ],
      ['num_training_steps', REQ],
      ['num_cycles', 0.5],
      ['last_epoch', -1n],
    ],
    build: (a) => ({
      kind: 'LambdaLR',
      factory: 'get_cosine_schedule_with_warmup',
      lambda: partial(cosineLambda, {
        num_warmup_steps: a.num_warmup_steps,
        num_training_steps: a.num_training_steps,
        num_cycles: a.num_cycles,
      }),
      lastEpoch: a.last_epoch,
    }),
  },
  {
    name: 'get_cosine_with_hard_restarts_schedule_with_warmup',
    params: [
      ['num_warmup_steps', REQ],
      ['num_training_steps', REQ],
      ['num_cycles', 1n],
      ['last_epoch', -1n],
    ],
    build: (a) => ({
      kind: 'LambdaLR',
      factory: 'get_cosine_with_hard_restarts_schedule_with_warmup',
      lambda: partial(hardRestartsLambda, {
        num_warmup_steps: a.num_warmup_steps,
        num_training_steps: a.num_training_steps,
        num_cycles: a.num_cycles,
      }),
      lastEpoch: a.last_epoch,
    }),
  },
  {
    name: 'get_polynomial_decay_schedule_with_warmup',
    params: [
      ['num_warmup_steps', REQ],
      ['num_training_steps', REQ],
      ['lr_end', 1e-7],
      ['power', 1.0],
      ['last_epoch', -1n],
    ],
    build: (a, lrInit) => {
      if (!pyOrder('>', lrInit, a.lr_end)) {
        throw new PyError('ValueError', `lr_end (${pyStr(a.lr_end)}) must be smaller than initial lr (${pyStr(lrInit)})`);
      }
      return {
        kind: 'LambdaLR',
        factory: 'get_polynomial_decay_schedule_with_warmup',
        lambda: partial(polynomialLambda, {
          num_warmup_steps: a.num_warmup_steps,
          num_training_steps: a.num_training_steps,
          lr_end: a.lr_end,
          power: a.power,
          lr_init: lrInit,
        }),
        lastEpoch: a.last_epoch,
      };
    },
  },
  {
    name: 'get_inverse_sqrt_schedule',
    params: [
      ['num_warmup_steps', REQ],
      ['timescale', null],
      ['last_epoch', -1n],
    ],
    build: (a) => {
      let ts = a.timescale;
      if (ts === null) ts = truthyNum(a.num_warmup_steps) ? a.num_warmup_steps : 10_000n; // num_warmup_steps or 10_000
      return {
        kind: 'LambdaLR',
        factory: 'get_inverse_sqrt_schedule',
        lambda: partial(inverseSqrtLambda, { num_warmup_steps: a.num_warmup_steps, timescale: ts }),
        lastEpoch: a.last_epoch,
      };
    },
  },
  {
    name: 'get_cosine_with_min_lr_schedule_with_warmup',
    params: [
      ['num_warmup_steps', REQ],
      ['num_training_steps', REQ],
      ['num_cycles', 0.5],
      ['last_epoch', -1n],
      ['min_lr', null],
      ['min_lr_rate', null],
    ],
    build: (a, lrInit) => ({
      kind: 'LambdaLR',
      factory: 'get_cosine_with_min_lr_schedule_with_warmup',
      lambda: partial(cosineLambda, {
        num_warmup_steps: a.num_warmup_steps,
        num_training_steps: a.num_training_steps,
        num_cycles: a.num_cycles,
        min_lr_rate: minLrRate(a, lrInit),
      }),
      lastEpoch: a.last_epoch,
    }),
  },
  {
    name: 'get_cosine_with_min_lr_schedule_with_warmup_lr_rate',
    params: [
      ['num_warmup_steps', REQ],
      ['num_training_steps', REQ],
      ['num_cycles', 0.5],
      ['last_epoch', -1n],
      ['min_lr', null],
      ['min_lr_rate', null],
      ['warmup_lr_rate', null],
    ],
    build: (a, lrInit) => ({
      kind: 'LambdaLR',
      factory: 'get_cosine_with_min_lr_schedule_with_warmup_lr_rate',
      lambda: partial(cosineMinLrRateLambda, {
        num_warmup_steps: a.num_warmup_steps,
        num_training_steps: a.num_training_steps,
        num_cycles: a.num_cycles,
        min_lr_rate: minLrRate(a, lrInit),
        warmup_lr_rate: a.warmup_lr_rate,
      }),
      lastEpoch: a.last_epoch,
    }),
  },
  {
    name: 'get_wsd_schedule',
    params: [
      ['num_warmup_steps', REQ],
      ['num_decay_steps', REQ],
      ['num_training_steps', null],
      ['num_stable_steps', null],
      ['warmup_type', 'linear'],
      ['decay_type', 'cosine'],
      ['min_lr_ratio', 0n],
      ['num_cycles', 0.5],
      ['last_epoch', -1n],
    ],
    build: (a) => {
      if (a.num_training_steps === null && a.num_stable_steps === null) {
        throw new PyError('ValueError', 'Either num_training_steps or num_stable_steps must be specified.');
      }
      for (const [key, label] of [
        ['warmup_type', 'warmup'],
        ['decay_type', 'decay'],
      ] as const) {
        const v = a[key];
        if (!['linear', 'cosine', '1-sqrt'].some((x) => pyEq(v, x))) {
          throw new PyError('ValueError', `Unknown ${label} type: ${pyStr(v)}, expected 'linear', 'cosine' or '1-sqrt'`);
        }
      }
      let stable = a.num_stable_steps;
      if (stable === null) {
        stable = binOp('-', binOp('-', a.num_training_steps, a.num_warmup_steps, NO_MATH), a.num_decay_steps, NO_MATH);
      }
      return {
        kind: 'LambdaLR',
        factory: 'get_wsd_schedule',
        lambda: partial(wsdLambda, {
          num_warmup_steps: a.num_warmup_steps,
          num_stable_steps: stable,
          num_decay_steps: a.num_decay_steps,
          warmup_type: a.warmup_type,
          decay_type: a.decay_type,
          min_lr_ratio: a.min_lr_ratio,
          num_cycles: a.num_cycles,
        }),
        lastEpoch: a.last_epoch,
      };
    },
  },
];

const NO_MATH = {
  call1(): number {
    throw new Refusal('unexpected libm call');
  },
  callPow(): number {
    throw new Refusal('unexpected libm call');
  },
};

function truthyNum(v: PyValue): boolean {
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  return v !== null;
}

function minLrRate(a: Kw, lrInit: PyValue): PyValue {
  if (a.min_lr !== null && a.min_lr_rate !== null) throw new PyError('ValueError', 'Only one of min_lr or min_lr_rate should be set');
  if (a.min_lr !== null) return binOp('/', a.min_lr, lrInit, NO_MATH);
  if (a.min_lr_rate === null) {
    throw new PyError('ValueError', 'One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`');
  }
  return a.min_lr_rate;
}

/** `SchedulerType` values, in transformers' order, and the factory each maps to. */
export const HF_SCHEDULER_TYPES: [string, string][] = [
  ['linear', 'get_linear_schedule_with_warmup'],
  ['cosine', 'get_cosine_schedule_with_warmup'],
  ['cosine_with_restarts', 'get_cosine_with_hard_restarts_schedule_with_warmup'],
  ['polynomial', 'get_polynomial_decay_schedule_with_warmup'],
  ['constant', 'get_constant_schedule'],
  ['constant_with_warmup', 'get_constant_schedule_with_warmup'],
  ['inverse_sqrt', 'get_inverse_sqrt_schedule'],
  ['reduce_lr_on_plateau', 'get_reduce_on_plateau_schedule'],
  ['cosine_with_min_lr', 'get_cosine_with_min_lr_schedule_with_warmup'],
  ['cosine_warmup_with_min_lr', 'get_cosine_with_min_lr_schedule_with_warmup_lr_rate'],
  ['warmup_stable_decay', 'get_wsd_schedule'],
];

/**
 * `get_scheduler(name, optimizer, num_warmup_steps, num_training_steps, scheduler_specific_kwargs)`
 * resolved to the factory call it makes: returns the factory name and its keyword arguments.
 */
export function resolveGetScheduler(a: Kw): { factory: string; kwargs: Kw } {
  const name = a.name;
  const hit = HF_SCHEDULER_TYPES.find(([n]) => pyEq(name, n));
  if (!hit) {
    const all = HF_SCHEDULER_TYPES.map(([n]) => `'${n}'`).join(', ');
    throw new PyError('ValueError', `${pyStr(name)} is not a valid SchedulerType, please select one of [${all}]`);
  }
  const [type, factory] = hit;
  const ssk = a.scheduler_specific_kwargs;
  let extra: Kw = {};
  if (ssk !== null && ssk !== undefined) {
    if (typeof ssk !== 'object' || Array.isArray(ssk) || ssk.kind !== 'dict') {
      throw new Refusal('`scheduler_specific_kwargs` is not a dict literal');
    }
    for (const [k, v] of ssk.entries) {
      if (typeof k !== 'string') throw new Refusal('`scheduler_specific_kwargs` has a non-string key');
      extra[k] = v;
    }
  }
  const W = a.num_warmup_steps;
  const T = a.num_training_steps;
  const typeRepr = `SchedulerType.${type.toUpperCase()}`;
  if (type === 'constant') return { factory, kwargs: {} };
  if (type === 'reduce_lr_on_plateau') return { factory, kwargs: extra };
  if (W === null) throw new PyError('ValueError', `${typeRepr} requires \`num_warmup_steps\`, please provide that argument.`);
  if (type === 'constant_with_warmup' || type === 'inverse_sqrt') return { factory, kwargs: { num_warmup_steps: W } };
  if (type === 'warmup_stable_decay') {
    extra = { num_warmup_steps: W, num_training_steps: T, ...extra };
    return { factory, kwargs: extra };
  }
  if (T === null) throw new PyError('ValueError', `${typeRepr} requires \`num_training_steps\`, please provide that argument.`);
  return { factory, kwargs: { num_warmup_steps: W, num_training_steps: T, ...extra } };
}
