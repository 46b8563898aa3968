"""A new classification head put on the model after the optimizer was built.

The script builds the optimizer for the backbone it loaded, then adapts the model
to its 5 classes by replacing `fc`. The optimizer still holds the old head's
tensors: the new head gets gradients but is never updated, its weights stay as
initialised, and nothing raises. The loss barely moves. optlint reports OPT102.
"""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class SmallResNet(nn.Module):
    def __init__(self, num_classes=1000, width=16):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )
        self.body = nn.Sequential(
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        return self.fc(self.body(self.stem(x)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = SmallResNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    # Adapt the model to this dataset's 5 classes: a new layer, new Parameters.
    model.fc = nn.Linear(32, 5)
    head_before = model.fc.weight.detach().clone()

    data = TensorDataset(torch.randn(64, 3, 16, 16), torch.randint(0, 5, (64,)))
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
        print(f"epoch {epoch}: loss {total / len(loader):.4f}")
    print("new head updated?", not torch.equal(head_before, model.fc.weight.detach()))


if __name__ == "__main__":
    main()
