"""Fire-lookout camera towers: is a detected plume a wildfire or a false alarm?

Each row is one plume candidate raised by the tower camera software, with
the tower's weather station readings at that moment.  Negatives are dust,
fog banks, industrial steam and field burning that was permitted.
The network carries its own input standardisation (a fixed layer built from
the training statistics) so the exported model takes raw tower readings.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FEATURES = ["smoke_index", "plume_rise", "rel_humidity", "wind_speed", "temp_anomaly",
            "ndvi", "hour_sin", "hour_cos", "haze_score", "camera_gain", "distance_km"]


def make_candidates(n, rng):
    smoke = rng.gamma(2.0, 0.7, n)
    rise = rng.normal(1.0, 0.8, n)
    rh = rng.beta(4, 4, n)
    wind = rng.gamma(2.5, 1.6, n)
    temp_anom = rng.normal(0, 3.0, n)
    ndvi = rng.beta(3, 3, n) * 0.8
    hour = rng.uniform(6, 21, n)
    haze = rng.beta(2, 5, n)
    gain = np.ones(n)                      # fixed-gain firmware on every tower
    dist = rng.uniform(1, 25, n)
    score = (1.1 * smoke + 0.9 * rise - 3.0 * (rh - 0.5) + 0.25 * temp_anom
             + 1.5 * (ndvi - 0.4) - 2.2 * haze + 0.15 * wind * (rh < 0.4)
             - 0.04 * dist + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24)
             + rng.normal(0, 0.6, n) - 1.6)
    X = np.column_stack([smoke, rise, rh, wind, temp_anom, ndvi,
                         np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                         haze, gain, dist]).astype(np.float32)
    return X, (score > 0).astype(np.int64)


class Standardize(nn.Module):
    def __init__(self, X):
        super().__init__()
        X = torch.as_tensor(X)
        self.register_buffer("mean", X.mean(0))
        self.register_buffer("std", X.std(0).clamp_min(1e-6))

    def forward(self, x):
        return (x - self.mean) / self.std


def setup():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = make_candidates(4000, rng)
    Xtr, ytr, Xva, yva = X[:3000], y[:3000], X[3000:], y[3000:]
    model = nn.Sequential(
        Standardize(Xtr),
        nn.Linear(len(FEATURES), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 2),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
