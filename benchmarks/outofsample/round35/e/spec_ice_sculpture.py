"""Ice-sculpture festival: hours until a carved piece has lost 20 % of its volume.

Continuous weather and block measurements are standardised; the venue type is one-hot and
left as 0/1; the target is log-hours, standardised with the training split's statistics.
A warm-up then cosine schedule, AdamW.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

VENUES = ["indoor_hall", "marquee", "open_plaza", "shaded_courtyard", "riverside"]


def _festival_log(n, rng):
    air_c = rng.normal(-3, 4, n)
    rh = rng.uniform(40, 95, n)
    sun_wm2 = np.clip(rng.normal(180, 120, n), 0, None)
    wind_ms = rng.gamma(2, 1.5, n)
    block_kg = rng.uniform(120, 900, n)
    clarity = rng.beta(5, 2, n)                 # clear ice melts slower
    detail = rng.uniform(0, 1, n)               # thin features melt first
    venue = rng.integers(0, len(VENUES), n)
    shelter = np.array([0.9, 0.6, 0.0, 0.4, 0.1])[venue]
    melt = (np.maximum(air_c + 6, 0.3) * (1 + 0.25 * wind_ms * (1 - shelter))
            + 0.012 * sun_wm2 * (1 - shelter) + 0.01 * (rh - 60))
    log_h = (np.log(block_kg) - np.log(melt + 0.5) + 0.8 * clarity - 1.1 * detail
             + rng.normal(0, 0.15, n))
    cont = np.stack([air_c, rh, sun_wm2, wind_ms, block_kg, clarity, detail], 1)
    return cont, venue, log_h


def setup():
    rng = np.random.default_rng(41)
    torch.manual_seed(41)
    cont, venue, log_h = _festival_log(2000, rng)
    tr, va = slice(0, 1600), slice(1600, 2000)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, np.eye(len(VENUES))[venue]], 1).astype(np.float32)
    y = ((log_h - log_h[tr].mean()) / log_h[tr].std()).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1), nn.Flatten(0),
    )

    def warmup_cosine(opt, steps):
        warm = max(1, steps // 20)
        return torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: (s + 1) / warm if s < warm
            else 0.5 * (1 + math.cos(math.pi * min(1.0, (s - warm) / max(1, steps - warm)))))

    return nndoctor.Setup(
        model=model,
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-4),
        scheduler=warmup_cosine,
        batch_size=32,
    )
