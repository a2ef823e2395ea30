"""Dissolved-oxygen soft sensor for a boiler feedwater train.

Predicts feedwater dissolved O2 (log ppb) downstream of the deaerator from the plant historian's
hourly averages, so the lab's grab samples can be replaced between shifts.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

TAGS = ["feed_temp_c", "deaerator_kpa", "steam_flow_tph", "sulfite_mgl", "ph",
        "makeup_frac", "load_pct", "cond_uscm", "vent_valve_pct"]


def historian_extract(n=2400, seed=7):
    rng = np.random.default_rng(seed)
    load = rng.uniform(35, 100, n)
    feed_temp = 95 + 0.25 * load + rng.normal(0, 3, n)
    dea_kpa = 125 + 0.3 * load + rng.normal(0, 9, n)
    steam = 0.9 * load + rng.normal(0, 4, n)
    makeup = np.clip(rng.beta(2, 12, n) + 0.002 * (100 - load), 0, 0.6)
    sulfite = rng.gamma(3.0, 2.0, n)
    ph = rng.normal(9.2, 0.3, n)
    cond = 4 + 30 * makeup + rng.normal(0, 0.8, n)
    vent = rng.uniform(5, 60, n)
    # Henry's-law-like residual O2 after deaeration: worse when the deaerator runs below saturation,
    # the vent is pinched, or a lot of cold make-up comes in; the scavenger removes it with a
    # saturating, pH-dependent efficiency.
    sat_gap = np.tanh((dea_kpa - (101 + 1.1 * (feed_temp - 100))) / 6.0)
    vent_eff = 1.0 - np.exp(-vent / 15.0)
    raw_o2 = 60 * np.exp(-4.0 * sat_gap * vent_eff) * (1 + 4 * makeup ** 2)
    ph_eff = np.exp(-((ph - 9.3) / 0.3) ** 2)
    scav = 1.0 / (1.0 + (sulfite / 3.0) ** 2.5 * ph_eff)
    o2 = raw_o2 * scav * np.exp(rng.normal(0, 0.08, n))
    X = np.stack([feed_temp, dea_kpa, steam, sulfite, ph, makeup, load, cond, vent], 1)
    return X.astype(np.float32), np.log(o2).astype(np.float32)


def block(d_in, d_out):
    return nn.Sequential(nn.Linear(d_in, d_out), nn.BatchNorm1d(d_out), nn.SiLU())


class SoftSensor(nn.Module):
    def __init__(self, n_in, widths=(128, 128, 64)):
        super().__init__()
        dims = (n_in,) + tuple(widths)
        self.body = nn.Sequential(*[block(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.head = nn.Linear(dims[-1], 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def setup():
    torch.manual_seed(0)
    X, y = historian_extract()
    n_tr = 1900                                     # hours are already in time order
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    y = (y - y_mu) / y_sd
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    model = SoftSensor(X.shape[1])
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
