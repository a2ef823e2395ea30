"""Vaccine cold chain: estimate the potency lost by a shipment from its data-logger summary.

Every insulated shipper carries a temperature logger; QA assays a sample of vials at the
destination clinic. We have ~520 assayed shipments and want a model that flags shipments
whose loss is likely high before the vials are used. Heat exposure acts through an
Arrhenius-like rate; freezing events destroy adjuvanted vaccines outright.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def assayed_shipments(n=520, seed=5):
    rng = np.random.default_rng(seed)
    transit_h = rng.gamma(3.0, 18.0, n)
    ambient = rng.normal(24.0, 7.0, n)
    mean_t = 5.0 + 0.08 * (ambient - 24.0) + rng.normal(0.0, 1.2, n)
    max_t = mean_t + rng.gamma(2.0, 1.5, n) + 0.05 * np.clip(ambient - 24.0, 0, None) * rng.uniform(0, 3, n)
    min_t = mean_t - rng.gamma(2.0, 1.3, n)
    min_above_8 = np.clip(transit_h * 60 * (1 / (1 + np.exp(-(max_t - 9.0)))) * rng.uniform(0.05, 0.3, n), 0, None)
    min_below_0 = np.clip(transit_h * 60 * (1 / (1 + np.exp(2.0 * (min_t - 0.5)))) * rng.uniform(0.02, 0.2, n), 0, None)
    door_opens = rng.poisson(2.0 + transit_h / 24.0, n).astype(float)
    age_days = rng.uniform(10, 500, n)

    rate = np.exp(0.12 * (mean_t - 5.0))
    heat = 0.004 * min_above_8 * np.exp(0.1 * (max_t - 8.0))
    freeze = 6.0 * (1 - np.exp(-min_below_0 / 90.0))
    loss = (0.02 * transit_h * rate + heat + freeze + 0.004 * age_days + 0.15 * door_opens
            + rng.normal(0.0, 0.4, n))
    X = np.column_stack([transit_h, ambient, mean_t, max_t, min_t, np.log1p(min_above_8),
                         np.log1p(min_below_0), door_opens, age_days])
    return X.astype(np.float32), loss.astype(np.float32)


def setup():
    torch.manual_seed(0)
    X, y = assayed_shipments()
    n_tr = 420
    X = (X - X[:n_tr].mean(0)) / X[:n_tr].std(0)
    y = (y - y[:n_tr].mean()) / y[:n_tr].std()
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.SiLU(),
        nn.Linear(64, 64), nn.SiLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=512,
    )
