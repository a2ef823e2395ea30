"""Regional avalanche danger level (1-5) from snowpack and weather observations.

One row per forecast region and day: 72h new snow, wind speed and direction, air temperature trend,
height of snow, a weak-layer flag and depth from the last snow profile, the rutschblock score, solar
radiation and recent natural activity counts. The level is skewed (levels 4 and 5 are rare), so the
cross-entropy is class-weighted by inverse square-root frequency. An EMA copy of the weights is
kept and it is the EMA model that is evaluated and saved for the forecasters' dashboard.
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

N = 3600
new_snow = rng.gamma(1.2, 14.0, N)                      # cm in 72h
wind = rng.gamma(2.5, 6.0, N)                           # km/h
lee = rng.random(N) < 0.5                               # loading on the forecast aspects
temp_trend = rng.normal(0, 3, N)                        # degC per day
hs = rng.normal(160, 50, N).clip(20)                    # height of snow, cm
weak = rng.random(N) < 0.35                             # persistent weak layer present
weak_depth = np.where(weak, rng.uniform(20, 120, N), 0.0)
rb = np.where(weak, rng.integers(1, 7, N), rng.integers(4, 8, N)).astype(float)   # rutschblock score
solar = rng.uniform(0, 1, N)
naturals = rng.poisson(0.3 + 0.04 * new_snow)

hazard = (0.045 * new_snow + 0.03 * wind * lee + 0.9 * weak * (weak_depth < 80) + 0.45 * (6 - rb)
          + 0.25 * np.clip(temp_trend, 0, None) * solar + 0.35 * np.log1p(naturals) - 0.004 * (hs - 160)
          + rng.normal(0, 0.45, N))
level = np.digitize(hazard, [1.3, 2.4, 3.7, 5.1])        # 0..4 for danger levels 1..5

X = np.stack([new_snow, wind, lee, temp_trend, hs, weak, weak_depth, rb, solar, naturals], 1).astype(np.float32)
y = level.astype(np.int64)
cont = [0, 1, 3, 4, 6, 7, 8, 9]                          # binary flags stay 0/1
idx = rng.permutation(N)
tr, va = idx[:2900], idx[2900:]
mu, sd = X[tr][:, cont].mean(0), X[tr][:, cont].std(0)
X[:, cont] = (X[:, cont] - mu) / sd

counts = np.bincount(y[tr], minlength=5)
print("training level counts:", counts.tolist())
class_w = torch.tensor((counts.sum() / np.maximum(counts, 1)) ** 0.5, dtype=torch.float32)
class_w = class_w / class_w.mean()

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=256)

model = nn.Sequential(
    nn.Linear(X.shape[1], 96), nn.SiLU(),
    nn.Linear(96, 96), nn.SiLU(),
    nn.Linear(96, 5),
)
ema = copy.deepcopy(model).requires_grad_(False)
ema_decay = 0.99

epochs = 15
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))
criterion = nn.CrossEntropyLoss(weight=class_w)


@torch.no_grad()
def evaluate(net):
    net.eval()
    total, correct, within_one, n = 0.0, 0, 0, 0
    per_class_hit, per_class_n = np.zeros(5), np.zeros(5)
    for xb, yb in val_loader:
        logits = net(xb)
        total += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
        pred = logits.argmax(1)
        correct += (pred == yb).sum().item()
        within_one += ((pred - yb).abs() <= 1).sum().item()
        n += len(yb)
        for c in range(5):
            per_class_hit[c] += ((pred == c) & (yb == c)).sum().item()
            per_class_n[c] += (yb == c).sum().item()
    bal = np.mean(per_class_hit[per_class_n > 0] / per_class_n[per_class_n > 0])
    return total / n, correct / n, within_one / n, bal


for epoch in range(epochs):
    model.train()
    run_loss = 0.0
    for xb, yb in train_loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
        run_loss += loss.item()
    if epoch % 5 == 4:
        vl, acc, w1, bal = evaluate(ema)
        print(f"epoch {epoch + 1:2d}  train loss {run_loss / len(train_loader):.4f}  ema val loss {vl:.4f}  "
              f"acc {acc:.3f}  within-one {w1:.3f}  balanced acc {bal:.3f}")

path = os.path.join(tempfile.mkdtemp(prefix="avalanche_"), "danger_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
vl, acc, w1, bal = evaluate(restored)
print(f"final EMA model (reloaded): val loss {vl:.4f}  accuracy {acc:.4f}  balanced accuracy {bal:.4f}")
