"""Pavement heave next to street trees (mm per year), deep residual MLP under Huber loss.

City arborists rank which street trees will lift the footway next. Each survey record has
the tree (species group, trunk diameter, age), the pit (area, root barrier, soil type
one-hot) and the pavement (slab type, age, distance to the trunk). Heave is heavy-tailed:
most slabs move a millimetre or two a year, a few lift by a centimetre or more, so the
target is scaled by median/IQR and fitted with a Huber loss. The network is a stack of
pre-norm residual blocks, deep but well-conditioned, under AdamW with warm-up and cosine
decay.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

SOILS = ["clay", "loam", "sand", "made ground"]


def survey(n, rng):
    dbh = rng.gamma(4.0, 9.0, n)                            # cm
    age = dbh * rng.uniform(1.2, 2.2, n)                    # years
    pit = rng.uniform(0.8, 6.0, n)                          # m^2
    barrier = (rng.random(n) < 0.35).astype(float)
    soil = rng.integers(0, 4, n)
    slab_age = rng.uniform(1, 40, n)
    dist = rng.uniform(0.3, 4.0, n)                         # m
    vigour = rng.normal(0, 1, n)
    flag = rng.random(n) < 0.5
    rate = (0.04 * dbh * np.exp(-dist / 1.2) * (1 - 0.6 * barrier) * np.array([1.5, 1.0, 0.7, 1.2])[soil]
            * (1 + 0.3 * vigour) / np.sqrt(pit) * np.where(flag, 1.0, 0.8))
    rate = np.clip(rate, 0, None) * rng.lognormal(0.0, 0.45, n)
    soil_oh = np.eye(4)[soil]
    X = np.column_stack([np.log(dbh), np.log(age), np.log(pit), barrier, np.log(slab_age), dist, vigour,
                         flag.astype(float), soil_oh])
    return X.astype(np.float32), rate.astype(np.float32)


class PreNormBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class HeaveNet(nn.Module):
    def __init__(self, d_in, width=64, depth=24):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[PreNormBlock(width) for _ in range(depth)])
        self.head = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 1))
        for blk in self.blocks:
            nn.init.zeros_(blk.ff[2].weight)
            nn.init.zeros_(blk.ff[2].bias)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x))).squeeze(-1)


def warmup_cosine(optimizer, steps):
    warm = max(1, steps // 20)
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps - warm))))


def setup():
    rng = np.random.default_rng(8)
    X, y = survey(3200, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2600], idx[2600:]
    cont = [0, 1, 2, 4, 5, 6]
    mu, sd = X[tr][:, cont].mean(0), X[tr][:, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    med = np.median(y[tr])
    iqr = np.subtract(*np.percentile(y[tr], [75, 25]))
    y = ((y - med) / iqr).astype(np.float32)
    torch.manual_seed(8)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=HeaveNet(X.shape[1]),
        train=(Xt[tr], yt[tr]),
        val=(Xt[va], yt[va]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        scheduler=warmup_cosine,
        batch_size=64,
        task="regression",
        name="street-tree-heave",
    )
