"""Sugar-beet polarisation (sugar %) from tare-house measurements.

Each delivered lot is sampled at the tare house: root weight, crown share, soil tare,
dry-matter proxy (refractometer), potassium / sodium / amino-N from the beet-lab,
storage days in the clamp, clamp temperature, harvest week and a frost flag.
We regress polarisation with a small MLP trained by plain minibatch SGD.
"""
import argparse
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def make_lots(n, rng):
    weight = rng.gamma(6.0, 0.12, n)                 # kg per root
    crown = rng.beta(2.0, 18.0, n)                    # crown share
    soil = rng.gamma(2.0, 0.04, n)                    # soil tare share
    brix = rng.normal(20.5, 1.4, n)                   # refractometer
    k = rng.normal(38.0, 6.0, n)                      # mmol/kg
    na = rng.gamma(2.5, 2.0, n)
    amino = rng.gamma(3.0, 4.0, n)
    days = rng.integers(0, 60, n).astype(float)       # clamp storage
    temp = rng.normal(6.0, 3.0, n)
    week = rng.integers(36, 50, n).astype(float)
    frost = (rng.random(n) < 0.12).astype(float)
    pol = (
        0.78 * brix
        - 0.012 * k - 0.05 * na - 0.035 * amino
        - 6.0 * crown - 3.0 * soil
        - 0.02 * days * np.clip(temp, 0, None) / 6.0
        - 0.6 * frost * (days > 20)
        + 0.35 * np.tanh(weight - 0.7)
        + 0.03 * (week - 36) - 0.0025 * (week - 36) ** 2
        + rng.normal(0, 0.25, n)
    )
    X = np.stack([weight, crown, soil, brix, k, na, amino, days, temp, week, frost], 1)
    return X.astype(np.float32), pol.astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_lots(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    Xt = torch.from_numpy((X - mu) / sd)
    yt = torch.from_numpy((y - y_mu) / y_sd).unsqueeze(1)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )

    n_tr = len(tr)
    for epoch in range(args.epochs):
        model.train()
        perm = tr[torch.randperm(n_tr).numpy()]
        running = 0.0
        for i in range(0, n_tr, args.batch_size):
            b = perm[i:i + args.batch_size]
            pred = model(Xt[b])
            loss = F.mse_loss(pred, yt[b])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= args.lr * p.grad
            running += loss.item() * len(b)

        model.eval()
        with torch.no_grad():
            sse = 0.0
            for i in range(0, len(va), 256):
                b = va[i:i + 256]
                sse += F.mse_loss(model(Xt[b]), yt[b], reduction="sum").item()
        val_mse = sse / len(va)
        print(f"epoch {epoch + 1:2d}  train_mse {running / n_tr:.4f}  val_mse {val_mse:.4f}")

    rmse = math.sqrt(val_mse) * y_sd
    r2 = 1.0 - val_mse
    print(f"final val RMSE {rmse:.3f} pol-%  R2 {r2:.3f}")


if __name__ == "__main__":
    main()
