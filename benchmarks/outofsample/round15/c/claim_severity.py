"""Motor-insurance claim severity: predict the settled amount of a claim at first notice of loss.

Amounts are heavy-tailed (a few claims cost 50x the median), so the model fits log1p(amount)
with a Huber loss; weights are averaged with an EMA copy, which is what gets saved and scored.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)

VEHICLE = ["hatch", "sedan", "suv", "van", "motorcycle", "truck"]
INJURY = ["none", "minor", "moderate", "severe"]


def claims(n):
    veh = rng.integers(0, len(VEHICLE), n)
    inj = rng.choice(4, n, p=[0.62, 0.25, 0.1, 0.03])
    age = rng.uniform(18, 80, n)
    veh_value = np.exp(rng.normal(9.8, 0.5, n) + 0.3 * (veh == 2) + 0.5 * (veh == 5))
    speed = rng.gamma(3, 12, n)
    n_parties = 1 + rng.poisson(0.6, n)
    days_to_report = rng.exponential(4, n)
    log_amt = (6.2 + 0.5 * np.log(veh_value / 2e4) + 0.018 * speed + 0.25 * n_parties
               + np.array([0, 0.9, 2.0, 3.2])[inj] + 0.25 * (veh == 4) + 0.03 * days_to_report
               + 0.004 * np.abs(age - 45) + rng.standard_t(3, n) * 0.45)
    X = np.column_stack([np.eye(len(VEHICLE))[veh], np.eye(4)[inj],
                         (age - 45) / 15, np.log(veh_value) - 9.8, (speed - 36) / 20,
                         n_parties - 1.6, np.log1p(days_to_report) - 1.3]).astype(np.float32)
    return X, np.expm1(log_amt).astype(np.float32)


X_tr, amt_tr = claims(12000)
X_va, amt_va = claims(3000)
z_tr = np.log1p(amt_tr)
t_mu, t_sd = z_tr.mean(), z_tr.std()
y_tr = ((z_tr - t_mu) / t_sd).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=128, shuffle=True)

model = nn.Sequential(nn.Linear(X_tr.shape[1], 128), nn.GELU(), nn.Linear(128, 128), nn.GELU(),
                      nn.Linear(128, 1))
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

EPOCHS, WARMUP = 10, 200
total_steps = EPOCHS * len(train_loader)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / WARMUP if s < WARMUP
    else 0.5 * (1 + math.cos(math.pi * (s - WARMUP) / (total_steps - WARMUP))))
criterion = nn.HuberLoss(delta=1.0)


@torch.no_grad()
def ema_update(decay=0.995):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


@torch.no_grad()
def score(net):
    pred_log = net(torch.from_numpy(X_va)).squeeze(1).numpy() * t_sd + t_mu
    true_log = np.log1p(amt_va)
    r2 = 1 - ((pred_log - true_log) ** 2).sum() / ((true_log - true_log.mean()) ** 2).sum()
    median_ape = np.median(np.abs(np.expm1(pred_log) - amt_va) / amt_va)
    return r2, median_ape


for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        loss = criterion(model(xb).squeeze(1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        ema_update()
        running += loss.item()
    r2, mape = score(ema)
    print(f"epoch {epoch + 1:2d}  huber {running / len(train_loader):.4f}  "
          f"EMA val R2(log) {r2:.4f}  median APE {mape:.3f}")

path = os.path.join(tempfile.mkdtemp(), "claim_severity_ema.pt")
torch.save(ema, path)
served = torch.load(path, weights_only=False)
r2, mape = score(served)
print(f"final served-model val R2(log) {r2:.4f}  median abs pct error {mape:.3f}")
