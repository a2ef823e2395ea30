"""Candle burn-test outcomes (tunnelling / clean burn / sooting) from pour-sheet records.

Each row is one test candle from the pouring room: wax blend, wick, fragrance load, pour and
cure conditions. Raw sheet values go in; the model standardises them with the training-set
statistics it stores as buffers, so the saved module can be fed raw sheet values later.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FEATURES = ["soy_frac", "paraffin_frac", "beeswax_frac", "wick_mm", "fragrance_pct",
            "pour_temp_c", "cure_days", "dye_pct", "jar_diam_mm", "room_temp_c", "burn_hours"]


def make_sheets(n, rng):
    blend = rng.dirichlet([4.0, 3.0, 1.5], size=n)
    soy, paraffin, beeswax = blend.T
    wick = rng.uniform(2.0, 6.0, n)
    fragrance = rng.uniform(4.0, 12.0, n)
    pour = rng.normal(78.0, 4.0, n)
    cure = rng.integers(1, 15, n).astype(float)
    dye = rng.gamma(2.0, 0.15, n)
    jar = np.full(n, 75.0)
    room = rng.normal(21.0, 1.5, n)
    hours = rng.uniform(1.0, 4.0, n)
    # melt pool: wide wick and soft wax widen it, beeswax and long cure slow it down
    pool = (1.1 * wick + 2.2 * soy - 1.8 * beeswax + 0.05 * (pour - 78) + 0.04 * cure
            + 0.35 * hours - 0.08 * jar / 7.5 + rng.normal(0, 0.45, n))
    soot = 0.5 * wick + 0.3 * fragrance + 1.5 * paraffin + 2.0 * dye + rng.normal(0, 0.5, n)
    y = np.zeros(n, dtype=np.int64)            # 0 tunnelling
    y[pool > np.quantile(pool, 0.35)] = 1      # 1 clean burn
    y[(y == 1) & (soot > np.quantile(soot, 0.62))] = 2  # 2 sooting
    X = np.stack([soy, paraffin, beeswax, wick, fragrance, pour, cure, dye, jar, room, hours], 1)
    return X.astype(np.float32), y


class Standardize(nn.Module):
    def __init__(self, X):
        super().__init__()
        X = torch.as_tensor(X)
        self.register_buffer("mean", X.mean(0))
        self.register_buffer("std", X.std(0))

    def forward(self, x):
        return (x - self.mean) / self.std


def setup():
    rng = np.random.default_rng(11)
    torch.manual_seed(11)
    X, y = make_sheets(1500, rng)
    Xtr, ytr, Xva, yva = X[:1200], y[:1200], X[1200:], y[1200:]
    model = nn.Sequential(
        Standardize(Xtr),
        nn.Linear(len(FEATURES), 96), nn.SiLU(),
        nn.Linear(96, 96), nn.SiLU(),
        nn.Dropout(0.1),
        nn.Linear(96, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
