"""Regional avalanche danger level (1-4) from the morning snowpack/weather bulletin.

Rows are (region, day) pairs from automatic snow stations plus the observer's
stability tests; the label is the danger level the forecasting team published.
Validation uses the last winter.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def bulletin_rows(n, seed):
    rng = np.random.default_rng(seed)
    hn24 = rng.gamma(1.2, 8, n)                       # new snow 24 h, cm
    hn72 = hn24 + rng.gamma(1.5, 10, n)
    wind = rng.gamma(2.5, 4, n)                       # m/s at ridge
    wdir = rng.uniform(0, 2 * np.pi, n)
    ta = rng.normal(-6, 5, n)                         # air temperature
    dta = rng.normal(0, 3, n)                         # 24 h change
    hs = rng.gamma(6, 30, n)                          # total snow height
    rain = (ta > 0) * rng.gamma(1, 3, n) * (rng.random(n) < 0.3)
    ect = rng.integers(1, 31, n).astype(float)        # extended column test taps
    pwl_depth = rng.gamma(3, 20, n)                   # depth of persistent weak layer, cm
    elev = rng.choice([1800.0, 2200.0, 2600.0], n)
    solar = rng.uniform(50, 700, n)
    load = hn72 * (1 + 0.08 * np.maximum(wind - 6, 0)) + 8 * rain
    score = (0.045 * load + 0.9 * np.tanh(dta / 3) + 0.8 * (ect < 13) * (pwl_depth < 80)
             + 0.6 * (rain > 0) - 0.004 * hs * (ta < -10) + 0.0008 * (elev - 2200) + rng.normal(0, 0.45, n))
    level = np.digitize(score, [0.7, 1.6, 2.8])       # 0..3 -> danger 1..4
    X = np.stack([hn24, hn72, wind, np.sin(wdir), np.cos(wdir), ta, dta, hs, rain, ect,
                  pwl_depth, elev, solar], 1).astype(np.float32)
    return X, level.astype(np.int64)


def setup():
    torch.manual_seed(3)
    X_tr, y_tr = bulletin_rows(3000, seed=10)
    X_va, y_va = bulletin_rows(800, seed=11)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    act = nn.ReLU
    width = 96
    layers, d = [], X_tr.shape[1]
    for _ in range(5):
        layers += [nn.Linear(d, width), act()]
        d = width
    layers.append(nn.Linear(d, 4))
    model = nn.Sequential(*layers)

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=64,
    )
