"""Tram overhead line inspection: classify 2-second windows of pantograph contact force
(measuring tram, 64 Hz) into normal / arcing dropouts / hard spot / icing ripple / loose dropper.
1D CNN with a hand-written linear head. Checkup spec."""
import numpy as np
import torch
import torch.nn as nn
import nndoctor

CLASSES = ["normal", "arcing", "hard_spot", "icing", "loose_dropper"]
T = 128


def record_windows(n, rng):
    t = np.arange(T) / 64.0
    X = np.empty((n, T), dtype=np.float32)
    y = rng.integers(0, len(CLASSES), n)
    for i in range(n):
        speed = rng.uniform(6, 14)                                 # m/s
        span_f = speed / rng.uniform(25, 35)                       # span passing frequency
        f = 110 + rng.normal(0, 8) + 18 * np.sin(2 * np.pi * span_f * t + rng.uniform(0, 6.3))
        f += rng.normal(0, 7, T)
        c = y[i]
        if c == 1:
            for s in rng.integers(0, T - 4, rng.integers(2, 5)):
                f[s:s + rng.integers(1, 3)] -= rng.uniform(20, 45)
        elif c == 2:
            s = rng.integers(8, T - 8)
            f[s:s + 3] += rng.uniform(18, 35) * np.array([0.5, 1.0, 0.6])
        elif c == 3:
            f += rng.uniform(3, 6) * np.sin(2 * np.pi * rng.uniform(12, 20) * t)
        elif c == 4:
            f += rng.uniform(4, 8) * np.sign(np.sin(2 * np.pi * 2 * span_f * t))
        X[i] = f
    return X, y


class PrototypeHead(nn.Module):
    def __init__(self, d, n_classes):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_classes, d) * 0.01)
        self.bias = nn.Parameter(torch.zeros(n_classes))

    def forward(self, h):
        return h @ self.weight.t() + self.bias


class ForceCNN(nn.Module):
    def __init__(self, n_classes=len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 48, 5, padding=2), nn.BatchNorm1d(48), nn.ReLU(),
            nn.AdaptiveMaxPool1d(1), nn.Flatten(),
        )
        self.embed = nn.Sequential(nn.Linear(48, 128), nn.ReLU())
        self.head = PrototypeHead(128, n_classes)

    def forward(self, x):
        return self.head(self.embed(self.features(x.unsqueeze(1))))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = record_windows(1500, rng)
    Xtr, ytr, Xva, yva = X[:1000], y[:1000], X[1000:], y[1000:]
    mu, sd = Xtr.mean(), Xtr.std()
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return nndoctor.Setup(
        model=ForceCNN(),
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr).long()),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
