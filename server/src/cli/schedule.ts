/**
 * `optlint schedule FILE`: the lr (and momentum) of every param group at every step, for every
 * LR scheduler the file builds, simulated from source without running it.
 *
 * Output is streamed: values are produced chunk by chunk by the simulator and written as they
 * come, so a run of 10,000,000 steps needs no more memory than one of 100.
 */
import { buildModel } from '../core/model';
import { initParser, type BackendChoice } from '../core/parsing';
import {
  floatRepr,
  planFileSchedules,
  simulateStream,
  type FileSchedule,
  type SchedulePlan,
  type ScheduleError,
  type StreamSummary,
} from '../core/schedule';
import type { TorchVersion } from '../core/settings';
import { parseArgs, UsageError } from './args';
import type { Io } from './check';
import { readSource } from './files';
import { registerCommand } from './main';

/** Largest `--steps` accepted. */
export const MAX_CLI_STEPS = 10_000_000;
const SPARK_WIDTH = 60;
const SPARKS = '▁▂▃▄▅▆▇█';
const CHUNK = 65_536;
/** Runs longer than this get a note that they were streamed. */
const STREAM_NOTE_AT = 1_000_000;

export const SCHEDULE_USAGE = `Usage: optlint schedule FILE [--steps N] [--assume k=v,...] [--metrics v0,v1,...]
                        [--format text|json] [--torch-version 1.13|2.x]

Simulates every LR scheduler in FILE (a SequentialLR's children inside it) without
running the script: the lr of each parameter group at every scheduler step, and the
momentum / beta1 where the scheduler cycles it. Values are bit-identical to PyTorch on
this machine when the native libm addon is loaded ("exact").

  --steps N        number of scheduler.step() calls (1..${MAX_CLI_STEPS.toLocaleString('en-US')}); default: from the
                   loops around .step() (epochs x batches), else the schedule's own length
  --assume k=v,... values for quantities the file does not fix, by name:
                   args.epochs -> epochs, len(train_loader) -> steps_per_epoch,
                   cfg.peak_lr -> peak_lr (defaults: epochs=10, steps_per_epoch=100)
  --metrics v,...  values passed to ReduceLROnPlateau.step(), one per step, repeated
  --format         text (summary and sparkline per group; default) or json (every value)

Anything that cannot be simulated is reported as "not simulated: <why>" (exit 0).`;

const FLAGS = {
  steps: { value: true },
  assume: { value: true },
  metrics: { value: true },
  format: { value: true, choices: ['text', 'json'] },
  'torch-version': { value: true, choices: ['1.13', '2.x'] },
  parser: { value: true, choices: ['auto', 'native', 'binding', 'wasm'] },
  help: {},
  h: {},
};

function parseSteps(v: string | true | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^\d+$/.test(s)) throw new UsageError(`--steps must be a whole number from 1 to ${MAX_CLI_STEPS.toLocaleString('en-US')} (got '${s}')`);
  const n = Number(s);
  if (n < 1 || n > MAX_CLI_STEPS) throw new UsageError(`--steps must be from 1 to ${MAX_CLI_STEPS.toLocaleString('en-US')} (got ${s})`);
  return n;
}

function parseNumber(s: string, what: string): number {
  const t = s.trim();
  const n = t === '' ? NaN : Number(t.replace(/_/g, ''));
  if (!Number.isFinite(n)) throw new UsageError(`${what}: '${s}' is not a number`);
  return n;
}

/** `epochs=10,steps_per_epoch=100` -> record; keys are names (`args.epochs` is taken as `epochs`). */
export function parseAssume(v: string | true | undefined): Record<string, number> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const item of String(v).split(',')) {
    if (!item.trim()) continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw new UsageError(`--assume takes name=value pairs separated by commas (got '${item}')`);
    const key = item.slice(0, eq).trim().replace(/^.*\./, '');
    if (!/^[A-Za-z_]\w*$/.test(key)) throw new UsageError(`--assume: '${item.slice(0, eq)}' is not a name`);
    out[key] = parseNumber(item.slice(eq + 1), `--assume ${key}`);
  }
  return out;
}

function parseMetrics(v: string | true | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const out = String(v)
    .split(',')
    .filter((x) => x.trim() !== '')
    .map((x) => parseNumber(x, '--metrics'));
  if (!out.length) throw new UsageError('--metrics needs at least one value');
  return out;
}

export async function runSchedule(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.flags.has('help') || args.flags.has('h')) {
    io.out(`${SCHEDULE_USAGE}\n`);
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError('schedule takes exactly one FILE');
  const steps = parseSteps(args.flags.get('steps'));
  const assume = parseAssume(args.flags.get('assume'));
  const metrics = parseMetrics(args.flags.get('metrics'));
  const torchVersion = (args.flags.get('torch-version') as TorchVersion | undefined) ?? '2.x';
  const file = args.positionals[0];
  const text = readSource(file);
  const parser = await initParser({ backend: (args.flags.get('parser') as BackendChoice | undefined) ?? 'auto' });
  const tree = parser.parse(text);
  try {
    const model = buildModel(tree.rootNode, torchVersion);
    const plans = planFileSchedules({ model, root: tree.rootNode, text, steps, assume, metrics, torchVersion });
    if (args.flags.get('format') === 'json') writeJson(io, file, plans);
    else writeText(io, file, plans);
  } finally {
    tree.delete();
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Running a plan in passes

/** Runs the plan's simulation, handing every chunk to `onChunk`; undefined when there is no request. */
function stream(plan: SchedulePlan, onChunk: Parameters<typeof simulateStream>[1]): StreamSummary | undefined {
  if (!plan.request) return undefined;
  return simulateStream(plan.request, onChunk, { chunkSize: CHUNK });
}

/** The entry's fields that do not depend on the values. */
function outcome(plan: SchedulePlan, summary: StreamSummary | undefined): FileSchedule {
  const s: FileSchedule = { ...plan.schedule, notes: [...plan.schedule.notes] };
  if (!summary) return s;
  s.exact = summary.exact;
  s.notes.push(...summary.notes);
  if (summary.error) s.error = summary.error;
  const top = summary.schedulers.find((x) => x.id === `s${plan.scheduler.id}`);
  if (summary.notSimulated) s.notSimulated = summary.notSimulated;
  else if (top?.status === 'notSimulated') s.notSimulated = top.notSimulated;
  return s;
}

// ---------------------------------------------------------------------------------------------
// JSON

function numbers(a: Float64Array): string {
  let out = '';
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    // JSON has no NaN/Infinity; finite doubles print in the shortest form that round-trips.
    out += (i ? ',' : '') + (Number.isFinite(x) ? String(x) : 'null');
  }
  return out;
}

function writeJson(io: Io, file: string, plans: SchedulePlan[]): void {
  io.out(`{"file": ${JSON.stringify(file)}, "schedules": [`);
  plans.forEach((plan, k) => {
    // First pass: the summary (errors, exactness) and the shape (groups, momentum).
    let momentum = false;
    let initial: number[] | undefined;
    const summary = stream(plan, (c) => {
      if (c.start === 0) {
        momentum = c.groups.some((g) => g.momentum);
        initial = c.groups.map((g) => g.lr[0]);
      }
    });
    const s = outcome(plan, summary);
    if (initial && !s.notSimulated) s.initialLrs = initial;
    const meta = {
      variable: s.variable,
      line: s.line + 1,
      column: s.character + 1,
      endLine: s.endLine + 1,
      endColumn: s.endCharacter + 1,
      kind: s.kind,
      exact: s.exact,
      xAxis: s.xAxis,
      ...(s.stepsPerEpoch !== undefined ? { stepsPerEpoch: s.stepsPerEpoch } : {}),
      steps: summary && !s.notSimulated ? summary.steps : 0,
      assumptions: s.assumptions,
      assumptionSources: s.assumptionSources,
      children: s.children.map((c) => ({ ...c, line: c.line + 1 })),
      ...(s.notSimulated ? { notSimulated: s.notSimulated } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(s.initialLrs ? { initialLrs: s.initialLrs } : {}),
      notes: s.notes,
    };
    const head = JSON.stringify(meta, null, 2).replace(/\n}$/, '');
    io.out(`${k ? ',' : ''}\n${head.replace(/\n/g, '\n  ').replace(/^{/, '  {')},\n    "groups": [`);
    const labels = plan.request?.optimizer.groups.map((g) => g.label) ?? [];
    const G = s.notSimulated || !summary || summary.steps === 0 ? 0 : labels.length;
    for (let g = 0; g < G; g++) {
      io.out(`${g ? ',' : ''}\n      {"label": ${JSON.stringify(labels[g] ?? `group ${g}`)}, "lr": [`);
      stream(plan, (c) => io.out((c.start ? ',' : '') + numbers(c.groups[g].lr)));
      io.out(']');
      if (momentum) {
        io.out(', "momentum": [');
        stream(plan, (c) => io.out((c.start ? ',' : '') + numbers(c.groups[g].momentum!)));
        io.out(']');
      }
      io.out('}');
    }
    io.out(`${G ? '\n    ' : ''}]\n  }`);
  });
  io.out(`${plans.length ? '\n' : ''}]}\n`);
}

// ---------------------------------------------------------------------------------------------
// Text

/** Streaming summary of one series: start, peak, low, end, where it changes, a sparkline. */
class SeriesStats {
  start = NaN;
  end = NaN;
  max = -Infinity;
  maxAt = 0;
  min = Infinity;
  minAt = 0;
  changes = 0;
  firstChanges: number[] = [];
  lastChange = -1;
  private prev = NaN;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    private readonly n: number,
    readonly width = Math.max(1, Math.min(SPARK_WIDTH, n)),
  ) {
    this.sums = new Float64Array(this.width);
    this.counts = new Float64Array(this.width);
  }

  add(values: Float64Array, start: number): void {
    const w = this.width;
    const n = this.n;
    for (let k = 0; k < values.length; k++) {
      const i = start + k;
      const v = values[k];
      if (i === 0) this.start = v;
      else if (v !== this.prev && !(v !== v && this.prev !== this.prev)) {
        this.changes++;
        if (this.firstChanges.length < 7) this.firstChanges.push(i);
        this.lastChange = i;
      }
      this.prev = v;
      this.end = v;
      if (v > this.max) {
        this.max = v;
        this.maxAt = i;
      }
      if (v < this.min) {
        this.min = v;
        this.minAt = i;
      }
      const b = Math.min(w - 1, Math.floor((i * w) / n));
      this.sums[b] += v;
      this.counts[b]++;
    }
  }

  sparkline(): string {
    const span = this.max - this.min;
    let out = '';
    for (let b = 0; b < this.width; b++) {
      if (!this.counts[b]) continue;
      const v = this.sums[b] / this.counts[b];
      const level = span > 0 && Number.isFinite(span) ? Math.round(((v - this.min) / span) * (SPARKS.length - 1)) : 0;
      out += SPARKS[Math.max(0, Math.min(SPARKS.length - 1, level))];
    }
    return out;
  }

  where(unit: string, total: number): string {
    if (this.changes === 0) return 'constant';
    if (this.changes <= 6) return `changes at ${unit} ${this.firstChanges.slice(0, this.changes).join(', ')}`;
    if (this.changes === total - 1) return `changes at every ${unit}`;
    return `changes at ${this.changes.toLocaleString('en-US')} of ${(total - 1).toLocaleString('en-US')} ${unit}s, from ${unit} ${this.firstChanges[0]} to ${this.lastChange}`;
  }
}

const fmt = (x: number) => floatRepr(x);

function errorText(e: ScheduleError, torch: TorchVersion): string {
  const msg = torch === '1.13' && e.message113 ? e.message113 : e.message;
  const where = e.phase === 'construction' ? 'construction raises' : `step() raises at step ${e.step}:`;
  const other = torch === '1.13' ? (e.message113 && e.message113 !== e.message ? ` (torch 2.x: ${e.message})` : '') : e.message113 && e.message113 !== e.message ? ` (torch 1.13: ${e.message113})` : '';
  const only = e.onlyIn ? ` [only torch ${e.onlyIn} raises]` : '';
  return `${where} ${e.type}: ${msg}${other}${only}`;
}

function writeText(io: Io, file: string, plans: SchedulePlan[]): void {
  if (!plans.length) {
    io.out(`${file}: no LR scheduler found\n`);
    return;
  }
  for (const plan of plans) {
    const torch = plan.request?.torch ?? '2.x';
    const n = plan.schedule.steps;
    const labels = plan.request?.optimizer.groups.map((g) => g.label) ?? [];
    let lrStats: SeriesStats[] = [];
    let momStats: (SeriesStats | undefined)[] = [];
    const summary = stream(plan, (c) => {
      if (c.start === 0) {
        lrStats = c.groups.map(() => new SeriesStats(n));
        momStats = c.groups.map((g) => (g.momentum ? new SeriesStats(n) : undefined));
      }
      c.groups.forEach((g, i) => {
        lrStats[i].add(g.lr, c.start);
        if (g.momentum) momStats[i]?.add(g.momentum, c.start);
      });
    });
    const s = outcome(plan, summary);
    const name = s.variable ? `${s.variable} = ${s.kind}` : s.kind;
    io.out(`${file}:${s.line + 1}: ${name}${s.children.length ? ` (${s.children.map((c) => c.variable ?? c.kind).join(', ')})` : ''}${summary && !s.notSimulated ? (s.exact ? '  [exact]' : '  [approximate: V8 Math, within 1e-13]') : ''}\n`);
    const unit = s.xAxis === 'steps' ? 'step' : 'epoch';
    const assumed = Object.entries(s.assumptions).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? fmt(v) : v} (${s.assumptionSources[k]})`);
    if (s.notSimulated) {
      io.out(`  not simulated: ${s.notSimulated}\n`);
      if (assumed.length) io.out(`  assumed: ${assumed.join(', ')}\n`);
      io.out('\n');
      continue;
    }
    const steps = summary?.steps ?? 0;
    io.out(`  x axis: ${unit}s (${steps.toLocaleString('en-US')}${steps !== n ? ` of ${n.toLocaleString('en-US')}` : ''}${s.stepsPerEpoch ? `; ${s.stepsPerEpoch.toLocaleString('en-US')} steps per epoch` : ''}): ${s.notes[0]}\n`);
    if (assumed.length) io.out(`  assumed: ${assumed.join(', ')}\n`);
    for (const note of s.notes.slice(1)) io.out(`  note: ${note}\n`);
    if (steps > STREAM_NOTE_AT) io.out(`  note: ${steps.toLocaleString('en-US')} steps were streamed and summarised in constant memory (--format json writes every value)\n`);
    if (s.error) io.out(`  error: ${errorText(s.error, torch)}\n`);
    lrStats.forEach((st, g) => {
      io.out(`  group ${g}${labels[g] ? ` (${labels[g]})` : ''}: lr start ${fmt(st.start)}, peak ${fmt(st.max)} at ${unit} ${st.maxAt}, end ${fmt(st.end)}; ${st.where(unit, steps)}\n`);
      io.out(`    ${st.sparkline()}\n`);
      const m = momStats[g];
      if (m) io.out(`    momentum: start ${fmt(m.start)}, low ${fmt(m.min)} at ${unit} ${m.minAt}, end ${fmt(m.end)}\n`);
    });
    io.out('\n');
  }
}

registerCommand('schedule', runSchedule, SCHEDULE_USAGE);
