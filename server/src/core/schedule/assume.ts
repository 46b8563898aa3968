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
import type { Expr, Param, Stmt } from './pyast';
import { evalExpr, newContext } from './pyeval';
import { exprFromSyntax, scopeAt, moduleFromSyntax, valueFromSyntax, type ScopeHooks } from './from-syntax';
import { evalModule } from './pyeval';
import { isObj, PyError, PyValue, Refusal, Scope, unresolved } from './pyvalue';

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
/** Keys whose values are floats even when written as whole numbers (`--assume lr=1`). */
const FLOAT_KEY = /lr|rate|ratio|factor|gamma|momentum|decay|eta|beta|eps|pct|power|proportion|frac|scale|min_|max_lr/i;
/** Names that are not quantities: no assumption is suggested for them. */
const NOT_A_QUANTITY = /lambda|_fn$|func|sched|optim|model|loader|dataset|module|net$|criterion|device/i;
/** Iterables whose `len()` is the number of batches per epoch. */
const LOADER = /(loader|dataloader|\bdl\b|_dl\b|batches|data_iter|train_iter|iterator)/i;

interface ArgparseDefault {
  value: PyValue;
  flag: string;
}

function toPy(key: string, v: number): PyValue {
  return Number.isInteger(v) && !FLOAT_KEY.test(key) && Math.abs(v) < 2 ** 53 ? BigInt(v) : v;
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

  constructor(
    private readonly given: Record<string, number> = {},
    private readonly argparse = new Map<string, ArgparseDefault>(),
    /** When false nothing is assumed: only what the file itself fixes resolves. */
    readonly enabled = true,
  ) {}

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

/** `parser.add_argument("--num-epochs", type=int, default=2)`: dest -> default, for the whole file. */
export function argparseDefaults(root: SyntaxNode): Map<string, ArgparseDefault> {
  const out = new Map<string, ArgparseDefault>();
  if (!root.text.includes('add_argument')) return out;
  const empty: Scope = { vars: new Map() };
  for (const call of root.descendantsOfType('call')) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'add_argument') continue;
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

/** Which assumptions each binding depends on (keyed by the scope's variable map). */
const TAINTS = new WeakMap<Map<string, PyValue>, Map<string, Set<string>>>();

function taintOf(scope: Scope, name: string): Set<string> | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (s.vars.has(name)) return TAINTS.get(s.vars)?.get(name);
  }
  return undefined;
}

/** Records that `name` (bound in `scope`) depends on the assumptions in `keys`. */
export function setTaint(scope: Scope, name: string, keys: Set<string>): void {
  let m = TAINTS.get(scope.vars);
  if (!m) TAINTS.set(scope.vars, (m = new Map()));
  if (keys.size) m.set(name, new Set(keys));
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

  private evaluates(e: Expr, scope: Scope): boolean {
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

  private readNames(e: Expr, scope: Scope, locals: Set<string>, acc: Set<string>): void {
    const r = rootName(e);
    if (r === undefined || locals.has(r)) return;
    const t = taintOf(scope, r);
    if (t) for (const k of t) acc.add(k);
  }

  private tryAssume(e: Expr, scope: Scope, locals: Set<string>, acc: Set<string>): Expr {
    const r = rootName(e);
    if (r !== undefined && locals.has(r)) return e;
    if (this.evaluates(e, scope)) {
      this.readNames(e, scope, locals, acc);
      if (e.type === 'Call') for (const a of e.args) this.expr(a, scope, locals, acc);
      return e;
    }
    const q = quantityKey(e);
    if (!q) return e;
    const v = this.assumptions.valueFor(q.key, q.fileDefault);
    if (v === undefined) return this.hole(e, q.key, scope);
    acc.add(q.key);
    return { type: 'Constant', value: v as number | bigint | boolean | string, loc: e.loc };
  }

  expr(e: Expr, scope: Scope, locals: Set<string> = new Set(), acc: Set<string> = new Set()): Expr {
    const rw = (x: Expr) => this.expr(x, scope, locals, acc);
    switch (e.type) {
      case 'Name':
        return locals.has(e.id) ? e : this.tryAssume(e, scope, locals, acc);
      case 'Attribute':
        return this.tryAssume(e, scope, locals, acc);
      case 'Subscript': {
        if (e.index.type === 'Constant' && typeof e.index.value === 'string') return this.tryAssume(e, scope, locals, acc);
        return { ...e, value: rw(e.value), index: rw(e.index) };
      }
      case 'Call': {
        if (quantityKey(e)) {
          const out = this.tryAssume(e, scope, locals, acc);
          if (out !== e) return out;
        }
        this.readNames(e.func, scope, locals, acc);
        return { ...e, args: e.args.map(rw), keywords: e.keywords.map((k) => ({ arg: k.arg, value: rw(k.value) })) };
      }
      case 'UnaryOp':
        return { ...e, operand: rw(e.operand) };
      case 'BinOp':
        return { ...e, left: rw(e.left), right: rw(e.right) };
      case 'Compare':
        return { ...e, left: rw(e.left), comparators: e.comparators.map(rw) };
      case 'BoolOp':
        return { ...e, values: e.values.map(rw) };
      case 'IfExp':
        return { ...e, test: rw(e.test), body: rw(e.body), orelse: rw(e.orelse) };
      case 'Tuple':
      case 'List':
        return { ...e, elts: e.elts.map(rw) };
      case 'Dict':
        return { ...e, keys: e.keys.map(rw), values: e.values.map(rw) };
      case 'Lambda': {
        const inner = new Set([...locals, ...e.params.map((p) => p.name)]);
        return { ...e, params: this.params(e.params, scope, locals, acc), body: this.expr(e.body, scope, inner, acc) };
      }
      default:
        return e;
    }
  }

  private params(ps: Param[], scope: Scope, locals: Set<string>, acc: Set<string>): Param[] {
    return ps.map((p) => (p.default ? { ...p, default: this.expr(p.default, scope, locals, acc) } : p));
  }

  /** Rewrites a statement; names it binds at this level are tainted with what it depends on. */
  stmt(s: Stmt, scope: Scope, locals: Set<string> = new Set(), acc: Set<string> = new Set()): Stmt {
    const out = this.stmtInner(s, scope, locals, acc);
    if (!locals.size) for (const n of assigned([s])) setTaint(scope, n, acc);
    return out;
  }

  private stmtInner(s: Stmt, scope: Scope, locals: Set<string>, acc: Set<string>): Stmt {
    const rw = (x: Expr) => this.expr(x, scope, locals, acc);
    switch (s.type) {
      case 'Assign':
        return { ...s, value: rw(s.value) };
      case 'AugAssign': {
        const t = taintOf(scope, s.target.id);
        if (t) for (const k of t) acc.add(k);
        return { ...s, value: rw(s.value) };
      }
      case 'Return':
        return s.value ? { ...s, value: rw(s.value) } : s;
      case 'If':
        return { ...s, test: rw(s.test), body: s.body.map((b) => this.stmtInner(b, scope, locals, acc)), orelse: s.orelse.map((b) => this.stmtInner(b, scope, locals, acc)) };
      case 'FunctionDef': {
        const inner = new Set([...locals, ...s.params.map((p) => p.name), ...assigned(s.body)]);
        return { ...s, params: this.params(s.params, scope, locals, acc), body: s.body.map((b) => this.stmtInner(b, scope, inner, acc)) };
      }
      default:
        return s;
    }
  }
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

/**
 * Scopes and argument values of one file under one set of assumptions, cached: the module is
 * evaluated once, and an enclosing function's parameters come from its call site when the file
 * calls it (the first call, when there are several).
 */
export class FileResolver {
  readonly substituter: Substituter;
  private moduleScope?: Scope;
  private readonly scopes = new Map<number, Scope>();
  private readonly callSites = new Map<string, SyntaxNode | null>();
  private readonly binding = new Set<number>();
  private readonly hooks: ScopeHooks;
  /** Taints of the parameters just bound, applied to the function's scope by `afterParams`. */
  private pendingTaints?: Map<string, Set<string>>;

  constructor(
    readonly root: SyntaxNode,
    readonly assumptions: Assumptions,
  ) {
    this.substituter = new Substituter(assumptions);
    this.hooks = {
      rewrite: (s, scope) => this.substituter.stmt(s, scope),
      bindParams: (fn, ps, outer) => this.bindParams(fn, ps, outer),
      afterParams: (vars) => {
        const t = this.pendingTaints;
        this.pendingTaints = undefined;
        if (t) for (const [k, keys] of t) setTaint({ vars }, k, keys);
      },
      afterBody: (from, to) => {
        const t = TAINTS.get(from);
        if (t) for (const [k, keys] of t) setTaint({ vars: to }, k, keys);
      },
    };
  }

  private module(): Scope {
    if (!this.moduleScope) this.moduleScope = evalModule(moduleFromSyntax(this.root), undefined, undefined, this.hooks.rewrite);
    return this.moduleScope;
  }

  /** The scope code at `at` runs in (cached per position). */
  scopeAt(at: SyntaxNode): Scope {
    const hit = this.scopes.get(at.startIndex);
    if (hit) return hit;
    const scope = scopeAt(this.root, at, undefined, { ...this.hooks, moduleScope: this.module() });
    this.scopes.set(at.startIndex, scope);
    return scope;
  }

  /**
   * Evaluates an expression node at its place, with assumptions; the assumptions the value
   * depends on are added to `acc`. Never throws.
   */
  value(node: SyntaxNode, scope: Scope = this.scopeAt(node), acc: Set<string> = new Set()): PyValue {
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
  valueOfExpr(e: Expr, scope: Scope, acc: Set<string> = new Set()): PyValue {
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
    let found: SyntaxNode | null = null;
    for (const c of this.root.descendantsOfType('call')) {
      const f = c.childForFieldName('function');
      if (f?.type !== 'identifier' || f.text !== fname) continue;
      if (c.startIndex >= fn.startIndex && c.endIndex <= fn.endIndex) continue; // recursion
      found = c;
      break;
    }
    this.callSites.set(fname, found);
    return found;
  }

  private bindParams(fn: SyntaxNode, ps: Param[], outer: Scope): Map<string, PyValue> | undefined {
    if (fn.parent?.parent?.type === 'class_definition') return undefined; // methods: `self` and friends
    const fname = fn.childForFieldName('name')?.text;
    if (!fname || this.binding.has(fn.startIndex)) return undefined;
    const call = this.callSite(fname, fn);
    const out = new Map<string, PyValue>();
    const taints = new Map<string, Set<string>>();
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
              const acc = new Set<string>();
              out.set(k, this.value(v, callScope, acc));
              taints.set(k, acc);
            }
          } else if (i < positional.length) {
            const acc = new Set<string>();
            const name = positional[i++].name;
            out.set(name, this.value(a, callScope, acc));
            taints.set(name, acc);
          }
        }
      }
      for (const p of ps) {
        if (out.has(p.name) || !p.default) continue;
        const acc = new Set<string>();
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
