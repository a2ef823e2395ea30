"""Checkup spec: a Transformer encoder that reads an event log and names the dominant event type.

Each sequence is 32 event ids (vocabulary 64): filler events, one RESET event at a random position,
and occurrences of 4 "alarm" types scattered on both sides of it; the label is the alarm type that
occurs most often after the RESET (ties excluded), so the model must relate positions to the RESET.  Pre-LN
Transformer encoder (batch_first=True, fed (N, T)), learned positions, mean pooling, AdamW with
weight decay, and the usual linear warm-up then cosine decay, stepped per batch.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

VOCAB, T, N_ALARMS = 64, 32, 4
RESET = N_ALARMS + 1


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    X = np.empty((n, T), dtype=np.int64)
    y = np.empty(n, dtype=np.int64)
    i = 0
    while i < n:
        cut = rng.integers(8, T - 8)  # RESET position
        before = rng.integers(0, 4, size=N_ALARMS)
        after = rng.integers(0, 4, size=N_ALARMS)
        if (after == after.max()).sum() > 1 or before.sum() > cut or after.sum() > T - cut - 1:
            continue
        head = np.concatenate([np.repeat(np.arange(1, N_ALARMS + 1), before),
                               rng.integers(RESET + 1, VOCAB, size=cut - before.sum())])
        tail = np.concatenate([np.repeat(np.arange(1, N_ALARMS + 1), after),
                               rng.integers(RESET + 1, VOCAB, size=T - cut - 1 - after.sum())])
        X[i] = np.concatenate([rng.permutation(head), [RESET], rng.permutation(tail)])
        y[i] = after.argmax()
        i += 1
    return torch.from_numpy(X), torch.from_numpy(y)


class EventEncoder(nn.Module):
    def __init__(self, d_model=64, nhead=4, layers=2, n_classes=N_ALARMS):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Parameter(torch.zeros(1, T, d_model))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=4 * d_model, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, x):
        h = self.encoder(self.tok(x) + self.pos[:, : x.size(1)])
        return self.head(self.norm(h).mean(1))


def warmup_cosine(optimizer, total_steps, warmup_frac=0.1):
    warmup = max(1, int(warmup_frac * total_steps))

    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, f)


def setup():
    torch.manual_seed(0)
    Xtr, ytr = make_data(4000, seed=1)
    Xva, yva = make_data(1000, seed=2)
    return nndoctor.Setup(
        model=EventEncoder(),
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01),
        scheduler=lambda opt, steps: warmup_cosine(opt, steps),
        batch_size=64,
    )
