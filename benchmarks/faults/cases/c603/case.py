import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def trends(n=1500, length=24, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    t = np.linspace(-1.0, 1.0, length)
    slope = np.select([y == 0, y == 1], [1.0, -1.0], 0.0) * rng.uniform(0.8, 1.5, n)
    x = slope[:, None] * t[None, :] + rng.uniform(-1, 1, (n, 1)) + 0.3 * rng.standard_normal((n, length))
    return x.astype(np.float32), y.astype(np.int64)


class TrendTransformer(nn.Module):
    def __init__(self, d_model=32, classes=3):
        super().__init__()
        self.embed = nn.Linear(1, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(d_model, classes)

    def forward(self, x):
        h = self.encoder(self.embed(x.unsqueeze(-1)))
        return self.head(h.mean(dim=1))


def setup():
    X, y = trends()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=TrendTransformer(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3),
        batch_size=32,
    )
