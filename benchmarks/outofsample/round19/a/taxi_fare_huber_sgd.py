"""Metered taxi fare prediction (USD) from trip features, trained with a hand-written SGD loop.

Fares are heavy-tailed (airport flat rates, tolls, stuck-in-traffic trips), so the network
regresses the standardised fare under a Huber loss; evaluation reports MAE in dollars.
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(8)
rng = np.random.default_rng(8)


def sample_trips(n):
    dist = rng.lognormal(0.8, 0.75, n)                      # miles
    hour = rng.integers(0, 24, n)
    rush = ((hour >= 7) & (hour <= 9)) | ((hour >= 16) & (hour <= 19))
    speed = np.clip(rng.normal(np.where(rush, 9.0, 14.0), 3.0), 3, 30)
    minutes = 60 * dist / speed + rng.gamma(2.0, 1.5, n)
    airport = rng.random(n) < 0.07
    passengers = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5], n)
    night = (hour >= 20) | (hour <= 5)
    fare = 3.0 + 2.5 * dist + 0.5 * minutes + 1.0 * night + 2.5 * rush
    fare = np.where(airport, 52.0 + 4.5 * (rush | night) + 0.2 * minutes, fare)
    tolls = (rng.random(n) < 0.06) * rng.choice([6.55, 13.1, 16.0], n)
    fare = fare + tolls + rng.standard_t(3, n) * 1.2
    X = np.stack([np.log1p(dist), np.log1p(minutes), np.sin(2 * math.pi * hour / 24),
                  np.cos(2 * math.pi * hour / 24), airport.astype(float), (passengers - 1.5) / 1.2], 1)
    return X.astype(np.float32), fare.astype(np.float32)


X, fare = sample_trips(12000)
Xtr, Xva = torch.from_numpy(X[:10000]), torch.from_numpy(X[10000:])
ftr, fva = fare[:10000], fare[10000:]
feat_mu, feat_sd = Xtr[:, :2].mean(0), Xtr[:, :2].std(0)
Xtr[:, :2] = (Xtr[:, :2] - feat_mu) / feat_sd
Xva[:, :2] = (Xva[:, :2] - feat_mu) / feat_sd
y_loc, y_scale = float(np.median(ftr)), float(np.subtract(*np.percentile(ftr, [75, 25])))
ytr = torch.from_numpy((ftr - y_loc) / y_scale)

model = nn.Sequential(nn.Linear(6, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
criterion = nn.HuberLoss(delta=1.0)
lr, batch_size, epochs = 0.05, 64, 25


def evaluate():
    model.eval()
    abs_err, sq_err = 0.0, 0.0
    with torch.no_grad():
        for i in range(0, len(Xva), 500):
            pred = model(Xva[i:i + 500]).squeeze(1) * y_scale + y_loc
            target = torch.from_numpy(fva[i:i + 500])
            abs_err += torch.sum(torch.abs(pred - target)).item()
            sq_err += torch.sum((pred - target) ** 2).item()
    model.train()
    return abs_err / len(Xva), math.sqrt(sq_err / len(Xva))


for epoch in range(epochs):
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(Xtr), batch_size):
        idx = perm[i:i + batch_size]
        loss = criterion(model(Xtr[idx]).squeeze(1), ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    if epoch == 14:
        lr *= 0.3
    if epoch % 5 == 4:
        mae, rmse = evaluate()
        print(f"epoch {epoch + 1:2d}  train huber {running / len(Xtr):.4f}  val MAE ${mae:.2f}  RMSE ${rmse:.2f}")

mae, rmse = evaluate()
naive = np.abs(fva - np.median(ftr)).mean()
print(f"final val MAE ${mae:.2f} (median-fare baseline ${naive:.2f})  RMSE ${rmse:.2f}")
