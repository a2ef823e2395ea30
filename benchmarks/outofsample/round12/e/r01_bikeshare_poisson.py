"""Hourly bike-share demand: predict rental counts per station-hour.

Counts are modelled directly with a Poisson likelihood on a log-rate head, so the raw
counts (means in the hundreds) are the targets; the head's bias starts at log(mean count).
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

N_STATIONS = 40


def make_data(n):
    hour = rng.integers(0, 24, n)
    dow = rng.integers(0, 7, n)
    station = rng.integers(0, N_STATIONS, n)
    temp = rng.normal(18, 7, n)
    rain = rng.exponential(0.4, n) * (rng.random(n) < 0.25)
    station_pop = np.linspace(-0.8, 0.9, N_STATIONS)[station]
    commute = np.exp(-0.5 * ((hour - 8) / 1.5) ** 2) + np.exp(-0.5 * ((hour - 17.5) / 2) ** 2)
    weekend = (dow >= 5).astype(float)
    leisure = np.exp(-0.5 * ((hour - 14) / 3) ** 2)
    log_rate = (3.2 + station_pop + 1.4 * commute * (1 - weekend) + 1.1 * leisure * weekend
                + 0.035 * (temp - 18) - 0.9 * rain)
    counts = rng.poisson(np.exp(log_rate))
    cont = np.stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                     np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7),
                     weekend, temp, rain], 1)
    return cont.astype(np.float32), station.astype(np.int64), counts.astype(np.float32)


Xc, S, Y = make_data(12000)
n_tr = 10000
mu, sd = Xc[:n_tr].mean(0), Xc[:n_tr].std(0)
mu[4], sd[4] = 0.0, 1.0  # weekend flag stays 0/1
Xc = (Xc - mu) / sd

train_ds = TensorDataset(torch.from_numpy(Xc[:n_tr]), torch.from_numpy(S[:n_tr]), torch.from_numpy(Y[:n_tr]))
val_ds = TensorDataset(torch.from_numpy(Xc[n_tr:]), torch.from_numpy(S[n_tr:]), torch.from_numpy(Y[n_tr:]))
train_loader = DataLoader(train_ds, batch_size=128, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=1000)


class DemandNet(nn.Module):
    def __init__(self, n_cont, n_stations, emb=8, hidden=64):
        super().__init__()
        self.station = nn.Embedding(n_stations, emb)
        self.body = nn.Sequential(nn.Linear(n_cont + emb, hidden), nn.ReLU(),
                                  nn.Linear(hidden, hidden), nn.ReLU())
        self.log_rate = nn.Linear(hidden, 1)

    def forward(self, x, s):
        h = self.body(torch.cat([x, self.station(s)], 1))
        return self.log_rate(h).squeeze(1)


model = DemandNet(Xc.shape[1], N_STATIONS)
with torch.no_grad():
    model.log_rate.bias.fill_(math.log(float(Y[:n_tr].mean())))
    model.log_rate.weight.mul_(0.1)

criterion = nn.PoissonNLLLoss(log_input=True, full=False)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.3)


def poisson_deviance(y, mu):
    y = y.double(); mu = mu.double()
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return (2 * (term - (y - mu))).mean().item()


def evaluate():
    model.eval()
    preds, ys = [], []
    with torch.no_grad():
        for xb, sb, yb in val_loader:
            preds.append(model(xb, sb).exp())
            ys.append(yb)
    return torch.cat(ys), torch.cat(preds)


for epoch in range(1, 16):
    model.train()
    total = 0.0
    for xb, sb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb, sb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
    scheduler.step()
    y_val, mu_val = evaluate()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  train poisson nll {total / n_tr:.3f}  "
              f"val deviance {poisson_deviance(y_val, mu_val):.3f}")

y_val, mu_val = evaluate()
const = torch.full_like(y_val, float(Y[:n_tr].mean()))
d_model = poisson_deviance(y_val, mu_val)
d_const = poisson_deviance(y_val, const)
mae = (mu_val - y_val).abs().mean().item()
print(f"baseline (training mean count) deviance {d_const:.3f}  MAE {(const - y_val).abs().mean().item():.2f}")
print(f"final val mean Poisson deviance {d_model:.3f}  MAE {mae:.2f}  "
      f"deviance explained {1 - d_model / d_const:.3f}")
