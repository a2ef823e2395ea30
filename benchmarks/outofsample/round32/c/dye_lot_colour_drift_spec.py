"""Checkup spec: colour drift of wool yarn across weaving dye lots.

For every dyed skein the lab measures the colour difference (CIEDE2000, dE)
against the master swatch. Most skeins land within 1-2 dE, but a few bath
upsets produce very large errors, so the target is heavy-tailed: we use a
Huber loss on robustly scaled dE instead of chasing the outliers with MSE.
Recipe family and mordant are one-hot columns and are left as 0/1; only the
continuous bath readings are standardised.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FAMILIES = ["madder", "weld", "indigo", "cochineal", "walnut", "logwood"]
MORDANTS = ["alum", "iron", "tin", "none"]
BATH = ["temp_c", "ph", "liquor_ratio", "minutes", "dye_g_per_kg", "water_hardness", "wool_micron",
        "prewash_min"]


def lab_records(n, seed):
    rng = np.random.default_rng(seed)
    fam = rng.integers(0, len(FAMILIES), n)
    mor = rng.choice(len(MORDANTS), n, p=[0.55, 0.2, 0.1, 0.15])
    temp = rng.normal(88, 4, n)
    ph = rng.normal(4.6, 0.5, n)
    ratio = rng.normal(30, 5, n)
    minutes = rng.gamma(8, 8, n)
    dye = rng.gamma(6, 4, n)
    hard = rng.gamma(3, 40, n)
    micron = rng.normal(27, 3, n)
    prewash = rng.gamma(3, 5, n)
    fam_sens = np.array([1.0, 0.6, 1.6, 1.3, 0.5, 1.1])[fam]
    mor_eff = np.array([0.0, 0.8, -0.3, 1.2])[mor]
    base = 0.8 + fam_sens * (0.08 * np.abs(temp - 88) + 0.9 * np.abs(ph - 4.6)) + 0.004 * hard \
        + 0.02 * np.maximum(micron - 27, 0) ** 2 + mor_eff + 0.015 * np.abs(ratio - 30) \
        - 0.004 * (minutes - 64) + 0.3 * (fam == 2) * (prewash < 8)
    upset = rng.random(n) < 0.06                                    # occasional bath upset
    dE = np.maximum(base, 0.1) * rng.lognormal(0, 0.15, n) + upset * np.minimum(rng.pareto(1.8, n) * 4, 60.0)
    onehot = np.concatenate([np.eye(len(FAMILIES))[fam], np.eye(len(MORDANTS))[mor]], axis=1)
    cont = np.stack([temp, ph, ratio, minutes, dye, hard, micron, prewash], axis=1)
    return cont, onehot, dE


def setup():
    torch.manual_seed(2)
    cont, onehot, dE = lab_records(3200, seed=17)
    n_tr = 2600
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    med = np.median(dE[:n_tr])
    iqr = np.subtract(*np.percentile(dE[:n_tr], [75, 25]))
    X = np.concatenate([(cont - mu) / sd, onehot], axis=1).astype(np.float32)
    y = ((dE - med) / iqr).astype(np.float32)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.GELU(),
        nn.Linear(64, 32), nn.GELU(),
        nn.Linear(32, 1), nn.Flatten(0),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
