"""Kitesurf session tagging: which manoeuvre is in an 6-second board-IMU window?

A board-mounted logger (10 Hz) records acceleration (x, y, z in g), yaw rate (deg/s)
and GPS speed (knots). Most windows are plain cruising; jumps, jibes, tacks and
wipe-outs are rarer, so the cross-entropy is weighted by inverse class frequency.
A GRU reads the whole 60-step window.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

MOVES = ["cruise", "jump", "jibe", "tack", "wipeout"]
SHARE = [0.58, 0.15, 0.13, 0.08, 0.06]
T = 60


def windows(n, rng):
    y = rng.choice(len(MOVES), size=n, p=SHARE)
    X = np.zeros((n, T, 5), dtype=np.float32)
    t = np.arange(T)
    for i, c in enumerate(y):
        speed = rng.uniform(12, 25) + np.cumsum(rng.normal(0, 0.15, T))
        acc = rng.normal(0, 0.12, (T, 3)) + np.array([0.0, 0.0, 1.0])
        chop = rng.uniform(0.1, 0.7)
        acc[:, 2] += chop * np.sin(2 * np.pi * t / rng.uniform(4, 9) + rng.uniform(0, 6))
        yaw = rng.normal(0, 25, T)
        s = rng.integers(5, T - 25)
        if c == 1:                                   # pop, airtime, landing
            air = rng.integers(4, 15)
            acc[s, 2] += rng.uniform(1.5, 2.5)
            acc[s + 1:s + 1 + air, :] = rng.normal(0, 0.25, (air, 3)) + np.array([0.0, 0.0, 0.3])
            acc[s + 1 + air, 2] += rng.uniform(2.0, 4.0)
        elif c in (2, 3):                            # turn through ~180 deg
            dur = rng.integers(9, 20) if c == 2 else rng.integers(6, 13)
            yaw[s:s + dur] += np.sign(rng.normal()) * 180 / (dur / 10)
            drop = rng.uniform(0.25, 0.65) if c == 2 else rng.uniform(0.5, 0.9)
            speed[s:] -= drop * speed[s] * np.exp(-np.maximum(0, t[s:] - s - dur) / 10)
        elif c == 4:                                 # crash, board stops
            acc[s, :] += rng.normal(0, 1.5, 3)
            speed[s:] *= 0.15 + 0.85 * np.exp(-(t[s:] - s) / 4.0)
            yaw[s:s + 5] += rng.normal(0, 120, 5)
        X[i, :, :3], X[i, :, 3], X[i, :, 4] = acc, yaw, np.clip(speed, 0, None)
    return X, y


class ManoeuvreGRU(nn.Module):
    def __init__(self, n_in=5, hidden=32, n_out=len(MOVES)):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_out)

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(torch.cat([h[-1], out.mean(1)], dim=1))


def setup():
    rng = np.random.default_rng(808)
    torch.manual_seed(808)
    X, y = windows(1250, rng)
    Xtr, ytr, Xva, yva = X[:950], y[:950], X[950:], y[950:]
    mu, sd = Xtr.reshape(-1, 5).mean(0), Xtr.reshape(-1, 5).std(0)
    f = lambda a: torch.from_numpy((a - mu) / sd).float()
    counts = np.bincount(ytr, minlength=len(MOVES))
    weights = torch.tensor(counts.sum() / (len(MOVES) * counts), dtype=torch.float32)
    return nndoctor.Setup(
        model=ManoeuvreGRU(),
        train=(f(Xtr), torch.from_numpy(ytr)),
        val=(f(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
