"""Compressive strength of concrete mixes (MPa) from mix design + curing age.

Lab cylinder tests are noisy and a few percent of them are botched (capping
errors, voids), so the targets are heavy-tailed: we fit with a Huber loss on
standardised strength and keep the best checkpoint as a whole pickled module.
"""
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
np.random.seed(7)


def make_mixes(n, rng):
    cement = rng.uniform(150, 520, n)
    slag = rng.choice([0.0, 1.0], n, p=[0.45, 0.55]) * rng.uniform(20, 300, n)
    fly_ash = rng.choice([0.0, 1.0], n, p=[0.55, 0.45]) * rng.uniform(40, 200, n)
    water = rng.uniform(140, 230, n)
    superplast = np.clip(rng.gamma(1.5, 3.0, n), 0, 30)
    coarse = rng.uniform(800, 1150, n)
    fine = rng.uniform(600, 950, n)
    age = rng.choice([3, 7, 14, 28, 56, 90, 180, 365], n)
    binder = cement + 0.8 * slag + 0.5 * fly_ash
    wb = water / binder
    # Abrams' law with a maturity curve and a plasticiser bonus that saturates
    s28 = 96.0 / (8.5 ** wb) + 2.2 * np.log1p(superplast)
    maturity = np.log(age + 1.0) / np.log(29.0)
    slow_pozz = 1.0 + 0.12 * (fly_ash + slag) / binder * (np.log(age + 1) - np.log(29))
    strength = s28 * maturity ** 0.55 * slow_pozz - 0.004 * np.abs(coarse / fine - 1.35) * 100
    noise = 2.0 * rng.standard_t(df=2.5, size=n)
    strength = np.clip(strength + noise, 2.0, None)
    X = np.stack([cement, slag, fly_ash, water, superplast, coarse, fine, np.log(age)], 1)
    return X.astype(np.float32), strength.astype(np.float32)


rng = np.random.default_rng(7)
X, y = make_mixes(3000, rng)
idx = rng.permutation(len(X))
tr, va, te = idx[:2100], idx[2100:2550], idx[2550:]

x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()


def to_ds(ids):
    xs = torch.from_numpy((X[ids] - x_mu) / x_sd)
    ys = torch.from_numpy((y[ids] - y_mu) / y_sd).unsqueeze(1)
    return TensorDataset(xs, ys)


train_loader = DataLoader(to_ds(tr), batch_size=64, shuffle=True)
val_loader = DataLoader(to_ds(va), batch_size=256)
test_loader = DataLoader(to_ds(te), batch_size=256)


class MixNet(nn.Module):
    def __init__(self, d_in, width=96):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, width // 2), nn.SiLU(),
        )
        self.out = nn.Linear(width // 2, 1)

    def forward(self, x):
        return self.out(self.body(x))


model = MixNet(X.shape[1])
criterion = nn.HuberLoss(delta=1.0)
epochs = 40
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=3e-3, total_steps=epochs * len(train_loader), pct_start=0.25)


def evaluate(net, loader):
    net.eval()
    preds, targets = [], []
    with torch.no_grad():
        for xb, yb in loader:
            preds.append(net(xb))
            targets.append(yb)
    p = torch.cat(preds).squeeze(1) * y_sd + y_mu
    t = torch.cat(targets).squeeze(1) * y_sd + y_mu
    mae = (p - t).abs().mean().item()
    medae = (p - t).abs().median().item()
    return mae, medae


ckpt = os.path.join(tempfile.mkdtemp(), "mixnet_best.pt")
best = math.inf
for epoch in range(1, epochs + 1):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item() * xb.size(0)
    val_mae, val_medae = evaluate(model, val_loader)
    if val_mae < best:
        best = val_mae
        torch.save(model, ckpt)
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train huber {running / len(tr):.4f}  val MAE {val_mae:.2f} MPa  median AE {val_medae:.2f}")

best_model = torch.load(ckpt, weights_only=False)
test_mae, test_medae = evaluate(best_model, test_loader)
print(f"test MAE {test_mae:.2f} MPa  median AE {test_medae:.2f} MPa  (target sd {y[te].std():.1f} MPa)")
