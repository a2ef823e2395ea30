"""Checkup spec: event-log ordering with a small Transformer encoder.

Each sample is a log of 20 event codes (vocabulary 32) with one to three logins (code 1)
and one permission change (code 2); the label says whether the permission change came
immediately after a login (the pattern the security team wants flagged) or elsewhere.
Learned positional embeddings, 2 encoder layers, mean-pooled, linear head.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

VOCAB, SEQ_LEN, D = 32, 20, 64


def make_logs(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(3, VOCAB, size=(n, SEQ_LEN))
    y = rng.integers(0, 2, size=n)
    for i in range(n):
        logins = rng.choice(SEQ_LEN - 1, size=int(rng.integers(1, 4)), replace=False)
        X[i, logins] = 1
        free = np.setdiff1d(np.arange(SEQ_LEN), np.concatenate([logins, logins + 1]))
        if y[i]:                                           # escalation right after a login
            X[i, rng.choice(logins) + 1] = 2
        else:                                              # escalation elsewhere in the log
            X[i, rng.choice(free)] = 2
    return torch.from_numpy(X), torch.from_numpy(y)


class EventEncoder(nn.Module):
    def __init__(self, vocab=VOCAB, d=D, heads=4, layers=2, n_classes=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(SEQ_LEN, d)
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=heads, dim_feedforward=2 * d,
                                           dropout=0.1, activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, n_classes)

    def forward(self, codes):                              # codes: (batch, seq)
        positions = torch.arange(codes.shape[1], device=codes.device)
        h = self.tok(codes) + self.pos(positions)          # (batch, seq, d)
        h = self.encoder(h)
        return self.head(self.norm(h.mean(dim=1)))


def setup():
    torch.manual_seed(0)
    X_tr, y_tr = make_logs(3000, seed=0)
    X_va, y_va = make_logs(1000, seed=1)
    return nndoctor.Setup(
        model=EventEncoder(),
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01),
        batch_size=64,
        name="event-order-transformer",
    )
