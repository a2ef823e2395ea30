"""Daily ablation at glacier mass-balance stakes (mm w.e.) from the nearest AWS record.

Melt is heavy-tailed (foehn and rain-on-ice days), so the targets are robust-scaled and
the net is trained with a Huber loss; an EMA copy of the weights is kept for evaluation and
exported with torch.save at the end.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)
rng = np.random.default_rng(17)

N = 6000
elev = rng.uniform(2400, 3400, N)                       # stake elevation, m
debris = rng.beta(0.6, 3.0, N)                          # debris-cover fraction
doy = rng.integers(150, 270, N)
t_aws = 6 + 6 * np.sin(np.pi * (doy - 150) / 120) + rng.normal(0, 3, N)
t_stake = t_aws - 0.0065 * (elev - 2600)
sw_in = np.clip(220 + 90 * np.sin(np.pi * (doy - 150) / 120) + rng.normal(0, 70, N), 20, None)
albedo = np.clip(0.75 - 0.0035 * (doy - 150) + 0.1 * (elev - 2900) / 500 + rng.normal(0, 0.05, N), 0.15, 0.9)
wind = rng.gamma(2.0, 2.0, N)
rh = rng.uniform(30, 100, N)
precip = rng.exponential(2.0, N) * (rng.random(N) < 0.35)
foehn = (wind > 9) & (rh < 45)

pdd = np.clip(t_stake, 0, None)
melt = (
    4.5 * pdd
    + 0.045 * sw_in * (1 - albedo) * (t_stake > -2)
    - 9.0 * debris * pdd / 6
    + 0.4 * precip * (t_stake > 1) * pdd / 3
)
melt = melt * (1 + 1.8 * foehn) + rng.standard_t(3, N) * 2.5
melt = np.clip(melt, 0, None)

X = np.column_stack([elev, debris, np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365),
                     t_aws, sw_in, albedo, wind, rh, np.log1p(precip)]).astype(np.float32)
perm = rng.permutation(N)
tr, va = perm[:4800], perm[4800:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
X = (X - x_mu) / x_sd
med = np.median(melt[tr])
iqr = np.subtract(*np.percentile(melt[tr], [75, 25]))
Y = ((melt - med) / iqr).astype(np.float32)
print(f"melt: median {med:.1f}  p99 {np.percentile(melt[tr], 99):.1f}  max {melt[tr].max():.1f} mm w.e.")

Xtr, Ytr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
Xva = torch.from_numpy(X[va])
melt_va = melt[va]

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.GELU(),
    nn.Linear(128, 128), nn.GELU(),
    nn.Linear(128, 64), nn.GELU(),
    nn.Linear(64, 1),
)
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema_decay = 0.995

epochs, bs = 40, 64
steps_per_epoch = math.ceil(len(Xtr) / bs)
total = epochs * steps_per_epoch
warmup = 2 * steps_per_epoch
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer,
    lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))),
)


def val_mae(net):
    net.eval()
    with torch.no_grad():
        pred = net(Xva).squeeze(1).numpy() * iqr + med
    return np.abs(np.clip(pred, 0, None) - melt_va).mean()


for epoch in range(epochs):
    model.train()
    perm_t = torch.randperm(len(Xtr))
    run = 0.0
    for i in range(0, len(perm_t), bs):
        b = perm_t[i:i + bs]
        loss = F.huber_loss(model(Xtr[b]).squeeze(1), Ytr[b], delta=1.0)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
        run += loss.item() * len(b)
    if epoch % 8 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d} huber {run / len(Xtr):.4f}  val_mae {val_mae(model):.2f}  "
              f"ema_val_mae {val_mae(ema):.2f}")

baseline = np.abs(melt_va - med).mean()
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "melt_ema.pt")
    torch.save(ema, path)
    exported = torch.load(path, weights_only=False)
final = val_mae(exported)
print(f"FINAL ema_val_mae {final:.3f} mm w.e. (median baseline {baseline:.3f})")
