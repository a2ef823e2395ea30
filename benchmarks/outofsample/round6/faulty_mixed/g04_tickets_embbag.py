"""Support-ticket routing: token ids -> 4 queues with an EmbeddingBag model."""
import numpy as np
import torch
from torch import nn
import nndoctor

V, L, C = 400, 24, 4


def make_tickets(n, rng):
    y = rng.integers(0, C, n)
    X = rng.integers(C * 20, V, (n, L))              # generic filler words
    for i in range(n):
        k = rng.integers(1, 4)                      # a few queue-specific keywords
        cls = y[i] if rng.random() < 0.8 else rng.integers(0, C)   # tickets are messy
        X[i, rng.choice(L, k, replace=False)] = rng.integers(cls * 20, cls * 20 + 20, k)
    return X, y


class BagModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.EmbeddingBag(V, 64, mode="mean")
        self.mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, C))

    def forward(self, ids):
        return self.mlp(self.emb(ids))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(11)
    X, y = make_tickets(1500, rng)
    X, y = torch.tensor(X), torch.tensor(y)
    n_val = int(0.2 * len(y))
    X_train, y_train = X[n_val:], y[n_val:]
    X_val, y_val = X[-n_val:], y[-n_val:]
    return nndoctor.Setup(
        model=BagModel(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=32,
    )
