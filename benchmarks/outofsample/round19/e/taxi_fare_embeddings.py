"""Taxi fare estimate at booking time (city ride-hail / metered cabs).

Inputs known when the ride is requested: pickup/dropoff coordinates and zones, hour, weekday,
passengers. Fares are right-skewed, so the network regresses log1p(fare) (an RMSLE objective).
Zones, hour and weekday get embeddings; continuous columns are standardised on the training
split. Evaluation accumulates a summed squared error over batches and divides once at the end.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_ZONES = 36
AIRPORT = 35


def simulate_trips(n, rng):
    zone_xy = rng.uniform(-8, 8, size=(N_ZONES, 2))
    zone_xy[AIRPORT] = [14.0, -11.0]
    zone_congestion = rng.gamma(2.0, 0.5, N_ZONES)
    popularity = rng.dirichlet(np.ones(N_ZONES) * 0.8)
    pz = rng.choice(N_ZONES, n, p=popularity)
    dz = rng.choice(N_ZONES, n, p=popularity)
    p_xy = zone_xy[pz] + rng.normal(0, 0.8, (n, 2))
    d_xy = zone_xy[dz] + rng.normal(0, 0.8, (n, 2))
    hour_w = np.r_[np.full(6, 0.3), np.full(4, 1.2), np.full(6, 0.9), np.full(4, 1.3), np.full(4, 0.85)]
    hour = rng.choice(24, n, p=hour_w / hour_w.sum())
    dow = rng.integers(0, 7, n)
    pax = rng.choice([1, 2, 3, 4, 5], n, p=[0.68, 0.17, 0.07, 0.05, 0.03])

    dist = np.abs(p_xy - d_xy).sum(1) * 1.1 + 0.3                 # Manhattan-ish road distance, km
    rush = ((hour >= 7) & (hour <= 9)) | ((hour >= 16) & (hour <= 19))
    rush &= dow < 5
    speed = 28 / (1 + 0.6 * rush + 0.3 * (zone_congestion[pz] + zone_congestion[dz]) / 2)
    minutes = dist / speed * 60 * rng.lognormal(0, 0.15, n)
    fare = 3.0 + 1.75 * dist + 0.35 * minutes
    fare += 1.0 * ((hour >= 20) | (hour < 6)) + 2.5 * rush
    fare += 1.5 * (pax >= 5)
    to_airport = (pz == AIRPORT) | (dz == AIRPORT)
    fare = np.where(to_airport, 55.0 + 5.0 * rush + rng.normal(0, 1.5, n), fare)
    tolls = (np.sign(p_xy[:, 0]) != np.sign(d_xy[:, 0])) & (rng.random(n) < 0.4)
    fare += 6.5 * tolls
    fare *= rng.lognormal(0, 0.06, n)
    num = np.column_stack([p_xy, d_xy, np.log1p(dist), np.sin(2 * np.pi * hour / 24),
                           np.cos(2 * np.pi * hour / 24), pax]).astype(np.float32)
    cat = np.column_stack([pz, dz, hour, dow]).astype(np.int64)
    return num, cat, fare.astype(np.float32)


class FareNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.zone = nn.Embedding(N_ZONES, 12)        # shared by pickup and dropoff
        self.hour = nn.Embedding(24, 6)
        self.dow = nn.Embedding(7, 3)
        d = n_num + 2 * 12 + 6 + 3
        self.mlp = nn.Sequential(nn.Linear(d, 128), nn.GELU(), nn.Dropout(0.05),
                                 nn.Linear(128, 64), nn.GELU(), nn.Linear(64, 1))

    def forward(self, x_num, x_cat):
        e = torch.cat([self.zone(x_cat[:, 0]), self.zone(x_cat[:, 1]), self.hour(x_cat[:, 2]),
                       self.dow(x_cat[:, 3])], dim=1)
        return self.mlp(torch.cat([x_num, e], dim=1)).squeeze(1)


def warmup_cosine(warmup, total):
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
    return f


def main():
    torch.manual_seed(99)
    rng = np.random.default_rng(99)
    num, cat, fare = simulate_trips(9000, rng)
    order = rng.permutation(len(fare))
    tr, va = order[:7200], order[7200:]
    mu, sd = num[tr].mean(0), num[tr].std(0)
    num_s = (num - mu) / sd
    target = np.log1p(fare)
    t_mu = target[tr].mean()

    def loader(idx, shuffle, bs):
        ds = TensorDataset(torch.from_numpy(num_s[idx]), torch.from_numpy(cat[idx]),
                           torch.from_numpy(target[idx] - t_mu))
        return DataLoader(ds, batch_size=bs, shuffle=shuffle)

    train_loader, val_loader = loader(tr, True, 64), loader(va, False, 500)

    model = FareNet(num.shape[1])
    epochs = 14
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    total_steps = epochs * len(train_loader)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(100, total_steps))
    mse = nn.MSELoss()

    for epoch in range(1, epochs + 1):
        model.train()
        for xn, xc, yb in train_loader:
            optimizer.zero_grad()
            loss = mse(model(xn, xc), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()

        model.eval()
        sq_sum, abs_sum, n = 0.0, 0.0, 0
        with torch.no_grad():
            for xn, xc, yb in val_loader:
                pred = model(xn, xc)
                sq_sum += nn.functional.mse_loss(pred, yb, reduction="sum").item()
                abs_sum += (torch.expm1(pred + t_mu) - torch.expm1(yb + t_mu)).abs().sum().item()
                n += len(yb)
        if epoch % 2 == 0:
            print(f"epoch {epoch:2d}  val RMSLE {math.sqrt(sq_sum / n):.4f}  val MAE ${abs_sum / n:.2f}")
    print(f"final: val RMSLE {math.sqrt(sq_sum / n):.4f}  MAE ${abs_sum / n:.2f}  (median fare ${np.median(fare[va]):.2f})")


if __name__ == "__main__":
    main()
