"""Predict the peak rise (%) of a sourdough starter from its feeding record.

Rise readings come from a jar-side camera; a few jars get knocked or foam over,
so the residuals are heavy-tailed. Huber loss on robustly scaled targets,
one-cycle schedule, gradient clipping.
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_starters(n, rng):
    hydration = rng.uniform(60, 120, n)          # % water to flour
    protein = rng.uniform(9, 15, n)              # flour protein %
    rye_share = rng.beta(1.5, 4, n)              # share of rye in the feed
    temp = rng.normal(24, 3, n)                  # kitchen temperature, C
    ratio = rng.choice([1, 2, 3, 5, 10], n).astype(float)  # feed ratio 1:r:r
    hours = rng.uniform(2, 14, n)                # hours since feeding
    age = rng.gamma(2.0, 40.0, n)                # starter age in days
    # peak activity: yeast growth that peaks then collapses after too long
    speed = np.exp(0.09 * (temp - 24)) * (1 + 0.8 * rye_share) / np.log1p(ratio)
    t_peak = 6.0 / speed
    curve = np.exp(-((hours - t_peak) / (0.6 * t_peak + 1.0)) ** 2)
    strength = 1 - np.exp(-age / 30)
    gluten = 1 / (1 + np.exp(-(protein - 11.5)))
    wet = 1 - ((hydration - 90) / 45) ** 2
    rise = 40 + 180 * curve * strength * (0.5 + 0.5 * gluten) * (0.6 + 0.4 * wet)
    noise = rng.standard_t(df=2.0, size=n) * 6.0
    X = np.stack([hydration, protein, rye_share, temp, np.log(ratio), hours, np.log1p(age)], 1)
    return X.astype(np.float32), (rise + noise).astype(np.float32)


class RiseNet(nn.Module):
    def __init__(self, d_in, width=96):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_starters(3000, rng)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]

    mu, sd = X_tr.mean(0), X_tr.std(0)
    med = np.median(y_tr)
    iqr = np.subtract(*np.percentile(y_tr, [75, 25]))
    scale = iqr / 1.349                           # robust sigma
    to_t = lambda a: torch.from_numpy(np.asarray(a, dtype=np.float32))
    train_ds = TensorDataset(to_t((X_tr - mu) / sd), to_t((y_tr - med) / scale))
    val_ds = TensorDataset(to_t((X_va - mu) / sd), to_t((y_va - med) / scale))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = RiseNet(X.shape[1])
    criterion = nn.HuberLoss(delta=1.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(train_loader))

    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(xb)
        model.eval()
        preds = []
        with torch.no_grad():
            vloss = 0.0
            for xb, yb in val_loader:
                out = model(xb)
                vloss += criterion(out, yb).item() * len(xb)
                preds.append(out)
        pred = torch.cat(preds).numpy() * scale + med
        mae = np.abs(pred - y_va).mean()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:2d} train huber {total / len(train_ds):.4f} "
                  f"val huber {vloss / len(val_ds):.4f} val MAE {mae:.2f} %")

    base = np.abs(med - y_va).mean()
    med_ae = np.median(np.abs(pred - y_va))
    print(f"final: val MAE {mae:.2f} % (median-rise baseline {base:.2f} %), "
          f"median abs error {med_ae:.2f} %")


if __name__ == "__main__":
    main()
