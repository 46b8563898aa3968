/**
 * A deterministic corpus of training scripts for the benchmarks: varied models (Sequential,
 * classes, torchvision), optimizers with groups, schedulers and loops, plus files that never
 * mention torch (which the pre-filter should skip).
 */
export interface CorpusFile {
  name: string;
  text: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const OPTIMIZERS = ['SGD', 'Adam', 'AdamW', 'RMSprop'];
const SCHEDULERS = [
  'torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)',
  'torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)',
  'torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=1000)',
  'torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 500))',
];

function trainingScript(i: number, r: () => number): string {
  const width = 16 + Math.floor(r() * 64);
  const depth = 2 + Math.floor(r() * 4);
  const opt = OPTIMIZERS[i % OPTIMIZERS.length];
  const layers = Array.from({ length: depth }, (_, k) => `            nn.Linear(${k === 0 ? 'in_dim' : width}, ${width}),\n            nn.ReLU(),\n            nn.Dropout(0.1),`).join('\n');
  const grouped = r() < 0.5;
  const params = grouped
    ? `[
        {"params": model.encoder.parameters(), "lr": args.lr * 0.1},
        {"params": model.head.parameters(), "lr": args.lr},
    ]`
    : 'model.parameters()';
  return `"""Training script ${i}: an MLP classifier trained with ${opt}."""
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=64)
    return p.parse_args()


class Classifier${i}(nn.Module):
    def __init__(self, in_dim=32, num_classes=10):
        super().__init__()
        self.encoder = nn.Sequential(
${layers}
        )
        self.norm = nn.LayerNorm(${width})
        self.head = nn.Linear(${width}, num_classes)

    def forward(self, x):
        return self.head(self.norm(self.encoder(x)))


def make_loader(n=512, in_dim=32, batch_size=64):
    x = torch.randn(n, in_dim)
    y = torch.randint(0, 10, (n,))
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(-1) == y).sum().item()
            total += y.numel()
    model.train()
    return correct / max(total, 1)


def main():
    args = parse_args()
    model = Classifier${i}()
    loader = make_loader(batch_size=args.batch_size)
    optimizer = torch.optim.${opt}(${params}, lr=args.lr${opt === 'SGD' ? ', momentum=0.9' : ''})
    scheduler = ${SCHEDULERS[i % SCHEDULERS.length]}
    for epoch in range(args.epochs):
        total_loss = 0.0
        for step, (x, y) in enumerate(loader):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total_loss += loss.item()
        scheduler.step()
        acc = evaluate(model, loader)
        print(f"epoch {epoch} loss {total_loss / len(loader):.4f} acc {acc:.3f} lr {scheduler.get_last_lr()}")
        if math.isnan(total_loss):
            break


if __name__ == "__main__":
    main()
`;
}

function unrelatedScript(i: number): string {
  const body = Array.from({ length: 40 }, (_, k) => `def helper_${i}_${k}(values):\n    return sorted(v * ${k} for v in values if v > ${k})\n`).join('\n');
  return `"""Data utilities ${i} (no deep-learning imports)."""\nimport json\nimport os\n\n${body}`;
}

/** At least `minLines` lines in total; about one file in ten is unrelated to torch. */
export function generateCorpus(minLines = 50_000): CorpusFile[] {
  const r = rng(42);
  const files: CorpusFile[] = [];
  let lines = 0;
  for (let i = 0; lines < minLines; i++) {
    const text = i % 10 === 9 ? unrelatedScript(i) : trainingScript(i, r);
    files.push({ name: `train_${i}.py`, text });
    lines += text.split('\n').length;
  }
  return files;
}
