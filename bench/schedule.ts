/**
 * LR-simulator benchmark: 10^6 steps x 4 param groups of CosineAnnealingLR, OneCycleLR and
 * SequentialLR(LinearLR, CosineAnnealingLR), with the native batched libm and with the V8
 * fallback, and (when /usr/bin/python3 has torch) the same schedule run by real PyTorch in a
 * Python loop. Prints milliseconds and ratios in one run. Target: <= 50 ms native per schedule.
 * Then the per-file path the editor and `optlint schedule` take: every scheduler of each
 * sample, from source text to traces (simulateFileSchedules).
 *
 * Measured on the 2-core CI-like machine (best of 7, busy with other jobs; native = materialised):
 *
 *   schedule                    before block loops          after (15f5bef)
 *                               native   native stream      native   native stream
 *   CosineAnnealingLR           49-70    31-54              27-31    22-26
 *   OneCycleLR                  75-120   61-81              46-57    18-24
 *   SequentialLR(Linear, Cos)   48-61    41-43              33-50    23-25
 *
 * What is left of "native" over "native stream" is writing 32-64 MB of fresh Float64Arrays
 * (page faults included: ~17 ms for 8 x 10^6 doubles here), which materialising requires.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildModel } from '../server/src/core/model';
import { initParser } from '../server/src/core/parsing';
import { simulate, simulateFileSchedules, simulateStream, loadNativeLibm } from '../server/src/core/schedule';
import type { ScheduleRequest, SchedulerSpec } from '../server/src/core/schedule';
import { schedulerRef } from '../server/src/core/schedule/pyvalue';

const N = 1_000_000;
const GROUPS = [0.1, 0.05, 0.01, 0.001];
/** PyTorch is ~1000x slower: time a shorter run and scale it linearly (said so in the output). */
const N_TORCH = 100_000;
const TARGET_MS = 50;

interface Case {
  name: string;
  schedulers: SchedulerSpec[];
  /** Python that builds `sched` on `opt` for `n` steps. */
  python: (n: number) => string;
}

const CASES: Case[] = [
  {
    name: 'CosineAnnealingLR',
    schedulers: [{ id: 'c', className: 'CosineAnnealingLR', kwargs: { T_max: BigInt(N) } }],
    python: (n) => `sched = L.CosineAnnealingLR(opt, T_max=${n})`,
  },
  {
    name: 'OneCycleLR',
    schedulers: [{ id: 'o', className: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: BigInt(N) } }],
    python: (n) => `sched = L.OneCycleLR(opt, max_lr=0.1, total_steps=${n})`,
  },
  {
    name: 'SequentialLR(LinearLR, CosineAnnealingLR)',
    schedulers: [
      { id: 'w', className: 'LinearLR', kwargs: { start_factor: 0.01, total_iters: BigInt(N / 100) } },
      { id: 'c', className: 'CosineAnnealingLR', kwargs: { T_max: BigInt(N - N / 100) } },
      { id: 's', className: 'SequentialLR', kwargs: { schedulers: [schedulerRef('w'), schedulerRef('c')], milestones: [BigInt(N / 100)] } },
    ],
    python: (n) =>
      `w = L.LinearLR(opt, start_factor=0.01, total_iters=${n / 100})\n` +
      `c = L.CosineAnnealingLR(opt, T_max=${n - n / 100})\n` +
      `sched = L.SequentialLR(opt, [w, c], milestones=[${n / 100}])`,
  },
];

function request(c: Case, libm: 'native' | 'fallback'): ScheduleRequest {
  return {
    optimizer: { className: 'SGD', groups: GROUPS.map((lr) => ({ lr, momentum: 0.9 })) },
    schedulers: c.schedulers,
    steps: N,
    libm,
  };
}

/** Best and median wall time of `runs` timed calls after `warmup` untimed ones. */
function time(fn: () => void, warmup = 2, runs = 7): { best: number; median: number } {
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { best: ms[0], median: ms[Math.floor(ms.length / 2)] };
}

/** Times the schedule in real PyTorch; undefined (with a reason) when torch is unavailable. */
function timeTorch(c: Case): { ms?: number; why?: string } {
  const script = [
    'import time, warnings',
    'warnings.filterwarnings("ignore")',
    'import torch',
    'from torch.optim import lr_scheduler as L',
    `params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in ${JSON.stringify(GROUPS)}]`,
    'opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)',
    c.python(N_TORCH),
    't0 = time.perf_counter()',
    'out = []',
    `for i in range(${N_TORCH}):`,
    '    out.append([g["lr"] for g in opt.param_groups])',
    '    sched.step()',
    'print((time.perf_counter() - t0) * 1000)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', timeout: 600_000 });
  if (r.error) return { why: `cannot run /usr/bin/python3 (${r.error.message})` };
  if (r.status !== 0) {
    const err = (r.stderr || '').trim().split('\n').pop() ?? '';
    return { why: /No module named 'torch'/.test(r.stderr) ? '/usr/bin/python3 has no torch' : `python failed: ${err}` };
  }
  const ms = parseFloat(r.stdout.trim().split('\n').pop() ?? '');
  return Number.isFinite(ms) ? { ms: (ms * N) / N_TORCH } : { why: 'no timing printed' };
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

export async function runScheduleBench(): Promise<void> {
  const native = loadNativeLibm();
  // eslint-disable-next-line no-console
  const log = (s: string) => console.log(s);
  log(`LR simulator: ${N.toLocaleString('en-US')} steps x ${GROUPS.length} groups (best of 7 after 2 warm-up runs; median in brackets)`);
  log(`native libm: ${native.libm ? native.status.file : `NOT LOADED (${native.status.reason})`}`);
  log('');
  const head = ['schedule', 'native ms', 'native stream ms', 'fallback ms', 'fallback/native', 'torch ms*', 'torch/native', `<= ${TARGET_MS} ms`];
  const rows: string[][] = [head];
  let torchNote = '';
  for (const c of CASES) {
    const nat = time(() => {
      const r = simulate(request(c, 'native'));
      if (r.error || r.notSimulated) throw new Error(`${c.name}: ${r.error?.message ?? r.notSimulated}`);
    });
    const st = time(() => {
      simulateStream(request(c, 'native'), () => undefined);
    });
    const fb = time(() => {
      simulate(request(c, 'fallback'));
    });
    const torch = timeTorch(c);
    if (torch.why) torchNote = torch.why;
    rows.push([
      c.name,
      `${fmt(nat.best)} [${fmt(nat.median)}]`,
      `${fmt(st.best)} [${fmt(st.median)}]`,
      `${fmt(fb.best)} [${fmt(fb.median)}]`,
      `${(fb.best / nat.best).toFixed(2)}x`,
      torch.ms !== undefined ? fmt(torch.ms) : 'skipped',
      torch.ms !== undefined ? `${(torch.ms / nat.best).toFixed(0)}x` : '-',
      native.libm ? (nat.best <= TARGET_MS ? 'yes' : 'NO') : '(fallback only)',
    ]);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) log(r.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  '));
  log('');
  log(
    torchNote
      ? `* PyTorch skipped: ${torchNote}`
      : `* PyTorch: ${N_TORCH.toLocaleString('en-US')} steps of scheduler.step() plus reading group lrs in a Python loop, scaled x${N / N_TORCH} to ${N.toLocaleString('en-US')}.`,
  );
  log('  "native" and "fallback" materialise the 4 x 10^6 lr (and, for OneCycleLR, momentum) values in fresh');
  log('  Float64Arrays; "native stream" hands them out in reused 65,536-step chunks (simulateStream).');
  await runFileBench(log);
}

/** simulateFileSchedules on each sample with a scheduler: parse + model excluded, plan + simulate timed. */
async function runFileBench(log: (s: string) => void): Promise<void> {
  const dir = path.resolve(__dirname, '..', '..', 'samples');
  if (!fs.existsSync(dir)) return;
  const parser = await initParser();
  log('');
  log('from source (simulateFileSchedules: plan with assumptions, then simulate; best of 7):');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.py')).sort()) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const tree = parser.parse(text);
    const model = buildModel(tree.rootNode);
    if (!model.schedulers.length) {
      tree.delete();
      continue;
    }
    let out = simulateFileSchedules({ model, root: tree.rootNode, text });
    const t = time(() => {
      out = simulateFileSchedules({ model, root: tree.rootNode, text });
    });
    const what = out.map((s) => `${s.kind} ${s.notSimulated ? 'not simulated' : `${s.steps} ${s.xAxis}`}`).join(', ');
    log(`  ${f.padEnd(36)} ${fmt(t.best).padStart(6)} ms  ${what}`);
    tree.delete();
  }
}
