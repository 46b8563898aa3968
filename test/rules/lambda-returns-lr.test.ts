/**
 * OPT308 on what its fixture does not show: per-group lrs, values optlint had to invent, and a
 * lambda that only starts at the lr.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';

async function opt308(text: string): Promise<string[]> {
  const parser = await initParser();
  return lintSource({ text, parser }).findings.filter((f) => f.code === 'OPT308').map((f) => f.message);
}

const HEADER = `import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LambdaLR
model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
`;

test('two groups: the one whose lr the lambda returns is named', async () => {
  const messages = await opt308(`${HEADER}optimizer = torch.optim.SGD([
    {"params": model[0].parameters(), "lr": 1e-4},
    {"params": model[1].parameters()},
], lr=1e-3)
scheduler = LambdaLR(optimizer, lambda e: 1e-3 * 0.9 ** e)
for e in range(10):
    optimizer.step()
    scheduler.step()
`);
  assert.equal(messages.length, 1);
  assert.match(messages[0], /its first value is 0\.001, the lr of group 1 itself/);
  assert.match(messages[0], /starts at lr 1e-06/);
});

test('a finding that rests on a value optlint made up must hold for other values too', async () => {
  // `cfg.num_epochs` is assumed (10 epochs): the lambda's 1/10 equals the lr only by that choice.
  const coincidence = `${HEADER}from config import cfg
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = LambdaLR(optimizer, lambda e: 1.0 / cfg.num_epochs)
for e in range(10):
    optimizer.step()
    scheduler.step()
`;
  assert.deepEqual(await opt308(coincidence), []);
  // Whatever `cfg.warmup_epochs` is, the lambda starts at the lr and only decays from there.
  const robust = coincidence.replace('lr=0.1', 'lr=0.001').replace('1.0 / cfg.num_epochs', '0.001 * 0.5 ** (e // cfg.warmup_epochs)');
  assert.equal((await opt308(robust)).length, 1);
});

test('a lambda that starts at the lr and later climbs above it is a schedule', async () => {
  const firing = `${HEADER}optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
scheduler = LambdaLR(optimizer, lambda e: 0.5 if e < 5 else 0.25)
for e in range(10):
    optimizer.step()
    scheduler.step()
`;
  assert.equal((await opt308(firing)).length, 1);
  assert.deepEqual(await opt308(firing.replace('else 0.25', 'else 1.0')), []);
});
