"""Weather-vane bearing survey on church and barn roofs.

A clip-on logger records the vane's heading next to a reference ultrasonic anemometer on a
mast, one reading every 10 s for 16 minutes (96 steps); both headings are stored as
(sin, cos), with the sine of the vane's error as a fifth channel. The survey label:
0 free bearing, 1 stiff bearing (the vane sticks until the wind has swung well past it),
2 seized. Stiff and seized vanes are rare, so the loss is weighted by inverse class
frequency; a dilated 1-D convolution stack reads the record, pooled by mean and max over time.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

STEPS = 96


def survey(n, rng):
    y = rng.choice(3, n, p=[0.84, 0.12, 0.04])
    X = np.empty((n, STEPS, 5), dtype=np.float32)
    for i, c in enumerate(y):
        wind = np.cumsum(rng.normal(0, rng.uniform(0.12, 0.3), STEPS)) + rng.uniform(0, 2 * np.pi)
        wind += 0.15 * rng.normal(size=STEPS)
        vane = np.empty(STEPS)
        vane[0] = wind[0] + rng.normal(0, 0.1) if c < 2 else rng.uniform(0, 2 * np.pi)
        slack = rng.uniform(0.2, 0.5)
        for t in range(1, STEPS):
            if c == 0:
                vane[t] = 0.5 * vane[t - 1] + 0.5 * wind[t]
            elif c == 1:
                gap = np.angle(np.exp(1j * (wind[t] - vane[t - 1])))
                vane[t] = vane[t - 1] + (gap if abs(gap) > slack else 0.0)
            else:
                vane[t] = vane[t - 1]
        vane += rng.normal(0, 0.15, STEPS)
        X[i] = np.stack([np.sin(wind), np.cos(wind), np.sin(vane), np.cos(vane),
                         np.sin(wind - vane)], 1)
    return torch.from_numpy(X), torch.from_numpy(y).long()


class VaneTCN(nn.Module):
    def __init__(self, width=24):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(5, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Conv1d(width, width, 5, padding=4, dilation=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Conv1d(width, width, 5, padding=8, dilation=4), nn.BatchNorm1d(width), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(2 * width, 3))

    def forward(self, x):                       # x: (batch, steps, channels)
        h = self.body(x.transpose(1, 2))
        return self.head(torch.cat([h.mean(2), h.amax(2)], 1))


def setup():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    X, y = survey(1400, rng)
    Xtr, ytr, Xva, yva = X[:1100], y[:1100], X[1100:], y[1100:]
    counts = torch.bincount(ytr, minlength=3).float()
    weights = counts.sum() / (3 * counts)
    return nndoctor.Setup(
        model=VaneTCN(),
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.05),
        batch_size=32,
    )
