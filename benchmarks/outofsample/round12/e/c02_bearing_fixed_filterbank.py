"""Rolling-bearing fault diagnosis from 0.5 s accelerometer snippets (healthy / inner race /
outer race / rolling element). The front end is a fixed, hand-designed Gabor filterbank
(frozen: it encodes the band plan the vibration engineers use) followed by envelope
detection; only the small classifier on top is trained, with label smoothing."""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

FS, LEN = 2048, 1024
CLASSES = ["healthy", "inner", "outer", "ball"]
FAULT_HZ = {1: 71.0, 2: 43.0, 3: 29.0}           # characteristic defect frequencies


def snippet(label, rng):
    t = np.arange(LEN) / FS
    rpm_hz = rng.uniform(9, 11)
    x = 0.3 * np.sin(2 * np.pi * rpm_hz * t) + 0.1 * np.sin(4 * np.pi * rpm_hz * t + rng.uniform(0, 6))
    if label:
        f = FAULT_HZ[label] * rpm_hz / 10 * rng.uniform(0.98, 1.02)
        res = rng.uniform(500, 700)                # structural resonance excited by each impact
        for t0 in np.arange(rng.uniform(0, 1 / f), t[-1], 1 / f):
            dt = t - t0
            m = dt >= 0
            amp = rng.uniform(0.6, 1.0) * (1 + 0.5 * np.sin(2 * np.pi * rpm_hz * t0)) if label == 1 else rng.uniform(0.6, 1.0)
            x[m] += amp * np.exp(-dt[m] * 300) * np.sin(2 * np.pi * res * dt[m])
    x += rng.normal(0, 0.25, LEN)
    return x.astype(np.float32)


class FilterbankNet(nn.Module):
    def __init__(self, n_bands=16, k=65):
        super().__init__()
        self.bank = nn.Conv1d(1, n_bands, k, padding=k // 2, bias=False)
        centers = np.linspace(150, 900, n_bands)
        tt = (np.arange(k) - k // 2) / FS
        win = np.exp(-0.5 * (tt / (k / FS / 5)) ** 2)
        w = np.stack([win * np.cos(2 * np.pi * c * tt) for c in centers])
        w /= np.linalg.norm(w, axis=1, keepdims=True)
        self.bank.weight.data.copy_(torch.from_numpy(w[:, None, :].astype(np.float32)))
        self.bank.weight.requires_grad_(False)
        self.envelope = nn.AvgPool1d(16)                   # 128 Hz envelope sampling
        self.classifier = nn.Sequential(
            nn.BatchNorm1d(n_bands),
            nn.Conv1d(n_bands, 24, 9, padding=4), nn.BatchNorm1d(24), nn.ReLU(),
            nn.Conv1d(24, 24, 9, padding=4, dilation=1), nn.BatchNorm1d(24), nn.ReLU(),
            nn.AdaptiveAvgPool1d(8), nn.Flatten(), nn.Linear(24 * 8, len(CLASSES)))

    def forward(self, x):
        env = self.envelope(self.bank(x).abs())
        env = torch.log1p(env * 10)
        return self.classifier(env)


def setup():
    rng = np.random.default_rng(29)
    torch.manual_seed(29)
    y = rng.integers(0, 4, 1400)
    X = np.stack([snippet(int(c), rng) for c in y])[:, None, :]
    X_tr, y_tr, X_va, y_va = X[:1100], y[:1100], X[1100:], y[1100:]
    model = FilterbankNet()
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=2e-3),
        batch_size=32,
        name="bearing-filterbank",
    )
