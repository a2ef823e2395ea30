"""Severity triage of service log lines (info / degraded / outage) with a small Transformer
encoder over word ids. Lines have different lengths; padding is masked out of attention and
out of the pooled representation."""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

V, MAXLEN, PAD = 120, 24, 0
rng = np.random.default_rng(4)
# ids 1..19 neutral, 20..39 degraded cues, 40..59 outage cues, 60..119 service / host names
NEUTRAL, DEGRADED, OUTAGE, NAMES = range(1, 20), range(20, 40), range(40, 60), range(60, 120)


def log_line(label):
    n = int(rng.integers(6, MAXLEN + 1))
    ids = rng.choice(list(NEUTRAL) + list(NAMES), size=n)
    k = int(rng.integers(1, 3))
    cues = {0: NEUTRAL, 1: DEGRADED, 2: OUTAGE}[label]
    pos = rng.choice(n, size=k, replace=False)
    ids[pos] = rng.choice(list(cues), size=k)
    if label == 2 and rng.random() < 0.5:                # outages usually degrade first
        ids[rng.integers(n)] = rng.choice(list(DEGRADED))
    if label == 0 and rng.random() < 0.12:               # transient retries in healthy traffic
        ids[rng.integers(n)] = rng.choice(list(DEGRADED))
    if label == 1 and rng.random() < 0.08:               # degraded state logged without a cue word
        ids[pos] = rng.choice(list(NEUTRAL), size=k)
    row = np.full(MAXLEN, PAD)
    row[:n] = ids
    return row


def corpus(n):
    y = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    X = np.stack([log_line(c) for c in y])
    return torch.tensor(X), torch.tensor(X != PAD), torch.tensor(y)


class SeverityEncoder(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.emb = nn.Embedding(V, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, MAXLEN, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=128, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 3)

    def forward(self, ids, mask):
        h = self.encoder(self.emb(ids) + self.pos, src_key_padding_mask=~mask)
        m = mask.unsqueeze(-1).float()
        pooled = (self.norm(h) * m).sum(1) / m.sum(1)
        return self.head(pooled)


def warmup_cosine(optimizer, total_steps, warmup=50):
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total_steps - warmup))))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def setup():
    torch.manual_seed(4)
    train = torch.utils.data.TensorDataset(*corpus(2000))
    val = torch.utils.data.TensorDataset(*corpus(500))
    return nndoctor.Setup(
        model=SeverityEncoder(),
        train=train,
        val=val,
        inputs=lambda batch: nndoctor.Inputs(batch[0], batch[1]),
        targets=lambda batch: batch[2],
        loss=nn.CrossEntropyLoss(label_smoothing=0.05),
        optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
        scheduler=lambda opt, n: warmup_cosine(opt, n),
        batch_size=32,
    )
