"""Courier trip-duration regression: a deep pre-norm residual MLP, Huber loss on robust-scaled
minutes (traffic incidents give a heavy right tail), linear warm-up then cosine decay, best model
kept with torch.save(model)."""
import math
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
rng = np.random.default_rng(42)


def trips(n):
    dist = rng.gamma(2.2, 2.0, n)                          # km
    hour = rng.integers(0, 24, n)
    dow = rng.integers(0, 7, n)
    stops = rng.poisson(1.2, n)
    rain = rng.random(n) < 0.18
    zone_density = rng.beta(2, 3, n)
    rush = np.isin(hour, [7, 8, 17, 18]).astype(float)
    base = 4 + 3.1 * dist * (1 + 0.6 * rush + 0.3 * rain) * (0.8 + 0.6 * zone_density) + 2.5 * stops
    base += 2.0 * (dow >= 5) * (hour > 19)
    incident = rng.random(n) < 0.06
    minutes = base * rng.lognormal(0, 0.12, n) + incident * rng.exponential(25, n)
    num = np.stack([np.log1p(dist), stops, zone_density, rain.astype(float)], 1)
    cyc = np.stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                    np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7)], 1)
    return num, cyc, minutes


class Block(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, hidden), nn.GELU(), nn.Linear(hidden, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class ResMLP(nn.Module):
    def __init__(self, d_in, d=64, depth=10):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[Block(d, 2 * d) for _ in range(depth)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 1))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x))).squeeze(-1)


num, cyc, minutes = trips(4000)
idx = rng.permutation(len(minutes))
tr, va = idx[:3200], idx[3200:]
mu, sd = num[tr].mean(0), num[tr].std(0)
X = np.concatenate([(num - mu) / sd, cyc], 1).astype(np.float32)
med = np.median(minutes[tr])
iqr = np.subtract(*np.percentile(minutes[tr], [75, 25]))
Y = ((minutes - med) / iqr).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(Y[tr])), batch_size=128, shuffle=True)
Xva, Yva = torch.tensor(X[va]), torch.tensor(Y[va])

model = ResMLP(X.shape[1])
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
epochs = 10
total = epochs * len(train_loader)
warm = 60
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
loss_fn = nn.HuberLoss(delta=1.0)

best = float("inf")
ckpt = os.path.join(tempfile.mkdtemp(), "best.pt")
for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xva)
        vloss = loss_fn(pred, Yva).item()
        mae = ((pred - Yva).abs().mean() * iqr).item()
    if vloss < best:
        best = vloss
        torch.save(model, ckpt)
    if epoch % 3 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d} val_huber {vloss:.4f} val_mae_min {mae:.2f}")

model = torch.load(ckpt, weights_only=False)
model.eval()
with torch.no_grad():
    pred_min = model(Xva).numpy() * iqr + med
true_min = minutes[va]
mae = np.abs(pred_min - true_min).mean()
mae_median_baseline = np.abs(med - true_min).mean()
print(f"best val MAE={mae:.2f} min (median baseline {mae_median_baseline:.2f}) "
      f"R2={1 - ((pred_min - true_min) ** 2).sum() / ((true_min - true_min.mean()) ** 2).sum():.4f}")
