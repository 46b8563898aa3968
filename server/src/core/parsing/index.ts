import { loadBindingParser, loadNativeParser } from './native';
import { loadWasmParser } from './wasm';
import type { ParserBackend, PythonParser } from './types';

export * from './types';
export { loadQuery, grammarsDir } from './query';

/**
 * `binding` is the native backend through the `tree-sitter` package's own binding only (the
 * fallback when optlint's addon is not built; tests choose it to keep that path working).
 */
export type BackendChoice = ParserBackend | 'binding' | 'auto';

export interface InitParserOptions {
  /** 'auto' (default) tries native first and falls back to wasm. `OPTLINT_PARSER` overrides it. */
  backend?: BackendChoice;
}

const cache = new Map<Exclude<BackendChoice, 'auto'>, Promise<PythonParser>>();

/** Why the native backend could not be loaded, when 'auto' fell back to wasm. */
export let nativeLoadError: string | undefined;

/**
 * Returns a Python parser on the chosen backend; parsers are cached per backend, so calling this
 * repeatedly is cheap.
 */
export async function initParser(options: InitParserOptions = {}): Promise<PythonParser> {
  const choice = resolveChoice(options.backend);
  if (choice !== 'auto') return load(choice);
  try {
    return await load('native');
  } catch (error) {
    nativeLoadError = error instanceof Error ? error.message : String(error);
    return load('wasm');
  }
}

function resolveChoice(requested: BackendChoice | undefined): BackendChoice {
  const env = process.env.OPTLINT_PARSER;
  const choice = requested && requested !== 'auto' ? requested : env || requested || 'auto';
  if (choice !== 'auto' && choice !== 'native' && choice !== 'wasm' && choice !== 'binding') {
    throw new Error(`unknown parser backend '${choice}' (expected auto, native, binding or wasm)`);
  }
  return choice;
}

function load(backend: Exclude<BackendChoice, 'auto'>): Promise<PythonParser> {
  let pending = cache.get(backend);
  if (!pending) {
    pending = backend === 'wasm' ? loadWasmParser() : Promise.resolve().then(backend === 'native' ? loadNativeParser : loadBindingParser);
    cache.set(backend, pending);
    pending.catch(() => cache.delete(backend));
  }
  return pending;
}
