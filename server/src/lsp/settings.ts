/**
 * The language server's settings: what the editor's `optlint.*` configuration holds.
 *
 * `SETTINGS_SPEC` is typed as a mapped type over `ServerSettings`, so a key added to the interface
 * without a schema entry does not compile; test/lsp/settings.test.ts checks that the schema here and
 * `contributes.configuration` in package.json are the same, so neither can drift.
 */
import type { BackendChoice } from '../core/parsing';
import type { LintSettings, Severity, TorchVersion } from '../core/settings';

export interface ServerSettings {
  /** Run optlint on Python files at all. */
  enable: boolean;
  /** Rule codes or prefixes to run (`OPT1`, `OPT101`, `ALL`); empty: all. */
  select: string[];
  /** Rule codes or prefixes to skip. */
  ignore: string[];
  /** Per-code severity overrides, e.g. `{ "OPT109": "info" }`. */
  severity: Record<string, Severity>;
  /** Whose behaviour messages and defaults follow: current PyTorch (2.x) or 1.13. */
  torchVersion: TorchVersion;
  /** Optimizer steps the LR preview simulates when the script does not fix the run's length. */
  previewSteps: number;
  /** Batches per epoch assumed when the script's own value (`len(loader)`) is not known statically. */
  previewStepsPerEpoch: number;
  /** tree-sitter backend: the native binding, the wasm fallback, or native with fallback. */
  parserBackend: BackendChoice;
  /** Show effective learning rates as inlay hints. */
  inlayHints: boolean;
  /** Show "Preview LR schedule" above each scheduler. */
  codeLens: boolean;
}

/** The JSON-schema subset that VS Code's `contributes.configuration` uses for these settings. */
export interface SettingSchema {
  type: 'boolean' | 'string' | 'number' | 'integer' | 'array' | 'object';
  default: unknown;
  description: string;
  enum?: readonly string[];
  enumDescriptions?: readonly string[];
  items?: { type: string; pattern?: string };
  additionalProperties?: { type: string; enum: readonly string[] };
  minimum?: number;
  maximum?: number;
  scope?: 'resource' | 'window' | 'machine' | 'application';
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const CODE_PATTERN = '^([Oo][Pp][Tt][0-9]{0,3}|ALL)$';

/** One schema entry per setting; the manifest's `optlint.<key>` entries must equal these. */
export const SETTINGS_SPEC: { readonly [K in keyof ServerSettings]-?: SettingSchema } = {
  enable: { type: 'boolean', default: true, description: 'Check Python files with optlint.', scope: 'resource' },
  select: {
    type: 'array',
    default: [],
    items: { type: 'string', pattern: CODE_PATTERN },
    description: 'Rule codes or prefixes to run (`OPT1`, `OPT101`, `ALL`). Empty: every rule.',
    scope: 'resource',
  },
  ignore: {
    type: 'array',
    default: [],
    items: { type: 'string', pattern: CODE_PATTERN },
    description: 'Rule codes or prefixes to skip.',
    scope: 'resource',
  },
  severity: {
    type: 'object',
    default: {},
    additionalProperties: { type: 'string', enum: SEVERITIES },
    description: 'Severity per rule code, e.g. `{ "OPT109": "info" }`.',
    scope: 'resource',
  },
  torchVersion: {
    type: 'string',
    default: '2.x',
    enum: ['2.x', '1.13'],
    enumDescriptions: ['Current PyTorch (2.x)', 'PyTorch 1.13 (e.g. Debian 12)'],
    description: 'The PyTorch whose behaviour messages, defaults and the LR simulation follow.',
    scope: 'resource',
  },
  previewSteps: {
    type: 'integer',
    default: 1000,
    minimum: 1,
    maximum: 1000000,
    description: 'Optimizer steps the LR preview simulates when the script does not fix the length of the run (e.g. `T_max=args.epochs`).',
    scope: 'resource',
  },
  previewStepsPerEpoch: {
    type: 'integer',
    default: 100,
    minimum: 1,
    maximum: 1000000,
    description: 'Batches per epoch the LR preview assumes when the script computes it at run time (`len(loader)`).',
    scope: 'resource',
  },
  parserBackend: {
    type: 'string',
    default: 'auto',
    enum: ['auto', 'native', 'wasm'],
    enumDescriptions: ['Native tree-sitter, else the wasm fallback', 'Only native tree-sitter (optlint\'s addon, else the tree-sitter binding)', 'Only web-tree-sitter (wasm)'],
    description: 'Which tree-sitter the language server parses with (takes effect after a restart of the server).',
    scope: 'window',
  },
  inlayHints: { type: 'boolean', default: true, description: 'Show the effective learning rate of each parameter group as an inlay hint.', scope: 'resource' },
  codeLens: { type: 'boolean', default: true, description: 'Show "Preview LR schedule" above each scheduler.', scope: 'resource' },
};

export const DEFAULT_SETTINGS: ServerSettings = Object.fromEntries(
  Object.entries(SETTINGS_SPEC).map(([k, s]) => [k, structuredClone(s.default)]),
) as unknown as ServerSettings;

/**
 * Turns whatever the client sent (partial, mistyped, from an older manifest) into valid settings:
 * a value of the wrong type falls back to its default instead of failing the analysis.
 */
export function normaliseSettings(raw: unknown): ServerSettings {
  const input = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const out = structuredClone(DEFAULT_SETTINGS) as unknown as Record<string, unknown>;
  for (const [key, spec] of Object.entries(SETTINGS_SPEC) as Array<[keyof ServerSettings, SettingSchema]>) {
    const v = input[key];
    if (v === undefined || v === null) continue;
    switch (spec.type) {
      case 'boolean':
        if (typeof v === 'boolean') out[key] = v;
        break;
      case 'string':
        if (typeof v === 'string' && (!spec.enum || spec.enum.includes(v))) out[key] = v;
        break;
      case 'integer':
      case 'number':
        if (typeof v === 'number' && Number.isFinite(v)) {
          const n = spec.type === 'integer' ? Math.round(v) : v;
          out[key] = Math.min(spec.maximum ?? Infinity, Math.max(spec.minimum ?? -Infinity, n));
        }
        break;
      case 'array':
        if (Array.isArray(v)) out[key] = v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
        break;
      case 'object':
        if (typeof v === 'object' && !Array.isArray(v)) {
          const allowed = spec.additionalProperties?.enum;
          out[key] = Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, s]) => typeof s === 'string' && (!allowed || allowed.includes(s)))
              .map(([code, s]) => [code.toUpperCase(), s]),
          );
        }
        break;
    }
  }
  return out as unknown as ServerSettings;
}

/** What the analysis core takes from the server's settings. */
export function toLintSettings(s: ServerSettings): LintSettings {
  return {
    select: s.select.length ? s.select : undefined,
    ignore: s.ignore.length ? s.ignore : undefined,
    severity: Object.keys(s.severity).length ? s.severity : undefined,
    torchVersion: s.torchVersion,
  };
}

/** The manifest's `contributes.configuration.properties`, as SETTINGS_SPEC prescribes it. */
export function manifestProperties(): Record<string, SettingSchema> {
  return Object.fromEntries(Object.entries(SETTINGS_SPEC).map(([k, s]) => [`optlint.${k}`, s]));
}
