"""Chimney-pot draught survey: predict the measured flue draught (Pa) of a
chimney from its height, flue size, wind and temperature readings and the
pot/cowl style fitted (one of 24 catalogue styles). Checkup spec."""
import numpy as np
import torch
from torch import nn

import nndoctor

N_STYLES = 24


def survey(seed=5, n=2400):
    rng = np.random.default_rng(seed)
    height_m = rng.uniform(4, 16, n)
    flue_mm = rng.choice([180, 200, 225, 250, 300], n) + rng.normal(0, 3, n)
    t_in = rng.uniform(60, 220, n)          # flue gas temperature, C
    t_out = rng.uniform(-8, 24, n)
    wind = rng.gamma(2.0, 2.0, n)
    style = rng.integers(0, N_STYLES, n)
    # each cowl style has its own wind-assist and resistance character
    assist = rng.normal(0, 1.0, N_STYLES)
    resist = rng.uniform(0.6, 1.4, N_STYLES)
    stack = 0.0342 * 101325 * height_m * (1 / (t_out + 273) - 1 / (t_in + 273))
    draught = stack / resist[style] + assist[style] * 0.4 * wind * (flue_mm / 225) + rng.normal(0, 5.0, n)
    num = np.column_stack([height_m, flue_mm, t_in, t_out, wind])
    return num, style, draught


def setup():
    torch.manual_seed(5)
    num, style, draught = survey()
    tr, va = np.arange(1900), np.arange(1900, len(draught))
    feats = np.column_stack([num, style])
    feats = (feats - feats[tr].mean(0)) / feats[tr].std(0)
    X = torch.tensor(feats, dtype=torch.float32)
    y_mu, y_sd = draught[tr].mean(), draught[tr].std()
    y = torch.tensor((draught - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
