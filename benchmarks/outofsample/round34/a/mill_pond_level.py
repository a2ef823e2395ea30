"""Water-mill head pond: forecast the pond level three hours past the end of a 4-day
hourly record of rain, leat inflow, sluice and wheel use, with the staff gauge read
only at the morning visit. GRU over the whole record, Huber loss on storm-heavy
targets (checkup spec)."""
import numpy as np
import torch
from torch import nn

import nndoctor

HOURS, AHEAD = 96, 3


def pond_records(n=1500, seed=17):
    rng = np.random.default_rng(seed)
    T = HOURS + AHEAD
    X = np.zeros((n, HOURS, 6), np.float32)
    y = np.zeros(n, np.float32)
    for i in range(n):
        storm = rng.random(T) < 0.03
        rain = rng.exponential(0.3, T) * (rng.random(T) < 0.25) + storm * rng.pareto(2.5, T) * 6
        inflow = np.convolve(rain, np.exp(-np.arange(24) / 6), mode="full")[:T] * 0.4 + rng.uniform(0.5, 1.5)
        gate = np.repeat(rng.uniform(0, 1, T // 12 + 1), 12)[:T]
        wheel = (np.repeat(rng.random(T // 8 + 1), 8)[:T] < 0.5).astype(float)
        spring = np.zeros(T)                       # unmetered spring and field-drain inflow
        for t in range(1, T):
            spring[t] = 0.95 * spring[t - 1] + rng.normal(0, 0.35)
        level = np.empty(T)
        level[0] = rng.uniform(0.6, 1.8)
        for t in range(1, T):
            out = 0.9 * gate[t] * np.sqrt(level[t - 1]) + 0.5 * wheel[t]
            level[t] = max(0.05, level[t - 1] + 0.05 * (inflow[t] + spring[t] - out))
        gauge = np.zeros(HOURS)
        seen = np.zeros(HOURS)
        visits = np.arange(rng.integers(0, 24), HOURS, 24)
        gauge[visits] = level[visits] + rng.normal(0, 0.02, len(visits))
        seen[visits] = 1
        X[i] = np.stack([np.log1p(rain[:HOURS]), inflow[:HOURS], gate[:HOURS], wheel[:HOURS], gauge, seen], 1)
        y[i] = level[HOURS + AHEAD - 1]
    return X, y


class PondGRU(nn.Module):
    def __init__(self, n_in, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


def setup():
    torch.manual_seed(17)
    X, y = pond_records()
    n_tr = 1200
    mu = X[:n_tr].reshape(-1, X.shape[2]).mean(0)
    sd = X[:n_tr].reshape(-1, X.shape[2]).std(0)
    mu[3:] = 0.0                       # wheel flag, gauge and its mask keep their zeros
    sd[3], sd[5] = 1.0, 1.0
    sd[4] = X[:n_tr, :, 4][X[:n_tr, :, 5] > 0].std()
    X = (X - mu) / sd
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    y = (y - y_mu) / y_sd
    return nndoctor.Setup(
        model=PondGRU(X.shape[2]),
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
