"""Peatland carbon inventory: carbon density of core slices (checkup spec).

Each row is a 5 cm slice from a Russian-corer core: depth, dry bulk density,
loss on ignition, von Post humification, pH, water-table depth, slice
temperature and dominant vegetation remains.  Target: carbon density
(kg C m^-3), standardised.  The MLP uses a symmetric-log activation (linear near 0,
logarithmic in the tails) written as a custom autograd function, which keeps
the wide range of bulk densities from dominating the hidden units.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

VEG = ["sphagnum", "sedge", "woody", "brown_moss"]


class _SymLog(torch.autograd.Function):
    """sign(x) * log1p(|x|), with the gradient written out so that it stays defined at 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x) * torch.log1p(x.abs())

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (1 + x.abs())


class SymLog(nn.Module):
    def forward(self, x):
        return _SymLog.apply(x)


def peat_slices(n, seed=0):
    rng = np.random.default_rng(seed)
    veg = rng.integers(0, len(VEG), n)
    depth = rng.uniform(5, 450, n)                                   # cm
    wt = rng.gamma(2.0, 8.0, n)                                      # water-table depth, cm
    von_post = np.clip(np.round(2 + depth / 70 + rng.normal(0, 1.2, n)), 1, 10)
    bd = np.exp(np.log(0.06) + 0.12 * von_post + 0.004 * wt + np.array([-0.25, 0.05, 0.2, -0.1])[veg]
                + rng.normal(0, 0.35, n))                            # g cm^-3
    loi = np.clip(97 - 0.6 * np.maximum(depth - 300, 0) / 10 - 8 * (veg == 2) + rng.normal(0, 3, n), 40, 99.5)
    ph = 3.6 + 0.25 * (veg == 1) + 0.8 * (veg == 3) + 0.002 * depth + rng.normal(0, 0.2, n)
    temp = 4 + 6 * np.exp(-depth / 60) + rng.normal(0, 0.5, n)
    carbon_frac = 0.48 + 0.0015 * (von_post - 5) + rng.normal(0, 0.01, n)
    density = bd * 1000 * loi / 100 * carbon_frac * (1 - 0.02 * (ph - 4) ** 2) + rng.normal(0, 0.5, n)
    cont = np.stack([depth, wt, von_post, bd, loi, ph, temp], 1)
    return cont, np.eye(len(VEG))[veg], density


def setup():
    torch.manual_seed(0)
    cont, veg, density = peat_slices(2400, seed=5)
    tr, va = slice(0, 1900), slice(1900, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, veg], 1).astype(np.float32)
    y_mu, y_sd = density[tr].mean(), density[tr].std()
    y = ((density - y_mu) / y_sd).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 48), SymLog(),
        nn.Linear(48, 48), SymLog(),
        nn.Linear(48, 48), SymLog(),
        nn.Linear(48, 1), nn.Flatten(0),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
