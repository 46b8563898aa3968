import type { SyntaxNode } from '../parsing';
import type { SchedulerModel } from './values';

/** Calls through which code can reach any variable without naming it. */
const DYNAMIC_ACCESS = /\b(?:globals|eval|exec)\s*\(/;
/** Calls that reach the variables of the scope they run in (`vars(args)` reads an object, not them). */
const LOCALS_ACCESS = /\b(?:locals|vars)\s*\(\s*\)/;

/**
 * True when nothing can reach the object `call` builds once the statement that builds it has run:
 * the call is a statement of its own (`StepLR(optimizer, 30)`), or it is assigned to a name
 * (`scheduler = StepLR(...)`) that no other code reads. A name bound in a function must not occur
 * anywhere else in that function (nested functions included, as closures read it); a name bound
 * at module level must not occur anywhere else in the file, nor as a string. Any other identifier
 * of that name counts as a read (an attribute or a keyword of the same name too; not a mention
 * in a comment or a string), and so does
 * any call that reaches variables without naming them (`locals()`, `eval`): when in doubt, the
 * object is taken to be used.
 */
export function isUnreferenced(call: SyntaxNode): boolean {
  const parent = call.parent;
  if (!parent) return false;
  if (parent.type === 'expression_statement') return parent.namedChildren.length === 1;
  if (parent.type !== 'assignment' || parent.childForFieldName('right')?.startIndex !== call.startIndex) return false;
  const target = parent.childForFieldName('left');
  if (target?.type !== 'identifier' || parent.parent?.type !== 'expression_statement') return false;
  const scope = bindingScope(parent);
  if (!scope || DYNAMIC_ACCESS.test(scope.text) || readsLocals(scope)) return false;
  const name = target.text;
  const text = scope.text;
  // At module level a string naming the variable may be a `getattr(sys.modules[__name__], ...)`.
  if (scope.type === 'module' && (text.includes(`'${name}'`) || text.includes(`"${name}"`))) return false;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    const at = scope.startIndex + i;
    if (at === target.startIndex || IDENTIFIER_CHAR.test(text[i - 1] ?? '') || IDENTIFIER_CHAR.test(text[i + name.length] ?? '')) continue;
    // Another occurrence of the name is a read, unless it is in a comment or a string. Only a
    // line with a `#` or a quote before it needs the tree to tell (a line of a multi-line
    // string without one is taken as a read: when in doubt, the scheduler is used).
    const line = text.slice(text.lastIndexOf('\n', i) + 1, i);
    if (!/[#'"]/.test(line) || innermostAt(scope, at).type === 'identifier') return false;
  }
  return true;
}

const IDENTIFIER_CHAR = /^[\p{L}\p{N}_]$/u;

/** The innermost named node of `root` that contains the position. */
function innermostAt(root: SyntaxNode, index: number): SyntaxNode {
  let cur = root;
  for (;;) {
    const next = cur.namedChildren.find((c) => c.startIndex <= index && index < c.endIndex);
    if (!next) return cur;
    cur = next;
  }
}

/** `locals()` or `vars()` in the scope's own code (in a function: anywhere in it; in a module: outside its functions and classes). */
function readsLocals(scope: SyntaxNode): boolean {
  if (scope.type !== 'module') return LOCALS_ACCESS.test(scope.text);
  return scope.namedChildren.some((st) => !DEFINITIONS.has(st.type) && LOCALS_ACCESS.test(st.text));
}

const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/** The function whose local variables an assignment binds, or the module; undefined in a class body. */
function bindingScope(n: SyntaxNode): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'module') return p;
    if (p.type === 'class_definition' || p.type === 'lambda') return undefined;
  }
  return undefined;
}

/** The schedulers that nothing can step: see {@link isUnreferenced}. */
export function markUnreferencedSchedulers(schedulers: SchedulerModel[]): void {
  for (const s of schedulers) if (isUnreferenced(s.call)) s.unreferenced = true;
}
