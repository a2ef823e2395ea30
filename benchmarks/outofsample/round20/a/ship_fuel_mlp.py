"""Daily fuel consumption (t/day) of a bulk-carrier fleet from noon reports.

Noon-report features: speed through water, mean draft, trim, displacement, apparent wind
speed and angle, significant wave height, days since last hull cleaning, sea temperature,
main-engine RPM. Target: main-engine fuel oil consumption over the report period.
"""
import argparse
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def noon_reports(n, rng):
    speed = rng.uniform(9.0, 15.5, n)                     # knots
    draft = rng.uniform(7.5, 14.0, n)                     # m
    trim = rng.normal(0.3, 0.6, n)                        # m, by the stern > 0
    displacement = 18_000 + 4_200 * (draft - 7.5) + rng.normal(0, 900, n)   # t
    wind = rng.gamma(2.0, 4.0, n)                         # m/s apparent
    wind_angle = rng.uniform(0, 180, n)                   # deg off the bow
    waves = np.clip(0.12 * wind + rng.gamma(1.5, 0.5, n), 0.2, None)        # m
    fouling = rng.uniform(0, 540, n)                      # days since hull cleaning
    sea_temp = rng.uniform(4, 30, n)                      # degC
    rpm = 6.1 * speed + rng.normal(0, 2.5, n) + 0.012 * fouling

    calm = 0.0105 * speed ** 3 * (displacement / 40_000) ** (2 / 3)
    head = np.cos(np.deg2rad(wind_angle)).clip(0, None)
    added = 0.9 * waves ** 1.6 * (0.4 + head) + 0.015 * wind ** 2 * head
    foul = 1.0 + 0.00045 * fouling * (1 + 0.01 * (sea_temp - 15))
    trim_pen = 1.0 + 0.03 * (trim - 0.5) ** 2
    fuel = calm * foul * trim_pen + added + rng.normal(0, 1.1, n)

    X = np.stack([speed, draft, trim, displacement, wind, wind_angle, waves, fouling,
                  sea_temp, rpm], axis=1).astype(np.float32)
    return X, fuel.astype(np.float32)


class FuelNet(nn.Module):
    def __init__(self, d_in, hidden=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader, y_mean, y_std):
    model.eval()
    sq_err, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = model(xb).squeeze(-1) * y_std + y_mean
            sq_err += F.mse_loss(pred, yb * y_std + y_mean, reduction="sum").item()
            n += len(yb)
    return sq_err / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args()

    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, y = noon_reports(4000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:3200], idx[3200:]

    mu, sd = X[tr].mean(0), X[tr].std(0)
    y_mean, y_std = float(y[tr].mean()), float(y[tr].std())
    Xs = (X - mu) / sd
    ys = (y - y_mean) / y_std

    train_ds = TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(ys[tr]))
    val_ds = TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(ys[va]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = FuelNet(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-5)

    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        if epoch % 5 == 0 or epoch == 1:
            val_mse = evaluate(model, val_loader, y_mean, y_std)
            print(f"epoch {epoch:3d}  train_loss {total / len(train_ds):.4f}  "
                  f"val_rmse {val_mse ** 0.5:.3f} t/day")

    val_mse = evaluate(model, val_loader, y_mean, y_std)
    var = float(((y[va] - y[va].mean()) ** 2).mean())
    out = os.path.join(tempfile.gettempdir(), "fuelnet.pt")
    torch.save(model, out)
    print(f"final val_rmse {val_mse ** 0.5:.3f} t/day  val_r2 {1 - val_mse / var:.4f}")


if __name__ == "__main__":
    main()
