"""Motor-insurance claim severity (cost per claim) with a tabular MLP.

Severities are heavy-tailed (lognormal body + Pareto large losses), so the target is
centred on the training median, scaled by its IQR and fitted with a Huber loss; categorical
rating factors go through embeddings, continuous ones are standardised. AdamW with linear
warm-up then cosine decay (stepped per batch) and gradient-norm clipping as routine insurance.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)

N = 6000
driver_age = rng.integers(18, 85, N).astype(float)
vehicle_age = rng.integers(0, 20, N).astype(float)
power_kw = rng.lognormal(np.log(80), 0.35, N)
bonus_malus = rng.uniform(50, 150, N)
log_density = rng.normal(6.0, 1.5, N)
region = rng.integers(0, 12, N)
vehicle_class = rng.integers(0, 6, N)
region_eff = rng.normal(0, 0.25, 12)
class_eff = np.array([-0.3, -0.1, 0.0, 0.15, 0.35, 0.6])

log_mu = (7.6 + 0.35 * (power_kw - 80) / 28 - 0.012 * (driver_age - 45)
          + 0.0003 * (driver_age - 45) ** 2 - 0.02 * vehicle_age
          + 0.004 * (bonus_malus - 100) + 0.08 * (log_density - 6)
          + region_eff[region] + class_eff[vehicle_class])
cost = np.exp(log_mu + rng.normal(0, 0.5, N))
large = rng.random(N) < 0.04
cost[large] *= 1 + rng.pareto(1.8, large.sum()) * 4  # large-loss tail

num = np.column_stack([driver_age, vehicle_age, np.log(power_kw), bonus_malus, log_density]).astype(np.float32)
cat = np.column_stack([region, vehicle_class]).astype(np.int64)
perm = rng.permutation(N)
tr, va = perm[:4800], perm[4800:]

mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd
med = np.median(cost[tr])
iqr = np.subtract(*np.percentile(cost[tr], [75, 25]))
target = ((cost - med) / iqr).astype(np.float32)


def make_loader(idx, shuffle):
    ds = TensorDataset(torch.from_numpy(num[idx]), torch.from_numpy(cat[idx]), torch.from_numpy(target[idx]))
    return DataLoader(ds, batch_size=128, shuffle=shuffle)


train_loader, val_loader = make_loader(tr, True), make_loader(va, False)


class SeverityNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.region = nn.Embedding(12, 4)
        self.vclass = nn.Embedding(6, 3)
        self.mlp = nn.Sequential(nn.Linear(5 + 4 + 3, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.region(x_cat[:, 0]), self.vclass(x_cat[:, 1])], dim=1)
        return self.mlp(h).squeeze(-1)


model = SeverityNet()
criterion = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
epochs = 25
total_steps, warmup_steps = epochs * len(train_loader), 2 * len(train_loader)


def warmup_cosine(step):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    return 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / (total_steps - warmup_steps)))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine)


@torch.no_grad()
def val_mae():
    model.eval()
    err, n = 0.0, 0
    for xn, xc, yt in val_loader:
        pred = model(xn, xc) * iqr + med
        err += (pred - (yt * iqr + med)).abs().sum().item()
        n += len(yt)
    model.train()
    return err / n


baseline = np.abs(cost[va] - med).mean()
for epoch in range(epochs):
    model.train()
    for xn, xc, yt in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xn, xc), yt)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} train_huber {loss.item():.4f} val_MAE {val_mae():.1f}")

print(f"val MAE {val_mae():.1f} (predict-the-median baseline {baseline:.1f})")
