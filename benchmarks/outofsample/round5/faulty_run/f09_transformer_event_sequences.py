"""Classify variable-length event sequences (padded) with a small Transformer encoder.

Each sequence is a stream of 8-channel sensor frames; in one of the first six channels a
short, weak burst happens somewhere in the stream. Label: the channel of the burst.
Trained for a fixed number of steps, evaluated every 100.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=400)
p.add_argument("--batch-size", type=int, default=64)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--d-model", type=int, default=32)
p.add_argument("--seed", type=int, default=5)
args = p.parse_args()

torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
MAX_LEN, N_CH, N_CLASSES = 40, 8, 6


def simulate(n):
    lengths = rng.integers(12, MAX_LEN + 1, size=n)
    x = rng.normal(0, 1, size=(n, MAX_LEN, N_CH)).astype(np.float32)
    y = rng.integers(0, N_CLASSES, size=n)
    for i in range(n):
        L = lengths[i]
        t = rng.integers(0, L - 2)
        x[i, t:t + 3, y[i]] += 2.5
        x[i, L:] = 0.0
    pad = np.arange(MAX_LEN)[None, :] >= lengths[:, None]     # True = padding
    return x, pad, y


class Events(Dataset):
    def __init__(self, n):
        self.x, self.pad, self.y = simulate(n)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), torch.from_numpy(self.pad[i]), int(self.y[i])


class EventTransformer(nn.Module):
    def __init__(self, n_ch, d_model, n_classes, n_layers=2, n_heads=4):
        super().__init__()
        self.inp = nn.Linear(n_ch, d_model)
        self.pos = nn.Parameter(torch.randn(1, MAX_LEN, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=2 * d_model,
                                           dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, x, pad_mask):
        h = self.inp(x) * math.sqrt(self.inp.out_features) + self.pos[:, :x.size(1)]
        h = self.encoder(h, src_key_padding_mask=pad_mask)
        keep = (~pad_mask).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.head(pooled)


train_ds, val_ds = Events(4000), Events(800)          # simulated in random order already
train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=False)
val_loader = DataLoader(val_ds, batch_size=200)

model = EventTransformer(N_CH, args.d_model, N_CLASSES)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
criterion = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for x, pad, y in val_loader:
            logits = model(x, pad)
            loss_sum += criterion(logits, y).item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return loss_sum / total, correct / total


model.train()
for step in range(1, args.steps + 1):
    x, pad, y = next(iter(train_loader))
    logits = model(x, pad)
    loss = criterion(logits, y)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % 100 == 0:
        val_loss, val_acc = evaluate()
        print(f"step {step:4d}  train_loss {loss.item():.4f}  val_loss {val_loss:.4f}  "
              f"val_acc {val_acc:.3f}")

print(f"final val_loss={val_loss:.4f} val_acc={val_acc:.4f}")
