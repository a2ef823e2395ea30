"""Clog workshop: hours a freshly carved clog blank needs in the drying loft.

Each blank is weighed and measured when it comes off the carving bench; the loft
log records when it reached 12% moisture. Drying time is heavy-tailed (thick,
dense blanks in a humid week can take ten times the median), so the target is
scaled by median/IQR and fitted with a Huber loss. Small MLP, plain minibatch
SGD written out by hand, with norm clipping as a guard.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SPECIES = ["willow", "poplar", "alder", "birch"]


def loft_log(n, rng):
    species = rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1])
    green_mc = rng.normal(95, 15, n) + np.array([10, 5, 0, -10])[species]     # % moisture at carving
    density = rng.normal(420, 40, n) + np.array([-30, -50, 20, 80])[species]  # kg/m3 dry
    wall_mm = rng.gamma(9, 1.6, n)
    volume_cm3 = rng.normal(900, 150, n)
    loft_temp = rng.normal(24, 4, n)
    loft_rh = rng.uniform(35, 85, n)
    fan_on = (rng.random(n) < 0.5).astype(float)
    log_h = (np.log(60) + 0.012 * (green_mc - 95) + 0.002 * (density - 420) + 0.06 * (wall_mm - 14)
             + 0.0004 * (volume_cm3 - 900) - 0.035 * (loft_temp - 24) + 0.00035 * (loft_rh - 50) ** 2
             + 0.01 * (loft_rh - 50) - 0.25 * fan_on + np.array([0, -0.05, 0.1, 0.2])[species])
    hours = np.exp(log_h + rng.standard_t(3, n) * 0.18)
    cont = np.column_stack([green_mc, density, wall_mm, volume_cm3, loft_temp, loft_rh])
    X = np.hstack([cont, fan_on[:, None], np.eye(4)[species]])
    return X, hours


def main():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, hours = loft_log(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]

    mu, sd = X[tr, :6].mean(0), X[tr, :6].std(0)
    X[:, :6] = (X[:, :6] - mu) / sd
    med = np.median(hours[tr])
    iqr = np.subtract(*np.percentile(hours[tr], [75, 25]))
    y = (hours - med) / iqr

    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32)

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
    lr, epochs, bs = 0.05, 60, 32

    def evaluate(rows):
        model.eval()
        total, abs_err = 0.0, 0.0
        with torch.no_grad():
            for i in range(0, len(rows), 256):
                b = torch.as_tensor(rows[i:i + 256])
                pred = model(Xt[b]).squeeze(-1)
                total += F.huber_loss(pred, yt[b], reduction="sum").item()
                abs_err += (pred * iqr + med - torch.as_tensor(hours[rows[i:i + 256]], dtype=torch.float32)).abs().sum().item()
        return total / len(rows), abs_err / len(rows)

    for epoch in range(epochs):
        model.train()
        perm = torch.as_tensor(tr[rng.permutation(len(tr))])
        for i in range(0, len(perm), bs):
            b = perm[i:i + bs]
            loss = F.huber_loss(model(Xt[b]).squeeze(-1), yt[b])
            model.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
        if epoch % 10 == 9:
            vl, mae = evaluate(va)
            print(f"epoch {epoch + 1:3d}  val huber {vl:.4f}  val MAE {mae:.1f} h")

    vl, mae = evaluate(va)
    base = np.abs(hours[va] - med).mean()
    print(f"final val_huber {vl:.4f}  val_MAE {mae:.2f} h  (median-only baseline {base:.2f} h)")


if __name__ == "__main__":
    main()
