"""Daily unit demand per (store, product) with promotions: embeddings + MLP, Huber loss.

Demand is heavy-tailed (promotion days and local events give spikes of 5-20x), so the
model is trained with a Huber loss on units divided by a typical day, with a linear warm-up then
cosine decay, and an exponential moving average of the weights (deepcopy) used for
evaluation. Validation is the last four weeks; errors are summed over the split.
"""
import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
rng = np.random.default_rng(4)

N_STORES, N_ITEMS, DAYS = 20, 40, 112
store_level = rng.lognormal(0, 0.4, N_STORES)
item_level = rng.lognormal(1.0, 0.6, N_ITEMS)
item_promo_lift = rng.uniform(1.5, 4.0, N_ITEMS)
weekly = np.array([0.9, 0.85, 0.9, 1.0, 1.2, 1.45, 1.1])

rows = []
for d in range(DAYS):
    promo = rng.random((N_STORES, N_ITEMS)) < 0.08
    event = rng.random(N_STORES) < 0.03
    price_cut = np.where(promo, rng.uniform(0.1, 0.4, (N_STORES, N_ITEMS)), 0.0)
    base = store_level[:, None] * item_level[None, :] * weekly[d % 7] * (1 + 0.002 * d)
    mean = base * np.where(promo, item_promo_lift[None, :] * (1 + 2 * price_cut), 1.0)
    mean = mean * np.where(event[:, None], rng.lognormal(1.5, 0.5, (N_STORES, 1)), 1.0)
    units = rng.negative_binomial(3, 3 / (3 + mean))
    s_idx, i_idx = np.meshgrid(np.arange(N_STORES), np.arange(N_ITEMS), indexing="ij")
    rows.append(np.stack([np.full(units.size, d), s_idx.ravel(), i_idx.ravel(), promo.ravel(),
                          price_cut.ravel(), event.repeat(N_ITEMS), units.ravel()], axis=1))
data = np.concatenate(rows)
day, store, item = data[:, 0], data[:, 1].astype(int), data[:, 2].astype(int)
dow = (day % 7).astype(int)
dense = np.stack([data[:, 3], data[:, 4] * 5, data[:, 5], day / DAYS], axis=1).astype(np.float32)
units = data[:, 6].astype(np.float32)

tr, va = day < DAYS - 28, day >= DAYS - 28
scale = float(np.median(units[tr]) + 1.0)  # units -> "typical days"


def tensors(m):
    return (torch.tensor(store[m]), torch.tensor(item[m]), torch.tensor(dow[m]),
            torch.tensor(dense[m]), torch.tensor(units[m] / scale))


class DemandNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.store = nn.Embedding(N_STORES, 8)
        self.item = nn.Embedding(N_ITEMS, 12)
        self.dow = nn.Embedding(7, 3)
        self.mlp = nn.Sequential(nn.Linear(8 + 12 + 3 + 4, 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(),
                                 nn.Linear(96, 1))

    def forward(self, s, i, d, x):
        h = torch.cat([self.store(s), self.item(i), self.dow(d), x], dim=1)
        return self.mlp(h).squeeze(1)


train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=512, shuffle=True)
val_loader = DataLoader(TensorDataset(*tensors(va)), batch_size=4096)

model = DemandNet()
ema = copy.deepcopy(model).requires_grad_(False)
EPOCHS = 6
total_steps = EPOCHS * len(train_loader)
warmup = int(0.05 * total_steps)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))


def evaluate(m):
    m.eval()
    abs_err, sq_err, abs_y, n = 0.0, 0.0, 0.0, 0
    with torch.no_grad():
        for s, i, d, x, y in val_loader:
            pred = m(s, i, d, x).clamp_min(0) * scale
            y = y * scale
            abs_err += (pred - y).abs().sum().item()
            sq_err += ((pred - y) ** 2).sum().item()
            abs_y += y.abs().sum().item()
            n += len(y)
    return abs_err / abs_y, math.sqrt(sq_err / n)


for epoch in range(1, EPOCHS + 1):
    model.train()
    tot, cnt = 0.0, 0
    for s, i, d, x, y in train_loader:
        loss = F.huber_loss(model(s, i, d, x), y, delta=1.0)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 0.02)
        tot += loss.item() * len(y)
        cnt += len(y)
    wape, rmse = evaluate(ema)
    print(f"epoch {epoch}  train_huber {tot / cnt:.4f}  val_WAPE {wape:.3f}  val_RMSE {rmse:.2f} units")

# reference: seasonal naive (same weekday, same store/item, four weeks earlier)
key = lambda m: (store[m] * N_ITEMS + item[m]) * 7 + dow[m]
last = {}
for k, u, d in zip(key(tr), units[tr], day[tr]):
    last[k] = u
naive = np.array([last[k] for k in key(va)])
naive_wape = np.abs(naive - units[va]).sum() / units[va].sum()
wape, rmse = evaluate(ema)
print(f"final val_WAPE {wape:.4f} (EMA)  seasonal-naive WAPE {naive_wape:.4f}  val_RMSE {rmse:.2f}")
