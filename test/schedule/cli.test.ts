/**
 * `optlint schedule` as a process: the JSON shape and exact round-trip of doubles (against a
 * golden trace recorded from PyTorch), the text summary with its sparkline, argument
 * validation (exit 2), --assume, --metrics, and a huge --steps run in bounded memory.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNativeLibm } from '../../server/src/core/schedule';
import { loadGolden, repoRoot } from '../golden/golden-data';

const ROOT = repoRoot();
const BIN = path.join(ROOT, 'bin', 'optlint.js');
const native = !!loadNativeLibm().libm;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlint-schedule-'));

function file(name: string, src: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, src);
  return p;
}

function run(args: string[], nodeArgs: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, BIN, 'schedule', ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonOut {
  file: string;
  schedules: Array<{
    variable: string | null;
    line: number;
    kind: string;
    exact: boolean;
    xAxis: string;
    steps: number;
    assumptions: Record<string, number | string>;
    assumptionSources: Record<string, string>;
    notSimulated?: string;
    error?: { type: string; message: string };
    groups: Array<{ label: string; lr: number[]; momentum?: number[] }>;
  }>;
}

// The golden configuration "OneCycleLR per-group max_lr, epochs x steps_per_epoch, Adam beta1",
// written as a script.
const ONECYCLE = `import torch
import torch.nn as nn
from torch.optim.lr_scheduler import OneCycleLR

model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
optimizer = torch.optim.Adam([
    {"params": model[0].parameters(), "lr": 0.1},
    {"params": model[1].parameters(), "lr": 0.01},
])
scheduler = OneCycleLR(optimizer, [0.1, 0.01], epochs=5, steps_per_epoch=20, pct_start=0.25)
for epoch in range(5):
    for batch in train_loader:
        optimizer.step()
        scheduler.step()
`;

test('JSON: one entry per scheduler, doubles that round-trip to the golden PyTorch trace bit for bit', () => {
  const golden = loadGolden().configs.find((c) => c.name === 'OneCycleLR per-group max_lr, epochs x steps_per_epoch, Adam beta1');
  assert.ok(golden?.trace, 'the golden configuration exists');
  const r = run([file('onecycle.py', ONECYCLE), '--format', 'json', '--torch-version', '1.13']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as JsonOut;
  assert.equal(out.schedules.length, 1);
  const s = out.schedules[0];
  assert.equal(s.variable, 'scheduler');
  assert.equal(s.line, 10);
  assert.equal(s.kind, 'OneCycleLR');
  assert.equal(s.xAxis, 'steps');
  assert.equal(s.steps, 100, 'the loops give 5 x 20 steps (steps_per_epoch from the literal, epochs from the range)');
  assert.equal(s.exact, native);
  assert.equal(s.groups.length, 2);
  golden.trace.lr.forEach((want, g) => {
    const got = s.groups[g].lr;
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      if (native) assert.ok(Object.is(got[i], want[i]), `lr group ${g} step ${i}: ${got[i]} != ${want[i]}`);
      else assert.ok(Math.abs(got[i] - want[i]) <= 1e-13 * Math.abs(want[i]), `lr group ${g} step ${i}`);
    }
  });
  golden.trace.momentum!.forEach((want, g) => {
    const got = s.groups[g].momentum!;
    for (let i = 0; i < want.length; i++) {
      if (native) assert.ok(Object.is(got[i], want[i]), `beta1 group ${g} step ${i}`);
      else assert.ok(Math.abs(got[i] - want[i]) <= 1e-13 * Math.abs(want[i]));
    }
  });
});

test('text: a summary per group (start, peak, end, where it changes) and a sparkline', () => {
  const r = run([file('onecycle.py', ONECYCLE)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /onecycle\.py:10: scheduler = OneCycleLR/);
  assert.match(r.stdout, /group 0 \(model\[0\]\): lr start 0\.0040000000000000036, peak 0\.1 at step 24, end 4e-07; changes at every step/);
  assert.match(r.stdout, /^ {4}[▁▂▃▄▅▆▇█]{60}$/m);
  assert.match(r.stdout, /momentum: start 0\.95, low 0\.85 at step 24, end 0\.95/);

  const step = run([file('step.py', `import torch
model = torch.nn.Linear(2, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30)
for epoch in range(90):
    for batch in loader:
        opt.step()
    sched.step()
`)]);
  assert.match(step.stdout, /x axis: epochs \(90; 100 steps per epoch\)/);
  assert.match(step.stdout, /changes at epoch 30, 60/);
  assert.match(step.stdout, /assumed: steps_per_epoch=100 \(default\)/);
});

test('--steps must be a whole number from 1 to 10,000,000: otherwise a usage error, exit 2', () => {
  const f = file('onecycle.py', ONECYCLE);
  for (const bad of ['0', '-5', 'abc', '1.5', '10000001', '']) {
    const r = run([f, `--steps=${bad}`]);
    assert.equal(r.code, 2, `--steps=${bad}: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /--steps/);
    assert.match(r.stderr, /Usage: optlint schedule FILE/);
  }
  assert.equal(run([f, '--steps', '7']).code, 0);
  assert.equal(run([f, '--steps']).code, 2, 'a missing value');
  assert.equal(run([]).code, 2, 'no file');
  assert.equal(run([path.join(dir, 'missing.py')]).code, 2, 'a missing file');
});

test('--assume: names, values, and the dotted form; bad pairs are usage errors', () => {
  const f = file('assume.py', `import argparse
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
args = parser.parse_args()
model = torch.nn.Linear(2, 2)
opt = torch.optim.SGD(model.parameters(), lr=cfg.base_lr)
sched = CosineAnnealingLR(opt, T_max=args.epochs * len(train_loader))
for epoch in range(args.epochs):
    for batch in train_loader:
        opt.step()
        sched.step()
`);
  const missing = run([f]);
  assert.equal(missing.code, 0);
  assert.match(missing.stdout, /not simulated: the lr of group 0 cannot be determined: `cfg\.base_lr` is not known statically \(assume a value for `base_lr`/);

  const r = run([f, '--assume', 'cfg.base_lr=0.2,epochs=2,steps_per_epoch=5', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const s = (JSON.parse(r.stdout) as JsonOut).schedules[0];
  assert.equal(s.notSimulated, undefined);
  assert.deepEqual(s.assumptions, { base_lr: 0.2, epochs: 2, steps_per_epoch: 5 });
  assert.deepEqual(s.assumptionSources, { base_lr: '--assume', epochs: '--assume', steps_per_epoch: '--assume' });
  assert.equal(s.steps, 10);
  assert.equal(s.groups[0].lr[0], 0.2);

  for (const bad of ['epochs', 'epochs=', 'epochs=ten', '1x=3']) assert.equal(run([f, '--assume', bad]).code, 2, bad);
});

test('--metrics feeds ReduceLROnPlateau.step(), repeated from the start', () => {
  const f = file('plateau.py', `import torch
model = torch.nn.Linear(2, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
for epoch in range(8):
    for batch in loader:
        opt.step()
    sched.step(val_loss)
`);
  const without = run([f]);
  assert.equal(without.code, 0);
  assert.match(without.stdout, /not simulated: .*metric/);
  const r = run([f, '--metrics', '1.0,0.9,0.95,0.97', '--format', 'json']);
  const s = (JSON.parse(r.stdout) as JsonOut).schedules[0];
  // 1.0, 0.9 (best), 0.95, 0.97: cut after two bad epochs; then 1.0, 0.9 (not better than 0.9): cut again
  assert.deepEqual(s.groups[0].lr, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  assert.equal(run([f, '--metrics', '1,x']).code, 2);
});

test('not simulated and configuration errors are output, exit 0', () => {
  const f = file('bad.py', `import torch
model = torch.nn.Linear(2, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
a = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: [0.9 ** k for k in range(e)][-1])
b = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1)
`);
  const r = run([f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /not simulated: uses a list comprehension, outside the safe subset/);
  assert.match(r.stdout, /error: construction raises ValueError: You must define either total_steps OR \(epochs AND steps_per_epoch\)/);
  const none = run([file('none.py', 'import torch\n')]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /no LR scheduler found/);
});

test('a huge --steps run is streamed in bounded memory, with a note', () => {
  const f = file('cos.py', `import torch
model = torch.nn.Linear(2, 2)
opt = torch.optim.SGD([{"params": model.weight, "lr": 0.1}, {"params": model.bias, "lr": 0.01}], momentum=0.9)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=1000)
`);
  // 10^7 steps x 2 groups would need 160 MB as doubles alone: 64 MB of heap proves it streams.
  const r = run([f, '--steps', '10000000'], ['--max-old-space-size=64']);
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  assert.match(r.stdout, /x axis: epochs \(10,000,000; 100 steps per epoch\)/);
  assert.match(r.stdout, /10,000,000 steps were streamed and summarised in constant memory/);
});
