"""Dry-stone wall survey: predict a wall section's condition from the field sheet.

The county survey exports one sheet per condition class (sound, bulging, slumped,
breached). Each row is a 5 m section: height, batter angle, bulge depth, lean,
through-stones per metre, coping loss, moss and turf cover, drainage, stone size,
gradient, livestock pressure, age estimate. We keep the last fifth of every sheet
for validation and train a small MLP on the rest.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import nndoctor

CLASSES = ["sound", "bulging", "slumped", "breached"]


def survey_sheet(label, n, rng):
    # latent wall state: structural loss, water damage, age and setting
    decay = rng.normal(loc=[-1.4, 0.1, 1.2, 2.4][label], scale=0.55, size=n)
    water = rng.normal(loc=[-0.6, 1.2, 0.2, 0.5][label], scale=0.6, size=n)
    age = rng.normal(size=n)
    slope = rng.normal(size=n)
    stock = rng.normal(loc=[0.0, 0.0, 0.3, 0.9][label], scale=1.0, size=n)
    height = 1.3 - 0.25 * np.tanh(decay) + 0.1 * rng.normal(size=n)
    batter = 8.0 - 2.5 * decay * (decay > 0) + 1.0 * rng.normal(size=n)
    bulge = np.maximum(0, 4 * water + 2 * rng.normal(size=n)) * (label != 0)
    lean = 1.5 * slope + 0.8 * decay * water + rng.normal(size=n)
    through = 1.2 - 0.2 * age + 0.3 * rng.normal(size=n)
    coping = 100 / (1 + np.exp(-(decay + 0.5 * stock))) + 5 * rng.normal(size=n)
    moss = 40 + 15 * age + 10 * water + 8 * rng.normal(size=n)
    drain = 2 - water + 0.5 * rng.normal(size=n)
    stone = 25 + 5 * rng.normal(size=n) - 3 * decay
    X = np.stack([height, batter, bulge, lean, through, coping, moss, drain,
                  stone, slope, stock, age], 1)
    return X.astype(np.float32), np.full(n, label)


def setup():
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    sizes = [1500, 900, 700, 400]
    tr_x, tr_y, va_x, va_y = [], [], [], []
    for label, n in enumerate(sizes):
        X, y = survey_sheet(label, n, rng)
        cut = int(0.8 * n)
        tr_x.append(X[:cut]); tr_y.append(y[:cut])
        va_x.append(X[cut:]); va_y.append(y[cut:])
    Xtr, ytr = np.concatenate(tr_x), np.concatenate(tr_y)
    Xva, yva = np.concatenate(va_x), np.concatenate(va_y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    train_ds = TensorDataset(torch.tensor(Xtr), torch.tensor(ytr))
    model = nn.Sequential(
        nn.Linear(12, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, len(CLASSES)),
    )
    return nndoctor.Setup(
        model=model,
        train=DataLoader(train_ds, batch_size=32, shuffle=True),
        val=(torch.tensor(Xva), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
    )
