"""Fleece weight from a shearing contractor's shed tallies.

The contractor's tally app exports one CSV per month; we rebuild the training table from
those exports (months 1-12) and validate on the following month's export. Target: greasy
fleece weight (kg), standardised. Inputs: breed, age, body weight, days of wool growth,
pasture type, supplement feeding, rainfall over the growth period.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

BREEDS = ["merino", "corriedale", "romney", "perendale"]
PASTURES = ["improved", "native", "lucerne"]
COLUMNS = ["month", "breed", "pasture", "age", "body_wt", "growth_days", "supplement", "rain_mm", "fleece_kg"]


class TallyApp:
    """Stand-in for the tally app's month-by-month export."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.log = np.empty((0, len(COLUMNS)))

    def shear_month(self, month, n):
        r = self.rng
        breed = r.integers(0, 4, n)
        pasture = r.integers(0, 3, n)
        age = r.integers(1, 8, n).astype(float)
        bw = r.normal([48, 62, 66, 58], 6, (n, 4))[np.arange(n), breed]
        growth = r.normal(240, 35, n).clip(120, 365)
        supp = r.gamma(2.0, 0.15, n)
        rain = r.gamma(6.0, 50.0, n)
        base = np.array([4.6, 5.4, 5.0, 4.4])[breed]
        season = np.sin(2 * np.pi * (month - 3) / 12)
        # the growth response shifts through the year (feed quality, heat stress)
        y = (base
             + (0.011 + 0.004 * season) * (growth - 240)
             + 0.035 * (bw - 58)
             + np.array([0.3, -0.4, 0.5])[pasture] * (1 + 0.6 * season)
             - 0.08 * (age - 4) ** 2 / 4
             + (1.2 - 0.9 * season) * supp
             + 0.0012 * (rain - 300)
             + r.normal(0, 0.35, n))
        rows = np.column_stack([np.full(n, month), breed, pasture, age, bw, growth, supp, rain, y])
        self.log = np.vstack([self.log, rows])

    def export(self):
        return self.log.copy()


def to_arrays(tab, stats=None):
    num = tab[:, 3:8].astype(np.float32)
    if stats is None:
        stats = (num.mean(0), num.std(0), tab[:, 8].mean(), tab[:, 8].std())
    mu, sd, ym, ys = stats
    X = np.hstack([(num - mu) / sd,
                   np.eye(4, dtype=np.float32)[tab[:, 1].astype(int)],
                   np.eye(3, dtype=np.float32)[tab[:, 2].astype(int)]])
    y = ((tab[:, 8] - ym) / ys).astype(np.float32)[:, None]
    return torch.tensor(X), torch.tensor(y), stats


def setup():
    torch.manual_seed(36)
    app = TallyApp(seed=36)
    exports = []
    for month in range(1, 13):
        app.shear_month(month, 160)
        exports.append(app.export())
    train_tab = np.concatenate(exports)
    app.shear_month(13, 500)
    latest = app.export()
    val_tab = latest[latest[:, 0] == 13]

    Xtr, ytr, stats = to_arrays(train_tab)
    Xva, yva, _ = to_arrays(val_tab, stats)
    model = nn.Sequential(nn.Linear(12, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.MSELoss(),
        optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
