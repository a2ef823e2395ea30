"""Checkup spec: nonlinear sensor-response regression (Friedman #1 process, 10 inputs, 5 relevant)
with a small MLP using a shifted-softplus activation (SchNet-style), written as a custom
autograd Function so that large pre-activations stay finite in float32."""
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_friedman1

import nndoctor


class _ShiftedSoftplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        # log(1 + e^x) - log 2, evaluated stably for both signs of x
        return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs())) - math.log(2.0)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out / (1.0 + torch.exp(-x))


class ShiftedSoftplus(nn.Module):
    def forward(self, x):
        return _ShiftedSoftplus.apply(x)


def setup():
    torch.manual_seed(0)
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=0.5, random_state=4)
    X = ((X - 0.5) / 0.2887).astype(np.float32)           # U(0,1) inputs -> zero mean, unit variance
    y = y.astype(np.float32)
    y_mean, y_std = y[:2400].mean(), y[:2400].std()
    y = ((y - y_mean) / y_std)[:, None]
    model = nn.Sequential(
        nn.Linear(10, 64), ShiftedSoftplus(),
        nn.Linear(64, 64), ShiftedSoftplus(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400])),
        val=(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
