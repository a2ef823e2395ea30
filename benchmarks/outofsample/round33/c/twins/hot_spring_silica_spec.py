"""Hot-spring survey: predict dissolved silica (mg/L) from the field kit and major ions.

Silica needs a lab photometer; the field team has a probe (discharge temperature, pH,
conductivity) and ion strips.  A small MLP maps log-ion chemistry to the lab silica value.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def survey(n, rng):
    t_res = rng.uniform(110, 260, n)                              # reservoir temperature, degC
    na = np.exp(rng.normal(6.0, 0.5, n))                           # mg/L
    log_nak = 1217.0 / (t_res + 273.15) - 1.483 + rng.normal(0, 0.05, n)
    k = na / 10 ** log_nak
    cl = na * np.exp(rng.normal(0.35, 0.2, n))
    so4 = np.exp(rng.normal(4.5, 0.7, n))
    hco3 = np.exp(rng.normal(5.0, 0.6, n))
    ca = np.exp(rng.normal(2.5, 0.8, n)) * np.exp(-0.004 * (t_res - 180))
    mg = ca * np.exp(rng.normal(-1.8, 0.6, n))
    t_out = np.minimum(98.0, 40 + 0.3 * t_res + rng.normal(0, 6, n))
    ph = 8.6 - 0.004 * hco3 ** 0.5 * 10 + rng.normal(0, 0.35, n)
    cond = 1.9 * (na + k + cl + so4 + hco3 + ca + mg) * np.exp(rng.normal(0, 0.05, n))
    silica = 10 ** (5.19 - 1309.0 / (t_res + 273.15)) * np.exp(rng.normal(0, 0.06, n))
    feats = np.stack([t_out, ph, np.log(cond), np.log(na), np.log(k), np.log(ca),
                      np.log(mg), np.log(cl), np.log(so4), np.log(hco3)], 1)
    return feats.astype(np.float32), silica.astype(np.float32)


def setup():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = survey(1500, rng)
    n_tr = 1200
    X = (X - X[:n_tr].mean(0)) / X[:n_tr].std(0)
    y = (y - y[:n_tr].mean()) / y[:n_tr].std()
    y = y[:, None]
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
