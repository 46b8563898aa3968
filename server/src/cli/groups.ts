import { buildModel } from '../core/model';
import { initParser, type BackendChoice } from '../core/parsing';
import { summariseOptimizers, type OptimizerSummary } from '../core/report/groups';
import type { LintSettings } from '../core/settings';
import { parseArgs, UsageError } from './args';
import type { Io } from './check';
import { readSource } from './files';

export const GROUPS_USAGE = `Usage: optlint groups FILE [--format text|json] [--torch-version 1.13|2.x]

For every optimizer in FILE: its parameter groups in order, what each holds,
parameter counts where known, and the effective lr / weight_decay / momentum
(group value, else the optimizer's argument, else the class default).`;

const FLAGS = {
  format: { value: true, choices: ['text', 'json'] },
  'torch-version': { value: true, choices: ['1.13', '2.x'] },
  parser: { value: true, choices: ['auto', 'native', 'binding', 'wasm'] },
  help: {},
  h: {},
};

export async function runGroups(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.flags.has('help') || args.flags.has('h')) {
    io.out(`${GROUPS_USAGE}\n`);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError('groups takes exactly one FILE');
  const file = args.positionals[0];
  const text = readSource(file);
  const parser = await initParser({ backend: (args.flags.get('parser') as BackendChoice | undefined) ?? 'auto' });
  const torchVersion = (args.flags.get('torch-version') as LintSettings['torchVersion']) ?? '2.x';
  // Only the model is needed here, not the rules.
  const tree = parser.parse(text);
  let optimizers: OptimizerSummary[];
  try {
    optimizers = summariseOptimizers(buildModel(tree.rootNode, torchVersion));
  } finally {
    tree.delete();
  }
  if (args.flags.get('format') === 'json') {
    io.out(`${JSON.stringify({ file, optimizers: optimizers.map(toJson) }, null, 2)}\n`);
    return 0;
  }
  if (optimizers.length === 0) {
    io.out(`${file}: no optimizer found\n`);
    return 0;
  }
  for (const opt of optimizers) io.out(formatOptimizer(file, opt));
  return 0;
}

/** 1-based lines and columns, like `check --format json`. */
function toJson(o: OptimizerSummary): unknown {
  const { character, ...rest } = o;
  return { ...rest, line: o.line + 1, column: character + 1, groups: o.groups?.map((g) => ({ ...g, line: g.line + 1 })) ?? null, schedulers: o.schedulers.map((s) => ({ ...s, line: s.line + 1 })) };
}

function formatOptimizer(file: string, opt: OptimizerSummary): string {
  const name = opt.variable ? `${opt.variable} = ${opt.className}` : opt.className;
  let out = `${file}:${opt.line + 1}: ${name}`;
  if (!opt.groups) return `${out}: parameter groups cannot be determined statically\n\n`;
  out += ` (${opt.groups.length} group${opt.groups.length === 1 ? '' : 's'}${opt.complete ? '' : '; the run may have other groups'})\n`;
  const rows = opt.groups.map((g) => {
    const holds = g.sources.length ? g.sources.join(' + ') : '?';
    const size = g.tensors === null ? 'unknown size' : g.tensors === 0 ? 'EMPTY' : `${g.tensors} tensor${g.tensors === 1 ? '' : 's'}${g.params !== null ? `, ${g.params.toLocaleString('en-US')} params` : ''}`;
    const hp = Object.entries(g.hyperparameters)
      .map(([k, v]) => `${k}=${v.text}${v.source === 'default' ? ' (default)' : v.source === 'optimizer' ? ' (optimizer)' : ''}`)
      .join('  ');
    return [`  group ${g.index}${g.addedLater ? '+' : ''}`, holds, size, hp];
  });
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  opt.groups.forEach((g, i) => {
    const r = rows[i];
    out += `${r[0]}  ${r[1].padEnd(w1)}  ${r[2].padEnd(w2)}  ${r[3]}\n`;
    if (g.mayBeMissing) out += `           (${g.mayBeMissing})\n`;
  });
  if (opt.lrs) {
    const sched = opt.schedulers[0];
    // A scheduler sets the lrs as soon as it is built: the list holds until then.
    const until = sched ? `  (until \`${sched.variable ? `${sched.variable} = ` : ''}${sched.className}(...)\` at line ${sched.line + 1} sets them: see \`optlint schedule\`)` : '';
    out += `  [g['lr'] for g in ${opt.variable ?? 'optimizer'}.param_groups] == [${opt.groups.map((g) => g.hyperparameters.lr?.text ?? '?').join(', ')}]${until}\n`;
  }
  return `${out}\n`;
}
