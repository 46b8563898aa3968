"""A Lightning-style module whose per-step scheduler says `"interval": "step"` (correct).

`configure_optimizers` returns the dict form
    {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
so the cosine schedule, sized in optimizer steps, is stepped every batch.
Lightning is not installed here, so a ten-line `fit` below plays the Trainer:
it calls training_step, steps the optimizer, and steps the scheduler at the
interval the config asks for. optlint should report nothing.
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

# Stand-in for `from lightning.pytorch import LightningModule` (not installed):
# everything this sample uses from it is plain nn.Module behaviour.
LightningModule = nn.Module


class LitClassifier(LightningModule):
    def __init__(self, in_features=20, num_classes=4, lr=3e-3, weight_decay=1e-2, total_steps=100):
        super().__init__()
        self.lr = lr
        self.weight_decay = weight_decay
        self.total_steps = total_steps
        self.backbone = nn.Sequential(
            nn.Linear(in_features, 64),
            nn.BatchNorm1d(64),
            nn.ReLU(),
            nn.Linear(64, 64),
            nn.ReLU(),
        )
        self.head = nn.Linear(64, num_classes)

    def forward(self, x):
        return self.head(self.backbone(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(
            [
                {"params": self.backbone.parameters(), "lr": self.lr * 0.1},
                {"params": self.head.parameters()},
            ],
            lr=self.lr,
            weight_decay=self.weight_decay,
        )
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.total_steps)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }


def fit(module, loader, max_epochs):
    """The part of Lightning's Trainer.fit this sample needs (automatic optimization)."""
    config = module.configure_optimizers()
    optimizer = config["optimizer"]
    sched_cfg = config["lr_scheduler"]
    scheduler, interval = sched_cfg["scheduler"], sched_cfg.get("interval", "epoch")
    module.train()
    for epoch in range(max_epochs):
        for batch_idx, batch in enumerate(loader):
            loss = module.training_step(batch, batch_idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if interval == "step":
                scheduler.step()
        if interval == "epoch":
            scheduler.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}  lrs {[f'{lr:.2e}' for lr in scheduler.get_last_lr()]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max_epochs", type=int, default=2)
    parser.add_argument("--batch_size", type=int, default=16)
    args = parser.parse_args()

    torch.manual_seed(0)
    x = torch.randn(128, 20)
    y = (x[:, :4].argmax(dim=1))
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    module = LitClassifier(total_steps=args.max_epochs * len(loader))
    fit(module, loader, args.max_epochs)


if __name__ == "__main__":
    main()
