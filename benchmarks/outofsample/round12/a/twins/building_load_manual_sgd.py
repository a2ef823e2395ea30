"""Hourly heating/cooling load of office buildings from weather, calendar and building
features. Small MLP trained with a hand-written mini-batch SGD update (no torch.optim),
step decay of the learning rate every 10 epochs."""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(11)
rng = np.random.default_rng(11)


def make_data(n):
    hour = rng.integers(0, 24, size=n)
    dow = rng.integers(0, 7, size=n)
    temp = rng.normal(12, 9, size=n)
    humid = rng.uniform(20, 95, size=n)
    area = rng.lognormal(8.0, 0.5, size=n)        # m^2
    insul = rng.uniform(0.2, 1.0, size=n)          # U-value proxy
    occ = ((hour >= 8) & (hour <= 18) & (dow < 5)) * rng.uniform(0.6, 1.0, size=n)
    heating = np.maximum(18 - temp, 0) * insul
    cooling = np.maximum(temp - 22, 0) * (1 + humid / 100)
    load = area / 1000 * (1.5 * heating + 2.0 * cooling + 6 * occ + 1.0) + rng.normal(0, 1.0, size=n)
    X = np.column_stack([
        np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24), dow >= 5,
        temp, humid, np.log(area), insul, occ,
    ]).astype(np.float32)
    return X, load.astype(np.float32)


X, y = make_data(6000)
n_tr, n_va = 4500, 1500
mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
X = (X - mu) / sd
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
Xt = torch.from_numpy(X)
yt = torch.from_numpy((y - y_mu) / y_sd).unsqueeze(1)
X_tr, y_tr, X_va, y_va = Xt[:n_tr], yt[:n_tr], Xt[n_tr:], yt[n_tr:]

model = nn.Sequential(
    nn.Linear(8, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
loss_fn = nn.MSELoss()
lr0, bs, epochs = 0.05, 64, 30

for epoch in range(epochs):
    lr = lr0 * (0.5 ** (epoch // 10))
    perm = torch.randperm(n_tr)
    model.train()
    for i in range((n_tr - 1) // bs + 1):
        idx = perm[i * bs:(i + 1) * bs]
        pred = model(X_tr[idx])
        loss = loss_fn(pred, y_tr[idx])
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
            model.zero_grad()

    model.eval()
    with torch.no_grad():
        sse = ((model(X_va) - y_va) ** 2).sum().item()
    val_rmse = math.sqrt(sse / n_va) * y_sd
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: lr {lr:.4f} train_mse {loss.item():.4f} val_rmse {val_rmse:.3f}")

r2 = 1 - sse / ((y_va - y_va.mean()) ** 2).sum().item()
print(f"final val_rmse={val_rmse:.3f} val_r2={r2:.4f}")
