/**
 * Python values and Python arithmetic, as used by the safe interpreter and by the scheduler
 * arguments of a simulation request.
 *
 * The int/float distinction is explicit in the JS type:
 *   Python float -> JS `number`       Python int  -> JS `bigint`
 *   Python bool  -> JS `boolean`      None        -> `null`
 *   str          -> `string`          list        -> JS array
 *   tuple        -> {@link PyTuple}   dict        -> {@link PyDict}
 * so `3n` is `3` and `3` is `3.0`. That matters: `T_0=10.0` is rejected by PyTorch, `int ** int`
 * is exact big-integer arithmetic, `max(0, x)` may return the int `0`.
 */
import type { LibmFn1, ScalarMath } from './libm';
import type { FunctionDef, Lambda, Param } from './pyast';

export interface PyTuple {
  readonly kind: 'tuple';
  readonly items: PyValue[];
}

export interface PyDict {
  readonly kind: 'dict';
  readonly entries: [PyValue, PyValue][];
}

/** A reference to another scheduler of the same request (SequentialLR / ChainedScheduler). */
export interface SchedulerRef {
  readonly kind: 'scheduler';
  readonly id: string;
}

/** A name the caller could not resolve; using it makes the simulation refuse with `reason`. */
export interface Unresolved {
  readonly kind: 'unresolved';
  readonly reason: string;
  /**
   * The file fixes this value but the interpreter cannot follow how (a list changed in place):
   * an assumed value must not stand in for it.
   */
  readonly fileDetermined?: true;
}

/** A module object (`math`, `functools`) reached through an import the interpreter allows. */
export interface PyModule {
  readonly kind: 'module';
  readonly name: string;
}

/** A variable scope of the interpreter; `parent` is the enclosing (closure/global) scope. */
export interface Scope {
  readonly vars: Map<string, PyValue>;
  readonly parent?: Scope;
}

/** The value `name` has in `scope` or the scopes around it; undefined when none binds it. */
export function findVar(scope: Scope, name: string): PyValue | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const v = s.vars.get(name);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A user function (lambda or def) from the safe interpreter, closed over its defining scope. */
export interface PyFunction {
  readonly kind: 'function';
  readonly name: string;
  readonly node: Lambda | FunctionDef;
  /** Default values, evaluated when the def/lambda was evaluated, aligned with node.params. */
  readonly defaults: (PyValue | undefined)[];
  readonly closure: Scope;
}

/** `functools.partial(func, *args, **keywords)`. */
export interface PyPartial {
  readonly kind: 'partial';
  readonly func: PyCallable;
  readonly args: PyValue[];
  readonly keywords: Record<string, PyValue>;
}

/** Context of a call: the (possibly recording) scalar libm and an evaluation budget. */
export interface CallContext {
  readonly math: ScalarMath;
  /** Remaining evaluation steps; the interpreter refuses when it runs out. */
  budget: number;
  depth: number;
}

/** A function implemented in TypeScript (math.*, builtins, the Hugging Face lambdas). */
export interface PyBuiltin {
  readonly kind: 'builtin';
  /** Python-visible name, e.g. `math.cos` or `_get_linear_schedule_with_warmup_lr_lambda`. */
  readonly name: string;
  readonly call: (args: PyValue[], kwargs: Record<string, PyValue>, ctx: CallContext) => PyValue;
}

export type PyCallable = PyFunction | PyPartial | PyBuiltin;

export type PyValue =
  | number
  | bigint
  | boolean
  | null
  | string
  | PyValue[]
  | PyTuple
  | PyDict
  | PyCallable
  | SchedulerRef
  | PyModule
  | Unresolved;

// ---------------------------------------------------------------------------------------------
// Errors

/*
 * Both are control flow of the interpreter (a refusal per unknown name while resolving a file's
 * scope), thrown and caught by the thousand: they carry no stack trace, whose capture would cost
 * more than the evaluation itself.
 */

/** A Python exception raised by the simulated code (or by PyTorch's validation). */
export class PyError extends Error {
  readonly pyType: string;
  readonly pyMessage: string;
  constructor(pyType: string, pyMessage: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${pyType}: ${pyMessage}`);
    Error.stackTraceLimit = limit;
    this.pyType = pyType;
    this.pyMessage = pyMessage;
  }
}

/**
 * The code uses something outside the safe subset: not simulated, with a reason. Thrown and
 * always caught inside the simulator, thousands of times over a corpus, so it is a plain object
 * rather than an Error (an Error costs its construction even without a stack trace).
 */
export class Refusal {
  readonly name = 'Refusal';
  constructor(readonly reason: string) {}
  get message(): string {
    return this.reason;
  }
  toString(): string {
    return this.reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Constructors and type tests

export const tuple = (items: PyValue[]): PyTuple => ({ kind: 'tuple', items });
export const schedulerRef = (id: string): SchedulerRef => ({ kind: 'scheduler', id });
export const unresolved = (reason: string): Unresolved => ({ kind: 'unresolved', reason });

export function isObj(v: PyValue): v is Exclude<PyValue, number | bigint | boolean | null | string | PyValue[]> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isCallable(v: PyValue): v is PyCallable {
  return isObj(v) && (v.kind === 'function' || v.kind === 'partial' || v.kind === 'builtin');
}

export function isNumber(v: PyValue): v is number | bigint | boolean {
  const t = typeof v;
  return t === 'number' || t === 'bigint' || t === 'boolean';
}

/** Python's `type(v).__name__`. */
export function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'number':
      return 'float';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'str';
  }
  if (Array.isArray(v)) return 'list';
  switch (v.kind) {
    case 'tuple':
      return 'tuple';
    case 'dict':
      return 'dict';
    case 'function':
      return 'function';
    case 'partial':
      return 'functools.partial';
    case 'builtin':
      return 'builtin_function_or_method';
    case 'scheduler':
      return 'LRScheduler';
    case 'module':
      return 'module';
    case 'unresolved':
      return 'unresolved';
  }
}

/** Throws the refusal carried by an unresolved value. */
export function checkResolved(v: PyValue): void {
  if (isObj(v) && v.kind === 'unresolved') throw new Refusal(v.reason);
}

// ---------------------------------------------------------------------------------------------
// Formatting like Python

/** Python's `repr(float)`: shortest round-trip digits, Python's layout (`1e-05`, `10.0`). */
export function floatRepr(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const e = x.toExponential(); // shortest round-trip digits, e.g. "1.2345e-5"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(e);
  if (!m) return String(x);
  const sign = m[1];
  const digits = m[2] + (m[3] ?? '');
  const exp = parseInt(m[4], 10);
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const es = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${es}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Python's `repr(v)`. */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'number':
      return floatRepr(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'True' : 'False';
    case 'string':
      return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  switch (v.kind) {
    case 'tuple':
      return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'dict':
      return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
    case 'function':
      return `<function ${v.name}>`;
    case 'partial':
      return `functools.partial(${pyRepr(v.func)}, ...)`;
    case 'builtin':
      return `<built-in function ${v.name}>`;
    case 'scheduler':
      return `<scheduler ${v.id}>`;
    case 'module':
      return `<module '${v.name}'>`;
    case 'unresolved':
      return '<unresolved>';
  }
}

/** Python's `str(v)` (what `{}` in an f-string shows). */
export function pyStr(v: PyValue): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** int/bool -> bigint; float stays number. */
function normInt(v: number | bigint | boolean): number | bigint {
  return typeof v === 'boolean' ? (v ? 1n : 0n) : v;
}

/** Python's int -> float conversion (round-half-even, OverflowError when too large). */
export function intToFloat(v: bigint): number {
  const f = Number(v);
  if (f === Infinity || f === -Infinity) throw new PyError('OverflowError', 'int too large to convert to float');
  return f;
}

/** `float(v)` for a number-like value. */
export function toFloat(v: number | bigint | boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return intToFloat(v);
}

/** True when v is a Python number (int, float or bool). */
function num(v: PyValue): v is number | bigint | boolean {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
}

function unsupported(op: string, a: PyValue, b: PyValue): PyError {
  return new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python float `%` (CPython float_rem). */
export function floatMod(vx: number, wx: number): number {
  if (wx === 0) throw new PyError('ZeroDivisionError', 'float modulo');
  let mod = vx % wx; // fmod
  if (mod) {
    if (wx < 0 !== mod < 0) mod += wx;
  } else {
    mod = wx < 0 ? -0 : 0;
  }
  return mod;
}

/** Python float `//` (CPython float_floor_div via _float_div_mod). */
export function floatFloorDiv(vx: number, wx: number): number {
  if (wx === 0) throw new PyError('ZeroDivisionError', 'float floor division by zero');
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod) {
    if (wx < 0 !== mod < 0) {
      mod += wx;
      div -= 1.0;
    }
  }
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = vx / wx < 0 || Object.is(vx / wx, -0) ? -0 : 0;
  }
  return floordiv;
}

function bigFloorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new PyError('ZeroDivisionError', 'integer division or modulo by zero');
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function bigMod(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new PyError('ZeroDivisionError', 'integer modulo by zero');
  const r = a % b;
  return r !== 0n && (r < 0n) !== (b < 0n) ? r + b : r;
}

/** Python true division of two ints: correctly rounded. */
function bigTrueDiv(a: bigint, b: bigint): number {
  if (b === 0n) throw new PyError('ZeroDivisionError', 'division by zero');
  const LIM = 1n << 53n;
  const aa = a < 0n ? -a : a;
  const bb = b < 0n ? -b : b;
  if (aa <= LIM && bb <= LIM) return Number(a) / Number(b);
  // Large operands: scale so the quotient keeps 64+ significant bits, then round once.
  const neg = (a < 0n) !== (b < 0n);
  const shift = BigInt(Math.max(0, 66 - (aa.toString(2).length - bb.toString(2).length)));
  const q = (aa << shift) / bb;
  const sticky = (aa << shift) % bb !== 0n ? 1n : 0n;
  const r = Number(q | sticky) / 2 ** Number(shift);
  if (r === Infinity) throw new PyError('OverflowError', 'integer division result too large for a float');
  return neg ? -r : r;
}

/** CPython float_pow, with `pow` from the given libm. */
export function floatPow(iv: number, iw: number, math: ScalarMath): number {
  if (iw === 0) return 1.0;
  if (iv !== iv) return iv;
  if (iw !== iw) return iv === 1.0 ? 1.0 : iw;
  if (iw === Infinity || iw === -Infinity) {
    const a = Math.abs(iv);
    if (a === 1.0) return 1.0;
    return (a > 1.0) === (iw > 0) ? Infinity : 0.0;
  }
  const iwIsOdd = Number.isInteger(iw) && Math.abs(iw % 2) === 1;
  if (iv === Infinity || iv === -Infinity) {
    if (iw > 0) return iwIsOdd ? iv : Math.abs(iv);
    return iwIsOdd ? (iv < 0 ? -0 : 0) : 0.0;
  }
  if (iv === 0) {
    if (iw < 0) throw new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
    return iwIsOdd ? iv : 0.0;
  }
  let negate = false;
  if (iv < 0) {
    if (iw !== Math.floor(iw)) {
      throw new Refusal('a negative number raised to a fractional power is complex in Python; complex numbers are outside the safe subset');
    }
    iv = -iv;
    negate = iwIsOdd;
  }
  if (iv === 1.0) return negate ? -1.0 : 1.0;
  let ix = math.callPow(iv, iw);
  if (negate) ix = -ix;
  if (ix === Infinity || ix === -Infinity) throw new PyError('OverflowError', "(34, 'Numerical result out of range')");
  return ix;
}

/** Python `a ** b` for numbers. */
export function pyPow(a: PyValue, b: PyValue, math: ScalarMath): PyValue {
  if (!num(a) || !num(b)) throw unsupported('** or pow()', a, b);
  const x = normInt(a);
  const y = normInt(b);
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    if (y >= 0n) {
      const bits = x === 0n || x === 1n || x === -1n ? 0 : (x < 0n ? -x : x).toString(2).length;
      if (bits * Number(y) > 1_000_000) throw new Refusal('an int ** int result would have more than a million bits');
      return x ** y;
    }
    if (x === 0n) throw new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
    return floatPow(intToFloat(x), intToFloat(y), math);
  }
  return floatPow(toFloat(x), toFloat(y), math);
}

/** Python binary arithmetic operator on two values. */
export function binOp(op: string, a: PyValue, b: PyValue, math: ScalarMath): PyValue {
  if (op === '**') return pyPow(a, b, math);
  if (num(a) && num(b)) {
    const x = normInt(a);
    const y = normInt(b);
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      switch (op) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          return bigTrueDiv(x, y);
        case '//':
          return bigFloorDiv(x, y);
        case '%':
          return bigMod(x, y);
        case '<<':
          if (y < 0n) throw new PyError('ValueError', 'negative shift count');
          if (y > 100_000n) throw new Refusal('shift count too large');
          return x << y;
        case '>>':
          if (y < 0n) throw new PyError('ValueError', 'negative shift count');
          return x >> y;
        case '&':
          return x & y;
        case '|':
          return x | y;
        case '^':
          return x ^ y;
      }
    } else {
      const fx = toFloat(x);
      const fy = toFloat(y);
      switch (op) {
        case '+':
          return fx + fy;
        case '-':
          return fx - fy;
        case '*':
          return fx * fy;
        case '/':
          if (fy === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
          return fx / fy;
        case '//':
          return floatFloorDiv(fx, fy);
        case '%':
          return floatMod(fx, fy);
      }
    }
    throw unsupported(op, a, b);
  }
  // Sequences: only what plain data needs.
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (isObj(a) && a.kind === 'tuple' && isObj(b) && b.kind === 'tuple') return tuple([...a.items, ...b.items]);
  }
  if (op === '*') {
    const [seq, n] = num(b) ? [a, b] : [b, a];
    if ((typeof seq === 'string' || Array.isArray(seq) || (isObj(seq) && seq.kind === 'tuple')) && num(n)) {
      const k = normInt(n);
      if (typeof k !== 'bigint') throw new PyError('TypeError', `can't multiply sequence by non-int of type '${typeName(n)}'`);
      const times = k < 0n ? 0 : Number(k);
      if (times * (typeof seq === 'string' ? seq.length : Array.isArray(seq) ? seq.length : (seq as PyTuple).items.length) > 1_000_000) {
        throw new Refusal('sequence repetition too large');
      }
      if (typeof seq === 'string') return seq.repeat(times);
      const items = Array.isArray(seq) ? seq : (seq as PyTuple).items;
      const out: PyValue[] = [];
      for (let i = 0; i < times; i++) out.push(...items);
      return Array.isArray(seq) ? out : tuple(out);
    }
  }
  if (op === '%' && typeof a === 'string') throw new Refusal('`%` string formatting is outside the safe subset');
  throw unsupported(op, a, b);
}

/** Unary `-`, `+`, `~`. */
export function unaryOp(op: string, v: PyValue): PyValue {
  if (!num(v)) throw new PyError('TypeError', `bad operand type for unary ${op}: '${typeName(v)}'`);
  const x = normInt(v);
  switch (op) {
    case '-':
      return typeof x === 'bigint' ? -x : -x;
    case '+':
      return x;
    case '~':
      if (typeof x !== 'bigint') throw new PyError('TypeError', "bad operand type for unary ~: 'float'");
      return ~x;
  }
  throw new Refusal(`unary operator ${op}`);
}

/** Python truthiness. */
export function truthy(v: PyValue): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'number':
      return v !== 0 && v === v ? true : v !== 0; // NaN is truthy
    case 'bigint':
      return v !== 0n;
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v.kind === 'tuple') return v.items.length > 0;
  if (v.kind === 'dict') return v.entries.length > 0;
  if (v.kind === 'unresolved') throw new Refusal(v.reason);
  return true;
}

/** Python `==`. */
export function pyEq(a: PyValue, b: PyValue): boolean {
  if (num(a) && num(b)) {
    const x = normInt(a);
    const y = normInt(b);
    // eslint-disable-next-line eqeqeq
    return x == y; // JS compares bigint and number by exact mathematical value
  }
  if (typeof a === 'string' || typeof b === 'string' || a === null || b === null) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isObj(a) && isObj(b)) {
    if (a.kind === 'tuple' && b.kind === 'tuple') {
      return a.items.length === b.items.length && a.items.every((x, i) => pyEq(x, b.items[i]));
    }
    if (a.kind === 'scheduler' && b.kind === 'scheduler') return a.id === b.id;
  }
  return a === b;
}

/** Python ordering comparison `<`, `<=`, `>`, `>=`. */
export function pyOrder(op: string, a: PyValue, b: PyValue): boolean {
  let c: number;
  if (num(a) && num(b)) {
    const x = normInt(a);
    const y = normInt(b);
    switch (op) {
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      case '>=':
        return x >= y;
    }
  }
  if (typeof a === 'string' && typeof b === 'string') {
    c = a < b ? -1 : a > b ? 1 : 0;
  } else {
    const sa = Array.isArray(a) ? a : isObj(a) && a.kind === 'tuple' ? a.items : undefined;
    const sb = Array.isArray(b) ? b : isObj(b) && b.kind === 'tuple' ? b.items : undefined;
    if (!sa || !sb || Array.isArray(a) !== Array.isArray(b)) {
      throw new PyError('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
    }
    let i = 0;
    while (i < sa.length && i < sb.length && pyEq(sa[i], sb[i])) i++;
    if (i < sa.length && i < sb.length) return pyOrder(op, sa[i], sb[i]);
    c = sa.length - sb.length;
  }
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** `float -> int` as `math.floor` / `int()` do, with Python's errors. */
export function floatToIntChecked(x: number, how: 'floor' | 'ceil' | 'trunc'): bigint {
  if (x !== x) throw new PyError('ValueError', 'cannot convert float NaN to integer');
  if (x === Infinity || x === -Infinity) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
  const r = how === 'floor' ? Math.floor(x) : how === 'ceil' ? Math.ceil(x) : Math.trunc(x);
  return BigInt(r);
}

/** Python's round(x) for floats: round half to even, returns int. */
export function roundHalfEven(x: number): bigint {
  if (x !== x) throw new PyError('ValueError', 'cannot convert float NaN to integer');
  if (x === Infinity || x === -Infinity) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
  const f = Math.floor(x);
  const diff = x - f;
  let r: number;
  if (diff > 0.5) r = f + 1;
  else if (diff < 0.5) r = f;
  else r = f % 2 === 0 ? f : f + 1;
  return BigInt(r);
}

/** Python's round(x, ndigits) for a float: correctly rounded, half to even on exact ties. */
export function roundFloatDigits(x: number, nd: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (nd > 323) return x;
  if (nd < -308) return 0.0 * Math.sign(x);
  if (nd >= 0 && nd <= 100) {
    const exact = Math.abs(x).toFixed(Math.min(100, nd + 60));
    const [ip, fp = ''] = exact.split('.');
    const keep = fp.slice(0, nd);
    const rest = fp.slice(nd);
    let digits = ip + keep;
    const tieOrAbove = rest[0] >= '5';
    const exactTie = rest[0] === '5' && /^5?0*$/.test(rest);
    let roundUp = tieOrAbove;
    if (exactTie) roundUp = (parseInt(digits[digits.length - 1], 10) % 2) === 1;
    if (roundUp) digits = (BigInt(digits) + 1n).toString();
    const s = nd > 0 ? `${digits.slice(0, digits.length - nd) || '0'}.${digits.slice(-nd).padStart(nd, '0')}` : digits;
    const r = parseFloat(s);
    return x < 0 ? -r : r;
  }
  // Negative ndigits: round to a multiple of 10**-nd, half to even.
  const p = 10 ** -nd;
  const y = x / p;
  const r = Number(roundHalfEven(y)) * p;
  if (!Number.isFinite(r)) throw new PyError('OverflowError', 'rounded value too large to represent');
  return r;
}

/** Calls libm for a one-argument math function with CPython's math-module error rules. */
export function mathFn1(fn: LibmFn1, x: number, math: ScalarMath): number {
  if (x !== x) return x;
  switch (fn) {
    case 'cos':
    case 'sin':
      if (x === Infinity || x === -Infinity) throw new PyError('ValueError', 'math domain error');
      return math.call1(fn, x);
    case 'tanh':
      return math.call1(fn, x);
    case 'sqrt':
      if (x < 0) throw new PyError('ValueError', 'math domain error');
      return Math.sqrt(x);
    case 'exp': {
      const r = math.call1(fn, x);
      if (r === Infinity && x !== Infinity) throw new PyError('OverflowError', 'math range error');
      return r;
    }
    case 'log':
    case 'log2':
    case 'log10':
      if (x <= 0) throw new PyError('ValueError', 'math domain error');
      return math.call1(fn, x);
  }
}

/** `math.pow(x, y)` (CPython math_pow: its own special cases and errors, unlike `**`). */
export function mathPow(x: number, y: number, math: ScalarMath): number {
  if (x !== x || y !== y) return x === 1.0 || y === 0 ? 1.0 : NaN;
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    if (x === 1.0 || y === 0) return 1.0;
    return math.callPow(x, y); // C99 Annex F results for infinities; no error
  }
  if (x === 0 && y < 0) throw new PyError('ValueError', 'math domain error');
  if (x < 0 && y !== Math.floor(y)) throw new PyError('ValueError', 'math domain error');
  if (x === 1.0 || y === 0) return 1.0;
  const r = math.callPow(x, y);
  if (!Number.isFinite(r)) throw new PyError('OverflowError', 'math range error');
  return r;
}
