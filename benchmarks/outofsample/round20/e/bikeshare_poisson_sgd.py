"""Hourly bike-share pick-ups per docking station (counts).

A Poisson regression network: the output is the log-rate, the loss is the Poisson
negative log-likelihood on the raw counts (no target scaling: the log link takes care of
the scale) and the output bias starts at log(mean count). Station, weekday and hour-of-day
enter one-hot; weather is standardised. The update is written out by hand, plain SGD
with a step decay, as in the team's other small count models.
"""
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(8)
rng = np.random.default_rng(8)

N_ST, DAYS = 14, 120
st, day, hour = np.meshgrid(np.arange(N_ST), np.arange(DAYS), np.arange(24), indexing="ij")
st, day, hour = st.ravel(), day.ravel(), hour.ravel()
dow = (day + 2) % 7
weekend = dow >= 5
holiday = np.isin(day, [14, 45, 46, 88])
temp_day = 14 + 8 * np.sin(2 * np.pi * (np.arange(DAYS) - 30) / 365) + rng.normal(0, 3, DAYS)
temp = temp_day[day] + 4 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 1, len(day))
rain_day = rng.random(DAYS) < 0.3
rain = np.where(rain_day[day], rng.gamma(0.6, 1.5, len(day)), 0.0)
wind = np.abs(rng.normal(12, 6, len(day)))

station_size = rng.lognormal(1.0, 0.5, N_ST)
commuter = rng.random(N_ST) < 0.6
workday = ~(weekend | holiday)
commute = np.exp(-0.5 * ((hour - 8) / 1.2) ** 2) + 0.9 * np.exp(-0.5 * ((hour - 17.5) / 1.5) ** 2)
leisure = np.exp(-0.5 * ((hour - 14) / 3.0) ** 2)
shape = np.where(workday & commuter[st], 0.3 + 2.5 * commute, 0.25 + 1.4 * leisure)
log_rate = (np.log(station_size[st]) + np.log(shape) + 0.05 * (temp - 14)
            - 0.45 * np.log1p(rain) - 0.015 * np.maximum(wind - 15, 0)
            - 1.6 * ((hour < 6) | (hour > 22)))
counts = rng.poisson(np.exp(log_rate) * rng.gamma(8, 1 / 8, len(day)))

cont = np.column_stack([temp, np.log1p(rain), wind]).astype(np.float32)
onehots = np.concatenate([np.eye(N_ST)[st], np.eye(7)[dow], np.eye(24)[hour],
                          holiday[:, None].astype(float)], axis=1).astype(np.float32)

train = day < 96                      # the last 24 days are held out
mu, sd = cont[train].mean(0), cont[train].std(0)
X = torch.from_numpy(np.concatenate([(cont - mu) / sd, onehots], axis=1))
y = torch.from_numpy(counts.astype(np.float32))
Xtr, ytr, Xva, yva = X[train], y[train], X[~train], y[~train]

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
with torch.no_grad():
    model[-1].bias.fill_(math.log(ytr.mean().item()))
loss_fn = nn.PoissonNLLLoss(log_input=True, full=False)


def deviance(log_mu, k):
    mu_ = log_mu.exp()
    return 2 * torch.sum(torch.where(k > 0, k * torch.log(k / mu_), torch.zeros_like(k)) - (k - mu_))


lr = 0.05
for epoch in range(1, 16):
    if epoch in (9, 13):
        lr *= 0.3
    model.train()
    for idx in torch.randperm(len(ytr)).split(128):
        loss = loss_fn(model(Xtr[idx]).squeeze(1), ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    model.eval()
    with torch.no_grad():
        va_out = model(Xva).squeeze(1)
        va_loss = loss_fn(va_out, yva).item()
        tr_loss = loss_fn(model(Xtr).squeeze(1), ytr).item()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d} lr {lr:.4f} train nll {tr_loss:.4f} val nll {va_loss:.4f}")

null = torch.full_like(yva, ytr.mean().item()).log()
d2 = 1 - deviance(va_out, yva) / deviance(null, yva)
mae = (va_out.exp() - yva).abs().mean()
print(f"held-out days: Poisson deviance explained {d2:.3f}, MAE {mae:.3f} rides/h "
      f"(mean {yva.mean():.2f})")
