/**
 * `lintSources` (the CLI's path: batches of files, stage by stage) must give exactly what
 * `lintSource` gives file by file, whatever the mix of files and settings in a batch.
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser } from '../../server/src/core/parsing';
import { LINT_BATCH, lintSource, lintSources, type LintInput, type LintResult } from '../../server/src/core/lint';
import type { LintSettings } from '../../server/src/core/settings';
import { generateCorpus } from '../../bench/corpus';
import { FIXTURE_DIR } from '../rules/fixture-format';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function pythonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** What a result says (lintSources leaves the model out). */
function summary(r: LintResult): unknown {
  return { findings: r.findings, skipped: r.skipped, hasSyntaxErrors: r.hasSyntaxErrors };
}

describe('lintSources', async () => {
  const parser = await initParser();
  const texts = [
    ...pythonFiles(path.join(ROOT, 'samples')),
    ...pythonFiles(FIXTURE_DIR),
    ...generateCorpus(3000).map((f) => f.text),
    '',
    'print("no torch here")\n',
    'import torch\noptimizer = torch.optim.SGD(model.parameters(), lr=\n', // does not parse
    `import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))
optimizer = torch.optim.SGD([{"params": model[1].parameters()}], lr=0.1)  # noqa: OPT101
`,
  ];
  const settingsCycle: LintSettings[] = [{}, { select: ['OPT3'] }, { ignore: ['OPT101', 'OPT2'] }, { torchVersion: '1.13' }];

  test('the inputs span several batches and include skipped and broken files', () => {
    assert.ok(texts.length > 2 * LINT_BATCH, `${texts.length} inputs`);
  });

  test('gives the same results as lintSource on each file, in input order', () => {
    const inputs: LintInput[] = texts.map((text, i) => ({ text, parser, settings: settingsCycle[i % settingsCycle.length] }));
    const batched = lintSources(inputs);
    assert.equal(batched.length, inputs.length);
    let findings = 0;
    inputs.forEach((input, i) => {
      const single = lintSource(input);
      assert.deepEqual(summary(batched[i]), summary(single), `input ${i}`);
      findings += single.findings.length;
    });
    assert.ok(findings > 20, `only ${findings} findings: the comparison would prove little`);
    assert.ok(batched.some((r) => r.skipped) && batched.some((r) => r.hasSyntaxErrors));
    assert.ok(batched.every((r) => r.model === undefined), 'a long run must not keep every model');
  });

  test('reports progress after each batch, ending at the number of files', () => {
    const done: number[] = [];
    lintSources(
      texts.map((text) => ({ text, parser })),
      { onBatch: (n) => done.push(n) },
    );
    assert.equal(done.length, Math.ceil(texts.length / LINT_BATCH));
    assert.equal(done[done.length - 1], texts.length);
    assert.ok(done.every((n, i) => i === 0 || n > done[i - 1]));
  });

  test('adds the time of each stage it ran to stageMs, and runs no schedule stage when no rule needs one', () => {
    const stageMs = new Map<string, number>([['parse', 1000]]);
    const t0 = performance.now();
    lintSources(texts.map((text) => ({ text, parser })), { stageMs });
    const elapsed = performance.now() - t0;
    assert.deepEqual([...stageMs.keys()], ['parse', 'model', 'prepareLintPlans', 'prepareLintResults', 'rules']);
    assert.ok(stageMs.get('parse')! > 1000, 'added to what the map held');
    const sum = [...stageMs.values()].reduce((a, b) => a + b, 0) - 1000;
    assert.ok(sum > 0 && sum <= elapsed + 1, `stages ${sum} ms, the whole call ${elapsed} ms`);
    const groupsOnly = new Map<string, number>();
    lintSources(texts.map((text) => ({ text, parser, settings: { select: ['OPT1'] } })), { stageMs: groupsOnly });
    assert.deepEqual([...groupsOnly.keys()], ['parse', 'model', 'rules']);
  });

  test('a tree the caller passes is used, and is still readable afterwards', () => {
    const text = texts[0];
    const tree = parser.parse(text);
    const [r] = lintSources([{ text, parser, tree }]);
    assert.deepEqual(summary(r), summary(lintSource({ text, parser })));
    assert.equal(tree.rootNode.descendantsOfType('call').length > 0, true);
    tree.delete();
  });
});
