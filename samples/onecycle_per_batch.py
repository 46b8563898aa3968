"""OneCycleLR with one max_lr per parameter group, stepped every batch (correct).

OneCycleLR is sized in batches (`epochs * steps_per_epoch`) and must be
stepped after every optimizer step. A list `max_lr` gives each group its own
peak: the pretrained-looking encoder peaks at 1e-3, the decoder at 1e-2.
(A scalar max_lr would override both groups' lr with the same schedule.)
optlint should report nothing.
"""
import argparse

import torch
import torch.nn as nn
from torch.optim.lr_scheduler import OneCycleLR
from torch.utils.data import DataLoader, TensorDataset


class AutoEncoder(nn.Module):
    def __init__(self, dim=24, bottleneck=6):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(dim, 16),
            nn.LayerNorm(16),
            nn.SiLU(),
            nn.Linear(16, bottleneck),
        )
        self.decoder = nn.Sequential(
            nn.Linear(bottleneck, 16),
            nn.SiLU(),
            nn.Linear(16, dim),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def make_loader(n, dim, batch_size):
    g = torch.Generator().manual_seed(0)
    basis = torch.randn(4, dim, generator=g)
    x = torch.randn(n, 4, generator=g) @ basis + 0.05 * torch.randn(n, dim, generator=g)
    return DataLoader(TensorDataset(x), batch_size=batch_size, shuffle=True, drop_last=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    torch.manual_seed(0)
    loader = make_loader(n=160, dim=24, batch_size=args.batch_size)
    model = AutoEncoder()

    optimizer = torch.optim.SGD(
        [
            {"params": model.encoder.parameters(), "lr": 1e-3},
            {"params": model.decoder.parameters(), "lr": 1e-2},
        ],
        momentum=0.9,
        nesterov=True,
    )
    scheduler = OneCycleLR(
        optimizer,
        max_lr=[1e-3, 1e-2],
        epochs=args.epochs,
        steps_per_epoch=len(loader),
        pct_start=0.3,
        anneal_strategy="cos",
    )

    loss_fn = nn.MSELoss()
    peak = [0.0, 0.0]
    for epoch in range(args.epochs):
        total = 0.0
        for (x,) in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), x)
            loss.backward()
            optimizer.step()
            scheduler.step()  # per batch: OneCycleLR counts optimizer steps
            peak = [max(p, g["lr"]) for p, g in zip(peak, optimizer.param_groups)]
            total += loss.item()
        print(f"epoch {epoch}: mse {total / len(loader):.4f}  lrs {[f'{lr:.2e}' for lr in scheduler.get_last_lr()]}")
    print("peak lr per group:", [f"{p:.2e}" for p in peak])


if __name__ == "__main__":
    main()
