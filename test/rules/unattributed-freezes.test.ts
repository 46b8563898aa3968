/**
 * Freezing the model cannot follow (MoCo's `zip(...)` loop, `apply(lambda m: ...)`, a
 * comprehension run for its side effect, a helper it cannot read): which parameters are trainable
 * is then unknown, so OPT102 (a trainable layer left out) and OPT105 (a frozen group given an lr)
 * stay quiet. Each case is checked against a control that fires.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';
import { enumerateLeaves } from '../../server/src/core/model';
import { fileModel, moduleOf, walk } from '../core/model-helpers';

const MOCO = `import torch
import torch.nn as nn

class Siamese(nn.Module):
    def __init__(self):
        super().__init__()
        self.online = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8))
        self.target = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8))
        self.predictor = nn.Linear(8, 8)
        self.proj = nn.Linear(8, 8)

model = Siamese()
FREEZE
optimizer = torch.optim.SGD([
    {"params": model.online.parameters()},
    {"params": model.predictor.parameters(), "lr": 0.1},
    {"params": model.proj.parameters()},
], lr=0.05)
`;

describe('freezing the model cannot follow', async () => {
  const parser = await initParser();
  const codes = (text: string): string[] => lintSource({ text, parser }).findings.map((f) => f.code);

  test('control: the target encoder left out and not frozen is reported', () => {
    assert.deepEqual(codes(MOCO.replace('FREEZE', '')), ['OPT102']);
  });

  for (const [name, freeze] of [
    ['a zip() loop over two models (MoCo, BYOL)', 'for p_o, p_t in zip(model.online.parameters(), model.target.parameters()):\n    p_t.requires_grad = False'],
    ['Module.apply with a lambda', 'model.target.apply(lambda m: m.requires_grad_(False))'],
    ['a comprehension run for its side effect', '[p.requires_grad_(False) for p in model.target.parameters()]'],
    ['getattr on a name', 'getattr(model, "target").requires_grad_(False)'],
  ]) {
    test(`OPT102 stays quiet: ${name}`, () => {
      assert.deepEqual(codes(MOCO.replace('FREEZE', freeze)), []);
    });
  }

  test('setting requires_grad to True where the model cannot follow does not quiet OPT102', () => {
    assert.deepEqual(codes(MOCO.replace('FREEZE', '[p.requires_grad_(True) for p in model.target.parameters()]')), ['OPT102']);
  });

  test('OPT105 stays quiet when a helper it cannot follow may unfreeze (CycleGAN set_requires_grad)', () => {
    const helper = `def set_requires_grad(nets, requires_grad=False):
    if not isinstance(nets, list):
        nets = [nets]
    for net in nets:
        for p in net.parameters():
            p.requires_grad = requires_grad

`;
    const frozen = `import torch
import torch.nn as nn

HELPER
model = nn.ModuleDict({"backbone": nn.Linear(8, 8), "head": nn.Linear(8, 2)})
model["backbone"].requires_grad_(False)
optimizer = torch.optim.Adam([{"params": model["backbone"].parameters(), "lr": 1e-3}, {"params": model["head"].parameters()}], lr=1e-2)
`;
    assert.deepEqual(codes(frozen.replace('HELPER', '')), ['OPT105']);
    const unfrozen = `${frozen.replace('HELPER', helper)}for epoch in range(3):\n    if epoch == 1:\n        set_requires_grad(model["backbone"], True)\n`;
    assert.deepEqual(codes(unfrozen), []);
  });

  test('a loop over an nn.ModuleList or nn.Sequential goes through its children', async () => {
    const w = await walk(`class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.early = nn.ModuleList([nn.Linear(8, 8), nn.Linear(8, 8)])
        self.late = nn.Sequential(nn.Linear(8, 8), nn.ReLU())

model = Encoder()
for block in model.early:
    for p in block.parameters():
        p.requires_grad = False
`);
    const flags = enumerateLeaves(moduleOf(w, 'model')).leaves.map((l) => `${l.name}=${l.leaf.requiresGrad}`);
    assert.deepEqual(flags, ['early.0.weight=false', 'early.0.bias=false', 'early.1.weight=false', 'early.1.bias=false', 'late.0.weight=true', 'late.0.bias=true']);
    const fm = await fileModel('model = nn.Sequential(nn.Linear(2, 2))\nfor m in model:\n    m.requires_grad_(False)\n');
    assert.deepEqual(fm.unattributedRequiresGrad, [], 'a freeze the walker follows is not listed');
  });
});
