"""PM2.5 forecasting for a city monitoring station: predict the mean concentration over the
next 6 hours from the last 5 days of hourly readings (PM2.5, temperature, humidity, wind
speed, boundary-layer proxy). Pollution episodes make the target heavy-tailed, so the
model is fitted on log1p concentrations with a Huber loss; GRU over the 120-step window,
linear warm-up then cosine decay, gradient-norm clipping as routine insurance.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

WINDOW, HORIZON = 120, 6


def simulate_station(hours, rng):
    t = np.arange(hours)
    temp = 12 + 8 * np.sin(2 * np.pi * (t - 9) / 24) + np.cumsum(rng.normal(0, 0.15, hours))
    temp -= np.convolve(temp, np.ones(240) / 240, mode="same") - 12
    hum = np.clip(70 - 1.5 * (temp - 12) + rng.normal(0, 6, hours), 15, 100)
    wind = np.abs(3 + np.cumsum(rng.normal(0, 0.25, hours)) * 0.1 + rng.gamma(2, 0.8, hours))
    wind = np.convolve(wind, np.ones(6) / 6, mode="same")
    blh = 300 + 900 * np.clip(np.sin(2 * np.pi * (t - 6) / 24), 0, None) + 40 * wind
    pm = np.empty(hours)
    pm[0] = 20
    episode = 0.0
    for i in range(1, hours):
        if rng.random() < 0.004:                          # stagnation episodes / fires
            episode += rng.pareto(1.8) * 60
        episode *= 0.97
        emission = 6 + 4 * ((t[i] % 24) in (7, 8, 18, 19))
        removal = 0.03 + 0.015 * wind[i]
        pm[i] = max(1.0, pm[i - 1] * (1 - removal) + emission * 400 / blh[i]
                    + 0.05 * episode + rng.normal(0, 1.5))
    return np.stack([pm, temp, hum, wind, blh], 1).astype(np.float32)


def windows(series, start, stop, stride=3):
    X, y = [], []
    for s in range(start, stop - WINDOW - HORIZON, stride):
        X.append(series[s:s + WINDOW])
        y.append(series[s + WINDOW:s + WINDOW + HORIZON, 0].mean())
    return np.stack(X), np.asarray(y, np.float32)


class Forecaster(nn.Module):
    def __init__(self, n_feat, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_feat, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    series = simulate_station(24 * 365, rng)
    series[:, 0] = np.log1p(series[:, 0])
    split = int(24 * 365 * 0.8)                                      # time split: last ~10 weeks
    X_tr, y_tr = windows(series, 0, split)
    X_va, y_va = windows(series, split, len(series))
    mu, sd = X_tr.reshape(-1, 5).mean(0), X_tr.reshape(-1, 5).std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    y_tr_s = (y_tr - mu[0]) / sd[0]

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr_s)),
                              batch_size=64, shuffle=True)
    model = Forecaster(5)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    epochs = 6
    total, warmup = epochs * len(train_loader), 30
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup
        else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
    loss_fn = nn.HuberLoss(delta=1.0)

    Xv = torch.from_numpy(X_va)
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            pred_log = model(Xv).numpy() * sd[0] + mu[0]
        mae = np.abs(np.expm1(pred_log) - np.expm1(y_va)).mean()
        print(f"epoch {epoch + 1}: last loss {loss.item():.4f}  val MAE {mae:.2f} ug/m3")

    persistence = np.abs(np.expm1(X_va[:, -1, 0] * sd[0] + mu[0]) - np.expm1(y_va)).mean()
    print(f"final val_mae={mae:.3f} ug/m3 (persistence {persistence:.3f})")


if __name__ == "__main__":
    main()
