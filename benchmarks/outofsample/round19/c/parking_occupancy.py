"""Hourly parking-garage occupancy (fraction of bays taken) for 40 city garages.

The target is a rate in [0, 1], so the model predicts a logit and is trained with binary
cross-entropy against the observed fraction; garages get a learned embedding.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

N_LOTS = 40


def garage_log(n, rng):
    lot = rng.integers(0, N_LOTS, n)
    how = rng.integers(0, 24 * 7, n)                       # hour of week
    hour, dow = how % 24, how // 24
    temp = rng.normal(14, 8, n)
    rain = rng.gamma(0.4, 2.0, n) * (rng.random(n) < 0.35)
    event = (rng.random(n) < 0.06).astype(np.float32)
    price = rng.choice([1.5, 2.0, 2.5, 3.0, 4.0], n)

    commuter = rng.uniform(0, 1, N_LOTS)                   # office district vs shopping/leisure
    base = rng.normal(0.0, 0.5, N_LOTS)
    work = ((dow < 5) & (hour >= 8) & (hour <= 18)).astype(float)
    evening = ((hour >= 18) & (hour <= 23)).astype(float)
    weekend_day = ((dow >= 5) & (hour >= 10) & (hour <= 19)).astype(float)
    logit = (base[lot] - 1.4 + 2.6 * commuter[lot] * work + 1.6 * (1 - commuter[lot]) * weekend_day
             + 0.9 * (1 - commuter[lot]) * evening + 1.8 * event + 0.12 * rain
             - 0.35 * (price - 2.5) - 1.6 * ((hour < 6) | (hour > 23)))
    occ = 1 / (1 + np.exp(-logit))
    capacity = rng.integers(80, 600, N_LOTS)[lot]
    y = rng.binomial(capacity, occ) / capacity             # observed fraction of bays taken

    num = np.column_stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                           np.sin(2 * np.pi * how / 168), np.cos(2 * np.pi * how / 168),
                           (dow >= 5).astype(float), temp, np.log1p(rain), event, price])
    return num.astype(np.float32), lot.astype(np.int64), y.astype(np.float32)


class OccupancyNet(nn.Module):
    def __init__(self, n_num, n_lots, emb_dim=8, hidden=96):
        super().__init__()
        self.lot_emb = nn.Embedding(n_lots, emb_dim)
        self.mlp = nn.Sequential(
            nn.Linear(n_num + emb_dim, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x_num, lot):
        return self.mlp(torch.cat([x_num, self.lot_emb(lot)], dim=1)).squeeze(-1)


def main():
    torch.manual_seed(2024)
    rng = np.random.default_rng(2024)
    num, lot, y = garage_log(16000, rng)
    n_tr = 12800
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    num = (num - mu) / sd
    tensors = [torch.from_numpy(a) for a in (num, lot, y)]
    train_ds = TensorDataset(*[t[:n_tr] for t in tensors])
    val_ds = TensorDataset(*[t[n_tr:] for t in tensors])
    train_loader = DataLoader(train_ds, batch_size=128, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=1024)

    model = OccupancyNet(num.shape[1], N_LOTS)
    with torch.no_grad():
        p = float(y[:n_tr].mean())
        model.mlp[-1].bias.fill_(math.log(p / (1 - p)))

    epochs = 10
    total_steps = epochs * len(train_loader)
    warmup = 100
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup
        else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))))

    for epoch in range(epochs):
        model.train()
        for x_num, lot_id, frac in train_loader:
            logit = model(x_num, lot_id)
            loss = F.binary_cross_entropy_with_logits(logit, frac)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()

        model.eval()
        abs_err, bce, n = 0.0, 0.0, 0
        with torch.no_grad():
            for x_num, lot_id, frac in val_loader:
                logit = model(x_num, lot_id)
                bce += F.binary_cross_entropy_with_logits(logit, frac, reduction="sum").item()
                abs_err += (torch.sigmoid(logit) - frac).abs().sum().item()
                n += len(frac)
        print(f"epoch {epoch + 1:2d}  train bce {loss.item():.4f}  val bce {bce / n:.4f}  "
              f"val MAE {100 * abs_err / n:.2f} pp")

    naive = (torch.from_numpy(y[n_tr:]) - p).abs().mean().item()
    print(f"final val MAE {100 * abs_err / n:.2f} occupancy points (predicting the mean: {100 * naive:.2f})")


if __name__ == "__main__":
    main()
