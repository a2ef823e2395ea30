"""Vending-machine restocking: expected units sold per slot per day.

Rows are (machine, slot, day). Inputs: site type and product as one-hot blocks, day of week,
outdoor temperature, footfall index, price and days since the last restock. Targets are small
counts, so the model outputs a log-rate trained with a Poisson likelihood; the output bias
starts at the log of the mean daily sales. An EMA copy of the weights is kept for evaluation
and shipped (whole-model torch.save), and evaluation sums the per-row deviance.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(4)
rng = np.random.default_rng(4)

N_SITES, N_PRODUCTS = 5, 36


def make_sales(n):
    site = rng.integers(0, N_SITES, n)        # office, campus, station, gym, hospital
    product = rng.integers(0, N_PRODUCTS, n)
    dow = rng.integers(0, 7, n)
    temp = rng.normal(16, 8, n)
    footfall = rng.lognormal(0, 0.4, n)
    price = 1.0 + 0.1 * (product % 7) + rng.normal(0, 0.05, n)
    since_restock = rng.integers(0, 7, n)
    site_base = np.array([0.4, 0.7, 1.1, 0.2, 0.5])[site]
    prod_pop = rng.normal(0, 0.5, N_PRODUCTS)[product]
    is_cold_drink = (product < 12).astype(float)
    weekend = (dow >= 5).astype(float)
    weekend_effect = np.array([-0.9, -0.4, 0.2, 0.3, 0.0])[site] * weekend
    log_rate = (site_base + prod_pop + 0.045 * is_cold_drink * (temp - 16) + weekend_effect
                + 0.8 * np.log(footfall) - 0.6 * (price - 1.3) - 0.05 * since_restock * (prod_pop > 0.3))
    sold = rng.poisson(np.exp(log_rate))
    dense = np.column_stack([(temp - 16) / 8, np.log(footfall) / 0.4, (price - 1.3) / 0.2,
                             (since_restock - 3) / 2])
    X = np.concatenate([np.eye(N_SITES)[site], np.eye(N_PRODUCTS)[product], np.eye(7)[dow], dense], 1)
    return X.astype(np.float32), sold.astype(np.float32)


X, y = make_sales(12000)
X_tr, y_tr, X_va, y_va = X[:10000], y[:10000], X[10000:], y[10000:]
print(f"units/day: mean {y_tr.mean():.2f}, share of zero days {(y_tr == 0).mean():.2f}, max {y_tr.max():.0f}")
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=500)

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
with torch.no_grad():
    model[-1].bias.fill_(float(np.log(y_tr.mean())))
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.995

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
criterion = nn.PoissonNLLLoss(log_input=True, full=False)


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(EMA_DECAY).add_(pm, alpha=1 - EMA_DECAY)


@torch.no_grad()
def poisson_deviance(net):
    total, n = 0.0, 0
    for xb, yb in val_loader:
        mu = net(xb).squeeze(-1).exp()
        dev = 2 * (torch.xlogy(yb, yb) - torch.xlogy(yb, mu) - (yb - mu))
        total += dev.sum().item()
        n += len(yb)
    return total / n


null_dev = float(np.mean(2 * (np.where(y_va > 0, y_va * np.log(np.maximum(y_va, 1e-9) / y_tr.mean()), 0) - (y_va - y_tr.mean()))))
for epoch in range(10):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(-1), yb)
        loss.backward()
        optimizer.step()
        update_ema()
        running += loss.item()
    print(f"epoch {epoch + 1:2d} train_nll {running / len(train_loader):.4f} "
          f"val_dev(model) {poisson_deviance(model):.4f} val_dev(ema) {poisson_deviance(ema):.4f}")

out = os.path.join(tempfile.mkdtemp(prefix="restock_"), "restock_rate_ema.pt")
torch.save(ema, out)
shipped = torch.load(out, weights_only=False)
dev = poisson_deviance(shipped)
print(f"final val_mean_deviance={dev:.4f} (constant-rate deviance {null_dev:.4f}, explained {1 - dev / null_dev:.3f})")
