"""Predict food-delivery time (minutes) from order features.

Delay tails are heavy (traffic, restaurant backlog), so the model is trained with a Huber loss on
median/IQR-scaled targets, with an exponential moving average of the weights used for evaluation.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)

N = 6000
dist_km = rng.gamma(2.0, 1.6, N)
n_items = rng.poisson(3, N) + 1
hour = rng.integers(10, 23, N)
weekend = rng.random(N) < 2 / 7
rain = rng.random(N) < 0.15
courier_exp = rng.exponential(1.5, N)
prep_load = rng.gamma(1.5, 1.0, N)           # open orders at the restaurant / 5

rush = np.exp(-0.5 * ((hour - 12.5) / 1.0) ** 2) + np.exp(-0.5 * ((hour - 19.5) / 1.2) ** 2)
minutes = (12 + 3.2 * dist_km * (1 + 0.35 * rush + 0.25 * rain) + 1.1 * n_items
           + 4.5 * prep_load - 2.0 * np.log1p(courier_exp) + 3 * weekend * rush)
minutes += rng.standard_t(2.5, N) * 3.0                                  # heavy-tailed delays
minutes += (rng.random(N) < 0.04) * rng.exponential(25, N)              # occasional long waits

hour_onehot = np.eye(13)[hour - 10]
X = np.column_stack([dist_km, n_items, courier_exp, prep_load, weekend, rain, hour_onehot]).astype(np.float32)
y = minutes.astype(np.float32)

tr, va = np.arange(0, 4800), np.arange(4800, N)
cont = slice(0, 4)                                       # scale the continuous columns only
mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
X[:, cont] = (X[:, cont] - mu) / sd
y_med = float(np.median(y[tr]))
y_iqr = float(np.subtract(*np.percentile(y[tr], [75, 25])))

Xt, yt = torch.from_numpy(X), torch.from_numpy(((y - y_med) / y_iqr).astype(np.float32))
train_loader = DataLoader(TensorDataset(Xt[tr], yt[tr]), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(Xt[va], yt[va]), batch_size=512)

model = nn.Sequential(nn.Linear(X.shape[1], 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
ema = copy.deepcopy(model).requires_grad_(False)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
EPOCHS = 30
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=EPOCHS * len(train_loader))


def evaluate(net):
    net.eval()
    abs_err, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = net(xb).squeeze(1) * y_iqr + y_med
            abs_err += F.l1_loss(pred, yb * y_iqr + y_med, reduction="sum").item()
            n += len(yb)
    return abs_err / n


for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        loss = F.huber_loss(model(xb).squeeze(1), yb, delta=1.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        opt.step()
        sched.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 0.02)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} huber {loss.item():.4f} val MAE model {evaluate(model):.2f} min, ema {evaluate(ema):.2f} min")

torch.save(ema, "/tmp/r15a_delivery_eta_ema.pt")
restored = torch.load("/tmp/r15a_delivery_eta_ema.pt", weights_only=False)
median_baseline = np.abs(y[va] - y_med).mean()
print(f"final val MAE {evaluate(restored):.2f} min (predict-median baseline {median_baseline:.2f} min)")
