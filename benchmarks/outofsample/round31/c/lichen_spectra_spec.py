"""Field-spectrometer survey of saxicolous lichens on churchyard walls.

Each row is one 32-band reflectance scan (450-1000 nm) of a thallus plus the surveyor's
moisture reading; the label is one of seven genera keyed out by the surveyor.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

GENERA = ["Xanthoria", "Lecanora", "Caloplaca", "Physcia", "Rhizocarpon", "Verrucaria", "Parmelia"]
BANDS = np.linspace(450, 1000, 32)
DEPTH = 20          # hidden layers
WIDTH = 64


def scans(n, rng):
    y = rng.integers(0, len(GENERA), size=n)
    # pigment absorption features per genus: (centre nm, depth, width nm)
    pig = rng.uniform(0.1, 0.5, size=(len(GENERA), 3))
    centres = np.array([[470, 540, 680], [500, 620, 680], [480, 560, 690],
                        [520, 600, 675], [460, 580, 700], [490, 650, 685], [510, 570, 670]])
    red_edge = rng.uniform(700, 740, size=len(GENERA))
    X = np.empty((n, 33))
    for i in range(n):
        g = y[i]
        base = 0.08 + 0.35 / (1 + np.exp(-(BANDS - red_edge[g] - rng.normal(0, 10)) / 18))
        for c, d in zip(centres[g], pig[g] * rng.uniform(0.5, 1.5, size=3)):
            base = base - d * 0.15 * np.exp(-0.5 * ((BANDS - c) / 25) ** 2)
        moisture = rng.uniform(0, 1)
        refl = base * (1 - 0.3 * moisture) * rng.uniform(0.8, 1.2) + rng.normal(0, 0.012, size=32)
        X[i, :32] = np.log(np.clip(refl, 1e-3, None))
        X[i, 32] = moisture + rng.normal(0, 0.05)
    return X, y


class PlainMLP(nn.Module):
    def __init__(self, d_in, n_out, width=WIDTH, depth=DEPTH):
        super().__init__()
        layers, d = [], d_in
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.Tanh()]
            d = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    rng = np.random.default_rng(31)
    torch.manual_seed(31)
    X, y = scans(2400, rng)
    Xtr, ytr, Xva, yva = X[:1900], y[:1900], X[1900:], y[1900:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    f = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    return nndoctor.Setup(
        model=PlainMLP(33, len(GENERA)),
        train=(f(Xtr), torch.tensor(ytr)),
        val=(f(Xva), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=64,
    )
