"""Hourly heating/cooling load of office buildings from weather and building
descriptors. MLP trained with a hand-written SGD update (no torch.optim).
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)


def make_data(n):
    hour = rng.integers(0, 24, n)
    temp = rng.normal(12, 9, n)                  # outdoor temperature, deg C
    humid = rng.uniform(20, 95, n)               # relative humidity, %
    solar = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None) * rng.uniform(200, 900, n)
    area = rng.uniform(800, 12000, n)            # floor area, m2
    u_val = rng.uniform(0.2, 1.6, n)             # envelope U-value
    occ = ((hour >= 8) & (hour <= 18)).astype(float) * rng.uniform(0.3, 1.0, n)
    setpoint = 21.0
    dT = setpoint - temp
    heating = np.clip(dT, 0, None) * u_val * area / 1000
    cooling = np.clip(-dT + 0.01 * solar, 0, None) * (1 + 0.01 * (humid - 50)) * area / 1500
    internal = occ * area / 400
    load = heating + 1.3 * cooling + internal - 0.004 * solar * area / 1000
    load = load + rng.normal(0, 0.05 * load.std(), n)
    X = np.stack([np.sin(hour / 24 * 2 * np.pi), np.cos(hour / 24 * 2 * np.pi), temp, humid, solar,
                  np.log(area), u_val, occ], 1)
    return X.astype(np.float32), load.astype(np.float32)


def mlp(sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers)


X, y = make_data(6000)
Xtr, ytr, Xva, yva = X[:5000], y[:5000], X[5000:], y[5000:]
x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
y_mu, y_sd = ytr.mean(), ytr.std()
Xtr, Xva = torch.tensor((Xtr - x_mu) / x_sd), torch.tensor((Xva - x_mu) / x_sd)
ytr_n = torch.tensor((ytr - y_mu) / y_sd).unsqueeze(1)
yva_n = torch.tensor((yva - y_mu) / y_sd).unsqueeze(1)

model = mlp([8, 64, 64, 1])
base_lr, epochs, bs = 0.1, 40, 64
loss_fn = nn.MSELoss()

for epoch in range(epochs):
    lr = 0.5 * base_lr * (1 + np.cos(np.pi * epoch / epochs))
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        loss = loss_fn(model(Xtr[idx]), ytr_n[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    model.eval()
    with torch.no_grad():
        sse = nn.functional.mse_loss(model(Xva), yva_n, reduction="sum").item()
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1:3d}  train_loss {loss.item():.4f}  val_mse {sse / len(Xva):.4f}")

with torch.no_grad():
    pred = model(Xva).squeeze(1).numpy() * y_sd + y_mu
r2 = 1 - ((pred - yva) ** 2).sum() / ((yva - yva.mean()) ** 2).sum()
print(f"final val R2 {r2:.4f}  RMSE {np.sqrt(((pred - yva) ** 2).mean()):.3f}")
