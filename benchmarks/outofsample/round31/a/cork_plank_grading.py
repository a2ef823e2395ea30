"""Cork plank grading: predict the commercial grade (0 = best .. 4 = rejects) of boiled
cork planks from the stripping-yard measurements taken before the planks go to the
stopper punchers.

Checkup spec: nndoctor checkup cork_plank_grading.py
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 11
COLUMNS = [
    "thickness_mm", "porosity_coeff", "density_kg_m3", "lenticels_per_dm2",
    "moisture_frac", "tree_age_years", "boil_swell_pct", "stain_area_cm2",
    "calliper_irregularity_mm", "back_crack_mm",
]


def load_planks(n=2600, seed=SEED):
    rng = np.random.default_rng(seed)
    thickness = rng.normal(32.0, 6.0, n)
    porosity = np.clip(rng.normal(0.06, 0.02, n), 0.005, None)
    density = rng.normal(210.0, 35.0, n)
    lenticels = np.clip(rng.normal(380.0, 140.0, n), 20, None)
    moisture = np.clip(rng.normal(0.09, 0.025, n), 0.01, None)
    age = rng.normal(55.0, 15.0, n)
    swell = rng.normal(4.0, 1.2, n)
    stain = np.abs(rng.normal(0.0, 6.0, n))
    irregular = np.abs(rng.normal(1.5, 0.5, n))
    crack = np.abs(rng.normal(20.0, 8.0, n))
    X = np.stack([thickness, porosity, density, lenticels, moisture, age, swell,
                  stain, irregular, crack], axis=1)

    z = (X - X.mean(0)) / X.std(0)
    quality = (-1.6 * z[:, 1] - 1.1 * z[:, 4] + 0.7 * z[:, 0] - 0.5 * z[:, 3]
               - 0.9 * z[:, 8] + 0.6 * z[:, 1] * z[:, 4] - 0.4 * np.abs(z[:, 6])
               - 0.3 * z[:, 7] + 0.25 * z[:, 2] + rng.normal(0, 0.35, n))
    cuts = np.quantile(quality, [0.2, 0.4, 0.6, 0.8])
    grade = 4 - np.digitize(quality, cuts)          # 0 = premium ... 4 = rejects
    return X.astype(np.float32), grade.astype(np.int64)


def setup():
    torch.manual_seed(SEED)
    X, y = load_planks()
    rng = np.random.default_rng(SEED + 1)
    idx = rng.permutation(len(X))
    tr, va = idx[:2000], idx[2000:]

    mu = X[tr].mean(axis=0)
    sd = X[tr].std()
    Xs = (X - mu) / sd

    model = nn.Sequential(
        nn.Linear(len(COLUMNS), 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xs[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(Xs[va]), torch.tensor(y[va])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=64,
    )
