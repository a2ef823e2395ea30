"""Disc-cutter wear on a tunnel-boring machine.

Predict the radial wear (mm) accumulated by a cutter over one ring from the
machine log of that ring: thrust, cutterhead torque, rpm, penetration rate,
advance, rock UCS and abrasivity from the geological log, cutter position on
the head and the water-spray flow.  Wear is logged at ring-change inspections.
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_rings(n, rng):
    ucs = rng.gamma(6.0, 20.0, n)                 # MPa
    cai = rng.uniform(0.5, 4.5, n)                # Cerchar abrasivity
    radius = rng.uniform(0.3, 4.1, n)             # m from head centre
    rpm = rng.normal(5.5, 0.6, n)
    thrust = rng.normal(18000, 2500, n)           # kN
    pen = np.clip(thrust / (ucs * 90.0) + rng.normal(0, 0.5, n), 1.0, None)  # mm/rev
    torque = 0.11 * thrust * pen ** 0.6 + rng.normal(0, 300, n)
    advance = rng.uniform(1.4, 1.6, n)            # m per ring
    water = rng.normal(80, 10, n)                 # l/min
    rolling = 2 * np.pi * radius * advance * 1000 / pen   # m rolled per ring
    wear = (0.00002 * rolling * cai ** 1.3 * (ucs / 120) ** 0.5 * (1 - 0.002 * (water - 80))
            * np.exp(rng.normal(0, 0.12, n)))
    X = np.stack([thrust, torque, rpm, pen, advance, ucs, cai, radius, water], 1)
    return X.astype(np.float32), wear.astype(np.float32)


class WearNet(nn.Module):
    def __init__(self, d_in, width=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def evaluate(model, loader, y_mean, y_std):
    model.eval()
    sq, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = model(xb) * y_std + y_mean
            sq += nn.functional.mse_loss(pred, yb * y_std + y_mean, reduction="sum").item()
            n += len(yb)
    return (sq / n) ** 0.5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, y = make_rings(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]
    x_mean, x_std = X[tr].mean(0), X[tr].std(0)
    y_mean, y_std = float(y[tr].mean()), float(y[tr].std())
    Xs = (X - x_mean) / x_std
    ys = (y - y_mean) / y_std

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(ys[tr])),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(ys[va])),
                            batch_size=256)

    model = WearNet(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.3)
    loss_fn = nn.MSELoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            running += loss.item() * len(yb)
            optimizer.step()
        scheduler.step()
        if epoch % 10 == 0:
            rmse = evaluate(model, val_loader, y_mean, y_std)
            print(f"epoch {epoch:3d}  train_mse {running / len(tr):.4f}  val_rmse_mm {rmse:.4f}")

    rmse = evaluate(model, val_loader, y_mean, y_std)
    print(f"final val RMSE (mm): {rmse:.4f}   (target std {y[va].std():.4f})")


if __name__ == "__main__":
    main()
