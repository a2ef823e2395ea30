"""Next-day reservoir inflow for a hydro dam from 90 days of catchment weather.

A GRU reads 90 daily steps (precipitation, air temperature, radiation proxy, upstream gauge
lagged one day); the last step carries tomorrow's weather forecast, and the model predicts
tomorrow's log inflow. Years are split in time (the last seasons validate),
the best epoch is kept on disk with torch.save(model) and training stops early.
"""
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
np.random.seed(21)
torch.set_num_threads(1)

rng = np.random.default_rng(21)
days = 365 * 16
doy = np.arange(days) % 365
temp = 6 - 11 * np.cos(2 * np.pi * doy / 365) + rng.normal(0, 3, days)
wet = rng.random(days) < (0.35 + 0.15 * np.cos(2 * np.pi * (doy - 300) / 365))
precip = wet * rng.gamma(0.9, 9.0, days)
radiation = 0.5 + 0.45 * np.sin(2 * np.pi * (doy - 80) / 365) + rng.normal(0, 0.08, days)

snow, soil, gw = 0.0, 40.0, 200.0
inflow = np.empty(days)
upstream = np.empty(days)
for d in range(days):
    rain = precip[d] if temp[d] > 0.5 else 0.0
    snow += precip[d] - rain
    melt = min(snow, max(0.0, 2.6 * (temp[d] - 0.5) * (0.6 + radiation[d])))
    snow -= melt
    water = rain + melt
    soil += water
    quick = max(0.0, soil - 80.0) * 0.5
    perc = 0.04 * soil
    soil = max(0.0, soil - quick - perc - 0.35 * max(temp[d], 0) * radiation[d])
    gw += perc
    base = 0.012 * gw
    gw -= base
    inflow[d] = 5 + 3.0 * quick + 4.0 * base
    upstream[d] = inflow[d - 1] * rng.lognormal(0, 0.12) if d else inflow[0]

fc_precip = precip * rng.lognormal(0, 0.35, days)       # day-ahead forecast, not the observation
fc_temp = temp + rng.normal(0, 1.2, days)
feats = np.column_stack([fc_precip, fc_temp, radiation, np.log1p(upstream)]).astype(np.float32)
target = np.log1p(inflow).astype(np.float32)

WIN, STRIDE = 90, 3
starts = np.arange(365, days - WIN, STRIDE)        # a year of spin-up for the stores
ends = starts + WIN
split_day = 365 * 13
tr_s = starts[ends <= split_day]
va_s = starts[starts >= split_day + 5]

mu, sd = feats[:split_day].mean(0), feats[:split_day].std(0)
fz = (feats - mu) / sd
t_mu, t_sd = target[:split_day].mean(), target[:split_day].std()
tz = (target - t_mu) / t_sd


def build(st):
    X = np.stack([fz[s + 1:s + WIN + 1] for s in st])
    y = np.array([tz[s + WIN] for s in st], dtype=np.float32)
    return torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)


Xtr, ytr = build(tr_s)
Xva, yva = build(va_s)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)


class InflowGRU(nn.Module):
    def __init__(self, n_in=4, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.out = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        h, _ = self.gru(x)
        return self.out(h[:, -1])


model = InflowGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=16, eta_min=1e-4)
criterion = nn.MSELoss()
ckpt = os.path.join(tempfile.mkdtemp(), "inflow_gru_best.pt")


def val_mse(m):
    m.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            se += ((m(xb) - yb) ** 2).sum().item()
            n += len(xb)
    return se / n


best, bad, patience = float("inf"), 0, 4
for epoch in range(1, 17):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    scheduler.step()
    v = val_mse(model)
    print(f"epoch {epoch:2d}  val mse (z) {v:.4f}  lr {scheduler.get_last_lr()[0]:.1e}")
    if v < best - 1e-4:
        best, bad = v, 0
        torch.save(model, ckpt)
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

best_model = torch.load(ckpt, weights_only=False)
best_model.eval()
with torch.no_grad():
    pred = torch.cat([best_model(xb) for xb, _ in val_loader]).squeeze(1).numpy()
q_pred = np.expm1(pred * t_sd + t_mu)
q_true = np.expm1(yva.squeeze(1).numpy() * t_sd + t_mu)
nse = 1 - ((q_pred - q_true) ** 2).sum() / ((q_true - q_true.mean()) ** 2).sum()
persist = np.expm1(np.array([target[s + WIN - 1] for s in va_s]))
nse_p = 1 - ((persist - q_true) ** 2).sum() / ((q_true - q_true.mean()) ** 2).sum()
print(f"final: val Nash-Sutcliffe {nse:.3f} on inflow (persistence {nse_p:.3f}), best val mse (z) {best:.4f}")
