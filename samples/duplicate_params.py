"""The whole model in one group, and the head again in a second group.

A common way to try "everything at the default lr, but the head at 1e-3":

    {'params': model.parameters()},
    {'params': model.head.parameters(), 'lr': 1e-3},

PyTorch refuses it at construction with
    ValueError: some parameters appear in more than one parameter group
so this sample catches that ValueError and prints it: the script still runs to
the end (it then falls back to a correct split, to keep the training loop
realistic). optlint reports OPT103 before anything runs.
"""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Regressor(nn.Module):
    def __init__(self, in_features=8, hidden=32):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(in_features, hidden),
            nn.GELU(),
            nn.Linear(hidden, hidden),
            nn.GELU(),
        )
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.head(self.encoder(x)).squeeze(-1)


def make_loader(n=128, batch_size=16):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 8, generator=g)
    y = x.sum(dim=1) + 0.1 * torch.randn(n, generator=g)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = Regressor()

    # The mistake: every head parameter is in both groups. This line raises
    # ValueError; it is caught only so that the sample runs to completion.
    try:
        optimizer = torch.optim.SGD(
            [
                {"params": model.parameters()},
                {"params": model.head.parameters(), "lr": 1e-3},
            ],
            lr=1e-2,
            momentum=0.9,
        )
    except ValueError as e:
        print(f"ValueError: {e}")
        # What was meant: the encoder at the default lr, the head at 1e-3.
        optimizer = torch.optim.SGD(
            [
                {"params": model.encoder.parameters()},
                {"params": model.head.parameters(), "lr": 1e-3},
            ],
            lr=1e-2,
            momentum=0.9,
        )

    loader = make_loader()
    loss_fn = nn.MSELoss()
    for epoch in range(args.epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: mse {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
