"""Cider house: predict juice yield (litres per tonne of apples) of a press run.

Each row is one pressing at a farm cider house: fruit mix, ripeness, milling and
press settings, logged by the press controller. The model is used to plan how
many tonnes to mill for a given tank.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_press_runs(n, rng):
    bittersweet = rng.uniform(0.0, 1.0, n)                 # share of bittersweet varieties
    brix = rng.normal(12.5, 1.6, n)                        # sugar, degrees Brix
    firmness = rng.normal(7.0, 1.3, n)                     # kg/cm2, penetrometer
    days_sweated = rng.integers(0, 21, n).astype(float)    # days the fruit was left to mellow
    mill_gap = rng.uniform(2.0, 8.0, n)                    # mm, grinder gap
    pressure = rng.uniform(3.0, 9.0, n)                    # bar, rack-and-cloth press
    press_minutes = rng.uniform(20, 90, n)
    cloth_layers = rng.integers(6, 14, n).astype(float)
    pomace_temp = rng.normal(11.0, 3.5, n)                 # C
    pectinase = rng.uniform(0.0, 40.0, n)                  # ml per tonne
    X = np.column_stack([bittersweet, brix, firmness, days_sweated, mill_gap, pressure,
                         press_minutes, cloth_layers, pomace_temp, pectinase])

    soft = np.clip(9.0 - firmness, 0, None) * (days_sweated / 10.0)
    yield_l = (690.0
               - 28.0 * bittersweet
               + 6.0 * (brix - 12.5)
               - 11.0 * (mill_gap - 5.0)
               + 45.0 * np.log(pressure / 3.0)
               + 32.0 * (1 - np.exp(-press_minutes / 35.0))
               - 5.0 * (cloth_layers - 10.0)
               - 14.0 * soft ** 1.3                       # mushy fruit blocks the cloths
               + 0.9 * pectinase * (pomace_temp > 8.0)
               - 0.6 * (pomace_temp - 11.0) ** 2
               + rng.normal(0, 9.0, n))
    return X.astype(np.float32), yield_l.astype(np.float32)


def setup():
    rng = np.random.default_rng(2031)
    torch.manual_seed(2031)
    X, y = make_press_runs(1600, rng)
    X_tr, y_tr, X_va, y_va = X[:1280], y[:1280], X[1280:], y[1280:]

    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = (X_tr - mu) / sd
    X_va = (X_va - mu) / sd
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    y_tr, y_va = (y_tr - y_mu) / y_sd, (y_va - y_mu) / y_sd

    model = nn.Sequential(
        nn.Linear(10, 96), nn.SiLU(),
        nn.Linear(96, 96), nn.SiLU(),
        nn.Linear(96, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr).unsqueeze(1)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va).unsqueeze(1)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
