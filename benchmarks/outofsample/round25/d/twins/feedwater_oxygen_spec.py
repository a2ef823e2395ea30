"""Boiler house: dissolved oxygen after the deaerator, from plant sensors.

Twelve continuous sensor channels (feedwater and deaerator temperatures, deaerator pressure,
feed flow, steam load, make-up fraction, condensate return, sulphite dosing, vent valve
position, pH, conductivity, economiser inlet temperature). Target: log dissolved O2 (ppb),
standardised on the training weeks. Validation is the last 20% of the log (later weeks).
"""
import numpy as np
import torch
import nndoctor
from torch import nn


def plant_log(n, seed=21):
    rng = np.random.default_rng(seed)
    load = np.clip(0.6 + 0.25 * np.sin(np.arange(n) / 180.0) + rng.normal(0, 0.08, n), 0.2, 1.0)
    makeup = np.clip(rng.beta(2, 6, n) + 0.1 * (1 - load), 0, 1)
    cond_return = 1 - makeup - rng.uniform(0, 0.05, n)
    t_fw = 60 + 45 * load + rng.normal(0, 3, n)
    p_da = 0.2 + 0.15 * load + rng.normal(0, 0.02, n)
    t_da = 100 + 55 * p_da / 0.35 + rng.normal(0, 1.5, n)
    vent = np.clip(rng.normal(0.4, 0.15, n), 0.05, 1)
    sulphite = np.clip(rng.normal(8, 2.5, n), 0, None)
    flow = 12 + 30 * load + rng.normal(0, 1.5, n)
    ph = rng.normal(9.3, 0.2, n)
    cond = 4 + 20 * makeup + rng.normal(0, 1.2, n)
    t_econ = t_fw + rng.normal(5, 1.5, n)
    subcool = np.maximum(t_da - t_fw, 0) / 60.0
    log_o2 = (2.2 + 1.8 * makeup - 1.1 * vent + 0.9 * subcool - 0.06 * sulphite
              - 1.2 * np.tanh(3 * (p_da - 0.27)) + 0.4 * makeup * (1 - vent) + rng.normal(0, 0.15, n))
    X = np.stack([t_fw, t_da, p_da, flow, load, makeup, cond_return, sulphite, vent, ph, cond, t_econ], 1)
    return X.astype(np.float32), log_o2.astype(np.float32)


def setup():
    torch.manual_seed(0)
    X, y = plant_log(3000)
    n_tr = 2400
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    y = (y - y[:n_tr].mean()) / y[:n_tr].std()
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)

    model = nn.Sequential(
        nn.Linear(12, 64), nn.GELU(),
        nn.Linear(64, 64), nn.GELU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=1e-2, momentum=0.9),
        batch_size=32,
    )
