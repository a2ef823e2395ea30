"""Motor-claim severity regression with a robust (Huber) loss.

Claim amounts (in thousands) have a heavy right tail: a few claims are tens of times the
typical one.  The target is centred on its median and scaled by its IQR (robust scaling),
the network is fitted with SmoothL1/Huber so the tail does not dominate the gradient, and
the LR follows a one-cycle schedule stepped every batch.  Categorical columns (region,
vehicle class) are one-hot; continuous columns are standardised with training statistics.
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_policies(n, rng):
    age = rng.uniform(18, 80, n)
    value = rng.lognormal(mean=3.0, sigma=0.5, size=n)            # vehicle value, k
    years = rng.integers(0, 30, n).astype(float)                  # years licensed
    mileage = rng.gamma(4.0, 3.0, n)                              # k km per year
    region = rng.integers(0, 6, n)
    vclass = rng.integers(0, 4, n)
    region_eff = np.array([0.0, 0.8, -0.5, 1.5, 0.3, -0.9])
    class_eff = np.array([0.0, 1.2, 2.5, -0.7])
    signal = (2.0 + 0.08 * value + 1.5 * np.exp(-(age - 18) / 8) + 0.05 * mileage
              - 0.04 * years + region_eff[region] + class_eff[vclass]
              + 0.6 * np.sin(mileage / 4))
    noise = 1.2 * rng.standard_t(df=1.8, size=n)                    # heavy tails
    claim = np.maximum(signal + noise, 0.1)
    cont = np.stack([age, np.log(value), years, mileage], 1)
    onehot = np.concatenate([np.eye(6)[region], np.eye(4)[vclass]], 1)
    return cont.astype(np.float32), onehot.astype(np.float32), claim.astype(np.float32), signal


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--max-lr", type=float, default=3e-3)
    args = ap.parse_args()

    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    cont, onehot, claim, signal = make_policies(8000, rng)
    n_tr = 6400
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)
    med = np.median(claim[:n_tr])
    q75, q25 = np.percentile(claim[:n_tr], [75, 25])
    scale = (q75 - q25) / 1.349
    y = ((claim - med) / scale).astype(np.float32)
    print(f"claims: median {med:.2f}k, max {claim.max():.1f}k, "
          f"99.9th pct {np.percentile(claim, 99.9):.1f}k, robust scale {scale:.2f}k")

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(Xt[:n_tr], yt[:n_tr]), batch_size=args.batch_size,
                              shuffle=True)
    val_loader = DataLoader(TensorDataset(Xt[n_tr:], yt[n_tr:]), batch_size=1000)

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(),
                          nn.Linear(64, 1))
    criterion = nn.HuberLoss(delta=1.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.max_lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.max_lr,
                                                    epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, n = 0.0, 0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(xb)
            n += len(xb)
        model.eval()
        with torch.no_grad():
            val = sum(criterion(model(xb).squeeze(1), yb).item() * len(xb)
                      for xb, yb in val_loader) / (len(Xt) - n_tr)
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:2d} train_huber {total / n:.4f} val_huber {val:.4f} "
                  f"lr {scheduler.get_last_lr()[0]:.2e}")

    with torch.no_grad():
        pred = model(Xt[n_tr:]).squeeze(1).numpy() * scale + med
    true = claim[n_tr:]
    mae = np.abs(pred - true).mean()
    mae_median = np.abs(med - true).mean()
    mae_signal = np.abs(pred - np.maximum(signal[n_tr:], 0.1)).mean()
    mae_oracle = np.abs(np.maximum(signal[n_tr:], 0.1) - true).mean()
    print(f"final val MAE={mae:.3f}k (median predictor {mae_median:.3f}k, "
          f"noise-free expected claim {mae_oracle:.3f}k); "
          f"MAE to the noise-free expected claim {mae_signal:.3f}k")


if __name__ == "__main__":
    main()
