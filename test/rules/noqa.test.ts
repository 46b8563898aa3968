/**
 * `# noqa` suppressions, and that the fixture marker `# expect: CODE` is not one of them.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';

const MODEL = `import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))
`;

/** OPT102 starts on the optimizer line, OPT101 on the `model[1]` line. */
function source(optimizerLineComment: string, groupLineComment: string): string {
  return `${MODEL}optimizer = torch.optim.SGD([${optimizerLineComment}
    {"params": model[0].parameters(), "lr": 1e-4},
    {"params": model[1].parameters(), "lr": 1e-2},${groupLineComment}
], lr=1e-3)
`;
}

describe('noqa', async () => {
  const parser = await initParser();
  const codes = (text: string): string[] => lintSource({ text, parser }).findings.map((f) => `${f.range.start.line}:${f.code}`).sort();

  test('without a comment both findings are reported', () => {
    assert.deepEqual(codes(source('', '')), ['3:OPT102', '5:OPT101']);
  });

  test('# noqa: OPT101 suppresses that code on its line only', () => {
    assert.deepEqual(codes(source('', '  # noqa: OPT101')), ['3:OPT102']);
  });

  test('# noqa: OPT102 on another line leaves OPT101 alone', () => {
    assert.deepEqual(codes(source('  # noqa: OPT102', '')), ['5:OPT101']);
  });

  test('# noqa with a code that does not match suppresses nothing', () => {
    assert.deepEqual(codes(source('', '  # noqa: OPT102')), ['3:OPT102', '5:OPT101']);
  });

  test('a prefix suppresses every code it starts', () => {
    assert.deepEqual(codes(source('  # noqa: OPT1', '  # noqa:OPT1')), []);
  });

  test('bare # noqa suppresses everything on its line', () => {
    const text = `${MODEL}optimizer = torch.optim.SGD([{"params": model[0].parameters()}, {"params": model[1].parameters()}], lr=1e-3)  # noqa
`;
    assert.deepEqual(codes(text), []);
    assert.deepEqual(codes(text.replace('  # noqa', '')), ['3:OPT101', '3:OPT102']);
  });

  test('several codes, comma-separated, in any case', () => {
    const text = `${MODEL}optimizer = torch.optim.SGD([{"params": model[0].parameters()}, {"params": model[1].parameters()}], lr=1e-3)  # NOQA: opt101, OPT102
`;
    assert.deepEqual(codes(text), []);
  });

  test('a finding spanning lines is suppressed by a noqa on its last line', () => {
    const text = `${MODEL}optimizer = torch.optim.Adam(set(
    model.parameters()
), lr=1e-3)  # noqa: OPT107
`;
    assert.deepEqual(codes(text), []);
    assert.deepEqual(codes(text.replace('  # noqa: OPT107', '')), ['3:OPT107']);
  });

  test('the fixture marker `# expect:` is not a suppression', () => {
    assert.deepEqual(codes(source('  # expect: OPT102', '  # expect: OPT101')), ['3:OPT102', '5:OPT101']);
  });

  test('a marker and a noqa in one comment: the noqa still applies', () => {
    assert.deepEqual(codes(source('', '  # expect: OPT101  # noqa: OPT101')), ['3:OPT102']);
  });
});

describe('code a test expects to raise or warn', async () => {
  const parser = await initParser();
  const codes = (text: string): string[] => lintSource({ text, parser }).findings.map((f) => `${f.range.start.line}:${f.code}`).sort();
  const HEAD = 'import pytest\nimport torch\nimport torch.nn as nn\nnet = nn.Linear(2, 2)\n';

  test('the same invalid optimizer is reported in plain code, not under assertRaises / pytest.raises', () => {
    // PyTorch's own test_optim.py: `with self.assertRaisesRegex(ValueError, "Invalid momentum value: -0.5"):`
    assert.deepEqual(codes(`${HEAD}opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=-0.5)\n`), ['4:OPT202']);
    const quiet = [
      `class T:\n    def test(self):\n        with self.assertRaisesRegex(ValueError, "Invalid momentum value"):\n            torch.optim.SGD(net.parameters(), lr=0.1, momentum=-0.5)\n`,
      `def test():\n    with pytest.raises(ValueError, match="Invalid momentum") as info:\n        torch.optim.SGD(net.parameters(), lr=0.1, momentum=-0.5)\n`,
      `class T:\n    def test(self):\n        self.assertRaises(ValueError, torch.optim.SGD, net.parameters(), lr=0.1, momentum=-0.5)\n`,
      `class T:\n    def test(self):\n        self.assertRaises(ValueError, lambda: torch.optim.SGD(net.parameters(), lr=0.1, momentum=-0.5))\n`,
    ];
    for (const body of quiet) assert.deepEqual(codes(HEAD + body), [], body);
  });

  test('a with block that asks for something else still reports', () => {
    assert.deepEqual(codes(`${HEAD}with torch.no_grad():\n    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=-0.5)\n`), ['5:OPT202']);
  });
});
