"""Fired shrinkage of porcelain floor tiles from body recipe and kiln schedule.

Checkup spec. The MLP uses squareplus, (x + sqrt(x^2 + b)) / 2, a smooth ReLU that the
embedded inference runtime supports; it is written as an autograd Function to keep one
saved tensor per layer instead of the three autograd would keep.
"""
import numpy as np
import torch
import torch.nn as nn

import nndoctor


class SquarePlusFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, b):
        sq = x * x + b
        ctx.save_for_backward(x, sq)
        return 0.5 * (x + sq.sqrt())

    @staticmethod
    def backward(ctx, grad_out):
        x, sq = ctx.saved_tensors
        return grad_out * 0.5 * (1.0 + x / sq), None


class SquarePlus(nn.Module):
    def __init__(self, b=4.0):
        super().__init__()
        self.b = b

    def forward(self, x):
        return SquarePlusFn.apply(x, self.b)


def make_tiles(n, rng):
    kaolin = rng.uniform(20, 40, n)
    ball_clay = rng.uniform(15, 30, n)
    feldspar = rng.uniform(25, 45, n)
    quartz = 100 - kaolin - ball_clay - feldspar
    water = rng.normal(6.0, 0.8, n)
    press_mpa = rng.uniform(25, 45, n)
    peak_c = rng.uniform(1160, 1240, n)
    soak_min = rng.uniform(3, 15, n)
    ramp_c_min = rng.uniform(20, 60, n)
    # densification switches on around a flux-dependent temperature
    onset = 1215 - 1.6 * (feldspar - 35) - 0.5 * (ball_clay - 22)
    dens = 1 / (1 + np.exp(-(peak_c - onset) / 9.0)) * (1 + 0.25 * np.log(soak_min / 8))
    green = 1 - 0.006 * (press_mpa - 35) + 0.02 * (water - 6)
    shrink = 2.0 + 6.0 * dens * green - 0.03 * (quartz - 15) - 0.01 * (ramp_c_min - 40) * dens
    shrink += rng.normal(0, 0.15, n)
    X = np.stack([kaolin, ball_clay, feldspar, quartz, water, press_mpa, peak_c, soak_min, ramp_c_min], 1)
    return X.astype(np.float32), shrink.astype(np.float32)


def setup():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = make_tiles(2500, rng)
    n_tr = 2000
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    y = ((y - y_mu) / y_sd)[:, None]
    model = nn.Sequential(
        nn.Linear(9, 64), SquarePlus(),
        nn.Linear(64, 64), SquarePlus(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
        task="regression",
    )
