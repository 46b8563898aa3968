"""The seed quiz: two learning rates for a two-layer MLP.

What does the last line print, and which layers actually train?

    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2))
    optimizer = torch.optim.Adam([
        {'params': model[0].parameters(), 'lr': 0.001},
        {'params': model[1].parameters(), 'lr': 0.01},
    ])
    print([g['lr'] for g in optimizer.param_groups])

It prints [0.001, 0.01] and raises nothing, but `model[1]` is the ReLU: the
second group is empty, and the output layer `model[2]` is in no group at all,
so it keeps its random initial weights for the whole run.
"""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 10, generator=g)
    w = torch.randn(10, 2, generator=g)
    y = (x @ w).argmax(dim=1)
    return TensorDataset(x, y)


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.numel()
    model.train()
    return correct / max(total, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2))
    # Intended: the first layer at 1e-3 and the output layer at 1e-2.
    optimizer = torch.optim.Adam([
        {'params': model[0].parameters(), 'lr': 0.001},
        {'params': model[1].parameters(), 'lr': 0.01},
    ])
    print([g['lr'] for g in optimizer.param_groups])
    print("tensors per group:", [len(g['params']) for g in optimizer.param_groups])

    loader = DataLoader(make_data(), batch_size=args.batch_size, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    head_before = model[2].weight.detach().clone()

    for epoch in range(args.epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}  acc {evaluate(model, loader):.3f}")

    # The output layer never moved: it was in no parameter group.
    print("model[2] unchanged:", torch.equal(head_before, model[2].weight))


if __name__ == "__main__":
    main()
