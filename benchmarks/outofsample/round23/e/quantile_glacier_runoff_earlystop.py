"""Next-day discharge of a glacier-fed stream at the hydropower intake (m^3/s), with an 80%
prediction band for the operator's spill planning. Inputs: today's and yesterday's air
temperature at the valley station, 7-day positive degree-days, shortwave radiation,
precipitation, modelled snow depth on the glacier tongue and the season (day of year as
sin/cos). Train on seasons 2011-2020, validate on 2021-2022 (a time split, as deployed).

One network outputs the 10%, 50% and 90% quantiles of log-discharge, trained with a
hand-written pinball (quantile) loss; early stopping keeps the best validation state.
"""
import copy

import numpy as np
import torch
from torch import nn

torch.manual_seed(9)
rng = np.random.default_rng(9)
YEARS, DAYS = 12, 153                                      # May-September melt seasons
QS = torch.tensor([0.1, 0.5, 0.9])

rows, targets, year_of = [], [], []
for yr in range(YEARS):
    doy = np.arange(121, 121 + DAYS)
    temp = 6 + 7 * np.sin(np.pi * (doy - 121) / DAYS) + np.cumsum(rng.normal(0, 0.9, DAYS)) * 0.3 + rng.normal(0, 1.5, DAYS)
    rad = np.clip(220 + 80 * np.sin(np.pi * (doy - 121) / DAYS) + rng.normal(0, 60, DAYS), 40, None)
    precip = rng.exponential(4, DAYS) * (rng.random(DAYS) < 0.35)
    snow = np.clip(rng.uniform(1.5, 3.0) - np.cumsum(np.clip(temp, 0, None)) * 0.012, 0, None)
    pdd7 = np.convolve(np.clip(temp, 0, None), np.ones(7), "full")[:DAYS]
    ice_exposed = (snow < 0.2).astype(float)
    melt = (0.25 + 0.35 * ice_exposed) * np.clip(temp, 0, None) + 0.004 * rad * (1 + ice_exposed)
    flow = np.zeros(DAYS)
    store = 2.0
    for d in range(DAYS):                                  # linear reservoir routing
        store = 0.7 * store + melt[d] + 0.6 * precip[d] * (1 + (temp[d] > 3))
        flow[d] = 0.3 * store
    flow = flow * rng.lognormal(0, 0.12, DAYS) + 0.5
    for d in range(1, DAYS - 1):
        rows.append([temp[d], temp[d - 1], pdd7[d], rad[d], precip[d], snow[d],
                     np.sin(2 * np.pi * doy[d] / 365), np.cos(2 * np.pi * doy[d] / 365), np.log(flow[d])])
        targets.append(np.log(flow[d + 1]))
        year_of.append(yr)

X = np.array(rows, dtype=np.float32)
y = np.array(targets, dtype=np.float32)
year_of = np.array(year_of)
tr, va = year_of < 10, year_of >= 10
mu, sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xtr, Xva = torch.tensor((X[tr] - mu) / sd), torch.tensor((X[va] - mu) / sd)
ytr, yva = torch.tensor((y[tr] - y_mu) / y_sd), torch.tensor((y[va] - y_mu) / y_sd)


def pinball(pred, target):
    diff = target.unsqueeze(1) - pred                      # (N, 3)
    return torch.maximum(QS * diff, (QS - 1) * diff).mean()


model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
best, best_state, patience, bad = float("inf"), None, 15, 0
for epoch in range(200):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        loss = pinball(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
    model.eval()
    with torch.no_grad():
        vloss = pinball(model(Xva), yva).item()
    if vloss < best - 1e-4:
        best, best_state, bad = vloss, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
    if epoch % 10 == 0:
        print(f"epoch {epoch} train_pinball {loss.item():.4f} val_pinball {vloss:.4f}")
    if bad >= patience:
        print(f"early stop at epoch {epoch}, best val_pinball {best:.4f}")
        break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    q = torch.sort(model(Xva), dim=1).values * y_sd + y_mu
flow_q = np.exp(q.numpy())
obs = np.exp(y[va])
cover = np.mean((obs >= flow_q[:, 0]) & (obs <= flow_q[:, 2]))
persist = np.exp(X[va, -1])
print(f"final val pinball {best:.4f}; median MAE {np.abs(flow_q[:, 1] - obs).mean():.3f} m3/s "
      f"(persistence {np.abs(persist - obs).mean():.3f}); 80% band coverage {cover:.3f}")
