/**
 * From source text to FileSchedule: one sample per scheduler family, the assumptions listed, the
 * x axis from the loops, SequentialLR children inside their parent, the reasons something is
 * not simulated, and PyTorch's configuration errors.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { buildModel } from '../../server/src/core/model';
import { loadNativeLibm, simulate, simulateFileSchedules, type FileSchedule, type FileScheduleOptions } from '../../server/src/core/schedule';
import { UNFOCUSED_MAX_SOURCE } from '../../server/src/core/schedule/file';
import type { TorchVersion } from '../../server/src/core/settings';

const native = !!loadNativeLibm().libm;

const HEADER = `import math
import functools
import argparse
import torch
import torch.nn as nn
from torch.optim import lr_scheduler
from torch.optim.lr_scheduler import OneCycleLR, CosineAnnealingLR, LinearLR, SequentialLR, LambdaLR
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
`;

async function schedules(src: string, opts: Partial<FileScheduleOptions> & { torch?: TorchVersion } = {}): Promise<FileSchedule[]> {
  const parser = await initParser();
  const text = HEADER + src;
  // The tree stays alive: the model holds its nodes.
  const tree = parser.parse(text);
  const model = buildModel(tree.rootNode, opts.torch ?? '2.x');
  return simulateFileSchedules({ model, root: tree.rootNode, text, ...opts });
}

async function only(src: string, opts: Partial<FileScheduleOptions> & { torch?: TorchVersion } = {}): Promise<FileSchedule> {
  const all = await schedules(src, opts);
  assert.equal(all.length, 1, `expected one schedule, got ${all.map((s) => s.kind).join(', ')}`);
  return all[0];
}

const SGD2 = `optimizer = torch.optim.SGD([
    {"params": model[0].parameters(), "lr": 0.01},
    {"params": model[2].parameters()},
], lr=0.1, momentum=0.9)
`;

test('CosineAnnealingLR stepped per epoch with T_max=EPOCHS: epochs axis, exact values, position', async () => {
  const s = await only(`${SGD2}EPOCHS = 5
scheduler = CosineAnnealingLR(optimizer, T_max=EPOCHS)
for epoch in range(EPOCHS):
    for x, y in train_loader:
        optimizer.step()
    scheduler.step()
`);
  assert.equal(s.kind, 'CosineAnnealingLR');
  assert.equal(s.variable, 'scheduler');
  assert.equal(s.line, HEADER.split('\n').length - 1 + 5);
  assert.equal(s.character, 12);
  assert.equal(s.xAxis, 'epochs');
  assert.equal(s.steps, 5);
  assert.equal(s.groups.length, 2);
  assert.equal(s.groups[0].label, 'model[0]');
  const direct = simulate({
    optimizer: { className: 'SGD', groups: [{ lr: 0.01, momentum: 0.9 }, { lr: 0.1, momentum: 0.9 }] },
    schedulers: [{ id: 'c', className: 'CosineAnnealingLR', kwargs: { T_max: 5n } }],
    steps: 5,
  });
  assert.deepEqual(s.groups[0].lr, Array.from(direct.effective[0].lr));
  assert.deepEqual(s.groups[1].lr, Array.from(direct.effective[1].lr));
  assert.deepEqual(s.initialLrs, [0.01, 0.1]);
  assert.equal(s.exact, native);
  // T_max and the epoch count are literals: only the plot's steps per epoch is assumed.
  assert.deepEqual(Object.keys(s.assumptions), ['steps_per_epoch']);
  assert.equal(s.stepsPerEpoch, 100);
});

test('OneCycleLR per batch: argparse default epochs, len(loader) assumed, momentum cycled, list max_lr', async () => {
  const s = await only(`${SGD2}parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch-size", type=int, default=32)
args = parser.parse_args()
train_loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size)
scheduler = OneCycleLR(optimizer, max_lr=[0.01, 0.1], epochs=args.epochs, steps_per_epoch=len(train_loader))
for epoch in range(args.epochs):
    for batch in train_loader:
        optimizer.step()
        scheduler.step()
`);
  assert.equal(s.xAxis, 'steps');
  assert.equal(s.steps, 300);
  assert.deepEqual(s.assumptions, { epochs: 3, steps_per_epoch: 100 });
  assert.equal(s.assumptionSources.epochs, 'argparse default of --epochs');
  assert.equal(s.assumptionSources.steps_per_epoch, 'default');
  assert.equal(s.stepsPerEpoch, 100);
  assert.equal(s.groups[1].lr.length, 300);
  assert.equal(Math.max(...s.groups[1].lr), 0.1);
  assert.equal(s.groups[0].momentum?.[0], 0.95);
  assert.equal(s.error, undefined);
  // OneCycleLR starts at max_lr / div_factor (through its cos formula), whatever the group's own lr
  assert.deepEqual(s.initialLrs, [0.01 + (0.01 / 25 - 0.01) / 2 * 2, 0.1 + (0.1 / 25 - 0.1) / 2 * 2]);
  assert.equal(s.initialLrs?.[1], 0.0040000000000000036);
});

test('--assume values win over defaults and argparse defaults, and are listed as such', async () => {
  const s = await only(`${SGD2}parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
args = parser.parse_args()
scheduler = OneCycleLR(optimizer, max_lr=[0.01, 0.1], epochs=args.epochs, steps_per_epoch=len(train_loader))
for epoch in range(args.epochs):
    for batch in train_loader:
        optimizer.step()
        scheduler.step()
`, { assume: { epochs: 2, steps_per_epoch: 7 } });
  assert.equal(s.steps, 14);
  assert.deepEqual(s.assumptions, { epochs: 2, steps_per_epoch: 7 });
  assert.deepEqual(s.assumptionSources, { epochs: '--assume', steps_per_epoch: '--assume' });
});

test('Hugging Face get_linear_schedule_with_warmup: total from len(loader) * epochs, stepped per batch', async () => {
  const s = await only(`from transformers import get_linear_schedule_with_warmup
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
EPOCHS = 2
num_training_steps = len(train_dataloader) * EPOCHS
scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=10, num_training_steps=num_training_steps)
for epoch in range(EPOCHS):
    for step, batch in enumerate(train_dataloader):
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
`, { assume: { steps_per_epoch: 50 } });
  assert.equal(s.kind, 'get_linear_schedule_with_warmup');
  assert.equal(s.xAxis, 'steps');
  assert.equal(s.steps, 100);
  assert.deepEqual(s.assumptions, { steps_per_epoch: 50 });
  const lr = s.groups[0].lr;
  assert.equal(lr[0], 0);
  assert.equal(lr[10], 5e-5);
  assert.equal(lr[99], 5e-5 * (1 / 90));
});

test('HF-style def lr_lambda inside a factory function, and functools.partial, run in the safe interpreter', async () => {
  const all = await schedules(`optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
def get_warmup_schedule(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))
    return LambdaLR(optimizer, lr_lambda, last_epoch)

def _decay(step, *, rate):
    return rate ** step

sched_a = get_warmup_schedule(optimizer, 4, 20)
sched_b = LambdaLR(optimizer, functools.partial(_decay, rate=0.5))
`, { steps: 20 });
  assert.equal(all.length, 2);
  const [a, b] = all;
  assert.equal(a.notSimulated, undefined, a.notSimulated);
  assert.deepEqual(a.groups[0].lr.slice(0, 6), [0, 0.025, 0.05, 0.07500000000000001, 0.1, 0.1 * (15 / 16)]);
  // Nothing of the schedule is assumed (no loop: the plot's steps per epoch is).
  assert.deepEqual(Object.keys(a.assumptions), ['steps_per_epoch']);
  assert.equal(b.notSimulated, undefined, b.notSimulated);
  assert.deepEqual(b.groups[0].lr.slice(0, 3), [0.1, 0.05, 0.025]);
});

test('SequentialLR: one entry with its children inside, not separate', async () => {
  const all = await schedules(`${SGD2}warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
cosine = CosineAnnealingLR(optimizer, T_max=45)
scheduler = SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[5])
for epoch in range(50):
    for x in train_loader:
        optimizer.step()
    scheduler.step()
`);
  assert.equal(all.length, 1);
  const s = all[0];
  assert.equal(s.kind, 'SequentialLR');
  assert.deepEqual(s.children.map((c) => [c.variable, c.kind]), [['warmup', 'LinearLR'], ['cosine', 'CosineAnnealingLR']]);
  assert.equal(s.xAxis, 'epochs');
  assert.equal(s.steps, 50);
  assert.equal(s.groups[0].lr[0], 0.001);
  assert.equal(s.groups[1].lr[5], 0.1);

  const inline = await schedules(`${SGD2}scheduler = SequentialLR(optimizer, [LinearLR(optimizer, 0.5, total_iters=2), lr_scheduler.ExponentialLR(optimizer, 0.9)], [2])
`, { steps: 6 });
  assert.equal(inline.length, 1);
  assert.equal(inline[0].children.length, 2);
  assert.equal(inline[0].groups[1].lr.length, 6);
});

test('StepLR, MultiStepLR, ExponentialLR, CyclicLR, CosineAnnealingWarmRestarts, PolynomialLR, ConstantLR', async () => {
  const all = await schedules(`opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
a = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
b = lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
c = lr_scheduler.ExponentialLR(opt, gamma=0.9)
d = lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
e = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3)
f = lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
g = lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
`, { steps: 6 });
  assert.deepEqual(all.map((s) => s.kind), ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CyclicLR', 'CosineAnnealingWarmRestarts', 'PolynomialLR', 'ConstantLR']);
  for (const s of all) {
    assert.equal(s.notSimulated, undefined, `${s.kind}: ${s.notSimulated}`);
    assert.equal(s.error, undefined);
    assert.equal(s.groups[0].lr.length, 6);
  }
  // Each is simulated on its own: the later constructors do not disturb the earlier entries.
  assert.deepEqual(all[0].groups[0].lr, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05]);
  assert.ok(all[3].groups[0].momentum, 'CyclicLR cycles momentum');
});

test('a scheduler chosen by an if/elif is stepped by the step() after it, whichever it is (torchvision references)', async () => {
  const all = await schedules(`def main(kind):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    if kind == "multistep":
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[16, 22], gamma=0.1)
    elif kind == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=26)
    for epoch in range(26):
        opt.step()
        sched.step()
`);
  assert.deepEqual(all.map((s) => [s.kind, s.xAxis, s.steps]), [['MultiStepLR', 'epochs', 26], ['CosineAnnealingLR', 'epochs', 26]]);
  assert.equal(all[0].groups[0].lr[16], 0.010000000000000002, 'MultiStepLR decays at epoch 16');
});

test('a step() given the epoch (fractional epochs of CosineAnnealingWarmRestarts) is not simulated as a count of calls', async () => {
  const s = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=10, T_mult=2)
iters = 50
for epoch in range(30):
    for i in range(iters):
        opt.step()
        sched.step(epoch + i / iters)
`);
  assert.match(s.notSimulated ?? '', /^`sched\.step\(epoch \+ i \/ iters\)` passes the epoch to step\(\)/);
  assert.deepEqual(s.groups, []);
});

test('ReduceLROnPlateau needs the metrics; given them (repeated from the start) it is simulated', async () => {
  const src = `opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
for epoch in range(6):
    for x in loader:
        opt.step()
    sched.step(val_loss)
`;
  const without = await only(src);
  assert.match(without.notSimulated ?? '', /metric/);
  assert.match(without.notSimulated ?? '', /^`sched` \(ReduceLROnPlateau\)/, 'named as in the file, not by its id in the request');
  // 1.0, 2.0, 1.0, 2.0, ...: nothing improves on the first 1.0, and patience is 0
  const withMetrics = await only(src, { metrics: [1.0, 2.0] });
  assert.equal(withMetrics.notSimulated, undefined);
  assert.deepEqual(withMetrics.groups[0].lr, [0.1, 0.1, 0.05, 0.025, 0.0125, 0.00625]);
});

test('the x axis: an iteration loop (nanoGPT) is per step with its own length; a step beside the optimizer step in a function is per step', async () => {
  const s = await only(`max_iters = 600
opt = torch.optim.AdamW(model.parameters(), lr=6e-4)
sched = CosineAnnealingLR(opt, T_max=max_iters)
for it in range(max_iters):
    opt.step()
    sched.step()
`);
  assert.equal(s.xAxis, 'steps');
  assert.equal(s.steps, 600);
  assert.deepEqual(s.assumptions, { steps_per_epoch: 100 });

  const t = await only(`optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4)
scheduler = lr_scheduler.StepLR(optimizer, 10)
def train_step(batch):
    optimizer.step()
    scheduler.step()
`);
  assert.equal(t.xAxis, 'steps');
});

test("an iteration loop inside an epoch loop gives the plot's steps per epoch; alone it does not", async () => {
  const s = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = OneCycleLR(opt, max_lr=0.1, total_steps=60)
for epoch in range(3):
    for step in range(20):
        opt.step()
        sched.step()
`);
  assert.equal(s.xAxis, 'steps');
  assert.equal(s.steps, 60);
  assert.equal(s.stepsPerEpoch, 20);
  assert.equal(s.assumptions.steps_per_epoch, undefined);

  // nanoGPT: the iteration loop is the whole run, not an epoch.
  const t = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = OneCycleLR(opt, max_lr=0.1, total_steps=60)
for step in range(60):
    opt.step()
    sched.step()
`);
  assert.equal(t.stepsPerEpoch, 100);
  assert.deepEqual(t.assumptions, { steps_per_epoch: 100 });
});

test('only the assumptions a schedule depends on are listed', async () => {
  const s = await only(`parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--batch_size", type=int, default=64)
parser.add_argument("--epochs", type=int, default=4)
args = parser.parse_args()
loader = DataLoader(ds, batch_size=args.batch_size)
opt = torch.optim.SGD(model.parameters(), lr=args.lr)
sched = CosineAnnealingLR(opt, T_max=args.epochs)
for epoch in range(args.epochs):
    for x in loader:
        opt.step()
    sched.step()
`);
  assert.deepEqual(s.assumptions, { lr: 0.05, epochs: 4, steps_per_epoch: 100 });
  assert.equal(s.assumptionSources.lr, 'argparse default of --lr');
  assert.equal(s.steps, 4);
  assert.equal(s.initialLrs?.[0], 0.05);
});

test('not simulated: unknown class, lambda outside the subset, unresolvable value, unknown groups', async () => {
  const unknown = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = lr_scheduler.WarmupCosineLR(opt, 10)
`);
  assert.equal(unknown.notSimulated, '`WarmupCosineLR` is not a scheduler the simulator knows');

  const comprehension = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = LambdaLR(opt, lambda e: max([0.9 ** k for k in range(e)] + [1.0]))
`);
  assert.match(comprehension.notSimulated ?? '', /list comprehension, outside the safe subset/);

  const value = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = OneCycleLR(opt, max_lr=cfg.peak_lr, total_steps=100)
`);
  assert.match(value.notSimulated ?? '', /`cfg\.peak_lr` is not known statically \(assume a value for `peak_lr`/);
  const assumed = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = OneCycleLR(opt, max_lr=cfg.peak_lr, total_steps=100)
`, { assume: { peak_lr: 0.2 } });
  assert.equal(assumed.notSimulated, undefined);
  assert.deepEqual(assumed.assumptions, { peak_lr: 0.2, steps_per_epoch: 100 });
  assert.equal(Math.max(...assumed.groups[0].lr), 0.2);

  const groups = await only(`opt = torch.optim.SGD(get_param_groups(model), lr=0.1)
sched = CosineAnnealingLR(opt, 10)
`);
  assert.equal(groups.notSimulated, "the optimizer's parameter groups cannot be determined");

  const noOptimizer = await only(`sched = CosineAnnealingLR(build_optimizer(), 10)
`);
  assert.equal(noOptimizer.notSimulated, "the optimizer's parameter groups cannot be determined");
});

test('configuration errors come back as errors with both versions\u2019 messages, not as traces', async () => {
  const list = await only(`${SGD2}sched = OneCycleLR(optimizer, max_lr=[0.1, 0.2, 0.3], total_steps=100)
`);
  assert.equal(list.error?.type, 'ValueError');
  assert.equal(list.error?.message, 'max_lr must have the same length as optimizer.param_groups. max_lr has 3 values, param_groups has 2.');
  assert.equal(list.error?.message113, 'expected 2 values for max_lr, got 3');
  assert.equal(list.error?.argument, 'max_lr');
  assert.equal(list.groups.length, 0);

  const seq = await only(`${SGD2}a = LinearLR(optimizer)
b = CosineAnnealingLR(optimizer, 10)
s = SequentialLR(optimizer, [a, b], milestones=[5, 10])
`);
  assert.equal(seq.error?.argument, 'milestones');
  assert.match(seq.error?.message ?? '', /^Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points/);

  const verbose = `${SGD2}sched = lr_scheduler.StepLR(optimizer, 10, verbose=True)
`;
  const v2 = await only(verbose);
  assert.equal(v2.error?.message, "StepLR.__init__() got an unexpected keyword argument 'verbose'");
  assert.equal(v2.error?.onlyIn, '2.x');
  const v113 = await only(verbose, { torch: '1.13' });
  assert.equal(v113.error, undefined);
  assert.equal(v113.groups[0].lr.length, 10);

  const past = await only(`${SGD2}sched = OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
`, { steps: 13 });
  assert.equal(past.error?.phase, 'step');
  assert.equal(past.error?.message, 'Tried to step 11 times. The specified number of total steps is 10');
  assert.equal(past.groups[0].lr.length, 11, 'the values up to the failing step are kept');
});

test('the torch version option switches the emulated behaviour', async () => {
  const src = `opt = torch.optim.SGD(model.parameters(), lr=0.1)
a = LinearLR(opt, start_factor=0.1, total_iters=3)
b = lr_scheduler.MultiplicativeLR(opt, lambda e: 0.9)
s = SequentialLR(opt, [a, b], milestones=[3])
`;
  const v2 = await only(src, { steps: 6 });
  const v113 = await only(src, { steps: 6, torchVersion: '1.13' });
  assert.notDeepEqual(v2.groups[0].lr, v113.groups[0].lr, 'the 1.13 hand-over differs (reference §0.5)');
});

test('an assumed steps_per_epoch stays an int ("eps" inside "steps" is not a float key)', async () => {
  const { initParser } = await import('../../server/src/core/parsing');
  const { buildModel } = await import('../../server/src/core/model');
  const { simulateFileSchedules } = await import('../../server/src/core/schedule');
  const text = `import torch
model = torch.nn.Linear(2, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=args.epochs, steps_per_epoch=len(train_loader))
for epoch in range(args.epochs):
    for batch in train_loader:
        optimizer.step()
        scheduler.step()
`;
  const parser = await initParser();
  const tree = parser.parse(text);
  const [s] = simulateFileSchedules({ model: buildModel(tree.rootNode), root: tree.rootNode, text, assume: { steps_per_epoch: 40, epochs: 2 } });
  assert.equal(s.error, undefined, JSON.stringify(s.error));
  assert.equal(s.notSimulated, undefined);
  assert.equal(s.groups[0].lr.length, 80);
  assert.equal(s.assumptions.steps_per_epoch, 40);
});

test('a list or dict changed in place is not read from before the change: not simulated rather than wrong', async () => {
  // Module level, a loop inside a function, an item assignment: each would have given the old value.
  const appended = await only(`milestones = []
milestones.append(2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
s = lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=0.1)
`, { steps: 4 });
  assert.match(appended.notSimulated ?? '', /`milestones` is changed in place by `milestones\.append\(2\)` \(line \d+\)/);
  // An assumed value cannot stand in for what the file fixes.
  const assumed = await only(`milestones = []
milestones.append(2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
s = lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=0.1)
`, { steps: 4, assume: { milestones: 3 } });
  assert.match(assumed.notSimulated ?? '', /changed in place/);
  const inLoop = await only(`def train(epochs=4):
    ms = [1]
    for k in range(2, epochs):
        ms.append(k)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    s = lr_scheduler.MultiStepLR(opt, milestones=ms, gamma=0.5)
`, { steps: 4 });
  assert.match(inLoop.notSimulated ?? '', /`ms` is changed in place by a `for` loop/);
  const item = await only(`cfg = {"gamma": 0.5}
cfg["gamma"] = 0.9
opt = torch.optim.SGD(model.parameters(), lr=0.1)
s = lr_scheduler.StepLR(opt, step_size=1, gamma=cfg["gamma"])
`, { steps: 3 });
  const literal = await only(`opt = torch.optim.SGD(model.parameters(), lr=0.1)
s = lr_scheduler.StepLR(opt, step_size=1, gamma=0.9)
`, { steps: 3 });
  // The model follows the item assignment; the interpreter does not, and no longer reads 0.5.
  if (!item.notSimulated) assert.deepEqual(item.groups[0].lr, literal.groups[0].lr);
  const deleted = await only(`milestones = [1, 2]
del milestones[0]
opt = torch.optim.SGD(model.parameters(), lr=0.1)
s = lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=0.1)
`, { steps: 4 });
  assert.match(deleted.notSimulated ?? '', /`milestones` is changed in place/);
  // Calls on modules, on values nothing can change, and methods that only read leave them known.
  const untouched = await only(`torch.manual_seed(0)
math.floor(2.5)
cfg = {"gamma": 0.5, "step": 1}
for key, value in cfg.items():
    print(key, value)
cfg.get("gamma")
gamma = 0.5
name = "run"
name.upper()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
s = lr_scheduler.StepLR(opt, step_size=cfg["step"], gamma=gamma * math.cos(0) * cfg["gamma"] * 2)
`, { steps: 3 });
  assert.equal(untouched.notSimulated, undefined, untouched.notSimulated);
  assert.deepEqual(untouched.groups[0].lr, [0.1, 0.05, 0.025]);
});

test('a name bound in an if or a loop is unresolved however the file is planned: focused, the names that statement reads are not needed', async () => {
  const tail = `gamma = 0.5
for epoch in range(2):
    if epoch == 1:
        gamma = helper_that_is_never_defined(epoch)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
s = lr_scheduler.StepLR(opt, step_size=1, gamma=gamma)
`;
  const short = await only(tail);
  const fillers = Array.from({ length: 2500 }, (_, i) => `filler_${i} = ${i} + 1\n`).join('');
  assert.ok(fillers.length > UNFOCUSED_MAX_SOURCE);
  const long = await only(fillers + tail);
  assert.ok(short.notSimulated && /gamma/.test(short.notSimulated), short.notSimulated);
  assert.equal(long.notSimulated, short.notSimulated);
});

test('a long file, or one whose bindings take many steps, is planned from only what the plans read, with the same schedule', async () => {
  const tail = `parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
args = parser.parse_args()
opt = torch.optim.SGD([{"params": model[0].parameters(), "lr": 0.01}, {"params": model[2].parameters()}], lr=0.1, momentum=0.9)
s = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
for epoch in range(args.epochs):
    s.step()
`;
  const comparable = (s: FileSchedule) => ({ ...s, line: 0, endLine: 0, children: [] });
  const short = await only(tail);
  assert.deepEqual(short.groups.map((g) => g.lr), [[0.01, 0.005, 0.0025], [0.1, 0.05, 0.025]]);
  assert.equal(short.assumptions.epochs, 3);
  // Longer than what is planned unfocused first.
  const fillers = Array.from({ length: 2500 }, (_, i) => `filler_${i} = ${i} + 1\n`).join('');
  assert.ok(fillers.length > UNFOCUSED_MAX_SOURCE);
  const long = await only(fillers + tail);
  assert.deepEqual(comparable(long), comparable(short));
  assert.equal(long.line - short.line, 2500);
  // Short, but its bindings call a recursive helper: together more steps than the allowance.
  const calls = Array.from({ length: 20 }, (_, i) => `depth_${i} = count_down(60)\n`).join('');
  const busy = `def count_down(n):
    return 0 if n == 0 else 1 + count_down(n - 1)
${calls}`;
  assert.ok((HEADER + busy + tail).length < UNFOCUSED_MAX_SOURCE);
  const stepped = await only(busy + tail);
  assert.deepEqual(comparable(stepped), comparable(short));
});

test('module-level code reads the bindings made before it: a name assigned again later keeps its earlier value there', async () => {
  const all = await schedules(`${SGD2}EPOCHS = 3
first = CosineAnnealingLR(optimizer, T_max=EPOCHS)
for epoch in range(EPOCHS):
    for x, y in train_loader:
        optimizer.step()
    first.step()
EPOCHS = 7
second = CosineAnnealingLR(optimizer, T_max=EPOCHS)
def train():
    for epoch in range(EPOCHS):
        for x, y in train_loader:
            optimizer.step()
        second.step()
train()
`);
  assert.deepEqual(
    all.map((s) => [s.variable, s.steps]),
    [
      ['first', 3],
      // Code in a function runs when it is called: after the whole module here.
      ['second', 7],
    ],
  );
});

test('a scheduler never stepped: its lr stays where the constructor set it, for as long as the optimizer trains', async () => {
  // The variable is never read again: StepLR's decay never happens (torch 1.13.1: still 0.1 after 6 epochs).
  const s = await only(`${SGD2}EPOCHS = 6
scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
for epoch in range(EPOCHS):
    for x, y in train_loader:
        optimizer.step()
`);
  assert.equal(s.xAxis, 'epochs');
  assert.equal(s.steps, 6);
  assert.match(s.notes[0], /`scheduler` is never stepped .*the lr stays where its constructor set it/);
  assert.deepEqual(s.groups.map((g) => g.lr), [Array(6).fill(0.01), Array(6).fill(0.1)]);
  assert.equal(s.error, undefined);

  // A bare OneCycleLR sets the lr to max_lr / div_factor and leaves it there. Its own length
  // (total_steps=10) is not the run's: stepping it 10 times would end the cycle, never stepped
  // it cannot raise.
  const bare = await only(`${SGD2}OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
for epoch in range(3):
    for step in range(50):
        optimizer.step()
`);
  assert.equal(bare.xAxis, 'steps');
  assert.equal(bare.steps, 150);
  assert.match(bare.notes[0], /never assigned/);
  assert.equal(bare.error, undefined);
  assert.deepEqual(new Set(bare.groups[1].lr), new Set([0.0040000000000000036]));
});

test('a scheduler never stepped beside one that is: not drawn (the lr follows the other), constructor errors still found', async () => {
  const all = await schedules(`${SGD2}warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
scheduler = CosineAnnealingLR(optimizer, T_max=10)
for epoch in range(10):
    for x, y in train_loader:
        optimizer.step()
    scheduler.step()
`);
  assert.equal(all.length, 2);
  assert.match(all[0].notSimulated ?? '', /`warmup` is never stepped; the lr follows `scheduler` \(line \d+\)/);
  assert.equal(all[0].groups.length, 0);
  assert.equal(all[1].notSimulated, undefined);
  assert.equal(all[1].groups[0].lr.length, 10);

  const bad = await schedules(`${SGD2}warmup = LinearLR(optimizer, start_factor=0, total_iters=5)
scheduler = CosineAnnealingLR(optimizer, T_max=10)
for epoch in range(10):
    optimizer.step()
    scheduler.step()
`);
  assert.equal(bad[0].error?.type, 'ValueError');
});

test('a scheduler built anew in the training loop is simulated as the loop runs it (and OPT301 sees no overrun that cannot happen)', async () => {
  const s = await only(`${SGD2}for epoch in range(6):
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    for x, y in train_loader:
        optimizer.step()
    scheduler.step()
`);
  assert.equal(s.steps, 6);
  assert.ok(s.notes.some((n) => /`scheduler` is built anew in every epoch of the loop at line \d+ and stepped once/.test(n)));
  assert.deepEqual(s.groups[1].lr, Array(6).fill(0.1));
  // One cycle of 20 steps per epoch: built once it would raise at call 21; rebuilt it never does
  // (torch 1.13.1 runs this to the end).
  const cycle = await only(`${SGD2}for epoch in range(3):
    scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=20)
    for step in range(20):
        optimizer.step()
        scheduler.step()
`);
  assert.equal(cycle.error, undefined);
  assert.equal(cycle.steps, 60);
  assert.deepEqual(cycle.groups[1].lr.slice(40), cycle.groups[1].lr.slice(0, 20));
  // Not rebuilt: built under an if (restarts by hand), or with its optimizer in the loop (folds).
  for (const body of [
    `for epoch in range(8):
    if epoch % 4 == 0:
        scheduler = CosineAnnealingLR(optimizer, T_max=4)
    optimizer.step()
    scheduler.step()
`,
    `for fold in range(3):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = CosineAnnealingLR(opt, T_max=4)
    for epoch in range(4):
        opt.step()
        scheduler.step()
`,
  ]) {
    const q = await only(`${SGD2}${body}`);
    assert.ok(!q.notes.some((n) => /built anew/.test(n)), q.notes.join('; '));
  }
});
