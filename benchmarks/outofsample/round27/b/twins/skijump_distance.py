"""Predict landing distance on a large hill from in-run telemetry and conditions.

Small MLP trained with a hand-rolled SGD loop (linear warm-up of the step size),
as used for the coaching dashboard prototype.
"""
import argparse

import numpy as np
import torch
from torch import nn


def make_jumps(n, seed):
    rng = np.random.default_rng(seed)
    speed = rng.normal(91.5, 1.8, n)          # km/h at take-off
    angle = rng.normal(10.8, 0.9, n)          # in-run table angle deviation, deg
    wind = rng.normal(0.0, 1.2, n)            # head(+)/tail(-) wind, m/s
    mass = rng.normal(60.0, 4.0, n)           # jumper + suit + skis, kg
    gate = rng.integers(8, 22, n).astype(float)
    temp = rng.normal(-4, 5, n)               # air temperature, C
    snow = rng.uniform(0, 1, n)               # landing-slope snow hardness index
    pitch = rng.normal(0, 1, n)               # early flight body pitch (z-scored)
    dist = (120 + 3.2 * (speed - 91.5) + 6.0 * np.tanh(angle - 10.8) + 4.5 * wind
            - 0.35 * (mass - 60) + 0.9 * (gate - 15) - 0.15 * (temp + 4)
            + 6 * np.sin(2.5 * pitch) - 12 * (snow - 0.5) ** 2
            - 1.2 * np.maximum(wind, 0) ** 2 + rng.normal(0, 2.0, n))
    X = np.stack([speed, angle, wind, mass, gate, temp, snow, pitch], 1).astype(np.float32)
    return X, dist.astype(np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.08)
    parser.add_argument("--warmup-steps", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    X, y = make_jumps(3000, args.seed)
    rng = np.random.default_rng(args.seed)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]

    x_mean, x_std = X[tr].mean(0), X[tr].std(0)
    y_mean, y_std = y[tr].mean(), y[tr].std()
    Xn = torch.tensor((X - x_mean) / x_std)
    yn = torch.tensor((y - y_mean) / y_std)
    X_train, y_train = Xn[tr], yn[tr]
    X_val, y_val = Xn[va], yn[va]

    model = nn.Sequential(
        nn.Linear(8, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    criterion = nn.MSELoss()

    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(len(X_train))
        running = 0.0
        for i in range(0, len(X_train), args.batch_size):
            b = perm[i:i + args.batch_size]
            pred = model(X_train[b]).squeeze(-1)
            loss = criterion(pred, y_train[b])
            loss.backward()
            lr = args.lr * min(1.0, (step + 1) / args.warmup_steps)
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad = None
            step += 1
            running += loss.item() * len(b)

        model.eval()
        with torch.no_grad():
            pv = model(X_val).squeeze(-1)
            val_mse = criterion(pv, y_val).item()
            val_mae_m = ((pv - y_val).abs().mean() * y_std).item()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  lr {lr:.3f}  train {running / len(X_train):.4f}  "
                  f"val mse {val_mse:.4f}  val MAE {val_mae_m:.2f} m")

    print(f"final val MAE: {val_mae_m:.2f} m")


if __name__ == "__main__":
    main()
