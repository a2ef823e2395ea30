"""Barchan dune crest migration (m/yr) from a season of wind and surface observations.

Features per dune: drift potential, resultant drift direction (sin/cos), directional
variability, dune height, sand moisture, vegetation cover, grain size, distance to
the nearest upwind dune, annual precipitation. Plain full-Python training loop with
a hand-written SGD update.
"""
import math
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(7)
rng = np.random.default_rng(7)

N = 2400
dp = rng.lognormal(mean=5.5, sigma=0.5, size=N)          # drift potential (vector units)
theta = rng.uniform(0, 2 * math.pi, size=N)
rdp_ratio = rng.beta(5, 2, size=N)                      # directional variability
height = rng.gamma(3.0, 3.0, size=N)                    # m
moisture = rng.beta(2, 8, size=N)                       # volumetric fraction
veg = rng.beta(1.2, 6, size=N)                          # cover fraction
grain = rng.normal(0.28, 0.05, size=N)                  # mm
spacing = rng.lognormal(5.0, 0.6, size=N)               # m
precip = rng.gamma(2.0, 40.0, size=N)                   # mm/yr

# Bagnold-style flux scaled by height, damped by moisture and vegetation
flux = dp * rdp_ratio * np.exp(-6 * moisture) * (1 - veg) ** 2
rate = 0.9 * flux / (height + 1.5) * (0.28 / grain) ** 0.5
rate *= 1 + 0.15 * np.tanh((spacing - 150) / 80)
rate += -0.004 * precip + rng.normal(0, 1.2, size=N)

X = np.column_stack([dp, np.sin(theta), np.cos(theta), rdp_ratio, height, moisture,
                     veg, grain, spacing, precip]).astype(np.float32)
y = rate.astype(np.float32)[:, None]

perm = rng.permutation(N)
tr, va = perm[:1900], perm[1900:]
mu, sd = X[tr].mean(0), X[tr].std(0)
ymu, ysd = y[tr].mean(), y[tr].std()
Xtr = torch.from_numpy((X[tr] - mu) / sd)
Xva = torch.from_numpy((X[va] - mu) / sd)
ytr = torch.from_numpy((y[tr] - ymu) / ysd)
yva = torch.from_numpy(y[va])

model = nn.Sequential(
    nn.Linear(10, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
loss_fn = nn.MSELoss()
lr = 0.05
batch_size = 32
epochs = 30

for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(Xtr), batch_size):
        idx = order[i:i + batch_size]
        pred = model(Xtr[idx])
        loss = loss_fn(pred, ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        pv = model(Xva) * ysd + ymu
        mae = (pv - yva).abs().mean().item()
        r2 = 1 - ((pv - yva) ** 2).sum().item() / ((yva - yva.mean()) ** 2).sum().item()
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch + 1:2d}  train_mse {running / len(Xtr):.4f}  val_mae {mae:.3f} m/yr  val_r2 {r2:.3f}")

print(f"final val_mae {mae:.3f} m/yr  val_r2 {r2:.3f}")
