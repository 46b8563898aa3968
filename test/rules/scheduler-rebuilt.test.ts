/**
 * OPT307's figures are the simulator's: the lr the last epoch trains at when the scheduler is
 * built every epoch, beside one scheduler built once. The fixture's truth lines check the same
 * figures against torch (StepLR stays at 0.1; the rebuilt cosine's last epoch trains at 0.088349).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';
import { FIXTURE_DIR } from './fixture-format';

test('OPT307 messages give the rebuilt and the built-once lr of the last epoch, and the run length they rest on', async () => {
  const parser = await initParser();
  const text = fs.readFileSync(path.join(FIXTURE_DIR, 'OPT307-scheduler-rebuilt-in-loop.py'), 'utf8');
  const messages = lintSource({ text, parser, settings: { select: ['OPT307'] } }).findings.map((f) => f.message);
  assert.equal(messages.length, 3);
  assert.match(messages[0], /`scheduler` is built anew in every epoch of the loop at line 20, so its step count never passes 1 .* the last of the run's 6 epochs trains at lr 0\.1, where one `StepLR` built before the loop would have brought it to 0\.001\./);
  assert.match(messages[1], /the last of the run's 6 epochs trains at lr 0\.0883485, where one `CosineAnnealingLR` .* 0\.05\./);
  // A run length the file does not fix is said to be assumed.
  assert.match(messages[2], /every batch .* the last of the run's 1,000 optimizer steps \(a run length that assumes steps_per_epoch = 100, epochs = 10\) trains at lr 0\.001, where one `LambdaLR` .* 0\.01\./);
});

test('OPT307: per-batch stepping in a batch loop inside the rebuilding epoch loop counts one epoch of steps', async () => {
  const parser = await initParser();
  const text = `import torch
from transformers import get_linear_schedule_with_warmup
model = torch.nn.Linear(4, 2)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for epoch in range(3):
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=5, num_training_steps=60)
    for step in range(20):
        optimizer.step()
        scheduler.step()
`;
  const [f, ...rest] = lintSource({ text, parser, settings: { select: ['OPT307'] } }).findings;
  assert.equal(rest.length, 0);
  assert.match(f.message, /its step count never passes one epoch's 20 steps .* the last of the run's 60 optimizer steps trains at lr 0\.000745455, where one `get_linear_schedule_with_warmup` built before the loop would have brought it to 1\.81818e-05\./);
  // (60 - 19) / 55 * 1e-3 and (60 - 59) / 55 * 1e-3: the warm-up-then-decay factor at the last step of an epoch, and of the run.
});
