"""Glider winch launches: predict release height from the launch log.

Each row is one launch at a club field; the log stores deviations from the field's
reference launch (its own nominal tension, drum speed, cable length, ...), so every
column is centred near zero in its own unit. Target: release height (m).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

COLUMNS = [
    ("headwind_ms", 3.0), ("crosswind_ms", 2.0), ("tension_dev_N", 600.0),
    ("drum_rpm_dev", 120.0), ("mass_dev_kg", 25.0), ("density_dev_kgm3", 0.03),
    ("runway_slope_rad", 0.004), ("cable_len_dev_m", 60.0), ("pitch_rate_rads", 0.05),
    ("temp_dev_K", 6.0),
]


def launch_log(n, seed=5):
    rng = np.random.default_rng(seed)
    scale = np.array([s for _, s in COLUMNS])
    z = rng.standard_normal((n, len(COLUMNS)))
    z[:, 9] = 0.6 * z[:, 9] - 0.8 * z[:, 5]          # warm days are thin-air days
    X = z * scale
    h = (380 + 22 * z[:, 0] - 9 * z[:, 1] ** 2 + 30 * z[:, 2] + 14 * z[:, 3] - 18 * z[:, 4]
         + 26 * z[:, 5] - 20 * z[:, 6] + 35 * z[:, 7] + 24 * np.tanh(2 * z[:, 8])
         + 10 * z[:, 2] * z[:, 8] - 12 * z[:, 0] * z[:, 6] + 8 * rng.standard_normal(n))
    return X.astype(np.float32), h.astype(np.float32)


def setup():
    torch.manual_seed(5)
    X, h = launch_log(2400)
    n_tr = 1900
    X = (X - X[:n_tr].mean(0)) / X[:n_tr].std(0)
    h = (h - h[:n_tr].mean()) / h[:n_tr].std()
    X, h = torch.from_numpy(X), torch.from_numpy(h)[:, None]
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], h[:n_tr]),
        val=(X[n_tr:], h[n_tr:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
