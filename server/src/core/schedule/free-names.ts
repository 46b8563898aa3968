/**
 * The names a piece of code may read from the scope it runs in, from its syntax: what the
 * planner's `focus` needs to decide which statements of a file can matter to a value.
 *
 * It over-approximates (a name that may be read is reported) but leaves out what is certainly
 * not a read of a variable of that scope: attribute names (`args.lr` reads `args`), keyword
 * names (`f(lr=x)` reads `x`), the text of strings and comments (f-string interpolations are
 * read), the parameters of a lambda or def inside its body, the variables of a comprehension
 * inside it, and a def's local variables inside its body. Leaving a real read out would make
 * the planner skip the statements that bind it; the value then stays unknown (an unbound name
 * is refused), never wrong.
 */
import type { SyntaxNode } from '../parsing';

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
/** Node kinds that read no name from the scope (an import reads modules). */
const NO_NAMES = new Set(['import_statement', 'import_from_statement', 'future_import_statement', 'comment', 'integer', 'float', 'true', 'false', 'none', 'ellipsis', 'escape_sequence', 'string_content', 'pass_statement', 'break_statement', 'continue_statement']);

/** Calls `add` with every name `node` may read from its scope. */
export function readNames(node: SyntaxNode, add: (name: string) => void): void {
  walk(node, undefined, add);
}

function walk(n: SyntaxNode, bound: ReadonlySet<string> | undefined, add: (name: string) => void): void {
  switch (n.type) {
    case 'identifier':
      if (!bound?.has(n.text)) add(n.text);
      return;
    case 'attribute':
    case 'keyword_argument':
    case 'named_expression': {
      // `args.lr` reads `args`, `f(lr=x)` and `(n := x)` read `x`: the other names are not reads.
      const part = n.childForFieldName(n.type === 'attribute' ? 'object' : 'value');
      if (part) walk(part, bound, add);
      return;
    }
    case 'string':
      for (const c of n.namedChildren) if (c.type === 'interpolation') walk(c, bound, add);
      return;
    case 'assignment':
    case 'for_statement':
    case 'for_in_clause':
    {
      const left = n.childForFieldName('left');
      for (const c of n.namedChildren) {
        if (left && c.startIndex === left.startIndex && c.endIndex === left.endIndex) walkTarget(c, bound, add);
        else walk(c, bound, add);
      }
      return;
    }
    case 'as_pattern_target':
      for (const c of n.namedChildren) walkTarget(c, bound, add);
      return;
    case 'lambda':
    case 'function_definition': {
      const params = n.childForFieldName('parameters');
      const inner = new Set(bound);
      if (params) {
        for (const p of params.namedChildren) {
          // Defaults and annotations are evaluated where the def or lambda is.
          for (const c of p.namedChildren) if (c.type === 'type') walk(c, bound, add);
          const dflt = p.type === 'default_parameter' || p.type === 'typed_default_parameter' ? p.childForFieldName('value') : null;
          if (dflt) walk(dflt, bound, add);
          const name = paramName(p);
          if (name) inner.add(name);
        }
      }
      const ret = n.childForFieldName('return_type');
      if (ret) walk(ret, bound, add);
      const body = n.childForFieldName('body');
      if (!body) return;
      if (n.type === 'function_definition') {
        const locals = localsOf(body);
        if (locals) for (const l of locals) inner.add(l);
      }
      walk(body, inner, add);
      return;
    }
    default:
      if (NO_NAMES.has(n.type)) return;
      if (COMPREHENSIONS.has(n.type)) {
        const inner = new Set(bound);
        for (const c of n.namedChildren) {
          if (c.type !== 'for_in_clause') continue;
          const left = c.childForFieldName('left');
          if (left) targetNames(left, inner);
        }
        for (const c of n.namedChildren) walk(c, inner, add);
        return;
      }
      for (const c of n.namedChildren) walk(c, bound, add);
  }
}

/**
 * Node kinds of an assignment target that only group other targets (`a, (b, *c) = ...`), as
 * opposed to the names they bind and the attributes or items they set.
 */
export const TARGET_GROUPS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern', 'list_splat', 'as_pattern_target']);

/**
 * Visits the parts of an assignment target: `name` with each name it binds, `other` with each
 * attribute or item it sets (`x.a`, `x[k]`).
 */
export function forEachTarget(t: SyntaxNode, name: (id: SyntaxNode) => void, other: (n: SyntaxNode) => void): void {
  if (t.type === 'identifier') name(t);
  else if (TARGET_GROUPS.has(t.type)) for (const c of t.namedChildren) forEachTarget(c, name, other);
  else other(t);
}

/** An assignment target: the names it binds are not read, what it indexes or sets attributes on is. */
function walkTarget(t: SyntaxNode, bound: ReadonlySet<string> | undefined, add: (name: string) => void): void {
  forEachTarget(t, () => {}, (x) => walk(x, bound, add));
}

/** The name a parameter binds. */
function paramName(p: SyntaxNode): string | undefined {
  switch (p.type) {
    case 'identifier':
      return p.text;
    case 'default_parameter':
    case 'typed_default_parameter':
      return p.childForFieldName('name')?.text;
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern': {
      const id = p.namedChildren.find((c) => c.type === 'identifier');
      return id?.text;
    }
    default:
      return undefined;
  }
}

/** Adds the names an assignment target binds. */
function targetNames(t: SyntaxNode, out: Set<string>): void {
  forEachTarget(t, (id) => out.add(id.text), () => {});
}

/**
 * The local variables of a function body (Python: every name it binds anywhere, outside nested
 * scopes). Undefined when the body declares `global` or `nonlocal`: then none is taken as local.
 */
function localsOf(body: SyntaxNode): Set<string> | undefined {
  const out = new Set<string>();
  let escapes = false;
  const visit = (n: SyntaxNode): void => {
    for (const c of n.namedChildren) {
      switch (c.type) {
        case 'global_statement':
        case 'nonlocal_statement':
          escapes = true;
          return;
        case 'function_definition':
        case 'class_definition': {
          const name = c.childForFieldName('name');
          if (name) out.add(name.text);
          continue; // a nested scope
        }
        case 'lambda':
          continue;
        case 'assignment':
        case 'augmented_assignment':
        case 'for_statement': {
          const left = c.childForFieldName('left');
          if (left) targetNames(left, out);
          break;
        }
        case 'named_expression': {
          const name = c.childForFieldName('name');
          if (name) out.add(name.text);
          break;
        }
        case 'as_pattern_target':
          targetNames(c, out);
          continue;
        case 'import_statement':
        case 'import_from_statement':
          for (const item of c.childrenForFieldName('name')) {
            if (item.type === 'aliased_import') {
              const alias = item.childForFieldName('alias');
              if (alias) out.add(alias.text);
            } else if (c.type === 'import_statement') {
              const first = item.namedChildren[0];
              if (first) out.add(first.text);
            } else {
              const last = item.namedChildren[item.namedChildren.length - 1];
              if (last) out.add(last.text);
            }
          }
          continue;
        default:
          if (COMPREHENSIONS.has(c.type)) {
            // Its variables are its own; a walrus inside binds in the function, but is rare
            // enough to be left to the over-approximation (the name then stays a read).
            continue;
          }
      }
      if (escapes) return;
      visit(c);
    }
  };
  visit(body);
  return escapes ? undefined : out;
}
