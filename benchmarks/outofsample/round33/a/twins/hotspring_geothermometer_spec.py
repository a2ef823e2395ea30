"""Reservoir-temperature estimation for hot springs from water chemistry (checkup spec).

A geothermal survey samples spring discharge and wants the deep reservoir temperature
that classical solute geothermometers (Na/K, K/Mg, quartz silica) estimate only
roughly when waters mix. Inputs are log-concentrations (mg/L) of the major ions plus
pH, discharge temperature and conductivity; the target is the reservoir temperature
(°C) from well measurements, standardised with the training statistics.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

IONS = ["Na", "K", "Ca", "Mg", "SiO2", "Cl", "SO4", "HCO3", "B", "Li"]


def spring_samples(n, rng):
    t_res = rng.uniform(90, 300, n)                                   # reservoir °C
    mix = rng.beta(2, 3, n)                                           # cold-water fraction
    na = np.exp(rng.normal(6.0, 0.6, n))
    log_nak = 1390 / (t_res + 273.15) - 1.75 + rng.normal(0, 0.06, n)
    k = na / 10 ** log_nak
    sio2 = 10 ** (5.19 - 1309 / (t_res + 273.15) + rng.normal(0, 0.04, n))
    mg = np.exp(rng.normal(1.5, 0.7, n)) * (1 + 6 * mix) * np.exp(-(t_res - 90) / 90)
    ca = np.exp(rng.normal(3.5, 0.5, n)) * (1 + 2 * mix)
    cl = na * rng.lognormal(0.3, 0.3, n)
    so4 = np.exp(rng.normal(4.0, 0.8, n))
    hco3 = np.exp(rng.normal(4.5, 0.6, n)) * (1 + 3 * mix)
    b = cl * rng.lognormal(-4.0, 0.3, n)
    li = na * rng.lognormal(-5.0, 0.3, n) * (t_res / 200)
    conc = np.stack([na, k, ca, mg, sio2, cl, so4, hco3, b, li], 1)
    dil = (1 - 0.7 * mix)[:, None]                                    # dilution by mixing
    conc = conc * dil + 1e-3
    ph = 6.5 + 1.5 * mix + rng.normal(0, 0.3, n)
    t_out = 15 + (t_res - 15) * (1 - mix) * rng.uniform(0.2, 0.45, n)
    ec = conc[:, [0, 1, 2, 5, 6, 7]].sum(1) * 1.6 * rng.lognormal(0, 0.05, n)
    X = np.column_stack([np.log(conc), ph, t_out, np.log(ec)])
    return X.astype(np.float32), t_res.astype(np.float32)


def setup():
    rng = np.random.default_rng(5)
    X, t = spring_samples(2400, rng)
    n_tr = 1900
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    t_mu, t_sd = t[:n_tr].mean(), t[:n_tr].std()
    y = ((t - t_mu) / t_sd)[:, None]

    torch.manual_seed(5)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr])),
        val=(torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
