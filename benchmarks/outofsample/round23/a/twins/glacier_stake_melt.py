"""Daily melt at ablation stakes from automatic weather station data.

Point-scale enhanced temperature-index model learned by a small MLP.  Stakes on
three glaciers, one summer season each; validation is the last 20% of days.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def make_stake_season(n_days=1800, seed=0):
    rng = np.random.default_rng(seed)
    doy = np.sort(rng.integers(150, 260, n_days))
    glacier = rng.integers(0, 3, n_days)
    elev = 2600 + 250 * glacier + rng.normal(0, 80, n_days)            # m a.s.l.
    t_air = 9.0 * np.sin((doy - 120) / 365 * 2 * math.pi) - 0.0065 * (elev - 2600) + rng.normal(0, 2.5, n_days)
    cloud = np.clip(rng.beta(2, 3, n_days), 0, 1)
    sw_in = (320 * np.sin((doy - 80) / 365 * math.pi) * (1 - 0.65 * cloud) + rng.normal(0, 20, n_days)).clip(20)
    albedo = np.clip(0.75 - 0.004 * (doy - 150) + 0.05 * glacier + rng.normal(0, 0.05, n_days), 0.15, 0.9)
    wind = rng.gamma(2.0, 1.8, n_days)
    rh = np.clip(rng.normal(65, 15, n_days), 15, 100)
    pdd = np.maximum(t_air, 0.0)
    melt = (4.2 * pdd + 0.09 * (1 - albedo) * sw_in + 0.35 * wind * pdd / 3 - 0.02 * (rh - 65)
            + rng.normal(0, 1.5, n_days)).clip(0)                      # mm w.e. per day
    X = np.stack([t_air, pdd, sw_in, albedo, wind, rh, elev, cloud,
                  np.sin(2 * math.pi * doy / 365), np.cos(2 * math.pi * doy / 365)], 1)
    order = np.argsort(doy, kind="stable")
    return X[order].astype(np.float32), melt[order].astype(np.float32)


class MeltNet(nn.Module):
    def __init__(self, n_in, hidden=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def evaluate(model, loader, y_mean, y_std):
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in loader:
            pred = model(xb).float()
            sse += F.mse_loss(pred, yb, reduction="sum").item()
            n += yb.numel()
    rmse_std = math.sqrt(sse / n)
    return rmse_std, rmse_std * y_std


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--lr", type=float, default=4e-5)
    p.add_argument("--batch-size", type=int, default=8)
    args = p.parse_args()

    torch.manual_seed(7)
    X, y = make_stake_season(seed=3)
    n_tr = int(0.8 * len(X))
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    y_mean, y_std = float(y[:n_tr].mean()), float(y[:n_tr].std())
    Xs = torch.from_numpy((X - mu) / sd)
    ys = torch.from_numpy((y - y_mean) / y_std)

    train_loader = DataLoader(TensorDataset(Xs[:n_tr], ys[:n_tr]), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xs[n_tr:], ys[n_tr:]), batch_size=256)

    model = MeltNet(Xs.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                pred = model(xb)
            loss = F.mse_loss(pred.float(), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(yb)
        if epoch % 5 == 0 or epoch == 1:
            val_rmse, val_mm = evaluate(model, val_loader, y_mean, y_std)
            print(f"epoch {epoch:3d}  train mse {running / n_tr:.4f}  val rmse {val_rmse:.4f} ({val_mm:.2f} mm w.e./day)")

    val_rmse, val_mm = evaluate(model, val_loader, y_mean, y_std)
    print(f"final val RMSE: {val_mm:.3f} mm w.e./day (standardised {val_rmse:.4f})")


if __name__ == "__main__":
    main()
