"""The canonical Hugging Face fine-tuning set-up (correct: optlint reports nothing).

Two AdamW groups: weight decay for every weight matrix, none for biases and
LayerNorm weights (`no_decay = ["bias", "LayerNorm.weight"]`, matched by
substring against `named_parameters()`), and a linear warmup/decay LambdaLR
stepped once per optimizer step, as `transformers.get_linear_schedule_with_warmup`.
"""
import argparse

import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LambdaLR
from torch.utils.data import DataLoader, TensorDataset

VOCAB, HIDDEN, MAX_LEN, NUM_LABELS = 120, 32, 12, 3


class SelfOutput(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class EncoderLayer(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.attention = nn.MultiheadAttention(hidden, num_heads=4, batch_first=True)
        self.attention_output = SelfOutput(hidden)
        self.intermediate = nn.Linear(hidden, 2 * hidden)
        self.output = nn.Linear(2 * hidden, hidden)
        self.output_norm = SelfOutput(hidden)

    def forward(self, x):
        attn, _ = self.attention(x, x, x, need_weights=False)
        x = self.attention_output(attn, x)
        return self.output_norm(self.output(torch.relu(self.intermediate(x))), x)


class TinyEncoderClassifier(nn.Module):
    def __init__(self, num_layers=2):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN)
        self.position_embeddings = nn.Embedding(MAX_LEN, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList([EncoderLayer(HIDDEN) for _ in range(num_layers)])
        self.classifier = nn.Linear(HIDDEN, NUM_LABELS)

    def forward(self, input_ids):
        pos = torch.arange(input_ids.size(1))
        x = self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(pos))
        for layer in self.layers:
            x = layer(x)
        return self.classifier(x.mean(dim=1))


def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))

    return LambdaLR(optimizer, lr_lambda, last_epoch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num_train_epochs", type=int, default=2)
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--weight_decay", type=float, default=0.01)
    parser.add_argument("--warmup_steps", type=int, default=2)
    parser.add_argument("--per_device_train_batch_size", type=int, default=16)
    args = parser.parse_args()

    torch.manual_seed(42)
    ids = torch.randint(0, VOCAB, (96, MAX_LEN))
    labels = torch.randint(0, NUM_LABELS, (96,))
    train_dataloader = DataLoader(TensorDataset(ids, labels), batch_size=args.per_device_train_batch_size, shuffle=True)
    model = TinyEncoderClassifier()

    no_decay = ["bias", "LayerNorm.weight"]
    optimizer_grouped_parameters = [
        {
            "params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
            "weight_decay": args.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=args.learning_rate)
    t_total = len(train_dataloader) * args.num_train_epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=args.warmup_steps, num_training_steps=t_total)

    loss_fn = nn.CrossEntropyLoss()
    global_step = 0
    model.train()
    for epoch in range(args.num_train_epochs):
        for input_ids, batch_labels in train_dataloader:
            loss = loss_fn(model(input_ids), batch_labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()  # once per optimizer step, like the HF Trainer
            optimizer.zero_grad()
            global_step += 1
        print(f"epoch {epoch}: step {global_step}/{t_total}  loss {loss.item():.4f}  lr {scheduler.get_last_lr()[0]:.2e}")


if __name__ == "__main__":
    main()
