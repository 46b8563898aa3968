/**
 * Converts tree-sitter Python syntax (through the parser interface of core/parsing) into the
 * safe interpreter's pyast, and resolves scheduler arguments to Python values.
 *
 * Anything outside the subset becomes an Unsupported node with a readable description, so only
 * code that is actually evaluated is refused ("uses a list comprehension, outside the safe
 * subset"), never guessed.
 */
import type { SyntaxNode } from '../parsing';
import { forEachTarget } from './free-names';
import { lazyFunctionDef, type BinaryOperator, type CompareOperator, type Expr, type Module, type Param, type Stmt } from './pyast';
import { evalModule, execBlock, evalExpr, newContext } from './pyeval';
import { PyError, PyValue, Refusal, Scope, unresolved } from './pyvalue';

/**
 * Source positions of pyast nodes: not recorded (no message reads them, and a position costs a
 * walk on lazily built trees). Kept as a hook so the shape of the converter stays.
 */
const loc = (_n: SyntaxNode): undefined => undefined;

function unsupported(n: SyntaxNode, what: string): Expr {
  return { type: 'Unsupported', what, loc: loc(n) };
}

function named(n: SyntaxNode): SyntaxNode[] {
  return n.namedChildren.filter((c) => c.type !== 'comment');
}

const BINOPS: Record<string, BinaryOperator> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '/': '/',
  '//': '//',
  '%': '%',
  '**': '**',
  '<<': '<<',
  '>>': '>>',
  '&': '&',
  '|': '|',
  '^': '^',
};

const DESCRIBE: Record<string, string> = {
  list_comprehension: 'a list comprehension',
  dictionary_comprehension: 'a dict comprehension',
  set_comprehension: 'a set comprehension',
  generator_expression: 'a generator expression',
  await: '`await`',
  yield: '`yield`',
  named_expression: 'an assignment expression (`:=`)',
  set: 'a set literal',
  slice: 'a slice',
  ellipsis: '`...`',
  list_splat: 'argument unpacking (`*`)',
  dictionary_splat: 'keyword unpacking (`**`)',
  concatenated_string: 'implicit string concatenation',
  while_statement: 'a `while` loop',
  for_statement: 'a `for` loop',
  with_statement: 'a `with` block',
  try_statement: 'a `try` block',
  class_definition: 'a class definition',
  decorated_definition: 'a decorated definition',
  global_statement: '`global`',
  nonlocal_statement: '`nonlocal`',
  delete_statement: '`del`',
  match_statement: 'a `match` statement',
  exec_statement: '`exec`',
  print_statement: 'a Python 2 `print` statement',
};

function parseInt_(text: string): bigint | undefined {
  const t = text.replace(/_/g, '');
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  if (/^0[xX][0-9a-fA-F]+$/.test(t) || /^0[oO][0-7]+$/.test(t) || /^0[bB][01]+$/.test(t)) return BigInt(t);
  return undefined;
}

function stringValue(n: SyntaxNode): string | Expr {
  const start = n.children.find((c) => c.type === 'string_start')?.text ?? n.text.slice(0, 1);
  const prefix = start.replace(/['"]/g, '').toLowerCase();
  if (prefix.includes('f')) return unsupported(n, 'an f-string');
  if (prefix.includes('b')) return unsupported(n, 'a bytes literal');
  if (n.children.some((c) => c.type === 'interpolation')) return unsupported(n, 'an f-string');
  const raw = prefix.includes('r');
  let out = '';
  for (const c of n.children) {
    if (c.type === 'string_content') out += c.text;
    else if (c.type === 'escape_sequence') out += raw ? c.text : unescape(c.text);
  }
  if (!n.children.some((c) => c.type === 'string_content' || c.type === 'escape_sequence')) {
    // Backends without content children: strip the quotes.
    const q = start.replace(/^[a-zA-Z]*/, '');
    const body = n.text.slice(start.length, n.text.length - q.length);
    out = raw ? body : body.replace(/\\(.)/g, (_m, ch: string) => unescape(`\\${ch}`));
  }
  return out;
}

function unescape(e: string): string {
  const map: Record<string, string> = { '\\n': '\n', '\\t': '\t', '\\\\': '\\', "\\'": "'", '\\"': '"', '\\r': '\r', '\\0': '\0' };
  if (e in map) return map[e];
  if (/^\\x[0-9a-fA-F]{2}$/.test(e) || /^\\u[0-9a-fA-F]{4}$/.test(e)) return String.fromCharCode(parseInt(e.slice(2), 16));
  if (e.startsWith('\\\n')) return '';
  return e;
}

function params(n: SyntaxNode | null): Param[] | Expr {
  const out: Param[] = [];
  if (!n) return out;
  let kwOnly = false;
  for (const p of named(n)) {
    switch (p.type) {
      case 'identifier':
        out.push({ name: p.text, kwOnly });
        break;
      case 'typed_parameter': {
        const id = named(p).find((c) => c.type === 'identifier');
        if (!id) return unsupported(p, 'a `*args`/`**kwargs` parameter');
        out.push({ name: id.text, kwOnly });
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const nm = p.childForFieldName('name');
        const v = p.childForFieldName('value');
        if (!nm || !v) return unsupported(p, 'a parameter form');
        out.push({ name: nm.text, default: exprFromSyntax(v), kwOnly });
        break;
      }
      case 'keyword_separator':
        kwOnly = true;
        break;
      case 'positional_separator':
        break;
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern':
        return unsupported(p, 'a `*args`/`**kwargs` parameter');
      default:
        return unsupported(p, `a \`${p.type}\` parameter`);
    }
  }
  return out;
}

/** A tree-sitter expression node -> pyast. */
export function exprFromSyntax(n: SyntaxNode): Expr {
  const l = loc(n);
  switch (n.type) {
    case 'integer': {
      const v = parseInt_(n.text);
      if (v === undefined) return /[jJ]$/.test(n.text) ? unsupported(n, 'a complex number') : unsupported(n, `the literal ${n.text}`);
      return { type: 'Constant', value: v, loc: l };
    }
    case 'float': {
      const t = n.text.replace(/_/g, '');
      if (/[jJ]$/.test(t)) return unsupported(n, 'a complex number');
      return { type: 'Constant', value: Number(t.endsWith('.') ? t + '0' : t), loc: l };
    }
    case 'true':
      return { type: 'Constant', value: true, loc: l };
    case 'false':
      return { type: 'Constant', value: false, loc: l };
    case 'none':
      return { type: 'Constant', value: null, loc: l };
    case 'string': {
      const v = stringValue(n);
      return typeof v === 'string' ? { type: 'Constant', value: v, loc: l } : v;
    }
    case 'identifier':
      return { type: 'Name', id: n.text, loc: l };
    case 'parenthesized_expression': {
      const inner = named(n)[0];
      return inner ? exprFromSyntax(inner) : unsupported(n, 'an empty expression');
    }
    case 'attribute': {
      const obj = n.childForFieldName('object');
      const at = n.childForFieldName('attribute');
      if (!obj || !at) return unsupported(n, 'an attribute');
      return { type: 'Attribute', value: exprFromSyntax(obj), attr: at.text, loc: l };
    }
    case 'subscript': {
      const v = n.childForFieldName('value');
      const subs = n.childrenForFieldName('subscript');
      if (!v || subs.length !== 1) return unsupported(n, 'a multi-dimensional subscript');
      if (subs[0].type === 'slice') return unsupported(subs[0], 'a slice');
      return { type: 'Subscript', value: exprFromSyntax(v), index: exprFromSyntax(subs[0]), loc: l };
    }
    case 'unary_operator': {
      const op = n.childForFieldName('operator')?.text ?? n.children[0].text;
      const arg = n.childForFieldName('argument') ?? named(n)[0];
      if (op !== '-' && op !== '+' && op !== '~') return unsupported(n, `unary ${op}`);
      return { type: 'UnaryOp', op, operand: exprFromSyntax(arg), loc: l };
    }
    case 'not_operator': {
      const arg = n.childForFieldName('argument') ?? named(n)[0];
      return { type: 'UnaryOp', op: 'not', operand: exprFromSyntax(arg), loc: l };
    }
    case 'binary_operator': {
      const op = n.childForFieldName('operator')?.text;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!op || !left || !right) return unsupported(n, 'an operator');
      const bop = BINOPS[op];
      if (!bop) return unsupported(n, `the \`${op}\` operator`);
      return { type: 'BinOp', op: bop, left: exprFromSyntax(left), right: exprFromSyntax(right), loc: l };
    }
    case 'boolean_operator': {
      const op = n.childForFieldName('operator')?.text;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if ((op !== 'and' && op !== 'or') || !left || !right) return unsupported(n, 'a boolean operator');
      return { type: 'BoolOp', op, values: [exprFromSyntax(left), exprFromSyntax(right)], loc: l };
    }
    case 'comparison_operator': {
      const operands = named(n).filter((c) => !['not in', 'is not'].includes(c.type));
      const ops: CompareOperator[] = [];
      for (const c of n.children) {
        if (operands.includes(c)) continue;
        const t = c.type === 'not in' || c.type === 'is not' ? c.type : c.text.replace(/\s+/g, ' ');
        if (['<', '<=', '>', '>=', '==', '!=', 'is', 'is not', 'in', 'not in'].includes(t)) ops.push(t as CompareOperator);
        else if (t === 'not' || t === '') continue;
        else return unsupported(n, `the comparison \`${t}\``);
      }
      const merged = ops;
      if (merged.length !== operands.length - 1) return unsupported(n, 'a comparison form');
      return {
        type: 'Compare',
        left: exprFromSyntax(operands[0]),
        ops: merged,
        comparators: operands.slice(1).map(exprFromSyntax),
        loc: l,
      };
    }
    case 'conditional_expression': {
      const [body, test, orelse] = named(n);
      if (!body || !test || !orelse) return unsupported(n, 'a conditional expression');
      return { type: 'IfExp', test: exprFromSyntax(test), body: exprFromSyntax(body), orelse: exprFromSyntax(orelse), loc: l };
    }
    case 'call': {
      const f = n.childForFieldName('function');
      const argsNode = n.childForFieldName('arguments');
      if (!f || !argsNode) return unsupported(n, 'a call');
      if (argsNode.type !== 'argument_list') return unsupported(argsNode, DESCRIBE[argsNode.type] ?? 'a call form');
      const args: Expr[] = [];
      const keywords: { arg: string; value: Expr }[] = [];
      for (const a of named(argsNode)) {
        if (a.type === 'keyword_argument') {
          const nm = a.childForFieldName('name');
          const v = a.childForFieldName('value');
          if (!nm || !v) return unsupported(a, 'a keyword argument');
          keywords.push({ arg: nm.text, value: exprFromSyntax(v) });
        } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
          return unsupported(a, DESCRIBE[a.type]);
        } else args.push(exprFromSyntax(a));
      }
      return { type: 'Call', func: exprFromSyntax(f), args, keywords, loc: l };
    }
    case 'lambda': {
      const ps = params(n.childForFieldName('parameters'));
      const body = n.childForFieldName('body');
      if (!Array.isArray(ps)) return ps;
      if (!body) return unsupported(n, 'a lambda');
      return { type: 'Lambda', params: ps, body: exprFromSyntax(body), loc: l };
    }
    case 'tuple':
    case 'expression_list':
      return { type: 'Tuple', elts: named(n).map(exprFromSyntax), loc: l };
    case 'list':
      return { type: 'List', elts: named(n).map(exprFromSyntax), loc: l };
    case 'dictionary': {
      const keys: Expr[] = [];
      const values: Expr[] = [];
      for (const p of named(n)) {
        if (p.type !== 'pair') return unsupported(p, DESCRIBE[p.type] ?? 'a dict form');
        keys.push(exprFromSyntax(p.childForFieldName('key')!));
        values.push(exprFromSyntax(p.childForFieldName('value')!));
      }
      return { type: 'Dict', keys, values, loc: l };
    }
  }
  return unsupported(n, DESCRIBE[n.type] ?? `\`${n.type.replace(/_/g, ' ')}\``);
}

/** The first line of a node's text, cut to 40 characters, for messages. */
function shortText(n: SyntaxNode): string {
  const line = n.text.split('\n')[0];
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

/** Methods that change a list, dict or set in place (`cfg.items()`, `lrs.index(x)` do not). */
const MUTATORS = new Set(['append', 'extend', 'insert', 'pop', 'remove', 'clear', 'sort', 'reverse', 'update', 'setdefault', 'popitem', 'add', 'discard', '__setitem__', '__delitem__', '__iadd__']);

/**
 * Names a statement may change in place: the receivers of the methods that change a list, dict
 * or set (`x.append(1)`, `x.a.update(d)`, `x[0].append(1)`) and the containers of attribute or
 * item assignments and deletions (`x[k] = v`, `x.a = v`, `del x[k]`), outside nested functions
 * and classes.
 */
export function mutatedNames(n: SyntaxNode): string[] {
  const out = new Set<string>();
  const root = (x: SyntaxNode | null): void => {
    while (x && (x.type === 'attribute' || x.type === 'subscript')) x = x.childForFieldName(x.type === 'attribute' ? 'object' : 'value');
    if (x?.type === 'identifier') out.add(x.text);
  };
  const target = (t: SyntaxNode): void =>
    forEachTarget(t, () => {}, (x) => {
      if (x.type === 'attribute' || x.type === 'subscript') root(x);
    });
  const visit = (x: SyntaxNode): void => {
    if (x.type === 'function_definition' || x.type === 'class_definition' || x.type === 'lambda') return;
    if (x.type === 'call') {
      const f = x.childForFieldName('function');
      if (f?.type === 'attribute' && MUTATORS.has(f.childForFieldName('attribute')?.text ?? '')) root(f.childForFieldName('object'));
    } else if (x.type === 'assignment' || x.type === 'augmented_assignment') {
      const left = x.childForFieldName('left');
      if (left) target(left);
    } else if (x.type === 'delete_statement') {
      for (const t of x.namedChildren) {
        if (t.type === 'expression_list') t.namedChildren.forEach(target);
        else target(t);
      }
    }
    for (const c of x.namedChildren) visit(c);
  };
  visit(n);
  return [...out];
}

function boundNames(n: SyntaxNode): string[] {
  const out: string[] = [];
  const visit = (x: SyntaxNode) => {
    if (x.type === 'assignment' || x.type === 'augmented_assignment') {
      const left = x.childForFieldName('left');
      if (left) for (const id of [left, ...left.descendantsOfType('identifier')]) if (id.type === 'identifier' && id.parent?.type !== 'attribute') out.push(id.text);
    }
    if (x.type === 'for_statement') {
      const left = x.childForFieldName('left');
      if (left) for (const id of [left, ...left.descendantsOfType('identifier')]) if (id.type === 'identifier') out.push(id.text);
    }
    if (x.type === 'function_definition' || x.type === 'class_definition') {
      const nm = x.childForFieldName('name');
      if (nm) out.push(nm.text);
      return;
    }
    for (const c of x.namedChildren) visit(c);
  };
  visit(n);
  return [...new Set(out)];
}

/** A tree-sitter statement node -> pyast statements (an expression statement may expand to several). */
export function stmtFromSyntax(n: SyntaxNode): Stmt[] {
  const l = loc(n);
  switch (n.type) {
    case 'expression_statement': {
      const inner = named(n);
      if (inner.length !== 1) return [{ type: 'ExprStmt', value: { type: 'Tuple', elts: inner.map(exprFromSyntax) }, loc: l }];
      const e = inner[0];
      if (e.type === 'assignment') {
        const targets: Expr[] = [];
        let cur: SyntaxNode | null = e;
        while (cur && cur.type === 'assignment') {
          const left = cur.childForFieldName('left');
          if (left) targets.push(exprFromSyntax(left));
          const right: SyntaxNode | null = cur.childForFieldName('right');
          if (!right) return [{ type: 'UnsupportedStmt', what: 'an annotation without a value', binds: [], loc: l }];
          cur = right;
        }
        return [{ type: 'Assign', targets, value: exprFromSyntax(cur!), loc: l }];
      }
      if (e.type === 'augmented_assignment') {
        const left = e.childForFieldName('left');
        const op = e.childForFieldName('operator')?.text.replace('=', '');
        const right = e.childForFieldName('right');
        if (!left || left.type !== 'identifier' || !op || !BINOPS[op] || !right) {
          return [{ type: 'UnsupportedStmt', what: 'an augmented assignment form', binds: boundNames(n), loc: l }];
        }
        return [{ type: 'AugAssign', target: { type: 'Name', id: left.text }, op: BINOPS[op], value: exprFromSyntax(right), loc: l }];
      }
      return [{ type: 'ExprStmt', value: exprFromSyntax(e), loc: l }];
    }
    case 'return_statement': {
      const v = named(n)[0];
      return [{ type: 'Return', value: v ? exprFromSyntax(v) : undefined, loc: l }];
    }
    case 'pass_statement':
      return [{ type: 'Pass', loc: l }];
    case 'if_statement': {
      const cond = n.childForFieldName('condition');
      const cons = n.childForFieldName('consequence');
      if (!cond || !cons) return [{ type: 'UnsupportedStmt', what: 'an if statement form', binds: boundNames(n), loc: l }];
      const alts = n.childrenForFieldName('alternative');
      let orelse: Stmt[] = [];
      for (let i = alts.length - 1; i >= 0; i--) {
        const a = alts[i];
        if (a.type === 'else_clause') orelse = blockFromSyntax(a.childForFieldName('body') ?? named(a)[0]);
        else if (a.type === 'elif_clause') {
          const c = a.childForFieldName('condition');
          const b = a.childForFieldName('consequence');
          if (!c || !b) return [{ type: 'UnsupportedStmt', what: 'an elif form', binds: boundNames(n), loc: l }];
          orelse = [{ type: 'If', test: exprFromSyntax(c), body: blockFromSyntax(b), orelse, loc: loc(a) }];
        }
      }
      return [{ type: 'If', test: exprFromSyntax(cond), body: blockFromSyntax(cons), orelse, loc: l }];
    }
    case 'function_definition': {
      const nm = n.childForFieldName('name');
      const ps = params(n.childForFieldName('parameters'));
      const body = n.childForFieldName('body');
      if (!nm || !body) return [{ type: 'UnsupportedStmt', what: 'a function definition form', binds: boundNames(n), loc: l }];
      if (!Array.isArray(ps)) {
        return [{ type: 'UnsupportedStmt', what: (ps as { what?: string }).what ?? 'a parameter form', binds: [nm.text], loc: l }];
      }
      if (n.children.some((c) => c.type === 'async')) return [{ type: 'UnsupportedStmt', what: 'an async function', binds: [nm.text], loc: l }];
      return [lazyFunctionDef({ type: 'FunctionDef', name: nm.text, params: ps, loc: l }, () => blockFromSyntax(body))];
    }
    case 'import_statement': {
      const out: Stmt[] = [];
      for (const c of named(n)) {
        if (c.type === 'dotted_name') out.push({ type: 'Import', module: c.text, loc: l });
        else if (c.type === 'aliased_import') {
          out.push({ type: 'Import', module: c.childForFieldName('name')!.text, asName: c.childForFieldName('alias')?.text, loc: l });
        }
      }
      return out;
    }
    case 'import_from_statement': {
      const mod = n.childForFieldName('module_name');
      if (!mod || mod.type !== 'dotted_name') return [{ type: 'UnsupportedStmt', what: 'a relative import', binds: [], loc: l }];
      if (n.children.some((c) => c.type === 'wildcard_import')) {
        return [{ type: 'UnsupportedStmt', what: `\`from ${mod.text} import *\``, binds: [], loc: l }];
      }
      const names = n.childrenForFieldName('name').map((c) =>
        c.type === 'aliased_import'
          ? { name: c.childForFieldName('name')!.text, asName: c.childForFieldName('alias')?.text }
          : { name: c.text },
      );
      return [{ type: 'ImportFrom', module: mod.text, names, loc: l }];
    }
    case 'raise_statement': {
      const e = named(n)[0];
      if (e && e.type === 'call') {
        const f = e.childForFieldName('function');
        const args = e.childForFieldName('arguments');
        const first = args ? named(args)[0] : undefined;
        if (f && f.type === 'identifier') {
          return [{ type: 'Raise', excType: f.text, message: first ? exprFromSyntax(first) : undefined, loc: l }];
        }
      }
      if (e && e.type === 'identifier') return [{ type: 'Raise', excType: e.text, loc: l }];
      return [{ type: 'Raise', loc: l }];
    }
    case 'assert_statement': {
      const [t, m] = named(n);
      return [{ type: 'Assert', test: exprFromSyntax(t), msg: m ? exprFromSyntax(m) : undefined, loc: l }];
    }
    case 'comment':
      return [];
    case 'future_import_statement':
      return [];
  }
  return [{ type: 'UnsupportedStmt', what: DESCRIBE[n.type] ?? `\`${n.type.replace(/_/g, ' ')}\``, binds: boundNames(n), mutates: mutatedNames(n), line: n.startPosition.row + 1, loc: l }];
}

/** A block (or module) node -> statements. */
export function blockFromSyntax(block: SyntaxNode | null | undefined): Stmt[] {
  if (!block) return [];
  return named(block).flatMap(stmtFromSyntax);
}

export { bindingsFromSyntax, params as paramsFromSyntax, named as namedChildrenOf };

/** A module (the tree's root node) -> pyast module. */
export function moduleFromSyntax(root: SyntaxNode): Module {
  return { type: 'Module', body: blockFromSyntax(root) };
}

/**
 * Statements as {@link evalModule} sees them, converted only as far as it needs: it skips bare
 * expressions (`main()`, `parser.add_argument(...)`) and only names what compound statements
 * assign, so those are not converted at all.
 */
function bindingsFromSyntax(nodes: SyntaxNode[], keep?: (n: SyntaxNode) => boolean): Stmt[] {
  const out: Stmt[] = [];
  for (const n of nodes) {
    if (keep && !keep(n)) continue;
    if (n.type === 'expression_statement') {
      const inner = named(n);
      if (inner.length === 1 && inner[0].type !== 'assignment' && inner[0].type !== 'augmented_assignment') {
        // Not run, but what it may change in place is no longer known.
        const mutates = mutatedNames(n);
        if (mutates.length) out.push({ type: 'UnsupportedStmt', what: `\`${shortText(n)}\``, binds: [], mutates, line: n.startPosition.row + 1, loc: loc(n) });
        continue;
      }
    } else if (n.type === 'if_statement' || n.type === 'for_statement' || n.type === 'while_statement' || n.type === 'with_statement' || n.type === 'try_statement') {
      const what = n.type === 'if_statement' ? 'an if statement' : (DESCRIBE[n.type] ?? 'a compound statement');
      out.push({ type: 'UnsupportedStmt', what, binds: boundNames(n), mutates: mutatedNames(n), line: n.startPosition.row + 1, loc: loc(n) });
      continue;
    }
    out.push(...stmtFromSyntax(n));
  }
  return out;
}

/**
 * The scope in which code at `at` runs: the module's bindings (imports of math/functools,
 * constants, defs) and, for code inside functions, the simple statements of each enclosing
 * function body that come before it. Parameters of enclosing functions are unresolved.
 * Never throws: what cannot be evaluated is bound to an unresolved value with the reason.
 */
export function scopeAt(root: SyntaxNode, at?: SyntaxNode, parent?: Scope): Scope {
  const moduleScope = evalModule(bindingsFromSyntax(named(root)), parent);
  if (!at) return moduleScope;
  const fns: SyntaxNode[] = [];
  for (let p = at.parent; p; p = p.parent) if (p.type === 'function_definition') fns.unshift(p);
  let scope = moduleScope;
  for (const fn of fns) {
    const vars = new Map<string, PyValue>();
    const fname = fn.childForFieldName('name')?.text ?? '<function>';
    const ps = params(fn.childForFieldName('parameters'));
    if (Array.isArray(ps)) {
      for (const p of ps) vars.set(p.name, unresolved(`\`${p.name}\` is a parameter of \`${fname}\`; its value is not known statically`));
    }
    const body = fn.childForFieldName('body');
    const before = body ? named(body).filter((s) => s.endIndex <= at.startIndex) : [];
    const inner = evalModule(bindingsFromSyntax(before), { vars, parent: scope });
    for (const [k, v] of inner.vars) vars.set(k, v);
    scope = { vars, parent: scope };
  }
  return scope;
}

/**
 * Resolves an argument expression to a Python value in `scope`. Never throws: refusals and
 * Python errors become an unresolved value carrying the reason.
 */
export function valueFromSyntax(node: SyntaxNode, scope: Scope): PyValue {
  try {
    return evalExpr(exprFromSyntax(node), scope, newContext());
  } catch (e) {
    if (e instanceof Refusal) return unresolved(e.reason);
    if (e instanceof PyError) return unresolved(`evaluating \`${node.text.slice(0, 60)}\` raises ${e.message}`);
    throw e;
  }
}

export { execBlock };
