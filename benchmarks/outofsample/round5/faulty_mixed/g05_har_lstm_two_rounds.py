"""Human-activity recognition from a wrist accelerometer (3 axes, 25 Hz,
2 s windows) with an LSTM. Windows come from two recording rounds; the
second round's annotations were exported as activity names.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["walking", "upstairs", "downstairs", "sitting", "standing", "lying"]
T = 50


def record_round(n, rng):
    """Synthetic stand-in for the recordings: (n, T, 3) windows and activity names."""
    t = np.arange(T) / 25.0
    names = rng.choice(CLASSES, size=n)
    X = np.empty((n, T, 3), dtype=np.float32)
    for i, name in enumerate(names):
        phase = rng.uniform(0, 2 * np.pi)
        if name in ("walking", "upstairs", "downstairs"):
            f = rng.uniform(1.6, 2.2)
            amp = {"walking": 0.35, "upstairs": 0.25, "downstairs": 0.5}[name]
            tilt = {"walking": 0.0, "upstairs": 0.25, "downstairs": -0.25}[name]
            sig = np.stack([amp * np.sin(2 * np.pi * f * t + phase),
                            0.5 * amp * np.sin(4 * np.pi * f * t + phase),
                            1.0 + tilt + amp * np.cos(2 * np.pi * f * t + phase)], 1)
        else:
            g = {"sitting": (0.3, 0.2, 0.93), "standing": (0.0, 0.1, 0.99), "lying": (0.95, 0.2, 0.1)}[name]
            sig = np.tile(g, (T, 1)) + 0.03 * np.sin(2 * np.pi * 0.3 * t + phase)[:, None]
        X[i] = sig + rng.normal(scale=0.12, size=(T, 3))
    return X, names


class HARNet(nn.Module):
    def __init__(self, n_in=3, hidden=64, n_classes=len(CLASSES)):
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(hidden, n_classes))

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out.mean(dim=1))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(5)
    sig_a, names_a = record_round(1100, rng)
    sig_b, names_b = record_round(500, rng)

    y_a = np.array([CLASSES.index(n) for n in names_a])
    _, y_b = np.unique(names_b, return_inverse=True)

    X_tr = np.concatenate([sig_a[:800], sig_b])
    y_tr = np.concatenate([y_a[:800], y_b])
    X_va, y_va = sig_a[800:], y_a[800:]
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return nndoctor.Setup(
        model=HARNet(),
        train=(t(X_tr), t(y_tr).long()),
        val=(t(X_va), t(y_va).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
