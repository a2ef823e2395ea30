"""Apiary monitoring: infer the queen status of a colony from a day of hive-scale and
in-hive sensor summaries (brood-nest temperature stability, acoustic band powers,
humidity, weight change, entrance traffic).

Most colonies are queenright; queenless, virgin-queen and drone-laying colonies are
rare but are the ones a beekeeper must visit. Class-weighted cross-entropy (square root
of inverse frequency), light label smoothing (inspection labels are not perfect), and
the output bias started at the log class prior.

Checkup spec: nndoctor checkup hive_queen_status.py
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 8
STATUS = ["queenright", "queenless", "virgin_queen", "drone_laying"]
PRIOR = np.array([0.76, 0.11, 0.08, 0.05])


def hive_days(n, rng):
    y = rng.choice(4, size=n, p=PRIOR)
    brood_sd = rng.gamma(2.0, 0.15, n) + np.select([y == 1, y == 3], [0.5, 0.25], 0.0)
    band_200 = rng.normal(0, 1, n) + np.select([y == 1, y == 2], [1.4, 0.6], 0.0)   # queenless "roar"
    band_400 = rng.normal(0, 1, n) + np.where(y == 2, 2.2, 0.0)                    # piping
    band_500 = rng.normal(0, 1, n) + np.where(y == 3, -0.9, 0.0)
    humidity = rng.normal(60, 6, n) + np.where(y == 1, -3.0, 0.0)
    weight = rng.normal(0.2, 0.5, n) - np.select([y == 1, y == 3], [0.35, 0.25], 0.0)
    traffic = rng.lognormal(6.0, 0.4, n) * np.where(y == 3, 0.8, 1.0)
    drone_share = rng.beta(2, 18, n) + np.where(y == 3, 0.15, 0.0)
    outside = rng.normal(16, 5, n)
    X = np.column_stack([brood_sd, band_200, band_400, band_500, humidity, weight,
                         np.log(traffic), drone_share, outside])
    return X.astype(np.float32), y.astype(np.int64)


class QueenNet(nn.Module):
    def __init__(self, d_in, n_classes, prior):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 64), nn.ReLU(), nn.Dropout(0.1),
                                  nn.Linear(64, 64), nn.ReLU())
        self.out = nn.Linear(64, n_classes)
        with torch.no_grad():
            self.out.bias.copy_(torch.log(torch.as_tensor(prior, dtype=torch.float32)))

    def forward(self, x):
        return self.out(self.body(x))


def setup():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    X_tr, y_tr = hive_days(3000, rng)
    X_va, y_va = hive_days(1000, rng)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    freq = np.bincount(y_tr, minlength=4) / len(y_tr)
    weights = torch.tensor((1.0 / freq) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()

    return nndoctor.Setup(
        model=QueenNet(X_tr.shape[1], 4, freq),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3, weight_decay=1e-5),
        batch_size=64,
    )
