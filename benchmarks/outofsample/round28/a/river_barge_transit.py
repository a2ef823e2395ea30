"""River barge voyages: predict transit hours for a leg from tow configuration, water level,
current and the number of locks. Waiting at locks makes the target heavy-tailed, so the model
is trained with a Huber loss; warm-up + cosine schedule, EMA of the weights for scoring."""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
np.random.seed(21)


def voyages(n):
    dist = np.random.uniform(20, 180, n)                  # km
    barges = np.random.randint(1, 7, n)
    loaded = np.random.rand(n) < 0.6
    upstream = np.random.rand(n) < 0.5
    level = np.random.normal(0, 1, n)                     # gauge anomaly
    current = np.clip(1.2 + 0.5 * level + np.random.normal(0, 0.2, n), 0.2, None)   # km/h
    locks = np.random.poisson(dist / 40)
    night = np.random.rand(n) < 0.3
    speed = 13.0 - 0.6 * barges - 1.5 * loaded + np.where(upstream, -current, current) - 1.0 * night
    hours = dist / np.clip(speed, 3, None) + 0.6 * locks
    # lock queues: occasional long waits, heavier when the water is low
    waits = np.random.pareto(2.2, n) * 1.5 * (locks > 0) * (1 + 0.5 * (level < -1))
    hours = hours + waits + np.random.normal(0, 0.3, n)
    X = np.stack([dist / 100, barges / 6, loaded, upstream, level, current, locks / 4, night], 1)
    return X.astype(np.float32), hours.astype(np.float32)


X, y = voyages(5000)
Xtr, ytr, Xva, yva = X[:4000], y[:4000], X[4000:], y[4000:]
y_med = float(np.median(ytr))
y_iqr = float(np.subtract(*np.percentile(ytr, [75, 25])))
train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(((ytr - y_med) / y_iqr).astype(np.float32))),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=500)

model = nn.Sequential(nn.Linear(8, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 14
steps = epochs * len(train_loader)
warmup = 60
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))))
criterion = nn.HuberLoss(delta=1.0)


def evaluate(net):
    net.eval()
    abs_err, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = net(xb).squeeze(-1) * y_iqr + y_med
            abs_err += torch.abs(pred - yb).sum().item()
            n += len(yb)
    return abs_err / n


for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(-1), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(0.99).add_(pm, alpha=0.01)
    print(f"epoch {epoch + 1:2d}  loss {loss.item():.4f}  val MAE {evaluate(model):.3f} h  EMA val MAE {evaluate(ema):.3f} h")

path = os.path.join(tempfile.gettempdir(), "barge_transit_ema.pt")
torch.save(ema, path)
scorer = torch.load(path, weights_only=False)
baseline = np.abs(yva - np.median(ytr)).mean()
print(f"final EMA val MAE {evaluate(scorer):.3f} h  (median baseline {baseline:.3f} h)")
