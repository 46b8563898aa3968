import { findAddon } from '../native-addon';
import { cachedTree } from './cached';
import { flatParser, type FlatAddon } from './flat';
import { runQuery } from './query';
import type { CompiledQuery, PythonParser, SyntaxNode, SyntaxTree } from './types';

const FLAT_ADDON_FILE = 'optlint_tsflat.node';

/**
 * The native backend: tree-sitter's C runtime with tree-sitter-python's compiled grammar.
 *
 * Preferred: optlint's addon (server/native/tsflat.cc), which compiles the runtime the `tree-sitter`
 * package vendors and hands node records to JavaScript many at a time. Without it (not built), the
 * `tree-sitter` package's own N-API binding, read through cursors (`binding`). On Debian 12 the
 * bundled prebuild of tree-sitter 0.25.1 needs a newer libstdc++ than the system has, so npm
 * compiles it from source at install time; either way the `require` below throws when no loadable
 * binary exists, and the caller falls back to wasm.
 */
export function loadNativeParser(): PythonParser {
  const why: string[] = [];
  try {
    return loadAddonParser();
  } catch (error) {
    why.push(error instanceof Error ? error.message : String(error));
  }
  try {
    return loadBindingParser();
  } catch (error) {
    why.push(error instanceof Error ? error.message : String(error));
    throw new Error(why.join('; '));
  }
}

/** The addon only; throws when it is not built or does not load. */
export function loadAddonParser(): PythonParser {
  const file = findAddon(FLAT_ADDON_FILE, 'OPTLINT_TSFLAT_ADDON');
  if (!file) throw new Error(`${FLAT_ADDON_FILE} not found (run \`npm run build:native\`)`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addon = require(file) as FlatAddon;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const parser = flatParser(addon, require('tree-sitter-python'));
  // Smoke-parse once so a half-loadable addon fails here, not in the middle of a lint.
  if (parser.parse('x = 1\n').rootNode.type !== 'module') throw new Error(`${FLAT_ADDON_FILE}: smoke parse failed`);
  return { backend: 'native', implementation: 'addon', ...parser };
}

/** The `tree-sitter` package's binding only; throws when it does not load. */
export function loadBindingParser(): PythonParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TreeSitter = require('tree-sitter');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const python = require('tree-sitter-python');
  const parser = new TreeSitter();
  parser.setLanguage(python);
  parser.parse('x = 1\n');
  return {
    backend: 'native',
    implementation: 'binding',
    parse(text: string, oldTree?: SyntaxTree): SyntaxTree {
      // A plain string measured faster than the chunked-callback input (9 ms vs 15 ms on 74 KB).
      const raw = parser.parse(text, (oldTree as { raw?: unknown } | undefined)?.raw);
      return cachedTree(raw, text);
    },
    query(source: string): CompiledQuery {
      const q = new TreeSitter.Query(python, source);
      return { captures: (node: SyntaxNode) => runQuery(q, node) };
    },
  };
}
