"""Daily streamflow from 90-day windows of rainfall, temperature and potential evaporation.

Stage 1 trains an LSTM on a long, gauged donor catchment. Stage 2 adapts it to a
neighbouring catchment that has only fourteen months of gauge record: the input projection and
the LSTM are frozen (they encode the generic soil-moisture dynamics), and only the output
head is fine-tuned, with a learning rate ten times below the pre-training one so that the
short record does not wash out what was learned. Flows are modelled as standardised
log(1 + q); skill is the Nash-Sutcliffe efficiency on the target catchment's last months.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(99)
rng = np.random.default_rng(99)
WIN = 90


def weather(days):
    doy = np.arange(days) % 365
    temp = 11 + 9 * np.sin(2 * np.pi * (doy - 105) / 365) + rng.normal(0, 2.5, days)
    wet = rng.random(days) < 0.35 + 0.15 * np.cos(2 * np.pi * (doy - 15) / 365)
    rain = np.where(wet, rng.gamma(0.8, 9.0, days), 0.0)
    pet = np.clip(0.18 * (temp + 5) + rng.normal(0, 0.3, days), 0, None)
    return rain, temp, pet


def hbv_like(rain, temp, pet, smax, k_fast, k_slow, beta):
    """A small conceptual bucket model standing in for the gauge."""
    snow = soil = upper = lower = 0.0
    q = np.zeros(len(rain))
    for t in range(len(rain)):
        if temp[t] < 0:
            snow += rain[t]
            liquid = 0.0
        else:
            melt = min(snow, 2.5 * temp[t])
            snow -= melt
            liquid = rain[t] + melt
        recharge = liquid * (soil / smax) ** beta
        soil = min(soil + liquid - recharge, smax)
        soil = max(soil - pet[t] * min(soil / (0.7 * smax), 1.0), 0.0)
        upper += recharge
        perc = min(upper, 1.5)
        upper -= perc
        lower += perc
        q_fast, q_slow = k_fast * upper, k_slow * lower
        upper -= q_fast
        lower -= q_slow
        q[t] = q_fast + q_slow
    return q


def windows(rain, temp, pet, q):
    feats = np.column_stack([np.log1p(rain), temp, pet])
    idx = np.arange(WIN, len(q))
    X = np.stack([feats[i - WIN + 1:i + 1] for i in idx]).astype(np.float32)
    return X, np.log1p(q[idx]).astype(np.float32)


# donor catchment: 9 years; target: 14 months of record + 6 months for scoring
r, t, e = weather(9 * 365)
Xd, yd = windows(r, t, e, hbv_like(r, t, e, smax=160, k_fast=0.25, k_slow=0.03, beta=2.0))
r, t, e = weather(WIN + 610)
Xt, yt = windows(r, t, e, hbv_like(r, t, e, smax=120, k_fast=0.32, k_slow=0.045, beta=1.7))

x_mu, x_sd = Xd.reshape(-1, 3).mean(0), Xd.reshape(-1, 3).std(0)
y_mu, y_sd = yd.mean(), yd.std()
norm = lambda X, y: (torch.from_numpy((X - x_mu) / x_sd), torch.from_numpy((y - y_mu) / y_sd))
Xd, yd = norm(Xd, yd)
Xt, yt = norm(Xt, yt)
cut_d, cut_t = int(0.85 * len(yd)), 430


class FlowLSTM(nn.Module):
    def __init__(self, n_in=3, hidden=32):
        super().__init__()
        self.proj = nn.Linear(n_in, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, x):
        out, _ = self.lstm(torch.relu(self.proj(x)))
        return self.head(out[:, -1]).squeeze(-1)


def nse(pred, obs):
    return 1 - ((pred - obs) ** 2).sum() / ((obs - obs.mean()) ** 2).sum()


def fit(model, params, X, y, Xv, yv, lr, epochs, batch_size, tag):
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=lr / 20)
    loss_fn = nn.MSELoss()
    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            pv = model(Xv)
            vl = loss_fn(pv, yv).item()
        if epoch % max(1, epochs // 4) == 0:
            print(f"[{tag}] epoch {epoch:2d} train mse {loss.item():.4f} val mse {vl:.4f} "
                  f"NSE {nse(pv, yv).item():.3f}")
    return model


model = FlowLSTM()
fit(model, model.parameters(), Xd[:cut_d], yd[:cut_d], Xd[cut_d:], yd[cut_d:],
    lr=3e-3, epochs=20, batch_size=64, tag="donor")

model.eval()
with torch.no_grad():
    zero_shot = nse(model(Xt[cut_t:]), yt[cut_t:]).item()
print(f"zero-shot NSE on target catchment {zero_shot:.3f}")

tuned = copy.deepcopy(model)
for p in list(tuned.proj.parameters()) + list(tuned.lstm.parameters()):
    p.requires_grad_(False)
fit(tuned, tuned.head.parameters(), Xt[:cut_t], yt[:cut_t], Xt[cut_t:], yt[cut_t:],
    lr=3e-4, epochs=30, batch_size=32, tag="target")

tuned.eval()
with torch.no_grad():
    score = nse(tuned(Xt[cut_t:]), yt[cut_t:]).item()
print(f"target catchment NSE after fine-tuning {score:.3f} (zero-shot {zero_shot:.3f})")
