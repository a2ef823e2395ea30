"""Cocoa bean lot grading (Grade I / Grade II / sub-standard / reject).

Each lot arrives with cut-test counts, moisture, bean-count, colour and a
fermentation-index reading from the buying station. The classifier suggests a
grade to the inspector; checkup spec in nndoctor's setup() form.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

FEATURES = ["bean_count", "bean_mass_g", "moisture", "brown_pct", "purple_pct", "slaty_pct",
            "mouldy_pct", "insect_pct", "ferm_index", "ph", "length_mm", "width_mm",
            "L_star", "a_star", "b_star", "flat_pct"]


def make_lots(n, seed=11):
    rng = np.random.default_rng(seed)
    ferm_days = rng.uniform(1.0, 8.0, n)
    dry_quality = rng.beta(4, 2, n)
    storage = rng.gamma(1.5, 1.0, n)
    size = rng.normal(0, 1, n)
    under = np.clip(1.0 - ferm_days / 5.5, 0, 1)
    over = np.clip((ferm_days - 6.0) / 2.0, 0, 1)
    slaty = np.clip(60 * under ** 2 + rng.normal(0, 2.5, n), 0, 100)
    purple = np.clip(45 * under * (1 - under) * 2 + rng.normal(0, 4, n), 0, 100)
    mouldy = np.clip(1.5 * storage + 6 * (1 - dry_quality) ** 2 + rng.normal(0, 0.8, n), 0, 100)
    insect = np.clip(1.2 * storage ** 1.3 + rng.normal(0, 0.6, n), 0, 100)
    brown = np.clip(100 - slaty - purple - mouldy - insect - 5 * over, 0, 100)
    moisture = 6.5 + 3.5 * (1 - dry_quality) + rng.normal(0, 0.4, n)
    bean_mass = 1.1 + 0.15 * size + rng.normal(0, 0.05, n)
    bean_count = 100 / bean_mass + rng.normal(0, 2, n)
    ferm_index = 0.6 + 0.12 * ferm_days - 0.04 * over + rng.normal(0, 0.05, n)
    ph = 5.6 - 0.12 * ferm_days + rng.normal(0, 0.08, n)
    length = 22 + 2.0 * size + rng.normal(0, 0.6, n)
    width = 12 + 1.1 * size + rng.normal(0, 0.4, n)
    L = 38 - 6 * under + 4 * over + rng.normal(0, 1.5, n)
    a = 9 + 5 * purple / 45 + rng.normal(0, 1.0, n)
    b = 14 - 4 * under + rng.normal(0, 1.0, n)
    flat = np.clip(4 + 3 * (-size).clip(0) + rng.normal(0, 1, n), 0, 100)
    X = np.column_stack([bean_count, bean_mass, moisture, brown, purple, slaty, mouldy, insect,
                         ferm_index, ph, length, width, L, a, b, flat])
    defects = mouldy + insect + 0.5 * flat
    score = (0.045 * brown - 0.03 * slaty - 0.18 * np.clip(moisture - 7.5, 0, None) * 10 / 3
             - 0.35 * defects + 0.3 * size + rng.normal(0, 0.25, n))
    y = np.digitize(score, np.quantile(score, [0.30, 0.62, 0.85]))
    y = 3 - y
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(0)
    X, y = make_lots(3000)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr = (Xtr - mu) / sd
    Xva = (Xva - mu) / sd
    model = nn.Sequential(
        nn.Linear(len(FEATURES), 96), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(96, 48), nn.ReLU(),
        nn.Linear(48, 4), nn.LogSoftmax(dim=1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.NLLLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, weight_decay=1e-5),
        batch_size=64,
    )
