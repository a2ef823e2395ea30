"""Checkup spec: Friedman #1 response surface with a memory-lean Swish MLP.

Swish/SiLU is written as a custom autograd.Function that saves only its input and
recomputes the sigmoid in backward (the trick used to cut activation memory).
Targets are standardised; 10 inputs, 5 of them irrelevant.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

import nndoctor


class LeanSwish(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        # d/dx [x * s(x)] = s + x * s * (1 - s)
        return grad_out * s * (1 + x * (1 - s))


class Swish(nn.Module):
    def forward(self, x):
        return LeanSwish.apply(x)


def make_model(d_in=10, width=128):
    return nn.Sequential(
        nn.Linear(d_in, width), Swish(),
        nn.Linear(width, width), Swish(),
        nn.Linear(width, width), Swish(),
        nn.Linear(width, 1),
    )


def setup():
    torch.manual_seed(0)
    X, y = make_friedman1(n_samples=4000, n_features=10, noise=0.5, random_state=11)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0)
    x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=make_model(),
        train=(f((X_tr - x_mu) / x_sd), f((y_tr - y_mu) / y_sd)[:, None]),
        val=(f((X_va - x_mu) / x_sd), f((y_va - y_mu) / y_sd)[:, None]),
        loss=nn.MSELoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=64,
        name="friedman1-lean-swish",
    )
