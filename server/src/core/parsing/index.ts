import { loadNativeParser } from './native';
import { loadWasmParser } from './wasm';
import type { ParserBackend, PythonParser } from './types';

export * from './types';
export { loadQuery, grammarsDir } from './query';

export type BackendChoice = ParserBackend | 'auto';

export interface InitParserOptions {
  /** 'auto' (default) tries native first and falls back to wasm. `OPTLINT_PARSER` overrides it. */
  backend?: BackendChoice;
}

const cache = new Map<ParserBackend, Promise<PythonParser>>();

/** Why the native backend could not be loaded, when 'auto' fell back to wasm. */
export let nativeLoadError: string | undefined;

/**
 * Returns a Python parser on the chosen backend; parsers are cached per backend, so calling this
 * repeatedly is cheap.
 */
export async function initParser(options: InitParserOptions = {}): Promise<PythonParser> {
  const choice = resolveChoice(options.backend);
  if (choice === 'native') return load('native');
  if (choice === 'wasm') return load('wasm');
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
  if (choice !== 'auto' && choice !== 'native' && choice !== 'wasm') {
    throw new Error(`unknown parser backend '${choice}' (expected auto, native or wasm)`);
  }
  return choice;
}

function load(backend: ParserBackend): Promise<PythonParser> {
  let pending = cache.get(backend);
  if (!pending) {
    pending = backend === 'native' ? Promise.resolve().then(loadNativeParser) : loadWasmParser();
    cache.set(backend, pending);
    pending.catch(() => cache.delete(backend));
  }
  return pending;
}
