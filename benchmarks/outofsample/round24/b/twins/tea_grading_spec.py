"""Orthodox tea grading from the sorting line's camera and sensor summary.

Each sample is one 50 g draw from a lot: colour statistics of the made leaf,
tip (golden bud) share, leaf length/width, twist, broken share, moisture and
three e-nose channels. Training grades come from two contract tasters'
spreadsheets; the validation lots were graded by the estate's panel.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 21
GRADES = ["FTGFOP", "TGFOP", "GFOP", "FOP"]          # best to plainest
TASTER_B_CODES = sorted(GRADES)                      # taster B's sheet stores a code per grade


def sample_lots(n, rng):
    g = rng.integers(0, len(GRADES), n)
    q = 3 - g + rng.normal(0, 0.3, n)               # latent quality, higher is finer
    tips = np.clip(0.05 + 0.09 * q + rng.normal(0, 0.05, n), 0, 1)
    length = 22 - 1.6 * q + rng.normal(0, 2.0, n)
    width = 4.0 - 0.25 * q + rng.normal(0, 0.5, n)
    twist = 0.4 + 0.12 * q + rng.normal(0, 0.12, n)
    broken = np.clip(0.18 - 0.035 * q + rng.normal(0, 0.04, n), 0, 1)
    hue = 28 + 2.5 * q + rng.normal(0, 3.0, n)
    sat = 0.45 + 0.03 * q + rng.normal(0, 0.06, n)
    val = 0.32 + 0.02 * rng.normal(0, 1, n)
    moist = rng.normal(3.2, 0.4, n)
    nose = np.column_stack([0.5 * q + rng.normal(0, 0.8, n), rng.normal(0, 1, n),
                            -0.3 * q + rng.normal(0, 0.8, n)])
    X = np.column_stack([hue, sat, val, tips, length, width, twist, broken, moist, nose])
    return X.astype(np.float32), g


def taster_a(rng, n=700):
    X, g = sample_lots(n, rng)
    names = [GRADES[k] for k in g]
    return X, names


def taster_b(rng, n=500):
    X, g = sample_lots(n, rng)
    codes = np.array([TASTER_B_CODES.index(GRADES[k]) for k in g])
    return X, codes


def setup():
    rng = np.random.default_rng(SEED)
    torch.manual_seed(SEED)
    Xa, names_a = taster_a(rng)
    Xb, codes_b = taster_b(rng)
    ya = np.array([GRADES.index(s) for s in names_a])
    yb = np.array([GRADES.index(TASTER_B_CODES[c]) for c in codes_b])
    X_tr = np.concatenate([Xa, Xb])
    y_tr = np.concatenate([ya, yb])
    X_va, y_va = sample_lots(500, rng)

    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    model = nn.Sequential(
        nn.Linear(X_tr.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=32,
    )
