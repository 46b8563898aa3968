/**
 * The safe interpreter: evaluates the small Python subset of pyast.ts with Python's exact
 * semantics (int vs float, floor division and modulo, exact `int ** int`, CPython's float `**`,
 * `max`/`min` first-argument rules, banker's rounding, Python's exceptions).
 *
 * It never calls eval/Function and never guesses: anything outside the subset (imports other
 * than `math`/`functools`, attribute access on unknown objects, calls to unknown functions,
 * loops, comprehensions, …) raises a {@link Refusal} carrying a "not simulated: why" reason.
 * Transcendental functions go through the {@link ScalarMath} of the call context, so a caller can
 * record them and evaluate them in native batches (see tables.ts).
 */
import type { LibmFn1, ScalarMath } from './libm';
import { fallbackLibm } from './libm';
import type { Expr, FunctionDef, Lambda, Module, Param, Stmt } from './pyast';
import {
  binOp,
  CallContext,
  checkResolved,
  floatToIntChecked,
  intToFloat,
  isCallable,
  findVar,
  isObj,
  mathFn1,
  mathPow,
  pyEq,
  PyError,
  PyBuiltin,
  PyCallable,
  PyFunction,
  pyOrder,
  pyRepr,
  pyStr,
  PyValue,
  Refusal,
  roundFloatDigits,
  roundHalfEven,
  Scope,
  toFloat,
  truthy,
  tuple,
  typeName,
  unaryOp,
  unresolved,
} from './pyvalue';

/** Default evaluation budget per top-level call (AST nodes evaluated). */
export const DEFAULT_BUDGET = 200_000;
const MAX_DEPTH = 64;

/** Marker for a local that is declared (assigned somewhere in the body) but not yet bound. */
const UNBOUND: PyValue = { kind: 'unresolved', reason: '\u0000unbound' };

/** Whether `v` is the marker of a local not bound yet (reading it raises UnboundLocalError). */
export function isUnbound(v: PyValue): boolean {
  return v === UNBOUND;
}

export function newContext(math: ScalarMath = fallbackLibm, budget = DEFAULT_BUDGET): CallContext {
  return { math, budget, depth: 0 };
}

function lookup(scope: Scope, id: string): PyValue {
  const v = findVar(scope, id);
  if (v !== undefined) {
    if (v === UNBOUND) {
      throw new PyError('UnboundLocalError', `cannot access local variable '${id}' where it is not associated with a value`);
    }
    return v;
  }
  const b = BUILTINS.get(id);
  if (b !== undefined) return b;
  throw new Refusal(`\`${id}\` cannot be resolved statically`);
}

function tick(ctx: CallContext): void {
  if (--ctx.budget < 0) throw new Refusal('the function takes too many evaluation steps to simulate');
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Evaluates an expression in a scope. Throws PyError (Python exception) or Refusal. */
export function evalExpr(e: Expr, scope: Scope, ctx: CallContext): PyValue {
  tick(ctx);
  switch (e.type) {
    case 'Constant':
      return e.value;
    case 'Name': {
      const v = lookup(scope, e.id);
      checkResolved(v);
      return v;
    }
    case 'Attribute': {
      const base = evalExpr(e.value, scope, ctx);
      return getAttr(base, e.attr, e);
    }
    case 'Subscript': {
      const base = evalExpr(e.value, scope, ctx);
      const idx = evalExpr(e.index, scope, ctx);
      return subscript(base, idx);
    }
    case 'UnaryOp': {
      const v = evalExpr(e.operand, scope, ctx);
      if (e.op === 'not') return !truthy(v);
      return unaryOp(e.op, v);
    }
    case 'BinOp': {
      const l = evalExpr(e.left, scope, ctx);
      const r = evalExpr(e.right, scope, ctx);
      return binOp(e.op, l, r, ctx.math);
    }
    case 'Compare': {
      let left = evalExpr(e.left, scope, ctx);
      for (let i = 0; i < e.ops.length; i++) {
        const right = evalExpr(e.comparators[i], scope, ctx);
        if (!compare(e.ops[i], left, right)) return false;
        left = right;
      }
      return true;
    }
    case 'BoolOp': {
      let v: PyValue = null;
      for (const x of e.values) {
        v = evalExpr(x, scope, ctx);
        if (e.op === 'and' ? !truthy(v) : truthy(v)) return v;
      }
      return v;
    }
    case 'IfExp':
      return truthy(evalExpr(e.test, scope, ctx)) ? evalExpr(e.body, scope, ctx) : evalExpr(e.orelse, scope, ctx);
    case 'Call': {
      const f = evalExpr(e.func, scope, ctx);
      const args = e.args.map((a) => evalExpr(a, scope, ctx));
      const kwargs: Record<string, PyValue> = {};
      for (const k of e.keywords) kwargs[k.arg] = evalExpr(k.value, scope, ctx);
      if (!isCallable(f)) {
        throw new Refusal(`calls \`${describe(e.func)}\`, which is not a function the safe subset knows`);
      }
      return callValue(f, args, kwargs, ctx);
    }
    case 'Lambda':
      return makeFunction(e, '<lambda>', scope, ctx);
    case 'Tuple':
      return tuple(e.elts.map((x) => evalExpr(x, scope, ctx)));
    case 'List':
      return e.elts.map((x) => evalExpr(x, scope, ctx));
    case 'Dict':
      return { kind: 'dict', entries: e.keys.map((k, i) => [evalExpr(k, scope, ctx), evalExpr(e.values[i], scope, ctx)]) };
    case 'Unsupported':
      throw new Refusal(`uses ${e.what}, outside the safe subset`);
  }
}

/** Source-like text of an expression, for messages. */
export function describe(e: Expr): string {
  switch (e.type) {
    case 'Name':
      return e.id;
    case 'Attribute':
      return `${describe(e.value)}.${e.attr}`;
    case 'Call':
      return `${describe(e.func)}(...)`;
    case 'Constant':
      return e.value === null ? 'None' : typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'Subscript':
      return `${describe(e.value)}[...]`;
    default:
      return e.type === 'Unsupported' ? e.what : 'an expression';
  }
}

function compare(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case '==':
      return pyEq(a, b);
    case '!=':
      return !pyEq(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return pyOrder(op, a, b);
    case 'is':
      return a === b || (a === null && b === null);
    case 'is not':
      return !(a === b || (a === null && b === null));
    case 'in':
      return contains(b, a);
    case 'not in':
      return !contains(b, a);
  }
  throw new Refusal(`comparison \`${op}\``);
}

function contains(container: PyValue, item: PyValue): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new PyError('TypeError', `'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isObj(container) && container.kind === 'tuple') return container.items.some((x) => pyEq(x, item));
  if (isObj(container) && container.kind === 'dict') return container.entries.some(([k]) => pyEq(k, item));
  throw new PyError('TypeError', `argument of type '${typeName(container)}' is not iterable`);
}

function subscript(base: PyValue, idx: PyValue): PyValue {
  const seq = Array.isArray(base) ? base : isObj(base) && base.kind === 'tuple' ? base.items : undefined;
  if (seq) {
    if (typeof idx !== 'bigint' && typeof idx !== 'boolean') {
      throw new PyError('TypeError', `${typeName(base)} indices must be integers or slices, not ${typeName(idx)}`);
    }
    let i = Number(typeof idx === 'boolean' ? (idx ? 1n : 0n) : idx);
    if (i < 0) i += seq.length;
    if (i < 0 || i >= seq.length) throw new PyError('IndexError', `${typeName(base)} index out of range`);
    return seq[i];
  }
  if (isObj(base) && base.kind === 'dict') {
    const hit = base.entries.find(([k]) => pyEq(k, idx));
    if (!hit) throw new PyError('KeyError', pyRepr(idx));
    return hit[1];
  }
  if (typeof base === 'string') throw new Refusal('string indexing is outside the safe subset');
  throw new PyError('TypeError', `'${typeName(base)}' object is not subscriptable`);
}

function getAttr(base: PyValue, attr: string, e: Expr & { type: 'Attribute' }): PyValue {
  if (isObj(base) && base.kind === 'module') {
    const mod = MODULES.get(base.name);
    const v = mod?.get(attr);
    if (v === undefined) {
      throw new Refusal(`uses \`${describe(e)}\`, outside the safe subset`);
    }
    return v;
  }
  throw new Refusal(`uses attribute access \`${describe(e)}\` on ${isObj(base) ? base.kind : typeName(base)}, outside the safe subset`);
}

// ---------------------------------------------------------------------------------------------
// Functions

function makeFunction(node: Lambda | FunctionDef, name: string, scope: Scope, ctx: CallContext): PyFunction {
  const defaults = node.params.map((p) => (p.default ? evalExpr(p.default, scope, ctx) : undefined));
  return { kind: 'function', name, node, defaults, closure: scope };
}

function bindParams(
  fname: string,
  params: Param[],
  defaults: (PyValue | undefined)[],
  args: PyValue[],
  kwargs: Record<string, PyValue>,
): Map<string, PyValue> {
  const vars = new Map<string, PyValue>();
  const positional = params.filter((p) => !p.kwOnly);
  if (args.length > positional.length) {
    const n = positional.length;
    throw new PyError(
      'TypeError',
      `${fname}() takes ${n} positional argument${n === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`,
    );
  }
  args.forEach((a, i) => vars.set(positional[i].name, a));
  for (const [k, v] of Object.entries(kwargs)) {
    const p = params.find((q) => q.name === k);
    if (!p) throw new PyError('TypeError', `${fname}() got an unexpected keyword argument '${k}'`);
    if (vars.has(k)) throw new PyError('TypeError', `${fname}() got multiple values for argument '${k}'`);
    vars.set(k, v);
  }
  const missing: string[] = [];
  params.forEach((p, i) => {
    if (vars.has(p.name)) return;
    const d = defaults[i];
    if (d !== undefined) vars.set(p.name, d);
    else missing.push(p.name);
  });
  if (missing.length) {
    const kind = params.find((p) => p.name === missing[0])?.kwOnly ? 'keyword-only' : 'positional';
    const list =
      missing.length === 1
        ? `'${missing[0]}'`
        : `${missing.slice(0, -1).map((m) => `'${m}'`).join(', ')} and '${missing[missing.length - 1]}'`;
    throw new PyError('TypeError', `${fname}() missing ${missing.length} required ${kind} argument${missing.length === 1 ? '' : 's'}: ${list}`);
  }
  return vars;
}

/** Names a function body assigns (Python makes them local to the whole body). */
function assignedNames(body: Stmt[], out: Set<string>): Set<string> {
  for (const s of body) {
    switch (s.type) {
      case 'Assign':
        for (const t of s.targets) targetNames(t, out);
        break;
      case 'AugAssign':
        out.add(s.target.id);
        break;
      case 'If':
        assignedNames(s.body, out);
        assignedNames(s.orelse, out);
        break;
      case 'FunctionDef':
        out.add(s.name);
        break;
      case 'Import':
        out.add(s.asName ?? s.module.split('.')[0]);
        break;
      case 'ImportFrom':
        for (const n of s.names) out.add(n.asName ?? n.name);
        break;
      case 'UnsupportedStmt':
        for (const b of s.binds ?? []) out.add(b);
        break;
    }
  }
  return out;
}

function targetNames(t: Expr, out: Set<string>): void {
  if (t.type === 'Name') out.add(t.id);
  else if (t.type === 'Tuple' || t.type === 'List') for (const x of t.elts) targetNames(x, out);
}

/** Calls any Python callable value. */
export function callValue(f: PyCallable, args: PyValue[], kwargs: Record<string, PyValue>, ctx: CallContext): PyValue {
  if (ctx.depth >= MAX_DEPTH) throw new Refusal('the function recurses too deeply to simulate');
  ctx.depth++;
  try {
    switch (f.kind) {
      case 'builtin':
        return f.call(args, kwargs, ctx);
      case 'partial': {
        // Reuse the partial's own keyword object when the call adds none (the common lr_lambda(epoch) case).
        let kw = f.keywords;
        for (const k in kwargs) {
          kw = { ...f.keywords, ...kwargs };
          break;
        }
        return callValue(f.func, f.args.length ? [...f.args, ...args] : args, kw, ctx);
      }
      case 'function': {
        const fname = f.name;
        const vars = bindParams(fname, f.node.params, f.defaults, args, kwargs);
        if (f.node.type === 'Lambda') {
          return evalExpr(f.node.body, { vars, parent: f.closure }, ctx);
        }
        for (const n of assignedNames(f.node.body, new Set())) if (!vars.has(n)) vars.set(n, UNBOUND);
        const r = execBlock(f.node.body, { vars, parent: f.closure }, ctx);
        return r === undefined ? null : r.value;
      }
    }
  } finally {
    ctx.depth--;
  }
}

// ---------------------------------------------------------------------------------------------
// Statements

interface ReturnSignal {
  value: PyValue;
}

function assignTarget(t: Expr, v: PyValue, scope: Scope): void {
  if (t.type === 'Name') {
    scope.vars.set(t.id, v);
    return;
  }
  if (t.type === 'Tuple' || t.type === 'List') {
    const items = Array.isArray(v) ? v : isObj(v) && v.kind === 'tuple' ? v.items : undefined;
    if (!items) throw new PyError('TypeError', `cannot unpack non-iterable ${typeName(v)} object`);
    if (items.length !== t.elts.length) {
      throw new PyError(
        'ValueError',
        items.length > t.elts.length
          ? `too many values to unpack (expected ${t.elts.length})`
          : `not enough values to unpack (expected ${t.elts.length}, got ${items.length})`,
      );
    }
    t.elts.forEach((x, i) => assignTarget(x, items[i], scope));
    return;
  }
  throw new Refusal(`assigns to \`${describe(t)}\`, outside the safe subset`);
}

/** Executes statements; returns a return signal if a `return` ran. */
export function execBlock(body: Stmt[], scope: Scope, ctx: CallContext): ReturnSignal | undefined {
  for (const s of body) {
    tick(ctx);
    switch (s.type) {
      case 'Return':
        return { value: s.value ? evalExpr(s.value, scope, ctx) : null };
      case 'Assign': {
        const v = evalExpr(s.value, scope, ctx);
        for (const t of s.targets) assignTarget(t, v, scope);
        break;
      }
      case 'AugAssign': {
        const cur = lookup(scope, s.target.id);
        checkResolved(cur);
        scope.vars.set(s.target.id, binOp(s.op, cur, evalExpr(s.value, scope, ctx), ctx.math));
        break;
      }
      case 'If': {
        const r = execBlock(truthy(evalExpr(s.test, scope, ctx)) ? s.body : s.orelse, scope, ctx);
        if (r) return r;
        break;
      }
      case 'Pass':
        break;
      case 'ExprStmt':
        // Docstrings and bare constants are harmless; any other expression statement is
        // evaluated for its errors (there are no side effects in the subset).
        if (s.value.type !== 'Constant') evalExpr(s.value, scope, ctx);
        break;
      case 'Assert':
        if (!truthy(evalExpr(s.test, scope, ctx))) {
          throw new PyError('AssertionError', s.msg ? pyStr(evalExpr(s.msg, scope, ctx)) : '');
        }
        break;
      case 'Raise': {
        if (!s.excType) throw new Refusal('re-raises an exception, outside the safe subset');
        const msg = s.message ? evalExpr(s.message, scope, ctx) : '';
        throw new PyError(s.excType, pyStr(msg));
      }
      case 'FunctionDef':
        scope.vars.set(s.name, makeFunction(s, s.name, scope, ctx));
        break;
      case 'Import':
      case 'ImportFrom':
        bindImport(s, scope);
        break;
      case 'UnsupportedStmt':
        throw new Refusal(`uses ${s.what}, outside the safe subset`);
    }
  }
  return undefined;
}

function bindImport(s: Stmt & { type: 'Import' | 'ImportFrom' }, scope: Scope): void {
  if (s.type === 'Import') {
    const top = s.module.split('.')[0];
    const bound = s.asName ?? top;
    if (MODULES.has(s.module) && (s.asName || s.module === top)) {
      scope.vars.set(bound, { kind: 'module', name: s.module });
    } else {
      scope.vars.set(bound, unresolved(`uses \`${bound}\` (module \`${s.module}\`), outside the safe subset`));
    }
    return;
  }
  const mod = MODULES.get(s.module);
  for (const n of s.names) {
    const bound = n.asName ?? n.name;
    const v = mod?.get(n.name);
    scope.vars.set(
      bound,
      v ?? unresolved(`uses \`${bound}\` (from \`${s.module}\`), outside the safe subset`),
    );
  }
}

/**
 * Evaluates a module (or any top-level block) into a scope, never throwing: a statement that
 * fails or is outside the subset binds the names it assigns to an {@link unresolved} value
 * carrying the reason, so only code that really uses them is refused. Names assigned inside
 * compound statements (if/for/while/with/try) are unresolved too: which value wins is unknown.
 */
/**
 * Evaluation steps a caller allows over many statements (see {@link evalModule}). Running out is
 * not a refusal: {@link MeterExhausted} is thrown, and the caller does something cheaper instead.
 */
export interface Meter {
  left: number;
}

export class MeterExhausted {}

export function evalModule(
  mod: Module | Stmt[],
  parent?: Scope,
  math: ScalarMath = fallbackLibm,
  rewrite?: (s: Stmt, scope: Scope) => Stmt,
  /** Evaluate into this scope (to continue a block evaluated earlier) instead of a new one. */
  into?: Scope,
  /** Charged with the steps of each statement; checked after each one. */
  meter?: Meter,
): Scope {
  const scope: Scope = into ?? { vars: new Map(), parent };
  const body = Array.isArray(mod) ? mod : mod.body;
  for (const s0 of body) {
    // The caller may substitute stated assumptions for unknown quantities, given the bindings so far.
    const s = rewrite ? rewrite(s0, scope) : s0;
    const ctx = newContext(math);
    try {
      switch (s.type) {
        case 'If':
        case 'UnsupportedStmt': {
          const names = assignedNames([s], new Set());
          const conditional = s.type === 'If' || s.what === 'an if statement';
          const why = conditional ? 'is assigned conditionally' : `is assigned in ${s.what}`;
          for (const n of names) scope.vars.set(n, unresolved(`\`${n}\` ${why}; its value is not known statically`));
          if (s.type === 'UnsupportedStmt' && s.mutates) markChanged(s.mutates, scope, s.what, s.line);
          break;
        }
        case 'Return':
        case 'Raise':
        case 'Assert':
        case 'ExprStmt':
          // Top-level calls (`main()`) and checks are not run: only bindings matter here.
          break;
        default:
          execBlock([s], scope, ctx);
      }
    } catch (e) {
      if (!(e instanceof Refusal) && !(e instanceof PyError)) throw e;
      const reason = e instanceof Refusal ? e.reason : `evaluating it raises ${e.message}`;
      for (const n of assignedNames([s], new Set())) scope.vars.set(n, unresolved(`\`${n}\`: ${reason}`));
      // `cfg["lr"] = 0.1`, `cfg.lr = 0.1`: the container is changed, and the change is not followed.
      if (s.type === 'Assign') markChanged(containersAssigned(s.targets), scope, 'an item or attribute assignment');
    }
    if (meter && (meter.left -= DEFAULT_BUDGET - ctx.budget + 1) < 0) throw new MeterExhausted();
  }
  return scope;
}

/** The names whose items or attributes `targets` set (`x` in `x[k] = v`, `x.a.b = v`). */
function containersAssigned(targets: Expr[], out: string[] = []): string[] {
  for (const t of targets) {
    if (t.type === 'Tuple' || t.type === 'List') containersAssigned(t.elts, out);
    else if (t.type === 'Subscript' || t.type === 'Attribute') {
      let x: Expr = t;
      while (x.type === 'Subscript' || x.type === 'Attribute') x = x.value;
      if (x.type === 'Name') out.push(x.id);
    }
  }
  return out;
}

/**
 * A statement that is not run may have changed these names in place: those holding a list or a
 * dict (the values that can change) now refuse when read, rather than give the value from
 * before the change.
 */
function markChanged(names: string[], scope: Scope, what: string, line?: number): void {
  for (const n of names) {
    const v = findVar(scope, n);
    if (v === undefined || !(Array.isArray(v) || (isObj(v) && v.kind === 'dict'))) continue;
    const where = line !== undefined ? ` (line ${line})` : '';
    scope.vars.set(n, { ...unresolved(`\`${n}\` is changed in place by ${what}${where}, which the simulator does not follow`), fileDetermined: true });
  }
}

/** Evaluates one expression against a scope; Python errors and refusals are thrown. */
export function evaluate(e: Expr, scope: Scope, math: ScalarMath = fallbackLibm): PyValue {
  return evalExpr(e, scope, newContext(math));
}

/** Calls a callable with positional arguments (e.g. an lr_lambda with the epoch). */
export function callFunction(f: PyCallable, args: PyValue[], ctx: CallContext): PyValue {
  return callValue(f, args, {}, ctx);
}

// ---------------------------------------------------------------------------------------------
// Builtins and modules

function builtin(name: string, call: PyBuiltin['call']): PyBuiltin {
  return { kind: 'builtin', name, call };
}

function noKwargs(name: string, kwargs: Record<string, PyValue>): void {
  const k = Object.keys(kwargs);
  if (k.length) throw new Refusal(`calls \`${name}\` with keyword \`${k[0]}\`, outside the safe subset`);
}

function arity(name: string, args: PyValue[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const what = min === max ? `exactly ${min} argument${min === 1 ? '' : 's'}` : `${min} to ${max} arguments`;
    throw new PyError('TypeError', `${name}() takes ${what} (${args.length} given)`);
  }
}

function realArg(fname: string, v: PyValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return toFloat(v);
  throw new PyError('TypeError', `must be real number, not ${typeName(v)}`);
}

function iterItems(v: PyValue): PyValue[] {
  if (Array.isArray(v)) return v;
  if (isObj(v) && v.kind === 'tuple') return v.items;
  throw new PyError('TypeError', `'${typeName(v)}' object is not iterable`);
}

function minmax(name: 'max' | 'min', args: PyValue[], kwargs: Record<string, PyValue>): PyValue {
  noKwargs(name, kwargs);
  const items = args.length === 1 ? iterItems(args[0]) : args;
  if (args.length === 0) throw new PyError('TypeError', `${name} expected at least 1 argument, got 0`);
  if (items.length === 0) throw new PyError('ValueError', `${name}() arg is an empty sequence`);
  let best = items[0];
  for (let i = 1; i < items.length; i++) {
    // Python keeps the first of equal items: replace only when strictly better.
    if (pyOrder(name === 'max' ? '>' : '<', items[i], best)) best = items[i];
  }
  return best;
}

function math1(fn: LibmFn1): PyBuiltin {
  return builtin(`math.${fn}`, (args, kwargs, ctx) => {
    noKwargs(`math.${fn}`, kwargs);
    arity(fn, args, 1, 1);
    return mathFn1(fn, realArg(fn, args[0]), ctx.math);
  });
}

function toIntegral(name: string, how: 'floor' | 'ceil' | 'trunc'): PyBuiltin {
  return builtin(name, (args, kwargs) => {
    noKwargs(name, kwargs);
    arity(name.replace('math.', ''), args, 1, 1);
    const v = args[0];
    if (typeof v === 'bigint') return v;
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'number') return floatToIntChecked(v, how);
    throw new PyError('TypeError', `must be real number, not ${typeName(v)}`);
  });
}

const mathLog = builtin('math.log', (args, kwargs, ctx) => {
  noKwargs('math.log', kwargs);
  arity('log', args, 1, 2);
  const num = mathFn1('log', realArg('log', args[0]), ctx.math);
  if (args.length === 1) return num;
  const den = mathFn1('log', realArg('log', args[1]), ctx.math);
  if (den === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
  return num / den;
});

const MATH = new Map<string, PyValue>([
  ['pi', Math.PI],
  ['e', Math.E],
  ['tau', 2 * Math.PI],
  ['inf', Infinity],
  ['nan', NaN],
  ['cos', math1('cos')],
  ['sin', math1('sin')],
  ['tanh', math1('tanh')],
  ['exp', math1('exp')],
  ['sqrt', math1('sqrt')],
  ['log2', math1('log2')],
  ['log10', math1('log10')],
  ['log', mathLog],
  [
    'pow',
    builtin('math.pow', (args, kwargs, ctx) => {
      noKwargs('math.pow', kwargs);
      arity('pow', args, 2, 2);
      return mathPow(realArg('pow', args[0]), realArg('pow', args[1]), ctx.math);
    }),
  ],
  ['floor', toIntegral('math.floor', 'floor')],
  ['ceil', toIntegral('math.ceil', 'ceil')],
  ['trunc', toIntegral('math.trunc', 'trunc')],
  [
    'fabs',
    builtin('math.fabs', (args, kwargs) => {
      noKwargs('math.fabs', kwargs);
      arity('fabs', args, 1, 1);
      return Math.abs(realArg('fabs', args[0]));
    }),
  ],
]);

const partial = builtin('functools.partial', (args, kwargs) => {
  if (args.length === 0) throw new PyError('TypeError', "partial() missing required argument 'func'");
  const f = args[0];
  if (!isCallable(f)) throw new PyError('TypeError', 'the first argument must be callable');
  return { kind: 'partial', func: f, args: args.slice(1), keywords: { ...kwargs } };
});

const MODULES = new Map<string, Map<string, PyValue>>([
  ['math', MATH],
  ['functools', new Map<string, PyValue>([['partial', partial]])],
]);

const BUILTINS = new Map<string, PyValue>([
  ['max', builtin('max', (a, k) => minmax('max', a, k))],
  ['min', builtin('min', (a, k) => minmax('min', a, k))],
  [
    'abs',
    builtin('abs', (args, kwargs) => {
      noKwargs('abs', kwargs);
      arity('abs', args, 1, 1);
      const v = args[0];
      if (typeof v === 'number') return Math.abs(v);
      if (typeof v === 'bigint') return v < 0n ? -v : v;
      if (typeof v === 'boolean') return v ? 1n : 0n;
      throw new PyError('TypeError', `bad operand type for abs(): '${typeName(v)}'`);
    }),
  ],
  [
    'float',
    builtin('float', (args, kwargs) => {
      noKwargs('float', kwargs);
      if (args.length === 0) return 0.0;
      arity('float', args, 0, 1);
      const v = args[0];
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return toFloat(v);
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase().replace(/_/g, '');
        if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
        if (/^[+-]?nan$/.test(s)) return NaN;
        if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return parseFloat(s);
        throw new PyError('ValueError', `could not convert string to float: ${pyRepr(v)}`);
      }
      throw new PyError('TypeError', `float() argument must be a string or a real number, not '${typeName(v)}'`);
    }),
  ],
  [
    'int',
    builtin('int', (args, kwargs) => {
      noKwargs('int', kwargs);
      if (args.length === 0) return 0n;
      arity('int', args, 0, 1);
      const v = args[0];
      if (typeof v === 'bigint') return v;
      if (typeof v === 'boolean') return v ? 1n : 0n;
      if (typeof v === 'number') return floatToIntChecked(v, 'trunc');
      if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v.replace(/_/g, ''))) return BigInt(v.trim().replace(/_/g, ''));
      if (typeof v === 'string') throw new PyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(v)}`);
      throw new PyError('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
    }),
  ],
  [
    'round',
    builtin('round', (args, kwargs) => {
      const a = [...args];
      if ('ndigits' in kwargs) a.push(kwargs.ndigits);
      arity('round', a, 1, 2);
      const v = a[0];
      const nd = a.length === 2 && a[1] !== null ? a[1] : undefined;
      if (nd === undefined) {
        if (typeof v === 'number') return roundHalfEven(v);
        if (typeof v === 'bigint') return v;
        if (typeof v === 'boolean') return v ? 1n : 0n;
        throw new PyError('TypeError', `type ${typeName(v)} doesn't define __round__ method`);
      }
      if (typeof nd !== 'bigint') throw new PyError('TypeError', `'${typeName(nd)}' object cannot be interpreted as an integer`);
      if (typeof v === 'number') return roundFloatDigits(v, Number(nd));
      if (typeof v === 'bigint') {
        if (nd >= 0n) return v;
        const p = 10n ** -nd;
        const q = v / p;
        let r = v - q * p;
        let res = q;
        if (r < 0n) r = -r;
        const twice = 2n * r;
        if (twice > p || (twice === p && q % 2n !== 0n)) res += v < 0n ? -1n : 1n;
        return res * p;
      }
      throw new PyError('TypeError', `type ${typeName(v)} doesn't define __round__ method`);
    }),
  ],
  [
    'bool',
    builtin('bool', (args, kwargs) => {
      noKwargs('bool', kwargs);
      arity('bool', args, 0, 1);
      return args.length ? truthy(args[0]) : false;
    }),
  ],
  [
    'pow',
    builtin('pow', (args, kwargs, ctx) => {
      noKwargs('pow', kwargs);
      if (args.length !== 2) throw new Refusal('`pow` with a modulus is outside the safe subset');
      return binOp('**', args[0], args[1], ctx.math);
    }),
  ],
  [
    'len',
    builtin('len', (args, kwargs) => {
      noKwargs('len', kwargs);
      arity('len', args, 1, 1);
      const v = args[0];
      if (typeof v === 'string') return BigInt(v.length);
      if (isObj(v) && v.kind === 'dict') return BigInt(v.entries.length);
      return BigInt(iterItems(v).length);
    }),
  ],
]);

/** A scope with nothing but the builtins: the root for module evaluation. */
export function emptyScope(): Scope {
  return { vars: new Map() };
}

/** Makes a builtin function value (used for the Hugging Face lambdas). */
export function makeBuiltin(name: string, call: PyBuiltin['call']): PyBuiltin {
  return builtin(name, call);
}

export { intToFloat };
