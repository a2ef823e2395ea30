"""Forge-weld joint quality at a blacksmithing school (checkup spec).

Every fire weld made in the school forge is logged (pyrometer temperature, time in the
fire, flux, scarf overlap, number and energy of hammer blows, stock carbon and
thickness, smith experience) and later bend-tested. Most joints are sound; the rest
fail as a cold shut, a slag inclusion or a burnt joint. Rare failure classes matter
most, so the loss is class-weighted (inverse square-root frequency) and the output
bias starts at the log class prior; continuous columns are standardised, the flux
one-hot is left as is.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["sound", "cold-shut", "inclusion", "burnt"]
FLUXES = ["borax", "sand", "none"]


def weld_log(n, rng):
    carbon = rng.uniform(0.05, 0.9, n)                   # % C
    temp = 1330 - 170 * carbon + rng.normal(0, 45, n)    # °C at the scarf, judged by eye
    soak = rng.gamma(4, 30, n)                           # s in the fire
    flux = rng.choice(3, n, p=[0.6, 0.3, 0.1])
    overlap = rng.normal(12, 3, n)                       # mm
    blows = rng.poisson(9, n) + 2
    energy = rng.normal(40, 8, n)                        # J per blow
    thick = rng.uniform(6, 25, n)                        # mm
    exper = rng.gamma(2, 2.5, n)                         # years
    weldable = 1340 - 180 * carbon                       # lower for higher carbon
    cold = 1.8 + (weldable - 60 - temp) / 25 + 0.8 * ((overlap - 12) / 3) ** 2 + 0.02 * (thick - 12) - 0.15 * exper + rng.normal(0, 0.4, n)
    burn = (temp - weldable - 30) / 20 + (soak - 150) / 80 + rng.normal(0, 0.4, n)
    incl = 1.8 * (flux == 2) + 0.9 * (flux == 1) - 0.08 * (blows - 10) * energy / 40 \
        - 0.1 * exper + rng.normal(0, 0.4, n) + 0.4
    s = np.stack([np.full(n, 1.6), cold, incl, burn], 1)
    y = np.argmax(s, 1)
    cont = np.column_stack([temp, soak, overlap, blows, energy, carbon, thick, exper])
    return cont.astype(np.float32), np.eye(3, dtype=np.float32)[flux], y


def setup():
    rng = np.random.default_rng(12)
    cont, flux, y = weld_log(8000, rng)
    idx = rng.permutation(len(y))
    tr, va = idx[:6400], idx[6400:]
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, flux], 1).astype(np.float32)

    prior = np.bincount(y[tr], minlength=len(CLASSES)) / len(tr)
    weights = 1 / np.sqrt(prior)
    weights = weights / (weights * prior).sum()

    torch.manual_seed(12)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 32), nn.ReLU(),
        nn.Linear(32, 32), nn.ReLU(),
        nn.Linear(32, len(CLASSES)),
    )
    with torch.no_grad():
        model[-1].bias.copy_(torch.tensor(np.log(prior), dtype=torch.float32))
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(X[va]), torch.tensor(y[va])),
        loss=nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32)),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )


if __name__ == "__main__":
    _, _, y = weld_log(8000, np.random.default_rng(12))
    print("class shares", np.bincount(y, minlength=4) / len(y))
