"""BERT-style fine-tuning with the classic `weight_decay_rate` group key.

pytorch-pretrained-bert's `BertAdam` read `weight_decay_rate` from each group;
`torch.optim.AdamW` reads `weight_decay`. PyTorch keeps unknown group keys
without a word, so both groups below silently get AdamW's default
weight_decay=0.01: biases and LayerNorm weights are decayed after all.
optlint reports OPT201 on both keys.
"""
import argparse
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, HIDDEN, MAX_LEN, NUM_LABELS = 100, 32, 16, 2


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN)
        self.position_embeddings = nn.Embedding(MAX_LEN, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.size(1), device=input_ids.device)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(x))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(HIDDEN, num_heads=4, batch_first=True)
        self.intermediate = nn.Linear(HIDDEN, 4 * HIDDEN)
        self.output = nn.Linear(4 * HIDDEN, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, x):
        attn, _ = self.attention(x, x, x, need_weights=False)
        x = x + attn
        return self.LayerNorm(x + self.output(torch.relu(self.intermediate(x))))


class TinyBertForSequenceClassification(nn.Module):
    def __init__(self, num_layers=2):
        super().__init__()
        self.embeddings = Embeddings()
        self.encoder = nn.ModuleList([Layer() for _ in range(num_layers)])
        self.classifier = nn.Linear(HIDDEN, NUM_LABELS)

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        for layer in self.encoder:
            x = layer(x)
        return self.classifier(x[:, 0])


def lr_lambda_factory(num_warmup_steps, num_training_steps):
    # The shape of transformers' get_linear_schedule_with_warmup.
    def lr_lambda(step):
        if step < num_warmup_steps:
            return float(step) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - step) / float(max(1, num_training_steps - num_warmup_steps)))
    return lr_lambda


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=5e-5)
    args = parser.parse_args()

    torch.manual_seed(0)
    ids = torch.randint(0, VOCAB, (64, MAX_LEN))
    labels = torch.randint(0, NUM_LABELS, (64,))
    loader = DataLoader(TensorDataset(ids, labels), batch_size=16, shuffle=True)
    model = TinyBertForSequenceClassification()

    no_decay = ["bias", "LayerNorm.weight"]
    optimizer_grouped_parameters = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay_rate": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay_rate": 0.0},
    ]
    optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=args.lr)
    num_training_steps = args.epochs * len(loader)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda_factory(num_warmup_steps=math.ceil(0.1 * num_training_steps),
                                     num_training_steps=num_training_steps))
    print("weight_decay per group:", [g["weight_decay"] for g in optimizer.param_groups])

    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(args.epochs):
        total = 0.0
        for batch_ids, batch_labels in loader:
            loss = loss_fn(model(batch_ids), batch_labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}  lr {scheduler.get_last_lr()[0]:.2e}")


if __name__ == "__main__":
    main()
