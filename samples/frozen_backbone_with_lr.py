"""A frozen backbone that is still given its own (small) learning rate.

The intent was "train the backbone gently at 1e-5"; the code also freezes it
with requires_grad=False first. Frozen parameters never get a .grad, so the
optimizer skips them: the 1e-5 group does nothing, and whoever reads the
config believes the backbone is being fine-tuned. optlint reports OPT105.
"""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Backbone(nn.Module):
    def __init__(self, in_channels=3, width=16):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.out_features = 2 * width

    def forward(self, x):
        return self.features(x)


class Classifier(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.backbone = Backbone()
        self.head = nn.Sequential(
            nn.Linear(self.backbone.out_features, 64),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(64, num_classes),
        )

    def forward(self, x):
        return self.head(self.backbone(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = Classifier()
    # Stage 1 of a two-stage recipe: freeze the pretrained backbone ...
    for p in model.backbone.parameters():
        p.requires_grad = False

    # ... and yet give it a learning rate, as if it were being fine-tuned.
    optimizer = torch.optim.AdamW(
        [
            {"params": model.backbone.parameters(), "lr": 1e-5},
            {"params": model.head.parameters(), "lr": 1e-3},
        ],
        weight_decay=0.05,
    )
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)

    x = torch.randn(64, 3, 16, 16)
    y = torch.randint(0, 5, (64,))
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    conv_before = model.backbone.features[0].weight.detach().clone()

    model.train()
    for epoch in range(args.epochs):
        total = 0.0
        for images, labels in loader:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}  lrs {scheduler.get_last_lr()}")

    print("backbone conv unchanged:", torch.equal(conv_before, model.backbone.features[0].weight))


if __name__ == "__main__":
    main()
