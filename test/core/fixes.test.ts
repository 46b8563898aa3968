/**
 * Fix edits on shapes the fixtures cannot show (a fixture line always carries its marker comment),
 * applied with core/fix's applyFixes.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';
import { applyFixes } from '../../server/src/core/fix';

const HEADER = 'import torch\nimport torch.nn as nn\nmodel = nn.Linear(4, 2)\n';

describe('fix edits', async () => {
  const parser = await initParser();
  const fix = (src: string, code: string): string => {
    const text = HEADER + src;
    const findings = lintSource({ text, parser }).findings.filter((f) => f.code === code);
    assert.ok(findings.length > 0, `no ${code} finding`);
    const result = applyFixes(text, findings, { unsafe: true, parser });
    assert.deepEqual(result.skipped, []);
    return result.text.slice(HEADER.length);
  };

  test('OPT204: an argument alone on its line goes with the line', () => {
    assert.equal(
      fix('opt = torch.optim.Adam(\n    model.parameters(),\n    lr=1e-3,\n    momentum=0.9,\n)\n', 'OPT204'),
      'opt = torch.optim.Adam(\n    model.parameters(),\n    lr=1e-3,\n)\n',
    );
  });

  test('OPT204: the last argument without a trailing comma takes the comma before it', () => {
    assert.equal(fix('opt = torch.optim.Adam(model.parameters(), lr=1e-3, momentum=0.9)\n', 'OPT204'), 'opt = torch.optim.Adam(model.parameters(), lr=1e-3)\n');
    assert.equal(
      fix('opt = torch.optim.Adam(\n    model.parameters(),\n    momentum=0.9\n)\n', 'OPT204'),
      'opt = torch.optim.Adam(\n    model.parameters()\n)\n',
    );
  });

  test('OPT204: a misspelt option is renamed, unless the right one is there too', () => {
    assert.equal(fix('opt = torch.optim.SGD(model.parameters(), learning_rate=0.1)\n', 'OPT204'), 'opt = torch.optim.SGD(model.parameters(), lr=0.1)\n');
    assert.equal(fix('opt = torch.optim.SGD(model.parameters(), lr=0.1, learning_rate=0.1)\n', 'OPT204'), 'opt = torch.optim.SGD(model.parameters(), lr=0.1)\n');
  });

  test('OPT108: a generator expression is materialised with list(...)', () => {
    assert.equal(
      fix('params = (p for p in model.parameters())\nn = len(list(params))\nopt = torch.optim.SGD(params, lr=0.1)\n', 'OPT108'),
      'params = list(p for p in model.parameters())\nn = len(list(params))\nopt = torch.optim.SGD(params, lr=0.1)\n',
    );
  });

  test('OPT107: set(x) becomes an ordered, de-duplicated list', () => {
    assert.equal(fix('opt = torch.optim.SGD(set(model.parameters()), lr=0.1)\n', 'OPT107'), 'opt = torch.optim.SGD(list(dict.fromkeys(model.parameters())), lr=0.1)\n');
  });

  test('OPT105: a group without lr gets one in the quote style of its keys', () => {
    assert.equal(
      fix("model.requires_grad_(False)\nhead = nn.Linear(2, 2)\nopt = torch.optim.SGD([{'params': model.parameters()}, {'params': head.parameters()}], lr=0.1)\n", 'OPT105'),
      "model.requires_grad_(False)\nhead = nn.Linear(2, 2)\nopt = torch.optim.SGD([{'params': model.parameters(), 'lr': 0.0}, {'params': head.parameters()}], lr=0.1)\n",
    );
  });
});
