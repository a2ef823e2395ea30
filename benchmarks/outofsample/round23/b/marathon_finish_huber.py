"""Live marathon finish-time prediction at the half-way mat (for the tracking app's ETA).

Inputs: 5k/10k/15k/half split times, age, sex, a personal-best flag and time, weekly training
volume and race-day temperature. The finish time is heavy-tailed: runners who hit the wall lose
10-60 minutes in the second half, so the regression uses a Huber loss on robustly scaled targets.
Updates are written by hand (plain minibatch SGD), with norm clipping as insurance against the
occasional extreme batch.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(4)
rng = np.random.default_rng(4)


def runners(n):
    ability = rng.normal(0, 1, n)                                    # latent fitness
    age = rng.integers(19, 72, n).astype(float)
    female = (rng.random(n) < 0.38).astype(float)
    volume = np.clip(45 + 15 * ability + rng.normal(0, 10, n), 10, 140)
    temp = rng.normal(14, 5, n)
    pace = 5.6 - 0.55 * ability + 0.35 * female + 0.012 * np.clip(age - 35, 0, None) + rng.normal(0, 0.15, n)
    go = rng.normal(1.0, 0.035, n)                                   # first-half pace vs sustainable pace
    k5 = 5 * pace * go * rng.normal(0.99, 0.01, n)
    k10 = k5 + 5 * pace * go * rng.normal(1.0, 0.01, n)
    k15 = k10 + 5 * pace * go * rng.normal(1.0, 0.01, n)
    half = k15 + 6.0975 * pace * go * rng.normal(1.005, 0.01, n)
    fade = (1.02 + 0.0009 * (temp - 10) ** 2 + 0.03 * (volume < 35) + 0.5 * np.clip(1 - go, 0, None)
            + rng.normal(0, 0.015, n))
    p_wall = 0.03 + 0.55 / (1 + np.exp(-(0.965 - go) / 0.01)) + 0.06 * (volume < 35)
    wall = rng.random(n) < p_wall
    finish = half + 21.0975 * pace * fade + wall * rng.gamma(2.0, 10.0, n)
    has_pb = rng.random(n) < 0.7
    pb = np.where(has_pb, 42.195 * pace * rng.normal(1.0, 0.015, n), 0.0)
    X = np.stack([k5, k10, k15, half, age, female, has_pb.astype(float), pb, volume, temp], 1)
    return X.astype(np.float32), finish.astype(np.float32)


X, t = runners(4000)
X_tr, t_tr, X_va, t_va = X[:3200], t[:3200], X[3200:], t[3200:]
cont = [0, 1, 2, 3, 4, 7, 8, 9]
mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
X_va[:, cont] = (X_va[:, cont] - mu) / sd
med = np.median(t_tr)
iqr = np.subtract(*np.percentile(t_tr, [75, 25]))
y_tr = ((t_tr - med) / iqr).astype(np.float32)

X_tr, y_tr, X_va = map(torch.from_numpy, (X_tr, y_tr, X_va))

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
params = [p for p in model.parameters()]
lr, epochs, bs = 0.2, 30, 64

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    total = 0.0
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        loss = F.huber_loss(model(X_tr[b]).squeeze(1), y_tr[b], delta=0.1)
        for p in params:
            p.grad = None
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        total += loss.item() * len(b)
    if epoch % 5 == 4 or epoch == epochs - 1:
        model.eval()
        with torch.no_grad():
            pred = model(X_va).squeeze(1).numpy() * iqr + med
        mae = np.abs(pred - t_va).mean()
        print(f"epoch {epoch + 1:2d}  train huber {total / len(perm):.4f}  val MAE {mae:.2f} min")

riegel = (X_va[:, 3].numpy() * sd[3] + mu[3]) * 2 ** 1.06
print(f"Riegel-formula baseline MAE {np.abs(riegel - t_va).mean():.2f} min")
print(f"final val MAE (min): {mae:.3f}")
