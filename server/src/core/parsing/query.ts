import * as fs from 'node:fs';
import * as path from 'node:path';
import { PlainNode } from './cached';
import type { CompiledQuery, PythonParser, QueryCapture, SyntaxNode } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawQuery = { captures(node: unknown): Array<{ name: string; node: any }> };

/**
 * Runs a compiled query in the binding, in one native call, and copies out each capture's text
 * and position: much cheaper than walking our lazy nodes to find the same places.
 */
export function runQuery(q: RawQuery, node: SyntaxNode): QueryCapture[] {
  const raw = node instanceof PlainNode ? node.rawNode() : node;
  return q.captures(raw).map((c) => ({
    name: c.name,
    node: {
      type: c.node.type,
      text: c.node.text,
      startIndex: c.node.startIndex,
      endIndex: c.node.endIndex,
      startPosition: c.node.startPosition,
      endPosition: c.node.endPosition,
    },
  }));
}

/**
 * Where the `.scm` queries live: `grammars/` at the repository root when running from `out/`,
 * `grammars/` beside the bundle in the packaged extension.
 */
export function grammarsDir(): string | undefined {
  const candidates = [path.join(__dirname, 'grammars'), path.resolve(__dirname, '..', '..', '..', '..', '..', 'grammars')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'noqa-comments.scm')));
}

const compiled = new WeakMap<PythonParser, Map<string, CompiledQuery | null>>();

/**
 * The query `grammars/<name>.scm`, compiled once per parser. Undefined when the file cannot be
 * found; callers then fall back to walking the tree.
 */
export function loadQuery(parser: PythonParser, name: string): CompiledQuery | undefined {
  let byName = compiled.get(parser);
  if (!byName) compiled.set(parser, (byName = new Map()));
  let q = byName.get(name);
  if (q === undefined) {
    const dir = grammarsDir();
    q = dir ? parser.query(fs.readFileSync(path.join(dir, `${name}.scm`), 'utf8')) : null;
    byName.set(name, q);
  }
  return q ?? undefined;
}
