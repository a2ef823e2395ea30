"""Insurance claim severity (heavy-tailed amounts) with a Huber loss, OneCycle schedule and an EMA copy.

Claim amounts are log-transformed, and even the log amount has Student-t (df 2) tails:
the model regresses the robustly scaled log amount (median/IQR) under Huber loss so a few
extreme claims do not dominate. The EMA
weights are evaluated and the best EMA model is saved with torch.save(model).
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)
rng = np.random.default_rng(2)

n = 8000
age = rng.uniform(18, 80, n)
vehicle_value = rng.lognormal(9.6, 0.5, n)
region = rng.integers(0, 6, n)
prior_claims = rng.poisson(0.4, n)
bonus_malus = rng.uniform(0.5, 2.0, n)
region_effect = np.array([0.0, 0.15, -0.1, 0.3, 0.05, -0.2])[region]
mu = (7.0 + 0.35 * np.log(vehicle_value / 15000) + 0.012 * np.abs(age - 45) + region_effect
      + 0.25 * prior_claims + 0.3 * np.log(bonus_malus))
noise = rng.standard_t(df=2.0, size=n) * 0.2
amount = np.exp(mu + noise)

X = np.column_stack([
    (age - 45) / 15,
    np.log(vehicle_value / 15000),
    prior_claims,
    np.log(bonus_malus),
    np.eye(6)[region],
]).astype(np.float32)
n_tr, n_va = 6000, 1000
log_amount = np.log(amount)
med = np.median(log_amount[:n_tr])
iqr = np.subtract(*np.percentile(log_amount[:n_tr], [75, 25]))
t = ((log_amount - med) / iqr).astype(np.float32)
print(f"amount median {np.exp(med):.0f}, 99.9th pct {np.percentile(amount, 99.9):.0f}, share above 100x median {(amount > 100 * np.exp(med)).mean():.4f}")

X_t, t_t = torch.from_numpy(X), torch.from_numpy(t)
train_loader = DataLoader(TensorDataset(X_t[:n_tr], t_t[:n_tr]), batch_size=128, shuffle=True)
X_va, t_va = X_t[n_tr:n_tr + n_va], t_t[n_tr:n_tr + n_va]
X_te, t_te = X_t[n_tr + n_va:], t_t[n_tr + n_va:]

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
ema = copy.deepcopy(model).requires_grad_(False)
decay = 0.98

epochs = 20
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs,
                                                steps_per_epoch=len(train_loader))
criterion = nn.HuberLoss(delta=1.0)

best, ckpt = float("inf"), os.path.join(tempfile.mkdtemp(), "claims_ema.pt")
for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.lerp_(p, 1 - decay)
    ema.eval()
    with torch.no_grad():
        val_mae = (ema(X_va).squeeze(1) - t_va).abs().mean().item() * iqr
    if val_mae < best:
        best = val_mae
        torch.save(ema, ckpt)
    if epoch % 4 == 3:
        print(f"epoch {epoch + 1:2d} val MAE log-amount (EMA) {val_mae:.4f}")

final = torch.load(ckpt, weights_only=False)
final.eval()
with torch.no_grad():
    pred = final(X_te).squeeze(1)
mae = (pred - t_te).abs().mean().item() * iqr
baseline = (torch.median(t_t[:n_tr]) - t_te).abs().mean().item() * iqr
print(f"final test MAE log-amount {mae:.4f} (median-predictor baseline {baseline:.4f}), best val MAE {best:.4f}")
