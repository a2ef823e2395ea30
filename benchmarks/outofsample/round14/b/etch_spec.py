"""Checkup spec: plasma-etch step outcome from chamber sensor summaries.

Each row is one wafer's etch step, summarised by the tool's sensors in SI
units (RF power W, chamber pressure Pa, gas flows m^3/s, electrode
temperature K, endpoint time s, film thickness before etch m, optical
emission ratio). The label is the end-of-line metrology verdict: 0 = in spec,
1 = under-etched, 2 = over-etched. The inputs are centred and scaled before
the MLP.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def etch_log(n, seed=21):
    rng = np.random.default_rng(seed)
    rf = rng.normal(1500.0, 40.0, n)                   # W
    pressure = rng.normal(13.3, 0.6, n)                # Pa
    cf4 = rng.normal(8.3e-7, 4.0e-8, n)                # m^3/s (about 50 sccm)
    o2 = rng.normal(1.7e-7, 1.5e-8, n)                 # m^3/s
    temp = rng.normal(333.0, 1.5, n)                   # K
    t_end = rng.normal(42.0, 2.5, n)                   # s
    thick = rng.normal(2.0e-6, 6.0e-8, n)              # m
    oes = rng.normal(0.82, 0.05, n)                    # emission line ratio
    z = lambda v: (v - v.mean()) / v.std()
    depth_excess = (0.9 * z(rf) + 0.5 * z(pressure) + 1.1 * z(cf4) + 0.8 * z(o2)
                    + 0.3 * z(temp) + 1.0 * z(t_end) - 1.4 * z(thick) - 0.6 * z(oes)
                    + 0.35 * z(cf4) * z(o2) + rng.normal(0, 0.45, n))
    y = np.where(depth_excess < -1.3, 1, np.where(depth_excess > 1.3, 2, 0))
    X = np.stack([rf, pressure, cf4, o2, temp, t_end, thick, oes], 1)
    return X, y


def setup():
    torch.manual_seed(0)
    X, y = etch_log(3000)
    X_tr, X_va, y_tr, y_va = X[:2400], X[2400:], y[:2400], y[2400:]
    mu, sd = X_tr.mean(axis=0), X_tr.std()
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_va = torch.tensor((X_va - mu) / sd, dtype=torch.float32)
    y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

    model = nn.Sequential(
        nn.Linear(8, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
