import test from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../server/src/core/lint';

const codes = async (src: string): Promise<string[]> => (await lintText(src)).findings.map((f) => `${f.range.start.line + 1}:${f.code}`);

test('a model from another library overlapping itself in two groups is an error', async () => {
  const src = `import torch
from transformers import AutoModelForSequenceClassification
model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
optimizer = torch.optim.AdamW([
    {"params": model.parameters()},
    {"params": model.classifier.parameters(), "lr": 1e-3},
], lr=2e-5)
`;
  assert.deepEqual(await codes(src), ['6:OPT103']);
});

test('disjoint parts of an unknown model, and name filters on it, stay quiet', async () => {
  const src = `import torch
from transformers import AutoModel
model = AutoModel.from_pretrained("bert-base-uncased")
no_decay = ["bias", "LayerNorm.weight"]
groups = [
    {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
    {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]
opt1 = torch.optim.AdamW(groups, lr=2e-5)
opt2 = torch.optim.AdamW([
    {"params": model.encoder.parameters(), "lr": 1e-5},
    {"params": model.pooler.parameters(), "lr": 1e-3},
])
`;
  assert.deepEqual(await codes(src), []);
});

test('an unknown model passed whole is not mistaken for a parameter-less module', async () => {
  const src = `import torch
from mylib import build_model
model = build_model()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
opt2 = torch.optim.SGD([{"params": model.head.parameters(), "lr": 1e-2}, {"params": model.body.parameters()}], lr=1e-3)
`;
  assert.deepEqual(await codes(src), []);
});
