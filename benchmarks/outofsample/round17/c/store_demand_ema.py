"""Daily unit demand per (store, item) for a grocery chain.

Inputs: store and item ids (embeddings), day of week (one-hot), relative price, promo flag,
holiday flag. Sales are negative-binomial-like with occasional bulk orders, so the target
is log1p(units), standardised, fitted with a Huber loss. Weights are averaged with an EMA
copy, which is what gets evaluated and saved.
"""
import copy
import io

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SEED = 21
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N_STORE, N_ITEM, N = 30, 150, 24000
store = rng.integers(0, N_STORE, N)
item = rng.integers(0, N_ITEM, N)
dow = rng.integers(0, 7, N)
promo = (rng.uniform(size=N) < 0.15).astype(np.float32)
holiday = (rng.uniform(size=N) < 0.04).astype(np.float32)
rel_price = rng.normal(0, 0.12, N).astype(np.float32)      # log price vs item list price

store_size = rng.normal(0, 0.5, N_STORE)
item_pop = rng.normal(0, 0.9, N_ITEM)
item_elastic = -rng.uniform(0.5, 3.0, N_ITEM)
item_promo_lift = rng.uniform(0.1, 0.9, N_ITEM)
dow_effect = np.array([-0.15, -0.2, -0.1, 0.0, 0.15, 0.35, 0.25])
log_rate = (1.6 + store_size[store] + item_pop[item] + dow_effect[dow]
            + item_elastic[item] * rel_price + item_promo_lift[item] * promo + 0.4 * holiday)
units = rng.poisson(np.exp(log_rate) * rng.gamma(3.0, 1 / 3.0, N))
bulk = rng.uniform(size=N) < 0.01
units[bulk] += rng.integers(20, 200, bulk.sum())              # bulk / B2B orders
y = np.log1p(units).astype(np.float32)

dense = np.column_stack([np.eye(7, dtype=np.float32)[dow], promo, holiday,
                         rel_price / rel_price.std()]).astype(np.float32)
split = int(0.8 * N)
y_mu, y_sd = y[:split].mean(), y[:split].std()
t = (y - y_mu) / y_sd


def loader(sl, shuffle):
    ds = TensorDataset(torch.from_numpy(store[sl]), torch.from_numpy(item[sl]),
                       torch.from_numpy(dense[sl]), torch.from_numpy(t[sl]))
    return DataLoader(ds, batch_size=256, shuffle=shuffle)


train_loader = loader(slice(0, split), True)
val_loader = loader(slice(split, N), False)


class DemandNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.store = nn.Embedding(N_STORE, 8)
        self.item = nn.Embedding(N_ITEM, 16)
        self.mlp = nn.Sequential(nn.Linear(8 + 16 + dense.shape[1], 96), nn.SiLU(),
                                 nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))

    def forward(self, s, i, x):
        return self.mlp(torch.cat([self.store(s), self.item(i), x], dim=1)).squeeze(-1)


model = DemandNet()
ema = copy.deepcopy(model).requires_grad_(False)
EMA_DECAY, EPOCHS = 0.995, 12
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))
criterion = nn.HuberLoss(delta=1.0)


def evaluate(net):
    net.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for s, i, x, yb in val_loader:
            se += F.mse_loss(net(s, i, x), yb, reduction="sum").item()
            n += len(yb)
    return se / n


for epoch in range(1, EPOCHS + 1):
    model.train()
    for s, i, x, yb in train_loader:
        loss = criterion(model(s, i, x), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - EMA_DECAY)
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  val mse (std units) raw {evaluate(model):.4f}  ema {evaluate(ema):.4f}")

buf = io.BytesIO()
torch.save(ema.state_dict(), buf)
mse = evaluate(ema)
r2 = 1 - mse / t[split:].var()
print(f"final: EMA model val R2 on log1p(units) {r2:.4f}  (saved {len(buf.getvalue()) // 1024} KiB)")
