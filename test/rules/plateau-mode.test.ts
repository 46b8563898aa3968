/** OPT309's reading of metric names, and the forms of step() its fixture does not show. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { initParser } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';
import { metricDirection } from '../../server/src/core/rules/plateau-mode-mismatch';

test('metric names: which way is better, from their words', () => {
  for (const name of ['val_acc', 'acc1', 'val_acc5', 'top1', 'valAccuracy', 'test_f1', 'miou', 'mean_dice', 'bleu', 'val_auc', 'psnr'])
    assert.equal(metricDirection(name)?.mode, 'max', name);
  for (const name of ['val_loss', 'loss', 'eval_error', 'valid_mse', 'ppl', 'wer', 'train_nll'])
    assert.equal(metricDirection(name)?.mode, 'min', name);
  // Neither, both, or a word that only contains a metric's letters.
  for (const name of ['val_metric', 'score', 'acc_loss', 'accumulated', 'lossless', 'accelerator', 'topk'])
    assert.equal(metricDirection(name), undefined, name);
});

async function opt309(step: string, ctor = 'ReduceLROnPlateau(optimizer)'): Promise<string[]> {
  const parser = await initParser();
  const text = `import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau
model = torch.nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = ${ctor}
for epoch in range(10):
    optimizer.step()
    ${step}
`;
  return lintSource({ text, parser }).findings.filter((f) => f.code === 'OPT309').map((f) => f.message);
}

test('step(metrics=...) and float(...) are read; a computed value is not', async () => {
  assert.equal((await opt309('scheduler.step(metrics=val_acc)')).length, 1);
  assert.equal((await opt309('scheduler.step(float(top1))')).length, 1);
  assert.deepEqual(await opt309('scheduler.step(1 - val_acc)'), []);
  assert.deepEqual(await opt309('scheduler.step(evaluate(model))'), []);
});

test('the optimizer passed by keyword: mode is then the first positional argument', async () => {
  assert.deepEqual(await opt309('scheduler.step(val_acc)', 'ReduceLROnPlateau("max", optimizer=optimizer)'), []);
  assert.equal((await opt309('scheduler.step(val_loss)', 'ReduceLROnPlateau("max", optimizer=optimizer)')).length, 1);
});
