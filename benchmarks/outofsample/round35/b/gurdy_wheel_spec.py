"""Hurdy-gurdy regulation from the wheel: what does a luthier's bench rig hear?

A two-channel contact pickup (melody strings, trompette/dog) is sampled as an envelope at
64 points over about five wheel turns while the crank is turned by a motor. The setter
labels the state: 0 well set, 1 too much rosin (stick-slip bursts), 2 cotton too thick on
the trompette (dog chatter muffled on every turn), 3 wheel out of round (melody level
swells once per turn).
"""
import numpy as np
import torch
from torch import nn
import nndoctor

STEPS = 64


def bench_recordings(n, rng):
    y = rng.integers(0, 4, n)
    t = np.arange(STEPS)
    X = np.empty((n, STEPS, 2), dtype=np.float32)
    for i, c in enumerate(y):
        turn = rng.uniform(11, 14)
        phase = rng.uniform(0, 2 * np.pi)
        ang = 2 * np.pi * t / turn + phase
        melody = 1.0 + rng.normal(0, 0.12, STEPS)
        dog = 0.6 * (np.sin(ang) > 0.6) + rng.normal(0, 0.12, STEPS)     # chatter once per turn
        level = rng.uniform(0.8, 1.2)
        if c == 1:
            bursts = rng.random(STEPS) < 0.12
            melody += bursts * rng.uniform(0.4, 0.9, STEPS) * np.sign(rng.normal(size=STEPS))
        elif c == 2:
            dog = 0.25 * (np.sin(ang) > 0.6) + rng.normal(0, 0.12, STEPS)
        elif c == 3:
            melody += 0.35 * np.sin(ang + 1.0)
        X[i, :, 0] = level * melody - 1.0
        X[i, :, 1] = level * dog - 0.2
    return torch.from_numpy(X), torch.from_numpy(y).long()


class WheelNet(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.rnn = nn.GRU(2, hidden, num_layers=1)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 4))

    def forward(self, x):                       # x: (batch, steps, 2)
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def setup():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    X, y = bench_recordings(2000, rng)
    return nndoctor.Setup(
        model=WheelNet(),
        train=(X[:1600], y[:1600]),
        val=(X[1600:], y[1600:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
