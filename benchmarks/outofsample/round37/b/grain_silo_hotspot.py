"""Forecast tomorrow's peak core temperature in a wheat silo from the last 48 h of cable readings.

Each silo has a thermometer cable with 6 depths plus headspace humidity and ambient temperature,
sampled hourly. A GRU reads the window; the target is the next 24 h maximum of the core sensors.
Trained with a hand-rolled SGD loop (as in the old word_language_model example).
"""
import math
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(3)
np.random.seed(3)
torch.set_num_threads(1)

T_IN, N_FEAT = 48, 8


def simulate(n):
    t = np.arange(T_IN + 24)
    X = np.zeros((n, T_IN, N_FEAT), np.float32)
    y = np.zeros(n, np.float32)
    for i in range(n):
        ambient = 12 + 8 * np.sin(2 * np.pi * (t + np.random.uniform(0, 24)) / 24) + np.random.normal(0, 1, t.size)
        moisture = np.random.uniform(11, 17)                  # grain moisture %, drives self-heating
        heat_rate = max(0.0, moisture - 13.5) * np.random.uniform(0.015, 0.03)
        core0 = np.random.uniform(14, 22)
        depths = []
        for d in range(6):
            lag = 0.02 + 0.05 * d
            core = core0 + heat_rate * t * (1 - 0.12 * abs(d - 3)) + lag * (ambient - ambient.mean()) * 0.3
            depths.append(core + np.random.normal(0, 0.15, t.size))
        depths = np.stack(depths, 1)
        hum = 55 + 2.5 * (moisture - 14) + np.random.normal(0, 1.5, t.size)
        feats = np.concatenate([depths, hum[:, None], ambient[:, None]], 1)
        X[i] = feats[:T_IN]
        y[i] = depths[T_IN:, 2:5].max()
    return X, y


X, y = simulate(1400)
Xtr, ytr, Xva, yva = X[:1100], y[:1100], X[1100:], y[1100:]
mu, sd = Xtr.reshape(-1, N_FEAT).mean(0), Xtr.reshape(-1, N_FEAT).std(0)
ymu, ysd = ytr.mean(), ytr.std()
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
Xtr, Xva = torch.from_numpy(Xtr), torch.from_numpy(Xva)
ytr_n, yva_t = torch.from_numpy((ytr - ymu) / ysd), torch.from_numpy(yva)


class SiloGRU(nn.Module):
    def __init__(self, nfeat, hidden=48):
        super().__init__()
        self.rnn = nn.GRU(nfeat, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, h = self.rnn(x)
        return self.head(h[-1]).squeeze(-1)


model = SiloGRU(N_FEAT)
criterion = nn.MSELoss()
lr = 0.5
clip = 0.01
bsz = 32
epochs = 12

for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(Xtr))
    total = 0.0
    for i in range(0, len(perm), bsz):
        idx = perm[i:i + bsz]
        model.zero_grad()
        loss = criterion(model(Xtr[idx]), ytr_n[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(idx)
    if epoch == 8:
        lr /= 4.0
    model.eval()
    with torch.no_grad():
        pred = model(Xva) * ysd + ymu
        rmse = math.sqrt(((pred - yva_t) ** 2).mean().item())
    print(f"| epoch {epoch:2d} | lr {lr:.3f} | train mse {total / len(Xtr):.4f} | val rmse {rmse:.3f} C")

base = math.sqrt(((yva_t - ymu) ** 2).mean().item())
print(f"final val RMSE {rmse:.3f} C (predict-the-mean {base:.3f} C)")
