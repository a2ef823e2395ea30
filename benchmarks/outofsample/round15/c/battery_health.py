"""Estimate battery state of health (SoH, %) from a partial constant-current charge curve.

Each sample: 16 voltage readings sampled every 3 minutes during charging, cell temperature,
charge current and cycle count. Trained with plain minibatch SGD (no optimizer object).
"""
import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(5)
rng = np.random.default_rng(5)


class LinearSiLUFn(torch.autograd.Function):
    """silu(x @ W.T + b) that stores only x and recomputes the pre-activation in backward."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight, bias)
        return F.silu(F.linear(x, weight, bias))

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, bias = ctx.saved_tensors
        pre = F.linear(x, weight, bias)
        s = torch.sigmoid(pre)
        g = grad_out * s * (1 + pre * (1 - s))
        grad_x = g @ weight
        grad_w = x.t() @ g
        grad_b = g.sum(0)
        return grad_x, grad_w, grad_b


class LinearSiLU(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(dim, dim))
        self.bias = nn.Parameter(torch.zeros(dim))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x):
        return LinearSiLUFn.apply(x, self.weight, self.bias)


def charge_curves(n):
    soh = rng.uniform(70, 100, n)
    cycles = (100 - soh) * 40 + rng.normal(0, 80, n)
    temp = rng.normal(25, 6, n)
    current = rng.choice([0.5, 1.0, 1.5], n)
    t = np.linspace(0, 1, 16)[None, :]
    cap = soh[:, None] / 100
    r_int = 0.05 + 0.002 * (100 - soh[:, None]) - 0.0008 * (temp[:, None] - 25)
    soc = np.clip(t * current[:, None] * 0.9 / cap, 0, 1.2)
    v = (3.3 + 0.7 * soc - 0.15 * np.exp(-12 * soc) + 0.25 * np.maximum(soc - 0.95, 0) ** 2
         + r_int * current[:, None] + rng.normal(0, 0.004, (n, 16)))
    X = np.concatenate([v, temp[:, None], current[:, None], cycles[:, None]], 1)
    return X.astype(np.float32), soh.astype(np.float32)


X_tr, y_tr = charge_curves(4000)
X_va, y_va = charge_curves(1000)
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr, X_va = torch.from_numpy((X_tr - mu) / sd), torch.from_numpy((X_va - mu) / sd)
t_tr, t_va = torch.from_numpy((y_tr - y_mu) / y_sd), torch.from_numpy(y_va)

model = nn.Sequential(
    nn.Linear(19, 128), nn.SiLU(),
    LinearSiLU(128),
    LinearSiLU(128),
    nn.Linear(128, 1),
)

lr, momentum, batch = 0.03, 0.9, 64
velocity = [torch.zeros_like(p) for p in model.parameters()]
loss_fn = nn.MSELoss()

EPOCHS = 30
for epoch in range(EPOCHS):
    model.train()
    lr_t = 0.5 * lr * (1 + math.cos(math.pi * epoch / EPOCHS))
    perm = torch.randperm(len(X_tr))
    for k in range(0, len(perm), batch):
        idx = perm[k:k + batch]
        loss = loss_fn(model(X_tr[idx]).squeeze(-1), t_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr_t * v
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            pred = model(X_va).squeeze(-1) * y_sd + y_mu
        mae = (pred - t_va).abs().mean().item()
        print(f"epoch {epoch + 1}  train mse {loss.item():.4f}  val MAE {mae:.3f} %SoH")

print(f"final val MAE {mae:.3f} %SoH  (predict-mean baseline {np.abs(y_va - y_mu).mean():.3f})")
