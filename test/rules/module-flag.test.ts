/**
 * `module.requires_grad = True` sets a plain attribute of the module object: its parameters keep
 * their flags. OPT105 says so when that assignment was meant to unfreeze a frozen group, and not
 * for a class that keeps a `requires_grad` setting of its own.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';

async function opt105(text: string): Promise<string[]> {
  const parser = await initParser();
  return lintSource({ text, parser }).findings.filter((f) => f.code === 'OPT105').map((f) => f.message);
}

const FROZEN = `import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self, trainable_head=True):
        super().__init__()
        self.requires_grad = trainable_head
        self.body = nn.Linear(8, 8)
        self.head = nn.Linear(8, 2)
model = Net()
for p in model.parameters():
    p.requires_grad = False
`;

test('an attribute assignment meant to unfreeze is named in the message', async () => {
  const messages = await opt105(`${FROZEN}model.head.requires_grad = True
optimizer = torch.optim.SGD([{"params": model.body.parameters(), "lr": 0.0}, {"params": model.head.parameters(), "lr": 0.1}])
`);
  assert.equal(messages.length, 1);
  assert.match(messages[0], /`model\.head\.requires_grad = True` at line 12 sets an attribute of the module, not its parameters' flags/);
});

test("a class's own `self.requires_grad` setting is not taken for an attempt to unfreeze", async () => {
  const messages = await opt105(`${FROZEN}optimizer = torch.optim.SGD([{"params": model.body.parameters(), "lr": 0.0}, {"params": model.head.parameters(), "lr": 0.1}])
`);
  assert.equal(messages.length, 1);
  assert.doesNotMatch(messages[0], /sets an attribute/);
});

test('`requires_grad_(True)` unfreezes: nothing to report', async () => {
  const messages = await opt105(`${FROZEN}model.head.requires_grad_(True)
optimizer = torch.optim.SGD([{"params": model.body.parameters(), "lr": 0.0}, {"params": model.head.parameters(), "lr": 0.1}])
`);
  assert.deepEqual(messages, []);
});

test('misspellings of requires_grad are within two edits; other tensor attributes are not', async () => {
  const { isRequiresGradTypo } = await import('../../server/src/core/model/walker');
  for (const typo of ['require_grad', 'requires_grads', 'require_grads', 'requires_grad_', 'requiresGrad', 'requiresgrad', 'required_grad', 'requires_gard'])
    assert.equal(isRequiresGradTypo(typo), true, typo);
  for (const other of ['requires_grad', 'grad', 'retain_grad', 'data', 'is_leaf', 'grad_fn', 'requires_gradient_checkpointing'])
    assert.equal(isRequiresGradTypo(other), false, other);
});

test('OPT111: a misspelt flag on the parameters of a model the file cannot see is still reported; on a plain object it is not', async () => {
  const parser = await initParser();
  const codes = (text: string) => lintSource({ text, parser }).findings.filter((f) => f.code === 'OPT111').map((f) => f.range.start.line);
  assert.deepEqual(codes(`import torch
from mylib import build_model
model = build_model()
for p in model.backbone.parameters():
    p.require_grad = False
cfg = object()
cfg.require_grad = False
`), [4]);
});
