"""Checkup spec: identify the species of a sawlog (spruce, pine, fir, larch, birch, beech)
from summary features of the log-yard CT scanner, with a learned class-prototype head."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
import nndoctor

SPECIES = ["spruce", "pine", "fir", "larch", "birch", "beech"]
FEATURES = ["density_mean", "density_sd", "ring_width_mm", "ring_width_cv", "latewood_share",
            "heartwood_ratio", "knot_whorl_spacing_cm", "knots_per_m", "knot_diam_mm",
            "moisture_pct", "bark_mm", "resin_pockets_per_m", "pith_offset_mm", "taper_mm_per_m"]


def simulate(n, rng):
    y = rng.integers(0, 6, n)
    dens = np.array([410, 500, 410, 560, 610, 680])[y] + rng.normal(0, 80, n)
    ring = np.array([2.5, 2.6, 2.5, 2.0, 2.4, 2.1])[y] * rng.lognormal(0, 0.3, n)
    latewood = np.array([0.25, 0.32, 0.22, 0.38, 0.05, 0.08])[y] + rng.normal(0, 0.09, n)
    heart = np.array([0.0, 0.45, 0.0, 0.6, 0.05, 0.1])[y] + rng.beta(2, 5, n) * 0.6
    whorl = np.where(y < 4, np.array([45, 55, 40, 60, 0, 0])[y % 6] * rng.lognormal(0, 0.25, n), rng.exponential(25, n))
    knots = np.array([6, 4, 7, 4, 3, 2])[y] * rng.lognormal(0, 0.6, n)
    knot_d = np.array([18, 24, 16, 22, 20, 25])[y] * rng.lognormal(0, 0.3, n)
    moist = np.array([65, 50, 65, 45, 60, 55])[y] + rng.normal(0, 14, n)
    bark = np.array([6, 12, 5, 18, 4, 3])[y] * rng.lognormal(0, 0.6, n)
    resin = np.array([1.0, 2.5, 1.0, 1.0, 0.0, 0.0])[y] * rng.lognormal(0, 0.6, n) + rng.exponential(0.3, n)
    # stem lean: in spruce the pith drifts off-centre with the taper, in fir against it
    z1 = rng.normal(0, 1, n)
    lean = np.select([y == 0, y == 2], [0.9, -0.9], 0.0)
    z2 = lean * z1 + np.sqrt(1 - lean ** 2) * rng.normal(0, 1, n)
    X = np.stack([dens, dens * rng.uniform(0.08, 0.18, n), ring, rng.uniform(0.1, 0.5, n), latewood,
                  heart, whorl, knots, knot_d, moist, bark, resin,
                  15 + 6 * z1, 7 + 2.5 * z2], 1)
    return X.astype(np.float32), y


class PrototypeClassifier(nn.Module):
    def __init__(self, n_in, n_classes=6, width=128, scale=8.0):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, width), nn.LayerNorm(width))
        self.prototypes = nn.Parameter(torch.randn(n_classes, width))
        self.scale = scale

    def forward(self, x):
        h = self.body(x)
        return self.scale * h @ F.normalize(self.prototypes, dim=-1).T


def setup():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = simulate(5000, rng)
    mu, sd = X[:4000].mean(0), X[:4000].std(0)
    X = (X - mu) / sd
    Xt, yt = torch.tensor(X), torch.tensor(y)
    return nndoctor.Setup(
        model=PrototypeClassifier(X.shape[1]),
        train=(Xt[:4000], yt[:4000]),
        val=(Xt[4000:], yt[4000:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=5e-4, weight_decay=0.01),
        batch_size=64,
    )
