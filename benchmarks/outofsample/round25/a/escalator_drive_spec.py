"""Escalator drive condition from a 16 s trace of motor current and step-chain vibration.

Traces are sampled at 10 Hz (160 steps, 3 channels: current, chain vibration RMS, handrail speed
ratio). A GRU reads the whole trace; label smoothing because the maintenance labels come from
technicians' visit notes; warm-up then cosine decay.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

CONDITIONS = ["normal", "worn_step_chain", "handrail_slip", "comb_obstruction", "drive_bearing"]
T = 160


def maintenance_traces(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(CONDITIONS), size=n, p=[0.36, 0.18, 0.16, 0.15, 0.15])
    t = np.arange(T) / 10.0
    X = np.zeros((n, T, 3), np.float32)
    for i, c in enumerate(y):
        load = rng.uniform(0.2, 1.0)
        passengers = np.convolve(rng.poisson(load * 0.3, T), np.ones(12) / 12, mode="same")
        cur = 0.5 + 0.8 * passengers + 0.03 * rng.normal(size=T)
        vib = 0.2 + 0.05 * rng.normal(size=T)
        hr = 1.0 + 0.01 * rng.normal(size=T)
        if c == 1:      # chain stretch: a once-per-loop knock, period ~ 4 s
            ph = rng.uniform(0, 4)
            vib += 0.10 * (np.abs(((t + ph) % 4.0) - 2.0) < 0.15)
        elif c == 2:    # handrail slips under load
            hr -= 0.02 * passengers / (passengers.max() + 1e-6) + 0.02 * rng.normal(size=T).cumsum() / 40
        elif c == 3:    # comb plate catches: short current spikes at random
            for s in rng.integers(0, T - 3, rng.integers(2, 5)):
                cur[s:s + 3] += rng.uniform(0.15, 0.4)
        elif c == 4:    # bearing: a slow rise of broadband vibration with the motor's rotation
            vib += 0.04 * (1 + np.sin(2 * math.pi * t * rng.uniform(2.5, 3.5))) * (0.5 + load)
        X[i, :, 0], X[i, :, 1], X[i, :, 2] = cur, vib, hr
    return X, y


class DriveGRU(nn.Module):
    def __init__(self, n_ch=3, hidden=48, n_out=len(CONDITIONS)):
        super().__init__()
        self.inp = nn.Linear(n_ch, 24)
        self.gru = nn.GRU(24, hidden, batch_first=True)
        self.head = nn.Sequential(nn.LayerNorm(2 * hidden), nn.Linear(2 * hidden, n_out))

    def forward(self, x):
        h, last = self.gru(torch.relu(self.inp(x)))
        pooled = torch.cat([last[-1], h.max(dim=1).values], dim=1)
        return self.head(pooled)


def warmup_cosine(opt, steps, warm=0.05):
    w = max(1, int(warm * steps))

    def f(s):
        if s < w:
            return (s + 1) / w
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (s - w) / max(1, steps - w))))
    return torch.optim.lr_scheduler.LambdaLR(opt, f)


def setup():
    torch.manual_seed(4)
    Xtr, ytr = maintenance_traces(700, seed=10)
    Xva, yva = maintenance_traces(300, seed=11)
    mu, sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return nndoctor.Setup(
        model=DriveGRU(),
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr).long()),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva).long()),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-2),
        scheduler=warmup_cosine,
        batch_size=32,
    )
