/**
 * Unknown quantities of a training script (`args.epochs`, `len(train_loader)`, a config value, a
 * function parameter) resolved for the simulator: from the file where it fixes them (a literal,
 * arithmetic over literals, the argument of the function's one call site, an argparse default),
 * else from values the caller passes by name, else from documented defaults. Every value that
 * did not come from the file's own arithmetic is recorded, so the output can list it.
 *
 * The mechanism: before a statement (or a scheduler argument) is evaluated by the safe
 * interpreter, each sub-expression that cannot be evaluated and names a quantity is replaced by
 * a constant. A quantity with no value at all is replaced by a name bound to an unresolved value
 * whose reason says which assumption would resolve it.
 */
import type { SyntaxNode } from '../parsing';
import { lazyFunctionDef, type Expr, type Param, type Stmt } from './pyast';
import { evalExpr, evalModule, isUnbound, newContext, type Meter } from './pyeval';
import { bindingsFromSyntax, exprFromSyntax, namedChildrenOf, paramsFromSyntax, valueFromSyntax } from './from-syntax';
import { readNames } from './free-names';
import { someWord } from '../text';
import { findVar, isObj, PyError, PyValue, Refusal, Scope, unresolved } from './pyvalue';

/** Epochs assumed when neither the file nor the caller says (`--assume epochs=...`). */
export const DEFAULT_EPOCHS = 10;
/** Optimizer steps per epoch assumed for `len(train_loader)` and the like. */
export const DEFAULT_STEPS_PER_EPOCH = 100;

export interface AssumedValue {
  value: number | string;
  /** Where it came from: "--assume", "argparse default of --epochs", "default", ... */
  source: string;
}

const EPOCHS = /^(?:num_|n_|nb_|max_|total_)?(?:train_|training_)?epochs?$/i;
const STEPS_PER_EPOCH =
  /^(?:steps_per_epoch|(?:num_|n_)?(?:steps|iters|iterations|batches|updates|update_steps|train_steps|training_steps)_per_epoch|len_(?:train_|training_)?(?:loader|dataloader|dl|data_loader))$/i;
const TOTAL_STEPS = /^(?:t_total|num_steps|(?:num_|n_|max_|total_)?(?:training_|train_|total_|optimization_)?(?:steps|iters|iterations|updates))$/i;
const WARMUP_STEPS = /^(?:num_|n_)?warmup(?:_steps|_iters|_iterations|_updates)?$/i;
const WARMUP_EPOCHS = /^(?:num_|n_)?warmup_epochs?$/i;
const WARMUP_RATIO = /^warmup_(?:ratio|proportion|pct|frac|fraction)$/i;
/**
 * Words that make a key a float even when written as a whole number (`--assume lr=1`). Matched as
 * whole words of the key (`max_lr`, `learningRate`), never as substrings: `steps_per_epoch`
 * contains "eps" and is an int.
 */
const FLOAT_WORDS = new Set(['lr', 'rate', 'ratio', 'factor', 'gamma', 'momentum', 'decay', 'eta', 'beta', 'beta1', 'beta2', 'eps', 'epsilon', 'pct', 'power', 'proportion', 'frac', 'fraction', 'scale']);

function isFloatKey(key: string): boolean {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => FLOAT_WORDS.has(word));
}
/** Names that are not quantities: no assumption is suggested for them. */
const NOT_A_QUANTITY = /lambda|_fn$|func|sched|optim|model|loader|dataset|module|net$|criterion|device/i;
/** Iterables whose `len()` is the number of batches per epoch. */
const LOADER = /(loader|dataloader|\bdl\b|_dl\b|batches|data_iter|train_iter|iterator)/i;

interface ArgparseDefault {
  value: PyValue;
  flag: string;
}

function toPy(key: string, v: number): PyValue {
  return Number.isInteger(v) && !isFloatKey(key) && Math.abs(v) < 2 ** 53 ? BigInt(v) : v;
}

function shown(v: PyValue): number | string | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  return undefined;
}

/** The values a simulation may assume, and the record of those it used. */
export class Assumptions {
  /** Every assumption used, by key, in first-use order. */
  readonly used = new Map<string, AssumedValue>();
  /** Keys that were needed and had no value. */
  readonly missing = new Map<string, string>();

  private argparseMap?: Map<string, ArgparseDefault>;

  constructor(
    private readonly given: Record<string, number> = {},
    /** The file's argparse defaults, read when first needed. */
    private readonly argparseOf: () => Map<string, ArgparseDefault> = () => new Map(),
    /** When false nothing is assumed: only what the file itself fixes resolves. */
    readonly enabled = true,
  ) {}

  private get argparse(): Map<string, ArgparseDefault> {
    if (!this.argparseMap) this.argparseMap = this.argparseOf();
    return this.argparseMap;
  }

  private note(key: string, value: PyValue, source: string): PyValue {
    const s = shown(value);
    if (s !== undefined && !this.used.has(key)) this.used.set(key, { value: s, source });
    return value;
  }

  /** The value of a quantity by name; `fileDefault` is a fallback written in the file (`cfg.get('epochs', 10)`). */
  valueFor(key: string, fileDefault?: PyValue): PyValue | undefined {
    if (!this.enabled) return undefined;
    if (Object.prototype.hasOwnProperty.call(this.given, key) && Number.isFinite(this.given[key])) {
      return this.note(key, toPy(key, this.given[key]), '--assume');
    }
    const ap = this.argparse.get(key);
    if (ap && ap.value !== null && !isObj(ap.value)) return this.note(key, ap.value, `argparse default of ${ap.flag}`);
    if (fileDefault !== undefined) return this.note(key, fileDefault, 'the default written in the file');
    const d = this.defaultFor(key);
    if (d) return this.note(key, d.value, d.source);
    return undefined;
  }

  /** Number of epochs / steps per epoch as the caller or the defaults give them (not recorded). */
  private base(key: 'epochs' | 'steps_per_epoch'): number {
    const g = this.given[key];
    if (Number.isFinite(g) && g > 0) return Math.round(g);
    const ap = this.argparse.get(key)?.value;
    if (typeof ap === 'bigint' && ap > 0n) return Number(ap);
    return key === 'epochs' ? DEFAULT_EPOCHS : DEFAULT_STEPS_PER_EPOCH;
  }

  private defaultFor(key: string): { value: PyValue; source: string } | undefined {
    if (EPOCHS.test(key)) return { value: BigInt(DEFAULT_EPOCHS), source: 'default' };
    if (STEPS_PER_EPOCH.test(key)) return { value: BigInt(DEFAULT_STEPS_PER_EPOCH), source: 'default' };
    if (WARMUP_EPOCHS.test(key)) return { value: 1n, source: 'default' };
    if (WARMUP_RATIO.test(key)) return { value: 0.1, source: 'default' };
    const e = this.base('epochs');
    const spe = this.base('steps_per_epoch');
    if (WARMUP_STEPS.test(key)) return { value: BigInt(Math.round((e * spe) / 10)), source: `default: a tenth of ${e} epochs x ${spe} steps` };
    if (TOTAL_STEPS.test(key)) return { value: BigInt(e * spe), source: `default: ${e} epochs x ${spe} steps per epoch` };
    return undefined;
  }
}

/** The deepest node whose range holds `index` (a descent, not a walk over the whole tree). */
function nodeAt(root: SyntaxNode, index: number): SyntaxNode {
  let cur = root;
  for (let depth = 0; depth < 200; depth++) {
    const next = cur.children.find((c) => c.startIndex <= index && index < c.endIndex);
    if (!next) break;
    cur = next;
  }
  return cur;
}

/**
 * The call nodes whose text a regex finds (`\.add_argument\s*\(`, `\bmain\s*\(`): the callee
 * text is matched on the file's text, then the tree is descended at each match.
 */
export function callsMatching(root: SyntaxNode, re: RegExp, accept: (call: SyntaxNode) => boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const text = root.text;
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  for (let m = g.exec(text); m; m = g.exec(text)) {
    for (let n: SyntaxNode | null = nodeAt(root, m.index); n; n = n.parent) {
      if (n.type === 'call') {
        if (accept(n) && !out.some((o) => o.startIndex === n!.startIndex)) out.push(n);
        break;
      }
      if (n.type.endsWith('statement') || n.type === 'block') break;
    }
    if (m[0].length === 0) g.lastIndex++;
  }
  return out;
}

/** `parser.add_argument("--num-epochs", type=int, default=2)`: dest -> default, for the whole file. */
export function argparseDefaults(root: SyntaxNode): Map<string, ArgparseDefault> {
  const out = new Map<string, ArgparseDefault>();
  if (!root.text.includes('add_argument')) return out;
  const empty: Scope = { vars: new Map() };
  const isAddArgument = (call: SyntaxNode) => {
    const fn = call.childForFieldName('function');
    return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'add_argument';
  };
  for (const call of callsMatching(root, /\badd_argument\s*\(/, isAddArgument)) {
    const args = call.childForFieldName('arguments');
    if (!args) continue;
    const flags: string[] = [];
    let dest: string | undefined;
    let def: SyntaxNode | undefined;
    let type: string | undefined;
    for (const a of args.namedChildren) {
      if (a.type === 'string') flags.push(a.text.replace(/^[a-zA-Z]*['"]+|['"]+$/g, ''));
      else if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name')?.text;
        const v = a.childForFieldName('value');
        if (!v) continue;
        if (k === 'dest') dest = v.text.replace(/^['"]|['"]$/g, '');
        else if (k === 'default') def = v;
        else if (k === 'type') type = v.text;
      }
    }
    if (!def) continue;
    const long = flags.find((f) => f.startsWith('--')) ?? flags.find((f) => !f.startsWith('-')) ?? flags[0];
    if (!long) continue;
    const name = dest ?? long.replace(/^-+/, '').replace(/-/g, '_');
    let value = valueFromSyntax(def, empty);
    if (type === 'float' && typeof value === 'bigint') value = Number(value);
    if (type === 'int' && typeof value === 'number' && Number.isInteger(value)) value = BigInt(value);
    if (!out.has(name)) out.set(name, { value, flag: long });
  }
  return out;
}

/** Source-like text of an expression, for messages. */
function textOf(e: Expr): string {
  switch (e.type) {
    case 'Name':
      return e.id;
    case 'Attribute':
      return `${textOf(e.value)}.${e.attr}`;
    case 'Subscript':
      return `${textOf(e.value)}[${e.index.type === 'Constant' && typeof e.index.value === 'string' ? JSON.stringify(e.index.value) : '...'}]`;
    case 'Call':
      return `${textOf(e.func)}(${e.args.map(textOf).join(', ')})`;
    case 'Constant':
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    default:
      return '...';
  }
}

function lastName(e: Expr): string | undefined {
  if (e.type === 'Name') return e.id;
  if (e.type === 'Attribute') return e.attr;
  if (e.type === 'Call') return lastName(e.func);
  if (e.type === 'Subscript') return lastName(e.value);
  return undefined;
}

/** `name` holds a value the file fixes in a way the interpreter cannot follow (see Unresolved). */
function fileDetermined(scope: Scope, name: string): boolean {
  const v = findVar(scope, name);
  return v !== undefined && isObj(v) && v.kind === 'unresolved' && v.fileDetermined === true;
}

function rootName(e: Expr): string | undefined {
  if (e.type === 'Name') return e.id;
  if (e.type === 'Attribute' || e.type === 'Subscript') return rootName(e.value);
  return undefined;
}

/** The quantity an expression names: `args.epochs` -> epochs, `len(train_loader)` -> steps_per_epoch. */
export function quantityKey(e: Expr): { key: string; fileDefault?: PyValue } | undefined {
  switch (e.type) {
    case 'Name':
      return { key: e.id };
    case 'Attribute':
      return { key: e.attr };
    case 'Subscript':
      return e.index.type === 'Constant' && typeof e.index.value === 'string' ? { key: e.index.value } : undefined;
    case 'Call': {
      if (e.func.type === 'Name' && e.func.id === 'len' && e.args.length === 1 && !e.keywords.length) {
        const inner = textOf(e.args[0]);
        if (LOADER.test(inner)) return { key: 'steps_per_epoch' };
        const n = lastName(e.args[0]);
        return n ? { key: `len_${n}` } : undefined;
      }
      // `cfg.get("epochs", 10)`
      if (e.func.type === 'Attribute' && e.func.attr === 'get' && e.args[0]?.type === 'Constant' && typeof e.args[0].value === 'string') {
        const d = e.args[1]?.type === 'Constant' ? e.args[1].value : undefined;
        return { key: e.args[0].value, fileDefault: d === null ? undefined : d };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

let holeCounter = 0;

/**
 * Which assumptions a binding depends on. `force` completes `keys` first: a def's body is
 * rewritten only when the def is used (most defs, `main()` among them, never are).
 */
export interface Taint {
  keys: TaintSet;
  force?: () => void;
}

/**
 * Assumption names, and taints still to expand (a def whose body has not been rewritten): the
 * cost of a def's body is paid only if a value that reaches the simulation depends on it.
 */
export type TaintSet = Set<string | Taint>;

/**
 * A scope's variable map with the taints of its bindings. Kept on the map itself rather than in a
 * WeakMap keyed by it: V8's young-generation collections keep a WeakMap's values alive, and
 * through the taints' closures each file's scopes and trees survived them.
 */
type TaintedVars = Map<string, PyValue> & { taints?: Map<string, Taint> };

function taintOf(scope: Scope, name: string): Taint | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (s.vars.has(name)) return (s.vars as TaintedVars).taints?.get(name);
  }
  return undefined;
}

function addTaint(acc: TaintSet, t: Taint | undefined): void {
  if (!t) return;
  if (t.force) acc.add(t);
  else for (const k of t.keys) acc.add(k);
}

/** The assumption names a taint set stands for (rewriting the defs it still refers to). */
export function expandTaint(items: TaintSet, out = new Set<string>(), seen = new Set<Taint>()): Set<string> {
  for (const item of items) {
    if (typeof item === 'string') {
      out.add(item);
      continue;
    }
    if (seen.has(item)) continue;
    seen.add(item);
    if (item.force) {
      const f = item.force;
      item.force = undefined;
      f();
    }
    expandTaint(item.keys, out, seen);
  }
  return out;
}

/** Records that `name` (bound in `scope`) depends on the assumptions in `keys` (kept by reference). */
export function setTaint(scope: Scope, name: string, keys: TaintSet, force?: () => void): void {
  const vars = scope.vars as TaintedVars;
  let m = vars.taints;
  if (!m) vars.taints = m = new Map();
  if (keys.size || force) m.set(name, { keys, force });
  else m.delete(name);
}

/**
 * Rewrites expressions and statements so that unknown quantities become assumed constants.
 * `scope` is where the code runs; names in `locals` (lambda/def parameters and locals) are
 * never replaced. Every assumption the rewritten code depends on (substituted here, or carried
 * by a name it reads) is added to `acc`.
 */
export class Substituter {
  constructor(readonly assumptions: Assumptions) {}

  /** Whether `e` evaluates in `scope`; `root` is its root name (see rootName). */
  private evaluates(e: Expr, scope: Scope, root: string | undefined): boolean {
    // `args.lr` with `args` unresolved, the most common case, is refused without evaluating it:
    // evaluation would look the root up first and throw, which costs more than the lookup.
    if (root !== undefined) {
      const v = findVar(scope, root);
      if (v !== undefined && isObj(v) && v.kind === 'unresolved' && !isUnbound(v)) return false;
    }
    try {
      evalExpr(e, scope, newContext());
      return true;
    } catch (err) {
      if (err instanceof Refusal) return false;
      if (err instanceof PyError) return true; // a Python error is the program's own: keep it
      throw err;
    }
  }

  private hole(e: Expr, key: string, scope: Scope): Expr {
    if (NOT_A_QUANTITY.test(key)) return e;
    const text = textOf(e);
    const name = `\u0000assume:${++holeCounter}`;
    this.assumptions.missing.set(key, text);
    scope.vars.set(name, unresolved(`\`${text}\` is not known statically (assume a value for \`${key}\`, e.g. --assume ${key}=...)`));
    return { type: 'Name', id: name, loc: e.loc };
  }

  private readNames(e: Expr, scope: Scope, locals: Set<string>, acc: TaintSet): void {
    const r = rootName(e);
    if (r === undefined || locals.has(r)) return;
    addTaint(acc, taintOf(scope, r));
  }

  private tryAssume(e: Expr, scope: Scope, locals: Set<string>, acc: TaintSet): Expr {
    const r = rootName(e);
    if (r !== undefined && locals.has(r)) return e;
    if (this.evaluates(e, scope, r)) {
      this.readNames(e, scope, locals, acc);
      if (e.type === 'Call') for (const a of e.args) this.expr(a, scope, locals, acc);
      return e;
    }
    const q = quantityKey(e);
    if (!q || (r !== undefined && fileDetermined(scope, r))) return e;
    const v = this.assumptions.valueFor(q.key, q.fileDefault);
    if (v === undefined) return this.hole(e, q.key, scope);
    acc.add(q.key);
    return { type: 'Constant', value: v as number | bigint | boolean | string, loc: e.loc };
  }

  expr(e: Expr, scope: Scope, locals: Set<string> = new Set(), acc: TaintSet = new Set()): Expr {
    const rw = (x: Expr) => this.expr(x, scope, locals, acc);
    // A node whose parts come back unchanged is returned as is (most code has nothing to assume).
    switch (e.type) {
      case 'Name':
        return locals.has(e.id) ? e : this.tryAssume(e, scope, locals, acc);
      case 'Attribute':
        return this.tryAssume(e, scope, locals, acc);
      case 'Subscript': {
        if (e.index.type === 'Constant' && typeof e.index.value === 'string') return this.tryAssume(e, scope, locals, acc);
        const value = rw(e.value);
        const index = rw(e.index);
        return value === e.value && index === e.index ? e : { ...e, value, index };
      }
      case 'Call': {
        if (quantityKey(e)) {
          const out = this.tryAssume(e, scope, locals, acc);
          if (out !== e) return out;
        }
        this.readNames(e.func, scope, locals, acc);
        const args = mapSame(e.args, rw);
        let keywords = e.keywords;
        for (let i = 0; i < e.keywords.length; i++) {
          const k = e.keywords[i];
          const value = rw(k.value);
          if (value === k.value) continue;
          if (keywords === e.keywords) keywords = e.keywords.slice();
          keywords[i] = { arg: k.arg, value };
        }
        return args === e.args && keywords === e.keywords ? e : { ...e, args, keywords };
      }
      case 'UnaryOp': {
        const operand = rw(e.operand);
        return operand === e.operand ? e : { ...e, operand };
      }
      case 'BinOp': {
        const left = rw(e.left);
        const right = rw(e.right);
        return left === e.left && right === e.right ? e : { ...e, left, right };
      }
      case 'Compare': {
        const left = rw(e.left);
        const comparators = mapSame(e.comparators, rw);
        return left === e.left && comparators === e.comparators ? e : { ...e, left, comparators };
      }
      case 'BoolOp': {
        const values = mapSame(e.values, rw);
        return values === e.values ? e : { ...e, values };
      }
      case 'IfExp': {
        const test = rw(e.test);
        const body = rw(e.body);
        const orelse = rw(e.orelse);
        return test === e.test && body === e.body && orelse === e.orelse ? e : { ...e, test, body, orelse };
      }
      case 'Tuple':
      case 'List': {
        const elts = mapSame(e.elts, rw);
        return elts === e.elts ? e : { ...e, elts };
      }
      case 'Dict': {
        const keys = mapSame(e.keys, rw);
        const values = mapSame(e.values, rw);
        return keys === e.keys && values === e.values ? e : { ...e, keys, values };
      }
      case 'Lambda': {
        const inner = new Set([...locals, ...e.params.map((p) => p.name)]);
        const params = this.params(e.params, scope, locals, acc);
        const body = this.expr(e.body, scope, inner, acc);
        return params === e.params && body === e.body ? e : { ...e, params, body };
      }
      default:
        return e;
    }
  }

  private params(ps: Param[], scope: Scope, locals: Set<string>, acc: TaintSet): Param[] {
    return mapSame(ps, (p) => {
      if (!p.default) return p;
      const d = this.expr(p.default, scope, locals, acc);
      return d === p.default ? p : { ...p, default: d };
    });
  }

  /** Rewrites a statement; names it binds at this level are tainted with what it depends on. */
  stmt(s: Stmt, scope: Scope, locals: Set<string> = new Set(), acc: TaintSet = new Set()): Stmt {
    const out = this.stmtInner(s, scope, locals, acc);
    // A def's taint includes what its (lazily rewritten) body reads: reading the taint forces it.
    const force = out.type === 'FunctionDef' ? () => void out.body : undefined;
    if (!locals.size) for (const n of assigned([s])) setTaint(scope, n, acc, force);
    return out;
  }

  private stmtInner(s: Stmt, scope: Scope, locals: Set<string>, acc: TaintSet): Stmt {
    const rw = (x: Expr) => this.expr(x, scope, locals, acc);
    switch (s.type) {
      case 'Assign':
        return { ...s, value: rw(s.value) };
      case 'AugAssign': {
        addTaint(acc, taintOf(scope, s.target.id));
        return { ...s, value: rw(s.value) };
      }
      case 'Return':
        return s.value ? { ...s, value: rw(s.value) } : s;
      case 'If':
        return { ...s, test: rw(s.test), body: s.body.map((b) => this.stmtInner(b, scope, locals, acc)), orelse: s.orelse.map((b) => this.stmtInner(b, scope, locals, acc)) };
      case 'FunctionDef': {
        const params = this.params(s.params, scope, locals, acc);
        // The body is converted and rewritten only if the def is called or its taint is read.
        return lazyFunctionDef({ type: 'FunctionDef', name: s.name, params, loc: s.loc }, () => {
          const inner = new Set([...locals, ...s.params.map((p) => p.name), ...assigned(s.body)]);
          return s.body.map((b) => this.stmtInner(b, scope, inner, acc));
        });
      }
      default:
        return s;
    }
  }
}

/** `items.map(fn)`, or `items` itself when `fn` returns every item unchanged. */
function mapSame<T>(items: T[], fn: (x: T) => T): T[] {
  let out: T[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const y = fn(items[i]);
    if (out) out.push(y);
    else if (y !== items[i]) {
      out = items.slice(0, i);
      out.push(y);
    }
  }
  return out ?? items;
}

/** Names a function body binds (they are its locals). */
function assigned(body: Stmt[], out = new Set<string>()): Set<string> {
  const target = (t: Expr) => {
    if (t.type === 'Name') out.add(t.id);
    else if (t.type === 'Tuple' || t.type === 'List') t.elts.forEach(target);
  };
  for (const s of body) {
    if (s.type === 'Assign') s.targets.forEach(target);
    else if (s.type === 'AugAssign') out.add(s.target.id);
    else if (s.type === 'If') {
      assigned(s.body, out);
      assigned(s.orelse, out);
    } else if (s.type === 'FunctionDef') out.add(s.name);
    else if (s.type === 'UnsupportedStmt') for (const b of s.binds ?? []) out.add(b);
  }
  return out;
}

/** Statements whose reads do not matter to the scopes they bind names in (see `focus`). */
const UNEVALUATED_STATEMENTS = new Set(['class_definition', 'if_statement', 'for_statement', 'while_statement', 'with_statement', 'try_statement', 'match_statement']);

/**
 * Scopes and argument values of one file under one set of assumptions, cached: the module is
 * evaluated once, and an enclosing function's parameters come from its call site when the file
 * calls it (the first call, when there are several).
 */
export class FileResolver {
  readonly substituter: Substituter;
  private moduleScope?: Scope;
  /** Per function: its scope so far and how many body statements it has evaluated. */
  private readonly fnStates = new Map<number, { outer: Scope; inner: Scope; done: number }>();
  private readonly callSites = new Map<string, SyntaxNode | null>();
  private readonly binding = new Set<number>();
  // A field, not assigned in the constructor: V8 kept the closure assigned there (and through
  // it the file's tree) alive across young-generation collections.
  private readonly rewrite = (s: Stmt, scope: Scope): Stmt => this.substituter.stmt(s, scope);
  /** Taints of the parameters just bound, applied to the function's scope. */
  private pendingTaints?: Map<string, TaintSet>;

  constructor(
    readonly root: SyntaxNode,
    readonly assumptions: Assumptions,
    /** Steps the scopes may take in all; past them evaluation throws MeterExhausted. */
    private readonly meter?: Meter,
  ) {
    this.substituter = new Substituter(assumptions);
  }

  /** The module's bindings as code at module level sees them: the statements before `at`, evaluated incrementally. */
  private modulePrefix(at: SyntaxNode): Scope {
    const body = namedChildrenOf(this.root);
    const k = statementsBefore(body, at);
    // Nothing from `at` on binds or changes a name (`if __name__ == "__main__": main()`): the
    // whole module's bindings are the same, and that scope is shared with the code in functions.
    if (body.slice(k).every((st) => statementBinds(st, this.bindsCache).length === 0)) return this.module();
    let st = this.prefixState;
    if (!st || st.done > k) st = this.prefixState = { scope: { vars: new Map() }, done: 0 };
    this.continueBlock(body, k, st.scope, st);
    return st.scope;
  }

  /** Evaluates `body`'s statements from `state.done` up to `k` into `scope` (a block evaluated so far). */
  private continueBlock(body: SyntaxNode[], k: number, scope: Scope, state: { done: number }): void {
    if (state.done >= k) return;
    evalModule(bindingsFromSyntax(body.slice(state.done, k), this.keep), undefined, undefined, this.rewrite, scope, this.meter);
    state.done = k;
  }

  private prefixState?: { scope: Scope; done: number };

  private module(): Scope {
    if (!this.moduleScope) this.moduleScope = evalModule(bindingsFromSyntax(namedChildrenOf(this.root), this.keep), undefined, undefined, this.rewrite, undefined, this.meter);
    return this.moduleScope;
  }

  /** Names the evaluation may read (undefined: any); statements binding none of them are skipped. */
  private needed?: Set<string>;
  private readonly bindsCache = new Map<number, string[]>();
  private readonly keep = (n: SyntaxNode): boolean => {
    const needed = this.needed;
    if (!needed) return true;
    return statementBinds(n, this.bindsCache).some((b) => needed.has(b));
  };

  /**
   * Restricts evaluation to what the code at `nodes` can read: the names they read (free-names.ts), the
   * names in the statements that bind those (transitively), and the call sites of the functions
   * around them (whose arguments become parameters). Everything else in the file is never
   * converted, which matters on large scripts. Call before any scope is built.
   */
  focus(nodes: SyntaxNode[]): void {
    const needed = new Set<string>();
    const queue: string[] = [];
    const need = (w: string) => {
      if (needed.has(w)) return;
      needed.add(w);
      queue.push(w);
    };
    const seen = new Set<number>();
    const anchors: SyntaxNode[] = [];
    // `reads`: what of `n` is evaluated (a call site's arguments, not the function it calls).
    const addNode = (n: SyntaxNode, reads: SyntaxNode | null = n) => {
      if (seen.has(n.startIndex)) return;
      seen.add(n.startIndex);
      anchors.push(n);
      if (reads) readNames(reads, need);
      for (let p = n.parent; p; p = p.parent) {
        if (p.type !== 'function_definition') continue;
        const fname = p.childForFieldName('name')?.text;
        if (!fname) continue;
        const site = this.callSite(fname, p);
        if (site) addNode(site, site.childForFieldName('arguments'));
      }
    };
    const binds = (st: SyntaxNode) => statementBinds(st, this.bindsCache);
    for (const n of nodes) addNode(n);
    // A statement can only bind a name it mentions, so statements are indexed by the words of
    // their text (definitions, whose text is a whole body, by the names they bind), and a
    // statement is looked at only when one of its words becomes needed: a worklist to the same
    // fixed point as re-scanning every statement until nothing changes. Only the bodies of the
    // functions around the nodes above are indexed: another function's locals are read only when
    // it is called, and then its definition (whose text is its whole body) is needed anyway.
    const byWord = new Map<string, SyntaxNode[]>();
    const index = (word: string, st: SyntaxNode) => {
      const list = byWord.get(word);
      if (!list) byWord.set(word, [st]);
      else if (list[list.length - 1] !== st) list.push(st); // a statement's words come together
    };
    for (const st of blockStatements(this.root, anchors)) {
      if (st.type === 'function_definition' || st.type === 'class_definition' || st.type === 'decorated_definition') {
        for (const b of binds(st)) index(b, st);
      } else {
        forEachWord(st.text, (w) => index(w, st));
      }
    }
    const done = new Set<SyntaxNode>();
    while (queue.length) {
      for (const st of byWord.get(queue.pop()!) ?? []) {
        if (done.has(st) || !binds(st).some((b) => needed.has(b))) continue;
        done.add(st);
        // Only simple statements and definitions are evaluated for their reads: a class body is
        // never evaluated (the interpreter binds the name to an unsupported value), and the names
        // an `if`, a loop, a `with` or a `try` at this level binds are unresolved whatever they
        // read (see evalModule). An `if` deep in the training loop binding a needed name no
        // longer makes every name in that loop needed.
        if (!UNEVALUATED_STATEMENTS.has(st.type)) readNames(st, need);
      }
    }
    this.needed = needed;
  }

  /**
   * The scope code at `at` runs in: the module's bindings, then for each enclosing function its
   * parameters (from its call site) and the statements of its body before `at`. A function's
   * body is evaluated incrementally: asking for a later position continues where the last
   * request stopped (closures then see the later bindings too, as Python's do at call time).
   */
  scopeAt(at: SyntaxNode): Scope {
    const fns: SyntaxNode[] = [];
    for (let p = at.parent; p; p = p.parent) if (p.type === 'function_definition') fns.unshift(p);
    if (!fns.length) return this.modulePrefix(at);
    let scope = this.module();
    for (let d = 0; d < fns.length; d++) scope = this.functionScope(fns[d], d + 1 < fns.length ? fns[d + 1] : at, scope);
    return scope;
  }

  private functionScope(fn: SyntaxNode, target: SyntaxNode, outer: Scope): Scope {
    const bodyNode = fn.childForFieldName('body');
    const body = bodyNode ? namedChildrenOf(bodyNode) : [];
    const k = statementsBefore(body, target);
    let st = this.fnStates.get(fn.startIndex);
    if (!st || st.outer !== outer || st.done > k) {
      const fname = fn.childForFieldName('name')?.text ?? '<function>';
      const vars = new Map<string, PyValue>();
      const ps = paramsFromSyntax(fn.childForFieldName('parameters'));
      if (Array.isArray(ps)) {
        const bound = this.bindParams(fn, ps, outer);
        for (const p of ps) vars.set(p.name, bound?.get(p.name) ?? unresolved(`\`${p.name}\` is a parameter of \`${fname}\`; its value is not known statically`));
        const t = this.pendingTaints;
        this.pendingTaints = undefined;
        if (t) for (const [name, keys] of t) setTaint({ vars }, name, keys);
      }
      const base: Scope = { vars, parent: outer };
      st = { outer, inner: { vars: new Map(), parent: base }, done: 0 };
      this.fnStates.set(fn.startIndex, st);
    }
    this.continueBlock(body, k, st.inner, st);
    return st.inner;
  }

  /**
   * Evaluates an expression node at its place, with assumptions; the assumptions the value
   * depends on are added to `acc`. Never throws.
   */
  value(node: SyntaxNode, scope: Scope = this.scopeAt(node), acc: TaintSet = new Set()): PyValue {
    try {
      const e = this.substituter.expr(exprFromSyntax(node), scope, new Set(), acc);
      return evalExpr(e, scope, newContext());
    } catch (err) {
      if (err instanceof Refusal) return unresolved(err.reason);
      if (err instanceof PyError) return unresolved(`evaluating \`${node.text.slice(0, 60)}\` raises ${err.message}`);
      throw err;
    }
  }

  /** Evaluates a pyast expression (built by the caller) in `scope`, with assumptions. */
  valueOfExpr(e: Expr, scope: Scope, acc: TaintSet = new Set()): PyValue {
    try {
      return evalExpr(this.substituter.expr(e, scope, new Set(), acc), scope, newContext());
    } catch (err) {
      if (err instanceof Refusal) return unresolved(err.reason);
      if (err instanceof PyError) return unresolved(`evaluating it raises ${err.message}`);
      throw err;
    }
  }

  private callSite(fname: string, fn: SyntaxNode): SyntaxNode | null {
    if (this.callSites.has(fname)) return this.callSites.get(fname)!;
    const escaped = fname.replace(/[^\w]/g, '');
    const calls = callsMatching(this.root, new RegExp(`(?<![\\w.])${escaped}\\s*\\(`), (c) => {
      const f = c.childForFieldName('function');
      if (f?.type !== 'identifier' || f.text !== fname) return false;
      return !(c.startIndex >= fn.startIndex && c.endIndex <= fn.endIndex); // not a recursive call
    });
    const found: SyntaxNode | null = calls[0] ?? null;
    this.callSites.set(fname, found);
    return found;
  }

  private bindParams(fn: SyntaxNode, ps: Param[], outer: Scope): Map<string, PyValue> | undefined {
    if (fn.parent?.parent?.type === 'class_definition') return undefined; // methods: `self` and friends
    const fname = fn.childForFieldName('name')?.text;
    if (!fname || this.binding.has(fn.startIndex)) return undefined;
    const call = this.callSite(fname, fn);
    const out = new Map<string, PyValue>();
    const taints = new Map<string, TaintSet>();
    this.binding.add(fn.startIndex);
    try {
      if (call) {
        const argsNode = call.childForFieldName('arguments');
        const items = argsNode ? argsNode.namedChildren.filter((c) => c.type !== 'comment') : [];
        if (items.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return undefined;
        const callScope = this.scopeAt(call);
        const positional = ps.filter((p) => !p.kwOnly);
        let i = 0;
        for (const a of items) {
          if (a.type === 'keyword_argument') {
            const k = a.childForFieldName('name')?.text;
            const v = a.childForFieldName('value');
            if (k && v && ps.some((p) => p.name === k)) {
              const acc: TaintSet = new Set();
              out.set(k, this.value(v, callScope, acc));
              taints.set(k, acc);
            }
          } else if (i < positional.length) {
            const acc: TaintSet = new Set();
            const name = positional[i++].name;
            out.set(name, this.value(a, callScope, acc));
            taints.set(name, acc);
          }
        }
      }
      for (const p of ps) {
        if (out.has(p.name) || !p.default) continue;
        const acc: TaintSet = new Set();
        out.set(p.name, this.valueOfExpr(p.default, outer, acc));
        taints.set(p.name, acc);
      }
      this.pendingTaints = taints;
      return out;
    } finally {
      this.binding.delete(fn.startIndex);
    }
  }
}

/** How many of a block's statements end before `at` starts. */
function statementsBefore(body: SyntaxNode[], at: SyntaxNode): number {
  let k = 0;
  while (k < body.length && body[k].endIndex <= at.startIndex) k++;
  return k;
}

/** Calls `fn` with every word of `text`, in order (see someWord). */
function forEachWord(text: string, fn: (word: string) => void): void {
  someWord(text, (w) => {
    fn(w);
  });
}
/** `name =`, `a, b =`, `x +=`, `for name in`, `with ... as name`: over-approximates what a statement binds. */
const BINDS = /(?:^|[\s,(;*])([A-Za-z_]\w*)\s*(?:\*\*|\/\/|>>|<<|[-+*\/%@&|^])?=(?!=)|\bfor\s+([A-Za-z_][\w\s,()]*?)\s+in\b|\bas\s+([A-Za-z_]\w*)/gm;

/** `x.m(`, `x.a =`, `x[`: a name whose value the code may change in place (over-approximated). */
const CHANGES = /(?:^|[^\w.])([A-Za-z_]\w*)(?=\s*(?:\[|\.\s*[A-Za-z_]\w*\s*(?:\(|=(?!=))))/gm;

/**
 * Names a module-level or function-body statement may bind (its text is read, not converted).
 * `cache` is the file's, by statement start (syntax node objects are not stable keys). It is
 * passed, not kept in a module variable: an old-generation slot pointing at a file's objects
 * makes every young-generation collection copy them until the next full one.
 */
function statementBinds(n: SyntaxNode, cache: Map<number, string[]>): string[] {
  const hit = cache.get(n.startIndex);
  if (hit) return hit;
  let out: string[];
  switch (n.type) {
    case 'import_statement':
    case 'import_from_statement':
    case 'future_import_statement':
      out = [];
      forEachWord(n.text, (w) => out.push(w));
      break;
    case 'function_definition':
    case 'class_definition': {
      const name = n.childForFieldName('name')?.text;
      out = name ? [name] : [];
      break;
    }
    case 'decorated_definition': {
      const name = n.childForFieldName('definition')?.childForFieldName('name')?.text;
      out = name ? [name] : [];
      break;
    }
    case 'expression_statement':
    case 'delete_statement':
    case 'if_statement':
    case 'for_statement':
    case 'while_statement':
    case 'with_statement':
    case 'try_statement': {
      out = [];
      for (const m of n.text.matchAll(BINDS)) {
        const names = m[1] ?? m[3] ?? m[2];
        if (names) forEachWord(names, (w) => out.push(w));
      }
      // What it may change in place (`x.append(1)`, `x[k] = v`) counts as binding it: the
      // evaluation then knows the value it had is stale.
      for (const m of n.text.matchAll(CHANGES)) out.push(m[1]);
      break;
    }
    default:
      out = [];
  }
  cache.set(n.startIndex, out);
  return out;
}

/**
 * The statements of the module and of the function bodies (through classes) that contain one of
 * `anchors`, not their nested blocks.
 */
function blockStatements(root: SyntaxNode, anchors: SyntaxNode[]): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const holdsAnchor = (n: SyntaxNode) => anchors.some((a) => a.startIndex >= n.startIndex && a.endIndex <= n.endIndex);
  const visit = (block: SyntaxNode) => {
    for (const st of namedChildrenOf(block)) {
      out.push(st);
      const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
      if ((def?.type === 'function_definition' || def?.type === 'class_definition') && holdsAnchor(def)) {
        const body = def.childForFieldName('body');
        if (body) visit(body);
      }
    }
  };
  visit(root);
  return out;
}
