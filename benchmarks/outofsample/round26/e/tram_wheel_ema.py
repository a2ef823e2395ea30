"""Tram wheel wear: predict flange-thickness loss (mm per 10,000 km) per wheelset.

Features come from the depot's wayside measuring system and the vehicle log: line
curvature share, braking energy, axle load, wheel hardness, track gauge spread, season
and line (one-hot). A residual MLP is trained with AdamW under linear warm-up and cosine
decay; an exponential moving average of the weights (a deepcopy of the model) is kept
and is the model that is saved whole with torch.save and reloaded for scoring.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)

N, LINES = 4000, 6
curv = rng.beta(2, 5, N)
brake = rng.gamma(3, 0.6, N)
load = rng.normal(10.5, 0.8, N)
hard = rng.normal(300, 18, N)
gauge = rng.normal(0, 1.2, N)
winter = rng.integers(0, 2, N)
line = rng.integers(0, LINES, N)
line_eff = np.array([0.0, 0.15, -0.1, 0.3, 0.05, -0.2])
wear = (0.6 + 2.4 * curv ** 1.5 + 0.25 * brake + 0.08 * (load - 10.5) - 0.004 * (hard - 300)
        + 0.12 * np.abs(gauge) + 0.2 * winter * curv + line_eff[line] + rng.normal(0, 0.12, N))

cont = np.stack([curv, brake, load, hard, gauge], 1)
idx = rng.permutation(N)
tr, va = idx[:3200], idx[3200:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate([(cont - mu) / sd, winter[:, None], np.eye(LINES)[line]], 1).astype(np.float32)
y_mu, y_sd = wear[tr].mean(), wear[tr].std()
Y = ((wear - y_mu) / y_sd).astype(np.float32)[:, None]

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])), batch_size=64, shuffle=True)
Xv, Yv = torch.from_numpy(X[va]), torch.from_numpy(Y[va])


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class WearNet(nn.Module):
    def __init__(self, d_in, d=64, depth=3):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[Block(d) for _ in range(depth)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 1))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


model = WearNet(X.shape[1])
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
decay = 0.995

EPOCHS = 25
total = EPOCHS * len(train_loader)
warmup = int(0.06 * total)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
loss_fn = nn.MSELoss()


def rmse_mm(m):
    m.eval()
    with torch.no_grad():
        return float(((m(Xv) - Yv) ** 2).mean().sqrt()) * y_sd


for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - decay)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} lr={sched.get_last_lr()[0]:.2e} val_rmse raw={rmse_mm(model):.4f} ema={rmse_mm(ema):.4f}")

path = os.path.join(tempfile.mkdtemp(), "wheel_wear_ema.pt")
torch.save(ema, path)
scorer = torch.load(path, weights_only=False)
rmse = rmse_mm(scorer)
print(f"baseline (train mean) rmse={float(np.sqrt(((wear[va] - y_mu) ** 2).mean())):.4f}")
print(f"final val_rmse_mm_per_10k_km={rmse:.4f} (noise floor 0.12)")
