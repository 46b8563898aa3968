/**
 * OPT105 and code that may unfreeze parameters at any time: a function or method the file never
 * calls (a Lightning hook, an `unfreeze()` a trainer calls). Such a function stays quiet for the
 * models it may reach (any model for a plain function, instances of its class for a method), and
 * only for those.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';

const HEADER = `import torch
import torch.nn as nn
`;

/** A class whose backbone is frozen, given an lr in `build()` (module level). */
const FROZEN_BACKBONE = `class Tuner(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(16, 16)
        self.head = nn.Linear(16, 3)
        for p in self.backbone.parameters():
            p.requires_grad = False


tuner = Tuner()
optimizer = torch.optim.AdamW([
    {"params": tuner.backbone.parameters(), "lr": 1e-5},
    {"params": tuner.head.parameters(), "lr": 1e-3},
])
`;

describe('OPT105 and unfreezing that may happen at any time', async () => {
  const parser = await initParser();
  const codes = (text: string): string[] => lintSource({ text: HEADER + text, parser }).findings.map((f) => f.code);

  test('fires when nothing unfreezes the frozen group', () => {
    assert.deepEqual(codes(FROZEN_BACKBONE), ['OPT105']);
  });

  test('a plain function nobody calls that unfreezes may get any model: quiet', () => {
    assert.deepEqual(codes(`${FROZEN_BACKBONE}

def unfreeze(model):
    for p in model.parameters():
        p.requires_grad = True
`), []);
  });

  test('a function nobody calls that only freezes changes nothing', () => {
    assert.deepEqual(codes(`${FROZEN_BACKBONE}

def freeze(model):
    for p in model.parameters():
        p.requires_grad = False
`), ['OPT105']);
  });

  test('a method that unfreezes is quiet for its own class, frozen and optimized inside it', () => {
    // Not even an nn.Module: the optimizer lives on a plain object.
    assert.deepEqual(codes(`class FineTuner:
    def __init__(self):
        self.backbone = nn.Linear(16, 16)
        self.head = nn.Linear(16, 3)
        self.backbone.requires_grad_(False)
        self.opt = torch.optim.AdamW([
            {"params": self.backbone.parameters(), "lr": 1e-5},
            {"params": self.head.parameters(), "lr": 1e-3},
        ])

    def unfreeze(self):
        self.backbone.requires_grad_(True)
`), []);
  });

  test('a method of another class does not speak for this one', () => {
    assert.deepEqual(codes(`${FROZEN_BACKBONE}

class Other(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 4)

    def thaw(self):
        for p in self.body.parameters():
            p.requires_grad = True
`), ['OPT105']);
  });
});
