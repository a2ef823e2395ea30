"""Checkup spec: event detection in 3-channel sensor windows with a GRU, imbalanced classes.

Classes: 0 normal (about 75%), 1 slow drift on channel 0 (about 17%), 2 short burst on channel 2
(about 8%). Every window is AR(1) noise; channels are standardised with training statistics. The
imbalance is handled with inverse-frequency class weights in CrossEntropyLoss (computed on the
training split); the split is stratified so both splits keep the same shares.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import train_test_split

import nndoctor

T, C = 48, 3


def make_windows(n, rng):
    y = rng.choice(3, size=n, p=[0.75, 0.17, 0.08])
    x = np.zeros((n, T, C))
    eps = rng.normal(0, 1, (n, T, C))
    for t in range(1, T):
        x[:, t] = 0.7 * x[:, t - 1] + eps[:, t]
    x[:, :, 1] += 0.5 * x[:, :, 0]                                   # correlated channels
    ramp = np.linspace(0, 1, T)
    drift = rng.uniform(2.5, 4.5, n) * rng.choice([-1, 1], n)
    x[y == 1, :, 0] += drift[y == 1, None] * ramp
    for i in np.where(y == 2)[0]:
        t0, w = rng.integers(4, T - 10), rng.integers(3, 7)
        x[i, t0:t0 + w, 2] += rng.uniform(4.0, 6.0)
    x[:, :, 2] = x[:, :, 2] * 3.0 + 10.0                             # raw units of channel 2
    return x.astype(np.float32), y


class GRUClassifier(nn.Module):
    def __init__(self, n_in=C, hidden=64, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


def setup():
    rng = np.random.default_rng(4)
    torch.manual_seed(4)
    X, y = make_windows(3000, rng)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=4)
    mu, sd = X_tr.reshape(-1, C).mean(0), X_tr.reshape(-1, C).std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    counts = np.bincount(y_tr, minlength=3)
    weights = torch.tensor(len(y_tr) / (3 * counts), dtype=torch.float32)

    return nndoctor.Setup(
        model=GRUClassifier(),
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=64,
    )
