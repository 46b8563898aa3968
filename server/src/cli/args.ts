/** A usage error: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** Takes a value (`--format json` or `--format=json`). */
  value?: boolean;
  /** Allowed values, checked here so every command reports them the same way. */
  choices?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Parses `--flag`, `--flag value`, `--flag=value`; unknown flags are usage errors. */
export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option '${a.slice(0, eq >= 0 ? eq : undefined)}'`);
    if (!s.value) {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`option '--${name}' needs a value`);
    if (s.choices && !s.choices.includes(value)) throw new UsageError(`option '--${name}' must be one of ${s.choices.join(', ')} (got '${value}')`);
    flags.set(name, value);
  }
  return { positionals, flags };
}

export function listFlag(v: string | true | undefined): string[] | undefined {
  if (typeof v !== 'string') return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
