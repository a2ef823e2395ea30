"""Checkup spec: fault type of a pump from 48-step, 4-channel vibration/pressure traces.

Five classes (normal, cavitation, bearing wear, misalignment, blocked inlet) with a skewed but
realistic mix. The model returns log-probabilities (LogSoftmax) and the loss is NLLLoss with
inverse-frequency class weights computed on the training split; a bidirectional GRU reads the
trace and its final states are concatenated.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASS_MIX = [0.4, 0.2, 0.15, 0.15, 0.1]


def make_traces(n=2400, T=48, seed=8):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(CLASS_MIX), size=n, p=CLASS_MIX)
    t = np.arange(T)
    X = np.zeros((n, T, 4), np.float32)
    for i, c in enumerate(y):
        f = rng.uniform(0.18, 0.24)
        base = np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))
        vib = base + 0.35 * rng.standard_normal(T)
        pres = 1.0 + 0.1 * rng.standard_normal(T)
        if c == 1:    # cavitation: bursts of broadband noise in pressure
            burst = rng.random(T) < 0.15
            pres = pres - 0.6 * burst * rng.random(T)
        elif c == 2:  # bearing wear: high-frequency component growing over the window
            vib = vib + (t / T) * 0.8 * np.sin(2 * np.pi * 0.45 * t)
        elif c == 3:  # misalignment: strong second harmonic
            vib = vib + 0.7 * np.sin(4 * np.pi * f * t)
        elif c == 4:  # blocked inlet: pressure decays
            pres = pres - 0.5 * (t / T) ** 2
        temp = 0.2 * rng.standard_normal() + 0.01 * t * (c == 2)
        X[i, :, 0] = vib
        X[i, :, 1] = np.gradient(vib)
        X[i, :, 2] = (pres - 1.0) / 0.3
        X[i, :, 3] = temp
    return X, y


class TraceClassifier(nn.Module):
    def __init__(self, n_in=4, hidden=48, n_classes=5):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 64), nn.ReLU(), nn.Linear(64, n_classes),
                                  nn.LogSoftmax(dim=-1))

    def forward(self, x):
        _, h = self.gru(x)                       # h: (2, B, hidden)
        return self.head(torch.cat([h[0], h[1]], dim=-1))


def setup():
    torch.manual_seed(0)
    X, y = make_traces()
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    Xtr, ytr, Xva, yva = X[:1900], y[:1900], X[1900:], y[1900:]
    counts = torch.bincount(ytr, minlength=len(CLASS_MIX)).float()
    weights = counts.sum() / (len(CLASS_MIX) * counts)
    return nndoctor.Setup(
        model=TraceClassifier(),
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.NLLLoss(weight=weights),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
