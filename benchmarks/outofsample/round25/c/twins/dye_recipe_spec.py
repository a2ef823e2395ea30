"""Textile dye-house colour matching: identify which of 16 stock dye recipes produced a swatch
from its spectrophotometer reflectance curve (31 bands, 400-700 nm). Checkup spec."""
import numpy as np
import torch
from torch import nn

import nndoctor

N_RECIPES = 16
WAVELENGTHS = np.linspace(400, 700, 31)
CFG = {"hidden": 128, "proj": 48, "dropout": 0.1, "lr": 2e-3}


def base_dyes(rng, n_dyes=8):
    centres = np.linspace(420, 680, n_dyes) + rng.normal(0, 10, n_dyes)
    widths = rng.uniform(30, 70, n_dyes)
    return np.exp(-((WAVELENGTHS[None, :] - centres[:, None]) / widths[:, None]) ** 2)   # absorption k(λ)


def swatches(n, rng):
    k = base_dyes(rng)
    recipes = np.zeros((N_RECIPES, k.shape[0]))
    for r in range(N_RECIPES):
        picks = rng.choice(k.shape[0], 3, replace=False)
        recipes[r, picks] = rng.dirichlet([1.5] * 3) * rng.uniform(1.0, 3.0)
    y = rng.integers(0, N_RECIPES, n)
    conc = recipes[y] * rng.lognormal(0, 0.35, (n, k.shape[0])) * rng.uniform(0.5, 1.6, (n, 1))
    ks = conc @ k + rng.uniform(0.01, 0.05, (n, 1))                       # K/S with substrate
    refl = 1 + ks - np.sqrt(ks ** 2 + 2 * ks)                              # Kubelka-Munk
    refl = refl * rng.uniform(0.95, 1.05, (n, 1)) + rng.normal(0, 0.01, refl.shape)
    return refl.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = swatches(3000, rng)
    X = -np.log(np.clip(X, 1e-3, None))                                    # optical density
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    model = nn.Sequential(
        nn.Linear(X.shape[1], CFG["hidden"]), nn.ReLU(), nn.Dropout(CFG["dropout"]),
        nn.Linear(CFG["hidden"], CFG["proj"]), nn.ReLU(),
        nn.Linear(CFG["proj"], N_RECIPES),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=CFG["lr"]),
        batch_size=64,
    )
