"""Forecast tomorrow's sap run per tap (litres) at a sugar bush from the last four days of
hourly weather. Sap runs are bursty (a few big freeze-thaw days carry the season), so the
regression uses Huber loss on robust-scaled targets, a GRU over 96 hourly steps, OneCycle
per batch, routine gradient-norm clipping and an EMA copy of the weights for evaluation.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
rng = np.random.default_rng(2024)
HOURS = 96


def weather_and_sap(n):
    t = np.arange(HOURS)
    base = rng.normal(-2, 4, (n, 1)) + np.cumsum(rng.normal(0, 0.25, (n, HOURS)), 1)
    diurnal = rng.uniform(3, 9, (n, 1)) * np.sin(2 * np.pi * (t - 9) / 24)
    temp = base + diurnal + rng.normal(0, 0.6, (n, HOURS))
    press = np.cumsum(rng.normal(0, 0.4, (n, HOURS)), 1)
    snow = np.clip(rng.normal(30, 12, (n, 1)) - 0.05 * np.cumsum(np.maximum(temp, 0), 1), 0, None)
    sun = np.clip(np.sin(2 * np.pi * (t - 6) / 24), 0, None) * rng.uniform(0.2, 1.0, (n, HOURS))
    last2 = temp[:, -48:]
    crossings = ((last2[:, 1:] > 0) & (last2[:, :-1] <= 0)).sum(1)
    thaw = np.maximum(last2.max(1), 0)
    frost = np.maximum(-last2.min(1), 0)
    press_drop = np.maximum(press[:, -24] - press[:, -1], 0)
    drive = 0.9 * crossings * np.minimum(thaw, 8) * np.minimum(frost, 6) / 6 + 0.3 * press_drop
    drive = drive * (snow[:, -1] > 2)
    sap = drive * rng.lognormal(0, 0.6, n) + rng.exponential(0.2, n)
    x = np.stack([temp, press, snow, sun], -1).astype(np.float32)
    return x, sap.astype(np.float32)


x, sap = weather_and_sap(1000)
x_tr, x_va, s_tr, s_va = x[:800], x[800:], sap[:800], sap[800:]
mu, sd = x_tr.reshape(-1, 4).mean(0), x_tr.reshape(-1, 4).std(0)
x_tr, x_va = (x_tr - mu) / sd, (x_va - mu) / sd
med = float(np.median(s_tr))
iqr = float(np.subtract(*np.percentile(s_tr, [75, 25])))
t_tr, t_va = ((s_tr - med) / iqr).astype(np.float32), ((s_va - med) / iqr).astype(np.float32)
print(f"sap litres/tap: median {med:.2f}, p99 {np.percentile(s_tr, 99):.2f}, max {s_tr.max():.2f}")

train_loader = DataLoader(TensorDataset(torch.from_numpy(x_tr), torch.from_numpy(t_tr)), batch_size=32,
                          shuffle=True)
x_va_t, t_va_t = torch.from_numpy(x_va), torch.from_numpy(t_va)


class SapGRU(nn.Module):
    def __init__(self, d_in=4, hidden=32):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = SapGRU()
ema = copy.deepcopy(model).requires_grad_(False)
EPOCHS = 10
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, total_steps=EPOCHS * len(train_loader))
criterion = nn.HuberLoss(delta=1.0)


@torch.no_grad()
def update_ema(decay=0.95):
    for pe, p in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(p.detach(), alpha=1 - decay)


@torch.no_grad()
def mae_litres(net):
    net.eval()
    pred = net(x_va_t) * iqr + med
    net.train()
    return (pred - torch.from_numpy(s_va)).abs().mean().item()


clipped = steps = 0
for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        clipped += int(norm > 5.0)
        steps += 1
        optimizer.step()
        scheduler.step()
        update_ema()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d} last_loss {loss.item():.4f} val_mae {mae_litres(model):.3f} "
              f"ema_val_mae {mae_litres(ema):.3f} L/tap")

with tempfile.TemporaryDirectory() as d:
    torch.save(ema, os.path.join(d, "sap_gru_ema.pt"))
    restored = torch.load(os.path.join(d, "sap_gru_ema.pt"), weights_only=False)
baseline = np.abs(s_va - med).mean()
print(f"clipped {clipped}/{steps} steps")
print(f"final ema_val_mae={mae_litres(restored):.3f} L/tap (median-predictor mae {baseline:.3f})")
