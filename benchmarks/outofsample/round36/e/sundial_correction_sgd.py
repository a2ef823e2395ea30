"""Sundial restoration: minutes to add to a dial reading to get zone clock time.

Surveyed dials: latitude, wall declination, longitude offset from the zone meridian, date,
hour angle of the reading, gnomon tilt error. The correction combines the equation of time,
the longitude term and the dial's own construction error. Small MLP, hand-written SGD with a
hand-written cosine LR, weight decay on weights only. Test error summed over the set, then
divided by its size.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)


def survey(n):
    lat = rng.uniform(35, 60, n)
    decl = rng.normal(0, 20, n)              # wall declination, degrees east(+)/west(-)
    lon_off = rng.uniform(-7.5, 7.5, n)      # degrees from the zone meridian
    day = rng.integers(1, 366, n)
    hour = rng.uniform(-4.5, 4.5, n)         # hours from local noon
    tilt = rng.normal(0, 1.2, n)             # gnomon tilt error, degrees
    B = np.radians(360 * (day - 81) / 365)
    eot = 9.87 * np.sin(2 * B) - 7.53 * np.cos(B) - 1.5 * np.sin(B)
    ha = np.radians(15 * hour)
    construction = 4 * tilt * np.sin(ha + np.radians(decl)) / np.sin(np.radians(lat)) \
        + 0.05 * decl * np.cos(ha)
    corr = -eot + 4 * lon_off + construction + rng.normal(0, 3.0, n)
    X = np.column_stack([lat, decl, lon_off, np.sin(2 * np.pi * day / 365), np.cos(2 * np.pi * day / 365),
                         np.sin(4 * np.pi * day / 365), np.cos(4 * np.pi * day / 365), hour, tilt])
    return X.astype(np.float32), corr.astype(np.float32)


Xtr, ytr = survey(3000)
Xte, yte = survey(800)
mu, sd = Xtr.mean(0), Xtr.std(0)
ymu, ysd = ytr.mean(), ytr.std()
Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
ytr_n = (ytr - ymu) / ysd

Xtr_t, ytr_t = torch.from_numpy(Xtr), torch.from_numpy(ytr_n)
Xte_t, yte_t = torch.from_numpy(Xte), torch.from_numpy(yte)

model = nn.Sequential(nn.Linear(9, 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))

EPOCHS, BS, LR0, WD = 25, 64, 0.08, 1e-4
steps_per_epoch = math.ceil(len(Xtr_t) / BS)
total = EPOCHS * steps_per_epoch
step = 0


def evaluate():
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for i in range(0, len(Xte_t), 256):
            pred = model(Xte_t[i:i + 256]).squeeze(1) * ysd + ymu
            sse += F.mse_loss(pred, yte_t[i:i + 256], reduction="sum").item()
    model.train()
    return math.sqrt(sse / len(Xte_t))


for epoch in range(EPOCHS):
    perm = torch.randperm(len(Xtr_t))
    run = 0.0
    for i in range(0, len(perm), BS):
        idx = perm[i:i + BS]
        pred = model(Xtr_t[idx]).squeeze(1)
        loss = F.mse_loss(pred, ytr_t[idx])
        loss.backward()
        lr = 0.5 * LR0 * (1 + math.cos(math.pi * step / total))
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name.endswith("weight"):
                    p.grad += WD * p
                p -= lr * p.grad
                p.grad.zero_()
        step += 1
        run += loss.item() * len(idx)
    if epoch % 5 == 4 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1:2d} lr {lr:.4f} train mse (std units) {run / len(perm):.4f} "
              f"test rmse {evaluate():.2f} min")

rmse = evaluate()
r2 = 1 - rmse ** 2 / float(np.var(yte))
print(f"final test RMSE {rmse:.2f} min (target std {yte.std():.2f} min), R2 {r2:.3f}")
