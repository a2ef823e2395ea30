"""Next-day cash withdrawals per ATM (log scale) from calendar and recent-history features.

Small MLP, hand-written SGD step, mini-batches from a DataLoader.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

N_ATM, N_DAYS = 60, 120
SITE_TYPES = ["mall", "station", "branch", "petrol", "campus"]


def simulate():
    rows, targets = [], []
    site = rng.integers(0, len(SITE_TYPES), N_ATM)
    base = rng.normal(8.5, 0.5, N_ATM) + 0.3 * (site == 1)
    for a in range(N_ATM):
        level = base[a]
        hist = list(level + rng.normal(0, 0.2, 7))
        for d in range(N_DAYS):
            dow = d % 7
            dom = d % 30
            payday = float(dom in (0, 1, 14, 15))
            holiday = float(rng.random() < 0.03)
            weekend = float(dow >= 5)
            eff = (0.25 * payday + 0.15 * weekend * (site[a] == 0)
                   - 0.3 * weekend * (site[a] == 2) - 0.2 * holiday * (site[a] == 4)
                   + 0.1 * math.sin(2 * math.pi * d / 30))
            y = level + eff + 0.35 * (np.mean(hist[-7:]) - level) + rng.normal(0, 0.12)
            feats = np.concatenate([
                np.eye(7)[dow], np.eye(len(SITE_TYPES))[site[a]],
                [payday, holiday, dom / 30.0,
                 hist[-1], hist[-2], np.mean(hist[-7:]), np.std(hist[-7:])],
            ])
            rows.append(feats)
            targets.append(y)
            hist.append(y)
    return np.array(rows, dtype=np.float32), np.array(targets, dtype=np.float32), site


X, y, _ = simulate()
n_day = N_DAYS
day_idx = np.tile(np.arange(n_day), N_ATM)
train_mask = day_idx < 96          # last 24 days held out
cont = slice(14, 19)
mu, sd = X[train_mask, cont].mean(0), X[train_mask, cont].std(0) + 1e-6
X[:, cont] = (X[:, cont] - mu) / sd
y_mu, y_sd = y[train_mask].mean(), y[train_mask].std()
y = (y - y_mu) / y_sd

Xtr, ytr = torch.from_numpy(X[train_mask]), torch.from_numpy(y[train_mask])
Xva, yva = torch.from_numpy(X[~train_mask]), torch.from_numpy(y[~train_mask])
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)


class CashNet(nn.Module):
    def __init__(self, d_in, hidden=96):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x).squeeze(-1)


model = CashNet(X.shape[1])
lr = 0.05
epochs = 12

for epoch in range(epochs):
    model.train()
    running, seen = 0.0, 0
    for xb, yb in train_loader:
        loss = F.mse_loss(model(xb), yb)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(xb)
        seen += len(xb)
    model.eval()
    with torch.no_grad():
        val_mse = F.mse_loss(model(Xva), yva).item()
    print(f"epoch {epoch + 1:2d}  train mse {running / seen:.4f}  val mse {val_mse:.4f}")

with torch.no_grad():
    pred = model(Xva) * y_sd + y_mu
    truth = yva * y_sd + y_mu
    mape = (torch.abs(torch.exp(pred) - torch.exp(truth)) / torch.exp(truth)).mean().item()
    r2 = 1 - F.mse_loss(model(Xva), yva).item() / yva.var().item()
print(f"final val R2 {r2:.4f}  MAPE {100 * mape:.2f}%")
