"""Oast house: predict how a kiln load of hops comes out (checkup spec).

0 in spec, 1 over-dried/brittle cones, 2 scorched. Most loads are fine, so the
cross-entropy is class-weighted (inverse square-root frequency). Hop variety and kiln
are categorical and go through embeddings; only the sensor summaries are standardised.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset

import nndoctor

N_VARIETY, N_KILN = 9, 5


def kiln_records(n, seed=31):
    rng = np.random.default_rng(seed)
    variety = rng.integers(0, N_VARIETY, n)
    kiln = rng.integers(0, N_KILN, n)
    green_moisture = rng.normal(78, 3, n)             # % at loading
    load_depth = rng.normal(0.6, 0.12, n)            # m of green hops on the kiln floor
    air_temp = rng.normal(62, 4, n)                  # °C mean drying air
    air_temp_max = air_temp + rng.gamma(2.0, 1.5, n)
    airflow = rng.normal(1.0, 0.15, n)
    hours = rng.normal(9, 1.2, n)
    rh_out_end = rng.normal(25, 6, n)                # exhaust humidity when unloaded
    fragile = np.random.default_rng(7).normal(0, 0.7, N_VARIETY)[variety]
    hot_kiln = np.random.default_rng(8).normal(0, 1.2, N_KILN)[kiln]
    dry = (0.5 * (hours - 9) + 0.12 * (air_temp - 62) + 1.5 * (airflow - 1) - 1.8 * (load_depth - 0.6)
           - 0.08 * (rh_out_end - 25) - 0.15 * (green_moisture - 78) + fragile)
    scorch = 0.6 * (air_temp_max - 68) + hot_kiln + 0.4 * fragile
    y = np.zeros(n, dtype=np.int64)
    y[dry + rng.normal(0, 0.35, n) > 1.0] = 1
    y[scorch + rng.normal(0, 0.6, n) > 0.9] = 2
    num = np.column_stack([green_moisture, load_depth, air_temp, air_temp_max, airflow, hours, rh_out_end])
    cat = np.column_stack([variety, kiln])
    return num.astype(np.float32), cat.astype(np.int64), y


class HopLotNet(nn.Module):
    def __init__(self, n_num, n_classes=3):
        super().__init__()
        self.variety = nn.Embedding(N_VARIETY, 4)
        self.kiln = nn.Embedding(N_KILN, 3)
        self.mlp = nn.Sequential(nn.Linear(n_num + 7, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 64), nn.ReLU(),
                                 nn.Linear(64, n_classes))

    def forward(self, x_num, x_cat):
        e = torch.cat([self.variety(x_cat[:, 0]), self.kiln(x_cat[:, 1])], dim=1)
        return self.mlp(torch.cat([x_num, e], dim=1))


def setup():
    torch.manual_seed(12)
    num, cat, y = kiln_records(4500)
    tr, va = slice(0, 3600), slice(3600, None)
    mu, sd = num[tr].mean(0), num[tr].std(0)
    num = (num - mu) / sd
    counts = np.bincount(y[tr], minlength=3)
    weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()
    num, cat, y = torch.from_numpy(num), torch.from_numpy(cat), torch.from_numpy(y)
    return nndoctor.Setup(
        model=HopLotNet(num.shape[1]),
        train=TensorDataset(num[tr], cat[tr], y[tr]),
        val=TensorDataset(num[va], cat[va], y[va]),
        inputs=lambda batch: nndoctor.Inputs(batch[0], batch[1]),
        targets=lambda batch: batch[2],
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.02),
        batch_size=64,
    )
