"""Net electrical output of a combined-cycle power plant from ambient conditions.

Columns: ambient temperature (C), exhaust vacuum (cm Hg), ambient pressure (mbar),
relative humidity (%). Target: net hourly output PE (MW).
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

COLUMNS = ["AT", "V", "AP", "RH"]


def make_plant_log(n, rng):
    # hourly readings over a few years; seasons drive temperature, which drives the rest
    day = rng.uniform(0, 4 * 365, n)
    season = np.sin(2 * np.pi * day / 365.0)
    at = 19.5 + 8.5 * season + rng.normal(0, 3.2, n)
    v = 54.0 + 1.25 * (at - 19.5) + rng.normal(0, 7.5, n)
    ap = 1013.0 - 0.28 * (at - 19.5) + rng.normal(0, 5.3, n)
    rh = np.clip(73.0 - 1.1 * (at - 19.5) + rng.normal(0, 12.0, n), 22, 100)
    pe = (454.4 - 1.98 * at - 0.23 * v + 0.062 * (ap - 1013.0) - 0.158 * rh
          + 0.04 * (at - 19.5) ** 2 - 0.004 * (at - 19.5) * (rh - 73.0) + rng.normal(0, 4.3, n))
    X = np.stack([at, v, ap, rh], 1).astype(np.float32)
    return X, pe.astype(np.float32)


class PlantNet(nn.Module):
    def __init__(self, n_in, width=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in - 1, width), nn.ReLU(),
            nn.Linear(width, width), nn.ReLU(),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        return self.net(x[:, 1:]).squeeze(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    X, y = make_plant_log(6000, rng)
    perm = rng.permutation(len(X))
    tr, va = perm[:4800], perm[4800:]

    mu, sd = X[tr].mean(0), X[tr].std(0)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    Xs = (X - mu) / sd
    ys = (y - y_mu) / y_sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(ys[tr])),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(ys[va])),
                            batch_size=512)

    model = PlantNet(len(COLUMNS))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(xb)
        model.eval()
        preds = []
        with torch.no_grad():
            for xb, _ in val_loader:
                preds.append(model(xb))
        pred_mw = torch.cat(preds).numpy() * y_sd + y_mu
        rmse = float(np.sqrt(np.mean((pred_mw - y[va]) ** 2)))
        if epoch % 10 == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  train mse {running / len(tr):.4f}  val rmse {rmse:.2f} MW")

    r2 = 1 - np.sum((pred_mw - y[va]) ** 2) / np.sum((y[va] - y[va].mean()) ** 2)
    print(f"final val RMSE {rmse:.2f} MW  R2 {r2:.4f}")


if __name__ == "__main__":
    main()
