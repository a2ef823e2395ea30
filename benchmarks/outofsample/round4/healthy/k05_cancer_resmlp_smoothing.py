"""Checkup spec: breast cancer (standardised), residual MLP with LayerNorm, two-class
cross-entropy with label smoothing 0.05, AdamW with weight decay."""
import torch
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import nndoctor


class ResBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(0.2), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class ResMLP(nn.Module):
    def __init__(self, d_in=30, d=32, n_blocks=2):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d) for _ in range(n_blocks)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 2))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


def setup():
    torch.manual_seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=2)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=ResMLP(),
        train=(f((X_tr - mu) / sd), torch.tensor(y_tr)),
        val=(f((X_va - mu) / sd), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=5e-4, weight_decay=5e-2),
        batch_size=32,
    )
