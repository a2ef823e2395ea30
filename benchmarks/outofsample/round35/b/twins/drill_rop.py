"""Rate-of-penetration model for a water-well drilling contractor.

Each row is one 0.5 m interval logged by the rig: weight on bit, rotary speed, torque,
mud flow, standpipe pressure, bit hours, depth, plus the geologist's count of fractures
seen in the cuttings. Target: metres per hour drilled in that interval.
"""
import argparse
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_log(n, rng):
    depth = rng.uniform(5, 180, n)
    wob = rng.gamma(6.0, 1.8, n)                      # tonnes
    rpm = rng.normal(95, 18, n).clip(40, 160)
    torque = 0.35 * wob * (1 + 0.004 * rpm) + rng.normal(0, 0.4, n)
    flow = rng.normal(420, 60, n).clip(200, 650)      # l/min
    spp = 12 + 0.02 * depth + 0.015 * flow + rng.normal(0, 1.5, n)
    bit_hours = rng.uniform(0, 60, n)
    hardness = 1.5 + 0.012 * depth + 0.8 * np.sin(depth / 17.0) + rng.normal(0, 0.25, n)
    fractures = rng.poisson(np.exp(1.4 - 0.6 * hardness).clip(0.05, None) * 3)
    rop = (4.0 * np.power(wob, 0.7) * np.power(rpm / 100, 0.5)
           / (hardness * (1 + 0.008 * bit_hours))
           * (1 + 0.25 * np.log1p(fractures))
           * (1 + 0.0008 * (flow - 420)))
    rop = rop * np.exp(rng.normal(0, 0.08, n))
    X = np.stack([depth, wob, rpm, torque, flow, spp, bit_hours, fractures], 1)
    return X.astype(np.float64), rop.astype(np.float32)


def preprocess(X, stats=None):
    X = X.copy()
    X[:, 7] = np.log1p(X[:, 7])          # fracture counts are very skewed
    if stats is None:
        stats = (X.mean(0), X.std(0))
    mu, sd = stats
    return ((X - mu) / sd).astype(np.float32), stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, y = make_log(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]
    Xtr, stats = preprocess(X[tr])
    Xva, _ = preprocess(X[va], stats)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    ytr = (y[tr] - y_mu) / y_sd
    yva = y[va]

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)),
                            batch_size=256)

    model = nn.Sequential(
        nn.Linear(8, 96), nn.SiLU(),
        nn.Linear(96, 96), nn.SiLU(),
        nn.Linear(96, 1),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    loss_fn = nn.MSELoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(xb)
        scheduler.step()

        model.eval()
        sse, n = 0.0, 0
        with torch.no_grad():
            for xb, yb in val_loader:
                pred = model(xb).squeeze(-1) * y_sd + y_mu
                sse += ((pred - yb) ** 2).sum().item()
                n += len(xb)
        rmse = (sse / n) ** 0.5
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  train_mse {running / len(tr):.4f}  val_rmse {rmse:.3f} m/h")

    r2 = 1 - (sse / n) / float(np.var(yva))
    print(f"final val_rmse {rmse:.3f} m/h  val_r2 {r2:.4f}")


if __name__ == "__main__":
    main()
