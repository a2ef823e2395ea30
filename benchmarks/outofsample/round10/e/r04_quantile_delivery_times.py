"""Delivery-time forecasting with prediction intervals: an MLP with three quantile heads
(P10 / P50 / P90) trained on the pinball loss, RMSprop at a small LR.

Synthetic courier logs: distance, pick-up hour (cyclic encoding), rain flag, courier
load, restaurant prep-time estimate. Noise grows with distance and rain, so the interval
width must depend on the inputs.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
rng = np.random.default_rng(11)

n = 6000
dist_km = rng.gamma(2.0, 1.8, n)
hour = rng.integers(10, 23, n)
rain = rng.random(n) < 0.25
load = rng.poisson(3, n)
prep = rng.normal(12, 4, n).clip(3, 30)
rush = np.exp(-0.5 * ((hour - 19) / 1.5) ** 2) + 0.6 * np.exp(-0.5 * ((hour - 12.5) / 1.0) ** 2)
mean = 8 + 3.2 * dist_km + 0.8 * prep + 6 * rush + 4 * rain + 1.5 * load
scale = 1.5 + 0.9 * dist_km * (1 + 0.8 * rain)
minutes = mean + scale * rng.gumbel(0, 1, n)  # right-skewed delays

X = np.column_stack([dist_km, np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                     rain.astype(float), load, prep]).astype(np.float32)
y = minutes.astype(np.float32)

perm = rng.permutation(n)
tr, va, te = perm[:4200], perm[4200:5000], perm[5000:]
mu, sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xs = (X - mu) / sd
ys = (y - y_mu) / y_sd

QUANTILES = torch.tensor([0.1, 0.5, 0.9])


def pinball(pred, target):
    diff = target.unsqueeze(1) - pred
    return torch.maximum(QUANTILES * diff, (QUANTILES - 1) * diff).mean()


model = nn.Sequential(nn.Linear(6, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 3))
opt = torch.optim.RMSprop(model.parameters(), lr=3e-4, alpha=0.99)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.97)

t = lambda a: torch.from_numpy(a)
train_loader = DataLoader(TensorDataset(t(Xs[tr]), t(ys[tr])), batch_size=64, shuffle=True)
Xva, yva, Xte, yte = t(Xs[va]), t(ys[va]), t(Xs[te]), t(ys[te])

for epoch in range(40):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = pinball(model(xb), yb)
        loss.backward()
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        val = pinball(model(Xva), yva).item()
    if epoch % 5 == 0 or epoch == 39:
        print(f"epoch {epoch:2d} train {loss.item():.4f} val pinball {val:.4f}")

with torch.no_grad():
    q = model(Xte) * y_sd + y_mu
    q = torch.sort(q, dim=1).values  # guard against crossing quantiles
    y_true = yte * y_sd + y_mu
    test_pinball = pinball(q, y_true).item()
    coverage = ((y_true >= q[:, 0]) & (y_true <= q[:, 2])).float().mean().item()
    const = torch.quantile(t(y[tr]), QUANTILES).expand(len(te), 3)
    base_pinball = pinball(const, y_true).item()
print(f"final test pinball={test_pinball:.3f} min (constant-quantile baseline {base_pinball:.3f}); "
      f"P10-P90 coverage {coverage:.3f} (target 0.80)")
