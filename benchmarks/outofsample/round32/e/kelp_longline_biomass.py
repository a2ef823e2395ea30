"""Kelp farm: predict harvested wet biomass per longline from the season's records.

Biomass is heavy-tailed (a few lines in sheltered, nitrate-rich bays yield several
times the median), so the net is fitted with a Huber loss on robustly scaled targets
(median / IQR) and updated with a plain hand-written momentum-free SGD step.
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(7)
rng = np.random.default_rng(7)

N_SITES = 6
N = 2400


def make_season(n):
    site = rng.integers(0, N_SITES, n)
    site_shelter = np.array([0.9, 0.4, 0.7, 0.2, 0.6, 0.8])[site]
    temp = rng.normal(11.5, 2.0, n)                      # deg C, mean over grow-out
    nitrate = rng.gamma(3.0, 1.4, n)                     # umol/L
    depth = rng.uniform(1.5, 6.0, n)                     # m, rope depth
    days = rng.integers(90, 200, n).astype(float)        # days since seeding
    exposure = rng.beta(2, 3, n) * (1.2 - site_shelter)  # wave exposure index
    line_len = rng.choice([100.0, 150.0, 200.0], n)      # m
    month = rng.integers(1, 13, n)
    # growth: saturating in nitrate, optimum temperature, light falls with depth
    growth = (nitrate / (nitrate + 2.5)) * np.exp(-((temp - 10.5) / 3.0) ** 2) * np.exp(-0.18 * depth)
    loss_storm = np.exp(-3.0 * exposure ** 1.5)
    kg_per_m = 28.0 * growth * loss_storm * (days / 150.0) ** 1.3 * (0.7 + 0.6 * site_shelter)
    noise = rng.lognormal(0.0, 0.35, n)
    biomass = kg_per_m * line_len * noise                # kg per line, heavy right tail
    cont = np.stack([temp, nitrate, depth, days, exposure, line_len,
                     np.sin(2 * math.pi * month / 12), np.cos(2 * math.pi * month / 12)], 1)
    onehot = np.eye(N_SITES)[site]
    return cont.astype(np.float32), onehot.astype(np.float32), biomass.astype(np.float32)


cont, onehot, y = make_season(N)
idx = rng.permutation(N)
tr, va = idx[:1900], idx[1900:]

mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)      # one-hot site columns left as 0/1
y_med = np.median(y[tr])
q75, q25 = np.percentile(y[tr], [75, 25])
y_scale = q75 - q25
ys = ((y - y_med) / y_scale).astype(np.float32)

Xtr, ytr = torch.tensor(X[tr]), torch.tensor(ys[tr]).unsqueeze(1)
Xva, yva = torch.tensor(X[va]), torch.tensor(ys[va]).unsqueeze(1)

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.SiLU(),
    nn.Linear(64, 64), nn.SiLU(),
    nn.Linear(64, 1),
)
with torch.no_grad():
    model[-1].bias.fill_(float(np.median(ys[tr])))

criterion = nn.HuberLoss(delta=1.0)
lr = 0.1
epochs = 80
batch_size = 32

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(perm), batch_size):
        b = perm[i:i + batch_size]
        out = model(Xtr[b])
        loss = criterion(out, ytr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(b)
    if epoch in (50, 70):
        lr *= 0.3
    if (epoch + 1) % 10 == 0:
        model.eval()
        with torch.no_grad():
            vloss = criterion(model(Xva), yva).item()
        print(f"epoch {epoch + 1:3d}  train huber {running / len(Xtr):.4f}  val huber {vloss:.4f}")

model.eval()
with torch.no_grad():
    pred_kg = model(Xva).squeeze(1).numpy() * y_scale + y_med
true_kg = y[va]
mae = np.abs(pred_kg - true_kg).mean()
mae_median = np.abs(y_med - true_kg).mean()
r2 = 1 - ((pred_kg - true_kg) ** 2).sum() / ((true_kg - true_kg.mean()) ** 2).sum()
print(f"target skew: mean {y[tr].mean():.0f} kg, median {y_med:.0f} kg, max {y[tr].max():.0f} kg")
print(f"final: val MAE {mae:.1f} kg (median predictor {mae_median:.1f} kg), val R2 {r2:.3f}")
