"""Vaccine cold chain: flag shipments whose vials probably lost potency.

One row per insulated shipper, summarised from its USB temperature logger and
the courier scan events.  Loggers sometimes drop out mid-trip, so a few of the
logger-derived fields are missing for some shipments.  Target: the lab found a
potency excursion on the sampled vials (1) or not (0).

MLP, AdamW, an EMA copy of the weights for evaluation; the EMA model is saved.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

N = 6000
transit_h = rng.gamma(6.0, 6.0, N)                               # hours
ambient = rng.normal(24.0, 7.0, N)                               # deg C at origin hub
ice_packs = rng.integers(2, 9, N).astype(float)
pack = rng.integers(0, 3, N)                                     # EPS box / PUR box / VIP box
insul = np.array([1.0, 1.6, 2.4])[pack]
door_opens = rng.poisson(2.0 + transit_h / 24.0)
stress = (ambient - 8.0) * transit_h / (insul * (ice_packs + 2.0) * 6.0)
mean_temp = 5.0 + 0.35 * stress + rng.normal(0, 0.6, N)
max_temp = mean_temp + rng.gamma(2.0, 0.8 + 0.25 * door_opens, N)
min_above_8 = np.clip(60.0 * (max_temp - 8.0) * rng.uniform(0.5, 1.5, N), 0, None)
min_below_2 = np.clip(60.0 * (2.0 - (mean_temp - rng.gamma(2.0, 1.0, N))), 0, None)
battery_v = rng.normal(3.0, 0.08, N)
logit = (0.9 * (max_temp - 9.0) + 0.012 * min_above_8 + 0.02 * min_below_2
         + 0.25 * (door_opens - 3) - 0.3 * (pack == 2) + rng.normal(0, 0.8, N) - 4.5)
y = (logit > 0).astype(np.float32)

X = np.column_stack([transit_h, ambient, ice_packs, door_opens, mean_temp, max_temp,
                     min_above_8, min_below_2, battery_v, np.eye(3)[pack]]).astype(np.float32)

# logger dropouts: logger-derived fields missing for ~7% of shipments
drop = rng.random(N) < 0.07
X[np.ix_(drop, [4, 5, 6, 7])] = np.nan
drop_batt = rng.random(N) < 0.03
X[drop_batt, 8] = np.nan

idx = rng.permutation(N)
tr, va = idx[:4500], idx[4500:]
mu = np.nanmean(X[tr], 0)
sd = np.nanstd(X[tr], 0)
sd[9:] = 1.0
mu[9:] = 0.0
X = (X - mu) / sd

train_ds = TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr]))
val_ds = TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va]))
train_loader = DataLoader(train_ds, batch_size=128, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=512)

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.ReLU(),
    nn.Linear(64, 32), nn.ReLU(),
    nn.Linear(32, 1),
)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)


@torch.no_grad()
def update_ema(decay=0.98):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    net.eval()
    tp = fp = tn = fn = 0
    loss = 0.0
    for xb, yb in val_loader:
        out = net(xb).squeeze(1)
        loss += criterion(out, yb).item() * len(yb)
        pred = (out > 0).float()
        tp += ((pred == 1) & (yb == 1)).sum().item()
        tn += ((pred == 0) & (yb == 0)).sum().item()
        fp += ((pred == 1) & (yb == 0)).sum().item()
        fn += ((pred == 0) & (yb == 1)).sum().item()
    bal = 0.5 * (tp / max(tp + fn, 1) + tn / max(tn + fp, 1))
    return loss / len(val_ds), (tp + tn) / len(val_ds), bal


for epoch in range(1, 21):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        update_ema()
        running += loss.item() * len(yb)
    if epoch % 5 == 0:
        vl, acc, bal = evaluate(ema)
        print(f"epoch {epoch:2d}  train_loss {running / len(train_ds):.4f}  "
              f"ema_val_loss {vl:.4f}  acc {acc:.4f}  bal_acc {bal:.4f}")

out_path = os.path.join(tempfile.gettempdir(), "cold_chain_ema.pt")
torch.save(ema, out_path)
print(f"final val balanced_acc {bal:.4f} (acc {acc:.4f}, positives {y[va].mean():.3f})")
