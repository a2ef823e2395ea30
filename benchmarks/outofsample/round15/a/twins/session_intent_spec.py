"""Checkup spec: purchase intent from e-commerce click sessions.

Each session is the last 24 events (token ids). Intents: 0 browse, 1 buy, 2 support, 3 compare.
GRU encoder with additive attention pooling over the time steps.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

T = 24
# token ranges: 1-15 product views, 16-19 add-to-cart, 20-23 checkout, 24-29 help/faq, 30-35 search, 36-39 misc
VOCAB = 40


def sessions(n, rng):
    X = np.empty((n, T), dtype=np.int64)
    y = rng.integers(0, 4, n)
    for i, c in enumerate(y):
        s = list(rng.choice(np.r_[1:16, 30:40], T))
        if c == 1:
            k = rng.integers(4, T - 6)
            s[k] = rng.integers(16, 20)
            for j in range(rng.integers(2, 4)):
                s[rng.integers(k + 1, T)] = rng.integers(20, 24)
        elif c == 2:
            for j in rng.choice(T, rng.integers(3, 6), replace=False):
                s[j] = rng.integers(24, 30)
        elif c == 3:
            a, b = rng.choice(np.arange(1, 16), 2, replace=False)
            for j in rng.choice(T, rng.integers(8, 12), replace=False):
                s[j] = a if rng.random() < 0.5 else b
        else:
            if rng.random() < 0.5:                       # abandoned carts are browsing too
                s[rng.integers(0, T)] = rng.integers(16, 20)
            if rng.random() < 0.5:
                s[rng.integers(0, T)] = rng.integers(24, 30)
        X[i] = s
    return X, y


class IntentNet(nn.Module):
    def __init__(self, vocab=VOCAB, d=32, hidden=64, n_classes=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.gru = nn.GRU(d, hidden, batch_first=True)
        self.att = nn.Linear(hidden, 1)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        h, _ = self.gru(self.emb(x))                  # (B, T, H)
        scores = self.att(torch.tanh(h)).squeeze(-1)  # (B, T)
        weights = torch.softmax(scores, dim=1)
        context = (weights.unsqueeze(-1) * h).sum(dim=1)
        return self.head(context)


def setup():
    rng = np.random.default_rng(21)
    torch.manual_seed(21)
    X, y = sessions(3000, rng)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=IntentNet(),
        train=(X[:2400], y[:2400]),
        val=(X[2400:], y[2400:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
