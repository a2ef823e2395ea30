"""Checkup spec: kitesurf manoeuvre recognition from a board-mounted IMU (kite school analytics).

Windows of 48 samples (20 Hz, ~2.4 s) of 3-axis acceleration and 3-axis gyro, labelled by
the instructor's video review: cruising, jump, jibe (downwind turn), tack (upwind turn),
crash. A small Transformer encoder (sinusoidal positions kept as a buffer, mean-pooled),
AdamW with linear warm-up then cosine decay via the Setup's scheduler factory.
"""
import math
import numpy as np
import torch
from torch import nn
import nndoctor

CLASSES = ["cruising", "jump", "jibe", "tack", "crash"]
T, C = 48, 6


def _windows(rng, n):
    y = rng.integers(0, 5, n)
    t = np.linspace(0, 1, T)
    X = np.zeros((n, T, C), np.float32)
    for i, c in enumerate(y):
        chop = rng.uniform(0.3, 0.9)
        acc = np.stack([rng.normal(0, chop, T), rng.normal(0, chop, T), 1 + rng.normal(0, chop, T)], 1)
        gyr = rng.normal(0, 0.5, (T, 3))
        t0 = rng.uniform(0.2, 0.6)
        if c == 1:      # jump: pop, free fall (~0 g), landing spike
            air = (t > t0) & (t < t0 + rng.uniform(0.06, 0.25))
            acc[air, 2] = rng.normal(0.4, 0.3, air.sum())
            land = np.argmax(t > t0 + 0.25)
            acc[max(land - 1, 0):land + 1, 2] += rng.uniform(0.8, 2.5)
        elif c in (2, 3):  # turns: sustained yaw rate, board edge change (roll sign flips)
            sign = 1 if c == 2 else -1
            turn = np.exp(-((t - t0 - 0.15) ** 2) / rng.uniform(0.004, 0.015))
            gyr[:, 2] += sign * rng.uniform(0.5, 1.4) * turn
            gyr[:, 0] += np.where(t < t0 + 0.15, 0.4, -0.4) * turn * (1 if c == 2 else 0.5)
            acc[:, 0] += sign * 0.3 * turn
        elif c == 4:    # crash: chaotic tumble, high gyro energy, then stillness in water
            tum = (t > t0) & (t < t0 + 0.2)
            gyr[tum] += rng.normal(0, 1.5, (tum.sum(), 3))
            acc[tum] += rng.normal(0, 1.0, (tum.sum(), 3))
            after = t >= t0 + 0.2
            acc[after] = acc[after] * 0.5 + np.array([0.0, 0.5, 0.5])
        X[i] = np.concatenate([acc, gyr], 1)
    return X, y


class ManoeuvreTransformer(nn.Module):
    def __init__(self, d=32, heads=4, layers=2, n_classes=5):
        super().__init__()
        self.proj = nn.Linear(C, d)
        pos = torch.arange(T).unsqueeze(1)
        div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        pe = torch.zeros(T, d)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)
        layer = nn.TransformerEncoderLayer(d, heads, 2 * d, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.cls = nn.Linear(d, n_classes)

    def forward(self, x):
        h = self.encoder(self.proj(x) + self.pe)
        return self.cls(self.norm(h.mean(1)))


def _warmup_cosine(optimizer, total_steps):
    warm = max(1, total_steps // 10)

    def f(step):
        if step < warm:
            return (step + 1) / warm
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, total_steps - warm))))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, f)


def setup():
    torch.manual_seed(12)
    rng = np.random.default_rng(12)
    Xtr, ytr = _windows(rng, 900)
    Xva, yva = _windows(rng, 300)
    mu, sd = Xtr.reshape(-1, C).mean(0), Xtr.reshape(-1, C).std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return nndoctor.Setup(
        model=ManoeuvreTransformer(),
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        scheduler=_warmup_cosine,
        batch_size=32,
    )
