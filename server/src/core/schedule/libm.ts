/**
 * Batched access to the platform C math library.
 *
 * CPython's `math.cos`, `math.exp`, … and float `**` call the platform libm (glibc on Linux).
 * V8's `Math.*` is fdlibm and disagrees with glibc by one ulp on a few percent of inputs, and the
 * recursive schedulers carry such a difference forever. So transcendental functions go through
 * a small N-API addon (server/native) that calls libm itself. Calls are batched: one call fills a
 * whole Float64Array, because a native call per value costs ~60x the math.
 *
 * When the addon cannot be loaded the V8 fallback is used and every result is marked
 * `exact: false` by the simulator.
 */
import { findAddon } from '../native-addon';

/** One-argument libm functions the simulator and the safe interpreter use. */
export type LibmFn1 = 'cos' | 'sin' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'log2' | 'log10';

export const LIBM_FN1: readonly LibmFn1[] = ['cos', 'sin', 'exp', 'log', 'sqrt', 'tanh', 'log2', 'log10'];

/** A libm that evaluates many values per call. */
export interface BatchLibm {
  /** True when results come from the platform libm (bit-identical to CPython on this machine). */
  readonly exact: boolean;
  /** Human-readable description, e.g. for `optlint schedule --verbose`. */
  readonly description: string;
  /** out[i] = fn(xs[i]) for i < n (default: the shorter array's length). */
  map1(fn: LibmFn1, xs: Float64Array, out: Float64Array, n?: number): void;
  /** out[i] = pow(xs[i], ys[i]) for i < n. Plain libm pow: no Python special cases. */
  pow(xs: Float64Array, ys: Float64Array, out: Float64Array, n?: number): void;
  /** A single value (costly for the native libm: prefer the batched forms). */
  call1(fn: LibmFn1, x: number): number;
  /** A single pow (costly for the native libm: prefer the batched form). */
  callPow(x: number, y: number): number;
}

/** Scalar math as used by code that runs value by value (the interpreter, HF lambdas). */
export interface ScalarMath {
  call1(fn: LibmFn1, x: number): number;
  callPow(x: number, y: number): number;
}

interface NativeAddon {
  cos(xs: Float64Array, out: Float64Array, n?: number): void;
  sin(xs: Float64Array, out: Float64Array, n?: number): void;
  exp(xs: Float64Array, out: Float64Array, n?: number): void;
  log(xs: Float64Array, out: Float64Array, n?: number): void;
  sqrt(xs: Float64Array, out: Float64Array, n?: number): void;
  tanh(xs: Float64Array, out: Float64Array, n?: number): void;
  log2(xs: Float64Array, out: Float64Array, n?: number): void;
  log10(xs: Float64Array, out: Float64Array, n?: number): void;
  pow(xs: Float64Array, ys: Float64Array, out: Float64Array, n?: number): void;
  abiVersion: number;
}

const V8_FN1: Record<LibmFn1, (x: number) => number> = {
  cos: Math.cos,
  sin: Math.sin,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  log2: Math.log2,
  log10: Math.log10,
};

/** V8's own Math: within ~1e-14 relative of glibc, but not bit-identical. */
export const fallbackLibm: BatchLibm = {
  exact: false,
  description: "V8 Math (approximate: differs from the platform libm by an ulp on some inputs)",
  map1(fn, xs, out, n = Math.min(xs.length, out.length)) {
    const f = V8_FN1[fn];
    for (let i = 0; i < n; i++) out[i] = f(xs[i]);
  },
  pow(xs, ys, out, n = Math.min(xs.length, ys.length, out.length)) {
    for (let i = 0; i < n; i++) out[i] = Math.pow(xs[i], ys[i]);
  },
  call1(fn, x) {
    return V8_FN1[fn](x);
  },
  callPow(x, y) {
    return Math.pow(x, y);
  },
};

class NativeLibm implements BatchLibm {
  readonly exact = true;
  readonly description: string;
  private readonly one = new Float64Array(1);
  private readonly two = new Float64Array(1);
  private readonly res = new Float64Array(1);

  constructor(private readonly addon: NativeAddon, file: string) {
    this.description = `platform libm via ${file}`;
  }

  map1(fn: LibmFn1, xs: Float64Array, out: Float64Array, n?: number): void {
    if (n === undefined) this.addon[fn](xs, out);
    else this.addon[fn](xs, out, n);
  }

  pow(xs: Float64Array, ys: Float64Array, out: Float64Array, n?: number): void {
    if (n === undefined) this.addon.pow(xs, ys, out);
    else this.addon.pow(xs, ys, out, n);
  }

  call1(fn: LibmFn1, x: number): number {
    if (fn === 'sqrt') return Math.sqrt(x); // IEEE sqrt is correctly rounded everywhere
    this.one[0] = x;
    this.addon[fn](this.one, this.res, 1);
    return this.res[0];
  }

  callPow(x: number, y: number): number {
    this.one[0] = x;
    this.two[0] = y;
    this.addon.pow(this.one, this.two, this.res, 1);
    return this.res[0];
  }
}

const ADDON_FILE = 'optlint_libm.node';

/** Finds the addon: $OPTLINT_LIBM_ADDON if set, else the build or the copy beside the bundle. */
export function findNativeAddon(startDir: string = __dirname): string | undefined {
  return findAddon(ADDON_FILE, 'OPTLINT_LIBM_ADDON', startDir);
}

export interface NativeLibmStatus {
  loaded: boolean;
  file?: string;
  /** Why the native libm is not used. */
  reason?: string;
}

let cached: { libm?: BatchLibm; status: NativeLibmStatus } | undefined;

function checkAddon(addon: NativeAddon): string | undefined {
  const names: (keyof NativeAddon)[] = [...LIBM_FN1, 'pow'];
  for (const n of names) if (typeof addon[n] !== 'function') return `addon lacks \`${String(n)}\``;
  // A cheap sanity check that the addon really computes: cos(0) = 1, pow(2, 10) = 1024.
  const x = new Float64Array([0]);
  const y = new Float64Array([10]);
  const o = new Float64Array(1);
  addon.cos(x, o);
  if (o[0] !== 1) return 'addon self-test failed (cos)';
  x[0] = 2;
  addon.pow(x, y, o);
  if (Number(o[0]) !== 1024) return 'addon self-test failed (pow)';
  return undefined;
}

/** Loads the native libm once; never throws. */
export function loadNativeLibm(): { libm?: BatchLibm; status: NativeLibmStatus } {
  if (cached) return cached;
  if (process.env.OPTLINT_LIBM === 'fallback') {
    cached = { status: { loaded: false, reason: 'disabled by OPTLINT_LIBM=fallback' } };
    return cached;
  }
  const file = findNativeAddon();
  if (!file) {
    cached = {
      status: { loaded: false, reason: `${ADDON_FILE} not found (run \`npm run build:native\`)` },
    };
    return cached;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const addon = require(file) as NativeAddon;
    const bad = checkAddon(addon);
    if (bad) {
      cached = { status: { loaded: false, file, reason: bad } };
    } else {
      cached = { libm: new NativeLibm(addon, file), status: { loaded: true, file } };
    }
  } catch (e) {
    cached = { status: { loaded: false, file, reason: `cannot load ${file}: ${(e as Error).message}` } };
  }
  return cached;
}

/** The libm to use: native when available (unless `prefer: 'fallback'`), else the V8 fallback. */
export function getLibm(prefer: 'native' | 'fallback' = 'native'): BatchLibm {
  if (prefer === 'fallback') return fallbackLibm;
  return loadNativeLibm().libm ?? fallbackLibm;
}

/**
 * Records the calls made by value-by-value code (first pass, answered by V8), so that all of
 * them can then be evaluated by the native libm in a few batched calls. A second pass replays
 * the answers in order ({@link ReplayMath}); a call whose arguments differ from the recording
 * (control flow changed because a native result differed) falls back to a single native call.
 */
export class RecordingMath implements ScalarMath {
  ops: Uint8Array;
  xs: Float64Array;
  ys: Float64Array;
  v8: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.ops = new Uint8Array(capacity);
    this.xs = new Float64Array(capacity);
    this.ys = new Float64Array(capacity);
    this.v8 = new Float64Array(capacity);
  }

  reset(): void {
    this.length = 0;
  }

  private push(op: number, x: number, y: number, r: number): number {
    if (this.length === this.ops.length) this.grow();
    const i = this.length++;
    this.ops[i] = op;
    this.xs[i] = x;
    this.ys[i] = y;
    this.v8[i] = r;
    return r;
  }

  private grow(): void {
    const n = this.ops.length * 2;
    const ops = new Uint8Array(n);
    ops.set(this.ops);
    const xs = new Float64Array(n);
    xs.set(this.xs);
    const ys = new Float64Array(n);
    ys.set(this.ys);
    const v8 = new Float64Array(n);
    v8.set(this.v8);
    this.ops = ops;
    this.xs = xs;
    this.ys = ys;
    this.v8 = v8;
  }

  call1(fn: LibmFn1, x: number): number {
    return this.push(FN_CODE[fn], x, 0, V8_FN1[fn](x));
  }

  callPow(x: number, y: number): number {
    return this.push(POW_CODE, x, y, Math.pow(x, y));
  }

  /**
   * Evaluates every recorded call with `libm`, batched by function. Returns the results in
   * recording order, and whether any differs from V8's answer.
   */
  evaluate(libm: BatchLibm): { results: Float64Array; anyDiffers: boolean; differs: Uint8Array } {
    const n = this.length;
    const results = new Float64Array(n);
    const differs = new Uint8Array(n);
    if (!libm.exact) {
      results.set(this.v8.subarray(0, n));
      return { results, anyDiffers: false, differs };
    }
    const counts = new Int32Array(FN_BY_CODE.length + 1);
    for (let i = 0; i < n; i++) counts[this.ops[i]]++;
    for (let code = 0; code <= FN_BY_CODE.length; code++) {
      const c = counts[code];
      if (c === 0) continue;
      const idx = new Int32Array(c);
      const a = new Float64Array(c);
      const b = code === POW_CODE ? new Float64Array(c) : undefined;
      let j = 0;
      for (let i = 0; i < n; i++) {
        if (this.ops[i] !== code) continue;
        idx[j] = i;
        a[j] = this.xs[i];
        if (b) b[j] = this.ys[i];
        j++;
      }
      const out = new Float64Array(c);
      if (b) libm.pow(a, b, out);
      else libm.map1(FN_BY_CODE[code], a, out);
      for (let k = 0; k < c; k++) results[idx[k]] = out[k];
    }
    let anyDiffers = false;
    for (let i = 0; i < n; i++) {
      const r = results[i];
      const v = this.v8[i];
      if (!(r === v && (r !== 0 || 1 / r === 1 / v)) && !(r !== r && v !== v)) {
        differs[i] = 1;
        anyDiffers = true;
      }
    }
    return { results, anyDiffers, differs };
  }
}

const FN_BY_CODE: LibmFn1[] = [...LIBM_FN1];
const FN_CODE: Record<LibmFn1, number> = Object.fromEntries(FN_BY_CODE.map((f, i) => [f, i])) as Record<LibmFn1, number>;
const POW_CODE = FN_BY_CODE.length;

/** Replays recorded results in order; see {@link RecordingMath}. */
export class ReplayMath implements ScalarMath {
  pos = 0;
  /** Calls that did not match the recording and went to the native libm one by one. */
  misses = 0;

  constructor(
    private readonly tape: RecordingMath,
    private readonly results: Float64Array,
    private readonly libm: BatchLibm,
  ) {}

  seek(pos: number): void {
    this.pos = pos;
  }

  call1(fn: LibmFn1, x: number): number {
    const i = this.pos++;
    const t = this.tape;
    if (i < t.length && t.ops[i] === FN_CODE[fn] && Object.is(t.xs[i], x)) return this.results[i];
    this.misses++;
    return this.libm.call1(fn, x);
  }

  callPow(x: number, y: number): number {
    const i = this.pos++;
    const t = this.tape;
    if (i < t.length && t.ops[i] === POW_CODE && Object.is(t.xs[i], x) && Object.is(t.ys[i], y)) {
      return this.results[i];
    }
    this.misses++;
    return this.libm.callPow(x, y);
  }
}

/** Direct scalar math over a BatchLibm (one native call per value: use for a handful of values). */
export function scalarMathOf(libm: BatchLibm): ScalarMath {
  return libm;
}
