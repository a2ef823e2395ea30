"""House-value regression on California-style census blocks.

Numeric columns go through log1p (the heavy-tailed ones) and a StandardScaler fitted on the
training split; the two categorical columns (ocean proximity, county) get embeddings. The target
is standardised with training statistics and mapped back to $100k for the reported RMSE.

No DataLoader: the tensors fit in memory, so each epoch draws a torch.randperm and slices it.
"""
import math
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)


def make_blocks(n, rng):
    """California-like block groups: income, age, rooms, bedrooms, population, occupancy, lat/lon."""
    lat = rng.uniform(32.5, 42.0, n)
    lon = -124.3 + (42.0 - lat) * 0.75 + rng.normal(0, 1.0, n)
    county = np.clip(((lat - 32.5) / 9.5 * 29).astype(int) + rng.integers(-1, 2, n), 0, 29)
    coast_dist = np.abs(lon - (-124.3 + (42.0 - lat) * 0.75 - 1.2))
    ocean = np.digitize(coast_dist + rng.normal(0, 0.15, n), [0.25, 0.6, 1.2, 2.2])  # 5 levels
    income = rng.lognormal(mean=1.2, sigma=0.45, size=n)            # in $10k
    age = rng.uniform(1, 52, n).round()
    rooms = rng.lognormal(1.6, 0.25, n) + 0.2 * income
    bedrooms = rooms * rng.uniform(0.17, 0.25, n)
    population = rng.lognormal(7.0, 0.7, n).round()
    occupancy = rng.lognormal(1.05, 0.25, n)
    county_effect = np.sin(np.arange(30) * 1.7) * 0.35
    value = (0.45 * income
             + 0.9 * np.array([0.9, 0.55, 0.25, 0.0, -0.2])[ocean]
             + county_effect[county]
             + 0.006 * age
             - 0.25 * np.log(occupancy)
             - 0.05 * (np.log(population) - 7.0)
             + 0.06 * (rooms - bedrooms * 3.5)
             + rng.normal(0, 0.32, n))
    value = np.clip(value + 0.6, 0.15, 5.0)                        # in $100k, capped like the census
    num = np.column_stack([income, age, rooms, bedrooms, population, occupancy, lat, lon])
    cat = np.column_stack([ocean, county]).astype(np.int64)
    return num.astype(np.float64), cat, value.astype(np.float64)


rng = np.random.default_rng(SEED)
num, cat, y = make_blocks(9000, rng)
heavy = [2, 3, 4, 5]                     # rooms, bedrooms, population, occupancy
num[:, heavy] = np.log1p(num[:, heavy])

idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.2, random_state=SEED)
scaler = StandardScaler().fit(num[idx_tr])
y_mean, y_std = y[idx_tr].mean(), y[idx_tr].std()


def to_tensors(idx):
    return (torch.tensor(scaler.transform(num[idx]), dtype=torch.float32),
            torch.tensor(cat[idx]),
            torch.tensor((y[idx] - y_mean) / y_std, dtype=torch.float32))


xn_tr, xc_tr, y_tr = to_tensors(idx_tr)
xn_va, xc_va, y_va = to_tensors(idx_va)
cardinalities = [5, 30]


class TabularNet(nn.Module):
    def __init__(self, n_num, cards, emb_dims=(3, 8), hidden=128, p=0.1):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, d) for c, d in zip(cards, emb_dims))
        d_in = n_num + sum(emb_dims)
        self.mlp = nn.Sequential(
            nn.Linear(d_in, hidden), nn.SiLU(), nn.Dropout(p),
            nn.Linear(hidden, hidden), nn.SiLU(), nn.Dropout(p),
            nn.Linear(hidden, 1),
        )

    def forward(self, x_num, x_cat):
        e = [emb(x_cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat([x_num, *e], dim=1)).squeeze(-1)


model = TabularNet(xn_tr.shape[1], cardinalities)

# no weight decay on embeddings, biases
decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if p.ndim < 2 or name.startswith("embs") else decay).append(p)
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 1e-3},
                               {"params": no_decay, "weight_decay": 0.0}], lr=2e-3)
EPOCHS, BS = 25, 128
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=1e-5)


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = model(xn_va, xc_va)
        mse = F.mse_loss(pred, y_va).item()
    rmse_dollars = math.sqrt(mse) * y_std
    r2 = 1 - mse / y_va.var(unbiased=False).item()
    return mse, rmse_dollars, r2


n = len(y_tr)
for epoch in range(1, EPOCHS + 1):
    model.train()
    perm = torch.randperm(n)
    running = 0.0
    for start in range(0, n, BS):
        b = perm[start:start + BS]
        optimizer.zero_grad()
        loss = F.mse_loss(model(xn_tr[b], xc_tr[b]), y_tr[b])
        loss.backward()
        optimizer.step()
        running += loss.item() * len(b)
    scheduler.step()
    va_mse, va_rmse, va_r2 = evaluate()
    if epoch % 5 == 0 or epoch == 1:
        print(f"epoch {epoch:2d} train_mse {running / n:.4f} val_mse {va_mse:.4f} "
              f"val_rmse ${va_rmse * 100:.1f}k val_r2 {va_r2:.3f}")

baseline_rmse = float(np.sqrt(((y[idx_va] - y_mean) ** 2).mean()))
print(f"FINAL val_r2 {va_r2:.3f} val_rmse {va_rmse:.3f} (x$100k); predict-train-mean rmse {baseline_rmse:.3f}")
