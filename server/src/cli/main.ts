import { UsageError } from './args';
import { CHECK_USAGE, runCheck, type Io } from './check';
import { InputError } from './files';
import { GROUPS_USAGE, runGroups } from './groups';

export const USAGE = `Usage: optlint <command> [options]

Commands:
  check [PATHS...]   report optimizer / parameter-group mistakes (text or JSON)
  groups FILE        show every optimizer's parameter groups and effective lr
  schedule FILE      simulate every LR scheduler: each group's lr (and momentum) per step
  lsp --stdio        run the language server (for VS Code, Neovim, Helix, Emacs, ...)
  rules              list the rules

Run 'optlint <command> --help' for a command's options.`;

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  check: { run: runCheck, usage: CHECK_USAGE },
  groups: { run: runGroups, usage: GROUPS_USAGE },
  rules: { run: runRules, usage: 'Usage: optlint rules [--format text|json]' },
};

/** Registers another command (the schedule and lsp commands live in their own modules). */
export function registerCommand(name: string, run: Command, usage: string): void {
  COMMANDS[name] = { run, usage };
}

const stdio: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
};

/** Entry point of `optlint`: returns the exit code; never throws for bad input. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  loadOptionalCommands();
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    io.out(`${require('../../../../package.json').version}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.err(`optlint: unknown command '${command}'\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await entry.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`optlint ${command}: ${e.message}\n\n${entry.usage}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.err(`optlint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

let optionalLoaded = false;

/** Commands whose modules may not exist in every build stage register themselves here. */
function loadOptionalCommands(): void {
  if (optionalLoaded) return;
  optionalLoaded = true;
  for (const mod of ['./schedule', './lsp']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(mod);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
}

async function runRules(argv: string[], io: Io): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { rules } = require('../core/rules') as typeof import('../core/rules');
  if (argv.includes('--format=json') || (argv[0] === '--format' && argv[1] === 'json')) {
    io.out(`${JSON.stringify(rules.map((r) => ({ code: r.code, name: r.name, severity: r.severity, summary: r.summary, fix: r.fixTitle ? { title: r.fixTitle, safety: r.fixSafety } : null })), null, 2)}\n`);
    return 0;
  }
  for (const r of rules) io.out(`${r.code}  ${r.name.padEnd(30)} ${r.severity.padEnd(8)} ${r.summary}\n`);
  return 0;
}
