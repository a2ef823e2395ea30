"""Courier delivery-time (ETA) regression. Durations are heavy-tailed (restaurant delays,
lost couriers), so the model is trained with a Huber loss on robustly scaled minutes,
OneCycle warm-up then decay, routine gradient-norm clipping, and an EMA copy of the weights
(copy.deepcopy) that is used for evaluation. Reported metric: MAE in minutes.
"""
import copy
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
rng = np.random.default_rng(2024)

N, N_ZONES = 12000, 40
zone = rng.integers(0, N_ZONES, N)
zone_pace = rng.uniform(2.0, 4.5, N_ZONES)          # minutes per km
zone_prep = rng.uniform(6, 16, N_ZONES)             # kitchen prep minutes
hour = rng.integers(10, 24, N)
weekday = rng.integers(0, 7, N)
distance = rng.gamma(2.0, 1.4, N) + 0.3
rain = (rng.random(N) < 0.15).astype(float)
traffic = np.clip(rng.normal(1.0, 0.25, N) + 0.35 * np.exp(-((hour - 18.5) / 1.5) ** 2), 0.5, 2.5)
basket = rng.poisson(3, N) + 1

minutes = (zone_prep[zone] + 0.8 * basket + distance * zone_pace[zone] * traffic * (1 + 0.25 * rain)
           + 2.0 * (weekday >= 5))
delay = rng.pareto(2.2, N) * 6.0                    # heavy right tail
minutes = minutes + delay + rng.normal(0, 1.5, N)

num = np.column_stack([
    np.log(distance), rain, traffic, np.log(basket),
    np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
    (weekday >= 5).astype(float),
]).astype(np.float32)
idx = rng.permutation(N)
tr, va = idx[:10000], idx[10000:]
cont = [0, 2, 3]                                    # scale continuous columns only
mu, sd = num[tr][:, cont].mean(0), num[tr][:, cont].std(0)
num[:, cont] = (num[:, cont] - mu) / sd
med = float(np.median(minutes[tr]))
iqr = float(np.subtract(*np.percentile(minutes[tr], [75, 25])))
target = ((minutes - med) / iqr).astype(np.float32)


def loader(rows, shuffle):
    ds = TensorDataset(torch.from_numpy(num[rows]), torch.from_numpy(zone[rows]), torch.from_numpy(target[rows]))
    return DataLoader(ds, batch_size=128, shuffle=shuffle)


train_loader, val_loader = loader(tr, True), loader(va, False)


class ETAModel(nn.Module):
    def __init__(self, n_num, n_zones, emb=8, hidden=96):
        super().__init__()
        self.zone_emb = nn.Embedding(n_zones, emb)
        self.net = nn.Sequential(
            nn.Linear(n_num + emb, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x, z):
        return self.net(torch.cat([x, self.zone_emb(z)], dim=1)).squeeze(1)


model = ETAModel(num.shape[1], N_ZONES)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.995

EPOCHS = 12
criterion = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader), pct_start=0.2)


def mae_minutes(net):
    net.eval()
    abs_err, n = 0.0, 0
    with torch.no_grad():
        for x, z, y in val_loader:
            abs_err += (net(x, z) - y).abs().sum().item() * iqr
            n += len(y)
    return abs_err / n


for epoch in range(1, EPOCHS + 1):
    model.train()
    total, n = 0.0, 0
    for x, z, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x, z), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(EMA_DECAY).add_(pm, alpha=1 - EMA_DECAY)
        total += loss.item() * len(y)
        n += len(y)
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  train huber {total / n:.4f}  val MAE {mae_minutes(model):.2f} min"
              f"  EMA val MAE {mae_minutes(ema):.2f} min")

baseline = float(np.abs(minutes[va] - med).mean())
print(f"final EMA val MAE {mae_minutes(ema):.2f} min  (median predictor {baseline:.2f} min)")
