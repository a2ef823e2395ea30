"""Checkup spec: stoneware kiln firings -> outcome of the load (sound / dunting crack / bloating / glaze crawl).

Features are logged per firing by the kiln controller and the glaze room. Model: small MLP.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

OUTCOMES = ["sound", "dunting", "bloating", "crawling"]


def make_firings(n, rng):
    peak_c = rng.normal(1255, 18, n)               # peak temperature
    ramp_hi = rng.gamma(6.0, 25.0, n)              # C/h above 900 C
    soak_min = rng.uniform(0, 45, n)               # hold at peak
    cool_rate = rng.gamma(5.0, 30.0, n)            # C/h through quartz inversion
    wall_mm = rng.lognormal(np.log(7), 0.3, n)     # ware thickness
    clay_h2o = rng.normal(1.2, 0.5, n).clip(0.1)   # residual moisture %
    load_frac = rng.beta(6, 2, n)                  # kiln packing density
    glaze_g = rng.normal(180, 35, n)               # glaze weight per piece
    iron_pct = rng.gamma(3.0, 0.6, n)              # body iron oxide
    X = np.column_stack([peak_c, ramp_hi, soak_min, cool_rate, wall_mm,
                         clay_h2o, load_frac, glaze_g, iron_pct]).astype(np.float32)
    z = (X - X.mean(0)) / X.std(0)
    s_dunt = 1.3 * z[:, 3] + 0.9 * z[:, 4] + 0.5 * z[:, 6] - 0.3 * z[:, 2]
    s_bloat = 1.4 * z[:, 0] + 1.0 * z[:, 8] + 0.6 * z[:, 1] - 0.4 * z[:, 2]
    s_crawl = 1.2 * z[:, 5] + 1.1 * z[:, 7] - 0.5 * z[:, 0] + 0.3 * z[:, 4] ** 2
    logits = np.column_stack([np.zeros(n), 2.2 * s_dunt - 7.6, 2.2 * s_bloat - 8.0, 2.2 * s_crawl - 8.2])
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = (p.cumsum(1) > rng.random((n, 1))).argmax(1)
    return X, y.astype(np.int64)


def setup():
    rng = np.random.default_rng(2026)
    torch.manual_seed(0)
    X, y = make_firings(4000, rng)
    idx = rng.permutation(len(y))
    tr, va = idx[:3200], idx[3200:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(OUTCOMES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(X[va]), torch.tensor(y[va])),
        loss=nn.CrossEntropyLoss(weight=torch.tensor(len(tr) / (len(OUTCOMES) * np.bincount(y[tr])), dtype=torch.float32)),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
