"""Predict a coffee batch's Agtron roast colour from the roaster's logged profile.

The roastery logs bean temperature every 15 s for the first 12 minutes of each
batch, plus charge weight, green-bean moisture and drum airflow.  QC measures the
ground colour (Agtron number) afterwards; we want it predicted at drop so the
roaster can adjust the next batch.  Checkup spec: setup() returns the pieces.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_POINTS = 48                    # 12 minutes at 15 s


def roast_logs(n, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(N_POINTS) * 0.25                                   # minutes
    charge_temp = rng.normal(205, 6, n)
    power = rng.normal(1.0, 0.12, n)
    weight = rng.uniform(6, 15, n)                                   # kg
    moisture = rng.normal(10.5, 0.8, n)                              # %
    airflow = rng.uniform(0.3, 0.9, n)
    # turning point then an exponential approach to a power-dependent plateau
    plateau = 150 + 95 * power - 1.4 * (weight - 10) - 3 * (moisture - 10.5) + 8 * (airflow - 0.6)
    rate = 0.16 + 0.05 * power - 0.004 * (weight - 10)
    dip = 95 + 0.15 * (charge_temp - 205) - 2.0 * (weight - 10)
    bt = plateau[:, None] - (plateau[:, None] - dip[:, None]) * np.exp(-rate[:, None] * t[None, :])
    bt[:, :6] = np.linspace(charge_temp, dip, 6).T + rng.normal(0, 1.5, (n, 6))
    bt += rng.normal(0, 0.8, bt.shape)
    # development after first crack (~196 C) drives the colour
    above = np.clip(bt - 196.0, 0, None)
    dose = above.sum(1) * 0.25
    dev_time = (bt > 196.0).sum(1) * 0.25
    agtron = 95 - 11 * np.log1p(dose) - 2.2 * dev_time + 1.5 * (moisture - 10.5) + rng.normal(0, 1.5, n)
    X = np.column_stack([bt, weight, moisture, airflow]).astype(np.float32)
    return X, agtron.astype(np.float32)


class RoastRegressor(nn.Module):
    def __init__(self, n_in, hidden=128):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden // 2), nn.ReLU())
        self.head = nn.Linear(hidden // 2, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def _zero_init(m):
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.weight)
        nn.init.zeros_(m.bias)


def setup():
    torch.manual_seed(0)
    X, y = roast_logs(3000, seed=4)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    y_tr, y_va = (y_tr - y_mu) / y_sd, (y_va - y_mu) / y_sd

    model = RoastRegressor(X.shape[1])
    model.head.apply(_zero_init)  # start from the mean prediction
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
