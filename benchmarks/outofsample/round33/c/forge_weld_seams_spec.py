"""Forge-welded seams on wrought-iron gate bars: flag defective welds from the hammer log.

A smith's power hammer logs 96 samples per weld of (blow force, bar surface temperature
from the pyrometer, acoustic ring after the blow).  Most welds are sound; porosity (slag
trapped in the seam) and cold laps (lack of fusion) are rare.  Small 1-D CNN with
BatchNorm; cross-entropy with class weights (inverse square root of the class share) and
light label smoothing, because the rare classes are what the inspector cares about.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

CLASSES = ["sound", "porosity", "cold_lap"]
SHARES = [0.86, 0.08, 0.06]
T = 96


def hammer_logs(n, rng):
    y = rng.choice(3, size=n, p=SHARES)
    t = np.arange(T)
    x = np.zeros((n, 3, T), dtype=np.float32)
    for i in range(n):
        blows = (t % rng.integers(14, 20)) == 0
        force = np.convolve(blows.astype(float), np.exp(-np.arange(6) / 1.5), "same")
        temp0 = rng.normal(1290, 25)
        cooling = rng.uniform(1.2, 2.0)
        if y[i] == 2:                                   # cold lap: welded too cool
            temp0 -= rng.uniform(60, 110)
        temp = temp0 - cooling * t + rng.normal(0, 6, T)
        ring = force * rng.uniform(0.8, 1.2) + rng.normal(0, 0.15, T)
        if y[i] == 1:                                   # porosity: dull, damped ring
            ring = np.convolve(ring, np.ones(4) / 4, "same") * 0.7 + rng.normal(0, 0.15, T)
        x[i, 0] = force * rng.normal(1.0, 0.1) + rng.normal(0, 0.05, T)
        x[i, 1] = (temp - 1200) / 60
        x[i, 2] = ring
    return x, y


class SeamCNN(nn.Module):
    def __init__(self, n_cls=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, 24, 7, padding=3), nn.BatchNorm1d(24), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 48, 5, padding=2), nn.BatchNorm1d(48), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(48, 48, 3, padding=1), nn.BatchNorm1d(48), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.classifier = nn.Linear(48, n_cls)

    def forward(self, x):
        return self.classifier(self.features(x))


def setup():
    torch.manual_seed(29)
    rng = np.random.default_rng(29)
    X, y = hammer_logs(2000, rng)
    n_tr = 1600
    mu = X[:n_tr].mean((0, 2), keepdims=True)
    sd = X[:n_tr].std((0, 2), keepdims=True)
    X = (X - mu) / sd
    share = np.bincount(y[:n_tr], minlength=3) / n_tr
    weights = torch.tensor(1 / np.sqrt(share), dtype=torch.float32)
    weights = weights / weights.mean()
    return nndoctor.Setup(
        model=SeamCNN(),
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
