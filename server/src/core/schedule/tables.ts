/**
 * Lazily filled, block-batched tables of values that depend only on an integer key.
 *
 * Every transcendental value a scheduler needs is a pure function of a small integer: cos(π·k/T)
 * for CosineAnnealingLR, cos(π·T_cur/T_i) for warm restarts (one table per T_i), cos(π·pct(k))
 * for OneCycleLR, γ**k for CyclicLR's exp_range, an lr_lambda at epoch k. So the simulator never
 * calls libm per value: it asks a table for key k, and the table fills a whole block of keys
 * with one batched libm call. Only a few blocks are kept, so memory stays bounded for any N.
 */
import type { BatchLibm, ScalarMath } from './libm';
import { RecordingMath, ReplayMath } from './libm';
import { PyError, PyValue, Refusal } from './pyvalue';

export const BLOCK = 4096;
const EMPTY = new Float64Array(0);

/** Numbers keyed by integer k, filled a block at a time by `fill(k0, out)` (out.length keys). */
export class NumberTable {
  private k0a = NaN;
  private a: Float64Array;
  private k0b = NaN;
  private b: Float64Array;

  constructor(
    private readonly fill: (k0: number, out: Float64Array) => void,
    private readonly block = BLOCK,
  ) {
    // Allocated on first use: many tables of a short run (or a lint pass) are never read.
    this.a = EMPTY;
    this.b = EMPTY;
  }

  get(k: number): number {
    const i = k - this.k0a;
    if (i >= 0 && i < this.block) return this.a[i];
    const j = k - this.k0b;
    if (j >= 0 && j < this.block) return this.b[j];
    // Keep the most recent block too: recursions read k and k-1.
    const t = this.b.length ? this.b : new Float64Array(this.block);
    this.b = this.a;
    this.k0b = this.a.length ? this.k0a : NaN;
    this.a = t;
    this.k0a = Math.floor(k / this.block) * this.block;
    this.fill(this.k0a, this.a);
    return this.a[k - this.k0a];
  }
}

/** cos(π·k/T) for integer k: CosineAnnealingLR's `math.cos(math.pi * k / T_max)`. */
export function cosPiOver(libm: BatchLibm, T: number, block = BLOCK): NumberTable {
  let args: Float64Array | undefined;
  return new NumberTable((k0, out) => {
    args ??= new Float64Array(block);
    for (let i = 0; i < block; i++) args[i] = (Math.PI * (k0 + i)) / T;
    libm.map1('cos', args, out);
  }, block);
}

/** Outcome of evaluating a function at one key. */
type Slot = { ok: true; v: PyValue } | { ok: false; e: Error };

/** Shared evaluation budget for interpreted functions over a whole simulation. */
export interface EvalBudget {
  remaining: number;
}

/**
 * Values of a pure function of k (an lr_lambda, a scale_fn, a Hugging Face lambda) whose
 * transcendental calls are batched: each block is evaluated once with V8's math while the
 * calls are recorded, the recorded calls are evaluated by the native libm in one batch per
 * function, and only the keys whose recorded results differ are evaluated again with the native
 * answers replayed. Python errors are stored and re-thrown when that key is read.
 */
export class FunctionTable {
  private k0 = NaN;
  private slots: Slot[] = [];
  private readonly rec = new RecordingMath(1024);

  constructor(
    private readonly evalAt: (k: number, math: ScalarMath) => PyValue,
    private readonly libm: BatchLibm,
    /** Largest key that will be read; keys above it are not evaluated. */
    private readonly limit: number,
    private readonly block = 256,
  ) {}

  get(k: number): PyValue {
    let i = k - this.k0;
    if (!(i >= 0 && i < this.slots.length)) {
      this.fillBlock(k);
      i = k - this.k0;
    }
    const s = this.slots[i];
    if (s.ok) return s.v;
    throw s.e;
  }

  private evalOne(k: number, math: ScalarMath): Slot {
    try {
      return { ok: true, v: this.evalAt(k, math) };
    } catch (e) {
      if (e instanceof PyError || e instanceof Refusal) return { ok: false, e };
      throw e;
    }
  }

  private fillBlock(k: number): void {
    const k0 = k;
    const n = Math.max(1, Math.min(this.block, this.limit - k0 + 1));
    const rec = this.rec;
    rec.reset();
    const starts = new Int32Array(n + 1);
    const slots: Slot[] = new Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = rec.length;
      slots[i] = this.evalOne(k0 + i, rec);
    }
    starts[n] = rec.length;
    if (this.libm.exact && rec.length > 0) {
      const { results, anyDiffers, differs } = rec.evaluate(this.libm);
      if (anyDiffers) {
        const replay = new ReplayMath(rec, results, this.libm);
        for (let i = 0; i < n; i++) {
          let hit = false;
          for (let j = starts[i]; j < starts[i + 1]; j++) if (differs[j]) hit = true;
          if (!hit) continue;
          replay.seek(starts[i]);
          slots[i] = this.evalOne(k0 + i, replay);
        }
      }
    }
    this.k0 = k0;
    this.slots = slots;
  }
}
