/**
 * The scheduler state machines: a transcription of torch.optim.lr_scheduler (current 2.x and
 * 1.13) operating on a model of the optimizer's param groups. Each class mirrors PyTorch's
 * fields (`last_epoch`, `_step_count`, `_is_initial`, `base_lrs`) and its `get_lr` arithmetic in
 * the same order of operations, so the results are bit-identical once libm is.
 *
 * Transcendental values come from block-batched tables (tables.ts); nothing here calls libm
 * per value.
 */
import type { BatchLibm } from './libm';
import { TorchError } from './errors';
import { BLOCK, NumberTable, cosPiOver, FunctionTable, EvalBudget } from './tables';
import {
  floatMod,
  intToFloat,
  PyCallable,
  PyError,
  PyValue,
  Refusal,
  typeName,
} from './pyvalue';
import { callValue } from './pyeval';

/** Steps per block of the tight loops: one batched libm call per block. */
const FAST_BLOCK = 4096;

/**
 * Scratch arrays of the tight loops (module-level: the simulator is synchronous, and no loop
 * holds them across a call into another scheduler).
 */
const scratchArgs = new Float64Array(FAST_BLOCK + 1);
const scratchCos = new Float64Array(FAST_BLOCK + 1);
const scratchF = new Float64Array(FAST_BLOCK);
const scratchKind = new Uint8Array(FAST_BLOCK);

/** `buf[j .. j + k)` = v. */
function fillConst(buf: Float64Array, j: number, k: number, v: number): void {
  buf.fill(v, j, j + k);
}

/** Shared simulation context. */
export interface EngineEnv {
  libm: BatchLibm;
  /** true: current PyTorch (2.x); false: 1.13. */
  v2: boolean;
  /** Largest `last_epoch` any scheduler can reach (N + 1): bounds table filling. */
  limit: number;
  budget: EvalBudget;
}

/** Optimizer param-group state. Keys absent from every group are null. */
export class OptState {
  readonly n: number;
  lr: Float64Array;
  initialLr: Float64Array | null = null;
  maxLr: Float64Array | null = null;
  minLr: Float64Array | null = null;
  /** SGD/RMSprop `momentum` key. */
  momentum: Float64Array | null;
  /** Adam-family `betas` (beta1, beta2). */
  beta1: Float64Array | null;
  beta2: Float64Array | null;
  maxMomentum: Float64Array | null = null;
  baseMomentum: Float64Array | null = null;
  swaLr: Float64Array | null = null;

  constructor(
    readonly className: string,
    lrs: number[],
    momentum: number[] | null,
    betas: [number, number][] | null,
    readonly hasMomentumDefault: boolean,
    readonly hasBetasDefault: boolean,
    readonly defaultLr: number,
  ) {
    this.n = lrs.length;
    this.lr = Float64Array.from(lrs);
    this.momentum = momentum ? Float64Array.from(momentum) : null;
    this.beta1 = betas ? Float64Array.from(betas.map((b) => b[0])) : null;
    this.beta2 = betas ? Float64Array.from(betas.map((b) => b[1])) : null;
  }
}

/** float * Python value, as `float * x` in Python (x from an lr_lambda or scale_fn). */
export function mulFloat(a: number, v: PyValue): number {
  if (typeof v === 'number') return a * v;
  if (typeof v === 'bigint') return a * intToFloat(v);
  if (typeof v === 'boolean') return v ? a * 1 : a * 0;
  throw new PyError('TypeError', `unsupported operand type(s) for *: 'float' and '${typeName(v)}'`);
}

/** Something a training loop (or a SequentialLR/ChainedScheduler) can step. */
export abstract class Steppable {
  lastEpoch = -1;
  /** Set when a table of this scheduler was filled by the approximate (V8) libm. */
  inexact = false;
  wrappedBy?: string;

  constructor(
    readonly id: string,
    readonly kind: string,
    readonly opt: OptState,
    readonly env: EngineEnv,
  ) {}

  /** `scheduler.step()` in the loop. */
  abstract step(): void;

  /**
   * Optional tight loop for the common case: `n` iterations of "record the values in effect,
   * then step()", writing lr into `lrBufs[g][j + t]` (and `mArr` into `momBufs`). Returns how
   * many iterations it completed; it stops early (without stepping) before any step that needs
   * the general path (a branch it does not handle, or one that may raise), which the caller
   * then runs through step(). Must give bit-identical results to step().
   */
  fastSteps?(n: number, lrBufs: Float64Array[], momBufs: Float64Array[] | null, mArr: Float64Array | null, j: number): number;
  /** LRScheduler._initial_step() (SequentialLR calls it on its first scheduler). */
  abstract initialStep(): void;
  /** What SequentialLR does at a milestone: 2.x `_update_lr(0)`, 1.13 `step(0)`. */
  abstract milestoneStep(): void;
  /** SequentialLR's undo of the construction step. */
  undo(): void {
    this.lastEpoch -= 1;
  }
  /** True if any part of this scheduler used the approximate libm. */
  isInexact(): boolean {
    return this.inexact;
  }
  /** Whether this scheduler writes momentum/betas. */
  cyclesMomentum(): boolean {
    return false;
  }

  numberTable(fill: (k0: number, out: Float64Array) => void): NumberTable {
    const libm = this.env.libm;
    return new NumberTable((k0, out) => {
      if (!libm.exact) this.inexact = true;
      fill(k0, out);
    }, this.tableBlock());
  }

  /**
   * Keys per table block: a block never holds more keys than the run can read, so a short run
   * (a lint pass simulates one step) does not evaluate thousands of values it never reads.
   */
  tableBlock(): number {
    return Math.min(BLOCK, Math.max(1, this.env.limit + 1));
  }

  functionTable(fn: PyCallable): FunctionTable {
    const budget = this.env.budget;
    const libm = this.env.libm;
    return new FunctionTable(
      (k, math) => {
        const ctx = { math, budget: Math.min(20_000, budget.remaining), depth: 0 };
        const before = ctx.budget;
        if (before <= 0) throw new Refusal('the lambda takes too many evaluation steps over this many steps to simulate');
        try {
          return callValue(fn, [BigInt(k)], {}, ctx);
        } finally {
          budget.remaining -= before - ctx.budget;
          if (!libm.exact) this.inexact = true;
        }
      },
      libm,
      this.env.limit,
    );
  }
}

/** torch.optim.lr_scheduler.LRScheduler (1.13: _LRScheduler). */
export abstract class LRScheduler extends Steppable {
  stepCount = 0;
  isInitial = false;
  baseLrs!: Float64Array;
  readonly out: Float64Array;

  constructor(id: string, kind: string, opt: OptState, env: EngineEnv) {
    super(id, kind, opt, env);
    this.out = new Float64Array(opt.n);
  }

  /** LRScheduler.__init__ with last_epoch=-1. */
  protected baseInit(): void {
    const opt = this.opt;
    if (!opt.initialLr) opt.initialLr = Float64Array.from(opt.lr); // group.setdefault('initial_lr', lr)
    this.baseLrs = Float64Array.from(opt.initialLr);
    this.lastEpoch = -1;
    this.initialStep();
  }

  override initialStep(): void {
    this.stepCount = 0;
    if (this.env.v2) {
      this.isInitial = true;
      try {
        this.step();
      } finally {
        this.isInitial = false;
      }
    } else {
      this.step();
    }
  }

  override step(): void {
    this.stepCount++;
    this.updateLr(false);
  }

  override milestoneStep(): void {
    if (!this.env.v2) this.stepCount++; // 1.13: step(0) goes through step(), which counts
    this.updateLr(true);
  }

  /** `_update_lr(epoch)`: epoch=0 when `atZero`, else the chainable form. */
  protected updateLr(atZero: boolean): void {
    // Each group's new value depends only on that group, so get_lr writes in place.
    const out = this.opt.lr;
    if (!atZero) {
      this.lastEpoch++;
      this.getLr(out);
    } else {
      this.lastEpoch = 0;
      if (this.closedForm) this.closedForm(out);
      else this.getLr(out);
    }
  }

  abstract getLr(out: Float64Array): void;
  closedForm?(out: Float64Array): void;
}

// ---------------------------------------------------------------------------------------------

/** A per-group list of callables (lr_lambda), each with its table of values by epoch. */
function lambdaTables(s: Steppable, fns: PyCallable[]): FunctionTable[] {
  // The same function object for every group (a single lr_lambda) shares one table.
  const byFn = new Map<PyCallable, FunctionTable>();
  return fns.map((f) => {
    let t = byFn.get(f);
    if (!t) {
      t = s.functionTable(f);
      byFn.set(f, t);
    }
    return t;
  });
}

export class LambdaLR extends LRScheduler {
  private tables!: FunctionTable[];

  init(fns: PyCallable[]): void {
    this.tables = lambdaTables(this, fns);
    this.baseInit();
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    for (let g = 0; g < out.length; g++) out[g] = mulFloat(this.baseLrs[g], this.tables[g].get(e));
  }
}

export class MultiplicativeLR extends LRScheduler {
  private tables!: FunctionTable[];

  init(fns: PyCallable[]): void {
    this.tables = lambdaTables(this, fns);
    this.baseInit();
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    const apply = this.env.v2 ? !this.isInitial : e > 0;
    const lr = this.opt.lr;
    for (let g = 0; g < out.length; g++) out[g] = apply ? mulFloat(lr[g], this.tables[g].get(e)) : lr[g];
  }
}

/** A Python number argument: its float value and whether it is an int. */
export interface Num {
  v: number;
  isInt: boolean;
}

/** `a % b` for Python numbers (int % int or float %). */
function pyModNum(a: number, b: Num): number {
  if (b.isInt) {
    if (b.v === 0) throw new PyError('ZeroDivisionError', 'integer modulo by zero');
    const r = a % b.v;
    return r !== 0 && r < 0 !== b.v < 0 ? r + b.v : r;
  }
  return floatMod(a, b.v);
}

/** Python `float ** float` for a scalar, via the libm (single call; use sparingly). */
export function powScalar(env: EngineEnv, owner: Steppable, x: number, y: number, yIsInt: boolean, xIsInt = false): number {
  if (xIsInt && yIsInt && y >= 0) {
    const r = BigInt(x) ** BigInt(y);
    return intToFloat(r);
  }
  if (y === 0) return 1.0;
  if (x === 1.0) return 1.0;
  if (x === 0) {
    if (y < 0) throw new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
    return Number.isInteger(y) && Math.abs(y % 2) === 1 ? x : 0.0;
  }
  if (!env.libm.exact) owner.inexact = true;
  let neg = false;
  let base = x;
  if (x < 0) {
    if (y !== Math.floor(y)) throw new Refusal('a negative number raised to a fractional power is complex in Python');
    base = -x;
    neg = Math.abs(y % 2) === 1;
  }
  if (base === 1.0) return neg ? -1.0 : 1.0;
  let r = env.libm.callPow(base, y);
  if (neg) r = -r;
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) {
    throw new PyError('OverflowError', "(34, 'Numerical result out of range')");
  }
  return r;
}

/** Fills out[i] = CPython `x ** y[i]`-style float pow for many values; errors marked NaN. */
function floatPowBatch(
  libm: BatchLibm,
  xs: Float64Array,
  ys: Float64Array,
  out: Float64Array,
  errors: Map<number, Error>,
  k0: number,
): void {
  const n = out.length;
  const bx = new Float64Array(n);
  const by = new Float64Array(n);
  const idx = new Int32Array(n);
  const neg = new Uint8Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    let iv = xs[i];
    const iw = ys[i];
    if (iw === 0 || iv === 1.0) {
      out[i] = 1.0;
      continue;
    }
    if (iv !== iv || iw !== iw || !Number.isFinite(iv) || !Number.isFinite(iw)) {
      out[i] = Math.pow(iv, iw); // IEEE special cases agree with CPython's float_pow here
      continue;
    }
    const odd = Number.isInteger(iw) && Math.abs(iw % 2) === 1;
    if (iv === 0) {
      if (iw < 0) {
        out[i] = NaN;
        errors.set(k0 + i, new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power'));
      } else out[i] = odd ? iv : 0.0;
      continue;
    }
    let ng = 0;
    if (iv < 0) {
      if (iw !== Math.floor(iw)) {
        out[i] = NaN;
        errors.set(k0 + i, new Refusal('a negative number raised to a fractional power is complex in Python'));
        continue;
      }
      iv = -iv;
      ng = odd ? 1 : 0;
    }
    if (iv === 1.0) {
      out[i] = ng ? -1.0 : 1.0;
      continue;
    }
    bx[m] = iv;
    by[m] = iw;
    idx[m] = i;
    neg[m] = ng;
    m++;
  }
  if (m > 0) {
    const r = new Float64Array(m);
    libm.pow(bx, by, r, m);
    for (let j = 0; j < m; j++) {
      const v = neg[j] ? -r[j] : r[j];
      if (!Number.isFinite(v)) {
        out[idx[j]] = NaN;
        errors.set(k0 + idx[j], new PyError('OverflowError', "(34, 'Numerical result out of range')"));
      } else out[idx[j]] = v;
    }
  }
}

/** Reads a table value and throws the error stored for that key, if any. */
function tableGet(t: NumberTable, errors: Map<number, Error>, k: number): number {
  const v = t.get(k);
  if (v !== v) {
    const e = errors.get(k);
    if (e) throw e;
  }
  return v;
}

export class StepLR extends LRScheduler {
  stepSize!: Num;
  gamma!: Num;

  init(stepSize: Num, gamma: Num): void {
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.baseInit();
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    const lr = this.opt.lr;
    if (e === 0 || pyModNum(e, this.stepSize) !== 0) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g];
      return;
    }
    const gm = this.gamma.v;
    for (let g = 0; g < out.length; g++) out[g] = lr[g] * gm;
  }

  override closedForm(out: Float64Array): void {
    // base_lr * gamma ** (last_epoch // step_size); only reached with last_epoch = 0.
    const ss = this.stepSize;
    if (ss.v === 0) throw new PyError('ZeroDivisionError', ss.isInt ? 'integer division or modulo by zero' : 'float floor division by zero');
    const q = Math.floor(this.lastEpoch / ss.v);
    const f = powScalar(this.env, this, this.gamma.v, q, ss.isInt, this.gamma.isInt);
    for (let g = 0; g < out.length; g++) out[g] = this.baseLrs[g] * f;
  }
}

export class MultiStepLR extends LRScheduler {
  private counts = new Map<number, number>();
  private sorted: number[] = [];
  gamma!: Num;
  private powCache = new Map<number, number>();

  init(milestones: number[], gamma: Num): void {
    for (const m of milestones) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    this.sorted = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.baseInit();
  }

  private gammaPow(c: number): number {
    let v = this.powCache.get(c);
    if (v === undefined) {
      v = powScalar(this.env, this, this.gamma.v, c, true, this.gamma.isInt);
      this.powCache.set(c, v);
    }
    return v;
  }

  getLr(out: Float64Array): void {
    const c = this.counts.get(this.lastEpoch);
    const lr = this.opt.lr;
    if (c === undefined) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g];
      return;
    }
    const f = this.gammaPow(c);
    for (let g = 0; g < out.length; g++) out[g] = lr[g] * f;
  }

  override closedForm(out: Float64Array): void {
    let n = 0;
    while (n < this.sorted.length && this.sorted[n] <= this.lastEpoch) n++;
    const f = this.gammaPow(n);
    for (let g = 0; g < out.length; g++) out[g] = this.baseLrs[g] * f;
  }
}

export class ConstantLR extends LRScheduler {
  factor!: Num;
  totalIters!: Num;

  init(factor: Num, totalIters: Num): void {
    this.factor = factor;
    this.totalIters = totalIters;
    this.baseInit();
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    const lr = this.opt.lr;
    const f = this.factor.v;
    if (e === 0) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g] * f;
      return;
    }
    if (e !== this.totalIters.v) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g];
      return;
    }
    if (f === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
    const inv = 1.0 / f;
    for (let g = 0; g < out.length; g++) out[g] = lr[g] * inv;
  }

  override closedForm(out: Float64Array): void {
    const f = this.factor.v;
    const m = (this.lastEpoch >= this.totalIters.v ? 1 : 0) * (1 - f);
    for (let g = 0; g < out.length; g++) out[g] = this.baseLrs[g] * (f + m);
  }
}

export class LinearLR extends LRScheduler {
  start!: Num;
  end!: Num;
  totalIters!: Num;

  init(start: Num, end: Num, totalIters: Num): void {
    this.start = start;
    this.end = end;
    this.totalIters = totalIters;
    this.baseInit();
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    const lr = this.opt.lr;
    const s = this.start.v;
    if (e === 0) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g] * s;
      return;
    }
    if ((this.env.v2 && this.isInitial) || e > this.totalIters.v) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g];
      return;
    }
    const d = this.end.v - s;
    const den = this.totalIters.v * s + (e - 1) * d;
    if (den === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
    const f = 1.0 + d / den;
    for (let g = 0; g < out.length; g++) out[g] = lr[g] * f;
  }

  override closedForm(out: Float64Array): void {
    const T = this.totalIters;
    const e = this.lastEpoch;
    // min(total_iters, last_epoch): the first unless the second is strictly smaller
    const m = e < T.v ? e : T.v;
    if (T.v === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
    const x = this.start.v + ((this.end.v - this.start.v) * m) / T.v;
    for (let g = 0; g < out.length; g++) out[g] = this.baseLrs[g] * x;
  }
}

export class ExponentialLR extends LRScheduler {
  gamma!: Num;

  init(gamma: Num): void {
    this.gamma = gamma;
    this.baseInit();
  }

  getLr(out: Float64Array): void {
    const lr = this.opt.lr;
    if (this.env.v2 ? this.isInitial : this.lastEpoch === 0) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g];
      return;
    }
    const gm = this.gamma.v;
    for (let g = 0; g < out.length; g++) out[g] = lr[g] * gm;
  }

  override closedForm(out: Float64Array): void {
    const f = powScalar(this.env, this, this.gamma.v, this.lastEpoch, true, this.gamma.isInt);
    for (let g = 0; g < out.length; g++) out[g] = this.baseLrs[g] * f;
  }
}

export class PolynomialLR extends LRScheduler {
  totalIters!: Num;
  power!: Num;
  private table!: NumberTable;
  private errors = new Map<number, Error>();

  init(totalIters: Num, power: Num): void {
    this.totalIters = totalIters;
    this.power = power;
    const T = totalIters.v;
    const libm = this.env.libm;
    const xs = new Float64Array(this.tableBlock());
    const ys = new Float64Array(this.tableBlock()).fill(power.v);
    this.table = this.numberTable((k0, out) => {
      for (let i = 0; i < out.length; i++) {
        const e = k0 + i;
        xs[i] = (1.0 - e / T) / (1.0 - (e - 1) / T);
      }
      floatPowBatch(libm, xs, ys, out, this.errors, k0);
    });
    this.baseInit();
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    const lr = this.opt.lr;
    const T = this.totalIters.v;
    if ((this.env.v2 ? this.isInitial : e === 0) || e > T) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g];
      return;
    }
    if (T === 0) throw new PyError('ZeroDivisionError', this.totalIters.isInt ? 'division by zero' : 'float division by zero');
    if (1.0 - (e - 1) / T === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
    const f = tableGet(this.table, this.errors, e);
    for (let g = 0; g < out.length; g++) out[g] = lr[g] * f;
  }

  override closedForm(out: Float64Array): void {
    const T = this.totalIters.v;
    const e = this.lastEpoch;
    const m = e < T ? e : T;
    if (T === 0) throw new PyError('ZeroDivisionError', this.totalIters.isInt ? 'division by zero' : 'float division by zero');
    const f = powScalar(this.env, this, 1.0 - m / T, this.power.v, this.power.isInt);
    for (let g = 0; g < out.length; g++) out[g] = this.baseLrs[g] * f;
  }
}

export class CosineAnnealingLR extends LRScheduler {
  tMax!: Num;
  etaMin!: number;
  private cos!: NumberTable;
  private cosPiOverT = NaN;
  private twoT!: Num;

  init(tMax: Num, etaMin: number): void {
    this.tMax = tMax;
    this.twoT = { v: 2 * tMax.v, isInt: tMax.isInt };
    this.etaMin = etaMin;
    const T = tMax.v;
    const libm = this.env.libm;
    this.cos = cosPiOver(libm, T, this.tableBlock());
    if (!libm.exact) this.inexact = true;
    this.baseInit();
  }

  private troughTerm(): number {
    if (this.cosPiOverT !== this.cosPiOverT) this.cosPiOverT = this.env.libm.call1('cos', Math.PI / this.tMax.v);
    return this.cosPiOverT;
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    const lr = this.opt.lr;
    const m = this.etaMin;
    const T = this.tMax;
    if (this.env.v2 ? this.isInitial : e === 0) {
      for (let g = 0; g < out.length; g++) out[g] = lr[g];
      return;
    }
    if (this.stepCount === 1 && e > 0) {
      if (T.v === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
      const c = this.cos.get(e);
      for (let g = 0; g < out.length; g++) out[g] = m + ((this.baseLrs[g] - m) * (1 + c)) / 2;
      return;
    }
    // (last_epoch - 1 - T_max) % (2 * T_max) == 0: the step after each trough
    let trough: boolean;
    const d = e - 1 - T.v;
    const tt = this.twoT.v;
    if (T.isInt && tt > 0 && tt < 0x40000000 && d > -0x40000000 && d < 0x40000000) {
      trough = (d | 0) % (tt | 0) === 0; // int32 remainder: V8 does it without a libm fmod call
    } else trough = pyModNum(d, this.twoT) === 0;
    if (trough) {
      if (T.v === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
      const c = this.troughTerm();
      for (let g = 0; g < out.length; g++) out[g] = lr[g] + ((this.baseLrs[g] - m) * (1 - c)) / 2;
      return;
    }
    const c1 = this.cos.get(e);
    const c0 = this.cos.get(e - 1);
    const den = 1 + c0;
    if (den === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
    const r = (1 + c1) / den;
    for (let g = 0; g < out.length; g++) out[g] = r * (lr[g] - m) + m;
  }

  /**
   * The recursive form a block at a time: the block's cos(π·e/T) values in one libm call, the
   * per-step ratio `(1 + cos(e)) / (1 + cos(e - 1))` (or the trough term) computed once for all
   * groups, then one tight loop per group. Same operations in the same order as getLr.
   */
  override fastSteps(n: number, lrBufs: Float64Array[], momBufs: Float64Array[] | null, mArr: Float64Array | null, j: number): number {
    const T = this.tMax.v;
    let e = this.lastEpoch;
    // int32 fast path only; the first step after construction (stepCount 1) takes the general path
    if (!this.tMax.isInt || T <= 0 || T >= 0x10000000 || e < 1 || e + n >= 0x40000000 || this.stepCount < 1) return 0;
    const lr = this.opt.lr;
    const base = this.baseLrs;
    const G = lr.length;
    const m = this.etaMin;
    const tt = 2 * T;
    const libm = this.env.libm;
    const args = scratchArgs;
    const cosv = scratchCos;
    const r = scratchF;
    const kind = scratchKind;
    let done = 0;
    while (done < n) {
      const k = Math.min(FAST_BLOCK, n - done);
      // cos(π·x/T) for x = e .. e + k: step t (new epoch e + t + 1) reads cos(e + t) and cos(e + t + 1)
      for (let i = 0; i <= k; i++) args[i] = (Math.PI * (e + i)) / T;
      libm.map1('cos', args, cosv, k + 1);
      let stop = k;
      let troughs = false;
      for (let t = 0; t < k; t++) {
        const ne = e + t + 1;
        if (((ne - 1 - T) | 0) % (tt | 0) === 0) {
          kind[t] = 1;
          troughs = true;
        } else {
          const den = 1 + cosv[t];
          if (den === 0) {
            stop = t; // ZeroDivisionError: the general path raises it
            break;
          }
          kind[t] = 0;
          r[t] = (1 + cosv[t + 1]) / den;
        }
      }
      const c = troughs ? this.troughTerm() : 0;
      const at = j + done;
      for (let g = 0; g < G; g++) {
        const buf = lrBufs[g];
        const up = ((base[g] - m) * (1 - c)) / 2;
        let x = lr[g];
        if (troughs) {
          for (let t = 0; t < stop; t++) {
            buf[at + t] = x;
            x = kind[t] === 1 ? x + up : r[t] * (x - m) + m;
          }
        } else {
          for (let t = 0; t < stop; t++) {
            buf[at + t] = x;
            x = r[t] * (x - m) + m;
          }
        }
        lr[g] = x;
      }
      if (momBufs) for (let g = 0; g < G; g++) fillConst(momBufs[g], at, stop, mArr![g]);
      e += stop;
      done += stop;
      this.lastEpoch = e;
      this.stepCount += stop;
      if (stop < k) break;
    }
    return done;
  }

  override closedForm(out: Float64Array): void {
    const c = this.cos.get(this.lastEpoch);
    const m = this.etaMin;
    for (let g = 0; g < out.length; g++) out[g] = m + ((this.baseLrs[g] - m) * (1 + c)) / 2;
  }
}

export class CosineAnnealingWarmRestarts extends LRScheduler {
  T0!: number;
  Ti!: number;
  Tmult!: number;
  Tcur!: number;
  etaMin!: number;
  private tables = new Map<number, NumberTable>();

  init(T0: number, Tmult: number, etaMin: number): void {
    this.T0 = T0;
    this.Ti = T0;
    this.Tmult = Tmult;
    this.etaMin = etaMin;
    this.Tcur = -1;
    this.baseInit();
  }

  private cosFor(tcur: number, ti: number): number {
    if (Number.isInteger(tcur) && tcur >= 0) {
      let t = this.tables.get(ti);
      if (!t) {
        t = cosPiOver(this.env.libm, ti, this.tableBlock());
        if (!this.env.libm.exact) this.inexact = true;
        this.tables.set(ti, t);
      }
      return t.get(tcur);
    }
    if (!this.env.libm.exact) this.inexact = true;
    return this.env.libm.call1('cos', (Math.PI * tcur) / ti);
  }

  getLr(out: Float64Array): void {
    const c = this.cosFor(this.Tcur, this.Ti);
    const m = this.etaMin;
    for (let g = 0; g < out.length; g++) out[g] = m + ((this.baseLrs[g] - m) * (1 + c)) / 2;
  }

  /** CosineAnnealingWarmRestarts.step(epoch): overrides the base step entirely. */
  private stepEpoch(epoch: number | null): void {
    if (epoch === null && this.lastEpoch < 0) epoch = 0;
    if (epoch === null) {
      epoch = this.lastEpoch + 1;
      this.Tcur = this.Tcur + 1;
      if (this.Tcur >= this.Ti) {
        this.Tcur = this.env.v2 ? this.Tcur % this.Ti : this.Tcur - this.Ti;
        this.Ti = this.Ti * this.Tmult;
        if (!Number.isSafeInteger(this.Ti)) throw new Refusal('T_i grows beyond 2**53');
      }
    } else {
      if (epoch < 0) throw new TorchError('ValueError', `Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T0) {
        if (this.Tmult === 1) this.Tcur = epoch % this.T0;
        else {
          throw new Refusal('CosineAnnealingWarmRestarts.step(epoch) with T_mult > 1 is not simulated');
        }
      } else {
        this.Ti = this.T0;
        this.Tcur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.getLr(this.opt.lr);
  }

  override step(): void {
    this.stepEpoch(null);
  }

  override milestoneStep(): void {
    if (this.env.v2) this.updateLr(true); // base _update_lr(0): no closed form -> get_lr()
    else this.stepEpoch(0);
  }
}

/** A group key OneCycleLR reads, without a megamorphic keyed property load per step. */
function groupKey(o: OptState, k: Phase['startLr'] | Phase['startM']): Float64Array {
  switch (k) {
    case 'initialLr':
      return o.initialLr!;
    case 'maxLr':
      return o.maxLr!;
    case 'minLr':
      return o.minLr!;
    case 'maxMomentum':
      return o.maxMomentum!;
    default:
      return o.baseMomentum!;
  }
}

/** Phase of OneCycleLR: keys into the group state. */
interface Phase {
  endStep: number;
  startLr: 'initialLr' | 'maxLr' | 'minLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startM: 'maxMomentum' | 'baseMomentum';
  endM: 'maxMomentum' | 'baseMomentum';
}

export class OneCycleLR extends LRScheduler {
  totalSteps!: number;
  phases!: Phase[];
  cos!: boolean;
  cycleMomentum!: boolean;
  useBeta1 = false;
  private ends!: Float64Array;
  private table!: NumberTable;

  init(opts: {
    totalSteps: number;
    phases: Phase[];
    cos: boolean;
    cycleMomentum: boolean;
    useBeta1: boolean;
  }): void {
    this.totalSteps = opts.totalSteps;
    this.phases = opts.phases;
    // phase ends mix ints (total_steps - 1) and floats: keep them in one double array
    this.ends = Float64Array.from(opts.phases, (p) => p.endStep);
    this.cos = opts.cos;
    this.cycleMomentum = opts.cycleMomentum;
    this.useBeta1 = opts.useBeta1;
    const libm = this.env.libm;
    let args: Float64Array | undefined;
    this.table = this.numberTable((k0, out) => {
      args ??= new Float64Array(this.tableBlock());
      for (let i = 0; i < out.length; i++) {
        const k = k0 + i;
        args[i] = Math.PI * this.pctOf(k, this.phaseOf(k));
      }
      libm.map1('cos', args, out);
    });
    this.baseInit();
  }

  override cyclesMomentum(): boolean {
    return this.cycleMomentum;
  }

  /** The phase OneCycleLR.get_lr uses for a step (identical for every group). */
  phaseOf(stepNum: number): number {
    const ends = this.ends;
    const last = ends.length - 1;
    for (let i = 0; i < last; i++) if (stepNum <= ends[i]) return i;
    return last;
  }

  /** `(step_num - start_step) / (end_step - start_step)`; NaN when the phase has zero length. */
  pctOf(stepNum: number, i: number): number {
    const start = i === 0 ? 0.0 : this.ends[i - 1];
    const den = this.ends[i] - start;
    return den === 0 ? NaN : (stepNum - start) / den;
  }

  getLr(out: Float64Array): void {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new TorchError(
        'ValueError',
        `Tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`,
        { message113: `Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}` },
      );
    }
    const pi = this.phaseOf(stepNum);
    const pct = this.pctOf(stepNum, pi);
    if (pct !== pct) throw new PyError('ZeroDivisionError', 'float division by zero');
    const phase = this.phases[pi];
    const o = this.opt;
    const s = groupKey(o, phase.startLr);
    const en = groupKey(o, phase.endLr);
    const n = out.length;
    // momentum is written to the group inside the same loop, as get_lr does
    const mom = this.cycleMomentum ? (this.useBeta1 ? o.beta1! : o.momentum!) : null;
    const sm = mom ? groupKey(o, phase.startM) : s;
    const em = mom ? groupKey(o, phase.endM) : s;
    if (this.cos) {
      const cosOut = this.table.get(stepNum) + 1;
      for (let g = 0; g < n; g++) out[g] = en[g] + ((s[g] - en[g]) / 2.0) * cosOut;
      if (mom) for (let g = 0; g < n; g++) mom[g] = em[g] + ((sm[g] - em[g]) / 2.0) * cosOut;
    } else {
      for (let g = 0; g < n; g++) out[g] = (en[g] - s[g]) * pct + s[g];
      if (mom) for (let g = 0; g < n; g++) mom[g] = (em[g] - sm[g]) * pct + sm[g];
    }
  }

  /**
   * A phase at a time, in blocks: the block's factors (cos(π·pct) + 1, or pct) computed once for
   * all groups with one batched libm call, then one tight loop per group over plain numbers. The
   * new values do not depend on the previous ones, so this is exactly getLr's arithmetic.
   */
  override fastSteps(n: number, lrBufs: Float64Array[], momBufs: Float64Array[] | null, mArr: Float64Array | null, j: number): number {
    const o = this.opt;
    const mom = this.cycleMomentum ? (this.useBeta1 ? o.beta1! : o.momentum!) : null;
    const ends = this.ends;
    const P = ends.length;
    const G = o.n;
    const libm = this.env.libm;
    const f = scratchF;
    const args = scratchArgs;
    let t = 0;
    while (t < n) {
      const stepNum = this.lastEpoch + 1;
      if (stepNum > this.totalSteps) break; // raises: general path
      const pi = this.phaseOf(stepNum);
      const start = pi === 0 ? 0.0 : ends[pi - 1];
      const den = ends[pi] - start;
      if (den === 0) break;
      // steps of this phase: stepNum <= end (the last phase runs to total_steps)
      const lastInPhase = pi === P - 1 ? this.totalSteps : Math.floor(ends[pi]);
      const k = Math.min(n - t, lastInPhase - stepNum + 1, FAST_BLOCK);
      if (k <= 0) break;
      if (this.cos) {
        for (let i = 0; i < k; i++) args[i] = Math.PI * ((stepNum + i - start) / den);
        libm.map1('cos', args, f, k);
        for (let i = 0; i < k; i++) f[i] = f[i] + 1;
        if (!libm.exact) this.inexact = true;
      } else {
        for (let i = 0; i < k; i++) f[i] = (stepNum + i - start) / den;
      }
      const ph = this.phases[pi];
      const at = j + t;
      segment(this.cos, k, at, o.lr, groupKey(o, ph.startLr), groupKey(o, ph.endLr), f, lrBufs);
      if (mom) {
        const into = momBufs && mArr === mom ? momBufs : null;
        segment(this.cos, k, at, mom, groupKey(o, ph.startM), groupKey(o, ph.endM), f, into);
      }
      if (momBufs && !(mom && mArr === mom)) for (let g = 0; g < G; g++) fillConst(momBufs[g], at, k, mArr![g]);
      this.lastEpoch += k;
      this.stepCount += k;
      t += k;
    }
    return t;
  }
}

/**
 * OneCycleLR over k steps of one phase for every group: records the value in effect, then sets
 * `en + ((s - en) / 2.0) * f` (cos; f = cos(π·pct) + 1) or `(en - s) * f + s` (linear; f = pct),
 * as get_lr does. `bufs` null: only the final values are kept.
 */
function segment(
  cos: boolean,
  k: number,
  at: number,
  cur: Float64Array,
  s: Float64Array,
  en: Float64Array,
  f: Float64Array,
  bufs: Float64Array[] | null,
): void {
  for (let g = 0; g < cur.length; g++) {
    let x = cur[g];
    const a = en[g];
    if (cos) {
      const h = (s[g] - a) / 2.0;
      if (bufs) {
        const buf = bufs[g];
        for (let i = 0; i < k; i++) {
          buf[at + i] = x;
          x = a + h * f[i];
        }
      } else x = a + h * f[k - 1];
    } else {
      const d = a - s[g];
      const b = s[g];
      if (bufs) {
        const buf = bufs[g];
        for (let i = 0; i < k; i++) {
          buf[at + i] = x;
          x = d * f[i] + b;
        }
      } else x = d * f[k - 1] + b;
    }
    cur[g] = x;
  }
}

export class CyclicLR extends LRScheduler {
  maxLrs!: Float64Array;
  cycleBaseLrs!: Float64Array;
  totalSize!: number;
  stepRatio!: number;
  scaleMode!: 'cycle' | 'iterations';
  mode!: string;
  gamma!: Num;
  cycleMomentum!: boolean;
  useBeta1 = false;
  baseMomentums!: Float64Array;
  maxMomentums!: Float64Array;
  private custom?: FunctionTable;
  private expTable?: NumberTable;
  private expErrors = new Map<number, Error>();
  private scales!: Float64Array;

  init(opts: {
    baseLrs: Float64Array;
    maxLrs: Float64Array;
    totalSize: number;
    stepRatio: number;
    mode: string;
    gamma: Num;
    scaleFn: PyCallable | null;
    scaleMode: 'cycle' | 'iterations';
    cycleMomentum: boolean;
    useBeta1: boolean;
    baseMomentums: Float64Array;
    maxMomentums: Float64Array;
  }): void {
    this.cycleBaseLrs = opts.baseLrs;
    this.maxLrs = opts.maxLrs;
    this.totalSize = opts.totalSize;
    this.stepRatio = opts.stepRatio;
    this.mode = opts.mode;
    this.gamma = opts.gamma;
    this.scaleMode = opts.scaleMode;
    this.cycleMomentum = opts.cycleMomentum;
    this.useBeta1 = opts.useBeta1;
    this.baseMomentums = opts.baseMomentums;
    this.maxMomentums = opts.maxMomentums;
    this.scales = new Float64Array(this.opt.n);
    if (opts.scaleFn) {
      this.custom = this.functionTable(opts.scaleFn);
    } else if (opts.mode === 'exp_range') {
      const libm = this.env.libm;
      const xs = new Float64Array(this.tableBlock()).fill(opts.gamma.v);
      const ys = new Float64Array(this.tableBlock());
      if (opts.gamma.isInt) {
        // int ** int is exact in Python: no libm
        this.expTable = new NumberTable((k0, out) => {
          for (let i = 0; i < out.length; i++) {
            const k = k0 + i;
            try {
              out[i] = k >= 0 ? intToFloat(BigInt(opts.gamma.v) ** BigInt(k)) : opts.gamma.v ** k;
            } catch (e) {
              out[i] = NaN;
              this.expErrors.set(k, e as PyError);
            }
          }
        }, this.tableBlock());
      } else {
        this.expTable = this.numberTable((k0, out) => {
          for (let i = 0; i < out.length; i++) ys[i] = k0 + i;
          floatPowBatch(libm, xs, ys, out, this.expErrors, k0);
        });
      }
    }
    this.baseInit();
    this.baseLrs = this.cycleBaseLrs; // overwritten after the initial step, as in PyTorch
  }

  override cyclesMomentum(): boolean {
    return this.cycleMomentum;
  }

  private scale(x: number): number {
    if (this.custom) {
      const v = this.custom.get(x);
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return intToFloat(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      throw new PyError('TypeError', `unsupported operand type(s) for *: 'float' and '${typeName(v)}'`);
    }
    switch (this.mode) {
      case 'triangular':
        return 1.0;
      case 'triangular2': {
        // 1 / (2.0 ** (x - 1)): a power of two, exact in every libm
        const p = Math.pow(2.0, x - 1);
        if (!Number.isFinite(p)) throw new PyError('OverflowError', "(34, 'Numerical result out of range')");
        return 1 / p;
      }
      default:
        return tableGet(this.expTable!, this.expErrors, x);
    }
  }

  getLr(out: Float64Array): void {
    const e = this.lastEpoch;
    const cycle = Math.floor(1 + e / this.totalSize);
    const x = 1.0 + e / this.totalSize - cycle;
    let sf: number;
    if (x <= this.stepRatio) {
      if (this.stepRatio === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
      sf = x / this.stepRatio;
    } else {
      if (this.stepRatio - 1 === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
      sf = (x - 1) / (this.stepRatio - 1);
    }
    const key = this.scaleMode === 'cycle' ? cycle : e;
    const sc = this.scale(key);
    const base = this.baseLrs;
    for (let g = 0; g < out.length; g++) {
      const h = (this.maxLrs[g] - base[g]) * sf;
      out[g] = base[g] + h * sc;
    }
    if (this.cycleMomentum) {
      const m = this.scales;
      for (let g = 0; g < out.length; g++) {
        const h = (this.maxMomentums[g] - this.baseMomentums[g]) * sf;
        m[g] = this.maxMomentums[g] - h * sc;
      }
      const dst = this.useBeta1 ? this.opt.beta1! : this.opt.momentum!;
      for (let g = 0; g < out.length; g++) dst[g] = m[g];
    }
  }
}

export class SWALR extends LRScheduler {
  annealEpochs!: number;
  cos!: boolean;
  private table!: NumberTable;

  init(annealEpochs: number, cos: boolean): void {
    this.annealEpochs = annealEpochs;
    this.cos = cos;
    const libm = this.env.libm;
    const args = new Float64Array(this.tableBlock());
    // alpha for a given `step`: anneal_func(max(0, min(1, step / max(1, anneal_epochs))))
    this.table = this.numberTable((k0, out) => {
      for (let i = 0; i < out.length; i++) args[i] = Math.PI * this.tFor(k0 + i);
      libm.map1('cos', args, out);
    });
    this.baseInit();
  }

  private tFor(step: number): number {
    const q = step / Math.max(1, this.annealEpochs);
    const mn = q < 1 ? q : 1; // min(1, q)
    return mn > 0 ? mn : 0; // max(0, ...)
  }

  private alpha(step: number): number {
    const t = this.tFor(step);
    if (!this.cos) return t;
    return (1 - this.table.get(step)) / 2;
  }

  getLr(out: Float64Array): void {
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const prevAlpha = this.alpha(step - 1);
    const alpha = this.alpha(step);
    const lr = this.opt.lr;
    const swa = this.opt.swaLr!;
    for (let g = 0; g < out.length; g++) {
      let prev: number;
      if (prevAlpha === 1) prev = swa[g];
      else {
        if (1 - prevAlpha === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
        prev = (lr[g] - prevAlpha * swa[g]) / (1 - prevAlpha);
      }
      out[g] = swa[g] * alpha + prev * (1 - alpha);
    }
  }
}

/** ReduceLROnPlateau: stepped with a metric; not an LRScheduler in 1.13, no initial step. */
export class ReduceLROnPlateau extends Steppable {
  mode!: 'min' | 'max';
  thresholdMode!: 'rel' | 'abs';
  factor!: number;
  patience!: number;
  threshold!: number;
  cooldown!: number;
  minLrs!: Float64Array;
  eps!: number;
  best!: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  metrics: number[] | null = null;
  private metricIndex = 0;

  init(o: {
    mode: 'min' | 'max';
    thresholdMode: 'rel' | 'abs';
    factor: number;
    patience: number;
    threshold: number;
    cooldown: number;
    minLrs: Float64Array;
    eps: number;
  }): void {
    Object.assign(this, o);
    this.lastEpoch = 0;
    this.best = o.mode === 'min' ? Infinity : -Infinity;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  /** step(metrics) with the next value of the metric series. */
  override step(): void {
    if (!this.metrics) throw new Refusal('ReduceLROnPlateau depends on the metric passed to step()');
    const current = this.metrics[this.metricIndex++];
    this.stepMetric(current);
  }

  stepMetric(current: number): void {
    this.lastEpoch = this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const lr = this.opt.lr;
      for (let g = 0; g < lr.length; g++) {
        const old = lr[g];
        const prod = old * this.factor;
        const mn = this.minLrs[g];
        const nw = mn > prod ? mn : prod; // max(old*factor, min_lr): first unless second is greater
        if (old - nw > this.eps) lr[g] = nw;
      }
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  override initialStep(): void {
    throw new Refusal('ReduceLROnPlateau cannot be the first scheduler of a SequentialLR');
  }

  override milestoneStep(): void {
    if (this.env.v2) throw new Refusal('unreachable: SequentialLR rejects ReduceLROnPlateau');
    // 1.13 SequentialLR calls scheduler.step(0): the metric is 0.
    this.stepMetric(0);
  }
}

export class SequentialLR extends Steppable {
  schedulers!: Steppable[];
  milestones!: number[];

  init(schedulers: Steppable[], milestones: number[]): void {
    this.schedulers = schedulers;
    this.milestones = milestones;
    this.lastEpoch = -1 + 1;
    const opt = this.opt;
    if (!opt.initialLr) {
      throw new TorchError('KeyError', "'initial_lr'");
    }
    opt.lr.set(opt.initialLr);
    if (this.env.v2) this.recursiveUndo(this);
    else {
      for (const s of schedulers) {
        if (s instanceof ChainedScheduler) {
          throw new TorchError('AttributeError', "'ChainedScheduler' object has no attribute 'last_epoch'");
        }
        s.undo();
      }
    }
    schedulers[0].initialStep();
  }

  private recursiveUndo(s: Steppable): void {
    if (s instanceof SequentialLR || s instanceof ChainedScheduler) {
      for (const c of s.schedulers) this.recursiveUndo(c);
    } else s.undo();
  }

  override isInexact(): boolean {
    return this.inexact || this.schedulers.some((s) => s.isInexact());
  }

  override cyclesMomentum(): boolean {
    return this.schedulers.some((s) => s.cyclesMomentum());
  }

  override step(): void {
    this.lastEpoch += 1;
    const e = this.lastEpoch;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= e) idx++; // bisect_right
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === e) s.milestoneStep();
    else s.step();
  }

  override fastSteps(n: number, lrBufs: Float64Array[], momBufs: Float64Array[] | null, mArr: Float64Array | null, j: number): number {
    const next = this.lastEpoch + 1;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= next) idx++;
    if (idx > 0 && this.milestones[idx - 1] === next) return 0; // a hand-over: general path
    const child = this.schedulers[idx];
    if (!child.fastSteps) return 0;
    // steps until the next milestone all go to the same scheduler through its plain step()
    const room = idx < this.milestones.length ? Math.ceil(this.milestones[idx]) - next : n;
    const done = child.fastSteps(Math.max(0, Math.min(n, room)), lrBufs, momBufs, mArr, j);
    this.lastEpoch += done;
    return done;
  }

  /** LRScheduler._initial_step() on a SequentialLR: its own step(). */
  override initialStep(): void {
    this.step();
  }

  override milestoneStep(): void {
    if (this.env.v2) throw new TorchError('NotImplementedError', '');
    throw new TorchError('TypeError', 'SequentialLR.step() takes 1 positional argument but 2 were given');
  }
}

export class ChainedScheduler extends Steppable {
  schedulers!: Steppable[];

  init(schedulers: Steppable[]): void {
    this.schedulers = schedulers;
  }

  override isInexact(): boolean {
    return this.inexact || this.schedulers.some((s) => s.isInexact());
  }

  override cyclesMomentum(): boolean {
    return this.schedulers.some((s) => s.cyclesMomentum());
  }

  override step(): void {
    for (const s of this.schedulers) s.step();
  }

  override initialStep(): void {
    if (!this.env.v2) throw new TorchError('AttributeError', "'ChainedScheduler' object has no attribute '_initial_step'");
    // 2.x: ChainedScheduler is an LRScheduler subclass; _initial_step calls its step()
    this.step();
  }

  override milestoneStep(): void {
    if (this.env.v2) throw new TorchError('NotImplementedError', '');
    throw new TorchError('TypeError', 'ChainedScheduler.step() takes 1 positional argument but 2 were given');
  }

  override undo(): void {
    // 2.x recursive_undo descends into the chained schedulers (handled by SequentialLR).
  }
}
