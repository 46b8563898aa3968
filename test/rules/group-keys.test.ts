/**
 * OPT201's severity: a misspelt or misplaced option is a warning (the group silently uses another
 * value); a label that is no option of any optimizer is information (other code may read it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';

test('OPT201: typos, aliases and other optimizers\' options warn; plain labels are information', async () => {
  const parser = await initParser();
  const text = `import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 8), nn.Linear(8, 2))
optimizer = torch.optim.Adam([
    {"params": model[0].parameters(), "learning_rate": 1e-4},
    {"params": model[1].parameters(), "momentum": 0.9, "weigth_decay": 0.01},
    {"params": model[2].parameters(), "group_name": "head", "layer_id": 2, "lr_scale": 0.5},
], lr=1e-3)
`;
  const found = lintSource({ text, parser }).findings.filter((f) => f.code === 'OPT201');
  const severity = Object.fromEntries(found.map((f) => [/`(\w+)`/.exec(f.message)![1], f.severity]));
  assert.deepEqual(severity, {
    learning_rate: 'warning',
    momentum: 'warning',
    weigth_decay: 'warning',
    group_name: 'info',
    layer_id: 'info',
    lr_scale: 'info',
  });
});
