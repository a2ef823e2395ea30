"""Target archery: predict where an arrow lands vertically relative to the sight mark.

Each shot is logged by the club's acoustic target: bow draw weight, draw length, arrow
mass, spine deflection, shooting distance, fletching helical angle and head-wind component;
the target is the vertical impact offset (standardised; cm after inverting). The model is a
radial-basis-function network whose kernel layer is a hand-written autograd Function (it
keeps only phi for backward instead of the (B, K, D) difference tensor).
"""
import numpy as np
import torch
from torch import nn

import nndoctor


class GaussianKernel(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, centers, log_sigma):
        diff = x.unsqueeze(1) - centers.unsqueeze(0)            # (B, K, D)
        d2 = (diff * diff).sum(-1)                               # (B, K)
        sig2 = torch.exp(2 * log_sigma)                          # (K,)
        phi = torch.exp(-0.5 * d2 / sig2)
        ctx.save_for_backward(x, centers, log_sigma, phi)
        return phi

    @staticmethod
    def backward(ctx, grad_out):
        x, centers, log_sigma, phi = ctx.saved_tensors
        sig2 = torch.exp(2 * log_sigma)
        diff = x.unsqueeze(1) - centers.unsqueeze(0)
        d2 = (diff * diff).sum(-1)
        coef = (grad_out * phi / sig2).unsqueeze(-1)             # (B, K, 1)
        grad_x = -(coef * diff).sum(1)
        grad_c = (coef * diff).sum(0)
        grad_ls = (grad_out * phi * d2 / sig2).sum(0)
        return grad_x, grad_c, grad_ls


class RBFLayer(nn.Module):
    def __init__(self, in_features, n_centers, init_centers=None):
        super().__init__()
        c = init_centers if init_centers is not None else torch.randn(n_centers, in_features)
        self.centers = nn.Parameter(c.clone())
        self.log_sigma = nn.Parameter(torch.full((n_centers,), 0.3))

    def forward(self, x):
        return GaussianKernel.apply(x, self.centers, self.log_sigma)


class RBFNet(nn.Module):
    def __init__(self, in_features, n_centers, init_centers=None):
        super().__init__()
        self.rbf = RBFLayer(in_features, n_centers, init_centers)
        self.out = nn.Linear(n_centers, 1)

    def forward(self, x):
        return self.out(self.rbf(x))


def make_shots(n, rng):
    draw_weight = rng.uniform(28, 50, n)          # lb
    draw_length = rng.uniform(26, 31, n)          # in
    arrow_mass = rng.uniform(280, 460, n)         # grains
    spine = rng.uniform(0.3, 0.8, n)              # in deflection
    distance = rng.choice([18, 30, 50, 70], n) + rng.normal(0, 0.3, n)
    helical = rng.uniform(0, 4, n)                # degrees
    headwind = rng.normal(0, 2.5, n)              # m/s
    v = 55 * np.sqrt(draw_weight * draw_length / 28 / 40) * np.sqrt(350 / arrow_mass)
    v = v * (1 - 0.012 * helical) - 0.2 * headwind
    drop = 100 * 0.5 * 9.81 * (distance / v) ** 2                      # cm of gravity drop
    sight = 100 * 0.5 * 9.81 * (distance / 58) ** 2                     # sight marks set for 58 m/s
    offset = sight - drop + 8 * (spine - 0.55) * distance / 30 + rng.normal(0, 1.5, n)
    X = np.stack([draw_weight, draw_length, arrow_mass, spine, distance, helical, headwind], 1)
    return X.astype(np.float32), offset.astype(np.float32)


def setup():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = make_shots(2400, rng)
    Xtr, Xva, ytr, yva = X[:1900], X[1900:], y[:1900], y[1900:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    y_mu, y_sd = ytr.mean(), ytr.std()
    Xtr = torch.from_numpy((Xtr - mu) / sd)
    Xva = torch.from_numpy((Xva - mu) / sd)
    ytr = torch.from_numpy((ytr - y_mu) / y_sd).unsqueeze(1)
    yva = torch.from_numpy((yva - y_mu) / y_sd).unsqueeze(1)
    init = Xtr[torch.randperm(len(Xtr))[:48]]
    model = RBFNet(Xtr.shape[1], 48, init_centers=init)
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-2),
        batch_size=32,
    )
