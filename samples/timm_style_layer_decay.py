"""Layer-wise lr decay for a small ViT, as MAE/BEiT fine-tuning does it (correct).

`param_groups_lrd` (MAE's util/lr_decay.py) builds one group per (layer, decay)
pair, each with an `lr_scale` of layer_decay ** (num_layers - layer_id).
PyTorch ignores `lr_scale` by itself; here `adjust_learning_rate` (MAE's
util/lr_sched.py) honours it, setting lr * lr_scale on every group each
iteration. optlint should report nothing.
"""
import argparse
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Block(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, num_heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class TinyViT(nn.Module):
    def __init__(self, img_size=16, patch_size=4, dim=32, depth=3, num_heads=4, num_classes=10):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + (img_size // patch_size) ** 2, dim))
        self.blocks = nn.ModuleList([Block(dim, num_heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.size(0), -1, -1), x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x[:, 0]))


def get_layer_id_for_vit(name, num_layers):
    if name in ["cls_token", "pos_embed"] or name.startswith("patch_embed"):
        return 0
    if name.startswith("blocks"):
        return int(name.split(".")[1]) + 1
    return num_layers


def param_groups_lrd(model, weight_decay=0.05, no_weight_decay_list=(), layer_decay=0.75):
    param_groups = {}
    num_layers = len(model.blocks) + 1
    layer_scales = list(layer_decay ** (num_layers - i) for i in range(num_layers + 1))
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim == 1 or n in no_weight_decay_list:
            g_decay, this_decay = "no_decay", 0.0
        else:
            g_decay, this_decay = "decay", weight_decay
        layer_id = get_layer_id_for_vit(n, num_layers)
        group_name = "layer_%d_%s" % (layer_id, g_decay)
        if group_name not in param_groups:
            param_groups[group_name] = {"lr_scale": layer_scales[layer_id], "weight_decay": this_decay, "params": []}
        param_groups[group_name]["params"].append(p)
    return list(param_groups.values())


def adjust_learning_rate(optimizer, epoch, args):
    """Half-cycle cosine after warmup; `epoch` is fractional (called every iteration)."""
    if epoch < args.warmup_epochs:
        lr = args.lr * epoch / args.warmup_epochs
    else:
        lr = args.min_lr + (args.lr - args.min_lr) * 0.5 * (
            1.0 + math.cos(math.pi * (epoch - args.warmup_epochs) / (args.epochs - args.warmup_epochs)))
    for param_group in optimizer.param_groups:
        if "lr_scale" in param_group:
            param_group["lr"] = lr * param_group["lr_scale"]
        else:
            param_group["lr"] = lr
    return lr


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--warmup_epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--min_lr", type=float, default=1e-6)
    parser.add_argument("--weight_decay", type=float, default=0.05)
    parser.add_argument("--layer_decay", type=float, default=0.75)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = TinyViT()
    param_groups = param_groups_lrd(model, args.weight_decay,
                                    no_weight_decay_list={"cls_token", "pos_embed"},
                                    layer_decay=args.layer_decay)
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr)
    print(f"{len(optimizer.param_groups)} groups, lr_scale:",
          sorted({round(g['lr_scale'], 4) for g in optimizer.param_groups}))

    data_loader = DataLoader(TensorDataset(torch.randn(48, 3, 16, 16), torch.randint(0, 10, (48,))),
                             batch_size=12, shuffle=True)
    criterion = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(args.epochs):
        for data_iter_step, (samples, targets) in enumerate(data_loader):
            # Per-iteration schedule, as in MAE's engine_finetune.train_one_epoch.
            adjust_learning_rate(optimizer, data_iter_step / len(data_loader) + epoch, args)
            loss = criterion(model(samples), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        lrs = [g["lr"] for g in optimizer.param_groups]
        print(f"epoch {epoch}: loss {loss.item():.4f}  lr min {min(lrs):.2e} max {max(lrs):.2e}")


if __name__ == "__main__":
    main()
