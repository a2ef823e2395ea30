"""Checkup spec: battery state-of-health regression from cycling summary features, SiLU MLP with a
memory-saving hand-written activation."""
import numpy as np
import torch
from torch import nn
import nndoctor


class _SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * s * (1 + x * s)


class MemSiLU(nn.Module):
    def forward(self, x):
        return _SiLU.apply(x)


def cells(n, rng):
    cycles = rng.uniform(50, 1500, n)
    temp = rng.normal(30, 7, n)
    c_rate = rng.uniform(0.3, 3.0, n)
    dod = rng.uniform(0.2, 1.0, n)
    v_drop = rng.normal(0.0, 1.0, n)
    r_int = rng.normal(0.0, 1.0, n)
    fade = (0.018 * cycles ** 0.75 * np.exp(0.035 * (temp - 25)) * (0.6 + 0.4 * c_rate ** 1.3) * (0.4 + dod))
    soh = 100 - fade + 1.5 * np.tanh(v_drop) * dod - 0.8 * r_int * (c_rate > 1.5) + rng.normal(0, 0.8, n)
    X = np.stack([np.log(cycles), temp, c_rate, dod, v_drop, r_int], 1)
    return X.astype(np.float32), soh.astype(np.float32)


def setup():
    rng = np.random.default_rng(11)
    X, y = cells(2400, rng)
    Xtr, ytr, Xva, yva = X[:1900], y[:1900], X[1900:], y[1900:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    ym, ys = ytr.mean(), ytr.std()
    torch.manual_seed(11)
    model = nn.Sequential(nn.Linear(6, 64), MemSiLU(), nn.Linear(64, 64), MemSiLU(),
                          nn.Linear(64, 32), MemSiLU(), nn.Linear(32, 1))
    t = lambda a: torch.tensor(a)
    return nndoctor.Setup(
        model=model,
        train=(t((Xtr - mu) / sd), t(((ytr - ym) / ys)[:, None])),
        val=(t((Xva - mu) / sd), t(((yva - ym) / ys)[:, None])),
        loss=nn.MSELoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=64,
        task="regression",
    )
