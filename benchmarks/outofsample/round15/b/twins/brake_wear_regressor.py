"""Brake-pad wear regressor from bench-test telemetry.

Each row is one bench test: disc temperature, clamp pressure, sliding speed,
pad compound hardness, humidity, duty cycle, dust load and run time. A small
MLP predicts the measured wear (mm); targets are standardised with the training
statistics and the validation error is reported back in mm.
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.model_selection import train_test_split


def get_args():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


def bench_tests(n, rng):
    temp = rng.uniform(80, 420, n)            # deg C
    pressure = rng.uniform(5, 60, n)          # bar
    speed = rng.uniform(2, 35, n)             # m/s
    hardness = rng.uniform(40, 95, n)         # shore
    humidity = rng.uniform(10, 90, n)         # %
    duty = rng.uniform(0.05, 0.6, n)
    dust = rng.lognormal(0.0, 0.5, n)
    hours = rng.uniform(1, 40, n)
    arrhenius = np.exp((temp - 250) / 90)
    wear = (0.02 * hours * duty * pressure * speed / hardness * (1 + arrhenius)
            + 0.3 * np.sin(humidity / 14) * dust
            + 0.15 * np.tanh((temp - 300) / 40) * pressure / 30)
    wear = wear + rng.normal(0, 0.05 * wear.std(), n)
    X = np.column_stack([temp, pressure, speed, hardness, humidity, duty, dust, hours])
    return X, wear


def evaluate(model, loader, y_sd):
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = model(xb)
            sse += nn.functional.mse_loss(pred, yb, reduction="sum").item()
            n += yb.numel()
    return sse / n, (sse / n) ** 0.5 * y_sd


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    X, y = bench_tests(700, rng)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=args.seed)

    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    y_tr, y_va = (y_tr - y_mu) / y_sd, (y_va - y_mu) / y_sd

    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train_ds = TensorDataset(to_t(X_tr), to_t(y_tr))
    val_ds = TensorDataset(to_t(X_va), to_t(y_va))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = nn.Sequential(
        nn.Linear(X.shape[1], args.hidden), nn.SiLU(),
        nn.Linear(args.hidden, args.hidden), nn.SiLU(),
        nn.Linear(args.hidden, 1), nn.Flatten(0),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.MSELoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(xb)
        if epoch % 20 == 0 or epoch == args.epochs:
            val_mse, val_rmse = evaluate(model, val_loader, y_sd)
            print(f"epoch {epoch:3d}  train_mse {running / len(train_ds):.4f}  "
                  f"val_mse {val_mse:.4f}  val_rmse {val_rmse:.3f} mm")

    val_mse, val_rmse = evaluate(model, val_loader, y_sd)
    print(f"final val_r2 {1 - val_mse:.4f} val_rmse {val_rmse:.3f} mm")


if __name__ == "__main__":
    main()
