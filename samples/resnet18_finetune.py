"""Fine-tune a torchvision ResNet-18 with discriminative learning rates, done right.

The pretrained body (conv1, bn1, layer1..layer4) trains slowly at 1e-4 and the
new 10-class head fast at 1e-2. Every module with parameters is in exactly one
group: `optlint check` reports nothing and `optlint groups` shows seven groups.
"""
import argparse
import time

import torch
import torch.nn as nn
import torchvision
from torch.utils.data import DataLoader, TensorDataset

NUM_CLASSES = 10
BODY_LR = 1e-4
HEAD_LR = 1e-2


def build_model():
    # Real fine-tuning loads pretrained weights, e.g.
    #   torchvision.models.resnet18(weights=torchvision.models.ResNet18_Weights.IMAGENET1K_V1)
    # This sample has no network access, so it starts from random weights.
    model = torchvision.models.resnet18(weights=None)
    model.fc = nn.Linear(model.fc.in_features, NUM_CLASSES)
    return model


def make_loader(n, image_size, batch_size, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, image_size, image_size, generator=g)
    y = torch.randint(0, NUM_CLASSES, (n,), generator=g)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = build_model()

    optimizer = torch.optim.SGD(
        [
            {"params": model.conv1.parameters(), "lr": BODY_LR},
            {"params": model.bn1.parameters(), "lr": BODY_LR},
            {"params": model.layer1.parameters(), "lr": BODY_LR},
            {"params": model.layer2.parameters(), "lr": BODY_LR},
            {"params": model.layer3.parameters(), "lr": BODY_LR},
            {"params": model.layer4.parameters(), "lr": BODY_LR},
            {"params": model.fc.parameters(), "lr": HEAD_LR},
        ],
        momentum=0.9,
        weight_decay=1e-4,
    )
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    in_groups = sum(p.numel() for g in optimizer.param_groups for p in g["params"])
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"{len(optimizer.param_groups)} groups, {in_groups} of {trainable} parameters")
    print([g["lr"] for g in optimizer.param_groups])

    loader = make_loader(args.samples, args.image_size, args.batch_size)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(args.epochs):
        start, total = time.time(), 0.0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
        scheduler.step()
        lrs = ", ".join(f"{g['lr']:.2e}" for g in optimizer.param_groups)
        print(f"epoch {epoch}: loss {total / len(loader):.4f}  lrs [{lrs}]  {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
