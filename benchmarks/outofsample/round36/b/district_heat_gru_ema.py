"""Next-hour heat demand at district-heating substations from the past three days.

A GRU reads 72 hourly readings (outdoor temperature, supply/return temperatures, flow,
the demand itself, hour-of-day) and predicts the next hour's heat demand. Demand has
heavy upper tails (hot-water draw peaks, meter resets), so training uses Huber loss on
targets scaled by their median and IQR, held out by whole substations. An exponential moving average of the weights is evaluated and
saved whole for the dispatch service, which loads it with torch.load.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

T, H = 72, 1


def substation_series(n_hours):
    t = np.arange(n_hours)
    outdoor = 2 + 6 * np.sin(2 * np.pi * t / (24 * 30)) + 4 * np.sin(2 * np.pi * (t - 14) / 24) + rng.normal(0, 1.2, n_hours).cumsum() * 0.05
    size = rng.uniform(0.6, 1.6)
    occupancy = (np.sin(2 * np.pi * (t - 7) / 24) > -0.2).astype(float)
    base = size * (np.clip(17 - outdoor, 0, None) * 9 + 25 * occupancy)
    spikes = rng.pareto(2.2, n_hours) * 18 * (rng.random(n_hours) < 0.06)
    demand = base + spikes + rng.normal(0, 4, n_hours)
    supply = 70 + 0.8 * np.clip(10 - outdoor, 0, None) + rng.normal(0, 0.8, n_hours)
    ret = supply - demand / (8 + 6 * size) + rng.normal(0, 0.6, n_hours)
    flow = demand / np.clip(supply - ret, 3, None)
    hour = t % 24
    return np.stack([outdoor, supply, ret, flow, demand,
                     np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)], 1), demand


windows, targets = [], []
station = []
for s in range(20):
    feats, demand = substation_series(24 * 20)
    for start in range(0, len(demand) - T - H, 4):
        windows.append(feats[start:start + T])
        targets.append(demand[start + T + H - 1])
        station.append(s)
windows = np.asarray(windows, np.float32)
targets = np.asarray(targets, np.float32)
station = np.asarray(station)
val_stations = rng.choice(20, 4, replace=False)
is_val = np.isin(station, val_stations)
va_idx, tr_idx = np.flatnonzero(is_val), np.flatnonzero(~is_val)

f_mu = windows[tr_idx].reshape(-1, windows.shape[2]).mean(0)
f_sd = windows[tr_idx].reshape(-1, windows.shape[2]).std(0)
windows = (windows - f_mu) / f_sd
t_med = np.median(targets[tr_idx])
t_iqr = np.subtract(*np.percentile(targets[tr_idx], [75, 25]))
z = ((targets - t_med) / t_iqr).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(windows[tr_idx]), torch.from_numpy(z[tr_idx])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(windows[va_idx]), torch.from_numpy(z[va_idx])),
                        batch_size=256)


class DemandGRU(nn.Module):
    def __init__(self, d_in, hidden=32):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


model = DemandGRU(windows.shape[2])
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
criterion = nn.HuberLoss(delta=0.1)
EMA_DECAY = 0.95


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(EMA_DECAY).add_(pm, alpha=1 - EMA_DECAY)


@torch.no_grad()
def evaluate(net):
    net.eval()
    abs_err, huber, count = 0.0, 0.0, 0
    for xb, zb in val_loader:
        pz = net(xb)
        huber += nn.functional.huber_loss(pz, zb, delta=0.1, reduction="sum").item()
        abs_err += ((pz - zb).abs() * t_iqr).sum().item()
        count += len(zb)
    return huber / count, abs_err / count


for epoch in range(1, 13):
    model.train()
    for xb, zb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), zb)
        loss.backward()
        optimizer.step()
        update_ema()
    val_huber, val_mae = evaluate(ema)
    print(f"epoch {epoch}: train huber {loss.item():.4f}  val huber (EMA) {val_huber:.4f}  val MAE {val_mae:.2f} kW")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "demand_gru_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)
_, served_mae = evaluate(served)
persistence_mae = np.abs(targets[va_idx] - (windows[va_idx, -1, 4] * f_sd[4] + f_mu[4])).mean()
print(f"final: EMA model val MAE {served_mae:.2f} kW (persistence baseline {persistence_mae:.2f} kW)")
