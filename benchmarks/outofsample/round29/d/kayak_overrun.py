"""Kayak rentals on a lake outfitter: how many minutes late will a rental come back?

Booked duration, party, boat type, wind and water temperature at launch, and the
renter's history give a late-return estimate the desk uses to promise boats to
walk-ins. Overruns are heavy-tailed (a few groups come back hours late), so the
model is fit with a Huber loss on robustly scaled minutes and scored by MAE.
An EMA of the weights is kept, saved whole at the end and reloaded for scoring.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)


def rental_log(n):
    booked_h = rng.choice([1.0, 2.0, 3.0, 4.0, 8.0], n, p=[0.25, 0.35, 0.15, 0.15, 0.10])
    party = rng.poisson(1.4, n) + 1
    tandem = (rng.random(n) < 0.35).astype(float)
    sup = (rng.random(n) < 0.2).astype(float) * (1 - tandem)     # stand-up paddleboard
    wind = rng.gamma(2.0, 2.2, n)                                # m/s at launch
    water_c = rng.normal(19.0, 3.0, n)
    prior_late = rng.poisson(0.6, n)                             # late returns on file
    start_h = rng.uniform(8.0, 17.0, n)
    base = (6.0 * booked_h ** 0.7 + 4.0 * (party - 1) + 7.0 * tandem - 3.0 * sup
            + 2.5 * np.clip(wind - 4, 0, None) ** 1.3 + 5.0 * prior_late
            - 1.5 * (water_c - 19.0) + 8.0 * (start_h > 15.5))
    noise = rng.standard_t(2.5, n) * 6.0
    stragglers = (rng.random(n) < 0.04) * rng.exponential(90.0, n)
    overrun = np.clip(base + noise + stragglers, -20, None)
    X = np.column_stack([np.log(booked_h), party, wind, water_c, prior_late, start_h, tandem, sup])
    return X.astype(np.float32), overrun.astype(np.float32)


class OverrunNet(nn.Module):
    def __init__(self, n_cont, n_bin):
        super().__init__()
        self.n_cont = n_cont
        self.body = nn.Sequential(
            nn.Linear(n_cont + n_bin, 96), nn.GELU(),
            nn.Linear(96, 96), nn.GELU(),
            nn.Linear(96, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


X, y = rental_log(3000)
X_tr, X_va, y_tr, y_va = X[:2400], X[2400:], y[:2400], y[2400:]
N_CONT = 6                                  # last two columns are 0/1 boat-type flags, left as is
mu, sd = X_tr[:, :N_CONT].mean(0), X_tr[:, :N_CONT].std(0)
X_tr[:, :N_CONT] = (X_tr[:, :N_CONT] - mu) / sd
X_va[:, :N_CONT] = (X_va[:, :N_CONT] - mu) / sd
med = float(np.median(y_tr))
iqr = float(np.subtract(*np.percentile(y_tr, [75, 25])))

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(((y_tr - med) / iqr).astype(np.float32))),
                          batch_size=64, shuffle=True)

model = OverrunNet(N_CONT, X.shape[1] - N_CONT)
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 30
total = epochs * len(train_loader)
warmup = 60
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
criterion = nn.HuberLoss(delta=1.0)


@torch.no_grad()
def ema_update(decay=0.99):
    for e, p in zip(ema.parameters(), model.parameters()):
        e.mul_(decay).add_(p.detach(), alpha=1 - decay)


def val_mae(net):
    net.eval()
    with torch.no_grad():
        pred = net(torch.from_numpy(X_va)).numpy() * iqr + med
    return float(np.abs(pred - y_va).mean())


for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        scheduler.step()
        ema_update()
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1}: val MAE raw {val_mae(model):.2f} min, ema {val_mae(ema):.2f} min")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "overrun_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)

print(f"median-only baseline MAE {np.abs(med - y_va).mean():.2f} min")
print(f"served model val MAE {val_mae(served):.2f} min")
