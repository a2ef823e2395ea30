"""Tent fabric lots: hydrostatic-head test outcome from mill measurements.

Each production lot of coated nylon gets a lab verdict: pass / marginal / fail.
Fails are rare (about 7%), and a missed fail is what matters, so the loss is
class-weighted (inverse frequency, tempered) with light label smoothing.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def mill_lots(n, seed=8):
    rng = np.random.default_rng(seed)
    denier = rng.choice([15.0, 20.0, 30.0, 40.0, 70.0], size=n)
    coat_gsm = rng.normal(28, 5, size=n)
    pu_share = rng.beta(3, 3, size=n)                 # PU vs silicone in the coating mix
    cure_temp = rng.normal(150, 6, size=n)
    cure_time = rng.normal(90, 12, size=n)
    humidity = rng.uniform(30, 80, size=n)
    thread_count = rng.normal(110, 8, size=n)
    line_speed = rng.normal(25, 4, size=n)
    score = (0.08 * (coat_gsm - 28) + 0.02 * (denier - 30) - 0.9 * (pu_share - 0.5) ** 2 * 8
             - 0.004 * (cure_temp - 150) ** 2 + 0.015 * (cure_time - 90) - 0.02 * (humidity - 55)
             + 0.03 * (thread_count - 110) - 0.09 * (line_speed - 25) + 0.35 * rng.standard_normal(n))
    y = np.digitize(score, np.quantile(score, [0.07, 0.30]))  # 0 fail, 1 marginal, 2 pass
    X = np.stack([np.log(denier), coat_gsm, pu_share, cure_temp, cure_time, humidity, thread_count,
                  line_speed], axis=1)
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(8)
    X, y = mill_lots(3000)
    n_tr = 2400
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = torch.from_numpy((X - mu) / sd)
    y = torch.from_numpy(y)
    counts = torch.bincount(y[:n_tr], minlength=3).float()
    weights = (counts.sum() / counts) ** 0.5
    weights = weights / weights.mean()
    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(96, 48), nn.ReLU(),
        nn.Linear(48, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
