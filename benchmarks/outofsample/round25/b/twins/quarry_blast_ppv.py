"""Peak particle velocity at the nearest dwelling after a quarry blast.

Blast logs (charge per delay, distance to the geophone, burden/spacing, stemming, delay interval,
rock class, hole depth, water in holes) against the PPV the geophone recorded. PPV is modelled in
log space and standardised; the shot-firer uses the prediction to cap the charge per delay.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn

torch.manual_seed(5)
rng = np.random.default_rng(5)

N = 3000
charge = rng.lognormal(np.log(60), 0.5, N)            # kg per delay
dist = rng.uniform(150, 900, N)                          # m
burden = rng.uniform(2.5, 4.5, N)
spacing = burden * rng.uniform(1.1, 1.4, N)
stemming = rng.uniform(2.0, 4.0, N)
delay_ms = np.round(rng.uniform(15, 65, N), 1)            # electronic detonators, ms between holes
depth = rng.uniform(8, 20, N)
wet = rng.random(N) < 0.3
rock = rng.integers(0, 3, N)                             # limestone, dolerite, sandstone
k_site = np.array([1150.0, 1600.0, 900.0])[rock]
beta = np.array([1.55, 1.45, 1.65])[rock]
sd_ = dist / np.sqrt(charge)                             # square-root scaled distance
ppv = (k_site * sd_ ** (-beta) * np.exp(-0.06 * (stemming - 3) + 0.12 * wet
       - 0.004 * (delay_ms - 25) + 0.02 * (depth - 14))
       * rng.lognormal(0, 0.25, N))                      # mm/s

feats = np.column_stack([np.log(charge), np.log(dist), np.log(sd_), burden, spacing, stemming,
                         delay_ms, depth, wet, np.eye(3)[rock]]).astype(np.float32)
target = np.log(ppv).astype(np.float32)

perm = rng.permutation(N)
tr, va = perm[:2400], perm[2400:]
f_mu, f_sd = feats[tr, :8].mean(0), feats[tr, :8].std(0)
feats[:, :8] = (feats[:, :8] - f_mu) / f_sd
t_mu, t_sd = target[tr].mean(), target[tr].std()
y = (target - t_mu) / t_sd

X_tr, y_tr = torch.from_numpy(feats[tr]), torch.from_numpy(y[tr]).unsqueeze(1)
X_va, y_va = torch.from_numpy(feats[va]), torch.from_numpy(y[va]).unsqueeze(1)


def mlp(sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


model = mlp([feats.shape[1], 64, 64, 1])
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
ema_decay = 0.99

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
loss_fn = nn.MSELoss()
batch_size, epochs = 32, 12

for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(X_tr))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X_tr[idx]), y_tr[idx])
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
    ema.eval()
    with torch.no_grad():
        pred = ema(X_va)
        val_mse = loss_fn(pred, y_va).item()
    if (epoch + 1) % 3 == 0:
        print(f"epoch {epoch + 1} train_mse {loss.item():.4f} val_mse(ema) {val_mse:.4f}")

with torch.no_grad():
    pred_log = ema(X_va).squeeze(1).numpy() * t_sd + t_mu
true_log = target[va]
r2 = 1 - ((pred_log - true_log) ** 2).sum() / ((true_log - true_log.mean()) ** 2).sum()
ratio_err = np.median(np.abs(np.exp(pred_log - true_log) - 1))
torch.save(ema, os.path.join(tempfile.gettempdir(), "ppv_ema_model.pt"))
print(f"final val_R2(log PPV)={r2:.4f} median_rel_err={ratio_err:.3f}")
