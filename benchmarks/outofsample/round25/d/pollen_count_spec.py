"""Tomorrow's grass-pollen count at a city monitoring station.

Daily features: yesterday's and the 3-day mean count (log1p), max/min temperature, relative
humidity, rainfall, wind speed and direction (sin/cos), sunshine hours, day-of-season
(sin/cos) and a thunderstorm-risk flag. Counts are heavy-tailed (storm and dry-wind spikes):
targets are scaled by the training std only (kept on the count scale, not logged) and fitted
with a Huber loss so a few spike days do not dominate. Validation: the last season.
"""
import numpy as np
import torch
import nndoctor
from torch import nn


def station_seasons(n_seasons=8, days=120, seed=8):
    rng = np.random.default_rng(seed)
    rows, targets = [], []
    for s in range(n_seasons):
        peak = rng.normal(55, 8)
        strength = rng.lognormal(4.0, 0.3)
        count_prev = np.array([5.0, 5.0, 5.0])
        for d in range(days):
            tmax = 14 + 12 * np.sin(np.pi * d / days) + rng.normal(0, 3)
            tmin = tmax - rng.uniform(5, 12)
            rh = np.clip(rng.normal(65, 15), 20, 100)
            rain = rng.gamma(0.4, 6.0) if rng.random() < 0.35 else 0.0
            wind = rng.gamma(2, 2.0)
            wdir = rng.uniform(0, 2 * np.pi)
            sun = np.clip(rng.normal(7, 3) - 0.3 * rain, 0, 15)
            storm = float(rng.random() < 0.04)
            season_curve = np.exp(-0.5 * ((d - peak) / 14) ** 2)
            base = strength * season_curve * (1 + 0.04 * (tmax - 20)) * np.exp(-0.08 * rain)
            base *= (1 + 0.25 * np.cos(wdir - 1.0)) * (1 + 0.03 * sun)
            count = base * rng.lognormal(0, 0.45)
            if storm and season_curve > 0.3:
                count *= rng.uniform(3, 8)
            count = max(count, 0.0)
            rows.append([np.log1p(count_prev[-1]), np.log1p(count_prev.mean()), tmax, tmin, rh, rain, wind,
                         np.sin(wdir), np.cos(wdir), sun, np.sin(np.pi * d / days), np.cos(np.pi * d / days), storm])
            targets.append(count)
            count_prev = np.append(count_prev[1:], count)
    return np.asarray(rows, np.float32), np.asarray(targets, np.float32)


def setup():
    torch.manual_seed(8)
    X, y = station_seasons()
    n_tr = 7 * 120
    cont = list(range(12))
    mu, sd = X[:n_tr, cont].mean(0), X[:n_tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    y = y / y[:n_tr].std()
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-3),
        batch_size=32,
    )
