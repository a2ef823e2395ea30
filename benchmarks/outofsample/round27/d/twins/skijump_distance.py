"""Ski-jump distance model: predict the landing distance (m) of a jump from
take-off measurements logged by the hill's timing system.

Features per jump: in-run speed, take-off angle, wind component (head/tail),
jumper mass, suit air permeability, gate number, hill size (HS) and air temperature.
Small MLP trained with a plain hand-written SGD update.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(7)
rng = np.random.default_rng(7)

N = 3000
hill_hs = rng.choice([98.0, 109.0, 125.0, 140.0], size=N)
gate = rng.integers(5, 25, size=N).astype(np.float64)
speed = 84.0 + 0.25 * (hill_hs - 100) / 10 + 0.35 * (gate - 15) + rng.normal(0, 0.6, N)  # km/h
angle = rng.normal(10.5, 0.9, N)                  # degrees at take-off
wind = rng.normal(0.0, 1.1, N)                    # m/s, + = head wind
mass = rng.normal(60.0, 4.0, N)                   # kg incl. equipment
perm = rng.uniform(30, 45, N)                     # suit permeability l/m^2/s
temp = rng.normal(-4.0, 5.0, N)

k_point = hill_hs * 0.9
dist = (k_point
        + 2.1 * (speed - 86.0) * (hill_hs / 120.0)
        + 5.5 * np.tanh(wind / 1.5) * (1 + 0.3 * (angle - 10.5))
        - 1.8 * (angle - 10.5) ** 2
        - 0.35 * (mass - 60.0)
        - 0.22 * (perm - 37.0)
        + 0.08 * temp
        + rng.normal(0, 2.0, N))
dist = np.minimum(dist, hill_hs * 1.08)           # landing-slope limit

X = np.stack([speed, angle, wind, mass, perm, gate, hill_hs, temp], axis=1).astype(np.float32)
y = dist.astype(np.float32)[:, None]

perm_idx = rng.permutation(N)
tr, va = perm_idx[:2400], perm_idx[2400:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xtr = torch.from_numpy((X[tr] - x_mu) / x_sd)
Xva = torch.from_numpy((X[va] - x_mu) / x_sd)
ytr = torch.from_numpy((y[tr] - y_mu) / y_sd)
yva = torch.from_numpy(y[va])

model = nn.Sequential(
    nn.Linear(8, 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)

lr = 0.05
batch_size = 128
epochs = 60
for epoch in range(epochs):
    order = torch.randperm(len(Xtr))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        pred = model(Xtr[idx])
        loss = ((pred - ytr[idx]) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d} last batch loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    pred_m = model(Xva) * y_sd + y_mu
    rmse = torch.sqrt(((pred_m - yva) ** 2).mean()).item()
print(f"val RMSE (m): {rmse:.3f}")
