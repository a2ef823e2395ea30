"""Café quality control: predict espresso extraction yield (%) before the refractometer reading.

Logged shots from a roaster's training bar: dose, beverage weight, grinder setting, shot
time, pre-infusion, water temperature, pump pressure, basket, bean age, roast degree
(Agtron), room humidity and the barista's tamp force. The refractometer reading is the target.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def shot_log(seed=4):
    rng = np.random.default_rng(seed)
    n = 8000
    dose = rng.normal(18.0, 0.8, n)
    ratio = rng.uniform(1.6, 2.8, n)
    bev = dose * ratio + rng.normal(0, 0.6, n)
    grind = rng.uniform(1.5, 4.5, n)
    time_s = 14 + 9 * (4.5 - grind) * (dose / 18) ** 1.5 + rng.normal(0, 2.0, n)
    preinf = rng.uniform(0.0, 9.0, n)
    temp = rng.normal(93.0, 1.2, n)
    pressure = rng.normal(9.0, 0.4, n)
    basket = rng.choice([0.0, 1.0], n)
    age = rng.gamma(3.0, 6.0, n)
    agtron = rng.uniform(45, 75, n)
    humidity = rng.uniform(30, 70, n)
    tamp = rng.normal(15, 3, n)
    ey = (17.5 + 2.2 * np.log(ratio / 2.0) + 1.5 * np.tanh((time_s - 28) / 6) + 0.25 * (temp - 93)
          - 0.04 * (agtron - 60) + 0.15 * preinf * (agtron > 62) - 1.2 * np.exp(-age / 5)
          + 0.8 * basket * np.sin(grind * 2) + rng.normal(0, 0.3, n))
    X = np.column_stack([dose, bev, grind, time_s, preinf, temp, pressure, age, agtron,
                         humidity, tamp, basket]).astype(np.float32)
    return X, ey.astype(np.float32)


class ExtractionNet(nn.Module):
    def __init__(self, d_in, width=64):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(d_in, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
            nn.Linear(width, 1),
        )
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.layers(x)


def setup():
    torch.manual_seed(4)
    X, y = shot_log()
    tr, va = slice(0, 6400), slice(6400, None)
    mu, sd = X[tr, :-1].mean(0), X[tr, :-1].std(0)
    X[:, :-1] = (X[:, :-1] - mu) / sd                            # last column: basket flag, left 0/1
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    y = ((y - y_mu) / y_sd)[:, None]
    return nndoctor.Setup(
        model=ExtractionNet(X.shape[1]),
        train=(torch.tensor(X[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(X[va]), torch.tensor(y[va])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
