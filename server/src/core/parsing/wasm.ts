import * as path from 'node:path';
import * as fs from 'node:fs';
import { cachedTree } from './cached';
import { runQuery } from './query';
import type { CompiledQuery, PythonParser, SyntaxNode, SyntaxTree } from './types';

/**
 * The web-tree-sitter fallback: no native code, so it works wherever Node runs. It loads the
 * `tree-sitter-python.wasm` that ships inside the `tree-sitter-python` package (or one placed
 * next to the bundled server as `tree-sitter-python.wasm`).
 */
export async function loadWasmParser(): Promise<PythonParser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Parser, Language, Query } = require('web-tree-sitter');
  await Parser.init();
  const language = await Language.load(findPythonWasm());
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    backend: 'wasm',
    implementation: 'wasm',
    parse(text: string, oldTree?: SyntaxTree): SyntaxTree {
      const tree = parser.parse(text, (oldTree as { raw?: unknown } | undefined)?.raw ?? null);
      if (!tree) throw new Error('web-tree-sitter returned no tree');
      return cachedTree(tree, text);
    },
    query(source: string): CompiledQuery {
      const q = new Query(language, source);
      return { captures: (node: SyntaxNode) => runQuery(q, node) };
    },
  };
}

function findPythonWasm(): string {
  const candidates = [path.join(__dirname, 'tree-sitter-python.wasm')];
  try {
    candidates.push(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  } catch {
    // not resolvable from a bundle: the copy beside it is the one to use
  }
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`tree-sitter-python.wasm not found (looked in: ${candidates.join(', ')})`);
}
