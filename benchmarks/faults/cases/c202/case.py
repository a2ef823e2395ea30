import numpy as np
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import torch
from torch import nn

import nndoctor


class Block(nn.Module):
    def __init__(self, dim, dropout=0.0):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class Net(nn.Module):
    def __init__(self, n_in=13, dim=32, n_out=3, depth=3):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, dim), *[Block(dim) for _ in range(depth)], nn.LayerNorm(dim))
        self.head = nn.Linear(dim, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    X, y = load_wine(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=103, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train).astype(np.float32), scaler.transform(X_val).astype(np.float32)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.AdamW(params, lr=0.001, weight_decay=0.01),
        batch_size=32,
    )
