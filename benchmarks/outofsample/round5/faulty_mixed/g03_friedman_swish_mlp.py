"""Tabular regression (Friedman #1 response, 10 inputs of which 5 matter)
with an MLP using a memory-efficient Swish: the activation is an autograd
Function so that only one tensor per layer is kept for the backward pass.
"""
import torch
from torch import nn
from sklearn.datasets import make_friedman1
from sklearn.preprocessing import StandardScaler

import nndoctor


class SwishFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = x * torch.sigmoid(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * (s * (1 + x * (1 - s)))


class MemoryEfficientSwish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)


def mlp(d_in, widths=(128, 128, 64)):
    layers, d = [], d_in
    for w in widths:
        layers += [nn.Linear(d, w), MemoryEfficientSwish()]
        d = w
    layers.append(nn.Linear(d, 1))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(0)
    X, y = make_friedman1(n_samples=2500, n_features=10, noise=0.5, random_state=3)
    X_tr, X_va, y_tr, y_va = X[:2000], X[2000:], y[:2000], y[2000:]
    xs = StandardScaler().fit(X_tr)
    mu, sd = y_tr.mean(), y_tr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=mlp(10),
        train=(f(xs.transform(X_tr)), f((y_tr - mu) / sd)[:, None]),
        val=(f(xs.transform(X_va)), f((y_va - mu) / sd)[:, None]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
