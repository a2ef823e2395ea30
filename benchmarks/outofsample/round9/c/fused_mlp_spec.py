"""Checkup spec: digit classifier whose hidden blocks use a fused Linear+ReLU autograd function.

The fused op keeps only the input and the ReLU mask for backward instead of the
pre-activation, which halves activation memory on the large-batch deployment this is a
prototype for.
"""
import torch
from sklearn.datasets import load_digits
from torch import nn

import nndoctor


class LinearReLUFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        out = (x @ weight.t() + bias).clamp_min(0)
        ctx.save_for_backward(x, weight, out > 0)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, mask = ctx.saved_tensors
        g = grad_out * mask
        grad_x = g @ weight.t()
        grad_w = g.t() @ x
        grad_b = g.sum(0)
        return grad_x, grad_w, grad_b


class FusedLinearReLU(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(dim, dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        nn.init.kaiming_uniform_(self.weight, nonlinearity="relu")

    def forward(self, x):
        return LinearReLUFn.apply(x, self.weight, self.bias)


class DigitNet(nn.Module):
    def __init__(self, d_in=64, width=128, n_blocks=2, n_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(d_in, width), nn.ReLU())
        self.blocks = nn.Sequential(*[FusedLinearReLU(width) for _ in range(n_blocks)])
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


def setup():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(X), generator=g)
    X = torch.tensor(X, dtype=torch.float32)[perm] / 8.0 - 1.0
    X = X[:, X.std(0) > 0]
    y = torch.tensor(y)[perm]
    return nndoctor.Setup(
        model=DigitNet(d_in=X.shape[1]),
        train=(X[:1400], y[:1400]),
        val=(X[1400:], y[1400:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=32,
    )
