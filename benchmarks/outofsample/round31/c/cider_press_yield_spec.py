"""Juice yield model for a cider mill's rack-and-cloth press.

Each row is one pressing: apple variety, fruit temperature, mill gap, ripeness (starch index),
pectinase dose, pressing pressure and time. Target: juice yield in litres per 100 kg of fruit.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_VARIETIES = 34
RNG = np.random.default_rng(2031)


def make_pressings(n):
    variety = RNG.integers(0, N_VARIETIES, size=n)
    # each variety has its own juiciness and its own response to pressure (firm vs mealy flesh)
    base = RNG.normal(0.0, 4.0, size=N_VARIETIES)
    firmness = RNG.uniform(-1.0, 1.0, size=N_VARIETIES)
    temp = RNG.normal(12.0, 4.0, size=n)                 # deg C
    gap = RNG.uniform(2.0, 8.0, size=n)                   # mm
    starch = RNG.uniform(1.0, 10.0, size=n)               # starch index
    enzyme = RNG.choice([0.0, 20.0, 40.0], size=n) + RNG.normal(0, 1.5, size=n)  # ml / t
    pressure = RNG.uniform(2.0, 12.0, size=n)             # bar
    minutes = RNG.uniform(10.0, 60.0, size=n)
    y = (66.0 + base[variety]
         + 0.9 * firmness[variety] * (pressure - 7.0)
         - 0.8 * (gap - 5.0)
         - 0.25 * (starch - 5.5) ** 2
         + 0.06 * enzyme
         + 3.0 * np.log(minutes / 30.0)
         + 0.05 * temp
         + RNG.normal(0.0, 1.2, size=n))
    num = np.column_stack([temp, gap, starch, enzyme, pressure, minutes])
    return variety, num, y


def setup():
    torch.manual_seed(0)
    variety, num, y = make_pressings(2000)
    tr, va = np.arange(0, 1600), np.arange(1600, 2000)

    num = (num - num[tr].mean(0)) / num[tr].std(0)
    var = (variety - variety[tr].mean()) / variety[tr].std()
    X = np.column_stack([var, num]).astype(np.float32)
    y = ((y - y[tr].mean()) / y[tr].std()).astype(np.float32)[:, None]

    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.ReLU(),
        nn.Linear(96, 96), nn.ReLU(),
        nn.Linear(96, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
