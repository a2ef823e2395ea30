"""Daily unit demand per (store, SKU family) from calendar, price and lag features.

Tabular MLP with a store embedding; target is log1p(units), standardised on the training
weeks; validation is the last 8 weeks (time-based split). Reports WAPE in units.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

N_STORES, N_DAYS = 40, 364
store_level = rng.lognormal(3.0, 0.5, N_STORES)
store_promo_lift = rng.uniform(0.1, 0.6, N_STORES)
dow_profile = np.array([0.85, 0.8, 0.9, 1.0, 1.2, 1.45, 1.1])

rows = []
for s in range(N_STORES):
    base_price = rng.uniform(2.0, 6.0)
    promo = rng.random(N_DAYS) < 0.12
    price = base_price * np.where(promo, rng.uniform(0.7, 0.9, N_DAYS), 1.0)
    holiday = rng.random(N_DAYS) < 0.03
    t = np.arange(N_DAYS)
    season = 1 + 0.15 * np.sin(2 * np.pi * t / 365.0 + s)
    mean = (store_level[s] * dow_profile[t % 7] * season
            * (1 + store_promo_lift[s] * promo) * (1 + 0.5 * holiday)
            * (price / base_price) ** -1.3)
    units = rng.poisson(mean)
    for d in range(28, N_DAYS):
        lag7, lag14 = units[d - 7], units[d - 14]
        roll28 = units[d - 28:d].mean()
        feats = [np.log1p(lag7), np.log1p(lag14), np.log1p(roll28),
                 np.log(price[d] / base_price), float(promo[d]), float(holiday[d]),
                 np.sin(2 * np.pi * d / 365.0), np.cos(2 * np.pi * d / 365.0)]
        feats += list(np.eye(7)[d % 7])
        rows.append((d, s, feats, units[d]))

day = np.array([r[0] for r in rows])
store = np.array([r[1] for r in rows], dtype=np.int64)
X = np.array([r[2] for r in rows], dtype=np.float32)
units = np.array([r[3] for r in rows], dtype=np.float32)

train_m, val_m = day < N_DAYS - 56, day >= N_DAYS - 56
cont = slice(0, 4)  # only the continuous columns are standardised
mu, sd = X[train_m, cont].mean(0), X[train_m, cont].std(0)
X[:, cont] = (X[:, cont] - mu) / sd
y = np.log1p(units)
y_mu, y_sd = y[train_m].mean(), y[train_m].std()
y = ((y - y_mu) / y_sd).astype(np.float32)


def loader(mask, shuffle):
    ds = TensorDataset(torch.from_numpy(X[mask]), torch.from_numpy(store[mask]),
                       torch.from_numpy(y[mask]))
    return DataLoader(ds, batch_size=256, shuffle=shuffle)


train_loader, val_loader = loader(train_m, True), loader(val_m, False)


class DemandNet(nn.Module):
    def __init__(self, n_feats, n_stores, emb=8, hidden=128):
        super().__init__()
        self.store_emb = nn.Embedding(n_stores, emb)
        self.body = nn.Sequential(
            nn.Linear(n_feats + emb, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x, s):
        return self.body(torch.cat([x, self.store_emb(s)], dim=1)).squeeze(1)


model = DemandNet(X.shape[1], N_STORES)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.5)
loss_fn = nn.MSELoss()


def evaluate():
    model.eval()
    preds, trues = [], []
    with torch.no_grad():
        for xb, sb, yb in val_loader:
            preds.append(model(xb, sb))
            trues.append(yb)
    p = torch.expm1(torch.cat(preds) * y_sd + y_mu).clamp(min=0)
    t = torch.expm1(torch.cat(trues) * y_sd + y_mu)
    return (p - t).abs().sum().item() / t.sum().item()


for epoch in range(18):
    model.train()
    total, n = 0.0, 0
    for xb, sb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb, sb), yb)
        loss.backward()
        total += loss.item() * len(yb)
        n += len(yb)
        optimizer.step()
    scheduler.step()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} "
              f"train_mse {total / n:.4f} val_wape {evaluate():.4f}")

print(f"final val WAPE {evaluate():.4f}")
