import numpy as np
import torch
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class SwishFn(torch.autograd.Function):
    """Memory-saving swish: stores only the input."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * s * (1 + s * (1 - s))


class Swish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)


def setup():
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=0.5, random_state=901)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=901)
    xm, xs = X_train.mean(0), X_train.std(0)
    ym, ys = y_train.mean(), y_train.std()
    X_train, X_val = (X_train - xm) / xs, (X_val - xm) / xs
    y_train, y_val = (y_train - ym) / ys, (y_val - ym) / ys
    torch.manual_seed(23)
    model = nn.Sequential(nn.Linear(10, 64), Swish(), nn.Linear(64, 64), Swish(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(X_train.astype(np.float32), y_train.reshape(-1, 1).astype(np.float32)),
        val=(X_val.astype(np.float32), y_val.reshape(-1, 1).astype(np.float32)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
