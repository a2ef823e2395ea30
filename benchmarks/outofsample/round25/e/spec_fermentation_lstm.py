"""Checkup spec: outcome of a brewery fermentation from its first 72 hours of tank telemetry.

Four channels per hour (wort temperature, specific gravity, CO2 flow, glycol valve opening);
three outcomes: clean, diacetyl off-flavour (a temperature excursion early on) and a stuck
fermentation (gravity stalls). Stuck batches are rare, so the cross-entropy is class-weighted.
Channels are standardised with training statistics; an LSTM reads the hours.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def tank_runs(n, rng):
    T = 72
    t = np.arange(T)
    y = rng.choice(3, n, p=[0.65, 0.23, 0.12])
    X = np.empty((n, T, 4), dtype=np.float32)
    for i in range(n):
        og = rng.uniform(1.044, 1.062)
        k = rng.uniform(0.045, 0.07)
        lag = rng.uniform(6, 14)
        set_temp = rng.uniform(17.5, 19.5)
        att = 1 / (1 + np.exp(-k * 1.6 * (t - lag - 18)))
        if y[i] == 2:
            stall = rng.uniform(36, 56)
            at_stall = 1 / (1 + np.exp(-k * 1.6 * (stall - lag - 18)))
            att = np.where(t < stall, att, at_stall + 0.25 * (att - at_stall))   # yeast drops out
        fg_drop = (og - 1.010) * att
        gravity = og - fg_drop + rng.normal(0, 0.0008, T)
        co2 = np.gradient(fg_drop) * 4000 + rng.normal(0, 0.3, T)
        heat = np.gradient(fg_drop) * 900
        temp = set_temp + heat + rng.normal(0, 0.3, T)
        valve = np.clip(0.3 + 2.5 * heat + rng.normal(0, 0.05, T), 0, 1)
        if y[i] == 1:
            s = int(rng.integers(10, 30))
            bump = rng.uniform(0.4, 1.1) * np.exp(-((t - s - 6) / 5.0) ** 2)
            temp = temp + bump
            valve = np.clip(valve + 0.2 * (t > s + 8) * np.exp(-(t - s - 8) / 12.0), 0, 1)
        X[i] = np.column_stack([temp, (gravity - 1.0) * 1000, co2, valve])
    return X, y


class TankLSTM(nn.Module):
    def __init__(self, n_in=4, hidden=48, n_out=3):
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_out)

    def forward(self, x):
        h, (h_last, _) = self.lstm(x)
        return self.head(torch.cat([h_last[-1], h.amax(1)], dim=1))


def setup():
    torch.manual_seed(43)
    rng = np.random.default_rng(43)
    X, y = tank_runs(1800, rng)
    perm = rng.permutation(len(X))
    tr, va = perm[:1400], perm[1400:]
    mu = X[tr].reshape(-1, 4).mean(0)
    sd = X[tr].reshape(-1, 4).std(0)
    X = ((X - mu) / sd).astype(np.float32)
    counts = np.bincount(y[tr], minlength=3)
    weight = torch.tensor(counts.sum() / (3 * counts), dtype=torch.float32)
    return nndoctor.Setup(
        model=TankLSTM(),
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr]).long()),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va]).long()),
        loss=nn.CrossEntropyLoss(weight=weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-2),
        batch_size=32,
    )
