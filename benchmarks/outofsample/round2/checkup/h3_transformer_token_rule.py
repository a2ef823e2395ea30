import numpy as np
import torch
from torch import nn

import nndoctor

VOCAB = 40
MARKERS = (3, 7, 11)


def token_sequences(n, length, seed):
    """Random token strings; label = which of three marker tokens occurs most often (ties avoided)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(12, VOCAB, (n, length))
    y = rng.integers(0, 3, n)
    for i in range(n):
        order = [m for m in range(3) if m != y[i]]
        n_each = {y[i]: 4, order[0]: int(rng.integers(0, 3)), order[1]: int(rng.integers(0, 3))}
        pos = rng.choice(length, sum(n_each.values()), replace=False)
        k = 0
        for cls, cnt in n_each.items():
            X[i, pos[k:k + cnt]] = MARKERS[cls]
            k += cnt
    return X.astype(np.int64), y


class TokenEncoder(nn.Module):
    def __init__(self, dim=48, heads=4, layers=2, max_len=24):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, dim)
        self.pos = nn.Parameter(torch.zeros(1, max_len, dim))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, dim * 2, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(dim, 3)

    def forward(self, ids):
        h = self.tok(ids) + self.pos[:, : ids.shape[1]]
        return self.head(self.encoder(h).mean(dim=1))


def setup():
    X_train, y_train = token_sequences(3000, 24, seed=301)
    X_val, y_val = token_sequences(600, 24, seed=302)
    torch.manual_seed(13)
    return nndoctor.Setup(
        model=TokenEncoder(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-4),
        batch_size=64,
    )
