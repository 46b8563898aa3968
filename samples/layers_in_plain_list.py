"""A residual MLP whose blocks are kept in a plain Python list.

`self.blocks = [...]` stores the blocks as an ordinary attribute: nn.Module registers
a submodule only when the attribute is itself a module. `model.parameters()` yields
the input and output layers only, so the optimizer never updates the blocks the
forward pass runs through; they keep their random weights, and nothing raises.
optlint reports OPT110 and offers `nn.ModuleList([...])` as the fix.
"""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class ResidualBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, dim)

    def forward(self, x):
        return x + self.fc(torch.relu(self.norm(x)))


class ResidualMLP(nn.Module):
    def __init__(self, in_dim=20, dim=64, depth=4, num_classes=3):
        super().__init__()
        self.inp = nn.Linear(in_dim, dim)
        self.blocks = [ResidualBlock(dim) for _ in range(depth)]
        self.out = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.inp(x)
        for block in self.blocks:
            x = block(x)
        return self.out(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = ResidualMLP()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    block_before = model.blocks[0].fc.weight.detach().clone()

    data = TensorDataset(torch.randn(256, 20), torch.randint(0, 3, (256,)))
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}")
    print(f"parameter tensors the optimizer holds: {len(optimizer.param_groups[0]['params'])}")
    print(f"blocks updated? {not torch.equal(model.blocks[0].fc.weight, block_before)}")


if __name__ == "__main__":
    main()
