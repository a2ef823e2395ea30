"""Predict a runner's marathon finish time from the live 10 km and half-way splits plus the
registration form (age, sex, declared weekly mileage, previous best) and race-day heat, to
drive the projected-finish display at the 21 km timing mat.

The second half has a heavy right tail (runners who "hit the wall" lose 20-60 min), so the
network is fitted with a Huber loss on standardised targets. Updates are written by hand:
plain SGD with heavy-ball momentum and decoupled weight decay, no torch.optim.
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)
N = 6000

age = rng.integers(18, 75, N).astype(float)
female = rng.random(N) < 0.42
weekly_km = rng.gamma(3.0, 15.0, N)
pb = 170 + 90 * np.exp(-weekly_km / 45) + 0.6 * np.clip(age - 35, 0, None) + 14 * female + rng.normal(0, 12, N)
heat = rng.uniform(6, 27, N)                                          # degC at start
pace_factor = 1 + 0.004 * np.clip(heat - 12, 0, None) + rng.normal(0, 0.03, N)
split_10k = pb / 4.2195 * pace_factor * rng.normal(0.97, 0.025, N)   # many start too fast
split_half = split_10k * 2.1097 * rng.normal(1.01, 0.02, N)
ambition = (pb / 2 - split_half) / (pb / 2)                           # >0: ahead of best pace
wall_risk = 1 / (1 + np.exp(-(45 * ambition + 0.08 * (heat - 18) - 0.03 * (weekly_km - 45) - 1.2)))
hit_wall = rng.random(N) < wall_risk
second_half = (split_half * (1.02 + 0.004 * np.clip(heat - 15, 0, None))
               + hit_wall * (6 + rng.gamma(2.0, 8.0, N)) + rng.normal(0, 3, N))
finish = split_half + second_half                                     # minutes

feats = np.column_stack([split_10k, split_half, age, female, weekly_km, pb, heat,
                         split_half - pb / 2]).astype(np.float32)
perm = rng.permutation(N)
tr, va = perm[:4800], perm[4800:]
x_mu, x_sd = feats[tr].mean(0), feats[tr].std(0)
x_mu[3], x_sd[3] = 0.0, 1.0                                           # binary column stays 0/1
y_mu, y_sd = finish[tr].mean(), finish[tr].std()

Xtr = torch.tensor((feats[tr] - x_mu) / x_sd, dtype=torch.float32)
Xva = torch.tensor((feats[va] - x_mu) / x_sd, dtype=torch.float32)
ytr = torch.tensor((finish[tr] - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
yva_min = finish[va]

model = nn.Sequential(nn.Linear(8, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
loss_fn = nn.HuberLoss(delta=0.3)
lr, momentum, wd, epochs, bs = 0.05, 0.9, 1e-4, 40, 64
velocity = [torch.zeros_like(p) for p in model.parameters()]
steps_per_epoch = math.ceil(len(Xtr) / bs)

for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(Xtr))
    lr_now = lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))      # cosine over epochs
    running = 0.0
    for i in range(steps_per_epoch):
        idx = order[i * bs:(i + 1) * bs]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        model.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p.mul_(1 - lr_now * wd)
                p -= lr_now * v
        running += loss.item()
    if epoch % 10 == 9 or epoch == 0:
        model.eval()
        with torch.no_grad():
            pred = model(Xva).squeeze(1).numpy() * y_sd + y_mu
        print(f"epoch {epoch + 1:2d} lr {lr_now:.4f} train_huber {running / steps_per_epoch:.4f} "
              f"val_MAE {np.abs(pred - yva_min).mean():.2f} min")

model.eval()
with torch.no_grad():
    pred = model(Xva).squeeze(1).numpy() * y_sd + y_mu
rule = 2.0 * feats[va, 1] + 4.0                                       # the display's old "double it plus 4"
print(f"final val MAE {np.abs(pred - yva_min).mean():.2f} min "
      f"(median AE {np.median(np.abs(pred - yva_min)):.2f}); old rule MAE {np.abs(rule - yva_min).mean():.2f} min")
