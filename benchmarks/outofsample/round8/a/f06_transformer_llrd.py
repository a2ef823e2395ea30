"""Review-polarity classifier on synthetic token streams with a small Transformer encoder.

Vocabulary of 60 "words": 10 positive, 10 negative, some weighted double, the rest
neutral. Label = sign of the weighted polarity sum.
Optimiser: AdamW with layer-wise LR decay (head gets the base LR, each layer below gets
`LLRD` times the one above), linear warm-up then linear decay, stepped per batch.
"""
import math
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 3
random.seed(SEED); np.random.seed(SEED); torch.manual_seed(SEED)

VOCAB, LEN = 60, 24
POS, NEG = range(2, 12), range(12, 22)
STRONG = (2, 3, 12, 13)
PAD = 0


def make_reviews(n, rng):
    toks = rng.integers(24, VOCAB, size=(n, LEN))
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        k = rng.integers(3, 7)
        pos = np.sort(rng.choice(np.arange(1, LEN), size=k, replace=False))
        score = 0
        for p in pos:
            w = rng.choice(list(POS) + list(NEG))
            toks[i, p] = w
            s = 1 if w in POS else -1
            score += 2 * s if w in STRONG else s
        y[i] = int(score > 0) if score != 0 else rng.integers(0, 2)
    return torch.from_numpy(toks), torch.from_numpy(y)


rng = np.random.default_rng(SEED)
Xtr, ytr = make_reviews(2000, rng)
Xva, yva = make_reviews(600, rng)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)


class Encoder(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, LEN, d) * 0.02)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(d, heads, dim_feedforward=4 * d, dropout=0.1,
                                       batch_first=True, norm_first=True)
            for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2)

    def forward(self, x):
        h = self.embed(x) + self.pos
        for layer in self.layers:
            h = layer(h)
        return self.head(self.norm(h).mean(1))


model = Encoder()

BASE_LR, LLRD, EPOCHS = 2e-3, 0.05, 8
groups = [{"params": list(model.head.parameters()) + list(model.norm.parameters()), "lr": BASE_LR}]
scale = 1.0
for layer in reversed(model.layers):
    scale *= LLRD
    groups.append({"params": layer.parameters(), "lr": BASE_LR * scale})
scale *= LLRD
groups.append({"params": [model.embed.weight, model.pos], "lr": BASE_LR * scale})
optimizer = torch.optim.AdamW(groups, weight_decay=0.01)

total = EPOCHS * len(train_loader)
warm = total // 10
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / (total - warm)))


@torch.no_grad()
def evaluate():
    model.eval()
    correct = loss = 0.0
    for xb, yb in val_loader:
        logits = model(xb)
        loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
    n = len(val_loader.dataset)
    return loss / n, correct / n


for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
    vl, va = evaluate()
    print(f"epoch {epoch + 1:2d} val_loss {vl:.4f} val_acc {va:.4f}")

vl, va = evaluate()
print(f"final val_loss {vl:.4f} val_acc {va:.4f}")
