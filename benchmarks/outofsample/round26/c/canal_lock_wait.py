"""Waiting time at a canal lock, predicted when a vessel reports in 30 minutes out.

Waits are heavy-tailed (most boats go through within 20 minutes; a stoppage or a queue of
barges means hours), so the regression uses a Huber loss on robust-scaled log-minutes.
An EMA copy of the weights is what gets evaluated and exported.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
np.random.seed(2024)

N = 6000
hour = np.random.randint(5, 22, N)
dow = np.random.randint(0, 7, N)
queue_up = np.random.poisson(1.5 + 1.5 * ((hour > 9) & (hour < 17)), N)
queue_down = np.random.poisson(1.2, N)
commercial = np.random.binomial(1, 0.3, N)
beam_m = np.where(commercial, np.random.normal(9.5, 1.0, N), np.random.normal(3.2, 0.8, N))
head_m = np.random.gamma(6, 0.5, N)                      # level difference across the gates
flow = np.random.lognormal(2.0, 0.5, N)
summer = np.isin(np.random.randint(1, 13, N), [6, 7, 8]).astype(float)
stoppage = np.random.binomial(1, 0.04 + 0.04 * (flow > 12), N)

cycle_min = 8 + 1.4 * head_m + 3 * commercial
log_wait = (np.log1p(0.6 * cycle_min * (queue_up + 0.5 * queue_down) + 2 * summer * (dow >= 5))
            + 0.25 * (beam_m > 8) * queue_up / 3 + 1.8 * stoppage + np.random.normal(0, 0.25, N))
wait_min = np.expm1(log_wait) + 1.0

dow_onehot = np.eye(7)[dow]
num = np.stack([np.sin(2 * math.pi * hour / 24), np.cos(2 * math.pi * hour / 24), queue_up,
                queue_down, beam_m, head_m, np.log(flow), summer, commercial, stoppage], 1)

idx = np.random.permutation(N)
tr, va = idx[:4800], idx[4800:]
mu, sd = num[tr].mean(0), num[tr].std(0)
cont = [2, 3, 4, 5, 6]                                   # scale the continuous columns only
num_s = num.copy()
num_s[:, cont] = (num[:, cont] - mu[cont]) / sd[cont]
X = np.concatenate([num_s, dow_onehot], 1).astype(np.float32)
t = np.log(wait_min)
med = np.median(t[tr])
iqr = np.subtract(*np.percentile(t[tr], [75, 25]))
y = ((t - med) / iqr).astype(np.float32)

train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=256)

model = nn.Sequential(nn.Linear(X.shape[1], 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
ema = copy.deepcopy(model).requires_grad_(False)
ema_decay = 0.995

epochs = 20
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * len(train_dl), pct_start=0.2)


def evaluate(net):
    net.eval()
    total, abs_err, n = 0.0, 0.0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            pred = net(xb).squeeze(1)
            total += F.huber_loss(pred, yb, delta=1.0, reduction="sum").item()
            minutes_pred = torch.exp(pred * iqr + med)
            minutes_true = torch.exp(yb * iqr + med)
            abs_err += (minutes_pred - minutes_true).abs().sum().item()
            n += len(yb)
    return total / n, abs_err / n


for epoch in range(epochs):
    model.train()
    for xb, yb in train_dl:
        loss = F.huber_loss(model(xb).squeeze(1), yb, delta=1.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
    if epoch % 4 == 3:
        vl, mae = evaluate(ema)
        print(f"epoch {epoch + 1:2d} train_huber {loss.item():.4f} val_huber(ema) {vl:.4f} val_MAE {mae:.2f} min")

vl, mae = evaluate(ema)
base = np.abs(np.median(wait_min[tr]) - wait_min[va]).mean()
out_dir = tempfile.mkdtemp(prefix="lockwait_")
torch.save(ema, os.path.join(out_dir, "lock_wait_ema.pt"))
print(f"final val_huber {vl:.4f} val_MAE {mae:.2f} min (median-only baseline {base:.2f} min)")
